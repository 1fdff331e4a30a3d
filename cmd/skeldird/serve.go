package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/skeldir/skeldir/internal/database"
	"github.com/skeldir/skeldir/internal/dispatch"
	"github.com/skeldir/skeldir/internal/metrics"
)

func runServe(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "serve", "serve")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg := env.cfg
	logger := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	if int(cfg.DBMaxConns) <= cfg.IngestWorkers {
		return fmt.Errorf("SKELDIR_DB_MAX_CONNS (%d) must exceed SKELDIR_INGEST_WORKERS (%d), leaving connections for other requests",
			cfg.DBMaxConns, cfg.IngestWorkers)
	}
	pool, err := database.Open(ctx, cfg.DatabaseURL, "skeldird-api", cfg.DBMaxConns)
	if err != nil {
		return err
	}
	defer pool.Close()

	// Background work stops only after the server has answered its last
	// request (deferred calls run last in, first out).
	workCtx, stopWork := context.WithCancel(context.Background())
	defer stopWork()
	handler := dispatch.NewRouter(workCtx, dispatch.Options{
		DB:            pool,
		Logger:        logger,
		Registry:      metrics.NewRegistry(),
		ReadyTimeout:  cfg.ReadyTimeout,
		MaxBodyBytes:  cfg.MaxBodyBytes,
		IngestWorkers: cfg.IngestWorkers,
	})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	logger.Info("serving", "addr", ln.Addr().String())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}

	logger.Info("shutting down", "grace", cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}
