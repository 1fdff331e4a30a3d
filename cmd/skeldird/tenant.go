package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
)

func runTenant(ctx context.Context, env environment, args []string) error {
	return subcommands(ctx, env, args, "tenant", map[string]func(context.Context, environment, []string) error{
		"create":             tenantCreate,
		"rotate-key":         tenantRotateKey,
		"keys":               tenantKeys,
		"revoke-key":         tenantRevokeKey,
		"rotate-secret":      tenantRotateSecret,
		"pin-paypal":         tenantPinPayPal,
		"webhook-urls":       tenantWebhookURLs,
		"rotate-webhook-url": tenantRotateWebhookURL,
		"revoke-webhook-url": tenantRevokeWebhookURL,
	})
}

func tenantCreate(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "tenant create", "tenant create --name NAME [--json]")
	name := fs.String("name", "", "tenant display name (required)")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" {
		fmt.Fprintln(env.stderr, "--name is required")
		return errUsage
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.create_tenant($1)", *name)
}

func tenantRotateKey(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "tenant rotate-key", "tenant rotate-key --tenant ID [--revoke-existing] [--json]")
	tenant := fs.String("tenant", "", "tenant id (required)")
	revoke := fs.Bool("revoke-existing", false, "revoke every key the tenant has now")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.rotate_api_key($1::uuid, $2)", *tenant, *revoke)
}

func tenantKeys(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "tenant keys", "tenant keys --tenant ID [--json]")
	tenant := fs.String("tenant", "", "tenant id (required)")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.list_api_keys($1::uuid)", *tenant)
}

// tenantRevokeKey revokes one key by its prefix, so a rotation never leaves
// the sender without a working key: rotate-key, switch the sender, revoke.
func tenantRevokeKey(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "tenant revoke-key", "tenant revoke-key --tenant ID --prefix PREFIX [--json]")
	tenant := fs.String("tenant", "", "tenant id (required)")
	prefix := fs.String("prefix", "", "the key's first 12 characters, as tenant keys lists them (required)")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*prefix) == "" {
		fmt.Fprintln(env.stderr, "--prefix is required")
		return errUsage
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.revoke_api_key($1::uuid, $2)", *tenant, *prefix)
}

func tenantRotateSecret(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "tenant rotate-secret",
		"tenant rotate-secret --tenant ID --vendor shopify|stripe|paypal|woocommerce [--secret-stdin] [--json]")
	tenant := fs.String("tenant", "", "tenant id (required)")
	vendor := fs.String("vendor", "", "webhook vendor (required)")
	fromStdin := fs.Bool("secret-stdin", false, "read the secret the vendor issued from stdin instead of generating one")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var secret *string
	if *fromStdin {
		line, err := bufio.NewReader(env.stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("read secret: %w", err)
		}
		s := strings.TrimSpace(line)
		secret = &s
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.rotate_webhook_secret($1::uuid, $2, $3)",
		*tenant, *vendor, secret)
}

func tenantPinPayPal(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "tenant pin-paypal",
		"tenant pin-paypal --tenant ID --webhook-id WH --cert FILE | --unpin [--json]")
	tenant := fs.String("tenant", "", "tenant id (required)")
	webhookID := fs.String("webhook-id", "", "the PayPal webhook id the signatures name")
	certFile := fs.String("cert", "", "PEM file of PayPal's signing certificate, as downloaded and checked by you")
	unpin := fs.Bool("unpin", false, "return the tenant to HMAC verification")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *unpin {
		return adminCall(ctx, env, *asJSON, "SELECT admin.unpin_paypal_certificate($1::uuid)", *tenant)
	}
	pem, err := os.ReadFile(*certFile)
	if err != nil {
		return err
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.pin_paypal_certificate($1::uuid, $2, $3)",
		*tenant, *webhookID, string(pem))
}

// tenantWebhookURLs prints the URL per vendor to paste into the store's or
// processor's webhook settings (newest first when a rotation left several
// active); it issues the missing ones for tenants created before URLs.
func tenantWebhookURLs(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "tenant webhook-urls", "tenant webhook-urls --tenant ID [--json]")
	tenant := fs.String("tenant", "", "tenant id (required)")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.webhook_urls($1::uuid)", *tenant)
}

// tenantRotateWebhookURL issues a new URL; the old one keeps working until
// revoke-webhook-url, so the store can be switched over without a gap.
func tenantRotateWebhookURL(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "tenant rotate-webhook-url",
		"tenant rotate-webhook-url --tenant ID --vendor shopify|stripe|paypal|woocommerce [--json]")
	tenant := fs.String("tenant", "", "tenant id (required)")
	vendor := fs.String("vendor", "", "webhook vendor (required)")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.rotate_webhook_url($1::uuid, $2)", *tenant, *vendor)
}

func tenantRevokeWebhookURL(ctx context.Context, env environment, args []string) error {
	fs := newFlagSet(env, "tenant revoke-webhook-url", "tenant revoke-webhook-url --tenant ID --prefix PREFIX [--json]")
	tenant := fs.String("tenant", "", "tenant id (required)")
	prefix := fs.String("prefix", "", "the token's first 12 characters, as tenant webhook-urls lists them (required)")
	asJSON := fs.Bool("json", false, "print the result as JSON, for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*prefix) == "" {
		fmt.Fprintln(env.stderr, "--prefix is required")
		return errUsage
	}
	return adminCall(ctx, env, *asJSON, "SELECT admin.revoke_webhook_url($1::uuid, $2)", *tenant, *prefix)
}

// adminCall runs one admin function returning jsonb and prints its result,
// as JSON or as aligned "key  value" lines (nested objects flattened with
// dots). Credentials in it are shown this once and nowhere else.
func adminCall(ctx context.Context, env environment, asJSON bool, sql string, args ...any) error {
	conn, err := connectAdmin(ctx, env)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var result map[string]any
	if err := conn.QueryRow(ctx, sql, args...).Scan(&result); err != nil {
		return explain(err)
	}
	if asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(result)
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	printFlat(tw, "", result)
	return tw.Flush()
}

func printFlat(w io.Writer, prefix string, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if sub, ok := m[k].(map[string]any); ok {
			printFlat(w, prefix+k+".", sub)
			continue
		}
		fmt.Fprintf(w, "%s%s\t%v\n", prefix, k, m[k])
	}
}
