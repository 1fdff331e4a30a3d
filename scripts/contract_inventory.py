#!/usr/bin/env python3
"""Writes internal/dispatch/testdata/contract_inventory.json from the
reference contract (default ../shared/contracts/openapi-v1): for every path
and method, its status codes and, for each status below 400, the media types
and the required field paths of the response schema, with their types.
Facts only (no descriptions or examples), so that the Go coverage test needs
neither the contract folder nor a YAML parser. Each file's sha256 is kept so
the test can tell when the inventory is stale.

A field path is dotted from the body's root; "[]" steps into array items:
"platforms[].platform_name". A required field under an optional parent is
listed too; the test only demands it where our document has the parent.

Usage: python3 scripts/contract_inventory.py [CONTRACT_DIR]  (needs PyYAML)
"""
import hashlib
import json
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "internal", "dispatch", "testdata", "contract_inventory.json")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "contracts", "openapi-v1")
    src = os.path.abspath(src)
    files, docs = {}, {}
    for dirpath, _, names in os.walk(src):
        for name in sorted(names):
            if not name.endswith((".yaml", ".yml")):
                continue
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, src)
            data = open(full, "rb").read()
            files[rel] = hashlib.sha256(data).hexdigest()
            docs[rel] = yaml.safe_load(data)

    def resolve(ref, base):
        target, _, pointer = ref.partition("#")
        rel = os.path.normpath(os.path.join(os.path.dirname(base), target)) if target else base
        node = docs[rel]
        for tok in [t for t in pointer.split("/") if t]:
            node = node[tok.replace("~1", "/").replace("~0", "~")]
        return node, rel

    def deref(node, base):
        while isinstance(node, dict) and "$ref" in node:
            node, base = resolve(node["$ref"], base)
        return node, base

    def merged(schema, base):
        """The schema with allOf folded in: properties and required unioned."""
        schema, base = deref(schema, base)
        props, required, types = {}, [], schema.get("type")
        for part in schema.get("allOf", []):
            sub, sub_base = merged(part, base)
            for k, v in sub["properties"].items():
                props[k] = v
            required += sub["required"]
            types = types or sub["type"]
        for k, v in (schema.get("properties") or {}).items():
            props[k] = (v, base)
        required += schema.get("required") or []
        items = schema.get("items")
        return {"properties": props, "required": required, "type": types,
                "items": (items, base) if items is not None else None,
                "format": schema.get("format")}, base

    def fields(schema, base, prefix, out, depth=0):
        if depth > 8:
            return
        m, base = merged(schema, base)
        if m["type"] == "array" and m["items"] is not None:
            fields(m["items"][0], m["items"][1], prefix + "[]", out, depth + 1)
            return
        for name, (sub, sub_base) in sorted(m["properties"].items()):
            path = (prefix + "." if prefix else "") + name
            sm, _ = merged(sub, sub_base)
            if name in m["required"]:
                out.append({"field": path, "type": sm["type"], "format": sm["format"]})
            fields(sub, sub_base, path, out, depth + 1)

    operations = []
    for rel in sorted(docs):
        for path, item in sorted((docs[rel].get("paths") or {}).items()):
            item, item_base = deref(item, rel)
            for method in METHODS:
                op = item.get(method)
                if op is None:
                    continue
                responses = {}
                for status, resp in sorted((op.get("responses") or {}).items()):
                    resp, resp_base = deref(resp, item_base)
                    entry = {"media_types": sorted((resp.get("content") or {}).keys())}
                    if int(str(status)) < 400:
                        req = []
                        for media in entry["media_types"]:
                            schema = resp["content"][media].get("schema")
                            if schema is not None and media.endswith("json"):
                                fields(schema, resp_base, "", req)
                        entry["required_fields"] = req
                    responses[str(status)] = entry
                operations.append({"file": rel, "path": path, "method": method, "responses": responses})

    with open(OUT, "w") as f:
        json.dump({"generated_by": "scripts/contract_inventory.py", "files": files, "operations": operations},
                  f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(operations)} operations from {len(files)} files -> {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
