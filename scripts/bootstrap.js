#!/usr/bin/env node
// Makes `npm start` and `npm test` work as the first command on a fresh clone: installs the
// dependencies with `npm ci` when node_modules is missing or older than package-lock.json,
// then builds dist/ when it is missing or older than the sources. Dependency-free on purpose
// (it runs before anything is installed). `node scripts/bootstrap.js` runs it by hand.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/** The newest modification time under `dir` (files only), or 0. */
function newest(dir) {
  let latest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return mtime(dir) ?? 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : (mtime(full) ?? 0));
  }
  return latest;
}

/** Why `npm ci` must run, or null when node_modules is up to date with the lockfile. */
function installReason() {
  const modules = path.join(root, 'node_modules');
  if (mtime(modules) === null) return 'node_modules is missing';
  // npm writes node_modules/.package-lock.json at the end of every install.
  const installed = mtime(path.join(modules, '.package-lock.json')) ?? mtime(modules);
  const lock = mtime(path.join(root, 'package-lock.json'));
  if (lock !== null && installed < lock) return 'node_modules is older than package-lock.json';
  return null;
}

/** Why dist/ must be built, or null when it is newer than everything it is built from. */
function buildReason() {
  const built = mtime(path.join(root, 'dist', 'index.js'));
  if (built === null) return 'dist/ is missing';
  const inputs = [
    newest(path.join(root, 'src')),
    mtime(path.join(root, 'package.json')) ?? 0,
    mtime(path.join(root, 'scripts', 'build.js')) ?? 0,
    ...fs.readdirSync(root).filter((name) => /^tsconfig.*\.json$/.test(name)).map((name) => mtime(path.join(root, name)) ?? 0),
  ];
  if (Math.max(...inputs) > built) return 'dist/ is older than src/';
  return null;
}

/** npm itself: the one running us when there is one (npm start / npm test), else `npm` on PATH. */
function npmCommand(args) {
  const cli = process.env.npm_execpath;
  if (cli && /\.[cm]?js$/.test(cli)) return [process.execPath, [cli, ...args]];
  return [process.platform === 'win32' ? 'npm.cmd' : 'npm', args];
}

function run(label, command, args) {
  // stdout goes to stderr so that whatever prints after us (the demo's curl lines, the
  // test summary) stays clean for anyone reading stdout.
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit code ${result.status}`;
    console.error(`[bootstrap] ${label} failed (${why}).`);
    process.exit(result.status || 1);
  }
}

/** Installs and builds what is missing or stale; exits the process if either step fails. */
function bootstrap() {
  const install = installReason();
  if (install) {
    console.error(`[bootstrap] ${install}: running npm ci (once; about a minute on a slow network)`);
    const [command, args] = npmCommand(['ci', '--no-audit', '--no-fund', '--loglevel=error']);
    run('npm ci', command, args);
  }
  const build = buildReason();
  if (build) {
    console.error(`[bootstrap] ${build}: building`);
    run('the build', process.execPath, [path.join(root, 'scripts', 'build.js')]);
  }
}

module.exports = { bootstrap, installReason, buildReason };

if (require.main === module) bootstrap();
