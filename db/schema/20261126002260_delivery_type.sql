-- migrate:up
-- What a webhook says, in Skeldir's terms: the result of reading one vendor
-- payload (skeldir.read_<vendor>), before anything is stored.
SET LOCAL ROLE skeldir_owner;

CREATE TYPE skeldir.delivery AS (
  external_id    text,                  -- the vendor object the key is derived from
  order_id       text,                  -- the shop order it concerns, when known
  transaction_id text,                  -- the ledger's transaction, when it books money
  ledger_state   skeldir.ledger_state,  -- what it books, if anything
  revenue_cents  bigint,
  currency       text,
  occurred_at    timestamptz,
  session_id     text,
  utm_source     text,
  utm_medium     text,
  referrer       text
);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TYPE skeldir.delivery;
