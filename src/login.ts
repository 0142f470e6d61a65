/**
 * Login normalisation: one login, one counter, one account, however it is typed.
 */

/** Trims and lower-cases a login (NFC first, so composed and decomposed forms agree). */
export function normalizeLogin(login: string): string {
  return login.normalize('NFC').trim().toLowerCase();
}

/**
 * True when `text` holds a C0 control character (U+0000–U+001F, NUL, tab and line breaks
 * among them) or DEL. No login or password a person types holds one; a NUL cannot be stored
 * or compared as text by PostgreSQL, and bcrypt stops reading a password at it. Login and
 * Basic refuse such input before any store call. One pass, no regular expression.
 *
 * @example
 * hasControlCharacter('alice\u0000') // → true
 */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
