package correlation

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestIsUUID(t *testing.T) {
	for s, want := range map[string]bool{
		"0b6c8ea5-4a8e-4b8e-9f3c-2d2b5c7f6a10":  true,
		"0B6C8EA5-4A8E-4B8E-9F3C-2D2B5C7F6A10":  true,
		"0b6c8ea54a8e4b8e9f3c2d2b5c7f6a10":      false,
		"0b6c8ea5-4a8e-4b8e-9f3c-2d2b5c7f6a1g":  false,
		"0b6c8ea5-4a8e-4b8e-9f3c-2d2b5c7f6a10 ": false,
		"":                                      false,
		"{0b6c8ea5-4a8e-4b8e-9f3c-2d2b5c7f6a1}": false,
	} {
		if got := IsUUID(s); got != want {
			t.Errorf("IsUUID(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestNewUUIDIsVersion4AndUnique(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := NewUUID()
		if !IsUUID(id) || id[14] != '4' || id[19] < '8' || id[19] > 'b' {
			t.Fatalf("%q is not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("%q generated twice", id)
		}
		seen[id] = true
	}
}

func TestMiddlewareKeepsAUUIDAndReplacesAnythingElse(t *testing.T) {
	var inside string
	h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inside = FromContext(r.Context())
	}))
	for given, keep := range map[string]bool{
		"4f1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d": true,
		"":                                     false,
		"drop table; --":                       false,
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set(Header, given)
		h.ServeHTTP(rec, req)
		echoed := rec.Header().Get(Header)
		if echoed != inside || !IsUUID(echoed) || (echoed == given) != keep {
			t.Errorf("given %q: echoed %q, handler saw %q", given, echoed, inside)
		}
	}
}

// IsUUID accepts exactly what it claims to, for any header a client sends.
func FuzzIsUUID(f *testing.F) {
	for _, seed := range []string{"4f1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "", "x", "4f1b2c3d5e6f4a7b8c9d0e1f2a3b4c5d",
		"4f1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5z", "{4f1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5}"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !IsUUID(s) {
			return
		}
		if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			t.Fatalf("IsUUID(%q) but it is not 8-4-4-4-12", s)
		}
	})
}
