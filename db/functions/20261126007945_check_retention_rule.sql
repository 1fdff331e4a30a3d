-- migrate:up
-- A retention rule is checked against the catalog when it is written, so a
-- mistake is a clear error for the operator (22023) rather than a failing
-- daily job, and no rule can ever reach the books or the tenants themselves.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.check_retention_rule() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  status_type text;
BEGIN
  IF NEW.table_name = 'skeldir.tenants'::regclass
     OR NEW.table_name NOT IN (SELECT t FROM skeldir.tenant_tables() AS t) THEN
    RAISE EXCEPTION 'retention rule %: % is not a tenant table', NEW.name, NEW.table_name
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF (SELECT c.relkind FROM pg_catalog.pg_class AS c WHERE c.oid = NEW.table_name) <> 'r' THEN
    RAISE EXCEPTION 'retention rule %: % is partitioned; rule its partitions instead', NEW.name, NEW.table_name
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF EXISTS (SELECT FROM pg_catalog.pg_trigger AS g
              WHERE g.tgrelid = NEW.table_name AND g.tgfoid = 'skeldir.forbid_change()'::regprocedure) THEN
    RAISE EXCEPTION 'retention rule %: % is append-only (the books) and is never pruned', NEW.name, NEW.table_name
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
                  WHERE a.attrelid = NEW.table_name AND a.attname = NEW.age_column AND a.attnum > 0
                    AND NOT a.attisdropped
                    AND a.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype)) THEN
    RAISE EXCEPTION 'retention rule %: % has no timestamp or date column %', NEW.name, NEW.table_name, NEW.age_column
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NEW.status_column IS NOT NULL THEN
    SELECT pg_catalog.format_type(a.atttypid, NULL) INTO status_type
      FROM pg_catalog.pg_attribute AS a
     WHERE a.attrelid = NEW.table_name AND a.attname = NEW.status_column AND a.attnum > 0 AND NOT a.attisdropped;
    IF status_type IS NULL THEN
      RAISE EXCEPTION 'retention rule %: % has no column %', NEW.name, NEW.table_name, NEW.status_column
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- A misspelt status would silently match nothing: each must be a value
    -- of the column's type.
    BEGIN
      EXECUTE pg_catalog.format('SELECT $1::%s[]', status_type) USING NEW.statuses::text;
    EXCEPTION WHEN data_exception THEN
      RAISE EXCEPTION 'retention rule %: % are not all values of %.%', NEW.name, NEW.statuses, NEW.table_name, NEW.status_column
        USING ERRCODE = 'invalid_parameter_value';
    END;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER check_retention_rule BEFORE INSERT OR UPDATE ON skeldir.retention_rules
  FOR EACH ROW EXECUTE FUNCTION skeldir.check_retention_rule();

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TRIGGER check_retention_rule ON skeldir.retention_rules;
DROP FUNCTION skeldir.check_retention_rule();
