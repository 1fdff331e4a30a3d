-- migrate:up
-- RSA signature verification (RSASSA-PKCS1-v1_5 with SHA-256, RFC 8017
-- §8.2.2), which pgcrypto does not offer, in numeric arithmetic: the public
-- exponent is small (PayPal's is 65537: 17 squarings of a 2048-bit number),
-- so a verification costs well under a millisecond. Used for PayPal's
-- webhook signatures, so that no runtime role tells the database whether a
-- signature held.
--
--   skeldir.unsigned_number     big-endian bytes as a number (OS2IP)
--   skeldir.mod_pow             b^e mod m, square and multiply
--   skeldir.certificate_rsa_key the modulus and exponent of a PEM X.509
--                               certificate's RSA key (NULLs if none)
--   skeldir.rsa_sha256_valid    whether a signature signs a message
SET LOCAL ROLE skeldir_owner;

-- Seven bytes at a time, each run read through a 64-bit integer.
CREATE FUNCTION skeldir.unsigned_number(data bytea) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  n numeric := 0;
  run bytea;
  i integer := 0;
BEGIN
  WHILE i < length(data) LOOP
    run := substring(data FROM i + 1 FOR 7);
    n := n * (1::bigint << (8 * length(run))) + ('x' || lpad(encode(run, 'hex'), 16, '0'))::bit(64)::bigint;
    i := i + 7;
  END LOOP;
  RETURN n;
END
$$;

CREATE FUNCTION skeldir.mod_pow(base numeric, exponent numeric, modulus numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  result numeric := 1;
  b numeric := mod(base, modulus);
  e numeric := exponent;
BEGIN
  WHILE e > 0 LOOP
    IF mod(e, 2) = 1 THEN
      result := mod(result * b, modulus);
    END IF;
    b := mod(b * b, modulus);
    e := div(e, 2);
  END LOOP;
  RETURN result;
END
$$;

-- The header of the DER element at byte `at` (0-based) if its tag is `tag`:
-- where its content starts and how long it is; NULLs otherwise.
CREATE FUNCTION skeldir.der_element(der bytea, at integer, tag integer,
                                    OUT content_at integer, OUT content_length integer)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  first integer;
  k integer;
BEGIN
  IF at + 2 > length(der) OR get_byte(der, at) <> tag THEN
    RETURN;
  END IF;
  first := get_byte(der, at + 1);
  IF first < 128 THEN
    content_at := at + 2;
    content_length := first;
  ELSIF first BETWEEN 129 AND 131 AND at + 2 + first - 128 <= length(der) THEN
    content_length := 0;
    FOR k IN 1 .. first - 128 LOOP
      content_length := content_length * 256 + get_byte(der, at + 1 + k);
    END LOOP;
    content_at := at + 2 + first - 128;
  END IF;
  IF content_at + content_length > length(der) THEN
    content_at := NULL;
    content_length := NULL;
  END IF;
END
$$;

-- The key follows the rsaEncryption algorithm identifier in the
-- certificate's SubjectPublicKeyInfo: BIT STRING { 00, SEQUENCE { INTEGER n,
-- INTEGER e } }.
CREATE FUNCTION skeldir.certificate_rsa_key(certificate_pem text, OUT modulus numeric, OUT exponent numeric)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  der bytea;
  at integer;
  bits record;
  key record;
  n record;
  e record;
BEGIN
  der := decode(regexp_replace(substring(certificate_pem FROM
           '-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----'), '\s', '', 'g'), 'base64');
  at := position('\x06092a864886f70d010101'::bytea IN der) - 1;
  IF der IS NULL OR at < 0 THEN
    RETURN;
  END IF;
  at := at + 11;
  IF get_byte(der, at) = 5 AND get_byte(der, at + 1) = 0 THEN
    at := at + 2;
  END IF;
  bits := skeldir.der_element(der, at, 3);
  IF bits.content_at IS NULL OR get_byte(der, bits.content_at) <> 0 THEN
    RETURN;
  END IF;
  key := skeldir.der_element(der, bits.content_at + 1, 48);
  n := skeldir.der_element(der, key.content_at, 2);
  e := skeldir.der_element(der, n.content_at + n.content_length, 2);
  IF e.content_at IS NULL THEN
    RETURN;
  END IF;
  modulus := skeldir.unsigned_number(substring(der FROM n.content_at + 1 FOR n.content_length));
  exponent := skeldir.unsigned_number(substring(der FROM e.content_at + 1 FOR e.content_length));
EXCEPTION WHEN data_exception OR invalid_parameter_value OR array_subscript_error THEN
  modulus := NULL;
  exponent := NULL;
END
$$;

-- RSASSA-PKCS1-v1_5 verification: s^e mod n must be the encoding
-- 00 01 FF..FF 00 || DigestInfo(SHA-256) || SHA-256(message), as long as n.
CREATE FUNCTION skeldir.rsa_sha256_valid(message bytea, signature bytea, modulus numeric, exponent numeric)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  k integer := length(signature);
  s numeric;
BEGIN
  -- The signature is as long as the modulus, and smaller than it.
  IF message IS NULL OR modulus IS NULL OR exponent IS NULL OR k IS NULL OR k < 64
     OR modulus >= 256::numeric ^ k OR modulus < 256::numeric ^ (k - 1) THEN
    RETURN false;
  END IF;
  s := skeldir.unsigned_number(signature);
  IF s >= modulus THEN
    RETURN false;
  END IF;
  RETURN skeldir.mod_pow(s, exponent, modulus) = skeldir.unsigned_number(
    '\x0001'::bytea || decode(repeat('ff', k - 3 - 51), 'hex') || '\x00'::bytea
    || '\x3031300d060960864801650304020105000420'::bytea || sha256(message));
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.rsa_sha256_valid(bytea, bytea, numeric, numeric);
DROP FUNCTION skeldir.certificate_rsa_key(text);
DROP FUNCTION skeldir.der_element(bytea, integer, integer);
DROP FUNCTION skeldir.mod_pow(numeric, numeric, numeric);
DROP FUNCTION skeldir.unsigned_number(bytea);
