// Command skeldird is Skeldir's daemon and operator CLI.
//
//	skeldird serve [--role all|api|worker]  serve the HTTP API, the work loop and the scheduler
//	skeldird tenant create --name N         create a tenant and its credentials
//	skeldird tenant rotate-key --tenant ID  issue a new API key
//	skeldird tenant rotate-secret ...       activate a new webhook secret
//	skeldird tenant webhook-urls --tenant ID  print the URLs stores and processors post to
//	skeldird user create|set-password|disable|enable --tenant ID --email E
//	                                        manage dashboard users (passwords on stdin)
//	skeldird dlq list|replay --tenant ID    inspect and replay dead webhook deliveries
//	skeldird spend import --tenant ID --file F.csv  store ad spend (date,channel,currency,amount)
//	skeldird audit                          check grants and RLS against the rules
//
// Settings come from the environment; `skeldird --help` lists them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/skeldir/skeldir/internal/config"
)

// command is one subcommand: its usage line, summary and body. run receives
// the arguments after the command's name.
type command struct {
	name, usage, summary string
	run                  func(ctx context.Context, env environment, args []string) error
}

// environment is what a command may touch of the process.
type environment struct {
	cfg    config.Config
	stdout io.Writer
	stderr io.Writer
	stdin  io.Reader
}

// errUsage means the command line was wrong; the flag package already said how.
var errUsage = errors.New("usage")

// exitError carries a non-zero exit status that is not a failure to run, such
// as an audit that found deviations.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func commands() []command {
	return []command{
		{"serve", "serve [--role all|api|worker]", "serve the HTTP API, the work loop and the scheduler (or one --role) until SIGINT or SIGTERM", runServe},
		{"tenant", "tenant create|rotate-key|keys|revoke-key|rotate-secret|pin-paypal|webhook-urls|rotate-webhook-url|revoke-webhook-url [flags]", "create tenants, list, rotate and revoke their credentials", runTenant},
		{"user", "user create|set-password|disable|enable --tenant ID --email EMAIL", "manage dashboard users (passwords read from stdin)", runUser},
		{"analyst", "analyst grant|revoke|list [--tenant ID --login ROLE]", "bind analyst logins (skeldir_readonly) to the tenant each may read", runAnalyst},
		{"token-key", "token-key list|rotate|retire [--kid KID]", "rotate the keys that sign dashboard access tokens", runTokenKey},
		{"dlq", "dlq list|replay --tenant ID [flags]", "list and replay the ingestion dead-letter queue", runDLQ},
		{"spend", "spend import --tenant ID --file SPEND.csv", "store a tenant's ad spend (date,channel,currency,amount)", runSpend},
		{"audit", "audit [--json]", "report roles, grants, RLS and definer functions; exit 1 on any deviation", runAudit},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "skeldird: invalid configuration:\n%v\n", err)
		return 2
	}
	env := environment{cfg: cfg, stdout: stdout, stderr: stderr, stdin: stdin}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, env, args[1:])
		var exit exitError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		case errors.As(err, &exit):
			return exit.code
		default:
			fmt.Fprintf(stderr, "skeldird %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "skeldird: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: skeldird <command> [flags]   (skeldird <command> --help for its flags)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-48s %s\n", c.usage, c.summary)
	}
	fmt.Fprintln(w)
	config.Help(w)
}

// newFlagSet returns a flag set whose --help prints the command's usage, its
// flags and the environment table.
func newFlagSet(env environment, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: skeldird %s\n\n", synopsis)
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output())
		config.Help(fs.Output())
	}
	return fs
}

// subcommands runs the subcommand args[0] names among subs, or explains the
// choice on stderr.
func subcommands(ctx context.Context, env environment, args []string, command string,
	subs map[string]func(context.Context, environment, []string) error) error {
	if len(args) > 0 && subs[args[0]] != nil {
		return subs[args[0]](ctx, env, args[1:])
	}
	names := make([]string, 0, len(subs))
	for name := range subs {
		names = append(names, name)
	}
	slices.Sort(names)
	fmt.Fprintf(env.stderr, "Usage: skeldird %s %s [flags] (--help on each)\n", command, strings.Join(names, "|"))
	return errUsage
}

// parseFlags parses args, mapping flag errors to errUsage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments: %v\n", fs.Args())
		fs.Usage()
		return errUsage
	}
	return nil
}
