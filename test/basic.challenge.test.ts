import request from 'supertest';
import { HttpsBasicStrategy } from '../src/schemes/basic/strategy';
import { basicApp, basicHeader, passwordFixture } from './helpers/passwords';

describe('The Basic challenge', () => {
  it('should not ask for a WWW-Authenticate challenge by default', async () => {
    const { passwordCheck } = await passwordFixture();
    const { app, strategy } = basicApp(passwordCheck, { trustProxy: true });
    expect(strategy.challenge).toBe(false);
    expect(strategy.name).toBe('basic');
    const res = await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader('alice', 'wrong'));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('should offer an escaped, UTF-8 challenge with challenge: true', async () => {
    const { passwordCheck } = await passwordFixture();
    const { app, strategy } = basicApp(passwordCheck, { trustProxy: true, strategy: { challenge: true, realm: 'Reports "Q3" \\ EU' } });
    expect(strategy.challengeHeader).toBe('Basic realm="Reports \\"Q3\\" \\\\ EU", charset="UTF-8"');
    const res = await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader('alice', 'wrong'));
    expect(res.headers['www-authenticate']).toBe(strategy.challengeHeader);
  });

  it.each([
    [{ realm: 'two\r\nlines' }, 'basic.realm must be a non-empty string without control characters'],
    [{ realm: '' }, 'basic.realm must be a non-empty string'],
    [{ challenge: 'yes' }, 'basic.challenge must be true or false; default false.'],
  ])('should refuse %p at construction', async (options, message) => {
    const { passwordCheck } = await passwordFixture();
    expect(() => new HttpsBasicStrategy({ passwordCheck, ...(options as object) })).toThrow(message);
  });

  it('should refuse to be built without a PasswordCheck', () => {
    expect(() => new HttpsBasicStrategy({} as never)).toThrow('HttpsBasicStrategy: pass { passwordCheck');
  });
});
