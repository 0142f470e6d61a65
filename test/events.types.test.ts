/**
 * The public event types: one discriminated union a host can switch on exhaustively, with
 * each type's own fields reachable only after narrowing (checked by `npm run typecheck`).
 */
import { AUDIT_EVENT_TYPES, type AuditEvent, type AuditEventType } from '../src';

/** What a host's log line might say; the `never` default fails to compile if a type is left out. */
function summary(event: AuditEvent): string {
  switch (event.type) {
    case 'login.succeeded':
      return `${event.login} → ${event.actorId}`;
    case 'login.failed':
    case 'password.expired':
      return `${event.login} ${event.code}`;
    case 'password.changed':
      return `password of ${event.actorId} changed`;
    case 'password.changeRefused':
      return `password change of ${event.actorId ?? 'unknown'} refused ${event.code}`;
    case 'secondFactor.changed':
      return `${event.actorId} second factor ${event.change}`;
    case 'secondFactor.checked':
      return `${event.actorId ?? 'unknown'} ${event.passed ? `passed with ${event.factor}` : `failed ${event.code}`}`;
    case 'login.locked':
      return `${event.login} locked for ${event.lockoutTimeRemaining ?? '?'} s`;
    case 'token.issued':
      return `${event.kind} for ${event.actorId} until ${event.expiresAt?.toISOString() ?? 'revoked'}`;
    case 'token.revoked':
      return `${event.kind ?? 'credential'} of ${event.actorId ?? 'unknown'}`;
    case 'token.revokedAll':
      return `${event.count} of ${event.actorId}`;
    case 'apiKey.created':
      return `key ${event.keyId} of ${event.service ?? event.actorId} until ${event.expiresAt?.toISOString() ?? 'revoked'}`;
    case 'apiKey.updated':
      return `key ${event.keyId}: ${event.fields.join(', ')}`;
    case 'apiKey.rotated':
      return `key ${event.keyId} → ${event.newKeyId}, old until ${event.graceEndsAt.toISOString()}`;
    case 'apiKey.disabled':
    case 'apiKey.enabled':
      return `key ${event.keyId} of ${event.actorId}`;
    case 'apiKey.expired':
      return `key ${event.keyId} expired at ${event.expiresAt.toISOString()}`;
    case 'token.revokedOthers':
      return `${event.count} others of ${event.actorId}`;
    case 'lockout.cleared':
      return `${event.login} unlocked (${event.count})`;
    case 'credential.refused':
      return `${event.scheme ?? 'unknown scheme'} ${event.code}`;
    case 'limit.exceeded':
      return `${event.credentialId ?? 'key'} over ${event.limit} (${event.code}, cost ${event.cost})`;
    case 'reauthentication.succeeded':
      return `${event.actorId} proved again by ${event.amr.join('+')}`;
    case 'stepUp.refused':
      return `${event.actorId} needs max_age ${event.maxAge ?? '-'} acr ${event.acrValues?.join(' ') ?? '-'}`;
    case 'store.error':
      return String(event.error);
    case 'callback.error':
      return `${event.callback}: ${String(event.error)}`;
    case 'identity.unlinked':
      return `${event.actorId} unlinked ${event.subject} at ${event.provider} (${event.issuer})`;
    case 'oidc.providerUnreachable':
      return `${event.provider} failed at ${event.stage}: ${event.reason ?? 'unknown'}`;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

const base = { time: new Date(0), scheme: null, actorId: null, ip: null, code: null };

const samples: { [T in AuditEventType]: Extract<AuditEvent, { type: T }> } = {
  'login.succeeded': { ...base, type: 'login.succeeded', actorId: 'u1', login: 'alice' },
  'login.failed': { ...base, type: 'login.failed', code: '401.2', login: 'alice' },
  'login.locked': { ...base, type: 'login.locked', code: '403.2', login: 'alice', lockoutTimeRemaining: 60 },
  'password.expired': { ...base, type: 'password.expired', code: '403.3', login: 'alice' },
  'password.changed': { ...base, type: 'password.changed', actorId: 'u1' },
  'password.changeRefused': { ...base, type: 'password.changeRefused', code: '401.2' },
  'secondFactor.changed': { ...base, type: 'secondFactor.changed', actorId: 'u1', change: 'confirmed' },
  'secondFactor.checked': { ...base, type: 'secondFactor.checked', actorId: 'u1', code: null, passed: true, factor: 'recovery' },
  'token.issued': { ...base, type: 'token.issued', actorId: 'u1', kind: 'session', expiresAt: null },
  'token.revoked': { ...base, type: 'token.revoked', kind: 'session' },
  'token.revokedAll': { ...base, type: 'token.revokedAll', actorId: 'u1', count: 2 },
  'apiKey.created': { ...base, type: 'apiKey.created', scheme: 'apiKey', actorId: 'u1', keyId: 'k1', expiresAt: null, service: null },
  'apiKey.updated': { ...base, type: 'apiKey.updated', scheme: 'apiKey', actorId: 'u1', keyId: 'k1', fields: ['label'] },
  'apiKey.rotated': { ...base, type: 'apiKey.rotated', scheme: 'apiKey', actorId: 'u1', keyId: 'k1', newKeyId: 'k2', graceEndsAt: new Date(0) },
  'apiKey.disabled': { ...base, type: 'apiKey.disabled', scheme: 'apiKey', actorId: 'u1', keyId: 'k1' },
  'apiKey.enabled': { ...base, type: 'apiKey.enabled', scheme: 'apiKey', actorId: 'u1', keyId: 'k1' },
  'apiKey.expired': { ...base, type: 'apiKey.expired', scheme: 'apiKey', actorId: 'u1', keyId: 'k1', expiresAt: new Date(0) },
  'token.revokedOthers': { ...base, type: 'token.revokedOthers', actorId: 'u1', count: 3 },
  'lockout.cleared': { ...base, type: 'lockout.cleared', actorId: 'u1', login: 'alice', count: 5 },
  'credential.refused': { ...base, type: 'credential.refused', code: '401.2' },
  'limit.exceeded': { ...base, type: 'limit.exceeded', code: '429.1', limit: 'burst', credentialId: 'k1', cost: 1 },
  'reauthentication.succeeded': { ...base, type: 'reauthentication.succeeded', actorId: 'u1', amr: ['pwd'] },
  'stepUp.refused': { ...base, type: 'stepUp.refused', actorId: 'u1', code: '401.6', maxAge: 600, acrValues: null },
  'store.error': { ...base, type: 'store.error', code: '503.1', error: new Error('down') },
  'callback.error': { ...base, type: 'callback.error', callback: 'responses.error', code: '401.2', error: new Error('shaper bug') },
  'identity.unlinked': { ...base, type: 'identity.unlinked', actorId: 'u1', provider: 'test', issuer: 'https://login.example.org', subject: 's1' },
  'oidc.providerUnreachable': { ...base, type: 'oidc.providerUnreachable', code: '502.1', provider: 'test', stage: 'discovery', reason: 'ECONNREFUSED' },
};

describe('AuditEvent', () => {
  it('should give every listed type a shape a host can switch on', () => {
    expect(Object.keys(samples).sort()).toEqual([...AUDIT_EVENT_TYPES].sort());
    for (const type of AUDIT_EVENT_TYPES) expect(summary(samples[type])).toEqual(expect.any(String));
  });

  it('should keep each type’s fields behind its discriminant', () => {
    const event: AuditEvent = samples['credential.refused'];
    // @ts-expect-error `error` exists only on store.error events
    expect(event.error).toBeUndefined();
    // @ts-expect-error a failed login never names an actor
    const failed: AuditEvent = { ...base, type: 'login.failed', code: '401.2', login: 'a', actorId: 'u1' };
    expect(failed.type).toBe('login.failed');
  });
});
