import { onFirstUse } from '../src/on-first-use';

describe('onFirstUse', () => {
  it('makes nothing until asked, then makes the value once and keeps it', () => {
    const make = jest.fn(() => ({ made: true }));
    const value = onFirstUse(make);
    expect(make).not.toHaveBeenCalled();
    const first = value();
    expect(value()).toBe(first);
    expect(make).toHaveBeenCalledTimes(1);
  });

  it('keeps a falsy value as made (undefined included), not as missing', () => {
    const make = jest.fn(() => undefined);
    const value = onFirstUse(make);
    value();
    value();
    expect(make).toHaveBeenCalledTimes(1);
  });

  it('a failed make is tried again on the next ask (a package that failed to load is not remembered as loaded)', () => {
    let attempts = 0;
    const value = onFirstUse(() => {
      attempts += 1;
      if (attempts === 1) throw new Error('not yet');
      return attempts;
    });
    expect(() => value()).toThrow('not yet');
    expect(value()).toBe(2);
    expect(value()).toBe(2);
  });
});
