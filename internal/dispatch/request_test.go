package dispatch

import "testing"

func TestTextJSONRefusesWhatPostgreSQLCannotStoreAsText(t *testing.T) {
	for raw, want := range map[string]bool{
		`"plain"`:                   true,
		`{"a": ["b", 1, null]}`:     true,
		`"\u00e9 and \ud83d\ude00"`: true,  // é and a surrogate pair
		`"\\u0000"`:                 true,  // an escaped backslash, then text
		`"\u0000"`:                  false, // NUL
		`"a\u0000"`:                 false,
		`"\ud800"`:                  false, // a high surrogate alone
		`"\ud800\u0041"`:            false, // followed by no low one
		`"\udc00"`:                  false, // a low surrogate alone
		`"\u12"`:                    false, // a short escape
		"\"\xff\xfe\"":              false, // not UTF-8
	} {
		if got := textJSON([]byte(raw)); got != want {
			t.Errorf("textJSON(%s) = %v, want %v", raw, got, want)
		}
	}
}
