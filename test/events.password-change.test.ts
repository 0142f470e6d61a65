/**
 * The expired-password change is audited: `password.changed` when a ticket sets a new
 * password, `password.changeRefused` (with the code answered) when a ticket or the new
 * password is refused. Neither carries the ticket, a password or a hash.
 */
import request from 'supertest';
import { eventApp, type EventApp } from './helpers/events';

const OLD = 'carol old password';
const NEW = 'carol brand new password';
const CLIENT = '203.0.113.9';

async function carolTicket(): Promise<{ t: EventApp; carolId: string; ticket: string }> {
  const t = await eventApp({ passwordChange: {} });
  const carol = await t.store.addUser({ login: 'carol', password: OLD, passwordExpiresAt: 0 });
  const { changeTicket } = (await request(t.app).post('/v1/sessions').send({ login: 'carol', password: OLD })).body;
  t.events.length = 0;
  return { t, carolId: carol.id, ticket: changeTicket };
}

const changeWith = (t: EventApp, body: object) => request(t.app).post('/v1/sessions/password').set('X-Forwarded-For', CLIENT).send(body);

describe('password change events', () => {
  it('should report password.changed with the actor, then the revokeAll it causes', async () => {
    const { t, carolId, ticket } = await carolTicket();
    expect((await changeWith(t, { ticket, password: NEW })).status).toBe(200);
    expect(t.events.map((event) => event.type)).toEqual(['token.revokedAll', 'password.changed']);
    expect(t.ofType('password.changed')).toEqual([{ type: 'password.changed', time: new Date(t.clock.now()), scheme: null, actorId: carolId, ip: CLIENT, code: null }]);
  });

  it.each<[string, (ticket: string) => object, string, boolean]>([
    ['a forged ticket', () => ({ ticket: 'eyJsIjoiY2Fyb2wifQ.AAAA', password: NEW }), '401.2', false],
    ['a new password that is too short', (ticket) => ({ ticket, password: 'a' }), '400.1', true],
    ['the expired password again', (ticket) => ({ ticket, password: OLD }), '400.1', true],
  ])('should report password.changeRefused for %s', async (_what, body, code, actorKnown) => {
    const { t, carolId, ticket } = await carolTicket();
    const res = await changeWith(t, body(ticket));
    expect(res.body.code).toBe(code);
    expect(t.events).toEqual([{ type: 'password.changeRefused', time: new Date(t.clock.now()), scheme: null, actorId: actorKnown ? carolId : null, ip: CLIENT, code }]);
  });

  it('should report a used ticket and an expired one as refused, for the actor the signed ticket names', async () => {
    const { t, carolId, ticket } = await carolTicket();
    await changeWith(t, { ticket, password: NEW });
    t.events.length = 0;
    expect((await changeWith(t, { ticket, password: 'another new password' })).body.code).toBe('401.2');
    expect(t.events).toEqual([expect.objectContaining({ type: 'password.changeRefused', actorId: carolId, code: '401.2' })]);
  });
});
