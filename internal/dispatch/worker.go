package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/skeldir/skeldir/internal/correlation"
	"github.com/skeldir/skeldir/internal/database"
	"github.com/skeldir/skeldir/internal/metrics"
)

// Queues are the bounded set of SPEC §5 (the enum skeldir.queue).
var Queues = []string{"housekeeping", "maintenance", "llm", "attribution"}

// WorkerOptions configure the work loop.
type WorkerOptions struct {
	// Pool connects as skeldir_worker.
	Pool *pgxpool.Pool
	// Logger receives job failures and lifecycle lines.
	Logger *slog.Logger
	// Metrics counts job runs.
	Metrics *metrics.Jobs
	// Executors is how many leased jobs may run at once per queue.
	Executors int
	// Batch is how many short (batchable) jobs one call of worker.work runs.
	Batch int
	// Poll is how often each queue looks for work without a notification:
	// a lost NOTIFY only delays a job by this much.
	Poll time.Duration
}

// Worker is the dispatcher: it LISTENs for new jobs on one dedicated
// connection, polls as a safety net, runs each queue's jobs through the
// worker.* functions, beats in skeldir.dispatchers while it may hold leases,
// and, while it is elected the scheduler, fires due schedules. Many workers
// may share one database.
type Worker struct {
	o  WorkerOptions
	id string
	// jobs runs the calls whose job bodies read tenant tables, each in a
	// transaction block (database.Transactional: on Citus the tenant
	// context reaches the workers only from one).
	jobs database.Transactional
}

// NewWorker returns a dispatcher identified in leases as host-pid-random.
func NewWorker(o WorkerOptions) *Worker {
	host, _ := os.Hostname()
	return &Worker{o: o, id: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), correlation.NewUUID()[:8]),
		jobs: database.Transactional{Pool: o.Pool}}
}

// ID is how this dispatcher is named in leases, heartbeats and elections:
// host, pid and a random part, unique even where every container is pid 1.
func (w *Worker) ID() string { return w.id }

// Run works until ctx is done, then stops claiming and waits for the jobs
// it is running to finish (each within its soft limit).
func (w *Worker) Run(ctx context.Context) {
	wake := make(map[string]chan struct{}, len(Queues))
	for _, q := range Queues {
		wake[q] = make(chan struct{}, 1)
	}
	// The heartbeat outlives ctx: the jobs still draining are this
	// dispatcher's, and must not look orphaned.
	beating, stopBeating := context.WithCancel(context.WithoutCancel(ctx))
	beat := make(chan struct{})
	go func() { defer close(beat); w.beat(beating) }()
	var wg sync.WaitGroup
	wg.Add(2 + len(Queues))
	go func() { defer wg.Done(); w.listen(ctx, wake) }()
	go func() { defer wg.Done(); w.lead(ctx) }()
	for _, q := range Queues {
		go func() { defer wg.Done(); w.serveQueue(ctx, q, wake[q]) }()
	}
	w.o.Logger.Info("worker started", "worker_id", w.id)
	wg.Wait()
	stopBeating()
	<-beat
	w.o.Logger.Info("worker stopped", "worker_id", w.id)
}

// serveQueue runs one queue: short jobs in batches on this goroutine, leased
// jobs on up to Executors goroutines.
func (w *Worker) serveQueue(ctx context.Context, queue string, wake chan struct{}) {
	slots := make(chan struct{}, w.o.Executors)
	var running sync.WaitGroup
	defer running.Wait()
	for {
		// A full batch means more may be waiting: keep going until one is not.
		for w.workBatch(ctx, queue) == w.o.Batch {
		}
		if free := cap(slots) - len(slots); free > 0 {
			for _, j := range w.claim(ctx, queue, free) {
				slots <- struct{}{}
				running.Add(1)
				go func() {
					defer running.Done()
					w.execute(j)
					<-slots
					notify(wake) // a slot is free: look again
				}()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(w.untilNextDue(ctx, queue)):
		}
	}
}

// untilNextDue is how long the queue may wait without a notification: until
// its earliest pending job falls due (a job enqueued to run later, such as a
// realtime refresh that gathers requests, notifies when it is inserted, not
// when it falls due), or Poll, whichever is sooner. A job already due that
// this pass left (every executor busy, or held by another transaction)
// waits for a notification or the poll, not for a spinning loop.
func (w *Worker) untilNextDue(ctx context.Context, queue string) time.Duration {
	var seconds *float64
	if err := w.o.Pool.QueryRow(ctx, "SELECT worker.next_due($1)", queue).Scan(&seconds); err != nil {
		w.databaseTrouble(ctx, "next_due", err)
		return w.o.Poll
	}
	if seconds == nil || *seconds <= 0 {
		return w.o.Poll
	}
	return min(w.o.Poll, time.Duration(*seconds*float64(time.Second))+time.Millisecond)
}

// workBatch runs up to Batch due short jobs in one call and reports how many.
func (w *Worker) workBatch(ctx context.Context, queue string) int {
	rows, err := w.jobs.Query(ctx, "SELECT kind, outcome, seconds FROM worker.work($1, $2, $3)",
		queue, w.o.Batch, w.id)
	if err != nil {
		w.databaseTrouble(ctx, "work", err)
		return 0
	}
	n := 0
	for rows.Next() {
		var kind, outcome string
		var seconds float64
		if rows.Scan(&kind, &outcome, &seconds) == nil {
			w.o.Metrics.Observe(kind, outcome, time.Duration(seconds*float64(time.Second)))
			n++
		}
	}
	if err := rows.Err(); err != nil {
		w.databaseTrouble(ctx, "work", err)
	}
	return n
}

type leasedJob struct {
	id        int64
	kind      string
	attempt   int
	softLimit time.Duration
}

func (w *Worker) claim(ctx context.Context, queue string, max int) []leasedJob {
	rows, err := w.o.Pool.Query(ctx, "SELECT job_id, kind, attempt, soft_limit_ms FROM worker.claim($1, $2, $3)",
		queue, max, w.id)
	if err != nil {
		w.databaseTrouble(ctx, "claim", err)
		return nil
	}
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (leasedJob, error) {
		var j leasedJob
		var ms int64
		err := r.Scan(&j.id, &j.kind, &j.attempt, &ms)
		j.softLimit = time.Duration(ms) * time.Millisecond
		return j, err
	})
	if err != nil {
		w.databaseTrouble(ctx, "claim", err)
	}
	return jobs
}

// execute runs a leased job under its soft limit, enforced by the server
// (statement_timeout) and, should the server not answer, by the context.
// Jobs already started finish even while the worker drains.
func (w *Worker) execute(j leasedJob) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), j.softLimit+5*time.Second)
	defer cancel()
	err := pgx.BeginFunc(ctx, w.o.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", j.softLimit.Milliseconds())); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "SELECT worker.execute($1, $2)", j.id, w.id)
		return err
	})
	outcome := "completed"
	if err != nil {
		class, message := errorClass(err), err.Error()
		fctx, fcancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer fcancel()
		if ferr := w.jobs.QueryRow(fctx, "SELECT worker.fail($1, $2, $3, $4)", j.id, w.id, class, message).
			Scan(&outcome); ferr != nil {
			// The lease will expire and the reaper will settle the attempt.
			outcome = "unsettled"
		}
		w.o.Logger.Warn("job attempt failed", "job_id", j.id, "kind", j.kind, "attempt", j.attempt,
			"error_class", class, "error", message, "outcome", outcome)
	}
	w.o.Metrics.Observe(j.kind, outcome, time.Since(start))
}

// errorClass names a failure for worker_failed_jobs: the SQLSTATE, or what
// happened to the connection.
func errorClass(err error) string {
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "57014":
		return "soft_time_limit"
	case errors.As(err, &pgErr):
		return pgErr.Code
	case errors.Is(err, context.DeadlineExceeded):
		return "soft_time_limit"
	default:
		return "connection"
	}
}

// listen wakes queues as jobs are enqueued (NOTIFY skeldir_jobs, payload:
// the queue), reconnecting with backoff when the database goes away. After
// each (re)connect every queue looks once, for notifications missed.
func (w *Worker) listen(ctx context.Context, wake map[string]chan struct{}) {
	for backoff := 100 * time.Millisecond; ctx.Err() == nil; backoff = min(2*backoff, 5*time.Second) {
		conn, err := w.o.Pool.Acquire(ctx)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN skeldir_jobs")
		}
		if err == nil {
			backoff = 100 * time.Millisecond
			for _, c := range wake {
				notify(c)
			}
			for {
				n, werr := conn.Conn().WaitForNotification(ctx)
				if werr != nil {
					err = werr
					break
				}
				if c, ok := wake[n.Payload]; ok {
					notify(c)
				}
			}
		}
		if conn != nil {
			conn.Hijack().Close(context.Background()) // never return a LISTENing connection to the pool
		}
		w.databaseTrouble(ctx, "listen", err)
		sleep(ctx, backoff)
	}
}

// Leadership and liveness are rows that only skeldir_worker's functions
// write (skeldir.leaders, skeldir.dispatchers), not session locks on a
// well-known key, which any login could take and hold to stall the
// scheduler.
const (
	// tick is how often the scheduler is elected and fires due schedules,
	// and how often the dispatcher beats.
	tick = time.Second
	// schedulerLease is how long an election holds. The leader re-elects
	// every tick; a leader that stops doing so (killed, cut off) is replaced
	// within this, one that stops cleanly resigns and is replaced within a
	// tick. Short, because every schedule waits for a leader, the lease
	// reaper among them; two leaders at once would be harmless (each
	// schedule slot has a dedupe key).
	schedulerLease = 5 * time.Second
	// dispatcherLease is how long a beat (and a claim, in SQL) keeps this
	// dispatcher alive: ten missed beats, and the reaper hands back its
	// running jobs that no transaction holds. A job that runs is row-locked
	// by worker.execute, so late beats of a live dispatcher cost at most an
	// attempt of a job between its claim and its start.
	dispatcherLease = 10 * time.Second
)

// lead runs for the scheduler every tick: worker.elect makes this worker
// the leader when nobody's lease is fresh, and extends the lease while it
// leads; the leader fires the due schedules. It resigns on the way out, so
// that another worker takes over within a tick.
func (w *Worker) lead(ctx context.Context) {
	leading := false
	for ctx.Err() == nil {
		elected := false
		err := w.o.Pool.QueryRow(ctx, "SELECT worker.elect('scheduler', $1, $2)", w.id, schedulerLease).Scan(&elected)
		if err == nil && elected != leading {
			w.o.Logger.Info("scheduler leadership", "worker_id", w.id, "leader", elected)
		}
		if err == nil {
			leading = elected
		}
		if err == nil && leading {
			var fired int
			err = w.jobs.QueryRow(ctx, "SELECT worker.enqueue_due_schedules()").Scan(&fired)
		}
		w.databaseTrouble(ctx, "schedule", err)
		sleep(ctx, tick)
	}
	if leading {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := w.o.Pool.Exec(rctx, "SELECT worker.resign('scheduler', $1)", w.id); err != nil {
			w.o.Logger.Warn("scheduler did not resign: another worker takes over when its lease runs out", "error", err)
		}
	}
}

// beat keeps this dispatcher's row in skeldir.dispatchers fresh until ctx
// is done. worker.claim registers it with every lease it takes; the lease
// reaper hands back the running jobs of a dispatcher whose row expired, as
// soon as no transaction holds them, instead of when their leases run out.
func (w *Worker) beat(ctx context.Context) {
	for ctx.Err() == nil {
		_, err := w.o.Pool.Exec(ctx, "SELECT worker.beat($1, $2)", w.id, dispatcherLease)
		w.databaseTrouble(ctx, "beat", err)
		sleep(ctx, tick)
	}
}

func (w *Worker) databaseTrouble(ctx context.Context, what string, err error) {
	if ctx.Err() == nil && err != nil {
		w.o.Logger.Warn("worker database call failed", "call", what, "error", err)
	}
}

func notify(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
