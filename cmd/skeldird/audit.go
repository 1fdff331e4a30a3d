package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
)

type finding struct {
	Area    string `json:"area"`
	Subject string `json:"subject"`
	Detail  string `json:"detail"`
	OK      bool   `json:"ok"`
}

// runAudit prints admin.audit(), the catalog checked against SPEC §2.1–2.2,
// and exits 1 when any row deviates.
func runAudit(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "audit", "audit [--json]")
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	conn, err := connectAdmin(ctx, env)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)

	rows, err := conn.Query(ctx, "SELECT area, subject, detail, ok FROM admin.audit()")
	if err != nil {
		return explain(err)
	}
	var findings []finding
	for rows.Next() {
		var f finding
		if err := rows.Scan(&f.Area, &f.Subject, &f.Detail, &f.OK); err != nil {
			return err
		}
		findings = append(findings, f)
	}
	if err := rows.Err(); err != nil {
		return explain(err)
	}

	deviations := 0
	for _, f := range findings {
		if !f.OK {
			deviations++
		}
	}
	if *asJSON {
		if err := json.NewEncoder(env.stdout).Encode(findings); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "\tAREA\tSUBJECT\tDETAIL")
		for _, f := range findings {
			mark := "ok"
			if !f.OK {
				mark = "FAIL"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", mark, f.Area, f.Subject, f.Detail)
		}
		tw.Flush()
		fmt.Fprintf(env.stdout, "\n%d checks, %d deviations\n", len(findings), deviations)
	}
	if deviations > 0 {
		return exitError{code: 1}
	}
	return nil
}
