"""check_imports.py catches each defect it exists for: an undeclared import, an unused declaration, a forbidden
edge, and a documented module graph that differs from the manifest."""

import pathlib
import tempfile
import unittest

from scripts.swiftpm import check_imports


def target(name, *dependencies, kind="regular"):
    return {
        "name": name,
        "type": kind,
        "path": f"Sources/{name}",
        "dependencies": [{"byName": [d, None]} for d in dependencies],
    }


class CheckImportsTests(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.directory.name)

    def tearDown(self):
        self.directory.cleanup()

    def source(self, target_name, text):
        folder = self.root / "Sources" / target_name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "File.swift").write_text(text)

    def test_clean_package_passes(self):
        self.source("Core", "public struct A {}\n")
        self.source("Sim", "public import Core\nimport Foundation\n")
        package = {"targets": [target("Core"), target("Sim", "Core")]}
        self.assertEqual(check_imports.problems(package, self.root), [])

    def test_undeclared_import_is_caught(self):
        self.source("Core", "public struct A {}\n")
        self.source("Sim", "import Core\n")
        self.source("sim", "import Sim\n@testable import Core\n")
        package = {"targets": [target("Core"), target("Sim", "Core"), target("sim", "Sim")]}
        problems = check_imports.problems(package, self.root)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("sim: imports target Core without declaring it", problems[0])

    def test_unused_declaration_is_caught(self):
        self.source("Core", "public struct A {}\n")
        self.source("Sim", "import Foundation\n")
        package = {"targets": [target("Core"), target("Sim", "Core")]}
        self.assertEqual(check_imports.problems(package, self.root), ["Sim: declares Core but no file imports it"])

    def test_forbidden_edge_is_caught(self):
        self.source("LiveKafka", "public struct K {}\n")
        self.source("Sim", "import LiveKafka\n")
        package = {"targets": [target("LiveKafka"), target("Sim", "LiveKafka")]}
        problems = check_imports.problems(package, self.root)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("Sim: must not depend on LiveKafka", problems[0])

    def test_documented_graph_must_match(self):
        package = {"targets": [target("Core"), target("Sim", "Core")]}
        doc = self.root / "architecture.md"
        doc.write_text("<!-- module-graph -->\n```text\n" + "\n".join(check_imports.graph(package)) + "\n```\n")
        self.assertEqual(check_imports.documented_graph(doc), check_imports.graph(package))
        doc.write_text("<!-- module-graph -->\n```text\nCore\nSim → Core, LiveKafka\n```\n")
        self.assertNotEqual(check_imports.documented_graph(doc), check_imports.graph(package))


if __name__ == "__main__":
    unittest.main()
