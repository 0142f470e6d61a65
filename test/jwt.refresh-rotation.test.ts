import request from 'supertest';
import { MemoryStore, type TokenRecord } from '../src';
import { ALICE_PASSWORD, buildApp } from './helpers/app';
import { JWT_OPTIONS } from './helpers/jwt';
import { realNow } from './helpers/clock';

type Tokens = { access: string; refresh: string; accessExpiresAt: string; refreshExpiresAt: string };

async function login(t: Awaited<ReturnType<typeof buildApp>>): Promise<Tokens> {
  const res = await request(t.app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
  expect(res.status).toBe(200);
  return res.body as Tokens;
}
/** No reuse interval: every second use of a refresh token counts as theft (see jwt.refresh-reuse-interval). */
const STRICT = { ...JWT_OPTIONS, refreshReuseInterval: 0 };
const refresh = (t: Awaited<ReturnType<typeof buildApp>>, token: unknown) => request(t.app).post('/v1/jwt/refresh').send({ refresh: token });
const projects = (t: Awaited<ReturnType<typeof buildApp>>, access: string) => request(t.app).get('/v1/projects').set('Authorization', `Bearer ${access}`);

/** A MemoryStore whose next save of a refresh token waits until the test lets it through. */
class GatedStore extends MemoryStore {
  gate: { entered: () => void; release: Promise<void> } | null = null;
  override async saveToken(record: TokenRecord): Promise<void> {
    const gate = this.gate;
    if (gate && record.kind === 'refresh') {
      this.gate = null;
      gate.entered();
      await gate.release;
    }
    return super.saveToken(record);
  }
}

describe('refresh-token rotation', () => {
  it('each refresh returns a new pair; the old refresh token is spent', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS });
    const first = await login(t);
    const second = (await refresh(t, first.refresh)).body as Tokens;
    expect(second.refresh).not.toBe(first.refresh);
    expect(second.access).not.toBe(first.access);
    expect((await projects(t, second.access)).status).toBe(200);
    const third = await refresh(t, second.refresh);
    expect(third.status).toBe(200);
    expect(third.headers['cache-control']).toBe('no-store');
  });

  it('re-using a spent refresh token ends the family: its refresh tokens and the access tokens bound to it', async () => {
    const t = await buildApp({ jwt: STRICT });
    const stolen = await login(t);
    const legitimate = (await refresh(t, stolen.refresh)).body as Tokens;
    const otherLogin = await login(t);
    expect((await projects(t, legitimate.access)).status).toBe(200);

    expect((await refresh(t, stolen.refresh)).body.code).toBe('401.2');
    expect((await refresh(t, legitimate.refresh)).body.code).toBe('401.2');
    expect((await projects(t, legitimate.access)).body.code).toBe('401.2');
    expect((await projects(t, stolen.access)).body.code).toBe('401.2');
    // Another login of the same user is another family, untouched.
    expect((await projects(t, otherLogin.access)).status).toBe(200);
    expect((await refresh(t, otherLogin.refresh)).status).toBe(200);
  });

  it('two concurrent rotations of one token: exactly one gets new tokens, and the reuse still ends the family', async () => {
    const t = await buildApp({ jwt: STRICT });
    const { refresh: token } = await login(t);
    const results = await Promise.all([refresh(t, token), refresh(t, token)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    const winner = results.find((r) => r.status === 200)!.body as Tokens;
    expect((await refresh(t, winner.refresh)).body.code).toBe('401.2');
    expect((await projects(t, winner.access)).body.code).toBe('401.2');
  });

  it('a successor saved after the family was deleted (a lost race) is refused on first use', async () => {
    const store = new GatedStore({ passwordCost: 10 });
    const t = await buildApp({ jwt: STRICT }, store);
    const { refresh: token } = await login(t);

    let entered!: () => void;
    let release!: () => void;
    const inSave = new Promise<void>((resolve) => (entered = resolve));
    store.gate = { entered, release: new Promise<void>((resolve) => (release = resolve)) };
    const slow = refresh(t, token).then((res) => res); // marks the token used, then waits inside saveToken
    await inSave;
    expect((await refresh(t, token)).body.code).toBe('401.2'); // reuse: the family is deleted now
    release();
    const late = (await slow).body as Tokens;
    expect(late.refresh).toBeDefined(); // its successor was saved after the deletion…
    expect((await refresh(t, late.refresh)).body.code).toBe('401.2'); // …and is refused all the same
    expect((await projects(t, late.access)).body.code).toBe('401.2');
  });

  it('an expired refresh token answers 401.4; an unknown one 401.2', async () => {
    let now = realNow();
    const t = await buildApp({ jwt: { ...JWT_OPTIONS, refreshTtl: 60_000 }, now: () => now });
    const { refresh: token } = await login(t);
    const unknown = token.slice(0, 5) + 'A'.repeat(43) + token.slice(-6);
    expect((await refresh(t, unknown)).body.code).toBe('401.2');
    now += 60_000;
    expect((await refresh(t, token)).body.code).toBe('401.4');
  });

  it('a malformed refresh token is refused without a store call', async () => {
    // The spies go on before gatehouse() takes the store's methods.
    const store = new MemoryStore({ passwordCost: 10 });
    const markTokenUsed = jest.spyOn(store, 'markTokenUsed');
    const findToken = jest.spyOn(store, 'findToken');
    const t = await buildApp({ jwt: JWT_OPTIONS }, store);
    const { refresh: token, access } = await login(t);
    for (const bad of [token.slice(0, -1), `${token.slice(0, -1)}x`, token.replace(/^gthr/, 'gths'), access, 'x']) {
      const res = await refresh(t, bad);
      expect([res.status, res.body.code]).toEqual([401, '401.2']);
    }
    expect(markTokenUsed).not.toHaveBeenCalled();
    expect(findToken).not.toHaveBeenCalled();
    expect((await refresh(t, token)).status).toBe(200);
    expect(markTokenUsed).toHaveBeenCalledTimes(1);
  });

  it('a refresh token is not an access token, nor an opaque session token', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS });
    const { refresh: token } = await login(t);
    expect((await projects(t, token)).body.code).toBe('401.2');
    expect((await request(t.app).post('/v1/jwt/verify').send({ token })).body.code).toBe('401.2');
  });

  it('a refresh for a user removed since answers 401.2 and ends the family', async () => {
    const t = await buildApp({ jwt: JWT_OPTIONS });
    const tokens = await login(t);
    await t.store.removeUser(t.alice.id);
    expect((await refresh(t, tokens.refresh)).body.code).toBe('401.2');
  });
});
