-- migrate:up
-- The RSA public key of each pinned PayPal certificate, read from the
-- certificate at pin time (skeldir.certificate_rsa_key), so that the
-- database verifies PayPal's signatures itself: before, the daemon checked
-- them and told api.ingest_webhook a boolean it had to believe. A row pinned
-- before this has no key until it is read here below; a certificate whose key
-- cannot be read keeps NULLs and verifies nothing (fail closed).
SET LOCAL ROLE skeldir_owner;

ALTER TABLE skeldir.tenant_paypal_certificates
  ADD COLUMN rsa_modulus numeric CHECK (rsa_modulus > 0),
  ADD COLUMN rsa_exponent numeric CHECK (rsa_exponent > 0);

COMMENT ON COLUMN skeldir.tenant_paypal_certificates.rsa_modulus IS
  'The certificate''s RSA modulus n, as a number; NULL when its key could not be read.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
ALTER TABLE skeldir.tenant_paypal_certificates DROP COLUMN rsa_exponent, DROP COLUMN rsa_modulus;
