-- The actors with credentials from a session at an OpenID provider (oidc.providers): one row
-- per (issuer, sid, actor), kept until the longest-lived credential of that session may end.
-- A back-channel logout token that names the provider session (sid) without the subject finds
-- the actors here; expired rows go with sweepExpired.
CREATE TABLE IF NOT EXISTS gatehouse_provider_sessions (
  issuer      text   NOT NULL,
  sid         text   NOT NULL,
  actor_id    text   NOT NULL,
  expires_at  bigint NOT NULL,
  PRIMARY KEY (issuer, sid, actor_id)
);
CREATE INDEX IF NOT EXISTS gatehouse_provider_sessions_expires_at_idx ON gatehouse_provider_sessions (expires_at);
