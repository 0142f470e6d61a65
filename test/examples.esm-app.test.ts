/**
 * examples/esm-app.mjs, the Quick start as an ES module, run by Node from this repository
 * (the package resolves itself by name through package.json "exports", to dist/esm), and
 * the README's ESM block, which must be made of the example's own lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { ensureBuilt, ROOT } from './helpers/build';

const EXAMPLE = path.join(ROOT, 'examples', 'esm-app.mjs');

/** Starts the example on a free port and resolves to its URL once it listens. */
function startExample(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [EXAMPLE], { cwd: ROOT, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (listening) resolve({ child, url: listening[1] });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => reject(new Error(`examples/esm-app.mjs exited with ${code}:\n${output}`)));
  });
}

describe('example: the Quick start as an ES module', () => {
  let running: { child: ChildProcess; url: string } | undefined;

  beforeAll(async () => {
    ensureBuilt();
    running = await startExample();
  }, 60_000);

  afterAll(() => {
    running?.child.kill('SIGTERM');
  });

  it('imports from express-gatehouse with `import`, not `require`', () => {
    const source = readFileSync(EXAMPLE, 'utf8');
    expect(source).toContain("import { gatehouse, MemoryStore } from 'express-gatehouse';");
    expect(source).not.toMatch(/(?<![.\w])require\(|createRequire/); // auth.require() is not CommonJS
  });

  it('answers as the CommonJS Quick start does: 401.1 anonymous, a login, a session token, an API key and route params', async () => {
    const url = running!.url;
    const anonymous = await request(url).get('/v1/projects');
    expect([anonymous.status, anonymous.body.code]).toEqual([401, '401.1']);

    const login = await request(url).post('/v1/sessions').send({ login: 'Alice@Example.org', password: 'correct horse battery' });
    expect(login.status).toBe(200);
    expect(login.body.token).toMatch(/^gths_/);
    const projects = await request(url).get('/v1/projects').set('Authorization', `Bearer ${login.body.token}`);
    expect(projects.status).toBe(200);
    expect(projects.body.user).toMatchObject({ kind: 'user', roles: ['admin'] });

    const removed = await request(url).delete('/v1/users/42').set('Authorization', 'ApiKey myapikey1029384756');
    expect([removed.status, removed.body]).toEqual([200, { removed: '42' }]);
    const wrongKey = await request(url).delete('/v1/users/42').set('Authorization', 'ApiKey not-the-key-0000000000');
    expect([wrongKey.status, wrongKey.body.code]).toEqual([401, '401.2']);
  });

  it("the README's ESM block is the example's own code", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const marker = '<!-- doc-test: covered by=test/examples.esm-app.test.ts -->';
    expect(readme).toContain(marker);
    const block = /```js\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(marker)))![1];
    // Lines without their trailing comments (` // …`; a URL's `//` has no space before it).
    const codeLines = (text: string) => text.split('\n').map((line) => line.replace(/\s+\/\/ .*$/, '').replace(/^\/\/ .*$/, '').trim()).filter((line) => line !== '');
    const example = codeLines(readFileSync(EXAMPLE, 'utf8'));
    const shown = codeLines(block);
    expect(shown.length).toBeGreaterThan(5);
    for (const line of shown) expect(example).toContain(line);
  });
});
