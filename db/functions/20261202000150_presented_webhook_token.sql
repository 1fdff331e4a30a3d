-- migrate:up
-- The digest of the webhook URL token being presented, as set by
-- skeldir.resolve_webhook_tenant for the one query that finds it; the
-- presented_token policy on tenant_webhook_tokens reveals only the row it
-- names. Unset or malformed, it names nothing.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.presented_webhook_token_hash() RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE
  WHEN current_setting('app.presented_webhook_token_hash', true) ~ '^[0-9a-f]{64}$'
  THEN decode(current_setting('app.presented_webhook_token_hash', true), 'hex')
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.presented_webhook_token_hash();
