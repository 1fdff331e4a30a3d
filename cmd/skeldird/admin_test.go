package main_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/skeldir/skeldir/internal/signing"
	"github.com/skeldir/skeldir/internal/testdaemon"
	"github.com/skeldir/skeldir/internal/testdb"
)

// cli runs skeldird with args as the admin login role and returns its
// stdout, stderr and exit code.
func cli(t *testing.T, db *testdb.DB, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(testdaemon.Binary(t), args...)
	cmd.Env = append(append(os.Environ(), db.Env()...), "ADMIN_DATABASE_URL="+db.URL(testdb.Admin))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run skeldird %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

func TestTenantCreateReturnsKeyOnceAndStoresOnlyItsDigest(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	out, errOut, code := cli(t, db, "tenant", "create", "--name", "Acme", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var created struct {
		TenantID       string            `json:"tenant_id"`
		APIKey         string            `json:"api_key"`
		WebhookSecrets map[string]string `json:"webhook_secrets"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if !strings.HasPrefix(created.APIKey, "skd_") || len(created.WebhookSecrets) != 4 {
		t.Fatalf("unexpected result: %s", out)
	}

	// As the superuser (who bypasses RLS): the digest is stored, the key is not.
	su := db.Pool(t, testdb.Superuser)
	digest := sha256.Sum256([]byte(created.APIKey))
	var digests, plain int
	err := su.QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE key_hash = $2),
		       count(*) FILTER (WHERE position($3 IN k::text) > 0)
		  FROM skeldir.tenant_api_keys AS k WHERE tenant_id = $1`,
		created.TenantID, digest[:], created.APIKey).Scan(&digests, &plain)
	if err != nil {
		t.Fatal(err)
	}
	if digests != 1 || plain != 0 {
		t.Errorf("want the digest stored once and the key nowhere; got %d digests, %d plain", digests, plain)
	}
}

func TestTenantCommandsExplainBadInput(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	if _, errOut, code := cli(t, db, "tenant", "create"); code != 2 || !strings.Contains(errOut, "--name is required") {
		t.Errorf("create without --name: exit %d, %s", code, errOut)
	}
	_, errOut, code := cli(t, db, "tenant", "rotate-key", "--tenant", "6a3c7d44-5b1e-4c55-9d2f-7b8e0f1a2c3d")
	if code != 1 || !strings.Contains(errOut, "does not exist") {
		t.Errorf("rotate-key for a missing tenant: exit %d, %s", code, errOut)
	}
}

func TestAnAPIKeyRotatesWithoutAGapAndTheOldOneIsRevokedByPrefix(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	d := startAPI(t, db)
	tn := createTenant(t, db, "Acme")
	var rotated struct {
		APIKey string `json:"api_key"`
	}
	out, errOut, code := cli(t, db, "tenant", "rotate-key", "--tenant", tn.ID, "--json")
	if code != 0 || json.Unmarshal([]byte(out), &rotated) != nil {
		t.Fatalf("rotate-key: exit %d: %s%s", code, out, errOut)
	}
	status := func(key string, n int) int {
		body := []byte(samples[0].body(9000 + n))
		h := signing.Headers("shopify", tn.Secrets["shopify"], body, time.Now())
		h["X-Skeldir-Tenant-Key"] = key
		resp, _ := d.Do(t, "POST", "/api/webhooks/shopify/order_create", body, h)
		return resp.StatusCode
	}
	if status(tn.Key, 1) != 200 || status(rotated.APIKey, 2) != 200 {
		t.Fatalf("after rotate-key both keys should work: old %d, new %d", status(tn.Key, 3), status(rotated.APIKey, 4))
	}
	var keys struct {
		Keys []struct {
			Prefix    string  `json:"prefix"`
			RevokedAt *string `json:"revoked_at"`
		} `json:"keys"`
	}
	out, _, _ = cli(t, db, "tenant", "keys", "--tenant", tn.ID, "--json")
	if json.Unmarshal([]byte(out), &keys) != nil || len(keys.Keys) != 2 || strings.Contains(out, tn.Key) {
		t.Fatalf("tenant keys: %s", out)
	}
	if _, errOut, code := cli(t, db, "tenant", "revoke-key", "--tenant", tn.ID, "--prefix", tn.Key[:12]); code != 0 {
		t.Fatalf("revoke-key: exit %d: %s", code, errOut)
	}
	if old, new := status(tn.Key, 5), status(rotated.APIKey, 6); old != 401 || new != 200 {
		t.Errorf("after revoking the old key: old %d (want 401), new %d (want 200)", old, new)
	}
	if _, errOut, code := cli(t, db, "tenant", "revoke-key", "--tenant", tn.ID, "--prefix", tn.Key[:12]); code == 0 ||
		!strings.Contains(errOut, "no active API key") {
		t.Errorf("revoking it again: exit %d: %s", code, errOut)
	}
}

func TestSecretRotationKeepsTwoActive(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	out, _, _ := cli(t, db, "tenant", "create", "--name", "Acme", "--json")
	var created struct {
		TenantID string `json:"tenant_id"`
	}
	json.Unmarshal([]byte(out), &created)
	for i := 0; i < 3; i++ {
		if _, errOut, code := cli(t, db, "tenant", "rotate-secret", "--tenant", created.TenantID, "--vendor", "stripe"); code != 0 {
			t.Fatalf("rotate-secret: exit %d: %s", code, errOut)
		}
	}
	var active, total int
	db.Pool(t, testdb.Superuser).QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE revoked_at IS NULL), count(*)
		  FROM skeldir.tenant_webhook_secrets WHERE tenant_id = $1 AND vendor = 'stripe'`,
		created.TenantID).Scan(&active, &total)
	if active != 2 || total != 4 {
		t.Errorf("after three rotations: %d active of %d, want 2 of 4", active, total)
	}
}

func TestAuditPassesOnAFreshDatabase(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli(t, testdb.New(t), "audit")
	if code != 0 {
		t.Fatalf("audit exit %d:\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, " 0 deviations") {
		t.Errorf("audit summary missing:\n%s", out)
	}
}

func TestAuditNamesEachDeviation(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, breakIt, want string }{
		{"table grant to the API role", "GRANT SELECT ON skeldir.tenants TO skeldir_api",
			"skeldir_api on skeldir.tenants"},
		{"sequence grant to the worker role", "CREATE SEQUENCE skeldir.stray_seq; GRANT USAGE ON SEQUENCE skeldir.stray_seq TO skeldir_worker",
			"skeldir_worker on skeldir.stray_seq"},
		{"RLS not forced", "ALTER TABLE skeldir.tenant_api_keys NO FORCE ROW LEVEL SECURITY",
			"skeldir.tenant_api_keys"},
		{"tenant table without RLS", "CREATE TABLE public.stray (tenant_id uuid NOT NULL)",
			"public.stray"},
		{"definer without a pinned search_path",
			"CREATE FUNCTION api.loose() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'",
			"api.loose()"},
		{"admin function executable by the API role",
			"GRANT EXECUTE ON FUNCTION admin.create_tenant(text) TO skeldir_api",
			"skeldir_api on admin.create_tenant(text)"},
		{"a table owned by the role that bypasses RLS",
			"SET ROLE skeldir_analytics; CREATE TABLE analytics.stray (id int); RESET ROLE",
			"analytics.stray"},
		{"api function nobody may call",
			"REVOKE EXECUTE ON FUNCTION api.readiness() FROM skeldir_api",
			"skeldir_api on api.readiness()"},
		{"api function taking a tenant",
			"SET ROLE skeldir_owner; CREATE FUNCTION api.revenue_of(tenant_id uuid) RETURNS int LANGUAGE sql AS 'SELECT 1'; RESET ROLE",
			"api.revenue_of(uuid)"},
		{"tenant table analysts read unbound", "DROP POLICY analyst_binding ON skeldir.ad_spend",
			"skeldir.ad_spend"},
		{"analysts reading emails", "GRANT SELECT (email) ON skeldir.users TO skeldir_readonly",
			"skeldir.users.email"},
		{"the books owned by the definers' role", "ALTER TABLE skeldir.revenue_ledger OWNER TO skeldir_owner",
			"skeldir.revenue_ledger"},
		{"a book the owner may delete from", "GRANT DELETE ON skeldir.attribution_events TO skeldir_owner",
			"skeldir_owner on skeldir.attribution_events"},
		{"a book's trigger switched off", "ALTER TABLE skeldir.llm_api_calls DISABLE TRIGGER append_only_truncate",
			"skeldir.llm_api_calls append_only_truncate"},
		{"a function taking an advisory lock",
			"SET ROLE skeldir_owner; CREATE FUNCTION skeldir.grab() RETURNS void LANGUAGE sql AS 'SELECT pg_advisory_xact_lock(1)'; RESET ROLE",
			"skeldir.grab()"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t)
			db.Exec(t, c.breakIt)
			expectAuditFailure(t, db, c.want)
		})
	}
}

// Role memberships are cluster-wide, so this test must not overlap with the
// parallel ones that expect a clean audit: it is deliberately not parallel,
// and Go runs it before any paused parallel test resumes.
func TestAuditFlagsALoginRoleInTwoGroups(t *testing.T) {
	db := testdb.New(t)
	db.Exec(t, "CREATE ROLE audit_two_hats LOGIN IN ROLE skeldir_api, skeldir_worker")
	t.Cleanup(func() { db.Exec(t, "DROP ROLE audit_two_hats") })
	expectAuditFailure(t, db, "audit_two_hats")
}

func TestAnalystGrantBindsALoginAndRevokeUnbindsIt(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	tn := createTenant(t, db, "Analysed")
	login := "analyst_" + strings.ReplaceAll(db.Name, "-", "_")
	db.Exec(t, "CREATE ROLE "+login+" LOGIN IN ROLE skeldir_readonly")
	t.Cleanup(func() { db.Exec(t, "DROP ROLE "+login) })

	if _, errOut, code := cli(t, db, "analyst", "grant", "--tenant", tn.ID, "--login", "skeldird_api"); code != 1 ||
		!strings.Contains(errOut, "not a login in skeldir_readonly") {
		t.Errorf("binding the API login: exit %d %s", code, errOut)
	}
	if _, errOut, code := cli(t, db, "analyst", "grant", "--tenant", tn.ID, "--login", login); code != 0 {
		t.Fatalf("analyst grant: exit %d %s", code, errOut)
	}
	if out, _, _ := cli(t, db, "analyst", "list", "--json"); !strings.Contains(out, login) || !strings.Contains(out, tn.ID) {
		t.Errorf("analyst list does not show the binding: %s", out)
	}
	if out, errOut, code := cli(t, db, "analyst", "revoke", "--login", login, "--json"); code != 0 || !strings.Contains(out, `"revoked": true`) {
		t.Errorf("analyst revoke: exit %d %s %s", code, out, errOut)
	}
}

func expectAuditFailure(t *testing.T, db *testdb.DB, want string) {
	t.Helper()
	out, _, code := cli(t, db, "audit")
	if code != 1 {
		t.Fatalf("audit exit %d, want 1:\n%s", code, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "FAIL") && strings.Contains(line, want) {
			return
		}
	}
	t.Errorf("no FAIL line names %q:\n%s", want, out)
}
