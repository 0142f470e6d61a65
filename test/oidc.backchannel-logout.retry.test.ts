/**
 * A back-channel logout the store failed is done by the provider's retry. Over RedisStore and
 * PostgresStore, two instances: the store fails while instance A ends the provider session's
 * credentials, so A answers 503.1 (fail closed) and the provider, told the logout failed, posts
 * the same logout token again (Back-Channel Logout 1.0 §2.8), to instance B. The retry is not
 * taken for a replay: it is answered 200 and every credential of that provider session — the
 * cookie session, the session token and the JWT pair — is refused on both instances, and gone
 * from the store. Only then is the token used: a replay after that ends nothing new.
 */
import { gatehouse, MemoryStore, type GatehouseStore } from '../src';
import { identityProviderSessionOf } from '../src/tokens/provider-sessions';
import { useBackends, type BackendName, type bindAll } from './helpers/backends';
import { Browser, instanceApp, instanceOptions, LOGOUT_EVENT, postLogoutToken, sidOfToken, signInThrice, statusesOn, useServersAndProvider, type SignedInThrice } from './helpers/oidc';
import { runId } from './helpers/services';

const RETRIED_BACKENDS = ['RedisStore', 'PostgresStore'] as const satisfies readonly BackendName[];
/** The token-store calls that end credentials (`TokenService.end`): one of them fails. */
const ENDING_METHODS = ['deleteToken', 'deleteTokenFamily'];

type TokenMethods = ReturnType<typeof bindAll>;

const shared = useServersAndProvider({ ...Object.fromEntries(RETRIED_BACKENDS.map((name) => [name, 2])) });
const servers = shared.servers;

/**
 * A store failure to come: once armed, the next call ending a credential on the instance it
 * wraps rejects (and ends nothing), as a store that went away mid-request would; later calls
 * go through.
 */
class FailingEnd {
  private armed = false;
  /** How many ending calls it failed. */
  failed = 0;

  arm(): void {
    this.armed = true;
  }

  /** A `wrap` for `storeFor`: the ending calls of the wrapped store pass through here. */
  wrap(tokens: TokenMethods): TokenMethods {
    const wrapped = { ...tokens };
    for (const method of ENDING_METHODS) {
      wrapped[method] = async (...args) => {
        if (this.armed) {
          this.armed = false;
          this.failed += 1;
          throw new Error('the store went away');
        }
        return tokens[method](...args);
      };
    }
    return wrapped;
  }
}

/** A logout token for `sid`, signed by the provider, with its own `jti`. */
function logoutTokenFor(sid: string): string {
  const now = Math.floor(Date.now() / 1000);
  return shared.provider.signIdToken({ iss: shared.provider.issuer, aud: 'gatehouse', iat: now, exp: now + 120, jti: `jti-${runId()}`, events: LOGOUT_EVENT, sid });
}


describe.each(RETRIED_BACKENDS)('a back-channel logout the store failed, retried by the provider, over %s', (backend) => {
  const backends = useBackends(`oidc-bcl-retry-${backend}`);
  const failing = new FailingEnd();
  let stores: GatehouseStore[];
  let origins: string[];
  let aliceId: string;

  beforeAll(async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    aliceId = (await users.addUser({ login: 'alice@example.org' })).id;
    await users.linkIdentity({ issuer: shared.provider.issuer, subject: 'alice', actorId: aliceId, linkedAt: Date.now() });
    // Instance A's store fails when armed; instance B's reaches the same backend unharmed.
    stores = [backends.storeFor(backend, users, (tokens) => failing.wrap(tokens)), backends.storeFor(backend, users)];
    origins = servers[backend].map((server) => server.origin);
    servers[backend].forEach((server, index) => {
      const auth = gatehouse(instanceOptions(stores[index], shared.provider, server));
      server.serve(instanceApp(auth));
    });
  });

  /** Signs alice in through the provider in `browser` (one provider session) three times on instance A. */
  const signInThriceOnA = (browser: Browser) => signInThrice(browser, origins[0]);

  const sidOf = (token: string) => sidOfToken(stores[1], token);

  /** The kinds of alice's stored credentials that record provider session `sid`, sorted. */
  async function storedKindsOf(sid: string): Promise<string[]> {
    const listed = await stores[1].listTokens!(aliceId);
    return listed
      .filter((record) => identityProviderSessionOf(record)?.sid === sid)
      .map((record) => record.kind)
      .sort();
  }

  /** `GET /v1/me` on both instances with each credential: the statuses, by credential. */
  const statuses = (signedIn: SignedInThrice) => statusesOn(origins, signedIn);

  const LIVE = { cookie: [200, 200], token: [200, 200], access: [200, 200] };
  const ENDED = { cookie: [401, 401], token: [401, 401], access: [401, 401] };

  it("should answer 503.1 when the store fails while ending the session's credentials, and end every one of them on the provider's retry", async () => {
    const browser = new Browser();
    const signedIn = await signInThriceOnA(browser);
    const other = await signInThriceOnA(new Browser());
    const sid = await sidOf(signedIn.token);
    expect(await storedKindsOf(sid)).toEqual(['cookie', 'refresh', 'session']);
    const logoutToken = logoutTokenFor(sid);

    failing.arm();
    const failed = await postLogoutToken(origins[0], logoutToken);
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ code: '503.1' });
    expect(failing.failed).toBe(1);

    // The provider was told the logout failed and delivers the same token again.
    const retried = await postLogoutToken(origins[1], logoutToken);
    expect(retried.status).toBe(200);
    expect(retried.headers.get('cache-control')).toBe('no-store');
    expect(await statuses(signedIn)).toEqual(ENDED);
    expect(await storedKindsOf(sid)).toEqual([]);
    expect(await statuses(other)).toEqual(LIVE);

    // Now the token is used: delivered again, it ends nothing, not even a sign-in made since
    // through the same provider session (the browser is still signed in at the provider).
    const after = await signInThriceOnA(browser);
    expect(await sidOf(after.token)).toBe(sid);
    const replayed = await postLogoutToken(origins[0], logoutToken);
    expect(replayed.status).toBe(200);
    expect(await statuses(after)).toEqual(LIVE);
  });

  it('should answer 503.1 when the store fails on the first credential, and the retry to the same instance ends them all', async () => {
    const signedIn = await signInThriceOnA(new Browser());
    const sid = await sidOf(signedIn.token);
    const logoutToken = logoutTokenFor(sid);
    const failedBefore = failing.failed;

    failing.arm();
    const failed = await postLogoutToken(origins[0], logoutToken);
    expect(failed.status).toBe(503);
    expect(failing.failed).toBe(failedBefore + 1);

    expect((await postLogoutToken(origins[0], logoutToken)).status).toBe(200);
    expect(await statuses(signedIn)).toEqual(ENDED);
    expect(await storedKindsOf(sid)).toEqual([]);
  });
});
