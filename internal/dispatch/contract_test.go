package dispatch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The reference contract (../shared/contracts/openapi-v1 beside the
// repository) is summarized in testdata/contract_inventory.json by
// scripts/contract_inventory.py: paths, methods, statuses, media types and
// required response fields with their types. The coverage test reads the
// inventory, so it runs the same with or without the contract folder; when
// the folder is there, the inventory must match it file for file (sha256),
// so a changed contract cannot leave a stale inventory behind.

type inventory struct {
	Files      map[string]string `json:"files"`
	Operations []struct {
		File      string `json:"file"`
		Path      string `json:"path"`
		Method    string `json:"method"`
		Responses map[string]struct {
			MediaTypes     []string `json:"media_types"`
			RequiredFields []struct {
				Field string `json:"field"`
				Type  any    `json:"type"`
			} `json:"required_fields"`
		} `json:"responses"`
	} `json:"operations"`
}

func loadInventory(t *testing.T) inventory {
	t.Helper()
	raw, err := os.ReadFile("testdata/contract_inventory.json")
	if err != nil {
		t.Fatal(err)
	}
	var inv inventory
	if err := json.Unmarshal(raw, &inv); err != nil {
		t.Fatal(err)
	}
	// An emptied inventory would make the coverage test vacuous.
	if len(inv.Files) < 12 || len(inv.Operations) < 38 {
		t.Fatalf("the inventory lists %d files and %d operations; the contract has 15 and 38", len(inv.Files), len(inv.Operations))
	}
	return inv
}

// contractDir finds the reference contract: SKELDIR_CONTRACT_DIR, else
// shared/contracts/openapi-v1 beside this repository, or beside the
// repository it was cloned from (a CI clone elsewhere on the machine).
func contractDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("SKELDIR_CONTRACT_DIR"); d != "" {
		return d
	}
	beside := func(repo string) string {
		return filepath.Join(filepath.Dir(filepath.Clean(repo)), "shared", "contracts", "openapi-v1")
	}
	var tried []string
	for _, args := range [][]string{{"rev-parse", "--show-toplevel"}, {"config", "--get", "remote.origin.url"}} {
		out, err := exec.Command("git", args...).Output()
		if repo := strings.TrimSpace(string(out)); err == nil && filepath.IsAbs(repo) {
			dir := beside(repo)
			if _, err := os.Stat(dir); err == nil {
				return dir
			}
			tried = append(tried, dir)
		}
	}
	t.Fatalf("the reference contract is not at %v: set SKELDIR_CONTRACT_DIR to its openapi-v1 folder", tried)
	return ""
}

func TestContractInventoryIsCurrent(t *testing.T) {
	inv := loadInventory(t)
	dir := contractDir(t)
	found := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(data)
		found[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for f, sum := range found {
		if inv.Files[f] != sum {
			t.Errorf("contract file %s is missing from the inventory or changed since it was made: run scripts/contract_inventory.py", f)
		}
	}
	for f := range inv.Files {
		if _, ok := found[f]; !ok {
			t.Errorf("the inventory lists %s, which the contract no longer has: run scripts/contract_inventory.py", f)
		}
	}
}

// deviation is an x-skeldir-deviations entry: a documented, intentional
// difference from the contract.
type deviation struct {
	Response   string `json:"response"`
	Field      string `json:"field"`
	Type       bool   `json:"type"`
	PathsUnder string `json:"paths_under"`
	Reason     string `json:"reason"`
}

// Every contract operation is in our document with the contract's statuses
// and media types, and every required field of a contract success body is
// a property of ours, of a compatible type, unless a deviation documented in
// our document excuses it. A deviation that excuses nothing is an error too.
func TestOpenAPICoversTheContract(t *testing.T) {
	inv := loadInventory(t)
	doc := loadDocument(t)
	root := doc.Root()
	paths := root["paths"].(map[string]any)

	var global []deviation
	remarshal(root["x-skeldir-deviations"], &global)
	used := map[string]bool{}
	excused := func(local []deviation, path, status, field string, typeOnly bool) bool {
		for i, d := range append(append([]deviation(nil), local...), global...) {
			key := fmt.Sprintf("%s#%d", path, i)
			if i >= len(local) {
				key = fmt.Sprintf("global#%d", i-len(local))
			}
			if d.Response != status || d.Field != field || d.Type != typeOnly || d.Reason == "" {
				continue
			}
			if i >= len(local) && d.PathsUnder != "" && !strings.HasPrefix(path, d.PathsUnder) {
				continue
			}
			used[key] = true
			return true
		}
		return false
	}

	for _, op := range inv.Operations {
		where := fmt.Sprintf("%s %s (%s)", strings.ToUpper(op.Method), op.Path, op.File)
		item, _ := paths[op.Path].(map[string]any)
		ours, ok := item[op.Method].(map[string]any)
		if !ok {
			t.Errorf("%s: not in our document", where)
			continue
		}
		var local []deviation
		remarshal(ours["x-skeldir-deviations"], &local)
		responses, _ := ours["responses"].(map[string]any)
		statuses := make([]string, 0, len(op.Responses))
		for s := range op.Responses {
			statuses = append(statuses, s)
		}
		sort.Strings(statuses)
		for _, status := range statuses {
			want := op.Responses[status]
			resp, ok := responses[status]
			if !ok {
				if !excused(local, op.Path, status, "", false) {
					t.Errorf("%s: the contract answers %s; we declare %v", where, status, sortedKeys(responses))
				}
				continue
			}
			r, _ := resp.(map[string]any)
			if ref, ok := r["$ref"].(string); ok {
				target, _ := doc.Resolve(ref)
				r, _ = target.(map[string]any)
			}
			content, _ := r["content"].(map[string]any)
			for _, media := range want.MediaTypes {
				if _, ok := content[media]; !ok {
					t.Errorf("%s %s: the contract sends %s; we declare %v", where, status, media, sortedKeys(content))
				}
			}
			for _, rf := range want.RequiredFields {
				for _, media := range want.MediaTypes {
					mt, _ := content[media].(map[string]any)
					schema, ok := mt["schema"]
					if !ok || !strings.HasSuffix(media, "json") {
						continue
					}
					parent, leaf, found := navigate(doc.Resolve, schema, rf.Field)
					if !found {
						continue // a parent we do not have; its own entry reports it if it was required
					}
					prop, ok := parent[leaf]
					if !ok {
						if !excused(local, op.Path, status, rf.Field, false) {
							t.Errorf("%s %s %s: the contract requires %s; our schema has no such property", where, status, media, rf.Field)
						}
						continue
					}
					if msg := typeMismatch(doc.Resolve, rf.Type, prop); msg != "" && !excused(local, op.Path, status, rf.Field, true) {
						t.Errorf("%s %s %s: %s: %s", where, status, media, rf.Field, msg)
					}
				}
			}
		}
		for i := range local {
			if !used[fmt.Sprintf("%s#%d", op.Path, i)] {
				t.Errorf("%s: x-skeldir-deviations[%d] excuses nothing the contract asks", where, i)
			}
		}
	}
	for i := range global {
		if !used[fmt.Sprintf("global#%d", i)] {
			t.Errorf("x-skeldir-deviations[%d] (top level) excuses nothing the contract asks", i)
		}
	}
}

type resolver func(string) (any, error)

// properties merges the properties a schema (through $ref and allOf) can
// have.
func properties(resolve resolver, schema any) (props map[string]any, items any) {
	props = map[string]any{}
	var visit func(s any, depth int)
	visit = func(s any, depth int) {
		m, ok := s.(map[string]any)
		if !ok || depth > 16 {
			return
		}
		if ref, ok := m["$ref"].(string); ok {
			if target, err := resolve(ref); err == nil {
				visit(target, depth+1)
			}
		}
		if p, ok := m["properties"].(map[string]any); ok {
			for k, v := range p {
				props[k] = v
			}
		}
		if it, ok := m["items"]; ok {
			items = it
		}
		for _, kw := range []string{"allOf", "anyOf", "oneOf"} {
			list, _ := m[kw].([]any)
			for _, sub := range list {
				visit(sub, depth+1)
			}
		}
	}
	visit(schema, 0)
	return props, items
}

// navigate walks a field path ("a.b[].c") down our schema to the properties
// of the field's parent.
func navigate(resolve resolver, schema any, field string) (map[string]any, string, bool) {
	steps := strings.Split(strings.ReplaceAll(field, "[]", ".[]"), ".")
	cur := schema
	for i, step := range steps {
		props, items := properties(resolve, cur)
		if i == len(steps)-1 {
			return props, step, true
		}
		var ok bool
		if step == "[]" {
			cur, ok = items, items != nil
		} else {
			cur, ok = props[step]
		}
		if !ok {
			return nil, "", false
		}
	}
	return nil, "", false
}

// types lists the JSON types a schema allows (through $ref, allOf, const and
// enum); nil when it does not say.
func types(resolve resolver, schema any) map[string]bool {
	m, ok := schema.(map[string]any)
	if !ok {
		return nil
	}
	if ref, ok := m["$ref"].(string); ok {
		target, _ := resolve(ref)
		return types(resolve, target)
	}
	out := map[string]bool{}
	switch t := m["type"].(type) {
	case string:
		out[t] = true
	case []any:
		for _, x := range t {
			out[fmt.Sprint(x)] = true
		}
	}
	values, _ := m["enum"].([]any)
	if c, ok := m["const"]; ok {
		values = append(values, c)
	}
	for _, v := range values {
		switch v.(type) {
		case string:
			out["string"] = true
		case bool:
			out["boolean"] = true
		case nil:
			out["null"] = true
		case json.Number, float64:
			out["number"] = true
		}
	}
	if all, ok := m["allOf"].([]any); ok && len(out) == 0 {
		for _, sub := range all {
			for k := range types(resolve, sub) {
				out[k] = true
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func typeMismatch(resolve resolver, contractType any, prop any) string {
	want, ok := contractType.(string)
	if !ok {
		return ""
	}
	have := types(resolve, prop)
	if have == nil {
		return fmt.Sprintf("the contract says %s; our schema does not say", want)
	}
	for h := range have {
		if h != want && !(want == "number" && h == "integer") {
			return fmt.Sprintf("the contract says %s; ours allows %s", want, strings.Join(sortedKeys(toAny(have)), ", "))
		}
	}
	return ""
}

func remarshal(v any, into any) {
	if v == nil {
		return
	}
	b, _ := json.Marshal(v)
	json.Unmarshal(b, into)
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func toAny(m map[string]bool) map[string]any {
	out := map[string]any{}
	for k := range m {
		out[k] = true
	}
	return out
}
