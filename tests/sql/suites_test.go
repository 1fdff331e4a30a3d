// Package sql_test proves that the pgTAP suites in this folder can fail: a
// suite that passes on a database that breaks its rule proves nothing.
package sql_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/skeldir/skeldir/internal/testdb"
)

func TestSuitesNameWhatBreaksTheirRules(t *testing.T) {
	cases := []struct{ suite, breakIt, want string }{
		{"privileges.sql", "GRANT SELECT ON skeldir.tenants TO skeldir_api", "(skeldir_api,skeldir.tenants,SELECT)"},
		{"security_definer.sql", "ALTER FUNCTION api.readiness() RESET search_path", "api.readiness()"},
		{"rls.sql", "ALTER TABLE skeldir.tenant_api_keys NO FORCE ROW LEVEL SECURITY", "skeldir.tenant_api_keys"},
		{"tenant_isolation.sql", "DROP POLICY tenant_isolation ON skeldir.tenant_webhook_secrets; " +
			"CREATE POLICY leak ON skeldir.tenant_webhook_secrets USING (true)", "skeldir.tenant_webhook_secrets"},
		{"access_tokens.sql", "CREATE FUNCTION api.revenue_of(user_id uuid) RETURNS int LANGUAGE sql AS 'SELECT 1'",
			"api.revenue_of(uuid)"},
		{"analyst_binding.sql", "DROP POLICY analyst_binding ON skeldir.ad_spend", "skeldir.ad_spend"},
		{"leadership.sql", "GRANT EXECUTE ON FUNCTION worker.elect(text, text, interval) TO skeldir_api",
			"(skeldir_api,\"worker.elect(text, text, interval)\")"},
		{"books.sql", "ALTER TABLE skeldir.revenue_ledger OWNER TO skeldir_owner", "skeldir.revenue_ledger"},
		{"books.sql", "GRANT UPDATE ON skeldir.llm_api_calls TO skeldir_owner", "skeldir_owner on skeldir.llm_api_calls"},
		{"books.sql", "ALTER FUNCTION skeldir.try_take_turn(text) OWNER TO skeldir_books",
			"owns functions: skeldir.try_take_turn(text)"},
		{"books.sql", "ALTER TABLE skeldir.attribution_events DISABLE TRIGGER append_only",
			"skeldir.attribution_events append_only"},
		{"books.sql", "CREATE FUNCTION skeldir.grab() RETURNS void LANGUAGE sql AS 'SELECT pg_advisory_xact_lock(1)'",
			"skeldir.grab()"},
	}
	for _, c := range cases {
		t.Run(c.suite, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t)
			db.Exec(t, "CREATE EXTENSION pgtap")
			db.Exec(t, c.breakIt)
			cmd := exec.Command("pg_prove", "-U", testdb.Superuser, "-d", db.Name, c.suite)
			cmd.Env = append(os.Environ(), db.Env()...)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("%s passed after %q:\n%s", c.suite, c.breakIt, out)
			}
			if !strings.Contains(string(out), c.want) {
				t.Errorf("%s failed without naming %s:\n%s", c.suite, c.want, out)
			}
		})
	}
}
