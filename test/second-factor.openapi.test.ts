/**
 * `auth.openapi()` with `secondFactor` on: the second step and the enrolment endpoints are
 * described at the configured paths, the logins list the 401.5 challenge with its
 * `challengeTicket`, and the document is valid OpenAPI 3.1. Without the option none of it shows.
 */
import { buildApp } from './helpers/app';
import { runEsmHelper } from './helpers/esm';
import { JWT_OPTIONS } from './helpers/jwt';

const validate = (document: unknown) => runEsmHelper<{ valid: boolean; error?: string }>('openapi-validate.mjs', document);
const SECOND_FACTOR = { encryptionKeys: ['a'.repeat(64)] };

type Operation = { operationId: string; responses: Record<string, { description: string }>; security: unknown[] };

describe('auth.openapi() with secondFactor', () => {
  it('describes the second step, enrolment, confirmation, disabling and recovery codes, and the 401.5 of both logins', async () => {
    const { auth } = await buildApp({ jwt: JWT_OPTIONS, secondFactor: SECOND_FACTOR });
    const fragment = auth.openapi({ mountPath: '/v1', paths: { secondFactor: '/mfa' } });
    const paths = fragment.paths as Record<string, Record<string, Operation>>;
    expect(paths['/v1/mfa/challenge'].post).toMatchObject({ operationId: 'gatehouseSecondFactorChallenge', security: [] });
    expect(paths['/v1/mfa/totp'].post.operationId).toBe('gatehouseTotpEnrol');
    expect(paths['/v1/mfa/totp'].delete.operationId).toBe('gatehouseTotpDisable');
    expect(paths['/v1/mfa/totp/confirm'].post.operationId).toBe('gatehouseTotpConfirm');
    expect(paths['/v1/mfa/recovery-codes'].post.operationId).toBe('gatehouseRecoveryCodes');
    expect(paths['/v1/mfa/totp'].post.security.length).toBeGreaterThan(0);
    for (const login of [paths['/v1/sessions'].post, paths['/v1/jwt/authenticate'].post]) {
      expect(login.responses['401'].description).toContain('401.5: A second factor is required.');
    }
    const problem = (fragment.components.schemas as Record<string, { properties: Record<string, unknown> }>).GatehouseProblem;
    expect(Object.keys(problem.properties)).toEqual(expect.arrayContaining(['challengeTicket', 'challengeExpiresAt', 'factors']));
    expect(await validate({ openapi: '3.1.0', info: { title: 'API', version: '1' }, ...fragment })).toMatchObject({ valid: true });
  });

  it('describes none of it without the option', async () => {
    const { auth } = await buildApp({ jwt: JWT_OPTIONS });
    const paths = auth.openapi().paths as Record<string, Record<string, Operation>>;
    expect(Object.keys(paths).some((path) => path.startsWith('/second-factor'))).toBe(false);
    expect(paths['/sessions'].post.responses['401'].description).not.toContain('401.5');
  });
});
