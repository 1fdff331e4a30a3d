-- migrate:up
-- The closed vocabularies of ingestion (SPEC §2.3).
SET LOCAL ROLE skeldir_owner;

-- What an accepted delivery was.
CREATE TYPE skeldir.event_type AS ENUM ('purchase', 'refund', 'checkout', 'order_update');

-- What a ledger row records happened to money.
CREATE TYPE skeldir.ledger_state AS ENUM ('captured', 'refunded', 'chargeback');

-- Where an operator is with a dead event.
CREATE TYPE skeldir.remediation_status AS ENUM ('pending', 'in_progress', 'resolved', 'abandoned');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TYPE skeldir.remediation_status;
DROP TYPE skeldir.ledger_state;
DROP TYPE skeldir.event_type;
