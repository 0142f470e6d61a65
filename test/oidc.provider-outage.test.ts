/**
 * A provider that cannot be reached is the provider's failure, never the user's and never a
 * sign-in: 502.1, before the browser is sent anywhere, and on the callback when the provider
 * went away after the browser signed in there.
 */
import express from 'express';
import { gatehouse, MemoryStore } from '../src';
import { Browser, CLIENT_SECRET, COOKIE_SECRET, listening, providerFor } from './helpers/oidc';

let server: Awaited<ReturnType<typeof listening>>;
beforeAll(async () => {
  server = await listening();
});
afterAll(() => server.close());

async function serveFor(issuer: string): Promise<MemoryStore> {
  const store = new MemoryStore({ passwordCost: 10 });
  const auth = gatehouse({
    store,
    cookie: { secret: COOKIE_SECRET, secure: false },
    oidc: { providers: { test: { issuer, clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: `${server.origin}/v1/oidc/test/callback` } } },
  });
  const app = express();
  app.use('/v1', auth.routes());
  server.serve(app);
  return store;
}

describe('a provider that cannot be reached', () => {
  it('should answer the start with 502.1 and set no transaction cookie', async () => {
    const nothing = await listening();
    await nothing.close();
    await serveFor(nothing.origin);
    const answer = await new Browser().visit(`${server.origin}/v1/oidc/test/start`);
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toMatchObject({ code: '502.1', status: 502 });
    expect(answer.location).toBeNull();
    expect(answer.headers.getSetCookie()).toEqual([]);
  });

  it('should answer the callback with 502.1 when the provider went away after the sign-in there, and issue nothing', async () => {
    const provider = await providerFor([server]);
    try {
      const store = await serveFor(provider.issuer);
      const alice = await store.addUser({ login: 'alice@example.org', password: 'correct horse battery' });
      await store.linkIdentity({ issuer: provider.issuer, subject: 'alice', actorId: alice.id, linkedAt: Date.now() });
      const browser = new Browser();
      const callback = await browser.signInAtProvider(`${server.origin}/v1/oidc/test/start`, 'alice', { callbackPrefix: `${server.origin}/v1/oidc/test/callback` });
      await provider.stop();
      const answer = await browser.visit(callback);
      expect(answer.status).toBe(502);
      expect(JSON.parse(answer.body)).toMatchObject({ code: '502.1' });
      expect(await store.listTokens(alice.id)).toEqual([]);
    } finally {
      await provider.stop();
    }
  });
});
