-- migrate:up
-- Ad spend per tenant, day, channel and currency (issue: spend and ROAS), as
-- the tenant reports it (PUT /api/spend, skeldird spend import). A later
-- report of the same day, channel and currency replaces the amount.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.ad_spend (
  tenant_id    uuid NOT NULL REFERENCES skeldir.tenants (id),
  day          date NOT NULL,
  channel      text NOT NULL REFERENCES skeldir.channel_taxonomy (code),
  currency     text NOT NULL REFERENCES skeldir.currencies (code),
  amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, day, channel, currency)
);

COMMENT ON TABLE skeldir.ad_spend IS
  'Ad spend per tenant, UTC day, channel and currency, in minor units; replaced by a later report of the same key.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.ad_spend;
