package main_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skeldir/skeldir/internal/testdaemon"
	"github.com/skeldir/skeldir/internal/testdb"
)

// authFixture is a database with one tenant and one user, and the user's
// credentials.
type authFixture struct {
	db              *testdb.DB
	tenant, user    string
	email, password string
}

func newAuthFixture(t *testing.T) authFixture {
	t.Helper()
	db := testdb.New(t)
	out, errOut, code := cli(t, db, "tenant", "create", "--name", "Auth", "--json")
	if code != 0 {
		t.Fatalf("tenant create: exit %d: %s", code, errOut)
	}
	var tenant struct {
		TenantID string `json:"tenant_id"`
	}
	json.Unmarshal([]byte(out), &tenant)
	f := authFixture{db: db, tenant: tenant.TenantID, email: "Dana@Example.com", password: "correct horse battery"}
	out, errOut, code = cliStdin(t, db, f.password+"\n", "user", "create", "--tenant", f.tenant, "--email", f.email, "--json")
	if code != 0 {
		t.Fatalf("user create: exit %d: %s", code, errOut)
	}
	var user struct {
		UserID string `json:"user_id"`
		Email  string `json:"email"`
	}
	if err := json.Unmarshal([]byte(out), &user); err != nil || user.Email != "dana@example.com" {
		t.Fatalf("user create printed %q (%v)", out, err)
	}
	f.user = user.UserID
	return f
}

// cliStdin is cli with stdin.
func cliStdin(t *testing.T, db *testdb.DB, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(testdaemon.Binary(t), args...)
	cmd.Env = append(append(os.Environ(), db.Env()...), "ADMIN_DATABASE_URL="+db.URL(testdb.Admin))
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Run()
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	TenantID     string `json:"tenant_id"`
	User         struct {
		ID, Email, TenantID string
	} `json:"user"`
}

func postJSON(t *testing.T, d *testdaemon.Daemon, path string, body any, header map[string]string) (int, map[string]string, []byte) {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		raw, _ = json.Marshal(b)
	}
	resp, out := d.Do(t, "POST", path, raw, header)
	return resp.StatusCode, map[string]string{"Content-Type": resp.Header.Get("Content-Type"),
		"Retry-After": resp.Header.Get("Retry-After")}, out
}

func login(t *testing.T, d *testdaemon.Daemon, email, password string) (int, map[string]string, tokens) {
	t.Helper()
	code, h, body := postJSON(t, d, "/api/auth/login", map[string]string{"email": email, "password": password}, nil)
	var tk tokens
	if code == 200 {
		if err := json.Unmarshal(body, &tk); err != nil {
			t.Fatalf("login body: %v: %s", err, body)
		}
	}
	return code, h, tk
}

func refresh(t *testing.T, d *testdaemon.Daemon, token string) (int, tokens) {
	t.Helper()
	code, _, body := postJSON(t, d, "/api/auth/refresh", map[string]string{"refresh_token": token}, nil)
	var tk tokens
	json.Unmarshal(body, &tk)
	return code, tk
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

func TestUserCreateReadsThePasswordFromStdin(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t)
	if _, errOut, code := cliStdin(t, f.db, "\n", "user", "create", "--tenant", f.tenant, "--email", "x@example.com"); code != 2 ||
		!strings.Contains(errOut, "empty") {
		t.Errorf("empty password: exit %d, %s", code, errOut)
	}
	if _, errOut, code := cliStdin(t, f.db, "another password\n", "user", "create", "--tenant", f.tenant, "--email", " DANA@example.com"); code != 1 ||
		!strings.Contains(errOut, "already exists") {
		t.Errorf("duplicate email: exit %d, %s", code, errOut)
	}
	if out, errOut, code := cliStdin(t, f.db, "", "user", "create", "--help"); code != 0 || !strings.Contains(out+errOut, "stdin") {
		t.Errorf("--help: exit %d, %s%s", code, out, errOut)
	}
	var stored string
	f.db.Pool(t, testdb.Superuser).QueryRow(context.Background(),
		"SELECT password_hash FROM skeldir.users WHERE id = $1", f.user).Scan(&stored)
	if !strings.HasPrefix(stored, "$2a$10$") || strings.Contains(stored, f.password) {
		t.Errorf("stored %q, want a bcrypt hash", stored)
	}
}

// Acceptance 1: 20 wrong passwords from one address → 429 with Retry-After;
// after the window the right password works.
func TestLoginIsRateLimitedAndRecoversAfterTheWindow(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t)
	// A short window (bcrypt makes each failure take a while, so not too
	// short); the address limit above the email's so the email's shows first.
	d := startAPI(t, f.db, "SKELDIR_LOGIN_WINDOW=4s", "SKELDIR_LOGIN_MAX_PER_IP=12", "SKELDIR_LOGIN_MAX_PER_EMAIL=10")

	var statuses []int
	var retryAfter string
	for i := 0; i < 20; i++ {
		code, h, _ := login(t, d, f.email, "wrong password "+strconv.Itoa(i))
		statuses = append(statuses, code)
		if code == 429 {
			retryAfter = h["Retry-After"]
		}
		if h["Content-Type"] != "application/problem+json" {
			t.Fatalf("attempt %d: %d with %s", i+1, code, h["Content-Type"])
		}
	}
	for i, code := range statuses {
		if want := map[bool]int{true: 401, false: 429}[i < 10]; code != want {
			t.Fatalf("statuses %v: attempt %d got %d, want %d", statuses, i+1, code, want)
		}
	}
	if n, err := strconv.Atoi(retryAfter); err != nil || n < 1 || n > 4 {
		t.Fatalf("Retry-After %q, want 1 to 4 seconds", retryAfter)
	}
	code, h, _ := login(t, d, f.email, f.password)
	if code != 429 {
		t.Fatalf("right password while limited: %d, want 429", code)
	}
	// The window passes: the failures it counted age past it (the test
	// moves the recorded times instead of waiting for the clock).
	if h["Retry-After"] == "" {
		t.Fatal("429 without Retry-After")
	}
	f.db.Exec(t, "UPDATE skeldir.login_failures SET failed_at = failed_at - interval '1 minute'")
	code, _, tk := login(t, d, f.email, f.password)
	if code != 200 || tk.AccessToken == "" || tk.RefreshToken == "" || tk.TokenType != "Bearer" || tk.ExpiresIn != 900 ||
		tk.User.ID != f.user || tk.TenantID != f.tenant {
		t.Fatalf("right password after the window: %d %+v", code, tk)
	}

	// An address spraying many emails is limited too, whichever email.
	for i := 0; i < 12; i++ {
		login(t, d, "nobody"+strconv.Itoa(i)+"@example.com", "guessed password")
	}
	if code, h, _ := login(t, d, f.email, f.password); code != 429 || h["Retry-After"] == "" {
		t.Errorf("after 12 failures on other emails: %d (Retry-After %q), want 429", code, h["Retry-After"])
	}
}

func TestWrongEmailAndWrongPasswordLookAlike(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t)
	d := startAPI(t, f.db)
	_, _, wrongPassword := postJSON(t, d, "/api/auth/login", map[string]string{"email": f.email, "password": "not the password"}, nil)
	code, _, unknownEmail := postJSON(t, d, "/api/auth/login", map[string]string{"email": "who@example.com", "password": f.password}, nil)
	detail := func(b []byte) string {
		var p struct{ Type, Detail string }
		json.Unmarshal(b, &p)
		return p.Type + " " + p.Detail
	}
	if code != 401 || detail(wrongPassword) != detail(unknownEmail) {
		t.Errorf("unknown email %d %q vs wrong password %q", code, detail(unknownEmail), detail(wrongPassword))
	}
}

// Acceptance 2: rotation, reuse revokes the family, logout.
func TestRefreshRotatesDetectsReuseAndLogoutRevokes(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t)
	d := startAPI(t, f.db)

	_, _, first := login(t, d, f.email, f.password)
	code, second := refresh(t, d, first.RefreshToken)
	if code != 200 || second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.AccessToken == "" {
		t.Fatalf("refresh: %d %+v", code, second)
	}
	if code, _ := refresh(t, d, first.RefreshToken); code != 401 {
		t.Fatalf("the used refresh token again: %d, want 401", code)
	}
	if code, _ := refresh(t, d, second.RefreshToken); code != 401 {
		t.Fatalf("its successor after reuse was detected: %d, want 401 (the family is revoked)", code)
	}

	// Another session is untouched by that family's revocation; logout with
	// its refresh token ends it.
	_, _, other := login(t, d, f.email, f.password)
	code, _, body := postJSON(t, d, "/api/auth/logout", map[string]string{"refresh_token": other.RefreshToken}, bearer(other.AccessToken))
	var out struct {
		Success       bool   `json:"success"`
		CorrelationID string `json:"correlation_id"`
		RevokedTokens int    `json:"revoked_tokens"`
	}
	json.Unmarshal(body, &out)
	if code != 200 || !out.Success || out.CorrelationID == "" || out.RevokedTokens != 1 {
		t.Fatalf("logout: %d %s", code, body)
	}
	if code, _ := refresh(t, d, other.RefreshToken); code != 401 {
		t.Fatalf("refresh after logout: %d, want 401", code)
	}

	// Logout without a body (as the contract has it) ends every session.
	_, _, a := login(t, d, f.email, f.password)
	_, _, b := login(t, d, f.email, f.password)
	if code, _, body := postJSON(t, d, "/api/auth/logout", nil, bearer(a.AccessToken)); code != 200 {
		t.Fatalf("logout without body: %d %s", code, body)
	}
	for _, s := range []tokens{a, b} {
		if code, _ := refresh(t, d, s.RefreshToken); code != 401 {
			t.Errorf("refresh after logging out everywhere: %d, want 401", code)
		}
	}
	if code, _, _ := postJSON(t, d, "/api/auth/logout", nil, nil); code != 401 {
		t.Errorf("logout without a bearer token: %d, want 401", code)
	}
}

func TestVerifyAcceptsValidTokensOnly(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t)
	d := startAPI(t, f.db)

	_, _, session := login(t, d, f.email, f.password)
	resp, body := d.Do(t, "GET", "/api/auth/verify", nil, bearer(session.AccessToken))
	var v struct {
		Valid     bool   `json:"valid"`
		UserID    string `json:"user_id"`
		TenantID  string `json:"tenant_id"`
		ExpiresAt string `json:"expires_at"`
	}
	json.Unmarshal(body, &v)
	if exp, err := time.Parse(time.RFC3339, v.ExpiresAt); resp.StatusCode != 200 || !v.Valid || v.UserID != f.user ||
		v.TenantID != f.tenant || err != nil || time.Until(exp) < 10*time.Minute {
		t.Fatalf("verify: %d %s", resp.StatusCode, body)
	}

	// Tokens built here the way a forger would: the same JWT, altered.
	good := session.AccessToken
	parts := strings.Split(good, ".")
	var secret []byte
	if err := f.db.Pool(t, testdb.Superuser).QueryRow(context.Background(),
		"SELECT secret FROM skeldir.token_keys WHERE retired_at IS NULL").Scan(&secret); err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	sign := func(key []byte, header, payload string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(header + "." + payload))
		return header + "." + payload + "." + b64(m.Sum(nil))
	}
	claims := func(tenant string, exp int64) string {
		return b64([]byte(`{"sub":"` + f.user + `","tid":"` + tenant + `","sid":"` + sessionOf(t, good) +
			`","iat":1,"exp":` + strconv.FormatInt(exp, 10) + `}`))
	}
	later := time.Now().Add(time.Hour).Unix()
	otherTenant := "6a3c7d44-5b1e-4c55-9d2f-7b8e0f1a2c3d"
	tampered := good[:len(good)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(good, "AA")]
	for name, token := range map[string]string{
		"tampered signature":              tampered,
		"payload naming another tenant":   parts[0] + "." + claims(otherTenant, later) + "." + parts[2],
		"signed with a key we never held": sign(bytes.Repeat([]byte("k"), 32), parts[0], claims(f.tenant, later)),
		"alg none":                        b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + claims(f.tenant, later) + ".",
		"unknown kid": sign(secret, b64([]byte(`{"alg":"HS256","typ":"JWT","kid":"0000000000000000"}`)),
			claims(f.tenant, later)),
		"garbage": "abc", "empty parts": "..",
	} {
		resp, body := d.Do(t, "GET", "/api/auth/verify", nil, bearer(token))
		if resp.StatusCode != 401 || resp.Header.Get("Content-Type") != "application/problem+json" ||
			!strings.Contains(string(body), "the access token is invalid") {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
	}

	// Signed with our key but expired; then one issued for a short life.
	expired := sign(secret, parts[0], claims(f.tenant, time.Now().Add(-time.Second).Unix()))
	if resp, body := d.Do(t, "GET", "/api/auth/verify", nil, bearer(expired)); resp.StatusCode != 401 ||
		!strings.Contains(string(body), "expired") {
		t.Errorf("expired token: %d %s", resp.StatusCode, body)
	}
	// The configured lifetime is the one issued (the expiry itself is the
	// expired token's refusal above: no waiting for a clock).
	short := startAPI(t, f.db, "SKELDIR_ACCESS_TOKEN_TTL=7s")
	_, _, tk := login(t, short, f.email, f.password)
	var life struct{ IAT, EXP int64 }
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(tk.AccessToken, ".")[1])
	if err := json.Unmarshal(payload, &life); err != nil || life.EXP-life.IAT != 7 || tk.ExpiresIn != 7 {
		t.Errorf("SKELDIR_ACCESS_TOKEN_TTL=7s issued a token living %d s (expires_in %d): %s", life.EXP-life.IAT, tk.ExpiresIn, payload)
	}
}

// sessionOf is the sid claim of a token.
func sessionOf(t *testing.T, token string) string {
	t.Helper()
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	var c struct {
		SID string `json:"sid"`
	}
	if err != nil || json.Unmarshal(payload, &c) != nil || c.SID == "" {
		t.Fatalf("no sid in %s", payload)
	}
	return c.SID
}

// Acceptance 2 (issue 13): revocation takes effect on the next request, on
// every route, exports included.
func TestALoggedOutOrDisabledUsersTokenIsRefusedAtOnce(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t)
	d := startAPI(t, f.db)
	routes := []string{"/api/auth/verify", "/api/attribution/channels", "/api/reconciliation/status",
		"/api/export/revenue?format=csv&start_date=2026-01-01&end_date=2026-01-02", "/api/health/detailed"}
	refused := func(when, token string) {
		t.Helper()
		for _, route := range routes {
			resp, body := d.Do(t, "GET", route, nil, bearer(token))
			if resp.StatusCode != 401 || !strings.Contains(string(body), "session has ended") {
				t.Errorf("%s, %s: %d %s", when, route, resp.StatusCode, body)
			}
		}
	}
	_, _, kept := login(t, d, f.email, f.password)
	_, _, ended := login(t, d, f.email, f.password)
	for _, route := range routes {
		if resp, body := d.Do(t, "GET", route, nil, bearer(ended.AccessToken)); resp.StatusCode != 200 {
			t.Fatalf("before logout, %s: %d %s", route, resp.StatusCode, body)
		}
	}
	if code, _, body := postJSON(t, d, "/api/auth/logout", map[string]string{"refresh_token": ended.RefreshToken},
		bearer(ended.AccessToken)); code != 200 {
		t.Fatalf("logout: %d %s", code, body)
	}
	refused("after logout", ended.AccessToken)
	if resp, body := d.Do(t, "GET", "/api/auth/verify", nil, bearer(kept.AccessToken)); resp.StatusCode != 200 {
		t.Fatalf("another session after that logout: %d %s", resp.StatusCode, body)
	}
	if _, errOut, code := cli(t, f.db, "user", "disable", "--tenant", f.tenant, "--email", f.email); code != 0 {
		t.Fatalf("user disable: exit %d: %s", code, errOut)
	}
	refused("after the user was disabled", kept.AccessToken)
}

// Key rotation: both keys' tokens verify until the old key is retired; the
// key that signs cannot be retired.
func TestTokenKeyRotationKeepsBothKeysUntilTheOldIsRetired(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t)
	d := startAPI(t, f.db)
	keys := func() (signing string, all []string) {
		out, errOut, code := cli(t, f.db, "token-key", "list", "--json")
		var list struct {
			Keys []struct {
				Kid     string `json:"kid"`
				Signing bool   `json:"signing"`
			} `json:"keys"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &list) != nil {
			t.Fatalf("token-key list: exit %d %s %s", code, out, errOut)
		}
		for _, k := range list.Keys {
			all = append(all, k.Kid)
			if k.Signing {
				signing = k.Kid
			}
		}
		return signing, all
	}
	verifies := func(token string) bool {
		resp, _ := d.Do(t, "GET", "/api/auth/verify", nil, bearer(token))
		return resp.StatusCode == 200
	}
	old, _ := keys()
	_, _, before := login(t, d, f.email, f.password)
	if _, errOut, code := cli(t, f.db, "token-key", "retire", "--kid", old); code != 1 || !strings.Contains(errOut, "rotate") {
		t.Errorf("retiring the signing key: exit %d %s", code, errOut)
	}
	if _, errOut, code := cli(t, f.db, "token-key", "rotate"); code != 0 {
		t.Fatalf("rotate: exit %d %s", code, errOut)
	}
	current, all := keys()
	if current == old || len(all) != 2 {
		t.Fatalf("after rotate: signing %s of %v (was %s)", current, all, old)
	}
	_, _, after := login(t, d, f.email, f.password)
	if !verifies(before.AccessToken) || !verifies(after.AccessToken) {
		t.Fatalf("after rotation: old key's token %v, new key's %v; want both valid", verifies(before.AccessToken), verifies(after.AccessToken))
	}
	if _, errOut, code := cli(t, f.db, "token-key", "retire", "--kid", old); code != 0 {
		t.Fatalf("retire: exit %d %s", code, errOut)
	}
	if verifies(before.AccessToken) || !verifies(after.AccessToken) {
		t.Errorf("after retiring the old key: its token %v, the new key's %v; want refused, valid", verifies(before.AccessToken), verifies(after.AccessToken))
	}
}

func TestAuthBadInputIsAProblemNamingTheField(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t)
	d := startAPI(t, f.db)
	_, _, tk := login(t, d, f.email, f.password)
	_, _, otherSession := login(t, d, f.email, f.password)
	other := otherSession.AccessToken

	cases := []struct {
		name, path, body string
		header           map[string]string
		field            string
	}{
		{"login body not JSON", "/api/auth/login", "{", nil, ""},
		{"login body an array", "/api/auth/login", "[]", nil, ""},
		{"login without email", "/api/auth/login", `{"password":"long enough"}`, nil, "email"},
		{"login email not a string", "/api/auth/login", `{"email":5,"password":"long enough"}`, nil, "email"},
		{"login malformed email", "/api/auth/login", `{"email":"no-at-sign","password":"long enough"}`, nil, "email"},
		{"login email with NUL", "/api/auth/login", `{"email":"a\u0000@example.com","password":"long enough"}`, nil, "email"},
		{"login without password", "/api/auth/login", `{"email":"a@example.com"}`, nil, "password"},
		{"login short password", "/api/auth/login", `{"email":"a@example.com","password":"short"}`, nil, "password"},
		{"refresh without token", "/api/auth/refresh", `{}`, nil, "refresh_token"},
		{"refresh token not a string", "/api/auth/refresh", `{"refresh_token":[1]}`, nil, "refresh_token"},
		{"logout token not a string", "/api/auth/logout", `{"refresh_token":12}`, bearer(other), "refresh_token"},
		{"logout someone else's token", "/api/auth/logout", `{"refresh_token":"skr_00"}`, bearer(other), "refresh_token"},
	}
	for _, c := range cases {
		code, h, body := postJSON(t, d, c.path, c.body, c.header)
		var p struct {
			Status int `json:"status"`
			Errors []struct {
				Field string `json:"field"`
			} `json:"errors"`
		}
		json.Unmarshal(body, &p)
		field := ""
		if len(p.Errors) == 1 {
			field = p.Errors[0].Field
		}
		if code != 400 || h["Content-Type"] != "application/problem+json" || field != c.field {
			t.Errorf("%s: %d %s %s, want 400 naming %q", c.name, code, h["Content-Type"], body, c.field)
		}
	}
	// None of that spent the session's refresh token.
	if code, _ := refresh(t, d, tk.RefreshToken); code != 200 {
		t.Errorf("refresh after bad requests: %d", code)
	}
}

func TestOperatorsResetPasswordsAndDisableUsersEndingTheirSessions(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t)
	d := startAPI(t, f.db)
	verify := func(access string) int {
		resp, _ := d.Do(t, "GET", "/api/auth/verify", nil, map[string]string{"Authorization": "Bearer " + access})
		return resp.StatusCode
	}

	_, _, before := login(t, d, f.email, f.password)
	if _, errOut, code := cliStdin(t, f.db, "a brand new password\n", "user", "set-password", "--tenant", f.tenant,
		"--email", strings.ToUpper(f.email)); code != 0 {
		t.Fatalf("set-password: exit %d: %s", code, errOut)
	}
	if code, _, _ := login(t, d, f.email, f.password); code != 401 {
		t.Errorf("the old password after a reset: %d", code)
	}
	if code, _ := refresh(t, d, before.RefreshToken); code != 401 {
		t.Errorf("a session from before the reset refreshed: %d", code)
	}
	code, _, after := login(t, d, f.email, "a brand new password")
	if code != 200 {
		t.Fatalf("the new password: %d", code)
	}

	if _, errOut, code := cliStdin(t, f.db, "", "user", "disable", "--tenant", f.tenant, "--email", f.email); code != 0 {
		t.Fatalf("disable: exit %d: %s", code, errOut)
	}
	if code, _, _ := login(t, d, f.email, "a brand new password"); code != 401 {
		t.Errorf("a disabled user logged in: %d", code)
	}
	if code, _ := refresh(t, d, after.RefreshToken); code != 401 {
		t.Errorf("a disabled user's session refreshed: %d", code)
	}
	if code := verify(after.AccessToken); code != 401 {
		t.Errorf("a disabled user's access token verified: %d", code)
	}
	if _, errOut, code := cliStdin(t, f.db, "", "user", "enable", "--tenant", f.tenant, "--email", f.email); code != 0 {
		t.Fatalf("enable: exit %d: %s", code, errOut)
	}
	if code, _, _ := login(t, d, f.email, "a brand new password"); code != 200 {
		t.Errorf("an enabled user could not log in: %d", code)
	}
	if _, errOut, code := cliStdin(t, f.db, "", "user", "disable", "--tenant", f.tenant, "--email", "nobody@example.com"); code != 1 ||
		!strings.Contains(errOut, "no user") {
		t.Errorf("disabling an unknown user: exit %d: %s", code, errOut)
	}
}
