/**
 * Login normalisation: one login, one counter, one account, however it is typed.
 */

/** Trims and lower-cases a login (NFC first, so composed and decomposed forms agree). */
export function normalizeLogin(login: string): string {
  return login.normalize('NFC').trim().toLowerCase();
}
