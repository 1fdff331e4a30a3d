package config

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The systemd example under deploy/ documents every setting with the
// code's default, so it cannot drift from the settings table.
const envExample = "../../deploy/systemd/skeldird.env.example"

var envLine = regexp.MustCompile(`^(#?)([A-Z][A-Z0-9_]*)=(.*)$`)

func TestEnvExampleListsEverySettingWithItsDefault(t *testing.T) {
	raw, err := os.ReadFile(envExample)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]setting{}
	for _, s := range settings {
		known[s.name] = s
	}
	seen := map[string]bool{}
	set := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		m := envLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		commented, name, value := m[1] == "#", m[2], m[3]
		s, ok := known[name]
		if !ok {
			t.Errorf("%s sets %s, which skeldird does not read", envExample, name)
			continue
		}
		seen[name] = true
		if commented && s.def != "" && value != s.def {
			t.Errorf("%s: %s shown as %q, but its default is %q", envExample, name, value, s.def)
		}
		if !commented {
			set[name] = value
		}
	}
	for _, s := range settings {
		if !seen[s.name] {
			t.Errorf("%s does not mention %s", envExample, s.name)
		}
	}
	if _, err := Load(lookupFrom(set)); err != nil {
		t.Errorf("the example's settings do not load: %v", err)
	}
}

// systemd must not kill the API before its own shutdown grace has passed.
func TestAPIUnitOutwaitsShutdownTimeout(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/systemd/skeldird.service")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^TimeoutStopSec=(\S+)$`).FindSubmatch(raw)
	if m == nil {
		t.Fatal("skeldird.service sets no TimeoutStopSec")
	}
	stop, err := time.ParseDuration(string(m[1]))
	if err != nil {
		t.Fatalf("TimeoutStopSec=%s: write it as a Go-style duration such as 20s: %v", m[1], err)
	}
	c, err := Load(lookupFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	if stop <= c.ShutdownTimeout {
		t.Errorf("TimeoutStopSec=%s does not exceed SKELDIR_SHUTDOWN_TIMEOUT's default %s", stop, c.ShutdownTimeout)
	}
}
