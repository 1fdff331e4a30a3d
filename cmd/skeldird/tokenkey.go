package main

import (
	"context"
	"fmt"
	"strings"
)

// runTokenKey manages the keys that sign dashboard access tokens. They live
// in the database, which mints and verifies every token; an operator only
// decides when a new key takes over (rotate) and when an old one stops
// verifying (retire). Rotate, wait out the access-token lifetime, retire.
func runTokenKey(ctx context.Context, env environment, args []string) error {
	return subcommands(ctx, env, args, "token-key", map[string]func(context.Context, environment, []string) error{
		"list":   tokenKeyList,
		"rotate": tokenKeyRotate,
		"retire": tokenKeyRetire,
	})
}

func tokenKeyList(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "token-key list", "token-key list [--json]")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.list_token_keys()")
}

func tokenKeyRotate(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "token-key rotate", "token-key rotate [--json]   (a new key signs; the old ones still verify)")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.rotate_token_key()")
}

func tokenKeyRetire(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "token-key retire", "token-key retire --kid KID [--json]   (tokens it signed are refused at once)")
	kid := fs.String("kid", "", "the key's id, as token-key list shows it (required)")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*kid) == "" {
		fmt.Fprintln(env.stderr, "--kid is required")
		return errUsage
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.retire_token_key($1)", *kid)
}
