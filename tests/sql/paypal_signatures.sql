-- PayPal's certificate signatures are verified in SQL (issue 13): no runtime
-- role tells the database whether a signature held. The certificate and the
-- signature below were made with openssl (the private key was discarded), so
-- the SQL verifier is checked against an independent signer; the end-to-end
-- test signs with Go's crypto.
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(9);

SELECT modulus AS n, exponent AS e FROM skeldir.certificate_rsa_key(:'paypal_certificate') \gset
SELECT is(:'e'::numeric, 65537::numeric, 'the pinned certificate''s public exponent is read from its DER');
SELECT is(length(:'n'), 617, 'and its 2048-bit modulus');
-- Counted as the owner in each tenant's context: on Citus the fixture pinned
-- them as the owner in this transaction, and no other user may read them.
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true);
SELECT count(*) AS pinned_a FROM skeldir.tenant_paypal_certificates WHERE rsa_modulus = :'n'::numeric \gset
SELECT skeldir.set_tenant_context(:'tenant_b', true);
SELECT count(*) AS pinned_b FROM skeldir.tenant_paypal_certificates WHERE rsa_modulus = :'n'::numeric \gset
SELECT skeldir.set_tenant_context('', true);
RESET ROLE;
SELECT is(:'pinned_a'::bigint + :'pinned_b'::bigint, 2::bigint,
  'pinning stores the key with the certificate');
SELECT ok(skeldir.rsa_sha256_valid(convert_to('id1|2026-12-03T00:00:00Z|WH-1|12345', 'UTF8'),
                                   decode('bI2X3JmilbAnihIMdDs0WseCkeR63RlEGjyA2sODjKjYiXkGrtQ3i0eCfas0cRfySqbE1ZsNF/b5e3Pk87SCKkDPACQQ8iV8NJRGWLztAr4JMtAqariMlbvrwOHT8ZSl0jFH/VL2+J4GZ0SuZqt4Aipmdw5H3oVWoy7wF7JooBZz7jRM4U4CA87YNDbAOY5AOKDOHwjrfNUzJinSp5zmrQwPDr40Xk2D+UcVKMZ2EF4FcH6YD/VJpzRuUOQ0FPPX3JVmcQAdqU9YRN1BKL03h7Li0U6BfawSTYX9yQLxfoxHpCosG5/J4XlbKoAJ9EG5bUaMmpnB6j2Ee9hMotVTNw==', 'base64'), :'n', :'e'),
  'an openssl SHA256withRSA signature verifies');
SELECT ok(NOT skeldir.rsa_sha256_valid(convert_to('id1|2026-12-03T00:00:00Z|WH-1|12346', 'UTF8'),
                                       decode('bI2X3JmilbAnihIMdDs0WseCkeR63RlEGjyA2sODjKjYiXkGrtQ3i0eCfas0cRfySqbE1ZsNF/b5e3Pk87SCKkDPACQQ8iV8NJRGWLztAr4JMtAqariMlbvrwOHT8ZSl0jFH/VL2+J4GZ0SuZqt4Aipmdw5H3oVWoy7wF7JooBZz7jRM4U4CA87YNDbAOY5AOKDOHwjrfNUzJinSp5zmrQwPDr40Xk2D+UcVKMZ2EF4FcH6YD/VJpzRuUOQ0FPPX3JVmcQAdqU9YRN1BKL03h7Li0U6BfawSTYX9yQLxfoxHpCosG5/J4XlbKoAJ9EG5bUaMmpnB6j2Ee9hMotVTNw==', 'base64'), :'n', :'e'),
  'the same signature over another message does not');
SELECT ok(NOT skeldir.rsa_sha256_valid(convert_to('id1|2026-12-03T00:00:00Z|WH-1|12345', 'UTF8'),
                                       decode('bI2X3JmilbAnihIMdDs0WseCkeR63RlEGjyA2sODjKjYiXkGrtQ3i0eCfas0cRfySqbE1ZsNF/b5e3Pk87SCKkDPACQQ8iV8NJRGWLztAr4JMtAqariMlbvrwOHT8ZSl0jFH/VL2+J4GZ0SuZqt4Aipmdw5H3oVWoy7wF7JooBZz7jRM4U4CA87YNDbAOY5AOKDOHwjrfNUzJinSp5zmrQwPDr40Xk2D+UcVKMZ2EF4FcH6YD/VJpzRuUOQ0FPPX3JVmcQAdqU9YRN1BKL03h7Li0U6BfawSTYX9yQLxfoxHpCosG5/J4XlbKoAJ9EG5bUaMmpnB6j2Ee9hMotVTNw==', 'base64'), :'n'::numeric + 2, :'e'),
  'nor under another key');
SELECT is(skeldir.crc32(convert_to('123456789', 'UTF8')), 3421780262::bigint, 'CRC-32 gives its check value');
SELECT throws_ok(format($$ SELECT admin.pin_paypal_certificate(%L, 'WH-X', 'not a certificate') $$, :'tenant_a'),
  '22023', 'certificate_pem is not a PEM certificate holding an RSA key', 'a certificate without a readable RSA key is refused');
SELECT is_empty($$ SELECT p.oid::regprocedure FROM pg_proc AS p, unnest(p.proargnames) AS a(name)
                    WHERE p.pronamespace = 'api'::regnamespace AND a.name ~ 'verified' $$,
  'no api function takes a verdict on a signature');

SELECT * FROM finish();
ROLLBACK;
