"""The README's "What is where" names every top-level folder git tracks and every source folder of a Swift
target (Sources/X, Sources/Bins/X), and only folders that exist; shown to catch a folder it leaves out and one it
invents."""

import fnmatch
import pathlib
import re
import subprocess
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def tracked_folders() -> set[str]:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return {f.split("/")[0] for f in files if "/" in f}


def source_folders(root: pathlib.Path) -> set[str]:
    """The folders that hold the targets' sources: Sources/X, and Sources/Bins/X for the executables."""
    folders = {f"Sources/{d.name}" for d in (root / "Sources").iterdir() if d.is_dir() and d.name != "Bins"}
    return folders | {f"Sources/Bins/{d.name}" for d in (root / "Sources/Bins").iterdir() if d.is_dir()}


def mapped_paths(readme: str) -> set[str]:
    """Every path the map names, with `a/{b,c}` expanded to a/b and a/c."""
    section = readme.split("## What is where", 1)[1].split("\n## ", 1)[0]
    paths = set()
    for cell in re.findall(r"^\| (.*?) \|", section, re.MULTILINE):
        for path in re.findall(r"`([^`]+)`", cell):
            braces = re.fullmatch(r"(.*)\{([^}]*)\}(.*)", path)
            alternatives = braces.group(2).split(",") if braces else [""]
            for alternative in alternatives:
                expanded = braces.group(1) + alternative + braces.group(3) if braces else path
                paths.add(expanded.strip("/"))
    return paths


def covered(folder: str, paths: set[str]) -> bool:
    """A source folder is covered by its own path, a folder above it other than Sources, or a glob (Sources/C*)."""
    return any(fnmatch.fnmatchcase(folder, p) or (p != "Sources" and folder.startswith(p + "/")) for p in paths)


def gaps(folders: set[str], paths: set[str], root: pathlib.Path, sources: set[str] = frozenset()) -> list[str]:
    mapped = {path.split("/")[0] for path in paths}
    missing = [f"{folder}/ is not in the map" for folder in sorted(folders - mapped)]
    missing += [f"{folder}/ is not in the map" for folder in sorted(sources) if not covered(folder, paths)]
    invented = [
        f"{path} is mapped but does not exist"
        for path in sorted(paths)
        if "*" not in path and not (root / path).exists()
    ]
    return missing + invented


class ReadmeMapTests(unittest.TestCase):
    def test_every_top_level_folder_is_mapped(self):
        readme = (ROOT / "README.md").read_text()
        self.assertEqual(gaps(tracked_folders(), mapped_paths(readme), ROOT, source_folders(ROOT)), [])

    def test_a_missing_or_invented_folder_is_caught(self):
        readme = "## What is where\n\n| path | what |\n|---|---|\n| `Sources/Core`, `nowhere/` | x |\n\n## Next\n"
        self.assertEqual(
            gaps({"Sources", "docs"}, mapped_paths(readme), ROOT),
            ["docs/ is not in the map", "nowhere is mapped but does not exist"],
        )

    def test_a_target_folder_left_out_or_invented_is_caught(self):
        cell = "`Sources/Core`, `Sources/C*`, `Sources/Live`, `Sources/Bins/{sim,nothing}`"
        readme = f"## What is where\n\n| path | what |\n|---|---|\n| {cell} | x |\n\n## Next\n"
        sources = {"Sources/Core", "Sources/CLibPQ", "Sources/Live", "Sources/Bins/sim", "Sources/Bins/api"}
        self.assertEqual(
            gaps({"Sources"}, mapped_paths(readme), ROOT, sources),
            ["Sources/Bins/api/ is not in the map", "Sources/Bins/nothing is mapped but does not exist"],
        )


if __name__ == "__main__":
    unittest.main()
