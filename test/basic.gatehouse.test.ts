import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ALICE_PASSWORD, BOB_PASSWORD, buildApp, CONFIG_API_KEY } from './helpers/app';

const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;

/** Behind a TLS-terminating proxy: Express trusts X-Forwarded-Proto from loopback only. */
async function httpsApp(options = {}) {
  const t = await buildApp({ passwords: { cost: 10 }, ...options });
  t.app.set('trust proxy', 'loopback');
  return t;
}

describe('Basic through gatehouse()', () => {
  it('works over HTTPS, splits at the first colon, and is refused over plain HTTP (401.3)', async () => {
    const t = await httpsApp();
    const ok = await request(t.app).get('/v1/projects').set('X-Forwarded-Proto', 'https').set('Authorization', basic('bob@example.org', BOB_PASSWORD));
    expect(ok.status).toBe(200);
    expect(ok.body.authInfo).toEqual({ scheme: 'basic', authTime: expect.any(String), amr: ['pwd'], acr: 'single' });
    const plain = await request(t.app).get('/v1/projects').set('Authorization', basic('bob@example.org', BOB_PASSWORD));
    expect(plain.status).toBe(401);
    expect(plain.body.code).toBe('401.3');
  });

  it('sends no Basic challenge unless basic.challenge is true', async () => {
    const quiet = await httpsApp();
    const res = await request(quiet.app).get('/v1/projects');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    const loud = await httpsApp({ basic: { challenge: true, realm: 'Reports' } });
    const challenged = await request(loud.app).get('/v1/projects');
    expect(challenged.headers['www-authenticate']).toBe('Bearer realm="api", Basic realm="Reports", charset="UTF-8"');
  });

  it('default order tries a query API key before Basic; with basic first, a failed Basic is final', async () => {
    const t = await httpsApp();
    const keyFirst = await request(t.app)
      .get(`/v1/projects?apikey=${CONFIG_API_KEY}`)
      .set('X-Forwarded-Proto', 'https')
      .set('Authorization', basic('alice@example.org', 'wrong'));
    expect(keyFirst.status).toBe(200);
    expect(keyFirst.body.authInfo.scheme).toBe('apiKey');

    const t2 = await httpsApp({ precedence: ['appUserUrl', 'basic', 'apiKey', 'bearer', 'cookie'] });
    const failed = await request(t2.app)
      .get(`/v1/projects?apikey=${CONFIG_API_KEY}`)
      .set('X-Forwarded-Proto', 'https')
      .set('Authorization', basic('alice@example.org', 'wrong'));
    expect(failed.status).toBe(401);
    expect(failed.body.code).toBe('401.2');
    const viaBasic = await request(t2.app)
      .get('/v1/projects?apikey=nope-nope-nope-nope')
      .set('X-Forwarded-Proto', 'https')
      .set('Authorization', basic('alice@example.org', ALICE_PASSWORD));
    expect(viaBasic.status).toBe(200);
    expect(viaBasic.body.authInfo.scheme).toBe('basic');
  });

  it('Basic failures count towards the same lockout as login', async () => {
    const t = await httpsApp({ lockout: { maxAttempts: 3 } });
    for (let i = 0; i < 3; i += 1) {
      await request(t.app).get('/v1/projects').set('X-Forwarded-Proto', 'https').set('Authorization', basic('alice@example.org', 'wrong'));
    }
    const login = await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
    expect(login.body.code).toBe('403.2');
  });

  it('logging out with Basic has nothing to end: 403.1', async () => {
    const t = await httpsApp();
    const res = await request(t.app).delete('/v1/sessions/current').set('X-Forwarded-Proto', 'https').set('Authorization', basic('alice@example.org', ALICE_PASSWORD));
    expect(res.body.code).toBe('403.1');
  });

  it('200 concurrent wrong-password Basic requests do not stall a public route; the bcrypt cap holds', async () => {
    const t = await httpsApp({ lockout: false, passwords: { cost: 10, maxConcurrent: 2, maxQueue: 50 } });
    const server = http.createServer(t.app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    const get = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          })
          .on('error', reject);
      });
    try {
      let peakActive = 0;
      const probe = setInterval(() => (peakActive = Math.max(peakActive, t.auth.passwords.active)), 1);
      const attacks = Array.from({ length: 200 }, (_, i) =>
        get('/v1/projects', { 'X-Forwarded-Proto': 'https', Authorization: basic(`user${i}@example.org`, 'wrong') }),
      );
      // While they are in flight, the public route still answers: its ten answers all come
      // back while password checks are still running or queued. A check that blocked the event
      // loop would hold them until the queue had drained. (Counted, not timed: latency is in bench/.)
      const publicAnswers = [];
      for (let i = 0; i < 10; i += 1) publicAnswers.push(await get('/v1/public'));
      const checksPendingAtLastPublicAnswer = t.auth.passwords.active + t.auth.passwords.waiting;
      const results = await Promise.all(attacks);
      clearInterval(probe);

      expect(publicAnswers.every((r) => r.status === 200)).toBe(true);
      expect(checksPendingAtLastPublicAnswer).toBeGreaterThan(0);
      const codes = results.map((r) => JSON.parse(r.body).code);
      expect(new Set(codes)).toEqual(new Set(['401.2', '503.2']));
      expect(codes.filter((c) => c === '503.2').length).toBeGreaterThan(0);
      expect(peakActive).toBeLessThanOrEqual(2);
    } finally {
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
    // 50 queued bcrypt checks two at a time, beside 200 requests: sized for a busy CI runner.
  }, 120_000);
});
