import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import request from 'supertest';
import { PasswordHasher } from '../src/passwords/hasher';
import { basicApp, basicHeader, passwordFixture } from './helpers/passwords';

const PASSWORD_72 = 'p'.repeat(72);
const PASSWORD_73 = `${PASSWORD_72}!`;
const pepper = randomBytes(32);

describe('Passwords over bcrypt’s 72 bytes are never silently truncated', () => {
  it('should refuse to hash a 73-byte password without prehash, naming the fix', async () => {
    const hasher = new PasswordHasher({ cost: 10 });
    await expect(hasher.hash(PASSWORD_73)).rejects.toThrow(RangeError);
    await expect(hasher.hash(PASSWORD_73)).rejects.toThrow(/73 bytes; bcrypt reads only 72.*passwords\.prehash/);
    await expect(hasher.hash(PASSWORD_72)).resolves.toMatch(/^\$2b\$10\$/);
  });

  it('should count bytes, not characters', async () => {
    const hasher = new PasswordHasher({ cost: 10 });
    await expect(hasher.hash('€'.repeat(24))).resolves.toMatch(/^\$2b\$/); // 72 bytes
    await expect(hasher.hash('€'.repeat(25))).rejects.toThrow(RangeError); // 75 bytes, 25 characters
  });

  it('should not verify a 73-byte password that bcrypt alone would accept', async () => {
    const hasher = new PasswordHasher({ cost: 10 });
    const hashOfFirst72 = await bcrypt.hash(PASSWORD_72, 10);
    expect(await bcrypt.compare(PASSWORD_73, hashOfFirst72)).toBe(true); // the trap
    await expect(hasher.verify(PASSWORD_73, hashOfFirst72)).resolves.toBe(false);
    await expect(hasher.verifyDummy(PASSWORD_73)).resolves.toBe(false);
  });

  it('should hash and check long passwords in full with prehash', async () => {
    const hasher = new PasswordHasher({ cost: 10, prehash: { pepper } });
    const long = 'correct horse battery staple '.repeat(10);
    const hash = await hasher.hash(long);
    await expect(hasher.verify(long, hash)).resolves.toBe(true);
    // Differs only after byte 72: bcrypt alone could not tell these apart.
    await expect(hasher.verify(`${long.slice(0, -1)}X`, hash)).resolves.toBe(false);
    const hash73 = await hasher.hash(PASSWORD_73);
    await expect(hasher.verify(PASSWORD_73, hash73)).resolves.toBe(true);
    await expect(hasher.verify(PASSWORD_72, hash73)).resolves.toBe(false);
  });

  it('should keep prehashed and plain hashes apart, and peppers apart', async () => {
    const plain = new PasswordHasher({ cost: 10 });
    const peppered = new PasswordHasher({ cost: 10, prehash: { pepper } });
    const otherPepper = new PasswordHasher({ cost: 10, prehash: { pepper: randomBytes(32) } });
    const plainHash = await plain.hash('short password');
    const pepperedHash = await peppered.hash('short password');
    await expect(peppered.verify('short password', plainHash)).resolves.toBe(false);
    await expect(plain.verify('short password', pepperedHash)).resolves.toBe(false);
    await expect(otherPepper.verify('short password', pepperedHash)).resolves.toBe(false);
    await expect(peppered.verify('short password', pepperedHash)).resolves.toBe(true);
  });

  it('should answer 401.2 to a Basic client sending a 73-byte password', async () => {
    const { passwordCheck, store } = await passwordFixture();
    await store.addUser({ login: 'dave', passwordHash: await bcrypt.hash(PASSWORD_72, 10) });
    const { app } = basicApp(passwordCheck, { trustProxy: true });
    const res = await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader('dave', PASSWORD_73));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });
});
