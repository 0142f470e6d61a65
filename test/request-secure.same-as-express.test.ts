import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import express4 from 'express4';
import fc from 'fast-check';
import { isSecureRequest } from '../src/request-secure';

/**
 * Basic and cookie ask `isSecureRequest(req)`, which keeps the trust decision about a
 * connection's peer on the connection (Express parses the peer's address on every
 * `req.secure`). Whatever the settings and headers, its answer must be `req.secure`'s,
 * on one kept-alive connection, request after request — except that it is stricter with
 * several `X-Forwarded-Proto` values: Express reads the first (the client's, behind a proxy
 * that appends), Gatehouse needs every one to say `https`
 * (`test/request-secure.forwarded-proto-list.test.ts`).
 */
type AppFactory = () => express.Express;

async function serve(make: AppFactory, configure: (app: express.Express) => void) {
  const app = make();
  configure(app);
  app.get('/answer', (req, res) => {
    const ours = isSecureRequest(req);
    res.json({ ours, express: req.secure });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const port = (server.address() as AddressInfo).port;
  const ask = (headers: Record<string, string>) =>
    new Promise<{ ours: boolean; express: boolean }>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/answer', agent, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(JSON.parse(body)));
      });
      req.on('error', reject);
    });
  const close = async () => {
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return { app, ask, close };
}

const forwardedProto = fc.oneof(
  fc.constantFrom('https', 'http', 'HTTPS', ' https ', 'https,http', 'http, https', 'https ,x', '', ','),
  fc.string({ maxLength: 12 }).filter((value) => !/[\r\n\0]/.test(value) && value === value.trimStart()),
);

describe.each([
  ['Express 5', express as unknown as AppFactory],
  ['Express 4', express4 as unknown as AppFactory],
])('isSecureRequest answers as req.secure (%s)', (_name, make) => {
  it.each([
    ['no trust proxy', (_app: express.Express) => undefined],
    ['trust proxy loopback', (app: express.Express) => app.set('trust proxy', 'loopback')],
    ['trust proxy 10.0.0.0/8 (not this peer)', (app: express.Express) => app.set('trust proxy', '10.0.0.0/8')],
    ['trust proxy true', (app: express.Express) => app.set('trust proxy', true)],
  ])('%s, for any X-Forwarded-Proto, on one connection', async (_label, configure) => {
    const { ask, close } = await serve(make, configure);
    try {
      await fc.assert(
        fc.asyncProperty(fc.option(forwardedProto, { nil: undefined }), async (proto) => {
          const answer = await ask(proto === undefined ? {} : { 'X-Forwarded-Proto': proto });
          const everyValueHttps = proto === undefined || proto === '' || proto.split(',').every((value) => value.trim() === 'https');
          expect(answer.ours).toBe(answer.express && everyValueHttps);
        }),
        { numRuns: 60 },
      );
    } finally {
      await close();
    }
  });

  it('follows a trust proxy setting changed while a connection stays open', async () => {
    const { app, ask, close } = await serve(make, (configured) => configured.set('trust proxy', 'loopback'));
    try {
      expect(await ask({ 'X-Forwarded-Proto': 'https' })).toEqual({ ours: true, express: true });
      app.set('trust proxy', false);
      expect(await ask({ 'X-Forwarded-Proto': 'https' })).toEqual({ ours: false, express: false });
      app.set('trust proxy', 'loopback');
      expect(await ask({ 'X-Forwarded-Proto': 'https' })).toEqual({ ours: true, express: true });
    } finally {
      await close();
    }
  });

  it("reads a host's own secure (on app.request, or set on the request) as it is", async () => {
    const { ask, close } = await serve(make, (app) => {
      Object.defineProperty(app.request, 'secure', { configurable: true, get: () => true });
    });
    try {
      expect(await ask({})).toEqual({ ours: true, express: true });
    } finally {
      await close();
    }
    const own = await serve(make, (app) =>
      app.use((req, _res, next) => {
        Object.defineProperty(req, 'secure', { value: true });
        next();
      }),
    );
    try {
      expect(await own.ask({})).toEqual({ ours: true, express: true });
    } finally {
      await own.close();
    }
  });
});
