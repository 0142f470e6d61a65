/**
 * What a strategy records about the credential it accepted, so that logout and audit events
 * can name exactly that credential. Kept apart from the strategies' shared code, since the
 * services below them (audit events) name it too.
 */

/** Where strategies put what logout needs to end exactly this credential; symbol-keyed so it never serialises. */
export const CREDENTIAL_REFERENCE = Symbol.for('gatehouse.credentialReference');

/** What a strategy records about the credential it accepted. */
export type CredentialReference =
  | { type: 'token'; hash: string; kind: string }
  | { type: 'jwt'; jti: string; expiresAt: number; familyId: string | null }
  | { type: 'cookie' }
  | { type: 'static' };
