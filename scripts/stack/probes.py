"""What the stack and its checks ask of processes and endpoints: whether a pid is alive (and runs the expected
binary), reaping a child, whether a URL answers 2xx, the one bounded poll (holds, wait_until), and the stack's
log line and error."""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


class StackError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"[stack] {message}", file=sys.stderr, flush=True)


def alive(pid: int, binary: str | None = None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
        if status.split(") ", 1)[1].startswith("Z"):
            return False
        if binary is not None:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
            return os.path.basename(cmdline) == binary
    except (FileNotFoundError, IndexError):
        return False
    return True


def reap(pid: int) -> None:
    """Collects a child that exited (processes started by this interpreter)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError):
        return False


def holds(predicate, seconds: float, interval: float = 0.1) -> bool:
    """Whether `predicate` holds within `seconds`, asked every `interval`: the one bounded poll of the stack and
    its checks; the caller decides what a False means."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def wait_until(predicate, seconds: float, what: str, interval: float = 0.1) -> None:
    if not holds(predicate, seconds, interval):
        raise StackError(f"{what}: not within {seconds:.0f} s")
