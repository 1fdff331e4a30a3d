-- migrate:up
-- The queue no longer references skeldir.tenants. jobs.tenant_scope names
-- the tenant a job runs for, always taken from a verified tenant context
-- when it is enqueued; the foreign key coupled the coordinator-local queue
-- to the tenant table, which blocks distributing the schema by tenant
-- (SPEC §11: Citus refuses a local table referencing a distributed one).
-- Jobs are enqueued only for the tenant of an entered context, which
-- skeldir.enter_tenant or a verified credential set, so the reference
-- checked nothing a caller could get wrong.
SET LOCAL ROLE skeldir_owner;

ALTER TABLE skeldir.jobs DROP CONSTRAINT jobs_tenant_scope_fkey;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
ALTER TABLE skeldir.jobs ADD CONSTRAINT jobs_tenant_scope_fkey FOREIGN KEY (tenant_scope) REFERENCES skeldir.tenants (id);
