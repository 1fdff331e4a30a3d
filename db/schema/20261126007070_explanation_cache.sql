-- migrate:up
-- Explanations already paid for. The key is a hash of the model and the
-- prompt, and the prompt carries the facts, so a change in the tenant's
-- numbers is a new key: an entry is never stale, only old, and expires_at
-- only bounds how long it is kept. Each entry names the audited request that
-- produced it.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.explanation_cache (
  tenant_id   uuid NOT NULL REFERENCES skeldir.tenants (id),
  cache_key   text NOT NULL CHECK (cache_key ~ '^[0-9a-f]{64}$'),
  entity_type text NOT NULL,
  entity_id   text NOT NULL,
  content     jsonb NOT NULL,
  request_id  uuid NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, cache_key),
  FOREIGN KEY (tenant_id, request_id) REFERENCES skeldir.llm_api_calls (tenant_id, request_id)
);

CREATE INDEX explanation_cache_expires_idx ON skeldir.explanation_cache (tenant_id, expires_at);

COMMENT ON TABLE skeldir.explanation_cache IS
  'Explanations by hash of model and prompt (facts included), with the audited request that produced them.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.explanation_cache;
