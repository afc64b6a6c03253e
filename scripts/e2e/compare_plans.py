"""Compares two saved plans (terraform show -json): the JSON and the HCL
export of one stack. Both must plan exactly the same resource changes: the
same addresses, actions, planned values and unknown values. Prints one line
per difference and exits 1 if there is any.

Usage: compare_plans.py STACK JSON_PLAN HCL_PLAN
"""

import json
import sys


def changes(path):
    with open(path) as f:
        plan = json.load(f)
    out = {}
    for change in plan.get("resource_changes", []):
        c = change["change"]
        out[change["address"]] = {
            "actions": c.get("actions"),
            "after": c.get("after"),
            "after_unknown": c.get("after_unknown"),
            "after_sensitive": c.get("after_sensitive"),
        }
    return out


def main():
    stack, json_plan, hcl_plan = sys.argv[1:4]
    a, b = changes(json_plan), changes(hcl_plan)
    problems = []
    for address in sorted(set(a) | set(b)):
        if address not in b:
            problems.append(f"{address}: planned from the JSON only")
        elif address not in a:
            problems.append(f"{address}: planned from the HCL only")
        else:
            for key in a[address]:
                if a[address][key] != b[address][key]:
                    problems.append(
                        f"{address}: {key} differs: JSON {json.dumps(a[address][key])[:300]} "
                        f"HCL {json.dumps(b[address][key])[:300]}"
                    )
    for p in problems:
        print(f"FAIL {stack}: {p}")
    if not a:
        print(f"FAIL {stack}: the plan has no resource changes to compare")
        return 1
    if problems:
        return 1
    print(f"{stack}: the HCL export plans the same {len(a)} resource changes as the JSON")
    return 0


if __name__ == "__main__":
    sys.exit(main())
