-- migrate:up
-- Personal data recognised by its value, not its key (issue: no personal data
-- at rest by construction). Key names miss what real payloads carry:
-- contact_email, browser_ip, client_details, emails in free-text notes and
-- in landing-page query strings. These recognise email addresses (also
-- percent-encoded, as in URLs), IPv4 and IPv6 addresses, and phone numbers
-- written as phone numbers (with a leading +, or the 3-3-4 grouping with
-- separators); bare digit runs are ids and amounts, not phones. Names and
-- street addresses cannot be told by their value: the payload projection
-- (skeldir.project_payload) keeps them out by never keeping their fields.
SET LOCAL ROLE skeldir_owner;

-- The pattern of one kind of personal value (an ARE regular expression).
CREATE FUNCTION skeldir.pii_pattern(kind text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE kind
  WHEN 'email' THEN '[[:alnum:]._%+-]+(@|%40)[[:alnum:]-]+(\.[[:alnum:]-]+)*\.[[:alpha:]]{2,}'
  WHEN 'ip' THEN
    '(?<![0-9.])((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?![0-9]|\.[0-9])'
    || '|(?<![[:xdigit:]:])(([[:xdigit:]]{1,4}:){7}[[:xdigit:]]{1,4}'
    || '|[[:xdigit:]]{1,4}(:[[:xdigit:]]{1,4}){0,6}::[[:xdigit:]]{1,4}(:[[:xdigit:]]{1,4}){0,6})(?![[:xdigit:]:])'
  WHEN 'phone' THEN
    '\+([ .()-]{0,2}[0-9]){8,15}(?![0-9])|(?<![0-9])(\([0-9]{3}\) ?|[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4}(?![0-9])'
END;

-- The kinds of personal value in value: {email, ip, phone} or a subset.
CREATE FUNCTION skeldir.pii_kinds(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY(SELECT k FROM unnest('{email,ip,phone}'::text[]) AS k WHERE value ~ skeldir.pii_pattern(k));

CREATE FUNCTION skeldir.pii_value(value text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN value ~ skeldir.pii_pattern('email') OR value ~ skeldir.pii_pattern('ip') OR value ~ skeldir.pii_pattern('phone');

-- value with every personal value replaced by its kind: "[email]", "[ip]", "[phone]".
CREATE FUNCTION skeldir.redact_pii(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN skeldir.pii_value(value) THEN
  regexp_replace(regexp_replace(regexp_replace(value,
    skeldir.pii_pattern('email'), '[email]', 'g'), skeldir.pii_pattern('ip'), '[ip]', 'g'),
    skeldir.pii_pattern('phone'), '[phone]', 'g')
  ELSE value END;

-- A URL as attribution needs it: scheme, host and path, and only the
-- marketing parameters of its query (UTM, click ids); other parameters
-- (email=, name=, tokens) and the fragment are dropped, and anything
-- personal left in the path is redacted.
CREATE FUNCTION skeldir.clean_url(url text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN skeldir.redact_pii(
  split_part(split_part(url, '#', 1), '?', 1)
  || coalesce('?' || (SELECT string_agg(q.param, '&' ORDER BY q.n)
                        FROM regexp_split_to_table(substring(split_part(url, '#', 1) FROM '\?(.*)$'), '&')
                             WITH ORDINALITY AS q(param, n)
                       WHERE lower(split_part(q.param, '=', 1))
                             ~ '^(utm_[a-z_]+|gclid|gbraid|wbraid|fbclid|msclkid|ttclid|twclid|gad_source)$'), ''));

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.clean_url(text);
DROP FUNCTION skeldir.redact_pii(text);
DROP FUNCTION skeldir.pii_value(text);
DROP FUNCTION skeldir.pii_kinds(text);
DROP FUNCTION skeldir.pii_pattern(text);
