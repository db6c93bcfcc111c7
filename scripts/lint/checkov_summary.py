#!/usr/bin/env python3
"""Summarises checkov's JSON report (one framework or a list of them) and lists every failed check.
usage: checkov_summary.py REPORT.json LABEL ; exit 1 when a check failed or no check ran."""

import json
import sys


def main():
    path, label = sys.argv[1], sys.argv[2]
    text = open(path).read().strip()
    if not text:
        print(f"checkov {label}: empty report")
        return 1
    report = json.loads(text)
    reports = report if isinstance(report, list) else [report]
    passed = failed = skipped = resources = 0
    for item in reports:
        if "summary" not in item:
            continue
        summary = item["summary"]
        passed += summary.get("passed", 0)
        failed += summary.get("failed", 0)
        skipped += summary.get("skipped", 0)
        resources += summary.get("resource_count", 0)
        for check in item.get("results", {}).get("failed_checks", []):
            print(
                f"checkov {label}: FAILED {check['check_id']} {check.get('check_name', '')} "
                f"{check.get('resource', '')} {check.get('file_path', '')}:{check.get('file_line_range', '')}"
            )
    print(f"checkov {label}: {resources} resources, {passed} passed, {failed} failed, {skipped} skipped inline")
    return 1 if failed or passed + failed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
