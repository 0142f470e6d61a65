/**
 * A host's onEvent that throws or rejects never breaks a request; the first failure is
 * reported once as a process warning, so a broken logger is noticed but not fatal.
 */
import request from 'supertest';
import { gatehouse, MemoryStore } from '../src';
import { ALICE_PASSWORD } from './helpers/app';
import { eventApp } from './helpers/events';

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('a failing onEvent listener', () => {
  it.each([
    ['throws', () => { throw new Error('logger is down'); }],
    ['rejects', () => Promise.reject(new Error('logger is down'))],
  ])('should leave logins, refusals and logouts working when it %s, and warn once', async (_how, listener) => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const t = await eventApp({ onEvent: listener });
      const login = await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
      expect(login.status).toBe(200);
      expect((await request(t.app).get('/v1/projects').set('Authorization', 'Bearer gths_nope')).body.code).toBe('401.2');
      expect((await request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${login.body.token}`)).status).toBe(200);
      await flush();
      expect(warn.mock.calls).toEqual([[expect.stringContaining('logger is down'), { code: 'GATEHOUSE_ON_EVENT_FAILED' }]]);
    } finally {
      warn.mockRestore();
    }
  });

  it('should be refused at construction when it is not a function', () => {
    expect(() => gatehouse({ store: new MemoryStore(), onEvent: 'console' as never })).toThrow(/onEvent must be a function/);
  });
});
