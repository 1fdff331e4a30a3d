package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

func runSpend(ctx context.Context, env environment, args []string) error {
	return subcommands(ctx, env, args, "spend", map[string]func(context.Context, environment, []string) error{
		"import": spendImport,
	})
}

// spendImport reads ad spend from a CSV file (header date,channel,currency,amount)
// and stores it in one call of admin.import_spend: all rows or none. A later
// import of the same day, channel and currency replaces the amount.
func spendImport(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "spend import", "spend import --tenant ID --file SPEND.csv [--json]")
	tenant := fs.String("tenant", "", "tenant id (required)")
	file := fs.String("file", "", "CSV with the header date,channel,currency,amount (required)")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*file) == "" {
		fmt.Fprintln(env.stderr, "--file is required")
		return errUsage
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := readSpendCSV(f)
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	doc, _ := json.Marshal(rows) // strings only: always encodes
	if err := adminCall(ctx, env, *asJSON, "SELECT admin.import_spend($1::uuid, $2::jsonb)", *tenant, doc); err != nil {
		return fmt.Errorf("%s: %w", *file, onLine(err))
	}
	return nil
}

var spendColumns = []string{"date", "channel", "currency", "amount"}

func readSpendCSV(r io.Reader) ([]map[string]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(spendColumns)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("line 1: %w", err)
	}
	for i, name := range spendColumns {
		if strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff")) != name {
			return nil, fmt.Errorf("line 1: the header must be %s", strings.Join(spendColumns, ","))
		}
	}
	var rows []map[string]string
	for {
		record, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		row := make(map[string]string, len(spendColumns))
		for i, name := range spendColumns {
			row[name] = strings.TrimSpace(record[i])
		}
		rows = append(rows, row)
	}
}

var rowRef = regexp.MustCompile(`^rows\[(\d+)\]\.?(\w*)`)

// onLine turns the database's "rows[3].amount must be ..." into "line 5:
// amount must be ...": row 0 is the line after the header.
func onLine(err error) error {
	m := rowRef.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	n, _ := strconv.Atoi(m[1])
	field := m[2]
	if field == "" {
		field = "the row"
	}
	return fmt.Errorf("line %d: %s%s", n+2, field, err.Error()[len(m[0]):])
}
