/**
 * Every fenced code block in README.md runs here, against the built package, so the README
 * cannot drift from the code.
 *
 * The convention (also summarised in the README's "Doc tests" section): the line right before
 * each fence is an HTML comment
 *
 *     <!-- doc-test: KIND [prelude=NAME,NAME] [env=redis|postgres] -->
 *
 * KIND says how the block is checked:
 *   script     JavaScript run with node; must exit 0.
 *   service    JavaScript that keeps running (a pool, a client, timers): must not fail (exit
 *              non-zero or write to stderr) within SERVICE_SETTLE_MS; then it is stopped.
 *   server     JavaScript that listens on port 8080, which is replaced by a free port; the
 *              next block must be a `curl` block, run against it; then the server is stopped.
 *   curl       Shell run with bash (`set -euo pipefail`), after its `server` block, with
 *              `curl` failing on any HTTP error and 8080 replaced by the server's port.
 *   typescript TypeScript compiled by tsc (strict, nodenext, no skipLibCheck); not run.
 *   sql        SQL run in a scratch PostgreSQL schema, which `env=postgres` blocks then use.
 *   commands   Shell lines not run: each must be `npm start|test|ci`, `npm run <a script in
 *              package.json>`, `npm install <this package or one it depends on>`, or
 *              `node <a file in this repository>`.
 *   covered    A fragment that cannot run on its own (an options excerpt, ESM for another
 *              service, a CLI session, commands against the running demo), with `by=FILE`: the
 *              test file that runs what it shows. The file must exist and skip nothing.
 * prelude=…  Code put before a JavaScript fragment for the names it assumes (PRELUDES below).
 *            The block runs in its own `{ }` scope, so it may redeclare a prelude's names.
 * env=…      redis: REDIS_URL is set; postgres: DATABASE_URL points at the scratch schema.
 *
 * JavaScript blocks run as CommonJS files in a temp project whose node_modules links
 * `express-gatehouse` to this repository (its package.json `exports` and dist/) and the
 * packages the blocks require. A block without the comment, or with an unknown KIND or
 * prelude, fails — so a block added later is tested or the suite says why not.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ensureBuilt, ROOT } from './helpers/build';

const README = path.join(ROOT, 'README.md');
const SERVICE_SETTLE_MS = 2500;
const KINDS = ['script', 'service', 'server', 'curl', 'typescript', 'sql', 'commands', 'covered'] as const;
type Kind = (typeof KINDS)[number];

/** What each prelude defines for the fragments that name it. */
const PRELUDES: Record<string, string> = {
  store: "const { gatehouse, MemoryStore } = require('express-gatehouse');\nconst store = new MemoryStore();",
  auth: [
    "const passport = require('passport');",
    "const { gatehouse, MemoryStore, SessionTokenStrategy, CookieSessions, CookieStrategy, resolveCookieOptions } = require('express-gatehouse');",
    'const store = new MemoryStore();',
    'const auth = gatehouse({ store });',
  ].join('\n'),
  app: [
    "const express = require('express');",
    "const { gatehouse, MemoryStore } = require('express-gatehouse');",
    'const app = express();',
    'const auth = gatehouse({ store: new MemoryStore() });',
  ].join('\n'),
  // The host's own user look-ups, never called by the fragments that name them.
  users: 'const users = { byLogin: async () => null, actor: async () => null };',
  // "Your store": the conformance suite is run against MemoryStore in its place.
  'my-store': "const { MemoryStore: MyStore } = require('express-gatehouse');",
  // describe/it/afterAll as jest provides them, from node:test.
  'test-globals': "const nodeTest = require('node:test');\nObject.assign(globalThis, { describe: nodeTest.describe, it: nodeTest.it, afterAll: nodeTest.after });",
};

/** Packages the JavaScript and TypeScript blocks may require, linked from this repository. */
const LINKED_PACKAGES = ['express', 'ioredis', 'pg', 'passport', '@types/express', '@types/node', '@types/pg'];

export interface CodeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** The parsed marker, or an error saying what is wrong with it. */
  marker: { kind: Kind; preludes: string[]; env: string[]; by: string | null } | { error: string };
}

/** The fenced blocks of a Markdown text, each with the doc-test marker on the line before it. */
export function readCodeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    let end = i + 1;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end++;
    blocks.push({ line: i + 1, lang: open[3], code: lines.slice(i + 1, end).join('\n'), marker: parseMarker(lines[i - 1] ?? '') });
    i = end;
  }
  return blocks;
}

function parseMarker(line: string): CodeBlock['marker'] {
  const match = /^<!--\s*doc-test:\s*(.*?)\s*-->\s*$/.exec(line.trim());
  if (!match) return { error: 'no <!-- doc-test: KIND --> comment on the line before the block (see test/readme.code-blocks.test.ts)' };
  const [kind, ...options] = match[1].split(/\s+/);
  if (!(KINDS as readonly string[]).includes(kind)) return { error: `unknown doc-test kind '${kind}'; use ${KINDS.join(', ')}` };
  const preludes: string[] = [];
  const env: string[] = [];
  let by: string | null = null;
  for (const option of options) {
    const [name, value = ''] = option.split('=');
    const values = value.split(',').filter(Boolean);
    if (name === 'prelude' && values.every((v) => v in PRELUDES)) preludes.push(...values);
    else if (name === 'env' && values.every((v) => v === 'redis' || v === 'postgres')) env.push(...values);
    else if (name === 'by' && kind === 'covered' && /^test\/[\w.-]+\.test\.ts$/.test(value)) by = value;
    else return { error: `unknown doc-test option '${option}'; preludes are ${Object.keys(PRELUDES).join(', ')}, env is redis or postgres, by=test/FILE.test.ts goes with covered` };
  }
  if (kind === 'covered' && by === null) return { error: 'a covered block names the test that runs what it shows: by=test/FILE.test.ts' };
  return { kind: kind as Kind, preludes, env, by };
}

const blocks = readCodeBlocks(readFileSync(README, 'utf8'));
const label = (block: CodeBlock) => `README.md:${block.line} (${'kind' in block.marker ? block.marker.kind : 'unmarked'} ${block.lang})`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, child: { exitCode: number | null }, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`the server exited with ${child.exitCode} before listening`));
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listened on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

interface Running {
  exitCode: number | null;
  output: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<void>;
}

function start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Running {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running: Running = {
    get exitCode() {
      return child.exitCode;
    },
    output: () => `${stdout}${stderr}`,
    stderr: () => stderr,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  return running;
}

/** A package.json script, a repository file or a dependency: what a `commands` line may name. */
function checkCommand(line: string, pkg: { scripts: Record<string, string>; name: string; dependencies: object; peerDependencies: object }): string | null {
  const words = line.split(/\s+/);
  const [tool, sub, ...rest] = words;
  if (tool === 'npm' && ['start', 'test', 'ci'].includes(sub)) return sub === 'ci' || sub in pkg.scripts ? null : `npm ${sub}: no such script`;
  if (tool === 'npm' && sub === 'run') return rest[0] in pkg.scripts ? null : `npm run ${rest[0]}: no such script in package.json`;
  if (tool === 'npm' && sub === 'install') {
    const known = new Set([pkg.name, ...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]);
    const unknown = rest.filter((name) => !name.startsWith('-')).filter((name) => !known.has(name.replace(/(.)@.*$/, '$1')));
    return unknown.length === 0 ? null : `npm install ${unknown.join(' ')}: not this package or one it depends on`;
  }
  if (tool === 'node') {
    const file = words.slice(1).find((word) => !word.startsWith('-'));
    return file && existsSync(path.join(ROOT, file)) ? null : `node ${file}: no such file in the repository`;
  }
  return `'${tool} ${sub ?? ''}' is not a command a commands block may name`;
}

describe('README code blocks', () => {
  let project: string;
  let schema: string;
  let databaseUrl: string;
  const baseDatabaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  // Services are reachable only for the blocks that declare them (an empty URL fails to connect).
  const env = (block: CodeBlock): NodeJS.ProcessEnv => {
    const declared = 'kind' in block.marker ? block.marker.env : [];
    return {
      JWT_SECRET: 'doc-test-jwt-secret-of-at-least-32-bytes',
      SESSION_SECRET: 'doc-test-session-secret-of-at-least-32-characters',
      REDIS_URL: declared.includes('redis') ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : '',
      DATABASE_URL: declared.includes('postgres') ? databaseUrl : '',
    };
  };

  beforeAll(async () => {
    ensureBuilt();
    project = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-readme-'));
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'readme-blocks', private: true }));
    mkdirSync(path.join(project, 'node_modules', '@types'), { recursive: true });
    symlinkSync(ROOT, path.join(project, 'node_modules', 'express-gatehouse'), 'dir');
    for (const name of LINKED_PACKAGES) symlinkSync(path.join(ROOT, 'node_modules', name), path.join(project, 'node_modules', name), 'dir');
    schema = `doc_test_${process.pid}_${Date.now()}`;
    databaseUrl = `${baseDatabaseUrl}${baseDatabaseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const client = new Client({ connectionString: baseDatabaseUrl });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.end();
  });

  afterAll(async () => {
    if (project) rmSync(project, { recursive: true, force: true });
    if (schema) {
      const client = new Client({ connectionString: baseDatabaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });

  it('finds the README blocks, and a block without a doc-test comment is reported', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(15);
    const [unmarked, marked] = readCodeBlocks('Text\n\n```js\n1;\n```\n<!-- doc-test: script prelude=nope -->\n```js\n2;\n```\n');
    expect(unmarked.marker).toEqual({ error: expect.stringContaining('no <!-- doc-test: KIND --> comment') });
    expect(marked.marker).toEqual({ error: expect.stringContaining("unknown doc-test option 'prelude=nope'") });
  });

  it.each(blocks.map((block, index) => [label(block), index] as const))('%s', async (_label, index) => {
    const block = blocks[index];
    if ('error' in block.marker) throw new Error(`${label(block)}: ${block.marker.error}`);
    const { kind, preludes } = block.marker;
    const js = () => `${preludes.map((name) => PRELUDES[name]).join('\n')}\n{\n${block.code}\n}\n`;
    const file = path.join(project, `block-${block.line}`);

    switch (kind) {
      case 'covered': {
        const testFile = path.join(ROOT, block.marker.by!);
        expect({ exists: existsSync(testFile), skips: existsSync(testFile) && /\b(it|test|describe)\.(skip|todo)\(/.test(readFileSync(testFile, 'utf8')) }).toEqual({ exists: true, skips: false });
        return;
      }
      case 'commands': {
        const problems = block.code
          .split('\n')
          .map((line) => line.replace(/#.*$/, '').trim())
          .filter(Boolean)
          .map((line) => checkCommand(line, pkg))
          .filter((problem): problem is string => problem !== null);
        expect(problems).toEqual([]);
        return;
      }
      case 'script': {
        writeFileSync(`${file}.js`, js());
        const run = start(process.execPath, [`${file}.js`], project, env(block));
        const timer = setTimeout(() => void run.stop(), 30_000);
        const code = await run.exited;
        clearTimeout(timer);
        expect({ code, output: run.output() }).toEqual({ code: 0, output: expect.any(String) });
        return;
      }
      case 'service': {
        writeFileSync(`${file}.js`, js());
        const run = start(process.execPath, [`${file}.js`], project, env(block));
        await Promise.race([run.exited, new Promise((resolve) => setTimeout(resolve, SERVICE_SETTLE_MS))]);
        const result = { exitCode: run.exitCode, stderr: run.stderr() };
        await run.stop();
        expect(result.exitCode === null || result.exitCode === 0).toBe(true);
        expect(result.stderr).toBe('');
        return;
      }
      case 'server': {
        const next = blocks[index + 1];
        if (!next || !('kind' in next.marker) || next.marker.kind !== 'curl') throw new Error(`${label(block)}: a server block is followed by a curl block`);
        const port = await freePort();
        writeFileSync(`${file}.js`, js().replaceAll('8080', String(port)));
        const server = start(process.execPath, [`${file}.js`], project, env(block));
        try {
          await waitForPort(port, server, 20_000);
          const script = ['set -euo pipefail', 'curl() { command curl --fail-with-body --silent --show-error --max-time 10 "$@"; }', next.code.replaceAll('8080', String(port))].join('\n');
          const curl = spawnSync('bash', ['-c', script], { cwd: project, encoding: 'utf8', timeout: 30_000 });
          expect({ status: curl.status, stderr: curl.stderr }).toEqual({ status: 0, stderr: '' });
          // Every curl line answered: one JSON body per line of output.
          const answers = curl.stdout.split(/(?<=})(?=\{)|\n/).filter(Boolean);
          expect(answers.length).toBe((next.code.match(/^curl /gm) ?? []).length);
        } finally {
          await server.stop();
        }
        expect(server.stderr()).toBe('');
        return;
      }
      case 'curl': {
        const previous = blocks[index - 1];
        // Run by the server block before it; here only its place is checked.
        expect(previous && 'kind' in previous.marker && previous.marker.kind).toBe('server');
        return;
      }
      case 'typescript': {
        writeFileSync(`${file}.ts`, block.code);
        writeFileSync(
          path.join(project, `tsconfig-${block.line}.json`),
          JSON.stringify({
            compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022', strict: true, noEmit: true, types: ['node'] },
            files: [`block-${block.line}.ts`],
          }),
        );
        const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', `tsconfig-${block.line}.json`, '--pretty', 'false'], {
          cwd: project,
          encoding: 'utf8',
        });
        expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
        expect(tsc.status).toBe(0);
        return;
      }
      case 'sql': {
        const client = new Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          await client.query(block.code);
        } finally {
          await client.end();
        }
        return;
      }
    }
  }, 60_000);
});
