#!/usr/bin/env node
// Checks the tarball npm would publish, as users get it: @arethetypeswrong/cli (types
// resolve the same way as the JavaScript under node10, node16 CJS and ESM, and bundlers,
// for every entry point) and publint (package.json fields and files). Builds first;
// exits non-zero on any problem or warning.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });

run(process.execPath, [path.join(root, 'scripts', 'build.js')]);
const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-check-'));
try {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], { cwd: root, encoding: 'utf8' }),
  );
  const tarball = path.join(packDir, packed[0].filename);
  run(bin('attw'), [tarball, '--profile', 'strict', '--no-emoji']);
  run(bin('publint'), ['run', tarball, '--strict']);
  console.error(`checked ${packed[0].filename}: attw and publint clean`);
} catch (error) {
  console.error('package check failed');
  process.exitCode = 1;
} finally {
  fs.rmSync(packDir, { recursive: true, force: true });
}
