package metrics_test

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/skeldir/skeldir/internal/metrics"
)

// The Grafana dashboard under deploy/ must query only metrics and labels
// that the code exports, so a renamed metric breaks this test instead of an
// operator's panel at night.
const dashboardPath = "../../deploy/grafana/skeldir.json"

// planned are metrics the dashboard may show before any code exports them;
// every panel using one says PLANNED in its title. None today.
var planned = map[string]bool{}

// labels every scraped series carries, added by Prometheus, not by us.
var targetLabels = map[string]bool{"job": true, "instance": true}

// exported registers every metric of this package (as the API and worker
// listeners do), feeds each one observation so that vectors have series,
// and returns each series name with its label names.
func exported(t *testing.T) map[string]map[string]bool {
	t.Helper()
	reg := prometheus.NewRegistry() // our metrics only; NewRegistry adds Go and process collectors
	metrics.NewHTTP(reg).Observe("/health/live", "GET", 200, time.Millisecond)
	metrics.NewWebhooks(reg).Observe("shopify", "accepted")
	metrics.NewJobs(reg).Observe("health.probe", "completed", time.Millisecond)
	metrics.RegisterQueueStats(reg, func(context.Context) ([]metrics.QueueRow, error) {
		return []metrics.QueueRow{{Queue: "housekeeping", State: "available", Jobs: 1, OldestDueSeconds: 1}}, nil
	})
	metrics.RegisterMatviewStats(reg, func(context.Context) ([]metrics.MatviewRow, error) {
		return []metrics.MatviewRow{{View: "mv_daily_revenue_summary", Outcome: "refreshed", Refreshes: 1, Seconds: 1}}, nil
	})
	metrics.NewChangeFeed(reg).Applied(1, 1)
	// The database-backed collectors count failed reads only after one.
	failing := prometheus.NewRegistry()
	metrics.RegisterQueueStats(failing, func(context.Context) ([]metrics.QueueRow, error) { return nil, context.Canceled })
	metrics.RegisterMatviewStats(failing, func(context.Context) ([]metrics.MatviewRow, error) { return nil, context.Canceled })

	out := map[string]map[string]bool{}
	for _, g := range []prometheus.Gatherer{reg, failing} {
		families, err := g.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range families {
			names := []string{f.GetName()}
			if f.GetType().String() == "HISTOGRAM" {
				names = append(names, f.GetName()+"_bucket", f.GetName()+"_sum", f.GetName()+"_count")
			}
			for _, n := range names {
				if out[n] == nil {
					out[n] = map[string]bool{}
				}
				for _, m := range f.GetMetric() {
					for _, l := range m.GetLabel() {
						out[n][l.GetName()] = true
					}
				}
				if strings.HasSuffix(n, "_bucket") {
					out[n]["le"] = true
				}
			}
		}
	}
	return out
}

type panel struct {
	ID         int             `json:"id"`
	Type       string          `json:"type"`
	Title      string          `json:"title"`
	Datasource json.RawMessage `json:"datasource"`
	Panels     []panel         `json:"panels"`
	Targets    []struct {
		Expr       string          `json:"expr"`
		Datasource json.RawMessage `json:"datasource"`
	} `json:"targets"`
}

type dashboard struct {
	UID           string  `json:"uid"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []struct {
			Name, Type, Query string
		} `json:"list"`
	} `json:"templating"`
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	raw, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s is not valid JSON: %v", dashboardPath, err)
	}
	return d
}

func allPanels(ps []panel) []panel {
	var out []panel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, allPanels(p.Panels)...)
	}
	return out
}

var (
	quoted    = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	matchers  = regexp.MustCompile(`\{([^}]*)\}`)
	ranges    = regexp.MustCompile(`\[[^\]]*\]`)
	grouping  = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)`)
	calls     = regexp.MustCompile(`\b[a-z_]+\s*\(`)
	keywords  = regexp.MustCompile(`\b(?:and|or|unless|bool|offset)\b`)
	ident     = regexp.MustCompile(`\b[a-zA-Z_:][a-zA-Z0-9_:]*`)
	labelName = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)`)
)

// parseExpr returns the metric names an expression selects and the label
// names it matches or groups by. It understands the PromQL the dashboard
// uses (selectors, ranges, functions, by/without), not all of PromQL.
func parseExpr(expr string) (names, labels []string) {
	s := quoted.ReplaceAllString(expr, `""`)
	for _, m := range matchers.FindAllStringSubmatch(s, -1) {
		for _, l := range labelName.FindAllStringSubmatch(m[1], -1) {
			labels = append(labels, l[1])
		}
	}
	s = matchers.ReplaceAllString(s, " ")
	s = ranges.ReplaceAllString(s, " ")
	for _, g := range grouping.FindAllStringSubmatch(s, -1) {
		for _, l := range strings.Split(g[1], ",") {
			if l = strings.TrimSpace(l); l != "" {
				labels = append(labels, l)
			}
		}
	}
	s = grouping.ReplaceAllString(s, " ")
	s = calls.ReplaceAllString(s, "(")
	s = keywords.ReplaceAllString(s, " ")
	return ident.FindAllString(s, -1), labels
}

func TestParseExpr(t *testing.T) {
	names, labels := parseExpr(`histogram_quantile(0.99, sum by (route, le) (rate(a_bucket{code=~"5.."}[$__rate_interval]))) / clamp_min(sum(b), 1e-9)`)
	if strings.Join(names, ",") != "a_bucket,b" || strings.Join(labels, ",") != "code,route,le" {
		t.Fatalf("names %v labels %v", names, labels)
	}
}

func TestDashboardQueriesOurMetrics(t *testing.T) {
	have := exported(t)
	d := readDashboard(t)
	used := map[string]bool{}
	queries := 0
	for _, p := range allPanels(d.Panels) {
		for _, tg := range p.Targets {
			queries++
			names, labels := parseExpr(tg.Expr)
			if len(names) == 0 {
				t.Errorf("panel %q: no metric in %q", p.Title, tg.Expr)
			}
			known := map[string]bool{}
			for l := range targetLabels {
				known[l] = true
			}
			for _, n := range names {
				used[n] = true
				switch {
				case have[n] != nil:
					for l := range have[n] {
						known[l] = true
					}
				case planned[n]:
					if !strings.Contains(p.Title, "PLANNED") {
						t.Errorf("panel %q queries planned metric %s but its title does not say PLANNED", p.Title, n)
					}
				default:
					t.Errorf("panel %q queries %s, which the code does not export (have: %s)", p.Title, n, strings.Join(sortedKeys(have), ", "))
				}
			}
			for _, l := range labels {
				if !known[l] && !usesPlanned(names) {
					t.Errorf("panel %q: label %q is not a label of %v", p.Title, l, names)
				}
			}
		}
	}
	if queries == 0 {
		t.Fatal("the dashboard has no queries")
	}
	for n := range planned {
		if have[n] != nil {
			t.Errorf("%s is exported now: drop it from planned and PLANNED from its panels", n)
		}
		if !used[n] {
			t.Errorf("planned metric %s is not on the dashboard: drop it from planned", n)
		}
	}
}

func TestDashboardShape(t *testing.T) {
	d := readDashboard(t)
	if d.UID == "" || d.SchemaVersion < 39 {
		t.Errorf("uid %q schemaVersion %d: want a uid and a current schema", d.UID, d.SchemaVersion)
	}
	var dsVar bool
	for _, v := range d.Templating.List {
		dsVar = dsVar || (v.Name == "datasource" && v.Type == "datasource" && v.Query == "prometheus")
	}
	if !dsVar {
		t.Error(`want a template variable "datasource" of type datasource over prometheus`)
	}
	ids := map[int]bool{}
	for _, p := range allPanels(d.Panels) {
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if !strings.Contains(string(p.Datasource), "${datasource}") {
			t.Errorf("panel %q does not use the datasource variable", p.Title)
		}
		for _, tg := range p.Targets {
			if !strings.Contains(string(tg.Datasource), "${datasource}") {
				t.Errorf("a query of panel %q does not use the datasource variable", p.Title)
			}
		}
	}
}

func usesPlanned(names []string) bool {
	for _, n := range names {
		if planned[n] {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
