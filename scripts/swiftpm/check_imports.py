#!/usr/bin/env python3
"""Every Swift target imports exactly the modules Package.swift declares for it.

The compiler lets a file import any module that happens to be built before it (a dependency's dependency), so an
undeclared import compiles by accident and breaks when the graph changes. This reads the manifest
(`swift package dump-package`) and each target's sources, and fails on an import that is neither a declared
dependency nor a toolchain module, and on a declared dependency no file imports. With --doc, it also checks that
the module graph in that Markdown file (the fenced block after `<!-- module-graph -->`) is the manifest's.

Usage: python3 -m scripts.swiftpm.check_imports [--package-json FILE] [--root DIR] [--doc FILE] [--print-graph]
       (without --package-json it runs `swift package dump-package` in DIR)
"""

import argparse
import json
import pathlib
import re
import subprocess
import sys

# Modules of the toolchain, never declared in a manifest.
TOOLCHAIN = {
    "Foundation",
    "FoundationEssentials",
    "FoundationNetworking",
    "Glibc",
    "Darwin",
    "Musl",
    "Dispatch",
    "Synchronization",
    "Testing",
    "XCTest",
    "_Concurrency",
    "os",
}
# The architecture's rules (docs/architecture.md), as (target pattern, dependency pattern) pairs that must not be
# edges: Core depends on nothing of ours, the simulator never on the live runtime or C, the live runtime never
# on the simulator, the wire format on nothing but Core, and each C module only under its one wrapper.
FORBIDDEN = [
    (r"Core", r".*"),
    (r"EventWire", r"(?!Core$).*"),
    (r"Sim.*|sim", r"Live.*|C[A-Z].*"),
    (r"Live.*|api|worker|kafka-dev", r"Sim.*"),
    (r"(?!LiveKafka$).*", r"CRdKafka"),
    (r"(?!LivePostgres$).*", r"CLibPQ"),
    (r"(?!LiveKafkaDev$).*", r"CListenPorts"),
]
IMPORT = re.compile(
    r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:public |package |internal |fileprivate |private )?import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?(\w+)",
    re.M,
)


def declared(target: dict) -> set[str]:
    names = set()
    for dependency in target.get("dependencies", []):
        for kind in ("byName", "target", "product"):
            if kind in dependency:
                names.add(dependency[kind][0])
    return names


def imports(directory: pathlib.Path) -> dict[str, list[str]]:
    """Module -> files importing it."""
    found: dict[str, list[str]] = {}
    for path in sorted(directory.rglob("*.swift")):
        for module in IMPORT.findall(path.read_text()):
            found.setdefault(module, []).append(str(path))
    return found


def problems(package: dict, root: pathlib.Path) -> list[str]:
    found = []
    targets = {target["name"] for target in package["targets"]}
    for target in package["targets"]:
        if target["type"] in ("system", "plugin"):
            continue
        default = "Tests" if target["type"] == "test" else "Sources"
        directory = root / (target.get("path") or f"{default}/{target['name']}")
        used = imports(directory)
        if not used:  # a C target
            continue
        allowed = declared(target)
        for name in sorted(allowed):
            for target_rule, dependency_rule in FORBIDDEN:
                if re.fullmatch(target_rule, target["name"]) and re.fullmatch(dependency_rule, name):
                    found.append(
                        f"{target['name']}: must not depend on {name} (docs/architecture.md, dependency rules)"
                    )
        for module, files in sorted(used.items()):
            if module in TOOLCHAIN or module == target["name"]:
                continue
            if module not in allowed:
                kind = "target" if module in targets else "module"
                found.append(f"{target['name']}: imports {kind} {module} without declaring it ({files[0]})")
        for name in sorted(allowed - set(used)):
            found.append(f"{target['name']}: declares {name} but no file imports it")
    return found


def graph(package: dict) -> list[str]:
    """`target → dependencies` per non-test target, in manifest order."""
    rows = []
    for target in package["targets"]:
        if target["type"] == "test":
            continue
        names = []
        for dependency in target.get("dependencies", []):
            for kind in ("byName", "target", "product"):
                if kind in dependency:
                    names.append(dependency[kind][0])
        rows.append((target["name"], names))
    width = max(len(name) for name, _ in rows)
    return [f"{name.ljust(width)} → {', '.join(names)}" if names else name for name, names in rows]


def documented_graph(doc: pathlib.Path) -> list[str]:
    text = doc.read_text()
    marker = text.find("<!-- module-graph -->")
    if marker < 0:
        raise SystemExit(f"check_imports: {doc} has no <!-- module-graph --> marker")
    block = text[marker:].split("```", 2)[1]
    return [line.rstrip() for line in block.splitlines()[1:] if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package-json", type=pathlib.Path)
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path("."))
    parser.add_argument("--doc", type=pathlib.Path, help="Markdown file whose module graph must match the manifest")
    parser.add_argument("--print-graph", action="store_true", help="print the module graph block and exit")
    args = parser.parse_args(argv)
    if args.package_json:
        package = json.loads(args.package_json.read_text())
    else:
        dump = subprocess.run(
            ["swift", "package", "dump-package"], cwd=args.root, check=True, capture_output=True, text=True
        )
        package = json.loads(dump.stdout)
    if args.print_graph:
        print("\n".join(graph(package)))
        return 0
    found = problems(package, args.root)
    if args.doc and documented_graph(args.doc) != graph(package):
        found.append(
            f"{args.doc}: the module graph differs from Package.swift; expected:\n" + "\n".join(graph(package))
        )
    for problem in found:
        print(f"check_imports: {problem}", file=sys.stderr)
    if found:
        return 1
    print(f"check_imports: {len(package['targets'])} targets import exactly what they declare")
    return 0


if __name__ == "__main__":
    sys.exit(main())
