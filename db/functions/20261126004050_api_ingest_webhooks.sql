-- migrate:up
-- Many deliveries in one transaction: what the daemon calls when requests
-- arrive together. Each delivery is decided exactly as api.ingest_webhook
-- decides it alone (it resolves its own tenant, so none inherits another's);
-- sharing the transaction shares its fixed cost (snapshot, locks, commit),
-- which on a busy server is most of the cost of a small delivery. Results come
-- back in input order.
--
-- Deliveries are decided in the order of their bodies' digests, not of their
-- arrival: two batches holding the same bodies then take their row locks in
-- the same order and cannot deadlock on them; the attribution recomputes
-- that new purchases ask for are asked for last, in (tenant, day) order, for
-- the same reason.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION api.ingest_webhooks(vendors text[], routes text[], headers jsonb[], bodies bytea[],
                                    request_ids uuid[], paypal_certificates_verified boolean[])
RETURNS TABLE (http_status integer, outcome text, response jsonb)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH decided AS MATERIALIZED (
    SELECT d.n, r.http_status, r.outcome, r.response, r.tenant_id, r.recompute_days
      FROM (SELECT * FROM unnest(vendors, routes, headers, bodies, request_ids, paypal_certificates_verified)
                            WITH ORDINALITY AS u(vendor, route, headers, body, request_id, verified, n)
             ORDER BY sha256(u.body), u.n) AS d
     CROSS JOIN LATERAL skeldir.ingest_delivery(d.vendor, d.route, d.headers, d.body, d.request_id, d.verified) AS r
  ),
  requested AS MATERIALIZED (
    SELECT skeldir.request_attribution_recompute(x.tenant_id, x.day)
      FROM (SELECT DISTINCT decided.tenant_id, day FROM decided, unnest(decided.recompute_days) AS day
             ORDER BY decided.tenant_id, day) AS x
  )
  -- The recomputes are asked for once every delivery is decided.
  SELECT decided.http_status, decided.outcome, decided.response FROM decided
   WHERE (SELECT count(*) FROM requested) IS NOT NULL
   ORDER BY decided.n;
END;
COMMENT ON FUNCTION api.ingest_webhooks(text[], text[], jsonb[], bytea[], uuid[], boolean[]) IS
  'api.ingest_webhook for several deliveries in one transaction; one result per delivery, in order.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.ingest_webhooks(text[], text[], jsonb[], bytea[], uuid[], boolean[]);
