/**
 * A logout token delivered to two instances at the same moment (by the provider, or a retrying
 * proxy) ends its credentials once and never a sign-in made since. Over one RedisStore or
 * PostgresStore, the same logout token is posted to instances A and B together; each request is
 * held right after its single-use check answered, so both checks ran before either request
 * acted on the token, and both found it unused (it is marked used only once its credentials
 * ended, so that a delivery the store failed is done by the provider's retry). One request goes
 * on and ends the provider session's credentials; later (by the instances' clock, past the
 * logout token's `iat` and the clock skew allowed) the same provider session signs in again;
 * only then does the other request go on. It is answered 200 and ends nothing: what it would
 * end is gone, and the sign-in made since is newer than the logout token, so it stays signed in
 * and the audit events tell of one ended set of credentials. A replay after that is answered
 * 200 on either instance and ends nothing new, not even a sign-in made within the skew.
 *
 * A host's own store without `markOneTimeUse` serves the endpoint too: there a logout token
 * replayed after it was acted on ends nothing new either.
 */
import { gatehouse, MemoryStore, type AuditEvent, type GatehouseStore } from '../src';
import { LOGOUT_TOKEN_CLOCK_SKEW } from '../src/oidc/logout-token';
import { hashSecret } from '../src/tokens/format';
import { useBackends, type BackendName, type bindAll } from './helpers/backends';
import { Browser, COOKIE_SECRET, instanceApp, JWT_SECRET, LOGOUT_EVENT, OIDC_SECRET, postLogoutToken, testProviderOn, useServersAndProvider, type TestServer } from './helpers/oidc';
import { runId } from './helpers/services';

const RACED_BACKENDS = ['RedisStore', 'PostgresStore'] as const satisfies readonly BackendName[];

type Server = TestServer;
type TokenMethods = ReturnType<typeof bindAll>;

/** Two servers per raced store and one for the store without `markOneTimeUse`, all known to the one shared.provider. */
const shared = useServersAndProvider({ ...Object.fromEntries(RACED_BACKENDS.map((name) => [name, 2])), withoutOneTimeUse: 1 });
const servers = shared.servers;

/** A logout token for `sid`, signed by the provider at `issuedAt` (ms, the instances' clock), with its own `jti`. */
function logoutTokenFor(sid: string, jti: string, issuedAt: number): string {
  const now = Math.floor(issuedAt / 1000);
  return shared.provider.signIdToken({ iss: shared.provider.issuer, aud: 'gatehouse', iat: now, exp: now + 120, jti, events: LOGOUT_EVENT, sid });
}


/**
 * Two instances, each over a store object of its own reaching one backend; `wrap` may replace
 * token-store methods of instance `index`. Their clock is the real one, moved forward by
 * `state.advance`.
 */
function instancesOver(
  backends: ReturnType<typeof useBackends>,
  backend: BackendName,
  instanceServers: () => Server[],
  wrap: (index: number) => (tokens: TokenMethods) => TokenMethods,
) {
  let ahead = 0;
  const state = {
    stores: [] as GatehouseStore[],
    origins: [] as string[],
    events: [] as AuditEvent[],
    aliceId: '',
    now: () => Date.now() + ahead,
    advance: (ms: number) => {
      ahead += ms;
    },
  };
  beforeAll(async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    state.aliceId = (await users.addUser({ login: 'alice@example.org' })).id;
    await users.linkIdentity({ issuer: shared.provider.issuer, subject: 'alice', actorId: state.aliceId, linkedAt: Date.now() });
    instanceServers().forEach((server, index) => {
      const store = backends.storeFor(backend, users, wrap(index));
      state.stores.push(store);
      state.origins.push(server.origin);
      const auth = gatehouse({
        store,
        now: state.now,
        cookie: { secret: COOKIE_SECRET, secure: false },
        jwt: { secret: JWT_SECRET },
        onEvent: (event) => {
          state.events.push(event);
        },
        oidc: {
          secret: OIDC_SECRET,
          providers: testProviderOn(shared.provider, server),
        },
      });
      server.serve(instanceApp(auth));
    });
  });
  return state;
}

/** The credentials one provider session hands out on the first instance: a cookie session, a session token and a JWT pair. */
interface SignedIn {
  cookie: string;
  token: string;
  access: string;
}

/** Signs alice in through the provider in `browser` (one provider session) three times on `origin`. */
async function signInThrice(browser: Browser, origin: string): Promise<SignedIn> {
  const callback = (credentials: string) => browser.signInAtProvider(`${origin}/v1/oidc/test/start?credentials=${credentials}`, 'alice', { callbackPrefix: `${origin}/v1/oidc/test/callback` });
  expect((await browser.visit(await callback('cookie'))).status).toBe(303);
  const cookie = `gatehouse=${browser.cookie(origin, 'gatehouse')}`;
  const { token } = JSON.parse((await browser.visit(await callback('token'))).body) as { token: string };
  const { access } = JSON.parse((await browser.visit(await callback('jwt'))).body) as { access: string };
  return { cookie, token, access };
}

/** The provider session (`sid`) a session token came from, as its stored record keeps it. */
async function sidOf(store: GatehouseStore, token: string): Promise<string> {
  const record = await store.findToken(hashSecret(token));
  const sid = (record?.data as { identityProvider?: { sid?: unknown } } | undefined)?.identityProvider?.sid;
  if (typeof sid !== 'string') throw new Error('the session token records no provider session');
  return sid;
}

/** `GET /v1/me` on every origin with each credential: the statuses, by credential. */
async function statuses(origins: string[], signedIn: SignedIn): Promise<Record<keyof SignedIn, number[]>> {
  const on = (headers: Record<string, string>) => Promise.all(origins.map(async (origin) => (await fetch(`${origin}/v1/me`, { headers })).status));
  return {
    cookie: await on({ cookie: signedIn.cookie }),
    token: await on({ authorization: `Bearer ${signedIn.token}` }),
    access: await on({ authorization: `Bearer ${signedIn.access}` }),
  };
}

/** The schemes of the `token.revoked` events of `actorId` among `events`, sorted. */
function revokedSchemes(events: AuditEvent[], actorId: string): Array<string | null> {
  return events
    .filter((event) => event.type === 'token.revoked' && event.actorId === actorId)
    .map((event) => event.scheme)
    .sort();
}

/** A request held just after its single-use check of the raced logout token answered. */
interface HeldCheck {
  /** The instance (0 or 1) that made the check. */
  instance: number;
  /** Whether the check found the token unused: the request will act on it. */
  unused: boolean;
  release(): void;
}

/**
 * The gate of the race: the single-use check of a logout token — `findRevocations` of its
 * used mark — naming the armed `jti` is held after it answered, until the test releases it;
 * `bothHeld` resolves once the checks of both instances are held.
 */
class SingleUseGate {
  private armed: { jti: string; held: HeldCheck[]; bothHeld: (held: HeldCheck[]) => void } | null = null;

  /** Holds the single-use checks of `jti` from now on; resolves once two are held. */
  arm(jti: string): Promise<HeldCheck[]> {
    return new Promise((bothHeld) => {
      this.armed = { jti, held: [], bothHeld };
    });
  }

  disarm(): void {
    this.armed = null;
  }

  /** A `wrap` for `storeFor` that passes instance `index`'s single-use checks through the gate. */
  wrapFor(index: number) {
    return (tokens: TokenMethods): TokenMethods => ({
      ...tokens,
      findRevocations: this.holding(index, tokens.findRevocations, (answer) => {
        const [usedAt] = answer as Array<number | null | undefined>;
        return usedAt === null || usedAt === undefined;
      }),
    });
  }

  private holding(instance: number, method: TokenMethods[string], foundUnused: (answer: unknown) => boolean): TokenMethods[string] {
    return async (...args) => {
      const answer = await method(...args);
      const armed = this.armed;
      if (armed && JSON.stringify(args).includes(armed.jti)) {
        await new Promise<void>((release) => {
          armed.held.push({ instance, unused: foundUnused(answer), release });
          if (armed.held.length === 2) armed.bothHeld([...armed.held]);
        });
      }
      return answer;
    };
  }
}

describe.each(RACED_BACKENDS)('one logout token posted to two instances over %s at the same moment', (backend) => {
  const backends = useBackends(`oidc-bcl-race-${backend}`);
  const gate = new SingleUseGate();
  const instances = instancesOver(backends, backend, () => servers[backend], (index) => gate.wrapFor(index));
  afterEach(() => gate.disarm());

  const LIVE = { cookie: [200, 200], token: [200, 200], access: [200, 200] };
  const ENDED = { cookie: [401, 401], token: [401, 401], access: [401, 401] };

  it('should end its credentials once: the other request answers 200 and ends nothing, not even a sign-in made since', async () => {
    const { origins, stores, events, aliceId } = instances;
    const browser = new Browser();
    const before = await signInThrice(browser, origins[0]);
    const sid = await sidOf(stores[0], before.token);
    const jti = `jti-${runId()}`;
    const logoutToken = logoutTokenFor(sid, jti, instances.now());
    const eventsBefore = events.length;

    const bothHeld = gate.arm(jti);
    const answers = [postLogoutToken(origins[0], logoutToken), postLogoutToken(origins[1], logoutToken)];
    const held = await bothHeld;
    expect(held.map((check) => check.instance).sort()).toEqual([0, 1]);

    // One request that found the token unused goes on alone and ends the provider session's credentials.
    const acting = held.find((check) => check.unused);
    if (!acting) throw new Error('neither request found the logout token unused');
    acting.release();
    expect((await answers[acting.instance]).status).toBe(200);
    expect(await statuses(origins, before)).toEqual(ENDED);
    expect(revokedSchemes(events.slice(eventsBefore), aliceId)).toEqual(['cookie', 'jwt', 'sessionToken']);

    // Later, the browser still signed in at the provider, the same provider session signs in again.
    instances.advance(LOGOUT_TOKEN_CLOCK_SKEW + 1000);
    const after = await signInThrice(browser, origins[0]);
    expect(await sidOf(stores[1], after.token)).toBe(sid);

    // Then the other request goes on: it found the token unused too, but finds nothing of before
    // the logout left to end.
    const other = held.find((check) => check !== acting)!;
    other.release();
    const otherAnswer = await answers[other.instance];
    expect(otherAnswer.status).toBe(200);
    expect(otherAnswer.headers.get('cache-control')).toBe('no-store');
    expect(await statuses(origins, after)).toEqual(LIVE);
    expect(revokedSchemes(events.slice(eventsBefore), aliceId)).toEqual(['cookie', 'jwt', 'sessionToken']);
  });

  it('should answer the same logout token replayed later with 200 on either instance and end nothing new', async () => {
    const { origins, stores, events, aliceId } = instances;
    const browser = new Browser();
    const before = await signInThrice(browser, origins[0]);
    const sid = await sidOf(stores[0], before.token);
    const logoutToken = logoutTokenFor(sid, `jti-${runId()}`, instances.now());
    expect((await postLogoutToken(origins[1], logoutToken)).status).toBe(200);
    expect(await statuses(origins, before)).toEqual(ENDED);

    const after = await signInThrice(browser, origins[0]);
    expect(await sidOf(stores[0], after.token)).toBe(sid);
    const eventsBefore = events.length;
    for (const origin of [origins[0], origins[1], origins[1]]) {
      const replayed = await postLogoutToken(origin, logoutToken);
      expect(replayed.status).toBe(200);
      expect(replayed.headers.get('cache-control')).toBe('no-store');
    }
    expect(await statuses(origins, after)).toEqual(LIVE);
    expect(revokedSchemes(events.slice(eventsBefore), aliceId)).toEqual([]);
  });
});

describe("a host's own store without markOneTimeUse", () => {
  const backends = useBackends('oidc-bcl-no-one-time-use');
  const instances = instancesOver(
    backends,
    'PostgresStore',
    () => servers.withoutOneTimeUse,
    () =>
      ({ markOneTimeUse: _markOneTimeUse, ...tokens }) =>
        tokens,
  );

  it('should still serve back-channel logout, and a logout token replayed later ends nothing new', async () => {
    const { origins, stores, events, aliceId } = instances;
    expect('markOneTimeUse' in stores[0]).toBe(false);
    const browser = new Browser();
    const before = await signInThrice(browser, origins[0]);
    const sid = await sidOf(stores[0], before.token);
    const logoutToken = logoutTokenFor(sid, `jti-${runId()}`, instances.now());
    const answer = await postLogoutToken(origins[0], logoutToken);
    expect(answer.status).toBe(200);
    expect(await statuses(origins, before)).toEqual({ cookie: [401], token: [401], access: [401] });

    const after = await signInThrice(browser, origins[0]);
    const eventsBefore = events.length;
    expect((await postLogoutToken(origins[0], logoutToken)).status).toBe(200);
    expect(await statuses(origins, after)).toEqual({ cookie: [200], token: [200], access: [200] });
    expect(revokedSchemes(events.slice(eventsBefore), aliceId)).toEqual([]);
  });
});
