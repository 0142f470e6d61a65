/**
 * Recovery codes (README, "Second factor"): ten distinct codes of 120 random bits, so their
 * SHA-256 hash is enough at rest (OWASP ASVS 5.0 V6.5.2); typed with any case, spaces or
 * dashes they hash alike; anything else cannot be one.
 */
import { newRecoveryCodes, normalizeRecoveryCode, recoveryCodeHash } from '../src/second-factor/recovery-codes';

describe('recovery codes', () => {
  it('are ten distinct codes of 24 base32 characters (120 bits), with their SHA-256 hashes and never the codes stored', () => {
    const { codes, hashes } = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^([a-km-np-z2-9]{4}-){5}[a-km-np-z2-9]{4}$/);
    expect(hashes).toEqual(codes.map(recoveryCodeHash));
    for (const hash of hashes) expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hash alike however they are typed, and nothing else normalises to one', () => {
    const [code] = newRecoveryCodes().codes;
    expect(recoveryCodeHash(` ${code.toUpperCase().replace(/-/g, ' ')} `)).toBe(recoveryCodeHash(code));
    expect(normalizeRecoveryCode('123456')).toBeNull();
    expect(normalizeRecoveryCode(`${code}x`)).toBeNull();
    expect(normalizeRecoveryCode(code.replace(/^./, 'l'))).toBeNull();
  });
});
