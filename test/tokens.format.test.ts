import { generateToken, hashSecret, parseTokenKind, TOKEN_KINDS } from '../src/tokens/format';

describe('opaque token format', () => {
  it('carries ≥ 256 bits of randomness, is URL-safe and names its kind', () => {
    for (const kind of TOKEN_KINDS) {
      const token = generateToken(kind);
      expect(token).toMatch(/^gth[a-z]_[A-Za-z0-9_-]{49}$/);
      expect(encodeURIComponent(token)).toBe(token);
      expect(parseTokenKind(token)).toBe(kind);
    }
    const tokens = new Set(Array.from({ length: 1000 }, () => generateToken('session')));
    expect(tokens.size).toBe(1000);
  });

  it('refuses a token whose checksum, length, prefix or kind letter is wrong, without a store', () => {
    const token = generateToken('session');
    const flipped = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
    expect(parseTokenKind(flipped)).toBeNull();
    expect(parseTokenKind(token.slice(0, -1))).toBeNull();
    expect(parseTokenKind(`x${token.slice(1)}`)).toBeNull();
    expect(parseTokenKind(`gthz_${token.slice(5)}`)).toBeNull();
    expect(parseTokenKind('')).toBeNull();
  });

  it('hashes secrets to hex SHA-256', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
