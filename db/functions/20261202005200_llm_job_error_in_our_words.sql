-- migrate:up
-- A failed investigation or budget optimization answers in our words
-- (issue: the database is the authority, item 5): its error was the job's
-- last_error, PostgreSQL's own text ("ERROR: bigint out of range (SQLSTATE
-- 22003)") after its retries ran out. An error the product recorded on the
-- row itself (a blocked budget) is still shown; the job's stays in
-- skeldir.jobs and the worker's log for operators.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.llm_job_standing(row_status skeldir.llm_job_status, row_error text, job_id bigint,
                                                    tenant_id uuid, OUT status text, OUT progress_percentage integer,
                                                    OUT error text)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT s.status, CASE s.status WHEN 'queued' THEN 0 WHEN 'running' THEN 50 ELSE 100 END,
         coalesce(row_error, CASE WHEN s.status = 'failed'
                                  THEN 'the request could not be completed; quote its id to support' END)
    FROM (VALUES (true)) AS one
    LEFT JOIN skeldir.jobs AS j ON j.id = llm_job_standing.job_id AND j.tenant_scope = llm_job_standing.tenant_id
   CROSS JOIN LATERAL (SELECT CASE WHEN row_status = 'completed' THEN 'complete'
                                   WHEN row_status = 'failed' OR j.state = 'dead' THEN 'failed'
                                   WHEN j.state = 'running' OR row_status = 'running' THEN 'running'
                                   ELSE 'queued' END AS status) AS s;
END;

-- migrate:down
-- (skeldir.llm_job_standing keeps this body; 20261126007280 defines the one before.)
SELECT 1;
