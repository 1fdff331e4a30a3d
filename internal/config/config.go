// Package config reads skeldird's settings from the environment.
//
// Every setting is declared once, in the settings table below, with its
// default and meaning; Load applies the table and Help prints it, so the
// documentation cannot drift from the code.
package config

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Config is the daemon's configuration. The zero value is not useful; build
// one with Load.
type Config struct {
	// DatabaseURL is how `serve` connects: a login role that is a member of
	// skeldir_api.
	DatabaseURL string
	// AdminDatabaseURL is how operator commands (tenant, user, dlq, audit) connect: a
	// login role that is a member of skeldir_admin.
	AdminDatabaseURL string
	// WorkerDatabaseURL is how the work loop connects: a login role that is a
	// member of skeldir_worker.
	WorkerDatabaseURL string
	// FeedDatabaseURL is the change feed's replication connection: a login
	// role with REPLICATION and nothing else, to the worker's database.
	FeedDatabaseURL string
	// WorkerMetricsAddr is the worker's own metrics listener.
	WorkerMetricsAddr string
	// WorkerExecutors is how many leased jobs run at once per queue.
	WorkerExecutors int
	// WorkerBatch is how many short jobs one database call runs.
	WorkerBatch int
	// WorkerPoll is how often queues are checked without a notification.
	WorkerPoll time.Duration
	// HTTPAddr is the API listener.
	HTTPAddr string
	// PublicURL is the API's address as clients reach it, for the absolute
	// URLs in answers (status_url); empty means http:// and the listener's.
	PublicURL string
	// DBMaxConns is the size of the API's connection pool.
	DBMaxConns int
	// IngestWorkers is how many webhook transactions run at once; deliveries
	// arriving meanwhile share the next ones (group commit).
	IngestWorkers int
	// ReadyTimeout bounds the database check behind /health/ready.
	ReadyTimeout time.Duration
	// WorkerProbeTimeout bounds the wait for a worker behind /health/worker.
	WorkerProbeTimeout time.Duration
	// MaxBodyBytes caps request bodies; larger ones get 413.
	MaxBodyBytes int64
	// ShutdownTimeout is how long in-flight requests may take to finish after
	// SIGTERM.
	ShutdownTimeout time.Duration
	// LogLevel is the minimum level of the JSON log on stderr.
	LogLevel slog.Level
	// AccessTokenTTL is how long an access token lasts.
	AccessTokenTTL time.Duration
	// RefreshTokenTTL is how long a refresh token lasts unused; each refresh
	// issues a new one.
	RefreshTokenTTL time.Duration
	// LoginWindow is the sliding window over which failed logins count.
	LoginWindow time.Duration
	// LoginMaxPerIP is how many failed logins one client address may have in
	// the window before it must wait.
	LoginMaxPerIP int
	// LoginMaxPerEmail is how many failed logins one email may have in the
	// window before it must wait.
	LoginMaxPerEmail int
	// TenantRate is the sustained dashboard requests per second one tenant
	// may make (per API replica).
	TenantRate float64
	// TenantBurst is how many requests a tenant may make at once above the
	// sustained rate.
	TenantBurst int
}

type setting struct {
	name, def, help string
	apply           func(c *Config, value string) error
}

var settings = []setting{
	{"DATABASE_URL", "", "PostgreSQL URL for `serve`, as a member of skeldir_api (passwords may come from PGPASSFILE)",
		func(c *Config, v string) error { c.DatabaseURL = v; return nil }},
	{"ADMIN_DATABASE_URL", "", "PostgreSQL URL for operator commands (tenant, user, dlq, audit), as a member of skeldir_admin",
		func(c *Config, v string) error { c.AdminDatabaseURL = v; return nil }},
	{"WORKER_DATABASE_URL", "", "PostgreSQL URL for the work loop (serve --role worker|all), as a member of skeldir_worker",
		func(c *Config, v string) error { c.WorkerDatabaseURL = v; return nil }},
	{"FEED_DATABASE_URL", "", "PostgreSQL URL for the change feed's replication connection (worker), to the same database: a login role with REPLICATION and nothing else; unset, the feed does not run",
		func(c *Config, v string) error { c.FeedDatabaseURL = v; return nil }},
	{"SKELDIR_HTTP_ADDR", "127.0.0.1:8080", "API listen address",
		func(c *Config, v string) error { c.HTTPAddr = v; return nil }},
	{"SKELDIR_PUBLIC_URL", "", "the API's base URL as clients reach it (e.g. https://api.example.com), for the absolute status_url of 202 answers; unset, http:// and the listen address",
		func(c *Config, v string) error {
			u, err := url.Parse(v)
			if err != nil || (v != "" && (u.Scheme != "http" && u.Scheme != "https" || u.Host == "")) {
				return errors.New("want an absolute http(s) URL")
			}
			c.PublicURL = strings.TrimSuffix(v, "/")
			return nil
		}},
	{"SKELDIR_DB_MAX_CONNS", "10", "connections the API pool may open (a few per PostgreSQL core is plenty)",
		positiveInto(func(c *Config) *int { return &c.DBMaxConns })},
	{"SKELDIR_INGEST_WORKERS", "2", "webhook transactions in flight at once (about the database's cores); deliveries arriving meanwhile are batched",
		positiveInto(func(c *Config) *int { return &c.IngestWorkers })},
	{"SKELDIR_WORKER_METRICS_ADDR", "127.0.0.1:9108", "the worker's metrics listener (job runs, durations, materialized view refreshes)",
		func(c *Config, v string) error { c.WorkerMetricsAddr = v; return nil }},
	{"SKELDIR_WORKER_EXECUTORS", "4", "leased (long) jobs run at once per queue",
		positiveInto(func(c *Config) *int { return &c.WorkerExecutors })},
	{"SKELDIR_WORKER_BATCH", "200", "short jobs run per database call",
		positiveInto(func(c *Config) *int { return &c.WorkerBatch })},
	{"SKELDIR_WORKER_POLL", "1s", "how often queues are checked without a notification (a lost NOTIFY only delays)",
		durationInto(func(c *Config) *time.Duration { return &c.WorkerPoll })},
	{"SKELDIR_READY_TIMEOUT", "2s", "deadline of the database check behind /health/ready",
		durationInto(func(c *Config) *time.Duration { return &c.ReadyTimeout })},
	{"SKELDIR_WORKER_PROBE_TIMEOUT", "5s", "how long /health/worker waits for a worker to run its probe job",
		durationInto(func(c *Config) *time.Duration { return &c.WorkerProbeTimeout })},
	{"SKELDIR_MAX_BODY_BYTES", "1048576", "largest accepted request body; larger gets 413",
		func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return errors.New("want a positive number of bytes")
			}
			c.MaxBodyBytes = n
			return nil
		}},
	{"SKELDIR_SHUTDOWN_TIMEOUT", "10s", "grace period for in-flight requests after SIGTERM",
		durationInto(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{"SKELDIR_LOG_LEVEL", "info", "debug, info, warn or error",
		func(c *Config, v string) error { return c.LogLevel.UnmarshalText([]byte(v)) }},
	{"SKELDIR_ACCESS_TOKEN_TTL", "15m", "how long a dashboard access token lasts (the database signs it; up to 24h)",
		durationInto(func(c *Config) *time.Duration { return &c.AccessTokenTTL })},
	{"SKELDIR_REFRESH_TOKEN_TTL", "720h", "how long a refresh token lasts unused (each refresh rotates it)",
		durationInto(func(c *Config) *time.Duration { return &c.RefreshTokenTTL })},
	{"SKELDIR_LOGIN_WINDOW", "15m", "sliding window over which failed logins count",
		durationInto(func(c *Config) *time.Duration { return &c.LoginWindow })},
	{"SKELDIR_LOGIN_MAX_PER_IP", "20", "failed logins one client address may have in the window; then 429 with Retry-After",
		positiveInto(func(c *Config) *int { return &c.LoginMaxPerIP })},
	{"SKELDIR_LOGIN_MAX_PER_EMAIL", "10", "failed logins one email may have in the window; then 429 with Retry-After",
		positiveInto(func(c *Config) *int { return &c.LoginMaxPerEmail })},
	{"SKELDIR_TENANT_RATE", "50", "dashboard requests per second one tenant may sustain, per API replica; beyond it 429 with Retry-After",
		func(c *Config, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || !(f > 0) || math.IsInf(f, 0) {
				return errors.New("want a positive number of requests per second")
			}
			c.TenantRate = f
			return nil
		}},
	{"SKELDIR_TENANT_BURST", "100", "dashboard requests one tenant may make at once above its rate",
		positiveInto(func(c *Config) *int { return &c.TenantBurst })},
}

func positiveInto(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errors.New("want a positive whole number")
		}
		*field(c) = n
		return nil
	}
}

func durationInto(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("want a positive duration such as 2s or 500ms")
		}
		*field(c) = d
		return nil
	}
}

// Load builds a Config from lookup (os.LookupEnv in production), falling back
// to each setting's default. It reports every invalid setting at once.
func Load(lookup func(string) (string, bool)) (Config, error) {
	var c Config
	var errs []error
	for _, s := range settings {
		v, ok := lookup(s.name)
		if !ok || v == "" {
			v = s.def
		}
		if v == "" {
			continue
		}
		if err := s.apply(&c, v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %w", s.name, v, err))
		}
	}
	return c, errors.Join(errs...)
}

// Help writes the table of settings, their defaults and meanings.
func Help(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Environment:")
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = "(required where used)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.name, def, strings.ReplaceAll(s.help, "`", ""))
	}
	tw.Flush()
}
