package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

func runUser(ctx context.Context, env environment, args []string) error {
	return subcommands(ctx, env, args, "user", map[string]func(context.Context, environment, []string) error{
		"create":       userCreate,
		"set-password": userSetPassword,
		"disable": func(ctx context.Context, env environment, args []string) error {
			return userEnable(ctx, env, args, false)
		},
		"enable": func(ctx context.Context, env environment, args []string) error {
			return userEnable(ctx, env, args, true)
		},
	})
}

// userCreate creates a user and userSetPassword gives one a new password
// (ending the user's sessions). Both read the password from the first line
// of stdin, so it never appears in the process list or the shell's history:
//
//	printf '%s\n' "$PASSWORD" | skeldird user create --tenant T --email E
func userCreate(ctx context.Context, env environment, args []string) error {
	return userWithPassword(ctx, env, args, "create", "SELECT admin.create_user($1::uuid, $2, $3)")
}

func userSetPassword(ctx context.Context, env environment, args []string) error {
	return userWithPassword(ctx, env, args, "set-password", "SELECT admin.set_user_password($1::uuid, $2, $3)")
}

func userWithPassword(ctx context.Context, env environment, args []string, name, sql string) error {
	fs := newFlagSet(env, "user "+name,
		"user "+name+" --tenant ID --email EMAIL [--json]   (the password is read from stdin, first line)")
	tenant, email, asJSON := userFlags(fs)
	if err := parseUserFlags(env, fs, args, tenant, email); err != nil {
		return err
	}
	password, err := readPassword(env)
	if err != nil {
		return err
	}
	return adminCall(ctx, env, *asJSON, sql, *tenant, *email, password)
}

// userEnable disables a user (ending every session) or enables one again.
func userEnable(ctx context.Context, env environment, args []string, enabled bool) error {
	name := map[bool]string{true: "enable", false: "disable"}[enabled]
	fs := newFlagSet(env, "user "+name, "user "+name+" --tenant ID --email EMAIL [--json]")
	tenant, email, asJSON := userFlags(fs)
	if err := parseUserFlags(env, fs, args, tenant, email); err != nil {
		return err
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.set_user_enabled($1::uuid, $2, $3)", *tenant, *email, enabled)
}

func userFlags(fs *flag.FlagSet) (tenant, email *string, asJSON *bool) {
	return fs.String("tenant", "", "tenant id (required)"),
		fs.String("email", "", "the user's email, their login; unique across all tenants (required)"),
		fs.Bool("json", false, "print the result as JSON, for scripts")
}

func parseUserFlags(env environment, fs *flag.FlagSet, args []string, tenant, email *string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*tenant) == "" || strings.TrimSpace(*email) == "" {
		fmt.Fprintln(env.stderr, "--tenant and --email are required")
		return errUsage
	}
	return nil
}

// readPassword reads the first line of stdin, so a password never appears in
// the process list or the shell's history.
func readPassword(env environment) (string, error) {
	line, err := bufio.NewReader(env.stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		fmt.Fprintln(env.stderr, "the password is read from stdin and was empty")
		return "", errUsage
	}
	return password, nil
}
