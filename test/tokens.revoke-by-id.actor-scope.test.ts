/**
 * `tokens.revokeById(id, { actorId })` scopes the revocation to one actor. A key that is
 * present but empty (`{ actorId: req.user?.id }` on a request with no user) must not widen
 * the scope to "any actor": it is a mistake in the caller, refused with a coded error, and
 * nobody's credential ends.
 */
import { GatehouseConfigError, gatehouse, MemoryStore } from '../src';
import { ALICE_PASSWORD } from './helpers/app';

async function setup() {
  const store = new MemoryStore({ passwordCost: 10 });
  const alice = await store.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD });
  const auth = gatehouse({ store });
  const token = await auth.tokens.issue({ actorId: alice.id, kind: 'personal' });
  return { auth, token };
}

describe('tokens.revokeById with an actorId key that is present', () => {
  it.each([
    ['undefined', undefined],
    ['an empty string', ''],
    ['null', null],
  ])('should refuse actorId %s with GATEHOUSE_INVALID_OPTION and end nothing', async (_name, actorId) => {
    const { auth, token } = await setup();
    const attempt = auth.tokens.revokeById(token.id, { actorId: actorId as never });
    await expect(attempt).rejects.toBeInstanceOf(GatehouseConfigError);
    await expect(auth.tokens.revokeById(token.id, { actorId: actorId as never })).rejects.toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option: 'actorId' });
    expect(await auth.tokens.verify(token.token)).not.toBeNull();
  });

  it('should still revoke any actor\'s credential when the key is left out', async () => {
    const { auth, token } = await setup();
    expect(await auth.tokens.revokeById(token.id, {})).toBe(true);
    expect(await auth.tokens.verify(token.token)).toBeNull();
  });
});
