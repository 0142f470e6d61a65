-- Credential ids for auth.tokens.list and revokeById: a random, stable id per token record,
-- safe to show and log (it says nothing about the token). Records written before this
-- migration get one here; records saved without one get one from the column default.
-- 16 random bytes of a v4 UUID as 22 base64url characters, the shape Gatehouse issues.
ALTER TABLE gatehouse_tokens ADD COLUMN IF NOT EXISTS id text;
ALTER TABLE gatehouse_tokens
  ALTER COLUMN id SET DEFAULT translate(rtrim(encode(uuid_send(gen_random_uuid()), 'base64'), '='), '+/', '-_');
UPDATE gatehouse_tokens
  SET id = translate(rtrim(encode(uuid_send(gen_random_uuid()), 'base64'), '='), '+/', '-_')
  WHERE id IS NULL;
ALTER TABLE gatehouse_tokens ALTER COLUMN id SET NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS gatehouse_tokens_id_idx ON gatehouse_tokens (id);
-- Listing an actor's credentials uses gatehouse_tokens_actor_id_idx from 001.
