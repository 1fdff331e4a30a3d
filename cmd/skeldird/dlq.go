package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
)

func runDLQ(ctx context.Context, env environment, args []string) error {
	return subcommands(ctx, env, args, "dlq", map[string]func(context.Context, environment, []string) error{
		"list":   dlqList,
		"replay": dlqReplay,
	})
}

type deadEvent struct {
	ID              string    `json:"id"`
	Vendor          string    `json:"vendor"`
	Topic           *string   `json:"topic"`
	ErrorType       string    `json:"error_type"`
	ErrorMessage    string    `json:"error_message"`
	Status          string    `json:"status"`
	RetryCount      int       `json:"retry_count"`
	Occurrences     int       `json:"occurrences"`
	FirstSeenAt     time.Time `json:"first_seen_at"`
	LastSeenAt      time.Time `json:"last_seen_at"`
	NextRetryAt     time.Time `json:"next_retry_at"`
	ResolvedEventID *string   `json:"resolved_event_id"`
}

func dlqList(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "dlq list", "dlq list --tenant ID [--status pending|in_progress|resolved|abandoned] [--limit N] [--json]")
	tenant := fs.String("tenant", "", "tenant id (required)")
	status := fs.String("status", "", "only dead events in this remediation status")
	limit := fs.Int("limit", 100, "at most this many, most recent first")
	asJSON := fs.Bool("json", false, "print JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var onlyStatus *string
	if *status != "" {
		onlyStatus = status
	}
	conn, err := connectAdmin(ctx, env)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `
		SELECT id, vendor, topic, error_type, error_message, status, retry_count, occurrences,
		       first_seen_at, last_seen_at, next_retry_at, resolved_event_id
		  FROM admin.list_dead_events($1::uuid, $2, $3)`, *tenant, onlyStatus, *limit)
	if err != nil {
		return explain(err)
	}
	dead, err := pgx.CollectRows(rows, pgx.RowToStructByPos[deadEvent])
	if err != nil {
		return explain(err)
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(dead)
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVENDOR\tTOPIC\tSTATUS\tRETRIES\tSEEN\tLAST SEEN\tERROR")
	for _, d := range dead {
		topic := "-"
		if d.Topic != nil {
			topic = *d.Topic
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s: %s\n", d.ID, d.Vendor, topic, d.Status, d.RetryCount,
			d.Occurrences, d.LastSeenAt.UTC().Format(time.RFC3339), d.ErrorType, d.ErrorMessage)
	}
	return tw.Flush()
}

func dlqReplay(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "dlq replay", "dlq replay --tenant ID (--id DEAD_EVENT_ID | --all) [--json]")
	tenant := fs.String("tenant", "", "tenant id (required)")
	id := fs.String("id", "", "replay this dead event now, whatever its backoff")
	all := fs.Bool("all", false, "replay every open dead event whose backoff has passed")
	asJSON := fs.Bool("json", false, "print one JSON result per line, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*id == "") == !*all {
		fmt.Fprintln(env.stderr, "give exactly one of --id and --all")
		return errUsage
	}
	conn, err := connectAdmin(ctx, env)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	query, qargs := "SELECT admin.replay_dead_events($1::uuid)", []any{*tenant}
	if *id != "" {
		query, qargs = "SELECT admin.replay_dead_event($1::uuid, $2::uuid)", []any{*tenant, *id}
	}
	rows, err := conn.Query(ctx, query, qargs...)
	if err != nil {
		return explain(err)
	}
	results, err := pgx.CollectRows(rows, pgx.RowTo[map[string]any])
	if err != nil {
		return explain(err)
	}
	failed := 0
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	for _, r := range results {
		if r["outcome"] != "resolved" && r["outcome"] != "skipped" {
			failed++
		}
		if *asJSON {
			json.NewEncoder(env.stdout).Encode(r)
			continue
		}
		detail := r["event_id"]
		if detail == nil {
			detail = r["error"]
		}
		fmt.Fprintf(tw, "%v\t%v\t%v\n", r["dead_event_id"], r["outcome"], detail)
	}
	tw.Flush()
	if !*asJSON {
		fmt.Fprintf(env.stdout, "%d replayed, %d not resolved\n", len(results), failed)
	}
	if failed > 0 {
		return exitError{code: 1}
	}
	return nil
}
