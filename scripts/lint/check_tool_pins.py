#!/usr/bin/env python3
"""The tool pins agree: tools/versions.md (what the scripts enforce), .tool-versions (what mise/asdf install) and
the versions the GitHub workflows install. Every pin is an exact version (x.y.z), never a range.

usage: check_tool_pins.py --root REPO
"""

import argparse
import glob
import os
import re
import sys

ASDF_NAMES = {"aws": "awscli"}  # tools/versions.md name -> asdf/mise plugin name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    root = parser.parse_args().root
    problems = []
    text = open(os.path.join(root, "tools/versions.md")).read()
    block = re.search(r"^```tools\n(.*?)^```", text, re.S | re.M)
    pins = {}
    for line in (block.group(1) if block else "").splitlines():
        if line.strip() and not line.startswith("#"):
            tool, versions = line.split()[:2]
            pins[tool] = versions.split(",")
    if not pins:
        problems.append("tools/versions.md has no ```tools block")
    for tool, versions in pins.items():
        for version in versions:
            if not re.fullmatch(r"\d+\.\d+(\.\d+)?", version):
                problems.append(f"{tool}: pin {version!r} is not an exact version")
    asdf = {}
    path = os.path.join(root, ".tool-versions")
    if os.path.exists(path):
        for line in open(path):
            if line.strip() and not line.startswith("#"):
                name, version = line.split()[:2]
                asdf[name] = version
    else:
        problems.append(".tool-versions is missing")
    for tool, versions in pins.items():
        name = ASDF_NAMES.get(tool, tool)
        if name not in asdf:
            problems.append(f".tool-versions lacks {name} (tools/versions.md pins {tool} {','.join(versions)})")
        elif asdf[name] not in versions:
            problems.append(f".tool-versions has {name} {asdf[name]}, tools/versions.md pins {','.join(versions)}")
    for name in sorted(set(asdf) - {ASDF_NAMES.get(t, t) for t in pins}):
        problems.append(f".tool-versions has {name}, which tools/versions.md does not pin")
    workflows = sorted(glob.glob(os.path.join(root, ".github/workflows/*.yml")))
    for workflow in workflows:
        for version in re.findall(r"TERRAFORM_VERSION:\s*\"?([0-9.]+)", open(workflow).read()):
            if version not in pins.get("terraform", []):
                problems.append(
                    f"{os.path.relpath(workflow, root)} installs terraform {version}, "
                    f"tools/versions.md pins {','.join(pins.get('terraform', []))}"
                )
    for line in problems:
        print(f"toolpins: {line}")
    print(
        f"toolpins: {len(pins)} tools pinned exactly in tools/versions.md, .tool-versions and "
        f"{len(workflows)} workflows agree; {len(problems)} problems"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
