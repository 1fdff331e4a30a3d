package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/skeldir/skeldir/internal/correlation"
	"github.com/skeldir/skeldir/internal/metrics"
	"github.com/skeldir/skeldir/internal/problem"
)

// webhookHeaders are the request headers api.ingest_webhook reads, passed
// under their lower-case names. Nothing else of the request reaches SQL.
var webhookHeaders = []string{
	"X-Skeldir-Tenant-Key", "X-Idempotency-Key",
	"X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "X-Shopify-Webhook-Id",
	"X-WC-Webhook-Signature", "X-WC-Webhook-Topic", "X-WC-Webhook-Delivery-ID",
	"Stripe-Signature",
	"Paypal-Transmission-Sig", "Paypal-Transmission-Id", "Paypal-Transmission-Time", "Paypal-Auth-Algo",
}

type webhooks struct {
	db      DB
	batcher *ingestBatcher
	logger  *slog.Logger
	metrics *metrics.Webhooks
}

// urlTokenHeader carries a tenant URL's token (/hooks/{vendor}/{token}) to
// SQL with the headers. No real header name starts with a colon, so a sender
// cannot pose as one with a header.
const urlTokenHeader = ":url-token"

// ingest hands one delivery to api.ingest_webhook and sends what it decides.
// The route is the path below /api/webhooks/{vendor}/ or /hooks/{vendor}/{token}/
// ("" on the generic route, where the vendor's topic header or event type
// decides).
func (h webhooks) ingest(w http.ResponseWriter, r *http.Request) {
	// Path segments reach SQL as text, which must be valid UTF-8 even when
	// the URL's percent-escapes are not.
	vendor := strings.ToValidUTF8(chi.URLParam(r, "vendor"), "\uFFFD")
	route := strings.ToValidUTF8(chi.URLParam(r, "*"), "\uFFFD")
	body, tooLarge := readBody(r)
	if tooLarge != nil {
		h.metrics.Observe(vendor, "payload_too_large")
		problem.Write(w, r, *tooLarge)
		return
	}
	headers := make(map[string]string, len(webhookHeaders))
	for _, name := range webhookHeaders {
		if v := r.Header.Get(name); v != "" {
			headers[strings.ToLower(name)] = v
		}
	}
	if token := chi.URLParam(r, "token"); token != "" {
		// Not text is no token of ours: the lookup finds none (a 401).
		headers[urlTokenHeader] = strings.ReplaceAll(strings.ToValidUTF8(token, "\uFFFD"), "\x00", "\uFFFD")
	}
	headerJSON, _ := json.Marshal(headers) // a map of strings always encodes

	a := h.batcher.submit(r.Context(), &delivery{vendor: vendor, route: route, headers: headerJSON, body: body,
		requestID: correlation.FromContext(r.Context())})
	if a.err != nil {
		h.failed(w, r, vendor, a.err)
		return
	}
	status, outcome, response := a.status, a.outcome, a.response
	h.metrics.Observe(vendor, outcome)
	if status >= 400 {
		var p struct{ Type, Title, Detail string }
		json.Unmarshal(response, &p)
		problem.Write(w, r, problem.Details{Type: p.Type, Title: p.Title, Status: status, Detail: p.Detail})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(response)
}

// failed answers a delivery the database did not take (or whose commit is
// in doubt): 503 when the database could not take it now, so the sender
// retries, 500 (a bug, logged) otherwise (writeDatabaseError).
func (h webhooks) failed(w http.ResponseWriter, r *http.Request, vendor string, err error) {
	h.metrics.Observe(vendor, "error")
	if errors.Is(err, context.Canceled) {
		return // the sender went away; there is no one to answer
	}
	h.logger.Error("webhook not stored", "correlation_id", correlation.FromContext(r.Context()),
		"vendor", vendor, "error", err)
	writeDatabaseError(w, r, err)
}
