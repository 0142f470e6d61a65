-- Gatehouse tables for PostgresStore (express-gatehouse/postgres). Idempotent: safe to run again.
-- Names are unqualified, so they land in the first schema of the search_path;
-- migrate(pool, { schema }) sets that schema for you. All times are milliseconds since
-- the Unix epoch (bigint), as in the store interface.

-- Opaque tokens, stored under the SHA-256 hex of the token (never the token itself).
CREATE TABLE IF NOT EXISTS gatehouse_tokens (
  hash          text PRIMARY KEY,
  kind          text NOT NULL,
  actor_id      text,
  family_id     text,
  created_at    bigint NOT NULL,
  expires_at    bigint,
  last_used_at  bigint,
  used_at       bigint,
  label         text,
  roles         text[],
  data          jsonb
);
CREATE INDEX IF NOT EXISTS gatehouse_tokens_actor_id_idx ON gatehouse_tokens (actor_id);
CREATE INDEX IF NOT EXISTS gatehouse_tokens_family_id_idx ON gatehouse_tokens (family_id) WHERE family_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS gatehouse_tokens_expires_at_idx ON gatehouse_tokens (expires_at) WHERE expires_at IS NOT NULL;

-- Revocations of credentials that are not stored (JWT ids, per-actor "not before").
CREATE TABLE IF NOT EXISTS gatehouse_revocations (
  key         text PRIMARY KEY,
  revoked_at  bigint NOT NULL,
  expires_at  bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS gatehouse_revocations_expires_at_idx ON gatehouse_revocations (expires_at);

-- Failed-login counters, keyed by normalised login (or login and client IP).
CREATE TABLE IF NOT EXISTS gatehouse_attempts (
  key             text PRIMARY KEY,
  count           integer NOT NULL,
  window_ends_at  bigint NOT NULL,
  locked_until    bigint
);
