-- Identities at OpenID providers linked to actors (oidc.providers): one row per
-- (issuer, subject), pointing at the actor it signs in as. Looked up by the pair on every
-- sign-in and back-channel logout, listed by actor.
CREATE TABLE IF NOT EXISTS gatehouse_identities (
  issuer     text   NOT NULL,
  subject    text   NOT NULL,
  actor_id   text   NOT NULL,
  linked_at  bigint NOT NULL,
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX IF NOT EXISTS gatehouse_identities_actor_id_idx ON gatehouse_identities (actor_id);
