-- migrate:up
-- How a touch's UTM parameters and referrer map to a channel. Rules are
-- case-insensitive regular expressions; the lowest priority that matches wins,
-- and every pattern a rule sets must match. A touch no rule matches is
-- `unknown` when it carries UTM parameters or a referrer, `direct` otherwise.
-- A bare ad-network source (utm_source=facebook with no medium) counts as
-- that network's paid channel: UTM tagging is overwhelmingly an ads habit.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.channel_rules (
  priority           integer PRIMARY KEY,
  utm_source_pattern text,
  utm_medium_pattern text,
  referrer_pattern   text,
  channel_code       text NOT NULL REFERENCES skeldir.channel_taxonomy (code),
  CHECK (num_nonnulls(utm_source_pattern, utm_medium_pattern, referrer_pattern) > 0)
);

INSERT INTO skeldir.channel_rules
  (priority, utm_source_pattern, utm_medium_pattern, referrer_pattern, channel_code) VALUES
  (10,  '^(facebook|fb|instagram|ig|meta)$', 'brand',                                   NULL, 'facebook_brand'),
  (20,  '^(facebook|fb|instagram|ig|meta)$', '^(cpc|ppc|cpm|paid|paid_?social|social_?paid|ads?)$', NULL, 'facebook_paid'),
  (30,  '^(google|adwords)$',                '^(display|banner|cpm|gdn)$',              NULL, 'google_display_paid'),
  (40,  '^(google|adwords)$',                '^(cpc|ppc|paid|paid_?search|sem)$',       NULL, 'google_search_paid'),
  (50,  '^tiktok$',                          '^(cpc|ppc|cpm|paid|paid_?social|ads?)$',  NULL, 'tiktok_paid'),
  (60,  '^linkedin$',                        '^(cpc|ppc|cpm|paid|paid_?social|ads?)$',  NULL, 'linkedin_paid'),
  (70,  NULL,                                '^e-?mail$',                               NULL, 'email'),
  (80,  '^(newsletter|klaviyo|mailchimp|sendgrid)$', NULL,                              NULL, 'email'),
  (90,  NULL,                                '^organic$',                               NULL, 'organic'),
  (100, NULL,                                '^referral$',                              NULL, 'referral'),
  (110, '^(facebook|fb|instagram|ig|meta)$', NULL,                                      NULL, 'facebook_paid'),
  (120, '^(google|adwords)$',                NULL,                                      NULL, 'google_search_paid'),
  (130, '^tiktok$',                          NULL,                                      NULL, 'tiktok_paid'),
  (140, '^linkedin$',                        NULL,                                      NULL, 'linkedin_paid'),
  (200, NULL, NULL, '^(https?://)?([^/]*\.)?(google|bing|duckduckgo|yahoo|ecosia|baidu|yandex)\.', 'organic'),
  (210, NULL, NULL, '^(https?://)?[^/\s]+\.[^/\s]+',                                     'referral');

COMMENT ON TABLE skeldir.channel_rules IS
  'UTM/referrer regular expressions mapped to channels; lowest matching priority wins.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.channel_rules;
