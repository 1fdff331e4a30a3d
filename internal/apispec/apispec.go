// Package apispec checks HTTP responses against Skeldir's OpenAPI document:
// the request is matched to one of the document's path templates and
// methods, and the response's status, media type and body must be ones the
// document declares for it.
//
// Bodies are validated by github.com/santhosh-tekuri/jsonschema/v6 (JSON
// Schema 2020-12, the document's jsonSchemaDialect) over the document
// itself, so every $ref resolves where the document says, with format
// assertions on (2020-12 leaves format an annotation by default; Skeldir's
// document means its formats as assertions). This package only routes a
// response to its schema.
//
// Load refuses a document that promises a check no one makes: a schema
// keyword outside 2020-12 (OpenAPI 3.0's nullable, a typo) or a format the
// validator does not assert would be ignored, so it is an error (see
// dialect). Annotations, example and x-* members are allowed.
//
// Three extensions of the document are understood:
//   - a path parameter with "x-skeldir-rest": true matches the rest of the
//     path, slashes included (the webhook route below a vendor);
//   - "x-skeldir-unrouted-responses" at the top level declares what is
//     answered to a path no template matches ("404") and to a known path
//     with a method it does not serve ("405");
//   - "x-skeldir-before-routing-responses" at the top level declares what
//     any request may be answered before it is routed (a declared body over
//     the cap: "413"), whatever its path and method.
package apispec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// base names the document as a schema resource; schema locations in
// messages are given relative to it ("#/components/schemas/Problem").
const base = "urn:skeldir:openapi.json"

// dialectFormats are the formats a schema of the document may use, each
// one the validator asserts (TestDialectFormatsAreAsserted). Add one here
// when the document needs it.
var dialectFormats = []string{"date", "date-time", "uuid", "uri", "uri-reference"}

// dialect is the 2020-12 meta-schema made strict: every schema of the
// document, at any depth ($dynamicRef "meta" brings subschemas back here),
// may use only the keywords 2020-12 defines, OpenAPI's example and x-*
// members, and only the dialectFormats.
func dialect() (*jsonschema.Schema, error) {
	formats, _ := json.Marshal(dialectFormats)
	meta, err := jsonschema.UnmarshalJSON(strings.NewReader(`{
	  "$schema": "https://json-schema.org/draft/2020-12/schema",
	  "$dynamicAnchor": "meta",
	  "allOf": [{"$ref": "https://json-schema.org/draft/2020-12/schema"}],
	  "properties": {"format": {"enum": ` + string(formats) + `}, "example": true},
	  "patternProperties": {"^x-": true},
	  "unevaluatedProperties": false
	}`))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("urn:skeldir:openapi-dialect", meta); err != nil {
		return nil, err
	}
	return c.Compile("urn:skeldir:openapi-dialect")
}

// uriReference and uri are RFC 3986's URI-reference and URI (absolute,
// with a scheme): the library's checks (Go's url.Parse) let spaces and
// other characters a URI may not hold through.
var (
	uriReference = &jsonschema.Format{Name: "uri-reference", Validate: func(v any) error {
		_, err := parseURI(v)
		return err
	}}
	uri = &jsonschema.Format{Name: "uri", Validate: func(v any) error {
		if u, err := parseURI(v); err != nil || u == nil || u.IsAbs() {
			return err
		}
		return fmt.Errorf("is relative: a URI has a scheme")
	}}
)

func parseURI(v any) (*url.URL, error) {
	s, ok := v.(string)
	if !ok {
		return nil, nil
	}
	if !uriChars.MatchString(s) {
		return nil, fmt.Errorf("holds a character a URI may not (RFC 3986)")
	}
	return url.Parse(s)
}

var uriChars = regexp.MustCompile(`^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$`)

var printer = message.NewPrinter(language.English)

// Document is a loaded OpenAPI document.
type Document struct {
	root      map[string]any
	compiler  *jsonschema.Compiler
	schemas   map[string]*jsonschema.Schema // by JSON pointer in the document
	templates []template
}

type template struct {
	path     string
	segments []string // literal text, or "{name}" for a parameter
	rest     bool     // the last parameter takes the rest of the path
	literals int
	item     map[string]any
}

// Load parses an OpenAPI document (JSON) and compiles every schema in it.
// It fails, listing every problem, when a $ref does not resolve or a schema
// is not one the dialect allows.
func Load(data []byte) (*Document, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not JSON: %w", err)
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the OpenAPI document is not an object")
	}
	d := &Document{root: root, compiler: jsonschema.NewCompiler(), schemas: map[string]*jsonschema.Schema{}}
	d.compiler.DefaultDraft(jsonschema.Draft2020)
	d.compiler.AssertFormat()
	d.compiler.RegisterFormat(uriReference)
	d.compiler.RegisterFormat(uri)
	if err := d.compiler.AddResource(base, root); err != nil {
		return nil, err
	}
	if err := d.compileAll(); err != nil {
		return nil, err
	}

	paths, _ := root["paths"].(map[string]any)
	for p, item := range paths {
		m, _ := item.(map[string]any)
		t := template{path: p, segments: strings.Split(strings.TrimPrefix(p, "/"), "/"), item: m}
		for i, seg := range t.segments {
			if !isParam(seg) {
				t.literals++
				continue
			}
			if restParam(m, strings.Trim(seg, "{}")) {
				if i != len(t.segments)-1 {
					return nil, fmt.Errorf("path %s: only the last parameter may take the rest of the path", p)
				}
				t.rest = true
			}
		}
		d.templates = append(d.templates, t)
	}
	// The most literal template wins (OpenAPI: concrete paths before
	// templated ones); the path text breaks ties so that the order is fixed.
	sort.Slice(d.templates, func(i, j int) bool {
		a, b := d.templates[i], d.templates[j]
		if a.literals != b.literals {
			return a.literals > b.literals
		}
		if a.rest != b.rest {
			return !a.rest
		}
		return a.path < b.path
	})
	return d, nil
}

// compileAll holds every schema of the document (each "schema" member of
// an OpenAPI object and each components/schemas entry) to the dialect and
// compiles it, and resolves every other $ref (to a response, a parameter).
func (d *Document) compileAll() error {
	strict, err := dialect()
	if err != nil {
		return err
	}

	var problems []string
	schema := func(s any, ptr string) {
		if err := strict.Validate(s); err != nil {
			problems = append(problems, dialectProblems(err, ptr)...)
			return
		}
		compiled, err := d.compiler.Compile(base + "#" + ptr)
		if err != nil {
			problems = append(problems, fmt.Sprintf("#%s: %v", ptr, err))
			return
		}
		d.schemas[ptr] = compiled
	}
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if _, err := d.Resolve(ref); err != nil {
					problems = append(problems, fmt.Sprintf("#%s: %v", ptr, err))
				}
			}
			for k, sub := range x {
				at := ptr + "/" + escape(k)
				switch {
				case k == "schema":
					schema(sub, at)
				case ptr == "/components" && k == "schemas":
					named, _ := sub.(map[string]any)
					for name, s := range named {
						schema(s, at+"/"+escape(name))
					}
				case k == "example" || k == "examples":
				default:
					walk(sub, at)
				}
			}
		case []any:
			for i, sub := range x {
				walk(sub, ptr+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(d.root, "")
	if len(problems) > 0 {
		sort.Strings(problems)
		return errors.New("the OpenAPI document:\n  " + strings.Join(problems, "\n  "))
	}
	return nil
}

// dialectProblems names what the dialect refused in the schema at ptr. A
// refused keyword fails the allOf of every schema around it, which leaves
// all their keywords unevaluated too: an unevaluated keyword is named only
// where nothing inside its own schema failed.
func dialectProblems(err error, ptr string) []string {
	leaves := validationLeaves(err)
	below := func(loc string) bool {
		for _, l := range leaves {
			if strings.HasPrefix(l.at, loc+"/") && !(l.unevaluated && parent(l.at) == loc) {
				return true
			}
		}
		return false
	}
	var out []string
	for _, l := range leaves {
		if l.unevaluated && below(parent(l.at)) {
			continue
		}
		what := l.message
		if l.unevaluated {
			what = "not a JSON Schema 2020-12 keyword, example or x-*: nothing would check it"
		}
		out = append(out, fmt.Sprintf("#%s%s: %s", ptr, l.at, what))
	}
	return out
}

type leaf struct {
	at, schema, message string
	unevaluated         bool
}

// validationLeaves flattens a validation error to its causes that have no
// causes of their own: the failures themselves.
func validationLeaves(err error) []leaf {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []leaf{{message: err.Error()}}
	}
	var out []leaf
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		schema := strings.TrimPrefix(e.SchemaURL, base) + pointer(e.ErrorKind.KeywordPath())
		out = append(out, leaf{at: pointer(e.InstanceLocation), schema: schema,
			message:     e.ErrorKind.LocalizedString(printer),
			unevaluated: strings.HasSuffix(schema, "/unevaluatedProperties")})
	}
	walk(ve)
	return out
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteString("/" + escape(t))
	}
	return b.String()
}

func parent(ptr string) string { return ptr[:max(strings.LastIndex(ptr, "/"), 0)] }

// Root returns the decoded document (numbers as json.Number).
func (d *Document) Root() map[string]any { return d.root }

// Resolve returns the value at a JSON pointer ("#/components/...") in the
// document.
func (d *Document) Resolve(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#") {
		return nil, fmt.Errorf("only references within the document are supported, not %q", ref)
	}
	var cur any = d.root
	ptr := strings.TrimPrefix(ref, "#")
	if ptr == "" {
		return cur, nil
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok, _ = url.PathUnescape(tok)
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("reference %q: %q is not in an object", ref, tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("reference %q: no %q", ref, tok)
		}
	}
	return cur, nil
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

func restParam(item map[string]any, name string) bool {
	params, _ := item["parameters"].([]any)
	for _, p := range params {
		pm, _ := p.(map[string]any)
		if pm["name"] == name && pm["in"] == "path" && pm["x-skeldir-rest"] == true {
			return true
		}
	}
	return false
}

func (t template) matches(path string) bool {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(segs) < len(t.segments) || (!t.rest && len(segs) != len(t.segments)) {
		return false
	}
	for i, want := range t.segments {
		got := segs[i]
		if t.rest && i == len(t.segments)-1 {
			got = strings.Join(segs[i:], "/")
		}
		if isParam(want) {
			if got == "" {
				return false
			}
		} else if got != want {
			return false
		}
	}
	return true
}

// Operation names the documented operation a request reached: its path
// template and method, or "" for the template when no path matched.
type Operation struct {
	Template, Method string
	op               map[string]any
	unrouted         bool
}

// Match finds the operation for a request. When no template matches the
// path, or none that matches has the method, the returned operation is the
// document's unrouted 404 or 405.
func (d *Document) Match(method, path string) Operation {
	method = strings.ToLower(method)
	knownPath := ""
	for _, t := range d.templates {
		if !t.matches(path) {
			continue
		}
		if op, ok := t.item[method].(map[string]any); ok {
			return Operation{Template: t.path, Method: method, op: op}
		}
		if knownPath == "" {
			knownPath = t.path
		}
	}
	return Operation{Template: knownPath, Method: method, unrouted: true}
}

// Response is one response to check.
type Response struct {
	Method, Path string // the request's method and escaped path
	Status       int
	ContentType  string // media type without parameters
	Body         []byte // nil: not checked against a schema
}

// Check returns everything wrong with r according to the document, each
// message naming the route, the status and, for body errors, the JSON
// pointer of the failing value and of the schema keyword it fails.
func (d *Document) Check(r Response) []string {
	op := d.Match(r.Method, r.Path)
	status := strconv.Itoa(r.Status)
	route := fmt.Sprintf("%s %s", strings.ToUpper(op.Method), op.Template)
	at := fmt.Sprintf("#/paths/%s/%s/responses", escape(op.Template), op.Method)
	var responses map[string]any
	early, _ := d.root["x-skeldir-before-routing-responses"].(map[string]any)
	if _, ok := early[status]; ok {
		route = fmt.Sprintf("%s %s (before routing)", strings.ToUpper(op.Method), r.Path)
		responses, at = early, "#/x-skeldir-before-routing-responses"
	} else if op.unrouted {
		want := "404"
		if op.Template != "" {
			want = "405"
			route = fmt.Sprintf("%s %s (a method the path does not serve)", strings.ToUpper(op.Method), op.Template)
		} else {
			route = fmt.Sprintf("%s %s (no documented path)", strings.ToUpper(op.Method), r.Path)
		}
		if status != want {
			return []string{fmt.Sprintf("%s answered %d; the document says such a request gets %s", route, r.Status, want)}
		}
		unrouted, _ := d.root["x-skeldir-unrouted-responses"].(map[string]any)
		responses, at = map[string]any{want: unrouted[want]}, "#/x-skeldir-unrouted-responses"
	} else {
		responses, _ = op.op["responses"].(map[string]any)
	}
	resp, ok := responses[status]
	if !ok || resp == nil {
		return []string{fmt.Sprintf("%s answered %d, a status the document does not declare for it (declared: %s)",
			route, r.Status, strings.Join(keys(responses), ", "))}
	}
	respMap, at, err := d.deref(resp, at+"/"+status)
	if err != nil {
		return []string{fmt.Sprintf("%s %d: %v", route, r.Status, err)}
	}
	content, _ := respMap["content"].(map[string]any)
	if len(content) == 0 {
		if r.ContentType != "" && r.Body != nil && len(bytes.TrimSpace(r.Body)) > 0 {
			return []string{fmt.Sprintf("%s %d: the document declares no body, but one came (%s)", route, r.Status, r.ContentType)}
		}
		return nil
	}
	media, ok := content[r.ContentType].(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s %d: Content-Type %q is not declared (declared: %s)", route, r.Status,
			r.ContentType, strings.Join(keys(content), ", "))}
	}
	if _, hasSchema := media["schema"]; !hasSchema || r.Body == nil {
		return nil
	}
	schema := d.schemas[strings.TrimPrefix(at, "#")+"/content/"+escape(r.ContentType)+"/schema"]
	if schema == nil { // Load compiled every schema; this is a bug here
		return []string{fmt.Sprintf("%s %d: no compiled schema at %s", route, r.Status, at)}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.Body))
	if err != nil {
		return []string{fmt.Sprintf("%s %d: the body is not JSON: %v", route, r.Status, err)}
	}
	var out []string
	if err := schema.Validate(inst); err != nil {
		for _, l := range validationLeaves(err) {
			p := l.at
			if p == "" {
				p = "(root)"
			}
			out = append(out, fmt.Sprintf("%s %d: body %s: %s (schema %s)", route, r.Status, p, l.message, l.schema))
		}
	}
	return out
}

// deref follows a response's $ref; at becomes the pointer of the response
// object itself.
func (d *Document) deref(v any, at string) (map[string]any, string, error) {
	for i := 0; i < 8; i++ {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, at, fmt.Errorf("%s is not an object", at)
		}
		ref, isRef := m["$ref"].(string)
		if !isRef {
			return m, at, nil
		}
		target, err := d.Resolve(ref)
		if err != nil {
			return nil, at, err
		}
		v, at = target, ref
	}
	return nil, at, fmt.Errorf("%s: too many references in a row", at)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func escape(name string) string {
	return strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
}
