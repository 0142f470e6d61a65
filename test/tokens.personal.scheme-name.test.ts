/**
 * Personal tokens travel as `Authorization: Bearer`, like session tokens: their scheme is
 * `sessionToken` (a public scheme id, DESIGN §1–2, which `require({ schemes })` and `precedence`
 * name), and what tells them apart is `tokenKind: 'personal'` in `req.authInfo` and `kind` in the
 * audit events (README, "Personal tokens").
 */
import request from 'supertest';
import type { AuditEvent } from '../src';
import { buildApp } from './helpers/app';

describe('a personal token reports its kind', () => {
  it("in req.authInfo as { scheme: 'sessionToken', tokenKind: 'personal' }, and in its events as kind 'personal'", async () => {
    const events: AuditEvent[] = [];
    const t = await buildApp({ onEvent: (event) => void events.push(event) });
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal', label: 'CI deploy' });
    const res = await request(t.app).get('/v1/header-only').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.authInfo).toEqual({ scheme: 'sessionToken', tokenKind: 'personal' });
    await t.auth.tokens.revoke(token);
    expect(events.filter((event) => event.type === 'token.issued' || event.type === 'token.revoked').map((event) => [event.type, event.scheme, 'kind' in event ? event.kind : null])).toEqual([
      ['token.issued', 'sessionToken', 'personal'],
      ['token.revoked', 'sessionToken', 'personal'],
    ]);
  });

  it("a login's session token reads tokenKind 'session' on the same scheme", async () => {
    const t = await buildApp();
    const login = await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org', password: 'correct horse battery' });
    const res = await request(t.app).get('/v1/header-only').set('Authorization', `Bearer ${login.body.token}`);
    expect(res.body.authInfo).toMatchObject({ scheme: 'sessionToken', tokenKind: 'session' });
  });
});
