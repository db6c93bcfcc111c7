"""shellcheck covers every script, found by extension or shebang; yamllint catches a duplicate key."""

from .lint_failure import failed


def test_shellcheck_covers_every_script(tree):
    tree.write("scripts/ops/new-tool.sh", "#!/usr/bin/env bash\nset -euo pipefail\nrm -rf $1/data\n")
    failed(tree, "shellcheck", "FAILED scripts/ops/new-tool.sh")


def test_shellcheck_finds_scripts_by_shebang(tree):
    tree.write("tools/run", "#!/bin/bash\necho $UNQUOTED_VAR\n")
    failed(tree, "shellcheck", "FAILED tools/run")


def test_yamllint_fails_on_a_duplicate_key(tree):
    tree.replace("apps/base/api/service.yaml", "  type: ClusterIP", "  type: ClusterIP\n  type: NodePort")
    failed(tree, "yamllint", 'duplication of key "type"')
