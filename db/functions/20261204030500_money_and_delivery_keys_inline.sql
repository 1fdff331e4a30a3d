-- migrate:up
-- Three small costs of every webhook (issue 15, target 1).
--
-- skeldir.to_minor_units and skeldir.minor_units looked their currency up
-- with `c.code = upper(currency)`: in a plan kept for the session the
-- argument is unknown, so the 166 currencies were scanned with upper()
-- evaluated for each of them (40 µs a call). The code is upper-cased once
-- now, and the lookup compares it as it is.
--
-- skeldir.header_delivery_key and skeldir.body_delivery_key are declared
-- IMMUTABLE but cast the vendor enum to text, which PostgreSQL counts as
-- STABLE (enum labels can be renamed), so they were never inlined: each
-- call ran its body as a query of its own (14 µs each, twice a webhook).
-- They spell the vendor's prefix out instead, and are inlined. Same keys.
-- Measured: a webhook's three calls (an amount and both keys), 5,000 in a
-- transaction, CPU, median of 6 interleaved pairs: 55 -> 26 µs; make
-- bench-ingest phase sql median ratio 2.85 -> 3.10 in a slower phase of this
-- machine (direct inserts 1.8-1.9 ms a delivery instead of 1.3-1.7).
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.to_minor_units(amount jsonb, currency text) RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  iso text := upper(currency);
  exp smallint;
  txt text := CASE jsonb_typeof(amount) WHEN 'string' THEN amount #>> '{}'
                                        WHEN 'number' THEN amount::text END;
  parts text[];
BEGIN
  SELECT c.exponent INTO exp FROM skeldir.currencies AS c WHERE c.code = iso;
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
    RAISE EXCEPTION 'amount % has more decimal places than % allows (%)', txt, iso, exp
      USING ERRCODE = 'SK422', DETAIL = 'invalid_amount';
  END IF;
  RETURN (parts[1] || rpad(substring(coalesce(parts[2], '') FOR exp), exp, '0'))::bigint;
END
$$;

CREATE OR REPLACE FUNCTION skeldir.minor_units(amount jsonb, currency text) RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  iso text := upper(currency);
BEGIN
  IF NOT EXISTS (SELECT FROM skeldir.currencies AS c WHERE c.code = iso) THEN
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

-- What the headers say: the vendor's delivery header, else X-Idempotency-Key.
CREATE OR REPLACE FUNCTION skeldir.header_delivery_key(vendor skeldir.vendor, headers jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(
  CASE vendor WHEN 'shopify' THEN 'shopify:' || nullif(btrim(headers ->> 'x-shopify-webhook-id'), '')
              WHEN 'woocommerce' THEN 'woocommerce:' || nullif(btrim(headers ->> 'x-wc-webhook-delivery-id'), '') END,
  nullif(btrim(headers ->> 'x-idempotency-key'), ''));

-- What the body says: Stripe's and PayPal's event id. Ids longer than an
-- idempotency key may be are not ids.
CREATE OR REPLACE FUNCTION skeldir.body_delivery_key(vendor skeldir.vendor, payload jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN length(btrim(payload ->> 'id')) BETWEEN 1 AND 200
            THEN CASE vendor WHEN 'stripe' THEN 'stripe:' WHEN 'paypal' THEN 'paypal:' END || btrim(payload ->> 'id') END;

-- migrate:down
-- (Forward only, README "Migrations": these bodies stay; 20261126003000 and
-- 20261202000500 define the ones before.)
SELECT 1;
