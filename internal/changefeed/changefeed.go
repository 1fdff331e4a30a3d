// Package changefeed consumes the ingestion tables' logical replication slot
// (SPEC §7) and hands each batch of committed inserts to
// worker.change_feed_apply, which decides the coalesced downstream work in
// SQL and records the batch's commit LSN in the same transaction. The slot is
// told a position only after that transaction committed, so a crash resends
// what was not yet applied and the SQL skips what was.
//
// One daemon consumes at a time: the one elected the feed's leader
// (worker.elect on skeldir.leaders, which only the worker's role may call).
// It re-elects itself every heartbeat, stops streaming as soon as it cannot,
// and resigns when it stops; worker.change_feed_start refuses a daemon that
// does not hold the lease.
//
// The replication connection logs in as the feed's own login role, LOGIN
// REPLICATION and nothing else: it only creates the slot (pgoutput) and
// streams it over the publication, and every SQL call (mode, start, apply,
// heartbeat, fallback) goes through the worker's pool, so that login needs
// no group role, no grant and no object.
//
// When the server does not decode WAL logically, or the feed's login may not
// open a replication connection to the worker's database, the feed does not
// run; the ingest path then enqueues its own work, and this package only
// checks now and then whether a consumer that died left the mode on "feed"
// (worker.change_feed_fallback).
package changefeed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/skeldir/skeldir/internal/metrics"
)

// Options configure the feed.
type Options struct {
	// Pool connects as the worker's login role (skeldir_worker member); the
	// feed makes every SQL call through it.
	Pool *pgxpool.Pool
	// URL is the change feed's own login role (LOGIN REPLICATION, a member
	// of no role), to the worker's database; the replication connection is
	// opened from it. Empty: the feed does not run.
	URL     string
	Logger  *slog.Logger
	Metrics *metrics.ChangeFeed
	// ID names this daemon as the feed's leader.
	ID string
	// BatchChanges and BatchWait bound a batch: it is applied when it holds
	// this many changes (at a transaction boundary) or is this old.
	BatchChanges int
	BatchWait    time.Duration
	// Status is how often the server hears the confirmed position even when
	// nothing happens (well within wal_sender_timeout).
	Status time.Duration
	// Heartbeat is how often the leader renews its lease, records that it
	// is alive and reads the slot's lag; FallbackCheck how often a daemon
	// that cannot run the feed looks for a dead one.
	Heartbeat     time.Duration
	FallbackCheck time.Duration
}

// Feed is the change feed consumer.
type Feed struct {
	o Options
	// lease is how long an election holds: three heartbeats (15 s by
	// default), so that one slow re-election does not cost the lease, while
	// a killed leader is replaced well inside the minute after which the
	// fallback takes the work back. Within worker.elect's bounds.
	lease time.Duration
}

// New returns a feed with defaults for the durations and sizes left zero.
func New(o Options) *Feed {
	if o.BatchChanges <= 0 {
		o.BatchChanges = 5000
	}
	if o.BatchWait <= 0 {
		o.BatchWait = 200 * time.Millisecond
	}
	if o.Status <= 0 {
		o.Status = 10 * time.Second
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = 5 * time.Second
	}
	if o.FallbackCheck <= 0 {
		o.FallbackCheck = 15 * time.Second
	}
	return &Feed{o: o, lease: min(max(3*o.Heartbeat, time.Second), 5*time.Minute)}
}

const publication = "skeldir_ingest"

type mode struct {
	Feed        bool   `json:"feed"`
	Reason      string `json:"reason"`
	WALLevel    string `json:"wal_level"`
	Slot        string `json:"slot"`
	Publication string `json:"publication"`
}

// Run decides the mode once, logs it, and then consumes (feed) or watches
// for a dead consumer (fallback) until ctx is done.
func (f *Feed) Run(ctx context.Context) {
	var m mode
	for backoff := 100 * time.Millisecond; ctx.Err() == nil; backoff = min(2*backoff, 5*time.Second) {
		err := f.o.Pool.QueryRow(ctx, "SELECT worker.change_feed_mode()").Scan(&m)
		if err == nil {
			break
		}
		f.trouble(ctx, "change_feed_mode", err)
		sleep(ctx, backoff)
	}
	if ctx.Err() != nil {
		return
	}
	// The SQL answers for the server (wal_level) and for the worker's login;
	// whether the feed's own login may replicate here, only the server can
	// say, by letting it connect.
	if m.WALLevel == "logical" {
		m.Feed, m.Reason = f.mayStream(ctx)
		if ctx.Err() != nil {
			return
		}
	}
	if !m.Feed {
		// Refused where it was meant to run: worth a warning.
		level := slog.LevelInfo
		if m.WALLevel == "logical" && f.o.URL != "" {
			level = slog.LevelWarn
		}
		f.o.Logger.Log(ctx, level, "change feed off: the ingest path enqueues downstream work transactionally",
			"mode", "fallback", "reason", m.Reason)
		f.fallback(ctx)
		return
	}
	f.o.Logger.Info("change feed on: downstream work follows the replication slot",
		"mode", "feed", "reason", m.Reason, "slot", m.Slot, "publication", m.Publication)
	f.lead(ctx, m.Slot)
}

// fallback takes the work back to the ingest path when the mode says feed
// but no consumer beats any more (the SQL decides).
func (f *Feed) fallback(ctx context.Context) {
	for ctx.Err() == nil {
		var r struct {
			Switched   bool   `json:"switched"`
			Recomputes int    `json:"recomputes"`
			Slot       string `json:"slot"`
		}
		err := f.o.Pool.QueryRow(ctx, "SELECT worker.change_feed_fallback()").Scan(&r)
		f.trouble(ctx, "change_feed_fallback", err)
		if err == nil && r.Switched {
			f.o.Logger.Warn("change feed had no consumer: the ingest path enqueues again; its unapplied purchases were asked for again",
				"recomputes", r.Recomputes, "slot", r.Slot,
				"hint", "the slot keeps WAL until a daemon that may replicate consumes it, or an operator drops it: SELECT pg_drop_replication_slot('"+r.Slot+"')")
		}
		sleep(ctx, f.o.FallbackCheck)
	}
}

// lead runs for the feed's leadership every second and streams while it
// leads. On the way out it resigns, so that a standby takes over at once
// instead of when the lease runs out.
func (f *Feed) lead(ctx context.Context, slot string) {
	led := false
	for ctx.Err() == nil {
		if f.elect(ctx) {
			led = true
			f.o.Logger.Info("change feed leadership taken", "leader", f.o.ID, "slot", slot)
			f.leading(ctx, slot)
		}
		sleep(ctx, time.Second)
	}
	if !led {
		return
	}
	rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := f.o.Pool.Exec(rctx, "SELECT worker.resign('change_feed', $1)", f.o.ID); err != nil {
		f.o.Logger.Warn("change feed did not resign: a standby takes over when its lease runs out", "error", err)
	}
}

// elect elects this daemon the feed's leader, or extends its lease; an
// error counts as not leading.
func (f *Feed) elect(ctx context.Context) bool {
	var leader bool
	err := f.o.Pool.QueryRow(ctx, "SELECT worker.elect('change_feed', $1, $2)", f.o.ID, f.lease).Scan(&leader)
	f.trouble(ctx, "change feed election", err)
	return err == nil && leader
}

// leading streams, starting the stream again with backoff when it ends by
// itself, for as long as this daemon leads: it re-elects every heartbeat,
// and when that fails or errs the stream is cancelled. A leader that cannot
// confirm it leads stops; another daemon may be elected once its lease ran
// out (and the slot admits one stream at a time anyway).
func (f *Feed) leading(ctx context.Context, slot string) {
	lctx, lose := context.WithCancel(ctx)
	reelecting := make(chan struct{})
	go func() {
		defer close(reelecting)
		t := time.NewTicker(f.o.Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-lctx.Done():
				return
			case <-t.C:
				if !f.elect(lctx) {
					if ctx.Err() == nil {
						f.o.Logger.Warn("change feed leadership lost: the stream stops", "leader", f.o.ID, "slot", slot)
					}
					lose()
					return
				}
			}
		}
	}()
	defer func() { lose(); <-reelecting }()
	backoff := 100 * time.Millisecond
	for lctx.Err() == nil {
		started := time.Now()
		err := f.stream(lctx, slot)
		if lctx.Err() != nil {
			return
		}
		f.trouble(ctx, "change feed stream", err)
		if time.Since(started) > time.Minute {
			backoff = 100 * time.Millisecond
		}
		sleep(lctx, backoff)
		backoff = min(2*backoff, 10*time.Second)
	}
}

// replicationConfig is the feed's login, as a logical replication
// connection (replication=database: bound to the URL's database).
func (f *Feed) replicationConfig() (*pgconn.Config, error) {
	cfg, err := pgconn.ParseConfig(f.o.URL)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["replication"] = "database"
	cfg.RuntimeParams["application_name"] = "skeldird-change-feed"
	return cfg, nil
}

// mayStream says whether the feed's login may open a replication connection
// to the worker's database and system, and why. It waits out a server that
// cannot be reached; a refusal (no REPLICATION, pg_hba, password) is an
// answer.
func (f *Feed) mayStream(ctx context.Context) (bool, string) {
	if f.o.URL == "" {
		return false, "no login for the change feed is configured (FEED_DATABASE_URL)"
	}
	for backoff := 100 * time.Millisecond; ; backoff = min(2*backoff, 5*time.Second) {
		ok, reason, err := f.probe(ctx)
		if err == nil || ctx.Err() != nil {
			return ok, reason
		}
		f.trouble(ctx, "change feed login", err)
		sleep(ctx, backoff)
	}
}

// probe connects as the feed's login in replication mode and compares what
// it reached with the worker's connection: a feed streaming another
// database would apply that database's changes here and leave this one's
// unasked for.
func (f *Feed) probe(ctx context.Context) (ok bool, reason string, err error) {
	cfg, err := f.replicationConfig()
	if err != nil {
		return false, fmt.Sprintf("the change feed's URL: %v", err), nil
	}
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		var pgErr *pgconn.PgError
		// 28: authentication and pg_hba; 42501: no REPLICATION; 3D000: no
		// such database.
		if errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "28") || pgErr.Code == "42501" || pgErr.Code == "3D000") {
			return false, fmt.Sprintf("login %s may not open a replication connection to %s: %s", cfg.User, cfg.Database, pgErr.Message), nil
		}
		return false, "", err
	}
	defer conn.Close(context.Background())
	sys, err := pglogrepl.IdentifySystem(ctx, conn)
	if err != nil {
		return false, "", err
	}
	var db string
	var system *string // unknown where pg_control_system is not granted
	if err := f.o.Pool.QueryRow(ctx, `
		SELECT current_database(),
		       CASE WHEN has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE')
		            THEN (SELECT system_identifier::text FROM pg_catalog.pg_control_system()) END`).Scan(&db, &system); err != nil {
		return false, "", err
	}
	if sys.DBName != db || (system != nil && *system != sys.SystemID) {
		return false, fmt.Sprintf("login %s reaches database %s of system %s, not the worker's %s", cfg.User, sys.DBName, sys.SystemID, db), nil
	}
	return true, fmt.Sprintf("wal_level is logical and login %s may replicate %s", cfg.User, db), nil
}

// stream opens a replication connection, makes sure the slot exists, marks
// the feed started and consumes until ctx is done or something fails.
func (f *Feed) stream(ctx context.Context, slot string) error {
	cfg, err := f.replicationConfig()
	if err != nil {
		return err
	}
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())

	_, err = pglogrepl.CreateReplicationSlot(ctx, conn, slot, "pgoutput",
		pglogrepl.CreateReplicationSlotOptions{Mode: pglogrepl.LogicalReplication, SnapshotAction: "NOEXPORT_SNAPSHOT"})
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		f.o.Logger.Info("change feed slot created", "slot", slot)
	case errors.As(err, &pgErr) && pgErr.Code == "42710": // it exists: resume where it was confirmed
	default:
		return fmt.Errorf("create slot %s: %w", slot, err)
	}
	var processed string
	if err := f.o.Pool.QueryRow(ctx, "SELECT worker.change_feed_start($1)::text", f.o.ID).Scan(&processed); err != nil {
		return err
	}
	err = pglogrepl.StartReplication(ctx, conn, slot, 0, pglogrepl.StartReplicationOptions{
		Mode: pglogrepl.LogicalReplication, PluginArgs: []string{"proto_version '1'", "publication_names '" + publication + "'"}})
	if err != nil {
		return fmt.Errorf("start replication on %s: %w", slot, err)
	}
	f.o.Logger.Info("change feed streaming", "slot", slot, "processed_lsn", processed)
	f.o.Metrics.Consuming.Set(1)
	defer f.o.Metrics.Consuming.Set(0)
	s := &session{f: f, conn: conn, relations: map[uint32]*pglogrepl.RelationMessage{}}
	return s.run(ctx)
}

// session is one replication connection's state.
type session struct {
	f         *Feed
	conn      *pgconn.PgConn
	relations map[uint32]*pglogrepl.RelationMessage

	inTxn bool
	txn   []map[string]any

	batch       []map[string]any
	batchEnd    pglogrepl.LSN // end LSN of the batch's last transaction
	batchSince  time.Time     // when the batch's first change arrived
	batchOldest time.Time     // commit time of the batch's first transaction

	confirmed pglogrepl.LSN // applied (or known to hold nothing to apply)

	nextStatus, nextBeat time.Time
}

func (s *session) run(ctx context.Context) error {
	now := time.Now()
	s.nextStatus, s.nextBeat = now, now
	for {
		if ctx.Err() != nil {
			return s.stop()
		}
		if err := s.timers(ctx); err != nil {
			return err
		}
		deadline := s.nextStatus
		if s.nextBeat.Before(deadline) {
			deadline = s.nextBeat
		}
		// A due batch waits for the transaction under way to end: only
		// between transactions does its deadline count (inside one, a
		// deadline already past would stop the receiving that ends it).
		if len(s.batch) > 0 && !s.inTxn && s.batchSince.Add(s.f.o.BatchWait).Before(deadline) {
			deadline = s.batchSince.Add(s.f.o.BatchWait)
		}
		if soon := time.Now().Add(time.Millisecond); deadline.Before(soon) {
			deadline = soon
		}
		rctx, cancel := context.WithDeadline(ctx, deadline)
		msg, err := s.conn.ReceiveMessage(rctx)
		cancel()
		if ctx.Err() != nil {
			return s.stop()
		}
		if err != nil {
			if pgconn.Timeout(err) {
				continue
			}
			return err
		}
		switch msg := msg.(type) {
		case *pgproto3.CopyData:
			if err := s.copyData(msg.Data); err != nil {
				return err
			}
		case *pgproto3.ErrorResponse:
			return pgconn.ErrorResponseToPgError(msg)
		default:
			return fmt.Errorf("unexpected message on the replication connection: %T", msg)
		}
	}
}

// timers applies a full or old batch, and sends the status and heartbeat
// when due.
func (s *session) timers(ctx context.Context) error {
	now := time.Now()
	if len(s.batch) > 0 && !s.inTxn && (len(s.batch) >= s.f.o.BatchChanges || now.Sub(s.batchSince) >= s.f.o.BatchWait) {
		if err := s.apply(ctx); err != nil {
			return err
		}
	}
	if !now.Before(s.nextStatus) {
		if err := s.status(false); err != nil {
			return err
		}
	}
	if !now.Before(s.nextBeat) {
		var r struct {
			LagBytes float64 `json:"lag_bytes"`
		}
		if err := s.f.o.Pool.QueryRow(ctx, "SELECT worker.change_feed_heartbeat($1, $2)", s.f.o.ID, s.lagSeconds()).
			Scan(&r); err != nil {
			return fmt.Errorf("heartbeat: %w", err)
		}
		s.f.o.Metrics.LagBytes.Set(r.LagBytes)
		s.nextBeat = now.Add(s.f.o.Heartbeat)
	}
	s.f.o.Metrics.LagSeconds.Set(s.lagSeconds())
	return nil
}

// lagSeconds is the age of the oldest committed change received and not
// yet applied.
func (s *session) lagSeconds() float64 {
	if len(s.batch) == 0 {
		return 0
	}
	return max(time.Since(s.batchOldest).Seconds(), 0)
}

func (s *session) copyData(data []byte) error {
	switch data[0] {
	case pglogrepl.PrimaryKeepaliveMessageByteID:
		k, err := pglogrepl.ParsePrimaryKeepaliveMessage(data[1:])
		if err != nil {
			return err
		}
		// Between transactions with nothing pending, everything the server
		// decoded up to here was sent and applied: confirm it, so that the
		// slot does not keep WAL of other databases and tables.
		if !s.inTxn && len(s.batch) == 0 && k.ServerWALEnd > s.confirmed {
			s.confirmed = k.ServerWALEnd
		}
		if k.ReplyRequested {
			s.nextStatus = time.Now()
		}
	case pglogrepl.XLogDataByteID:
		x, err := pglogrepl.ParseXLogData(data[1:])
		if err != nil {
			return err
		}
		return s.decode(x.WALData)
	}
	return nil
}

// decode turns pgoutput messages into changes: each insert becomes a map
// of its published columns (text, or nil) plus its table; at commit the
// transaction's changes join the batch with its end LSN and commit time.
func (s *session) decode(data []byte) error {
	m, err := pglogrepl.Parse(data)
	if err != nil {
		return err
	}
	switch m := m.(type) {
	case *pglogrepl.RelationMessage:
		s.relations[m.RelationID] = m
	case *pglogrepl.BeginMessage:
		s.inTxn, s.txn = true, nil
	case *pglogrepl.InsertMessage:
		rel, ok := s.relations[m.RelationID]
		if !ok {
			return fmt.Errorf("insert into unknown relation %d", m.RelationID)
		}
		row := map[string]any{"table": rel.RelationName}
		for i, c := range m.Tuple.Columns {
			if i >= len(rel.Columns) {
				break
			}
			switch c.DataType {
			case pglogrepl.TupleDataTypeText:
				row[rel.Columns[i].Name] = string(c.Data)
			case pglogrepl.TupleDataTypeNull:
				row[rel.Columns[i].Name] = nil
			}
		}
		s.txn = append(s.txn, row)
	case *pglogrepl.CommitMessage:
		s.inTxn = false
		if len(s.txn) == 0 {
			if len(s.batch) == 0 && m.TransactionEndLSN > s.confirmed {
				s.confirmed = m.TransactionEndLSN
			}
			return nil
		}
		for _, row := range s.txn {
			row["lsn"] = m.TransactionEndLSN.String()
			row["commit_at"] = m.CommitTime.UTC().Format(time.RFC3339Nano)
		}
		if len(s.batch) == 0 {
			s.batchSince, s.batchOldest = time.Now(), m.CommitTime
		}
		s.batch = append(s.batch, s.txn...)
		s.batchEnd, s.txn = m.TransactionEndLSN, nil
	}
	return nil
}

// apply hands the batch to the database and, once that committed, confirms
// its end to the server.
func (s *session) apply(ctx context.Context) error {
	body, err := json.Marshal(s.batch)
	if err != nil {
		return err
	}
	var r struct {
		Applied    int `json:"applied"`
		Skipped    int `json:"skipped"`
		Recomputes int `json:"recomputes"`
		Refreshes  int `json:"refreshes"`
	}
	if err := s.f.o.Pool.QueryRow(ctx, "SELECT worker.change_feed_apply($1, $2::jsonb)", s.f.o.ID, string(body)).
		Scan(&r); err != nil {
		return fmt.Errorf("apply %d changes: %w", len(s.batch), err)
	}
	s.f.o.Metrics.Applied(r.Applied, r.Skipped)
	s.f.o.Logger.Debug("change feed batch applied", "applied", r.Applied, "skipped", r.Skipped,
		"recomputes", r.Recomputes, "refreshes", r.Refreshes, "lsn", s.batchEnd.String())
	s.confirmed = max(s.confirmed, s.batchEnd)
	s.batch = nil
	return s.status(false)
}

// status tells the server what is confirmed: it may discard WAL before it.
func (s *session) status(reply bool) error {
	err := pglogrepl.SendStandbyStatusUpdate(context.Background(), s.conn,
		pglogrepl.StandbyStatusUpdate{WALWritePosition: s.confirmed, ReplyRequested: reply})
	if err != nil {
		return fmt.Errorf("standby status: %w", err)
	}
	s.nextStatus = time.Now().Add(s.f.o.Status)
	return nil
}

// stop applies what arrived whole, confirms it and ends the stream cleanly.
// A transaction cut in half is not applied: the slot sends it again.
func (s *session) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if len(s.batch) > 0 {
		if err := s.apply(ctx); err != nil {
			s.f.o.Logger.Warn("change feed stopping: the last batch was not applied; the slot sends it again", "error", err)
			return nil
		}
	}
	if err := s.status(false); err != nil {
		s.f.o.Logger.Warn("change feed stopping: the last position was not confirmed; the slot sends it again", "error", err)
	}
	s.f.o.Logger.Info("change feed stopped", "confirmed_lsn", s.confirmed.String())
	return nil
}

func (f *Feed) trouble(ctx context.Context, what string, err error) {
	if ctx.Err() == nil && err != nil {
		f.o.Logger.Warn("change feed call failed", "call", what, "error", err)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
