-- migrate:up
-- A tenant's webhook secrets and URL tokens are read and written naming the
-- tenant (tenant_id = the context's tenant, with row-level security still
-- the guard), in statements that stand alone, and existence is asked with
-- SELECT 1 (issue 16: queries name their tenant). These two run for every
-- new tenant (admin.create_tenant), and on Citus they stopped it: a
-- statement on a distributed table that does not name the tenant is
-- planned over every shard, and the subquery that asked whether slot 1 was
-- taken, a SELECT of no columns, cannot be planned apart ('a column
-- definition list is required for functions returning "record"',
-- citusdata/citus#5094; make test-citus). On PostgreSQL the statements use
-- the tables' tenant-led indexes as before. Same answers, same turns.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.install_webhook_secret(vendor skeldir.vendor, secret text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
  chosen text := coalesce(secret, 'whsec_' || encode(extensions.gen_random_bytes(32), 'hex'));
  tenant uuid := skeldir.current_tenant_id();
  active uuid[];
  slot_one_taken boolean;
BEGIN
  -- Rotations of one tenant and vendor take turns.
  PERFORM skeldir.take_turns('webhook_secret/' || tenant || '/' || vendor);

  -- The active secrets, oldest first: with two, the oldest is revoked.
  active := ARRAY(SELECT o.id FROM skeldir.tenant_webhook_secrets AS o
                   WHERE o.tenant_id = tenant AND o.vendor = install_webhook_secret.vendor AND o.revoked_at IS NULL
                   ORDER BY o.created_at, o.slot);
  IF cardinality(active) = 2 THEN
    UPDATE skeldir.tenant_webhook_secrets AS s
       SET revoked_at = now()
     WHERE s.tenant_id = tenant AND s.id = active[1];
  END IF;

  slot_one_taken := EXISTS (SELECT 1 FROM skeldir.tenant_webhook_secrets AS a
                             WHERE a.tenant_id = tenant AND a.vendor = install_webhook_secret.vendor
                               AND a.revoked_at IS NULL AND a.slot = 1);
  INSERT INTO skeldir.tenant_webhook_secrets (tenant_id, vendor, secret, slot)
  VALUES (tenant, install_webhook_secret.vendor, chosen, CASE WHEN slot_one_taken THEN 2 ELSE 1 END);
  RETURN chosen;
END
$$;

CREATE OR REPLACE FUNCTION skeldir.webhook_urls() RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  covered skeldir.vendor[];
  newest jsonb;
  active jsonb;
BEGIN
  PERFORM skeldir.take_turns('webhook_tokens/' || tenant);
  -- A vendor without an active token gets one.
  covered := ARRAY(SELECT DISTINCT t.vendor FROM skeldir.tenant_webhook_tokens AS t
                    WHERE t.tenant_id = tenant AND t.revoked_at IS NULL);
  PERFORM skeldir.issue_webhook_token(v)
     FROM unnest(enum_range(NULL::skeldir.vendor)) AS v
    WHERE v <> ALL (covered);
  SELECT jsonb_object_agg(u.vendor, u.url) INTO newest
    FROM (SELECT DISTINCT ON (t.vendor) t.vendor, skeldir.webhook_url(t.vendor, t.id) AS url
            FROM skeldir.tenant_webhook_tokens AS t WHERE t.tenant_id = tenant AND t.revoked_at IS NULL
           ORDER BY t.vendor, t.created_at DESC, t.id) AS u;
  SELECT jsonb_agg(jsonb_build_object('vendor', t.vendor, 'prefix', t.prefix, 'created_at', t.created_at,
                                      'url', skeldir.webhook_url(t.vendor, t.id))
                   ORDER BY t.vendor, t.created_at DESC, t.id) INTO active
    FROM skeldir.tenant_webhook_tokens AS t WHERE t.tenant_id = tenant AND t.revoked_at IS NULL;
  RETURN jsonb_build_object('webhook_urls', newest, 'active_tokens', active);
END
$$;

-- migrate:down
-- (Forward only, README "Migrations": these functions keep these bodies;
-- 20261204000300 defines the ones before.)
SELECT 1;
