#!/usr/bin/env python3
"""checkov skips are allowed only inline, one check per skip, each with a reason a reviewer can judge:
Terraform `# checkov:skip=CKV_ID:reason` and Kubernetes annotations `checkov.io/skipN: CKV_ID=reason`.
A skip list in a config file (.checkov.yaml) or on the command line would hide findings without a reason.

usage: check_checkov_skips.py --root REPO RENDERED.yaml [...]
"""

import argparse
import glob
import os
import re
import sys

import yaml

MIN_REASON = 20


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("rendered", nargs="*")
    args = parser.parse_args()
    problems, skips = [], 0
    for path in sorted(glob.glob(os.path.join(args.root, "**", ".checkov.y*ml"), recursive=True)):
        if "/.local/" not in path:
            problems.append(f"{path}: checkov config files are not allowed (skips must be inline with a reason)")
    for path in sorted(glob.glob(os.path.join(args.root, "infra", "**", "*.tf"), recursive=True)):
        for number, line in enumerate(open(path), 1):
            if "checkov:skip" not in line:
                continue
            skips += 1
            match = re.search(r"checkov:skip=(CKV2?_[A-Z0-9]+_\d+):(.+)$", line)
            if not match or len(match.group(2).strip()) < MIN_REASON:
                problems.append(f"{path}:{number}: skip without an ID and a reason of {MIN_REASON}+ characters")
    for path in args.rendered:
        with open(path) as handle:
            for obj in (o for o in yaml.safe_load_all(handle) if o):
                for key, value in (obj["metadata"].get("annotations") or {}).items():
                    if not key.startswith("checkov.io/skip"):
                        continue
                    skips += 1
                    match = re.fullmatch(r"(CKV2?_[A-Z0-9]+_\d+)=(.+)", str(value).strip(), re.S)
                    if not match or len(match.group(2).strip()) < MIN_REASON:
                        problems.append(
                            f"{path}: {obj['kind']} {obj['metadata']['name']}: {key} "
                            f"needs 'CKV_ID=reason' with a reason of {MIN_REASON}+ characters"
                        )
    for problem in problems:
        print(f"checkov-skips: {problem}")
    print(f"checkov-skips: {skips} inline skips, {len(problems)} without a proper reason")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
