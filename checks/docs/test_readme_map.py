"""The README's "What is where" names every top-level folder git tracks, and only folders that exist; shown to
catch a folder it leaves out and one it invents."""

import pathlib
import re
import subprocess
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def tracked_folders() -> set[str]:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return {f.split("/")[0] for f in files if "/" in f}


def mapped_folders(readme: str) -> set[str]:
    section = readme.split("## What is where", 1)[1].split("\n## ", 1)[0]
    names = set()
    for cell in re.findall(r"^\| (.*?) \|", section, re.MULTILINE):
        for path in re.findall(r"`([^`]+)`", cell):
            names.add(path.strip("/").split("/")[0])
    return names


def gaps(folders: set[str], mapped: set[str], root: pathlib.Path) -> list[str]:
    missing = [f"{folder}/ is not in the map" for folder in sorted(folders - mapped)]
    invented = [f"{name} is mapped but does not exist" for name in sorted(mapped) if not (root / name).exists()]
    return missing + invented


class ReadmeMapTests(unittest.TestCase):
    def test_every_top_level_folder_is_mapped(self):
        readme = (ROOT / "README.md").read_text()
        self.assertEqual(gaps(tracked_folders(), mapped_folders(readme), ROOT), [])

    def test_a_missing_or_invented_folder_is_caught(self):
        readme = "## What is where\n\n| path | what |\n|---|---|\n| `Sources/Core`, `nowhere/` | x |\n\n## Next\n"
        self.assertEqual(
            gaps({"Sources", "docs"}, mapped_folders(readme), ROOT),
            ["docs/ is not in the map", "nowhere is mapped but does not exist"],
        )


if __name__ == "__main__":
    unittest.main()
