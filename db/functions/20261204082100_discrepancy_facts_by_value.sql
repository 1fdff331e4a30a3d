-- migrate:up
-- The last function that compared tenant_id with a call of
-- skeldir.current_tenant_id(), the reconciliation discrepancy's facts, reads
-- the tenant into a variable (issue 16): it converts money only after its
-- lookup, in PL/pgSQL, so its one query on the results runs on the tenant's
-- shard. tests/sql/distributable.sql now admits no exception.
SELECT skeldir.rewrite_function('skeldir.llm_reconciliation_discrepancy_facts(uuid)', old, new, 1)
  FROM (VALUES
    (E'DECLARE\n  x skeldir.reconciliation_results;',
     E'DECLARE\n  tenant_in_context uuid := skeldir.current_tenant_id();\n  x skeldir.reconciliation_results;'),
    ('WHERE r.tenant_id = (SELECT skeldir.current_tenant_id()) AND r.id = result_id',
     'WHERE r.tenant_id = tenant_in_context AND r.id = result_id')
  ) AS c(old, new);

-- migrate:down
-- (Forward only, README "Migrations".)
