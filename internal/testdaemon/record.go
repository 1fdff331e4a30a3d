package testdaemon

import (
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Exchange is one response a test received from a daemon's API listener
// through Do or Get, kept so that a TestMain can check every one of them
// against the OpenAPI document (see internal/apispec).
type Exchange struct {
	Test        string // the test that sent the request
	Method      string
	Path        string // the request's escaped path, without the query
	Status      int
	ContentType string // the media type, without parameters
	Body        []byte // nil when the body is not JSON (only its type is checked)
}

var (
	// apiListeners holds the BaseURL of every API listener Start saw serve.
	apiListeners sync.Map
	recorded     struct {
		sync.Mutex
		list []Exchange
	}
)

// record keeps resp if it came from an API listener. Other listeners (the
// worker's metrics, a test's own servers) are not the API and not recorded.
func record(t testing.TB, req *http.Request, resp *http.Response, body []byte) {
	base := req.URL.Scheme + "://" + req.URL.Host
	if _, ok := apiListeners.Load(base); !ok {
		return
	}
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	x := Exchange{Test: t.Name(), Method: req.Method, Path: req.URL.EscapedPath(), Status: resp.StatusCode,
		ContentType: mediaType}
	if mediaType == "application/json" || strings.HasSuffix(mediaType, "+json") {
		x.Body = body
	}
	recorded.Lock()
	recorded.list = append(recorded.list, x)
	recorded.Unlock()
}

// Exchanges returns every response recorded so far in this process.
func Exchanges() []Exchange {
	recorded.Lock()
	defer recorded.Unlock()
	return append([]Exchange(nil), recorded.list...)
}
