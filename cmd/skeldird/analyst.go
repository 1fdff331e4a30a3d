package main

import (
	"context"
	"fmt"
	"strings"
)

// runAnalyst binds analyst logins (members of skeldir_readonly) to the one
// tenant each may read. The binding is enforced by the row-level security
// policies, whatever tenant the analyst's session names; an unbound analyst
// reads nothing.
func runAnalyst(ctx context.Context, env environment, args []string) error {
	return subcommands(ctx, env, args, "analyst", map[string]func(context.Context, environment, []string) error{
		"grant":  analystGrant,
		"revoke": analystRevoke,
		"list":   analystList,
	})
}

func analystGrant(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "analyst grant", "analyst grant --tenant ID --login ROLE [--json]")
	tenant := fs.String("tenant", "", "tenant id (required)")
	login := fs.String("login", "", "the analyst's login role, a member of skeldir_readonly (required)")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*tenant) == "" || strings.TrimSpace(*login) == "" {
		fmt.Fprintln(env.stderr, "--tenant and --login are required")
		return errUsage
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.grant_analyst($1::uuid, $2)", *tenant, *login)
}

func analystRevoke(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "analyst revoke", "analyst revoke --login ROLE [--json]")
	login := fs.String("login", "", "the analyst's login role (required)")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*login) == "" {
		fmt.Fprintln(env.stderr, "--login is required")
		return errUsage
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.revoke_analyst($1)", *login)
}

func analystList(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "analyst list", "analyst list [--json]")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.list_analysts()")
}
