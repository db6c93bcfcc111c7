"""The Python package is what pyproject.toml says: every entry point resolves to a function, no module edits
sys.path to find another, every dependency is pinned, and no two files in a folder have names that differ only by
`-` and `_`. Each rule is also shown to catch a planted defect."""

import importlib
import pathlib
import re
import tomllib
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = ("scripts", "checks")


def pyproject() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)


def unresolved_entry_points(scripts: dict[str, str]) -> list[str]:
    problems = []
    for name, target in scripts.items():
        module_name, _, attribute = target.partition(":")
        try:
            function = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as error:
            problems.append(f"{name} = {target}: {error}")
            continue
        if not callable(function):
            problems.append(f"{name} = {target}: not callable")
    return problems


def path_edits(files: dict[str, str]) -> list[str]:
    """Files (path -> text) that change the import path instead of importing by package name."""
    pattern = re.compile(r"sys\.path\s*(\.(insert|append|extend)\s*\(|(\+)?=)|site\.addsitedir")
    return [path for path, text in files.items() if pattern.search(text)]


def unpinned(groups: dict[str, list[str]]) -> list[str]:
    return [f"{group}: {pin}" for group, pins in groups.items() for pin in pins if not re.search(r"==[0-9]", pin)]


def near_duplicate_names(paths: list[pathlib.PurePath]) -> list[tuple[str, str]]:
    """Pairs of files in one folder whose names, without extension, differ only by `-` versus `_`."""
    seen: dict[tuple[pathlib.PurePath, str], pathlib.PurePath] = {}
    pairs = []
    for path in sorted(paths):
        key = (path.parent, path.name.split(".")[0].replace("-", "_"))
        if key in seen and seen[key].name.split(".")[0] != path.name.split(".")[0]:
            pairs.append((str(seen[key]), str(path)))
        seen.setdefault(key, path)
    return pairs


def package_files() -> list[pathlib.Path]:
    return [
        p for package in PACKAGES for p in (ROOT / package).rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ]


class PackageTests(unittest.TestCase):
    def test_entry_points_resolve(self):
        self.assertEqual(unresolved_entry_points(pyproject()["project"]["scripts"]), [])
        self.assertEqual(len(unresolved_entry_points({"x": "scripts.stack.localstack:no_such_function"})), 1)
        self.assertEqual(len(unresolved_entry_points({"x": "scripts.no_such_module:main"})), 1)

    def test_no_module_edits_the_import_path(self):
        sources = {str(p.relative_to(ROOT)): p.read_text() for p in package_files() if p.suffix == ".py"}
        sources.pop("checks/python/test_package.py")  # this file names the patterns it looks for
        self.assertEqual(path_edits(sources), [])
        planted = {"a.py": "import sys\nsys.path.insert(0, 'scripts/stack')\n", "b.py": "sys.path += ['x']\n"}
        self.assertEqual(path_edits(planted), ["a.py", "b.py"])

    def test_every_dependency_is_pinned(self):
        config = pyproject()
        self.assertEqual(config["project"]["dependencies"], [])
        self.assertEqual(unpinned(config["project"]["optional-dependencies"]), [])
        self.assertEqual(unpinned({"ops": ["PyYAML", "moto[server]>=5"]}), ["ops: PyYAML", "ops: moto[server]>=5"])

    def test_no_names_that_differ_only_by_dash_and_underscore(self):
        self.assertEqual(near_duplicate_names([p.relative_to(ROOT) for p in package_files()]), [])
        planted = [pathlib.PurePath("scripts/ops/alerts-e2e.sh"), pathlib.PurePath("scripts/ops/alerts_e2e.py")]
        self.assertEqual(len(near_duplicate_names(planted)), 1)


if __name__ == "__main__":
    unittest.main()
