package apispec

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemas are the component schemas of the test document; GET /<name>
// answers 200 with a body of that schema.
const schemas = `{
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
  "URI": {"type": "string", "format": "uri"},
  "Outcome": {"enum": ["accepted", "duplicate"]},
  "Yes": {"const": true},
  "Map": {"type": "object", "additionalProperties": {"type": "integer"}},
  "Either": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
  "One": {"oneOf": [{"type": "number"}, {"type": "integer"}]},
  "Both": {"allOf": [{"required": ["a"]}, {"required": ["b"]}]},
  "Code": {"type": "string", "pattern": "^[a-z_]+$"},
  "Never": false
}`

// document is an OpenAPI document around component schemas: GET /<name>
// answers 200 with a body of the schema <name>, and 204 with none.
func document(t *testing.T, components string) []byte {
	t.Helper()
	var named map[string]json.RawMessage
	if err := json.Unmarshal([]byte(components), &named); err != nil {
		t.Fatal(err)
	}
	paths := map[string]any{}
	for name := range named {
		paths["/"+name] = map[string]any{"get": map[string]any{"responses": map[string]any{
			"200": map[string]any{"description": "d", "content": map[string]any{"application/json": map[string]any{
				"schema": map[string]any{"$ref": "#/components/schemas/" + name}}}},
			"204": map[string]any{"description": "no body"},
		}}}
	}
	doc, err := json.Marshal(map[string]any{"openapi": "3.1.0", "paths": paths,
		"components": map[string]any{"schemas": named}})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func load(t *testing.T, components string) *Document {
	t.Helper()
	d, err := Load(document(t, components))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A body that breaks its schema fails, naming the pointer of the value and
// what is wrong with it; one that conforms passes.
func TestCheckValidatesBodies(t *testing.T) {
	d := load(t, schemas)
	cases := []struct {
		schema, body string
		want         string // "" = conforms; else a substring of the first message
	}{
		{"Problem", `{"status": 404, "title": "Not Found"}`, ""},
		{"Problem", `{"status": 404}`, `(root): missing property 'title'`},
		{"Problem", `{"status": 404.5, "title": "x"}`, "/status: got number, want integer"},
		{"Problem", `{"status": 404.0, "title": "x"}`, ""},
		{"Problem", `{"status": 99, "title": "x"}`, "/status: minimum: got 99, want 100"},
		{"Problem", `{"status": 600, "title": "x"}`, "/status: maximum: got 600, want 599"},
		{"Problem", `{"status": 400, "title": ""}`, "/title: minLength: got 0, want 1"},
		{"Problem", `{"status": 400, "title": "ééééééééééé"}`, "/title: maxLength: got 11, want 10"},
		{"Problem", `{"status": 400, "title": "x", "errors": [{"field": "a"}, {"field": 1}]}`, "/errors/1/field: got number, want string"},
		{"Problem", `{"status": 400, "title": "x", "errors": [{"field": "a", "code": "c"}]}`, `/errors/0: additional properties 'code' not allowed`},
		{"Problem", `[]`, "(root): got array, want object"},
		{"Nullable", `null`, ""},
		{"Nullable", `"2026-02-28"`, ""},
		{"Nullable", `"2026-02-30"`, "is not valid date"},
		{"Nullable", `7`, "(root): got number, want null or string"},
		{"Stamp", `"2026-11-26T14:30:00.123456Z"`, ""},
		{"Stamp", `"2026-11-26T14:30:00+01:00"`, ""},
		{"Stamp", `"2026-11-26 14:30:00"`, "is not valid date-time"},
		{"Id", `"00000000-0000-0000-0000-00000000000A"`, ""},
		{"Id", `"00000000-0000-0000-0000-0000000000"`, "is not valid uuid"},
		{"Link", `"/api/investigations/1/status"`, ""},
		{"Link", `"urn:uuid:00000000-0000-0000-0000-000000000001"`, ""},
		{"Link", `"/a b"`, "is not valid uri-reference"},
		{"Link", `"/a%zz"`, "is not valid uri-reference"},
		{"URI", `"urn:uuid:00000000-0000-0000-0000-000000000001"`, ""},
		{"URI", `"http://127.0.0.1:8080/api/investigations/1/status"`, ""},
		{"URI", `"/api/investigations/1/status"`, "is not valid uri: is relative"},
		{"URI", `"http://x/a b"`, "is not valid uri"},
		{"Outcome", `"duplicate"`, ""},
		{"Outcome", `"rejected"`, `value must be one of 'accepted', 'duplicate'`},
		{"Yes", `true`, ""},
		{"Yes", `false`, "value must be true"},
		{"Map", `{"a": 1, "b": 2}`, ""},
		{"Map", `{"a": 1, "b": "2"}`, "/b: got string, want integer"},
		{"Either", `"x"`, ""},
		{"Either", `true`, "(root): got boolean, want string"},
		{"One", `1.5`, ""},
		{"One", `2`, "'oneOf' failed, subschemas 0, 1 matched"},
		{"Both", `{"a": 1, "b": 2}`, ""},
		{"Both", `{"a": 1}`, `missing property 'b'`},
		{"Code", `"order_create"`, ""},
		{"Code", `"Order"`, "does not match pattern"},
		{"Never", `{}`, "false schema"},
	}
	for _, c := range cases {
		errs := d.Check(Response{Method: "GET", Path: "/" + c.schema, Status: 200, ContentType: "application/json", Body: []byte(c.body)})
		prefix := fmt.Sprintf("GET /%s 200: body ", c.schema)
		switch {
		case c.want == "" && len(errs) > 0:
			t.Errorf("%s %s: want no error, got %q", c.schema, c.body, errs)
		case c.want != "" && len(errs) == 0:
			t.Errorf("%s %s: want an error containing %q, got none", c.schema, c.body, c.want)
		case c.want != "" && (!strings.HasPrefix(errs[0], prefix) || !strings.Contains(errs[0], c.want)):
			t.Errorf("%s %s: want an error starting %q containing %q, got %q", c.schema, c.body, prefix, c.want, errs)
		}
	}
}

// A failure names the schema keyword it fails, through the $ref.
func TestCheckReportsTheSchemaPointer(t *testing.T) {
	errs := load(t, schemas).Check(Response{Method: "GET", Path: "/Problem", Status: 200, ContentType: "application/json",
		Body: []byte(`{"status": 400, "title": "x", "errors": [{}]}`)})
	want := "GET /Problem 200: body /errors/0: missing property 'field' (schema #/components/schemas/FieldError/required)"
	if len(errs) != 1 || errs[0] != want {
		t.Fatalf("want %q, got %q", want, errs)
	}
}

func TestCheckRejectsBodiesThatAreNotOneJSONValue(t *testing.T) {
	d := load(t, schemas)
	for _, body := range []string{`{} {}`, `{"status": `} {
		errs := d.Check(Response{Method: "GET", Path: "/Problem", Status: 200, ContentType: "application/json", Body: []byte(body)})
		if len(errs) != 1 || !strings.Contains(errs[0], "the body is not JSON") {
			t.Errorf("%s: want one 'not JSON' error, got %q", body, errs)
		}
	}
}

func TestCheckStatusMediaTypeAndEmptyBodies(t *testing.T) {
	d := load(t, schemas)
	for _, c := range []struct {
		status      int
		contentType string
		body        string
		want        string
	}{
		{204, "", "", ""},
		{204, "application/json", `{}`, "the document declares no body, but one came"},
		{201, "application/json", `{}`, "a status the document does not declare for it (declared: 200, 204)"},
		{200, "text/plain", `x`, `Content-Type "text/plain" is not declared (declared: application/json)`},
	} {
		got := strings.Join(d.Check(Response{Method: "GET", Path: "/Yes", Status: c.status, ContentType: c.contentType,
			Body: []byte(c.body)}), "; ")
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%d %s %q: got %q, want %q", c.status, c.contentType, c.body, got, c.want)
		}
	}
}

// A $ref that does not resolve, in a schema or elsewhere, fails Load.
func TestLoadRejectsBadReferences(t *testing.T) {
	for _, components := range []string{
		`{"S": {"$ref": "#/nowhere"}}`,
		`{"S": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/Missing"}}}}`,
		`{"S": {"$ref": "other.yaml#/x"}}`,
	} {
		if _, err := Load(document(t, components)); err == nil {
			t.Errorf("%s: a reference that cannot be resolved must fail Load", components)
		}
	}
	doc := []byte(`{"openapi": "3.1.0", "paths": {"/x": {"get": {"responses": {"200": {"$ref": "#/components/responses/Gone"}}}}}}`)
	if _, err := Load(doc); err == nil || !strings.Contains(err.Error(), `#/paths/~1x/get/responses/200: reference "#/components/responses/Gone"`) {
		t.Errorf("a response $ref that does not resolve must fail Load, got %v", err)
	}
}

// A keyword or format nothing would check fails Load, naming where it is;
// annotations, example and x-* members do not.
func TestLoadRejectsWhatNothingChecks(t *testing.T) {
	_, err := Load(document(t, `{"S": {"type": "object", "description": "d", "x-note": 1, "example": {}, "properties": {
	  "a": {"type": "string", "pattern": "^x$", "title": "t", "examples": ["x"], "contentMediaType": "text/csv"},
	  "b": {"type": "string", "format": "email"},
	  "c": {"items": {"nullable": true}},
	  "d": {"oneOf": [{"type": "string", "format": "date"}]},
	  "e": {"type": "object", "requried": ["x"]}}}}`))
	if err == nil {
		t.Fatal("Load accepted schemas using nullable, requried and format email")
	}
	got := err.Error()
	t.Log(got)
	for _, want := range []string{
		"#/components/schemas/S/properties/b/format: value must be one of 'date', 'date-time', 'uuid', 'uri', 'uri-reference'",
		"#/components/schemas/S/properties/c/items/nullable: not a JSON Schema 2020-12 keyword",
		"#/components/schemas/S/properties/e/requried: not a JSON Schema 2020-12 keyword",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q in:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "\n  "); n != 3 {
		t.Errorf("want exactly 3 problems, got %d:\n%s", n, got)
	}
}

// Every format the dialect allows is one the validator asserts: a format
// it does not know would be an annotation, checking nothing.
func TestDialectFormatsAreAsserted(t *testing.T) {
	for _, f := range dialectFormats {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		c.RegisterFormat(uriReference)
		c.RegisterFormat(uri)
		if err := c.AddResource("urn:test", map[string]any{"format": f}); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile("urn:test")
		if err != nil {
			t.Fatal(err)
		}
		if s.Format == nil || s.Format.Name != f {
			t.Errorf("format %q is not asserted by the validator", f)
		}
	}
}
