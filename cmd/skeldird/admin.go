package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// connectAdmin opens one connection as the operator's login role
// (ADMIN_DATABASE_URL, a member of skeldir_admin).
func connectAdmin(ctx context.Context, env environment) (*pgx.Conn, error) {
	if env.cfg.AdminDatabaseURL == "" {
		return nil, errors.New("ADMIN_DATABASE_URL is not set (a login role that is a member of skeldir_admin)")
	}
	cfg, err := pgx.ParseConfig(env.cfg.AdminDatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse ADMIN_DATABASE_URL: %w", err)
	}
	cfg.RuntimeParams["application_name"] = "skeldird-admin"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect as admin: %w", err)
	}
	return conn, nil
}

// explain makes a database error read as what happened, with the server's
// hint when it gave one.
func explain(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		msg := pgErr.Message
		if pgErr.Detail != "" {
			msg += " (" + pgErr.Detail + ")"
		}
		if pgErr.Hint != "" {
			msg += "; " + pgErr.Hint
		}
		return errors.New(msg)
	}
	return err
}
