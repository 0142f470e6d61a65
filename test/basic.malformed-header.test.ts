import fc from 'fast-check';
import request from 'supertest';
import { decodeBasicCredentials } from '../src/schemes/basic/strategy';
import { ALICE_LOGIN, ALICE_PASSWORD, basicApp, basicHeader, passwordFixture, probeBcrypt } from './helpers/passwords';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('Malformed Basic credentials answer 401.2, never 500', () => {
  const cases: Array<[string, string | undefined]> = [
    ['no Authorization header', undefined],
    ['the keyword alone', 'Basic'],
    ['the keyword and a space', 'Basic '],
    ['another scheme', 'Digest username="alice"'],
    ['characters outside the base64 alphabet', 'Basic YWxp*2U6cGFzcw=='],
    ['base64url characters', `Basic ${b64('alice:p>>?').replace(/\+/g, '-').replace(/\//g, '_')}`],
    ['missing padding', `Basic ${b64('alice:pw').replace(/=+$/, '')}`],
    ['too much padding', `Basic ${b64('alice:pass')}==`],
    ['non-zero padding bits', 'Basic YWxpY2U6cGF='],
    ['two tokens', `Basic ${b64('alice:pw')} ${b64('x:y')}`],
    ['no colon', `Basic ${b64('alicepassword')}`],
    ['an empty login', `Basic ${b64(':password')}`],
    ['an empty password', `Basic ${b64('alice@example.org:')}`],
    ['a lone colon', `Basic ${b64(':')}`],
    ['invalid UTF-8', `Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString('base64')}`],
  ];

  it.each(cases)('should not authorize — %s', async (_name, header) => {
    const { passwordCheck } = await passwordFixture();
    const { app } = basicApp(passwordCheck, { trustProxy: true });
    const req = request(app).get('/me').set('X-Forwarded-Proto', 'https');
    const res = header === undefined ? await req : await req.set('Authorization', header);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: '401.2', detail: 'Could not authenticate with the provided credentials.' });
  });

  it('should not spend bcrypt work on a malformed header', async () => {
    const { passwordCheck } = await passwordFixture();
    const { app } = basicApp(passwordCheck, { trustProxy: true });
    const probe = probeBcrypt();
    try {
      await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', `Basic ${b64(':password')}`);
      expect(probe.compareCalls).toBe(0);
    } finally {
      probe.restore();
    }
  });

  it('should answer 401 for any Authorization value through passport’s own rendering', async () => {
    const { passwordCheck } = await passwordFixture({ lockout: false });
    const { app } = basicApp(passwordCheck, { trustProxy: true });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.string().map((s) => `Basic ${s}`), fc.base64String().map((s) => `Basic ${s}`)),
        async (value) => {
          // Values Node itself refuses to send as a header are not what this test is about.
          const header = value.replace(/[^\t\x20-\x7e]/g, '');
          const res = await request(app).get('/plain').set('X-Forwarded-Proto', 'https').set('Authorization', header);
          expect(res.status).toBe(401);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('should accept the keyword in any case and the right credentials', async () => {
    const { passwordCheck } = await passwordFixture();
    const { app } = basicApp(passwordCheck, { trustProxy: true });
    const header = basicHeader(ALICE_LOGIN, ALICE_PASSWORD).replace('Basic', 'bAsIc');
    const res = await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', header);
    expect(res.status).toBe(200);
  });
});

describe('decodeBasicCredentials', () => {
  it('should round-trip any login without a colon and any non-empty password', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => !s.includes(':')),
        fc.string({ unit: 'grapheme', minLength: 1 }),
        (login, password) => {
          expect(decodeBasicCredentials(b64(`${login}:${password}`))).toEqual({ login, password });
        },
      ),
    );
  });
});
