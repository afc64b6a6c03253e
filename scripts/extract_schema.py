#!/usr/bin/env python3
"""Extracts the committed schema subset from a full provider schema.

Usage: extract_schema.py FULL_SCHEMA.json TYPES_FILE OUT.json NAMES_OUT

FULL_SCHEMA.json is the output of `terraform providers schema -json`.
TYPES_FILE lists "resource <type>" / "data <type>" lines. The output keeps
the original format (so the same model reads both), with the provider's own
configuration schema and only the listed types, keys sorted for stable diffs.
An unknown type is an error naming it. NAMES_OUT receives the names of all
the provider's types ("resource <type>" / "data <type>" lines), so that the
validator can tell a misspelt type from a real one outside the subset.

A line "opaque resource <type> <block/path>" replaces that nested block type
with an optional attribute of type "dynamic": the bindings take any value
there and the validator does not look inside. It exists for recursive
schemas (aws_wafv2_web_acl nests a whole statement in and/or/not/scope-down
statements three levels deep, 2 MB of schema) and is recorded in the block's
description so nobody mistakes it for the provider's own schema.
"""
import json
import sys

PROVIDER = "registry.terraform.io/hashicorp/aws"


def make_opaque(block, path, where):
    """Replaces the nested block type at `path` (names joined by "/") with an
    optional "dynamic" attribute."""
    *parents, last = path.split("/")
    for name in parents:
        nested = block.get("block_types", {}).get(name)
        if nested is None:
            sys.exit(f"{where}: no nested block {name!r} on the way to {path!r}")
        block = nested["block"]
    nested = block.get("block_types", {}).pop(last, None)
    if nested is None:
        sys.exit(f"{where}: no nested block {last!r} at {path!r}")
    block.setdefault("attributes", {})[last] = {
        "type": "dynamic",
        "optional": True,
        "description": f"Untyped here (opaque in schema/aws.types): the provider's nested block "
        f"{path} ({nested['nesting_mode']}), not checked offline.",
        "description_kind": "plain",
    }


def main(full_path, types_path, out_path, names_path):
    with open(full_path) as f:
        full = json.load(f)
    provider = full["provider_schemas"][PROVIDER]
    wanted = {"resource": set(), "data": set()}
    opaque = []
    with open(types_path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) == 4 and parts[0] == "opaque" and parts[1] in wanted:
                opaque.append((f"{types_path}:{n}", parts[1], parts[2], parts[3]))
                continue
            if len(parts) != 2 or parts[0] not in wanted:
                sys.exit(
                    f"{types_path}:{n}: expected 'resource <type>', 'data <type>' or "
                    f"'opaque resource|data <type> <block/path>', got {line!r}"
                )
            wanted[parts[0]].add(parts[1])
    missing = [f"resource {t}" for t in sorted(wanted["resource"]) if t not in provider["resource_schemas"]]
    missing += [f"data {t}" for t in sorted(wanted["data"]) if t not in provider["data_source_schemas"]]
    if missing:
        sys.exit(f"{types_path}: not in the provider schema: {', '.join(missing)}")
    for where, kind, name, path in opaque:
        if name not in wanted[kind]:
            sys.exit(f"{where}: {kind} {name} is not listed as '{kind} {name}'")
    schemas = {"resource": {}, "data": {}}
    for kind, key in (("resource", "resource_schemas"), ("data", "data_source_schemas")):
        for name in sorted(wanted[kind]):
            schema = provider[key][name]
            paths = [path for _, k, n, path in opaque if (k, n) == (kind, name)]
            if paths:
                schema = json.loads(json.dumps(schema))
                for where, k, n, path in opaque:
                    if (k, n) == (kind, name):
                        make_opaque(schema["block"], path, where)
            schemas[kind][name] = schema
    subset = {
        "format_version": full["format_version"],
        "provider_schemas": {
            PROVIDER: {
                "provider": provider["provider"],
                "resource_schemas": schemas["resource"],
                "data_source_schemas": schemas["data"],
            }
        },
    }
    with open(out_path, "w") as f:
        json.dump(subset, f, indent=1, sort_keys=True)
        f.write("\n")
    with open(names_path, "w") as f:
        for kind, key in (("resource", "resource_schemas"), ("data", "data_source_schemas")):
            for name in sorted(provider[key]):
                f.write(f"{kind} {name}\n")
    print(f"{out_path}: {len(wanted['resource'])} resources, {len(wanted['data'])} data sources")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
