import { passwordFixture, ALICE_LOGIN, ALICE_PASSWORD } from './helpers/passwords';

/**
 * What a verification-cache hit does not need (issue 20's instruction counts): the
 * client-gone signal (an AbortController and a 'close' listener) is asked for only when
 * bcrypt may run, so Basic creates it lazily; a miss still gets it, and an aborted one
 * still drops the check.
 */
describe('a verification-cache hit skips the client-gone signal', () => {
  function countingInput(signal: AbortSignal | undefined) {
    const reads = { count: 0 };
    const input = {
      login: ALICE_LOGIN,
      password: ALICE_PASSWORD,
      useCache: true,
      get signal() {
        reads.count += 1;
        return signal;
      },
    };
    return { input, reads };
  }

  it('reads the signal on a miss (bcrypt runs) and not on the hit that follows', async () => {
    const { passwordCheck } = await passwordFixture();
    const miss = countingInput(new AbortController().signal);
    await expect(passwordCheck.check(miss.input)).resolves.toMatchObject({ actor: { displayName: ALICE_LOGIN } });
    expect(miss.reads.count).toBe(1);
    const hit = countingInput(new AbortController().signal);
    await expect(passwordCheck.check(hit.input)).resolves.toMatchObject({ actor: { displayName: ALICE_LOGIN } });
    expect(hit.reads.count).toBe(0);
  });

  it('still drops a check whose client has gone when bcrypt would run', async () => {
    const { passwordCheck, cache } = await passwordFixture();
    const controller = new AbortController();
    controller.abort(new DOMException('gone', 'AbortError'));
    const { input } = countingInput(controller.signal);
    await expect(passwordCheck.check(input)).rejects.toMatchObject({ name: 'AbortError' });
    expect(cache.size).toBe(0);
  });
});
