package dispatch

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The document passes redocly lint: Redocly's recommended rules with every
// warning an error (redocly.yaml at the repository root; the problems that
// are the design are listed with their reasons in .redocly.lint-ignore.yaml
// beside it). @redocly/cli is pinned in package.json; a checkout without it
// fails here rather than skipping the lint. The lint needs no network:
// telemetry and the update check are off.
func TestOpenAPILintsClean(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "node_modules", ".bin", "redocly")
	if _, err := os.Stat(bin); errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s is missing: run npm ci (make deps does), which installs @redocly/cli as pinned in package.json", bin)
	} else if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "lint", "--config", filepath.Join(root, "redocly.yaml"), "--format", "stylish",
		"openapi.json")
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redocly lint internal/dispatch/openapi.json (%v): fix the document, or add a problem that is the design to .redocly.lint-ignore.yaml with its reason:\n%s", err, out)
	}
}
