package jsonschema

import (
	"strings"
	"testing"
)

const doc = `{
  "components": {"schemas": {
    "Problem": {"type": "object", "required": ["status", "title"],
      "properties": {"status": {"type": "integer", "minimum": 100, "maximum": 599},
                     "title": {"type": "string", "minLength": 1, "maxLength": 10},
                     "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}}}},
    "FieldError": {"type": "object", "required": ["field"], "properties": {"field": {"type": "string"}},
                   "additionalProperties": false},
    "Nullable": {"type": ["string", "null"], "format": "date"},
    "Stamp": {"type": "string", "format": "date-time"},
    "Id": {"type": "string", "format": "uuid"},
    "Link": {"type": "string", "format": "uri-reference"},
    "Outcome": {"enum": ["accepted", "duplicate"]},
    "Yes": {"const": true},
    "Map": {"type": "object", "additionalProperties": {"type": "integer"}},
    "Either": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
    "One": {"oneOf": [{"type": "number"}, {"type": "integer"}]},
    "Both": {"allOf": [{"required": ["a"]}, {"required": ["b"]}]},
    "Never": false
  }}
}`

func TestValidate(t *testing.T) {
	root, err := Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	v := New(root)
	cases := []struct {
		schema, instance string
		want             string // "" = conforms; else a substring of the first error
	}{
		{"Problem", `{"status": 404, "title": "Not Found"}`, ""},
		{"Problem", `{"status": 404}`, `(root): lacks the required member "title"`},
		{"Problem", `{"status": 404.5, "title": "x"}`, "/status: is a number (404.5), the schema wants integer"},
		{"Problem", `{"status": 404.0, "title": "x"}`, ""},
		{"Problem", `{"status": 99, "title": "x"}`, "less than the minimum 100"},
		{"Problem", `{"status": 600, "title": "x"}`, "more than the maximum 599"},
		{"Problem", `{"status": 400, "title": ""}`, "shorter than 1"},
		{"Problem", `{"status": 400, "title": "ééééééééééé"}`, "longer than 10"},
		{"Problem", `{"status": 400, "title": "x", "errors": [{"field": "a"}, {"field": 1}]}`, "/errors/1/field: is an integer (1), the schema wants string"},
		{"Problem", `{"status": 400, "title": "x", "errors": [{"field": "a", "code": "c"}]}`, `/errors/0: has the member "code"`},
		{"Problem", `[]`, "(root): is an array, the schema wants object"},
		{"Nullable", `null`, ""},
		{"Nullable", `"2026-02-28"`, ""},
		{"Nullable", `"2026-02-30"`, "is not a date"},
		{"Nullable", `7`, "the schema wants string or null"},
		{"Stamp", `"2026-11-26T14:30:00.123456Z"`, ""},
		{"Stamp", `"2026-11-26T14:30:00+01:00"`, ""},
		{"Stamp", `"2026-11-26 14:30:00"`, "is not a date-time"},
		{"Id", `"00000000-0000-0000-0000-00000000000A"`, ""},
		{"Id", `"00000000-0000-0000-0000-0000000000"`, "is not a uuid"},
		{"Link", `"/api/investigations/1/status"`, ""},
		{"Link", `"/a b"`, "is not a uri-reference"},
		{"Outcome", `"duplicate"`, ""},
		{"Outcome", `"rejected"`, `is "rejected", not one of ["accepted","duplicate"]`},
		{"Yes", `true`, ""},
		{"Yes", `false`, "wants exactly true"},
		{"Map", `{"a": 1, "b": 2}`, ""},
		{"Map", `{"a": 1, "b": "2"}`, "/b: is a string"},
		{"Either", `"x"`, ""},
		{"Either", `true`, "matches none of the 2 anyOf branches"},
		{"One", `1.5`, ""},
		{"One", `2`, "matches 2 of the oneOf branches"},
		{"Both", `{"a": 1, "b": 2}`, ""},
		{"Both", `{"a": 1}`, `lacks the required member "b"`},
		{"Never", `{}`, "no value is allowed here"},
	}
	for _, c := range cases {
		inst, err := Decode([]byte(c.instance))
		if err != nil {
			t.Fatalf("%s: %v", c.instance, err)
		}
		errs := v.Validate(inst, "#/components/schemas/"+c.schema)
		switch {
		case c.want == "" && len(errs) > 0:
			t.Errorf("%s %s: want no error, got %v", c.schema, c.instance, errs)
		case c.want != "" && len(errs) == 0:
			t.Errorf("%s %s: want an error containing %q, got none", c.schema, c.instance, c.want)
		case c.want != "" && !strings.Contains(errs[0].Error(), c.want):
			t.Errorf("%s %s: want an error containing %q, got %v", c.schema, c.instance, c.want, errs)
		}
	}
}

func TestValidateReportsTheSchemaPointer(t *testing.T) {
	root, _ := Decode([]byte(doc))
	errs := New(root).Validate(mustDecode(t, `{"status": 400, "title": "x", "errors": [{}]}`), "#/components/schemas/Problem")
	if len(errs) != 1 || errs[0].Pointer != "/errors/0" || errs[0].Schema != "#/components/schemas/FieldError" {
		t.Fatalf("want one error at /errors/0 from #/components/schemas/FieldError, got %+v", errs)
	}
}

func TestBadReference(t *testing.T) {
	root, _ := Decode([]byte(`{"s": {"$ref": "#/nowhere"}, "e": {"$ref": "other.yaml#/x"}}`))
	v := New(root)
	for _, ptr := range []string{"#/s", "#/e", "#/missing"} {
		if errs := v.Validate(mustDecode(t, `1`), ptr); len(errs) == 0 {
			t.Errorf("%s: a reference that cannot be resolved must fail validation", ptr)
		}
	}
}

func TestUnsupported(t *testing.T) {
	s := mustDecode(t, `{"type": "object", "description": "d", "x-note": 1, "properties": {
	  "a": {"type": "string", "pattern": "^x$"},
	  "b": {"type": "string", "format": "email"},
	  "c": {"items": {"nullable": true}},
	  "d": {"oneOf": [{"type": "string", "format": "date"}]}}}`)
	got := strings.Join(Unsupported(s, "#/s"), "\n")
	want := strings.Join([]string{
		`#/s/properties/a: keyword "pattern" is not supported`,
		`#/s/properties/b: format "email" is not supported`,
		`#/s/properties/c/items: keyword "nullable" is not supported`,
	}, "\n")
	if got != want {
		t.Fatalf("Unsupported:\n%s\nwant:\n%s", got, want)
	}
}

func TestDecodeRejectsTrailingData(t *testing.T) {
	if _, err := Decode([]byte(`{} {}`)); err == nil {
		t.Fatal("two JSON values must not decode as one")
	}
}

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := Decode([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
