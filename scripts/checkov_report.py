#!/usr/bin/env python3
"""Judges one checkov JSON report (checkov -o json) of one stack.

Usage: checkov_report.py STACK REPORT_JSON [FRAMEWORK]
  FRAMEWORK: terraform_json (default) or terraform_plan

Prints every failed check and a summary line. Exits 1 on any failed check,
on any parsing error, on a report without a summary and on a scan that ran
no check at all: checkov 3.3.30 exits 0 when it could not parse the file.
"""
import json
import sys


def judge(stack, report, framework="terraform_json"):
    """Returns (lines to print, ok)."""
    if isinstance(report, list):  # one entry per framework when several ran
        report = next((r for r in report if r.get("check_type") == framework), {})
    if not isinstance(report, dict):
        return [f"checkov {stack}: the report is not a JSON object"], False
    summary = report.get("summary")
    if not isinstance(summary, dict):
        return [f"checkov {stack}: the report has no summary (did the scan run?)"], False
    failed = report.get("results", {}).get("failed_checks", [])
    lines = [f"  {c.get('check_id')} {c.get('resource')}: {c.get('check_name')}" for c in failed]
    passed = summary.get("passed", 0)
    n_failed = max(summary.get("failed", 0), len(failed))
    errors = summary.get("parsing_errors", 0)
    lines.append(f"checkov {stack}: {passed} passed, {n_failed} failed, "
                 f"{summary.get('skipped', 0)} skipped, {errors} parsing errors")
    if errors:
        lines.append(f"checkov {stack}: parsing errors mean unchecked configuration")
    if passed == 0:
        lines.append(f"checkov {stack}: no check ran")
    return lines, not (errors or n_failed or passed == 0)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    stack, path = sys.argv[1:3]
    framework = sys.argv[3] if len(sys.argv) == 4 else "terraform_json"
    try:
        with open(path) as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        print(f"checkov {stack}: no readable JSON report ({e})")
        sys.exit(1)
    lines, ok = judge(stack, report, framework)
    print("\n".join(lines))
    if not ok:
        print(f"FAIL checkov {stack}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
