/**
 * bcrypt reads at most 72 bytes of a password and silently ignores the rest, so two
 * passwords that share their first 72 bytes would both verify. Gatehouse never lets
 * that happen unnoticed: hashing refuses such input and verifying it fails, unless a
 * prehash (HMAC-SHA-256 with a pepper) first turns every password into 44 bytes.
 */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;

/** True when bcrypt would see the whole password. */
export function fitsBcrypt(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') <= BCRYPT_MAX_PASSWORD_BYTES;
}

/** Throws a `RangeError` naming the limit and the fix when bcrypt would truncate the password. */
export function assertFitsBcrypt(password: string): void {
  if (!fitsBcrypt(password)) {
    throw new RangeError(
      `password is ${Buffer.byteLength(password, 'utf8')} bytes; bcrypt reads only ${BCRYPT_MAX_PASSWORD_BYTES}. ` +
        'Use a shorter password or turn on passwords.prehash.',
    );
  }
}
