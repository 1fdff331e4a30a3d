-- migrate:up
-- The closed set of marketing channels revenue is attributed to. Shared by all
-- tenants (a reference table), so it carries no tenant_id.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.channel_taxonomy (
  code         text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
  family       text NOT NULL CHECK (family IN ('paid_social', 'paid_search', 'display',
                                                'email', 'organic', 'referral', 'direct', 'unknown')),
  display_name text NOT NULL,
  is_paid      boolean NOT NULL
);

INSERT INTO skeldir.channel_taxonomy (code, family, display_name, is_paid) VALUES
  ('facebook_paid',       'paid_social', 'Facebook Ads',          true),
  ('facebook_brand',      'paid_social', 'Facebook Brand',        true),
  ('google_search_paid',  'paid_search', 'Google Search Ads',     true),
  ('google_display_paid', 'display',     'Google Display',        true),
  ('tiktok_paid',         'paid_social', 'TikTok Ads',            true),
  ('linkedin_paid',       'paid_social', 'LinkedIn Ads',          true),
  ('email',               'email',       'Email',                 false),
  ('organic',             'organic',     'Organic',               false),
  ('referral',            'referral',    'Referral',              false),
  ('direct',              'direct',      'Direct',                false),
  ('unknown',             'unknown',     'Unknown',               false);

COMMENT ON TABLE skeldir.channel_taxonomy IS 'Marketing channels; a reference table shared by all tenants.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.channel_taxonomy;
