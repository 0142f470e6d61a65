import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { ensureBuilt, ROOT } from './helpers/build';

const run = promisify(execFile);

/**
 * The measuring tools bench/profiling.md cites work as their commands say: bench/variants.js
 * (several servers under one load, CPU per request) and bench/allocations.js (bytes allocated
 * per request, by function); and the rate-limited key's two bench rows serve what their labels
 * claim (the header fields on accepted answers, or not). Nothing is timed here.
 */
describe('bench tools and the rate-limited rows', () => {
  beforeAll(() => ensureBuilt());
  const { ROWS } = require(path.join(ROOT, 'bench', 'rows.js'));
  const { startServer } = require(path.join(ROOT, 'bench', 'harness.js'));
  const row = (id: string) => ROWS.find((candidate: { id: string }) => candidate.id === id);

  it.each([
    ['apiKeyLimited-memory', true],
    ['apiKeyLimited-memory-refusedHeaders', false],
  ])('the row %s answers 200, with the RateLimit fields: %s', async (id, withFields) => {
    const server = await startServer(row(id as string));
    try {
      const response = await fetch(server.base + server.request.path, { headers: server.request.headers });
      expect(response.status).toBe(200);
      expect(response.headers.has('ratelimit')).toBe(withFields);
      expect(response.headers.has('ratelimit-policy')).toBe(withFields);
    } finally {
      await new Promise((resolve) => {
        server.child.once('exit', resolve);
        server.child.kill();
      });
    }
  });

  it('the bare-loaded row serves the bare route from a process that has loaded express-gatehouse, and mounts nothing of it', async () => {
    const options = row('bare-loaded').options;
    const create = require(path.join(ROOT, 'bench', 'servers', 'bare.js'));
    const { app } = await create(options);
    expect(options).toEqual({ load: ['express-gatehouse'] });
    expect(typeof app.locals.loadedModules[0].gatehouse).toBe('function');
    const plain = await create({});
    expect(app.router.stack.length).toBe(plain.app.router.stack.length);
  });

  it('the floor rows run no shape step, the request step and the exchange step, and the floor server refuses any other', async () => {
    const create = require(path.join(ROOT, 'bench', 'servers', 'floor.js'));
    expect(['floor-user', 'floor-user-shaped', 'floor-user-exchange'].map((id) => row(id).options ?? {})).toEqual([{}, { prepare: 'request' }, { prepare: 'exchange' }]);
    for (const prepare of ['none', 'request', 'exchange']) {
      const { app } = await create({ prepare });
      const response = await request(app).get('/v1/projects');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ projects: ['demo'] });
    }
    await expect(create({ prepare: true })).rejects.toThrow('floor: prepare must be one of none, request, exchange');
  });

  it('bench/variants.js drives each server and prints its CPU per request, system part, req/s and page faults per request', async () => {
    const spec = `bare=${ROOT}:bare;limited=${ROOT}:gatehouse:${JSON.stringify({ scheme: 'apiKeyLimited-memory' })}`;
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'bench', 'variants.js'), spec, '1'], {
      env: { ...process.env, CONNECTIONS: '4', WARMUP_SECONDS: '1', WINDOW_SECONDS: '1' },
      timeout: 120_000,
    });
    const rows = stdout.trim().split('\n').slice(2).map((line) => line.split('|').map((cell) => cell.trim()).filter(Boolean));
    expect(rows.map(([label]) => label)).toEqual(['bare', 'limited']);
    for (const [, cpu, system, requestsPerSecond, pageFaults] of rows) {
      expect(Number.parseFloat(cpu)).toBeGreaterThan(0);
      expect(Number.parseFloat(system)).toBeGreaterThanOrEqual(0);
      expect(Number(requestsPerSecond)).toBeGreaterThan(0);
      expect(pageFaults).toMatch(/^\d+\.\d\d \(\d+\.\d\d–\d+\.\d\d\)$/);
    }
  }, 150_000);

  it('bench/variants.js refuses a variant it cannot read, naming it', async () => {
    await expect(run(process.execPath, [path.join(ROOT, 'bench', 'variants.js'), 'no-equals-sign'])).rejects.toMatchObject({ stderr: expect.stringContaining('cannot read the variant "no-equals-sign"') });
  });

  it('bench/allocations.js prints the bytes a request allocates, in all and by function', async () => {
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'bench', 'allocations.js'), 'gatehouse', JSON.stringify({ scheme: 'apiKeyLimited-memory' }), '--warmup', '500', '--requests', '2000', '--top', '5'], { timeout: 120_000 });
    const [total, ...functions] = stdout.trim().split('\n');
    expect(total).toMatch(/^gatehouse \{"scheme":"apiKeyLimited-memory"\}: \d+ bytes allocated a request \(2000 requests\)$/);
    expect(Number(/: (\d+) bytes/.exec(total)![1])).toBeGreaterThan(1000);
    expect(functions).toHaveLength(5);
    for (const line of functions) expect(line).toMatch(/^\s*\d+ {2}\S.*:\d+$/);
  }, 150_000);
});
