-- migrate:up
-- Exports count each sale once: their rows are the revenue of record
-- (skeldir.revenue_of_record), so summing net_amount per currency gives the
-- revenue the dashboards show. A processor's booking of a sale its shop
-- reported is not a row here; reconciliation compares the two sides.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION api.revenue_export(tenant uuid, from_day date, to_day date, channels text[] DEFAULT NULL)
RETURNS TABLE (ledger_id uuid, day date, occurred_at timestamptz, order_id text, vendor text, transaction_id text,
               state text, currency text, amount_minor bigint, amount text, net_amount text, channel text,
               event_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  stray text;
BEGIN
  PERFORM skeldir.valid_day_range(from_day, to_day);
  SELECT c INTO stray
    FROM unnest(channels) AS c
   WHERE NOT EXISTS (SELECT FROM skeldir.channel_taxonomy AS t WHERE t.code = c)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'unknown channel %', coalesce(quote_literal(stray), '(null)')
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'channels';
  END IF;

  -- The ledger is confined by forced RLS even for its owner (the view
  -- reads it as the caller).
  PERFORM set_config('app.current_tenant_id', tenant::text, true);
  RETURN QUERY
    SELECT l.id, (l.occurred_at AT TIME ZONE 'UTC')::date, l.occurred_at, l.order_id, l.vendor::text,
           l.transaction_id, l.state::text, l.currency, l.amount_cents,
           round(l.amount_cents / power(10::numeric, x.exponent), x.exponent)::text,
           round(CASE WHEN l.state = 'captured' THEN l.amount_cents ELSE -l.amount_cents END
                 / power(10::numeric, x.exponent), x.exponent)::text,
           e.channel, l.event_id
      FROM skeldir.revenue_of_record AS l
      JOIN skeldir.currencies AS x ON x.code = l.currency
      JOIN skeldir.attribution_events AS e ON e.tenant_id = l.tenant_id AND e.id = l.event_id
     WHERE l.tenant_id = tenant
       AND l.occurred_at >= from_day::timestamp AT TIME ZONE 'UTC'
       AND l.occurred_at < (to_day + 1)::timestamp AT TIME ZONE 'UTC'
       AND (coalesce(cardinality(channels), 0) = 0 OR e.channel = ANY (channels))
     ORDER BY l.occurred_at, l.id;
  PERFORM set_config('app.current_tenant_id', coalesce(saved, ''), true);
END
$$;

-- migrate:down
-- (api.revenue_export keeps this body; 20261126009300 defines the one before.)
SELECT 1;
