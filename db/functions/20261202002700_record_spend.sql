-- migrate:up
-- Recording ad spend for the tenant in context: every row is checked before
-- any is stored, so a report with one bad row stores nothing and the error
-- names the row and field (rows[3].amount). Amounts are decimal strings or
-- numbers in major units, exact to the currency's minor unit.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.record_spend(rows jsonb) RETURNS integer
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  r jsonb;
  i integer := 0;
  field text;
  checked jsonb := '[]';
  row_day date;
  cents bigint;
  stored integer;
BEGIN
  IF jsonb_typeof(rows) IS DISTINCT FROM 'array' OR jsonb_array_length(rows) = 0 THEN
    RAISE EXCEPTION 'rows must be a non-empty array' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'rows';
  END IF;
  IF jsonb_array_length(rows) > 10000 THEN
    RAISE EXCEPTION 'at most 10000 rows per report' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'rows';
  END IF;
  FOR r IN SELECT e FROM jsonb_array_elements(rows) AS e LOOP
    field := format('rows[%s]', i);
    IF jsonb_typeof(r) IS DISTINCT FROM 'object' THEN
      RAISE EXCEPTION '% must be an object', field USING ERRCODE = 'invalid_parameter_value', COLUMN = field;
    END IF;
    field := format('rows[%s].date', i);
    BEGIN
      IF coalesce(r ->> 'date', '') !~ '^\d{4}-\d{2}-\d{2}$' THEN
        RAISE invalid_datetime_format;
      END IF;
      row_day := (r ->> 'date')::date;
    EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
      RAISE EXCEPTION '% must be a date (YYYY-MM-DD)', field USING ERRCODE = 'invalid_parameter_value', COLUMN = field;
    END;
    field := format('rows[%s].channel', i);
    IF NOT EXISTS (SELECT FROM skeldir.channel_taxonomy AS t WHERE t.code = r ->> 'channel') THEN
      RAISE EXCEPTION '% is not a channel code (see the channels endpoint''s channels)', field
        USING ERRCODE = 'invalid_parameter_value', COLUMN = field;
    END IF;
    field := format('rows[%s].currency', i);
    IF NOT EXISTS (SELECT FROM skeldir.currencies AS c WHERE c.code = upper(r ->> 'currency')) THEN
      RAISE EXCEPTION '% is not an ISO 4217 code Skeldir knows', field
        USING ERRCODE = 'invalid_parameter_value', COLUMN = field;
    END IF;
    field := format('rows[%s].amount', i);
    BEGIN
      cents := skeldir.to_minor_units(r -> 'amount', r ->> 'currency');
    EXCEPTION WHEN SQLSTATE 'SK422' THEN
      RAISE EXCEPTION '% must be a non-negative amount exact to the currency''s minor unit', field
        USING ERRCODE = 'invalid_parameter_value', COLUMN = field;
    END;
    checked := checked || jsonb_build_object('day', row_day, 'channel', r ->> 'channel',
                                             'currency', upper(r ->> 'currency'), 'cents', cents);
    i := i + 1;
  END LOOP;

  -- The last row of a key wins, as a later report would.
  INSERT INTO skeldir.ad_spend AS s (tenant_id, day, channel, currency, amount_cents)
  SELECT DISTINCT ON (c ->> 'day', c ->> 'channel', c ->> 'currency')
         skeldir.current_tenant_id(), (c ->> 'day')::date, c ->> 'channel', c ->> 'currency', (c ->> 'cents')::bigint
    FROM jsonb_array_elements(checked) WITH ORDINALITY AS x(c, n)
   ORDER BY c ->> 'day', c ->> 'channel', c ->> 'currency', n DESC
  ON CONFLICT (tenant_id, day, channel, currency)
  DO UPDATE SET amount_cents = excluded.amount_cents, updated_at = now();
  GET DIAGNOSTICS stored = ROW_COUNT;
  RETURN stored;
END
$$;

-- PUT /api/spend.
CREATE FUNCTION api.put_spend(tenant uuid, rows jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  RETURN jsonb_build_object('stored', skeldir.record_spend(rows));
END
$$;
COMMENT ON FUNCTION api.put_spend(uuid, jsonb) IS
  'Stores (or replaces) ad spend rows for the tenant; all or nothing.';

-- skeldird spend import.
CREATE FUNCTION admin.import_spend(tenant_id uuid, rows jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN jsonb_build_object('tenant_id', tenant_id, 'stored', skeldir.record_spend(rows));
END
$$;
COMMENT ON FUNCTION admin.import_spend(uuid, jsonb) IS
  'Stores (or replaces) ad spend rows for the tenant, as skeldird spend import reads them from CSV; all or nothing.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION admin.import_spend(uuid, jsonb);
DROP FUNCTION api.put_spend(uuid, jsonb);
DROP FUNCTION skeldir.record_spend(jsonb);
