"""The toolpins check keeps .tool-versions and tools/versions.md equal, at exact versions."""

from .lint_failure import failed


def test_toolpins_keep_tool_versions_and_the_pins_equal(tree):
    tree.replace(".tool-versions", "helm 3.19.0", "helm 3.20.0")
    failed(tree, "toolpins", ".tool-versions has helm 3.20.0, tools/versions.md pins 3.19.0")


def test_toolpins_refuse_a_range(tree):
    tree.replace("tools/versions.md", "kubectl     1.34.1 ", "kubectl     >=1.34 ")
    failed(tree, "toolpins", "is not an exact version")
