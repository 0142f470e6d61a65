/**
 * Who a provider's identity signs in as: the actor it is linked to; a new identity only as
 * `onFirstSignIn` decides; an existing actor only after that actor proved itself (a link it
 * starts with its own credential, from this site) — never by e-mail alone, unless the host
 * trusts the provider's verified e-mail (`trustVerifiedEmail`).
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type Actor, type FirstSignIn, type OidcProviderOptions } from '../src';
import { Browser, CLIENT_SECRET, COOKIE_SECRET, startServerAndProvider, stopServerAndProvider, type ServerAndProvider } from './helpers/oidc';

let server: ServerAndProvider['server'];
let provider: ServerAndProvider['provider'];
let callbackPrefix: string;

beforeAll(async () => {
  ({ server, provider, callbackPrefix } = await startServerAndProvider());
});
afterAll(() => stopServerAndProvider({ server, provider, callbackPrefix }));

async function appWith(options: { onFirstSignIn?: (signIn: FirstSignIn) => Promise<Actor | null>; provider?: Partial<OidcProviderOptions> } = {}) {
  const store = new MemoryStore({ passwordCost: 10 });
  const bob = await store.addUser({ login: 'bob@example.org', password: 'correct horse battery' });
  const auth = gatehouse({
    store,
    cookie: { secret: COOKIE_SECRET, secure: false },
    oidc: {
      providers: { test: { issuer: provider.issuer, clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: callbackPrefix, ...options.provider } },
      ...(options.onFirstSignIn ? { onFirstSignIn: options.onFirstSignIn } : {}),
    },
  });
  const app = express();
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/me', auth.require(), (req, res) => res.json({ id: req.user!.id }));
  server.serve(app);
  return { store, bob, app };
}

/** Signs `sub` in through the provider in a new browser; resolves to the callback's answer and the browser. */
async function signIn(sub: string, headers: Record<string, string> = {}, query = '') {
  const browser = new Browser();
  const start = await browser.visit(`${server.origin}/v1/oidc/test/start${query}`, { headers });
  if (start.status !== 302) return { answer: start, browser };
  const callback = await browser.signInAtProvider(start.location!, sub, { callbackPrefix });
  return { answer: await browser.visit(callback), browser };
}

async function whoAmI(browser: Browser): Promise<string | null> {
  const me = await browser.visit(`${server.origin}/v1/me`);
  return me.status === 200 ? (JSON.parse(me.body) as { id: string }).id : null;
}

describe('an identity no actor is linked to', () => {
  it('should be refused with 403.1 without onFirstSignIn, and nothing linked', async () => {
    const { store } = await appWith();
    const { answer } = await signIn('newcomer');
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ code: '403.1' });
    expect(await store.findIdentity(provider.issuer, 'newcomer')).toBeNull();
  });

  it('should sign in as the actor onFirstSignIn provides, linked from then on (the hook asked once)', async () => {
    const calls: FirstSignIn[] = [];
    const { store } = await appWith({
      onFirstSignIn: async (signIn) => {
        calls.push(signIn);
        return store.addUser({ login: String(signIn.claims.email) });
      },
    });
    const first = await signIn('newcomer');
    expect(first.answer.status).toBe(303);
    const actorId = await whoAmI(first.browser);
    expect(calls).toEqual([expect.objectContaining({ provider: 'test', issuer: provider.issuer, subject: 'newcomer', claims: expect.objectContaining({ email: 'new@example.org' }) })]);
    expect(await store.findIdentity(provider.issuer, 'newcomer')).toMatchObject({ actorId });
    const again = await signIn('newcomer');
    expect(await whoAmI(again.browser)).toBe(actorId);
    expect(calls).toHaveLength(1);
  });

  it('should be refused with 403.1 when onFirstSignIn resolves to null', async () => {
    await appWith({ onFirstSignIn: async () => null });
    const { answer } = await signIn('newcomer');
    expect(JSON.parse(answer.body)).toMatchObject({ code: '403.1' });
  });
});

describe('an identity whose e-mail is an existing login', () => {
  it('should not sign in as that actor by e-mail alone (verified, but not trusted)', async () => {
    const { store } = await appWith();
    const { answer } = await signIn('bob');
    expect(JSON.parse(answer.body)).toMatchObject({ code: '403.1' });
    expect(await store.findIdentity(provider.issuer, 'bob')).toBeNull();
  });

  it('should link to that actor when the host trusts the provider and it says the e-mail is verified', async () => {
    const { bob, store } = await appWith({ provider: { trustVerifiedEmail: true } });
    const { browser } = await signIn('bob');
    expect(await whoAmI(browser)).toBe(bob.id);
    expect(await store.findIdentity(provider.issuer, 'bob')).toMatchObject({ actorId: bob.id });
  });

  it('should not link on an e-mail the provider has not verified, even when trusted', async () => {
    const { store } = await appWith({ provider: { trustVerifiedEmail: true } });
    const { answer } = await signIn('unverified');
    expect(JSON.parse(answer.body)).toMatchObject({ code: '403.1' });
    expect(await store.findIdentity(provider.issuer, 'unverified')).toBeNull();
  });
});

describe('linking by a signed-in actor (link=true)', () => {
  async function bobsToken(app: express.Express): Promise<string> {
    return (await request(app).post('/v1/sessions').send({ login: 'bob@example.org', password: 'correct horse battery' }).expect(200)).body.token as string;
  }

  it('should link the identity to the actor that proved itself with its own credential, from this site', async () => {
    const { app, bob, store } = await appWith();
    const token = await bobsToken(app);
    const { answer } = await signIn('newcomer', { authorization: `Bearer ${token}`, 'sec-fetch-site': 'same-origin' }, '?link=true');
    expect(answer.status).toBe(303);
    expect(await store.findIdentity(provider.issuer, 'newcomer')).toMatchObject({ actorId: bob.id });
    expect(await whoAmI((await signIn('newcomer')).browser)).toBe(bob.id);
  });

  it('should answer 401.1 to a link started without a credential', async () => {
    await appWith();
    const { answer } = await signIn('newcomer', { 'sec-fetch-site': 'same-origin' }, '?link=true');
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ code: '401.1' });
  });

  it('should answer 403.4 to a link started from another site', async () => {
    const { app } = await appWith();
    const token = await bobsToken(app);
    const { answer } = await signIn('newcomer', { authorization: `Bearer ${token}`, 'sec-fetch-site': 'cross-site' }, '?link=true');
    expect(JSON.parse(answer.body)).toMatchObject({ code: '403.4' });
  });

  it("should refuse with 403.1 to link an identity linked to another actor, and keep that link", async () => {
    const { app, store } = await appWith();
    const carol = await store.addUser({ login: 'carol@example.org' });
    await store.linkIdentity({ issuer: provider.issuer, subject: 'newcomer', actorId: carol.id, linkedAt: Date.now() });
    const token = await bobsToken(app);
    const { answer } = await signIn('newcomer', { authorization: `Bearer ${token}`, 'sec-fetch-site': 'same-origin' }, '?link=true');
    expect(JSON.parse(answer.body)).toMatchObject({ code: '403.1' });
    expect(await store.findIdentity(provider.issuer, 'newcomer')).toMatchObject({ actorId: carol.id });
  });

  it('should sign in as no one once the identity is unlinked', async () => {
    const { store, bob } = await appWith();
    await store.linkIdentity({ issuer: provider.issuer, subject: 'newcomer', actorId: bob.id, linkedAt: Date.now() });
    expect(await store.unlinkIdentity(provider.issuer, 'newcomer', 'someone-else')).toBe(false);
    expect(await store.unlinkIdentity(provider.issuer, 'newcomer', bob.id)).toBe(true);
    const { answer } = await signIn('newcomer');
    expect(JSON.parse(answer.body)).toMatchObject({ code: '403.1' });
  });
});
