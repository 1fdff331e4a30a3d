package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/skeldir/skeldir/internal/changefeed"
	"github.com/skeldir/skeldir/internal/config"
	"github.com/skeldir/skeldir/internal/database"
	"github.com/skeldir/skeldir/internal/dispatch"
	"github.com/skeldir/skeldir/internal/metrics"
)

func runServe(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "serve", "serve [--role all|api|worker]")
	role := fs.String("role", "all", "all: the HTTP API, the work loop and the scheduler; api or worker: one of them")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *role != "all" && *role != "api" && *role != "worker" {
		fmt.Fprintf(env.stderr, "--role must be all, api or worker, not %q\n", *role)
		return errUsage
	}
	cfg := env.cfg
	// Refuse a half-configured role before anything starts, rather than run
	// with one part missing.
	if *role != "worker" && cfg.DatabaseURL == "" {
		return fmt.Errorf("DATABASE_URL is not set (the API's login role, a member of skeldir_api); or run --role worker")
	}
	if *role != "api" && cfg.WorkerDatabaseURL == "" {
		return fmt.Errorf("WORKER_DATABASE_URL is not set (the work loop's login role, a member of skeldir_worker); or run --role api")
	}
	logger := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	// Each part stops when ctx is done; serve returns once all have.
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	start := func(part func() error) {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- part() }()
	}
	if *role != "worker" {
		if cfg.DBMaxConns <= cfg.IngestWorkers {
			return fmt.Errorf("SKELDIR_DB_MAX_CONNS (%d) must exceed SKELDIR_INGEST_WORKERS (%d), leaving connections for other requests",
				cfg.DBMaxConns, cfg.IngestWorkers)
		}
		ln, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return err
		}
		start(func() error { return serveAPI(ctx, cfg, logger, ln) })
	}
	if *role != "api" {
		ln, err := net.Listen("tcp", cfg.WorkerMetricsAddr)
		if err != nil {
			return err
		}
		start(func() error { return serveWorker(ctx, cfg, logger, ln) })
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

func serveAPI(ctx context.Context, cfg config.Config, logger *slog.Logger, ln net.Listener) error {
	pool, err := database.Open(ctx, cfg.DatabaseURL, "skeldird-api", cfg.DBMaxConns)
	if err != nil {
		return err
	}
	defer pool.Close()

	// Background work stops only after the server has answered its last
	// request (deferred calls run last in, first out).
	workCtx, stopWork := context.WithCancel(context.Background())
	defer stopWork()
	publicURL := cfg.PublicURL
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	handler := dispatch.NewRouter(workCtx, dispatch.Options{
		PublicURL:          publicURL,
		DB:                 database.Transactional{Pool: pool},
		Logger:             logger,
		Registry:           metrics.NewRegistry(),
		ReadyTimeout:       cfg.ReadyTimeout,
		MaxBodyBytes:       cfg.MaxBodyBytes,
		IngestWorkers:      cfg.IngestWorkers,
		WorkerProbeTimeout: cfg.WorkerProbeTimeout,
		Auth: dispatch.AuthOptions{AccessTTL: cfg.AccessTokenTTL, RefreshTTL: cfg.RefreshTokenTTL, LoginWindow: cfg.LoginWindow,
			LoginMaxPerIP: cfg.LoginMaxPerIP, LoginMaxPerEmail: cfg.LoginMaxPerEmail,
			TenantRate: cfg.TenantRate, TenantBurst: cfg.TenantBurst},
	})
	logger.Info("serving", "addr", ln.Addr().String())
	return serveHTTP(ctx, cfg, logger, ln, handler)
}

func serveWorker(ctx context.Context, cfg config.Config, logger *slog.Logger, ln net.Listener) error {
	// Executors for every queue, a batch caller per queue, the listener,
	// the scheduler, and the change feed's leadership and calls each may hold
	// a connection.
	pool, err := database.Open(ctx, cfg.WorkerDatabaseURL, "skeldird-worker",
		len(dispatch.Queues)*(cfg.WorkerExecutors+1)+4)
	if err != nil {
		return err
	}
	defer pool.Close()

	reg := metrics.NewRegistry()
	metrics.RegisterMatviewStats(reg, dispatch.MatviewStats(pool))
	w := dispatch.NewWorker(dispatch.WorkerOptions{Pool: pool, Logger: logger, Metrics: metrics.NewJobs(reg),
		Executors: cfg.WorkerExecutors, Batch: cfg.WorkerBatch, Poll: cfg.WorkerPoll})
	feed := changefeed.New(changefeed.Options{Pool: pool, URL: cfg.FeedDatabaseURL, Logger: logger,
		Metrics: metrics.NewChangeFeed(reg), ID: w.ID()})
	done := make(chan struct{}, 2)
	go func() { defer func() { done <- struct{}{} }(); w.Run(ctx) }()
	go func() { defer func() { done <- struct{}{} }(); feed.Run(ctx) }()

	logger.Info("serving worker metrics", "addr", ln.Addr().String())
	err = serveHTTP(ctx, cfg, logger, ln, metrics.Handler(reg))
	<-done
	<-done
	return err
}

// serveHTTP serves handler on ln until ctx is done, then lets in-flight
// requests finish within the shutdown timeout.
func serveHTTP(ctx context.Context, cfg config.Config, logger *slog.Logger, ln net.Listener, handler http.Handler) error {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "addr", ln.Addr().String(), "grace", cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
