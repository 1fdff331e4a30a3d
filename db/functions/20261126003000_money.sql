-- migrate:up
-- Amounts become integer minor units exactly (SPEC §4.3), or the delivery is
-- dead-lettered with the reason. Ingestion failures raise SQLSTATE SK422
-- with the error type in DETAIL; the ingest function turns them into dead
-- events.
SET LOCAL ROLE skeldir_owner;

-- amount (a decimal string or JSON number, in major units) in currency's
-- minor units. Extra decimal places are allowed only when they are zeros.
CREATE FUNCTION skeldir.to_minor_units(amount jsonb, currency text) RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  exp smallint;
  txt text := CASE jsonb_typeof(amount) WHEN 'string' THEN amount #>> '{}'
                                        WHEN 'number' THEN amount::text END;
  parts text[];
BEGIN
  SELECT c.exponent INTO exp FROM skeldir.currencies AS c WHERE c.code = upper(currency);
  IF exp IS NULL THEN
    RAISE EXCEPTION 'unknown currency %', coalesce(quote_literal(currency), '(none)')
      USING ERRCODE = 'SK422', DETAIL = 'invalid_currency';
  END IF;
  parts := regexp_match(btrim(coalesce(txt, '')), '^([0-9]{1,15})(?:\.([0-9]{1,20}))?$');
  IF parts IS NULL THEN
    RAISE EXCEPTION 'amount % is not a non-negative decimal number', coalesce(amount::text, '(none)')
      USING ERRCODE = 'SK422', DETAIL = 'invalid_amount';
  END IF;
  IF rtrim(substring(coalesce(parts[2], '') FROM exp + 1), '0') <> '' THEN
    RAISE EXCEPTION 'amount % has more decimal places than % allows (%)', txt, upper(currency), exp
      USING ERRCODE = 'SK422', DETAIL = 'invalid_amount';
  END IF;
  RETURN (parts[1] || rpad(substring(coalesce(parts[2], '') FOR exp), exp, '0'))::bigint;
END
$$;

-- An amount already in minor units (Stripe): a non-negative JSON integer.
CREATE FUNCTION skeldir.minor_units(amount jsonb, currency text) RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM skeldir.currencies AS c WHERE c.code = upper(currency)) THEN
    RAISE EXCEPTION 'unknown currency %', coalesce(quote_literal(currency), '(none)')
      USING ERRCODE = 'SK422', DETAIL = 'invalid_currency';
  END IF;
  IF jsonb_typeof(amount) IS DISTINCT FROM 'number' OR amount::text !~ '^[0-9]{1,18}$' THEN
    RAISE EXCEPTION 'amount % is not a non-negative integer number of minor units', coalesce(amount::text, '(none)')
      USING ERRCODE = 'SK422', DETAIL = 'invalid_amount';
  END IF;
  RETURN amount::text::bigint;
END
$$;

-- Minor units as a decimal amount of the currency, at its exact scale
-- (12999 USD is 129.99; 1500 JPY is 1500).
CREATE FUNCTION skeldir.major_units(minor numeric, currency text) RETURNS numeric
LANGUAGE sql STABLE
RETURN (SELECT round(minor / power(10::numeric, c.exponent), c.exponent)
          FROM skeldir.currencies AS c WHERE c.code = currency);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.major_units(numeric, text);
DROP FUNCTION skeldir.minor_units(jsonb, text);
DROP FUNCTION skeldir.to_minor_units(jsonb, text);
