#!/usr/bin/env node
// Compiles src/ to CommonJS in dist/ and writes the thin ESM entry points that
// re-export it, so `import` and `require` share one module instance.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});

const pkg = require(path.join(root, 'package.json'));
/** `./<relative path>` from `fromFile`'s folder to `toFile`, in URL form. */
function specifier(fromFile, toFile) {
  const relative = path.relative(path.dirname(fromFile), toFile).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}
for (const target of Object.values(pkg.exports)) {
  if (typeof target !== 'object' || !target.import) continue;
  const cjsFile = path.join(root, target.require.default);
  // The ESM entry re-exports the CommonJS build; its .d.mts re-exports the CommonJS
  // declarations, so `import` gets ESM-flavoured types (no "masquerading as CJS").
  const esmFile = path.join(root, target.import.default);
  const esmTypes = path.join(root, target.import.types);
  fs.mkdirSync(path.dirname(esmFile), { recursive: true });
  fs.writeFileSync(esmFile, `export * from '${specifier(esmFile, cjsFile)}';\n`);
  fs.writeFileSync(esmTypes, `export * from '${specifier(esmTypes, cjsFile)}';\n`);
}
console.error('built dist/');
