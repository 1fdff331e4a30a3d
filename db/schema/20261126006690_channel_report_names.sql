-- migrate:up
-- The dashboards report channels under the platform names their users know
-- (Meta for both Facebook channels, Google for search and display); a
-- channel without attribution is reported as Unknown.
SET LOCAL ROLE skeldir_owner;

ALTER TABLE skeldir.channel_taxonomy ADD COLUMN report_name text;
UPDATE skeldir.channel_taxonomy SET report_name = CASE
  WHEN code LIKE 'facebook\_%' THEN 'Meta'
  WHEN code LIKE 'google\_%' THEN 'Google'
  WHEN code = 'tiktok_paid' THEN 'TikTok'
  WHEN code = 'linkedin_paid' THEN 'LinkedIn'
  ELSE initcap(code) END;
ALTER TABLE skeldir.channel_taxonomy ALTER COLUMN report_name SET NOT NULL;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
ALTER TABLE skeldir.channel_taxonomy DROP COLUMN report_name;
