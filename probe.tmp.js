function t(f, input, calls){ let best=Infinity; for(let s=0;s<21;s++){const st=process.hrtime.bigint(); for(let i=0;i<calls;i++) f(input); const c=Number(process.hrtime.bigint()-st); if(c<best)best=c;} return best/calls; }
const dec = (raw) => { try { return decodeURIComponent(raw.replace(/\+/g, ' ')); } catch { return null; } };
const fs = {
  split: s => s.split('&').length,
  splitdec: s => { let k=0; for (const p of s.split('&')) { const e=p.indexOf('='); const n = dec(e===-1?p:p.slice(0,e)); if(n) k++; } return k; },
  splitpush: s => { const a=[]; for (const p of s.split('&')) a.push(p); return a.join('&').length; },
  replaceOnly: s => { let k=0; for (const p of s.split('&')) { k+= p.replace(/\+/g,' ').length } return k; },
  decOnly: s => { let k=0; for (const p of s.split('&')) { k+= decodeURIComponent(p).length } return k; },
  ssplitSlash: s => s.split('/').length,
  rsplitSlash: s => s.split(/[/\\]/).length,
};
const shapes = { amps: n => 'x' + '&'.repeat(n) + 'apikey=x', slashdots: n => '/' + '/.'.repeat(n/2) + '/key/x' };
for (const [fn, f] of Object.entries(fs)) for (const [sn, mk] of Object.entries(shapes)) {
  const inputs = [12500, 25000, 50000].map(mk);
  for (const i of inputs) for (let k=0;k<3;k++) f(i);
  const r = inputs.map(i=>t(f,i,1));
  console.log(fn, sn, (r[0]/1000).toFixed(0)+'us', (r[1]/r[0]).toFixed(1), (r[2]/r[0]).toFixed(1));
}
