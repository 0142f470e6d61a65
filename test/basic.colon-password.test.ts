import request from 'supertest';
import { basicApp, basicHeader, passwordFixture } from './helpers/passwords';

async function appWithUser(login: string, password: string) {
  const fixture = await passwordFixture();
  const actor = await fixture.store.addUser({ login, password });
  const { app } = basicApp(fixture.passwordCheck, { trustProxy: true });
  const get = (header: string) => request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', header);
  return { ...fixture, actor, get };
}

describe('Basic credentials are split at the first colon and read as UTF-8', () => {
  it('should authorize a password that contains colons', async () => {
    const { actor, get } = await appWithUser('bob@example.org', 'bob:has:colons');
    const res = await get(basicHeader('bob@example.org', 'bob:has:colons'));
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(actor.id);
  });

  it('should authorize a password that is only colons and ends with one', async () => {
    const { get } = await appWithUser('carol', ':::');
    expect((await get(basicHeader('carol', ':::'))).status).toBe(200);
  });

  it('should not authorize when only the part before the second colon is sent', async () => {
    const { get } = await appWithUser('bob@example.org', 'bob:has:colons');
    const res = await get(basicHeader('bob@example.org', 'bob'));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });

  it('should authorize a non-ASCII password and login sent as UTF-8', async () => {
    const { actor, get } = await appWithUser('jürgen@example.de', 'pässwörd ✓ 密码');
    const res = await get(basicHeader('jürgen@example.de', 'pässwörd ✓ 密码'));
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(actor.id);
  });

  it('should treat the login case-insensitively, as normalised everywhere else', async () => {
    const { get } = await appWithUser('jürgen@example.de', 'pässwörd');
    expect((await get(basicHeader('  JÜRGEN@Example.DE ', 'pässwörd'))).status).toBe(200);
  });

  it('should not authorize the same password sent as Latin-1 (not valid UTF-8)', async () => {
    const { get } = await appWithUser('jurgen', 'pässwörd');
    const latin1 = Buffer.from('jurgen:pässwörd', 'latin1').toString('base64');
    const res = await get(`Basic ${latin1}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });
});
