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
for (const target of Object.values(pkg.exports)) {
  if (typeof target !== 'object' || !target.import) continue;
  const esmFile = path.join(root, target.import);
  const cjsFile = path.join(root, target.require);
  let specifier = path.relative(path.dirname(esmFile), cjsFile).split(path.sep).join('/');
  if (!specifier.startsWith('.')) specifier = `./${specifier}`;
  fs.mkdirSync(path.dirname(esmFile), { recursive: true });
  fs.writeFileSync(esmFile, `export * from '${specifier}';\n`);
}
console.error('built dist/');
