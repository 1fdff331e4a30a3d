package config

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func lookupFrom(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := Load(lookupFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.ReadyTimeout != 2*time.Second || c.MaxBodyBytes != 1<<20 ||
		c.ShutdownTimeout != 10*time.Second || c.LogLevel != slog.LevelInfo || c.DatabaseURL != "" {
		t.Errorf("unexpected defaults: %+v", c)
	}
}

func TestEveryInvalidSettingIsReportedAtOnce(t *testing.T) {
	_, err := Load(lookupFrom(map[string]string{
		"SKELDIR_READY_TIMEOUT":  "soon",
		"SKELDIR_MAX_BODY_BYTES": "-1",
		"SKELDIR_LOG_LEVEL":      "loud",
	}))
	if err == nil {
		t.Fatal("invalid settings were accepted")
	}
	for _, name := range []string{"SKELDIR_READY_TIMEOUT", "SKELDIR_MAX_BODY_BYTES", "SKELDIR_LOG_LEVEL"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	var b bytes.Buffer
	Help(&b)
	for _, s := range settings {
		if !strings.Contains(b.String(), s.name) {
			t.Errorf("help lacks %s", s.name)
		}
	}
}
