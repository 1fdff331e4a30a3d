-- migrate:up
-- The channel attribution dashboard reads the tenant's ad spend in a query
-- of its own before it assembles the channels (issue 16): its spend was a
-- subquery of ad_spend correlated with each channel group, which Citus
-- refuses on a distributed table ('correlated subqueries are not supported
-- when the FROM clause contains a CTE or subquery': GET
-- /api/attribution/channels failed on the cluster). The spend of the range
-- is summed per channel and currency on the tenant's shard (naming the
-- tenant), and each channel group adds up its channels' sums: the same
-- numbers, NULL when a group has no spend, as before.
SELECT skeldir.rewrite_function('skeldir.channel_attribution_for(uuid, date, date, text, text)', old, new, 1)
  FROM (VALUES
    (E'  currencies jsonb;\nBEGIN', E'  currencies jsonb;\n  spend jsonb;\nBEGIN'),
    (E'  PERFORM skeldir.enter_tenant(tenant);  -- ad spend is read under RLS\n',
     E'  PERFORM skeldir.enter_tenant(tenant);  -- ad spend is read under RLS\n'
     '  SELECT coalesce(jsonb_object_agg(s.channel || '' '' || s.currency, s.cents), ''{}'') INTO spend\n'
     '    FROM (SELECT s.channel, s.currency, sum(s.amount_cents)::bigint AS cents\n'
     '            FROM skeldir.ad_spend AS s\n'
     '           WHERE s.tenant_id = tenant AND s.day BETWEEN from_day AND to_day\n'
     '           GROUP BY s.channel, s.currency) AS s;\n'),
    (E'(SELECT sum(s.amount_cents)::bigint FROM skeldir.ad_spend AS s\n'
     '                        WHERE s.channel = ANY (p.codes) AND s.currency = p.currency\n'
     '                          AND s.day BETWEEN from_day AND to_day) AS spend_cents',
     E'(SELECT sum((spend ->> (code || '' '' || p.currency))::bigint)\n'
     '                        FROM unnest(p.codes) AS code) AS spend_cents')
  ) AS c(old, new);

-- migrate:down
-- (Forward only, README "Migrations".)
