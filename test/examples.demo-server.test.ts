import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureBuilt, ROOT } from './helpers/build';
import { expectPrintedCommandsToWork, startDemo, type RunningDemo } from './helpers/demo';

describe('npm start: the demo server and the curl commands it prints', () => {
  let demo: RunningDemo;

  beforeAll(async () => {
    ensureBuilt();
    execFileSync('sh', ['-c', 'command -v curl'], { stdio: 'pipe' }); // .ci/run installs curl when it is missing
    demo = await startDemo(process.execPath, [path.join(ROOT, 'examples', 'demo-server.js')], { cwd: ROOT, env: { ...process.env, PORT: '0' } }, 20_000);
  }, 120_000);

  afterAll(() => demo?.stop());

  it('prints working commands for every scheme it demonstrates, and how to keep the token in TOKEN', () => {
    expect(demo.output).toMatch(/demo user demo@example\.org \/ demo password 1234, id [0-9a-f-]+; API key demo-api-key-0123456789\)/);
    expectPrintedCommandsToWork(demo.commands);
  });

  it("the README's demo commands use the demo's real user and key, and set TOKEN", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The demo (`npm start`)'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
    const base = /^curl -s (\S+)\/public$/m.exec(demo.commands.join('\n'))![1].replace(/\/v1$/, '');
    expect(block).toContain('http://127.0.0.1:8080/v1/');
    const output = execFileSync('sh', ['-ec', block.replaceAll('http://127.0.0.1:8080', base)], { encoding: 'utf8', timeout: 30_000 });
    expect(output).toContain('{"hello":"anonymous"}');
    expect(output.match(/"scheme":"apiKey"/g)).toHaveLength(2);
    expect(output).toContain('"code":"401.1"');
    expect(output).toMatch(/"displayName":"demo@example.org"},"scheme":"sessionToken"/);
    expect(output).toContain('{"success":true}');
  });
});
