package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
)

func runUser(ctx context.Context, env environment, args []string) error {
	return subcommands(ctx, env, args, "user", map[string]func(context.Context, environment, []string) error{
		"create": userCreate,
	})
}

// userCreate reads the password from the first line of stdin, so it never
// appears in the process list or the shell's history:
//
//	printf '%s\n' "$PASSWORD" | skeldird user create --tenant T --email E
func userCreate(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "user create",
		"user create --tenant ID --email EMAIL [--json]   (the password is read from stdin, first line)")
	tenant := fs.String("tenant", "", "tenant id (required)")
	email := fs.String("email", "", "the user's email, their login; unique across all tenants (required)")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*tenant) == "" || strings.TrimSpace(*email) == "" {
		fmt.Fprintln(env.stderr, "--tenant and --email are required")
		return errUsage
	}
	line, err := bufio.NewReader(env.stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		fmt.Fprintln(env.stderr, "the password is read from stdin and was empty")
		return errUsage
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.create_user($1::uuid, $2, $3)", *tenant, *email, password)
}
