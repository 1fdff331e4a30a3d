-- migrate:up
-- skeldir.webhook_urls reads the tenant's active URL tokens in statements of
-- their own and makes their URLs apart from the read (issue 16).
-- 20261204071000 left two statements that called skeldir.webhook_url on the
-- rows of skeldir.tenant_webhook_tokens, and an ARRAY(...) of a read naming
-- the tenant: on Citus the first are pushed to the workers, where
-- webhook_url does not exist (it reads the coordinator's token key,
-- skeldir.webhook_token_key), and the second failed there ('could not
-- determine data type of parameter $3'). Now one read gathers the tokens
-- into arrays, and the URLs are made from them on the node that holds the
-- key; admin.create_tenant then completes on the cluster (make test-citus,
-- a scratch copy of the migrations). Same answer, same order.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.webhook_urls() RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  covered skeldir.vendor[];
  vendors skeldir.vendor[];
  ids uuid[];
  made timestamptz[];
  prefixes text[];
BEGIN
  PERFORM skeldir.take_turns('webhook_tokens/' || tenant);
  -- A vendor without an active token gets one.
  SELECT coalesce(array_agg(DISTINCT t.vendor), '{}') INTO covered FROM skeldir.tenant_webhook_tokens AS t
   WHERE t.tenant_id = tenant AND t.revoked_at IS NULL;
  PERFORM skeldir.issue_webhook_token(v)
     FROM unnest(enum_range(NULL::skeldir.vendor)) AS v
    WHERE v <> ALL (covered);
  -- The active tokens, newest first per vendor; their URLs are made from
  -- the token key, apart from the read.
  SELECT array_agg(t.vendor ORDER BY t.vendor, t.created_at DESC, t.id),
         array_agg(t.id ORDER BY t.vendor, t.created_at DESC, t.id),
         array_agg(t.created_at ORDER BY t.vendor, t.created_at DESC, t.id),
         array_agg(t.prefix ORDER BY t.vendor, t.created_at DESC, t.id)
    INTO vendors, ids, made, prefixes
    FROM skeldir.tenant_webhook_tokens AS t WHERE t.tenant_id = tenant AND t.revoked_at IS NULL;
  RETURN (
    WITH token AS (
      SELECT x.vendor, x.id, x.created_at, x.prefix, x.n
        FROM unnest(vendors, ids, made, prefixes) WITH ORDINALITY AS x(vendor, id, created_at, prefix, n)
    )
    SELECT jsonb_build_object(
             'webhook_urls', (SELECT jsonb_object_agg(f.vendor, skeldir.webhook_url(f.vendor, f.id))
                                FROM (SELECT DISTINCT ON (k.vendor) k.vendor, k.id FROM token AS k
                                       ORDER BY k.vendor, k.n) AS f),
             'active_tokens', (SELECT jsonb_agg(jsonb_build_object('vendor', k.vendor, 'prefix', k.prefix,
                                                                   'created_at', k.created_at,
                                                                   'url', skeldir.webhook_url(k.vendor, k.id))
                                                ORDER BY k.n)
                                 FROM token AS k)));
END
$$;

-- migrate:down
-- (Forward only, README "Migrations": skeldir.webhook_urls keeps this body;
-- 20261204071000 defines the one before.)
SELECT 1;
