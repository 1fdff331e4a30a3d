// Package database opens connection pools to PostgreSQL.
package database

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Open returns a pool of at most maxConns connections to url, labelled
// application_name=app in pg_stat_activity. It does not wait for the
// database: the daemon must start, and answer /health/live, while PostgreSQL
// is still down.
func Open(ctx context.Context, url, app string, maxConns int) (*pgxpool.Pool, error) {
	if url == "" {
		return nil, fmt.Errorf("no database URL configured for %s", app)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL for %s: %w", app, err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = app
	// A backend notices within a second that its client went away (a killed
	// daemon) and abandons the statement, releasing its locks, instead of
	// running on until the statement ends by itself.
	cfg.ConnConfig.RuntimeParams["client_connection_check_interval"] = "1000"
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	cfg.HealthCheckPeriod = 15 * time.Second
	cfg.MaxConns = int32(maxConns)
	return pgxpool.NewWithConfig(ctx, cfg)
}
