-- migrate:up
-- Booking what a delivery reports, once per money movement: each movement is
-- a ledger row unique per (tenant, vendor, transaction, state), so a replay
-- or a concurrent duplicate books nothing. Refunds against a cumulative cap
-- (Stripe's amount_refunded, a WooCommerce order's total) take turns per
-- reversed transaction and book only what the cap leaves: however the
-- vendor's refund events interleave, the refunds of a payment never exceed
-- the largest total it announced.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.book_money(vendor skeldir.vendor, d skeldir.delivery, event_id uuid) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  m skeldir.money_movement;
  booked bigint := 0;
  amount bigint;
  inserted integer;
BEGIN
  IF d.refund_cap_cents IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended(tenant::text || '/' || vendor::text || '/' || d.reverses_transaction_id, 0));
    SELECT coalesce(sum(l.amount_cents), 0) INTO booked
      FROM skeldir.revenue_ledger AS l
     WHERE l.tenant_id = tenant AND l.vendor = book_money.vendor AND l.state = 'refunded'
       AND coalesce(l.reverses_transaction_id, l.transaction_id) = d.reverses_transaction_id;
  END IF;
  FOREACH m IN ARRAY coalesce(d.movements,
      ARRAY[ROW(d.transaction_id, d.ledger_state, d.revenue_cents, d.occurred_at)::skeldir.money_movement]) LOOP
    CONTINUE WHEN m.state IS NULL;
    amount := m.amount_cents;
    IF m.state = 'refunded' AND d.refund_cap_cents IS NOT NULL THEN
      amount := least(amount, d.refund_cap_cents - booked);
      CONTINUE WHEN amount <= 0;
    END IF;
    INSERT INTO skeldir.revenue_ledger
      (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency, event_id, occurred_at,
       reverses_transaction_id)
    VALUES
      (tenant, vendor, m.transaction_id, m.state, d.order_id, amount, d.currency, event_id,
       coalesce(m.occurred_at, d.occurred_at), CASE WHEN m.state <> 'captured' THEN d.reverses_transaction_id END)
    ON CONFLICT ON CONSTRAINT revenue_ledger_tenant_id_vendor_transaction_id_state_key DO NOTHING;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    IF inserted > 0 AND m.state = 'refunded' THEN
      booked := booked + amount;
    END IF;
  END LOOP;
END
$$;

COMMENT ON FUNCTION skeldir.book_money(skeldir.vendor, skeldir.delivery, uuid) IS
  'Books a delivery''s money movements in the ledger, each once; capped refunds never exceed their cap.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.book_money(skeldir.vendor, skeldir.delivery, uuid);
