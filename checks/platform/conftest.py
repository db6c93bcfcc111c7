"""Fixtures for the defect-injection tests: a copy of the platform's part of the repository in a temporary
directory, and a runner for scripts/lint/platform.sh on that copy."""

import os
import shutil
import subprocess

import pytest

from checks.platform.cloud_stand_in import make_cloud

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# What the platform checks read: our own areas plus their inputs from other areas (the runtime contract in
# docs/interfaces.md, the k6 scripts in checks/load, the observability manifests under apps/base), and the package
# files the lint's Python modules need to run as `python -m scripts.lint.X` from the copy's root.
COPIED = [
    "apps",
    "platform",
    "infra",
    "tools",
    "scripts/__init__.py",
    "scripts/lint",
    "scripts/infra",
    "scripts/deps",
    ".tool-versions",
    "pyproject.toml",
    "docs/security",
    "docs/interfaces.md",
    "checks/load",
    ".github",
    "docker",
    "db",
    "Sources/Live/API",
    "Sources/Live/Worker",
    "scripts/local-postgres.sh",
]


@pytest.fixture(scope="session")
def pristine(tmp_path_factory):
    root = tmp_path_factory.mktemp("pristine")
    for path in COPIED:
        src = os.path.join(REPO, path)
        if not os.path.exists(src):
            continue
        dst = os.path.join(root, path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.isdir(src):
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", ".terraform", ".terraform.lock.hcl"))
        else:
            shutil.copy2(src, dst)
    return str(root)


@pytest.fixture
def tree(pristine, tmp_path):
    """A fresh copy per test, to break."""
    root = tmp_path / "repo"
    shutil.copytree(pristine, root, symlinks=True)
    return Tree(str(root))


class Tree:
    def __init__(self, root):
        self.root = root

    def path(self, relative):
        return os.path.join(self.root, relative)

    def read(self, relative):
        with open(self.path(relative)) as handle:
            return handle.read()

    def write(self, relative, text):
        os.makedirs(os.path.dirname(self.path(relative)), exist_ok=True)
        with open(self.path(relative), "w") as handle:
            handle.write(text)

    def replace(self, relative, old, new, count=1):
        """Replaces old by new; the test fails if old is not in the file (the defect must really be injected)."""
        text = self.read(relative)
        assert text.count(old) >= count, f"{old!r} not found {count} time(s) in {relative}"
        self.write(relative, text.replace(old, new, count))

    def run(self, script, *args, timeout=1200):
        env = dict(os.environ, PLATFORM_VENVS=os.path.join(REPO, ".local", "venvs"))
        proc = subprocess.run(
            [self.path(script), *args], cwd=self.root, env=env, capture_output=True, text=True, timeout=timeout
        )
        return proc.returncode, proc.stdout + proc.stderr

    def lint(self, *checks):
        env = dict(os.environ, PLATFORM_VENVS=os.path.join(REPO, ".local", "venvs"))
        proc = subprocess.run(
            [self.path("scripts/lint/platform.sh"), *checks],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture
def cloud(tmp_path):
    """A PATH with the stand-in tools (and the real jq, bash, coreutils) and a directory with its state."""
    return make_cloud(tmp_path)
