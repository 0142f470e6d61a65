/**
 * A provider that cannot be reached is the provider's failure, never the user's and never a
 * sign-in: 502.1, before the browser is sent anywhere, and on the callback when the provider
 * went away after the browser signed in there. Each is reported as an `oidc.providerUnreachable`
 * event naming the provider and the request that failed, with no secret in it.
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type AuditEvent } from '../src';
import { Browser, CLIENT_SECRET, COOKIE_SECRET, listening, providerFor } from './helpers/oidc';

let server: Awaited<ReturnType<typeof listening>>;
beforeAll(async () => {
  server = await listening();
});
afterAll(() => server.close());

let events: AuditEvent[] = [];

async function serveFor(issuer: string): Promise<MemoryStore> {
  const store = new MemoryStore({ passwordCost: 10 });
  events = [];
  const auth = gatehouse({
    store,
    cookie: { secret: COOKIE_SECRET, secure: false },
    oidc: { providers: { test: { issuer, clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: `${server.origin}/v1/oidc/test/callback` } } },
    onEvent: (event) => {
      events.push(event);
    },
  });
  const app = express();
  app.use('/v1', auth.routes());
  server.serve(app);
  return store;
}

/** The `oidc.providerUnreachable` events so far; none carries the client secret. */
function unreachableEvents() {
  expect(JSON.stringify(events)).not.toContain(CLIENT_SECRET);
  return events.filter((event) => event.type === 'oidc.providerUnreachable');
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
    expect(unreachableEvents()).toEqual([
      { type: 'oidc.providerUnreachable', time: expect.any(Date), scheme: null, actorId: null, ip: null, code: '502.1', provider: 'test', stage: 'discovery', reason: expect.stringMatching(/^[A-Za-z0-9_.-]+$/) },
    ]);
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
      expect(unreachableEvents()).toEqual([expect.objectContaining({ code: '502.1', provider: 'test', stage: 'tokenExchange', actorId: null })]);
    } finally {
      await provider.stop();
    }
  });

  it("should answer a back-channel logout with 502.1 when the provider's keys cannot be read, and report the stage 'jwks'", async () => {
    const provider = await providerFor([server]);
    try {
      await serveFor(provider.issuer);
      // The start reads the discovery document (kept); then the provider goes away.
      expect((await new Browser().visit(`${server.origin}/v1/oidc/test/start`)).status).toBe(302);
      const logoutToken = provider.signIdToken({ iss: provider.issuer, aud: 'gatehouse', sub: 'alice', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60, jti: 'j1', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } });
      await provider.stop();
      const answer = await request(server.origin).post('/v1/oidc/test/backchannel-logout').type('form').send({ logout_token: logoutToken });
      expect(answer.status).toBe(502);
      expect(answer.body.code).toBe('502.1');
      expect(unreachableEvents()).toEqual([expect.objectContaining({ code: '502.1', provider: 'test', stage: 'jwks' })]);
    } finally {
      await provider.stop();
    }
  });
});
