/**
 * Credential ids: the handle a host shows, logs and revokes a credential by
 * (`auth.tokens.list`, `revokeById`). Random, so an id says nothing about its token, and
 * no secret: knowing one lets nobody authenticate. 128 bits as 22 base64url characters —
 * a flat string of ~40 bytes, where `randomUUID()`'s strings each kept ~490 bytes of heap
 * in a store holding many sessions.
 */
import { randomBytes } from 'node:crypto';

/** A new random credential id (22 base64url characters). */
export function newCredentialId(): string {
  return randomBytes(16).toString('base64url');
}
