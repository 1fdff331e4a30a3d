-- migrate:up
-- A budget optimization's amounts are bounded where the request enters
-- (issue: the database is the authority, item 5): a total_budget of 1e309
-- or 400 digits was accepted with 202 and then failed its job four times
-- converting to minor units. Budgets and channel limits are at most a
-- trillion in the currency's major units (a bigint of minor units holds
-- about 92 quadrillion), or the request is refused naming its field.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION api.start_budget_optimization(tenant uuid, total_budget numeric, optimization_goal text,
                                                         constraints jsonb, request_id uuid) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  most constant numeric := 1e12;
BEGIN
  IF total_budget > most THEN
    RAISE EXCEPTION 'total_budget must be at most %', most USING ERRCODE = 'invalid_parameter_value', COLUMN = 'total_budget';
  END IF;
  IF jsonb_typeof(constraints) = 'object' AND EXISTS (
       SELECT FROM jsonb_each(constraints) AS l
        CROSS JOIN LATERAL jsonb_each(CASE jsonb_typeof(l.value) WHEN 'object' THEN l.value ELSE '{}' END) AS k
        WHERE l.key IN ('channel_minimums', 'channel_maximums') AND jsonb_typeof(k.value) = 'number'
          AND k.value::text::numeric > most) THEN
    RAISE EXCEPTION 'channel minimums and maximums must be at most %', most
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'constraints';
  END IF;
  PERFORM skeldir.enter_tenant(tenant);
  RETURN skeldir.start_budget_optimization(total_budget, optimization_goal, coalesce(constraints, '{}'), '{}', request_id);
END
$$;

-- migrate:down
-- (api.start_budget_optimization keeps this body; 20261126009540 defines the one before.)
SELECT 1;
