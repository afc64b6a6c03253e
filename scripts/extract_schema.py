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
"""
import json
import sys

PROVIDER = "registry.terraform.io/hashicorp/aws"


def main(full_path, types_path, out_path, names_path):
    with open(full_path) as f:
        full = json.load(f)
    provider = full["provider_schemas"][PROVIDER]
    wanted = {"resource": set(), "data": set()}
    with open(types_path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 2 or parts[0] not in wanted:
                sys.exit(f"{types_path}:{n}: expected 'resource <type>' or 'data <type>', got {line!r}")
            wanted[parts[0]].add(parts[1])
    missing = [f"resource {t}" for t in sorted(wanted["resource"]) if t not in provider["resource_schemas"]]
    missing += [f"data {t}" for t in sorted(wanted["data"]) if t not in provider["data_source_schemas"]]
    if missing:
        sys.exit(f"{types_path}: not in the provider schema: {', '.join(missing)}")
    subset = {
        "format_version": full["format_version"],
        "provider_schemas": {
            PROVIDER: {
                "provider": provider["provider"],
                "resource_schemas": {t: provider["resource_schemas"][t] for t in sorted(wanted["resource"])},
                "data_source_schemas": {t: provider["data_source_schemas"][t] for t in sorted(wanted["data"])},
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
