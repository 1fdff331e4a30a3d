-- migrate:up
-- The audit's rule for the dashboard's doors: no api function takes a
-- parameter naming a tenant or a user (tenant, tenant_id, user_id, users,
-- tenant_scope, ...), so the API role can never choose whose data a call
-- reads; each call names its tenant only through a credential it presents
-- (an access token, an API key or webhook URL token in the headers, a
-- refresh token, a password), which SQL turns into the tenant. One row per
-- api function; output columns do not count, since the caller does not
-- choose them. admin.audit reports these rows.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.audit_credentials()
RETURNS TABLE (area text, subject text, detail text, ok boolean)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT 'api_parameters', p.oid::regprocedure::text,
         coalesce('takes ' || string_agg(a.name, ', ' ORDER BY a.ord)
                    FILTER (WHERE a.name ~ '(^|_)(tenant|user)s?(_?(id|ids|scope))?$'),
                  'takes no tenant or user'),
         count(*) FILTER (WHERE a.name ~ '(^|_)(tenant|user)s?(_?(id|ids|scope))?$') = 0
    FROM pg_catalog.pg_proc AS p
    LEFT JOIN LATERAL unnest(p.proargnames, coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[coalesce(cardinality(p.proargnames), 0)])))
                      WITH ORDINALITY AS a(name, mode, ord) ON a.mode IN ('i', 'b', 'v')
   WHERE p.pronamespace = 'api'::regnamespace
   GROUP BY p.oid;
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.audit_credentials();
