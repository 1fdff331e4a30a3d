// Package apispec checks HTTP responses against Skeldir's OpenAPI document:
// the request is matched to one of the document's path templates and
// methods, and the response's status, media type and body must be ones the
// document declares for it.
//
// Two extensions of the document are understood:
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
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/skeldir/skeldir/internal/jsonschema"
)

// Document is a loaded OpenAPI document.
type Document struct {
	root      map[string]any
	validator *jsonschema.Validator
	templates []template
}

type template struct {
	path     string
	segments []string // literal text, or "{name}" for a parameter
	rest     bool     // the last parameter takes the rest of the path
	literals int
	item     map[string]any
}

// Load parses an OpenAPI document (JSON).
func Load(data []byte) (*Document, error) {
	v, err := jsonschema.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not JSON: %w", err)
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the OpenAPI document is not an object")
	}
	d := &Document{root: root, validator: jsonschema.New(root)}
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

// Root returns the decoded document.
func (d *Document) Root() map[string]any { return d.root }

// Validator returns a JSON Schema validator over the document.
func (d *Document) Validator() *jsonschema.Validator { return d.validator }

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
// pointer of the failing value.
func (d *Document) Check(r Response) []string {
	op := d.Match(r.Method, r.Path)
	route := fmt.Sprintf("%s %s", strings.ToUpper(op.Method), op.Template)
	var responses map[string]any
	early, _ := d.root["x-skeldir-before-routing-responses"].(map[string]any)
	if resp, ok := early[strconv.Itoa(r.Status)]; ok {
		route = fmt.Sprintf("%s %s (before routing)", strings.ToUpper(op.Method), r.Path)
		responses = map[string]any{strconv.Itoa(r.Status): resp}
	} else if op.unrouted {
		responses, _ = d.root["x-skeldir-unrouted-responses"].(map[string]any)
		want := "404"
		if op.Template != "" {
			want = "405"
			route = fmt.Sprintf("%s %s (a method the path does not serve)", strings.ToUpper(op.Method), op.Template)
		} else {
			route = fmt.Sprintf("%s %s (no documented path)", strings.ToUpper(op.Method), r.Path)
		}
		if strconv.Itoa(r.Status) != want {
			return []string{fmt.Sprintf("%s answered %d; the document says such a request gets %s", route, r.Status, want)}
		}
		responses = map[string]any{want: responses[want]}
	} else {
		responses, _ = op.op["responses"].(map[string]any)
	}
	status := strconv.Itoa(r.Status)
	resp, ok := responses[status]
	if !ok || resp == nil {
		return []string{fmt.Sprintf("%s answered %d, a status the document does not declare for it (declared: %s)",
			route, r.Status, strings.Join(keys(responses), ", "))}
	}
	respMap, at, err := d.deref(resp, fmt.Sprintf("#/paths/%s/%s/responses/%s", escape(op.Template), op.Method, status))
	if err != nil {
		return []string{fmt.Sprintf("%s %d: %v", route, r.Status, err)}
	}
	content, _ := respMap["content"].(map[string]any)
	if len(content) == 0 {
		if r.ContentType != "" && r.Body != nil && len(strings.TrimSpace(string(r.Body))) > 0 {
			return []string{fmt.Sprintf("%s %d: the document declares no body, but one came (%s)", route, r.Status, r.ContentType)}
		}
		return nil
	}
	media, ok := content[r.ContentType].(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s %d: Content-Type %q is not declared (declared: %s)", route, r.Status,
			r.ContentType, strings.Join(keys(content), ", "))}
	}
	schema, hasSchema := media["schema"]
	if !hasSchema || r.Body == nil {
		return nil
	}
	inst, err := jsonschema.Decode(r.Body)
	if err != nil {
		return []string{fmt.Sprintf("%s %d: the body is not JSON: %v", route, r.Status, err)}
	}
	var out []string
	for _, e := range d.validator.ValidateSchema(inst, schema, strings.TrimPrefix(at, "#")+"/content/"+escape(r.ContentType)+"/schema") {
		out = append(out, fmt.Sprintf("%s %d: body %s", route, r.Status, e.Error()))
	}
	return out
}

// deref follows a response's $ref.
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
		target, err := d.validator.Resolve(ref)
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
