"""`make deps`: installs what the tests and tools need, as pyproject.toml lists it, and skips what is present.

Debian packages ([tool.replicasafe.apt]) are installed with one `apt-get update` and one `apt-get install` of the
missing ones; none of their services is started (policy-rc.d). Each optional-dependency group of pyproject.toml
gets a virtualenv .local/venvs/GROUP made with Debian's python3 (so a pyenv change cannot break it); pip runs only
when an installed version differs from a pin. Every step says what it found and what it installs. Several runs
at once (parallel make targets, several checkouts sharing .local) take turns on a lock.

Usage: python3 -m scripts.deps.install [--check]   (--check: report what is missing, install nothing, exit 1 if
anything is)
"""

import argparse
import fcntl
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[2]
VENVS = ROOT / ".local" / "venvs"
DEBIAN_PYTHON = "/usr/bin/python3"
POLICY = pathlib.Path("/usr/sbin/policy-rc.d")

# Run inside a venv: prints each pin whose installed version differs, as "pin<TAB>found".
PIN_CHECK = r"""
import importlib.metadata, re, sys
for pin in sys.argv[1:]:
    name, _, wanted = pin.partition("==")
    name = re.sub(r"\[.*\]", "", name)
    try:
        found = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        found = "missing"
    ok = found.startswith(wanted[:-1]) if wanted.endswith("*") else found == wanted
    if not ok:
        print(f"{pin}\t{found}")
"""


def say(message: str) -> None:
    print(f"deps: {message}", flush=True)


def configuration() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)


def missing_apt(packages: list[str]) -> list[str]:
    query = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package} ${Status}\n", *packages], capture_output=True, text=True, check=False
    )
    installed = {line.split()[0] for line in query.stdout.splitlines() if line.endswith("install ok installed")}
    return [package for package in packages if package not in installed]


def install_apt(packages: list[str]) -> None:
    """apt-get install without starting services: prometheus would take :9090 (a worker's port)."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    wait = ["-o", "DPkg::Lock::Timeout=600"]
    placed_policy = not POLICY.exists()
    if placed_policy:
        POLICY.write_text("#!/bin/sh\nexit 101\n")
        POLICY.chmod(0o755)
    try:
        subprocess.run(["apt-get", *wait, "update", "-qq"], env=env, check=True)
        subprocess.run(["apt-get", *wait, "install", "-y", "--no-install-recommends", *packages], env=env, check=True)
    finally:
        if placed_policy:
            POLICY.unlink()


def unmet_pins(venv: pathlib.Path, pins: list[str]) -> list[str]:
    python = venv / "bin" / "python"
    if not python.exists():
        return [f"{pin}\tno virtualenv" for pin in pins]
    result = subprocess.run([str(python), "-c", PIN_CHECK, *pins], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return [f"{pin}\tbroken virtualenv" for pin in pins]
    return result.stdout.splitlines()


def ensure_venv(name: str, pins: list[str], check_only: bool) -> bool:
    venv = VENVS / name
    unmet = unmet_pins(venv, pins)
    if not unmet:
        say(f"venv {name}: {len(pins)} pins present")
        return True
    described = ", ".join(f"{pin} (found {found})" for pin, found in (line.split("\t") for line in unmet))
    if check_only:
        say(f"venv {name}: missing {described}")
        return False
    say(f"venv {name}: installing {described}")
    if not (venv / "bin" / "python").exists() or "broken virtualenv" in unmet[0]:
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([DEBIAN_PYTHON, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *pins], check=True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="install what the tests need; skip what is present")
    parser.add_argument("--check", action="store_true", help="report what is missing; install nothing")
    args = parser.parse_args(argv)
    config = configuration()
    apt_groups: dict[str, list[str]] = config["tool"]["replicasafe"]["apt"]
    packages = list(dict.fromkeys(package for group in apt_groups.values() for package in group))
    ok = True

    missing = missing_apt(packages)
    if not missing:
        say(f"apt: {len(packages)} Debian packages present")
    elif args.check:
        say(f"apt: missing {' '.join(missing)}")
        ok = False
    else:
        say(f"apt: installing {' '.join(missing)}")
        install_apt(missing)

    VENVS.mkdir(parents=True, exist_ok=True)
    with open(VENVS / ".deps.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        unless = config["tool"]["replicasafe"].get("venv-unless-command", {})
        for name, pins in config["project"]["optional-dependencies"].items():
            if name in unless and shutil.which(unless[name]):
                say(f"venv {name}: skipped, {unless[name]} is on PATH ({shutil.which(unless[name])})")
                continue
            if not all(re.fullmatch(r"[A-Za-z0-9_.\-]+(\[[a-z,]+\])?==[0-9][0-9A-Za-z.*]*", pin) for pin in pins):
                raise SystemExit(f"deps: group {name}: every requirement must be pinned with ==: {pins}")
            ok = ensure_venv(name, pins, args.check) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
