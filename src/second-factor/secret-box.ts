/**
 * TOTP secrets sealed at rest with AES-256-GCM (README, "Second factor"): each sealed value
 * names the key that sealed it (a short digest of the key, never the key), so any key of
 * `secondFactor.encryptionKeys` opens what it sealed and the first seals what is new (key
 * rotation). The actor and factor are the additional data, so a sealed secret copied onto
 * another actor's row does not open.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** The version prefix of a sealed value. */
const VERSION = 'v1';

/** Seals and opens factor secrets. */
export class SecretBox {
  private readonly keys: ReadonlyArray<{ id: string; key: Buffer }>;

  /** @param keys - 32 bytes each; the first seals. */
  constructor(keys: readonly Buffer[]) {
    this.keys = keys.map((key) => ({ id: createHash('sha256').update('gatehouse key id\n').update(key).digest('base64url').slice(0, 8), key }));
  }

  /** `plaintext` sealed under the first key, bound to `context` (actor and factor). */
  seal(plaintext: string, context: string): string {
    const { id, key } = this.keys[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, id, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** The plaintext of a value {@link seal} made with any of the keys, or `null` (unknown key, altered, another context). */
  open(sealed: string, context: string): string | null {
    const [version, id, iv, ciphertext, tag, extra] = sealed.split('.');
    if (version !== VERSION || extra !== undefined || !iv || !ciphertext || !tag) return null;
    const entry = this.keys.find((candidate) => candidate.id === id);
    if (!entry) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }

  /** Whether `sealed` was sealed with the current (first) key. */
  isCurrent(sealed: string): boolean {
    return sealed.split('.')[1] === this.keys[0].id;
  }
}
