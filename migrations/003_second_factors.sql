-- Second factors (the secondFactor option): each actor's factors (a TOTP secret sealed with
-- AES-256-GCM by Gatehouse, never the plaintext), recovery codes as SHA-256 hashes, and the
-- used-code window that refuses a TOTP code or a challenge ticket the second time.
CREATE TABLE IF NOT EXISTS gatehouse_second_factors (
  actor_id      text NOT NULL,
  id            text NOT NULL,
  kind          text NOT NULL,
  secret        text NOT NULL,
  created_at    bigint NOT NULL,
  confirmed_at  bigint,
  PRIMARY KEY (actor_id, id)
);
CREATE TABLE IF NOT EXISTS gatehouse_recovery_codes (
  actor_id  text NOT NULL,
  hash      text NOT NULL,
  PRIMARY KEY (actor_id, hash)
);
CREATE TABLE IF NOT EXISTS gatehouse_one_time_uses (
  actor_id    text NOT NULL,
  key         text NOT NULL,
  expires_at  bigint NOT NULL,
  PRIMARY KEY (actor_id, key)
);
CREATE INDEX IF NOT EXISTS gatehouse_one_time_uses_expires_at_idx ON gatehouse_one_time_uses (expires_at);
