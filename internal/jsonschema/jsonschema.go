// Package jsonschema validates JSON values against the subset of JSON Schema
// 2020-12 that Skeldir's OpenAPI document uses: type (one or a list),
// properties, required, additionalProperties, items, enum, const, format
// (date, date-time, uuid, uri-reference), minimum, maximum, minLength,
// maxLength, $ref to a JSON pointer within the same document, allOf, anyOf
// and oneOf.
//
// A schema keyword outside that subset is an error (Unsupported reports
// them), not silently ignored: a document must not promise a check that is
// never made. Annotations (description, title, examples, default,
// deprecated, x-*) are allowed and ignored.
//
// Values are what encoding/json produces with UseNumber: nil, bool,
// json.Number, string, []any and map[string]any.
package jsonschema

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Error is one way an instance fails its schema.
type Error struct {
	// Pointer is the JSON pointer (RFC 6901) of the failing value in the
	// instance; "" is the whole instance.
	Pointer string
	// Schema is the JSON pointer of the failing schema in the document.
	Schema  string
	Message string
}

func (e Error) Error() string {
	p := e.Pointer
	if p == "" {
		p = "(root)"
	}
	return fmt.Sprintf("%s: %s (schema %s)", p, e.Message, e.Schema)
}

// Decode parses JSON as this package expects values (numbers as
// json.Number).
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// Validator checks instances against schemas inside one document (the
// document is the base of every $ref).
type Validator struct {
	root any
}

// New returns a validator over doc, a decoded JSON document.
func New(doc any) *Validator { return &Validator{root: doc} }

// Resolve returns the value at a JSON pointer ("#/components/...") in the
// document.
func (v *Validator) Resolve(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#") {
		return nil, fmt.Errorf("only references within the document are supported, not %q", ref)
	}
	cur := v.root
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

// Validate checks instance against the schema at schemaPtr ("#/..."), and
// returns every failure found (none when it conforms).
func (v *Validator) Validate(instance any, schemaPtr string) []Error {
	s, err := v.Resolve(schemaPtr)
	if err != nil {
		return []Error{{Schema: schemaPtr, Message: err.Error()}}
	}
	var errs []Error
	v.check(instance, s, "", strings.TrimPrefix(schemaPtr, "#"), &errs, 0)
	return errs
}

// ValidateSchema checks instance against an inline schema value (its $refs
// resolve in the document); at names it in messages.
func (v *Validator) ValidateSchema(instance, schema any, at string) []Error {
	var errs []Error
	v.check(instance, schema, "", at, &errs, 0)
	return errs
}

const maxDepth = 64

var annotations = map[string]bool{
	"description": true, "title": true, "examples": true, "example": true, "default": true,
	"deprecated": true, "readOnly": true, "writeOnly": true, "$comment": true,
	"contentMediaType": true, "contentEncoding": true,
}

var supported = map[string]bool{
	"type": true, "properties": true, "required": true, "additionalProperties": true, "items": true,
	"enum": true, "const": true, "format": true, "minimum": true, "maximum": true, "minLength": true,
	"maxLength": true, "$ref": true, "allOf": true, "anyOf": true, "oneOf": true,
}

var formats = map[string]bool{"date": true, "date-time": true, "uuid": true, "uri-reference": true}

// Unsupported walks every schema under the JSON pointer at (the subtree is
// taken to be a schema, or an object whose "schema" members are) and lists
// keywords and formats this package does not check.
func Unsupported(schema any, at string) []string {
	var out []string
	var walk func(s any, p string)
	walk = func(s any, p string) {
		m, ok := s.(map[string]any)
		if !ok {
			if _, isBool := s.(bool); !isBool {
				out = append(out, p+": a schema must be an object or a boolean")
			}
			return
		}
		for k, val := range m {
			switch {
			case annotations[k] || strings.HasPrefix(k, "x-"):
			case !supported[k]:
				out = append(out, fmt.Sprintf("%s: keyword %q is not supported", p, k))
			case k == "format":
				if f, _ := val.(string); !formats[f] {
					out = append(out, fmt.Sprintf("%s: format %q is not supported", p, val))
				}
			case k == "properties":
				props, _ := val.(map[string]any)
				for name, ps := range props {
					walk(ps, p+"/properties/"+escape(name))
				}
			case k == "items" || k == "additionalProperties":
				walk(val, p+"/"+k)
			case k == "allOf" || k == "anyOf" || k == "oneOf":
				list, _ := val.([]any)
				for i, sub := range list {
					walk(sub, fmt.Sprintf("%s/%s/%d", p, k, i))
				}
			}
		}
	}
	walk(schema, at)
	sort.Strings(out)
	return out
}

func (v *Validator) check(inst, schema any, ptr, sp string, errs *[]Error, depth int) {
	fail := func(format string, a ...any) {
		*errs = append(*errs, Error{Pointer: ptr, Schema: "#" + sp, Message: fmt.Sprintf(format, a...)})
	}
	if depth > maxDepth {
		fail("schema nesting deeper than %d (a $ref cycle?)", maxDepth)
		return
	}
	switch s := schema.(type) {
	case bool:
		if !s {
			fail("no value is allowed here")
		}
		return
	case map[string]any:
		if ref, ok := s["$ref"].(string); ok {
			target, err := v.Resolve(ref)
			if err != nil {
				fail("%v", err)
				return
			}
			v.check(inst, target, ptr, strings.TrimPrefix(ref, "#"), errs, depth+1)
		}
		if t, ok := s["type"]; ok && !typeMatches(inst, t) {
			fail("is %s, the schema wants %s", typeOf(inst), describeType(t))
			return // the other keywords would only repeat the point
		}
		if c, ok := s["const"]; ok && !equal(inst, c) {
			fail("is %s, the schema wants exactly %s", show(inst), show(c))
		}
		if e, ok := s["enum"].([]any); ok {
			found := false
			for _, candidate := range e {
				found = found || equal(inst, candidate)
			}
			if !found {
				fail("is %s, not one of %s", show(inst), show(e))
			}
		}
		v.checkString(inst, s, fail)
		checkNumber(inst, s, fail)
		v.checkObject(inst, s, ptr, sp, errs, depth, fail)
		if items, ok := s["items"]; ok {
			if arr, isArr := inst.([]any); isArr {
				for i, el := range arr {
					v.check(el, items, fmt.Sprintf("%s/%d", ptr, i), sp+"/items", errs, depth+1)
				}
			}
		}
		v.checkComposition(inst, s, ptr, sp, errs, depth, fail)
	default:
		fail("the schema is not an object or a boolean")
	}
}

func (v *Validator) checkString(inst any, s map[string]any, fail func(string, ...any)) {
	str, ok := inst.(string)
	if !ok {
		return
	}
	n := utf8.RuneCountInString(str)
	if min, ok := s["minLength"].(json.Number); ok {
		if m, _ := min.Int64(); int64(n) < m {
			fail("is %d characters long, shorter than %d", n, m)
		}
	}
	if max, ok := s["maxLength"].(json.Number); ok {
		if m, _ := max.Int64(); int64(n) > m {
			fail("is %d characters long, longer than %d", n, m)
		}
	}
	if f, ok := s["format"].(string); ok {
		if msg := checkFormat(str, f); msg != "" {
			fail("%s is not a %s: %s", show(str), f, msg)
		}
	}
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// checkFormat asserts the formats this package knows (2020-12 leaves format
// an annotation by default; Skeldir's document means them as assertions).
func checkFormat(s, format string) string {
	switch format {
	case "date":
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return "want YYYY-MM-DD"
		}
	case "date-time":
		// RFC 3339 requires the offset; time.RFC3339Nano accepts any
		// fraction length.
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return "want an RFC 3339 date-time with an offset"
		}
	case "uuid":
		if !uuidPattern.MatchString(s) {
			return "want 8-4-4-4-12 hexadecimal digits"
		}
	case "uri-reference":
		if _, err := url.Parse(s); err != nil || strings.ContainsAny(s, " \t\n") {
			return "want a URI reference"
		}
	default:
		return "unknown format"
	}
	return ""
}

func checkNumber(inst any, s map[string]any, fail func(string, ...any)) {
	n, ok := inst.(json.Number)
	if !ok {
		return
	}
	val, _ := new(big.Float).SetString(n.String())
	if val == nil {
		fail("%s is not a number", n)
		return
	}
	if min, ok := s["minimum"].(json.Number); ok {
		if m, _ := new(big.Float).SetString(min.String()); m != nil && val.Cmp(m) < 0 {
			fail("is %s, less than the minimum %s", n, min)
		}
	}
	if max, ok := s["maximum"].(json.Number); ok {
		if m, _ := new(big.Float).SetString(max.String()); m != nil && val.Cmp(m) > 0 {
			fail("is %s, more than the maximum %s", n, max)
		}
	}
}

func (v *Validator) checkObject(inst any, s map[string]any, ptr, sp string, errs *[]Error, depth int,
	fail func(string, ...any)) {
	obj, ok := inst.(map[string]any)
	if !ok {
		return
	}
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			name, _ := r.(string)
			if _, present := obj[name]; !present {
				fail("lacks the required member %q", name)
			}
		}
	}
	props, _ := s["properties"].(map[string]any)
	names := make([]string, 0, len(obj))
	for name := range obj {
		names = append(names, name)
	}
	sort.Strings(names)
	extra, hasExtra := s["additionalProperties"]
	for _, name := range names {
		if ps, ok := props[name]; ok {
			v.check(obj[name], ps, ptr+"/"+escape(name), sp+"/properties/"+escape(name), errs, depth+1)
		} else if hasExtra {
			if b, isBool := extra.(bool); isBool && !b {
				fail("has the member %q, which the schema does not allow", name)
			} else {
				v.check(obj[name], extra, ptr+"/"+escape(name), sp+"/additionalProperties", errs, depth+1)
			}
		}
	}
}

func (v *Validator) checkComposition(inst any, s map[string]any, ptr, sp string, errs *[]Error, depth int,
	fail func(string, ...any)) {
	if all, ok := s["allOf"].([]any); ok {
		for i, sub := range all {
			v.check(inst, sub, ptr, fmt.Sprintf("%s/allOf/%d", sp, i), errs, depth+1)
		}
	}
	for _, kw := range []string{"anyOf", "oneOf"} {
		list, ok := s[kw].([]any)
		if !ok {
			continue
		}
		matched := 0
		var first []Error // the failures of the closest branch, to explain
		for i, sub := range list {
			var subErrs []Error
			v.check(inst, sub, ptr, fmt.Sprintf("%s/%s/%d", sp, kw, i), &subErrs, depth+1)
			if len(subErrs) == 0 {
				matched++
			} else if first == nil || len(subErrs) < len(first) {
				first = subErrs
			}
		}
		switch {
		case matched == 0:
			fail("matches none of the %d %s branches", len(list), kw)
			*errs = append(*errs, first...)
		case kw == "oneOf" && matched > 1:
			fail("matches %d of the oneOf branches, not exactly one", matched)
		}
	}
}

func typeMatches(inst any, t any) bool {
	switch t := t.(type) {
	case string:
		return isType(inst, t)
	case []any:
		for _, one := range t {
			if name, _ := one.(string); isType(inst, name) {
				return true
			}
		}
	}
	return false
}

func isType(inst any, name string) bool {
	switch x := inst.(type) {
	case nil:
		return name == "null"
	case bool:
		return name == "boolean"
	case string:
		return name == "string"
	case []any:
		return name == "array"
	case map[string]any:
		return name == "object"
	case json.Number:
		if name == "number" {
			return true
		}
		if name == "integer" {
			f, ok := new(big.Float).SetString(x.String())
			return ok && f.IsInt()
		}
	}
	return false
}

func typeOf(inst any) string {
	switch x := inst.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case json.Number:
		if isType(x, "integer") {
			return "an integer (" + x.String() + ")"
		}
		return "a number (" + x.String() + ")"
	}
	return fmt.Sprintf("%T", inst)
}

func describeType(t any) string {
	if list, ok := t.([]any); ok {
		parts := make([]string, len(list))
		for i, p := range list {
			parts[i] = fmt.Sprint(p)
		}
		return strings.Join(parts, " or ")
	}
	return fmt.Sprint(t)
}

// equal compares JSON values, numbers by value.
func equal(a, b any) bool {
	if na, ok := a.(json.Number); ok {
		nb, ok := b.(json.Number)
		if !ok {
			return false
		}
		fa, _ := new(big.Float).SetString(na.String())
		fb, _ := new(big.Float).SetString(nb.String())
		return fa != nil && fb != nil && fa.Cmp(fb) == 0
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}

func escape(name string) string {
	return strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
}
