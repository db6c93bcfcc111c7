#!/usr/bin/env python3
"""The local stack on 127.0.0.1: PostgreSQL (scripts/local-postgres.sh, as the postgres user), kafka-dev
(librdkafka's mock cluster), the api and N workers, each a real process with a pid file and a log.

    scripts/stack/localstack.py up [--mode after] [--workers 2]   # idempotent; scales workers to N
    scripts/stack/localstack.py down                              # SIGTERM everything it started
    scripts/stack/localstack.py status

`make up` / `make down` call this; checks/e2e/scale_and_kill.py imports it to run the same processes on its own
ports and database. Standard library only. Ports: docs/interfaces.md (api 8080, workers 9101.., brokers
19092-19094, kafka-dev control 19099, PostgreSQL 15432).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class StackError(RuntimeError):
    pass


@dataclass
class Ports:
    brokers: tuple[int, ...] = (19092, 19093, 19094)
    control: int = 19099
    api: int = 8080
    first_worker: int = 9101

    def worker(self, index: int) -> int:
        return self.first_worker + index - 1

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{p}" for p in self.brokers)


@dataclass
class Stack:
    root: Path
    database: str = "replicasafe"
    ports: Ports = field(default_factory=Ports)
    build_config: str = os.environ.get("BUILD_CONFIG", "release")
    scratch: str | None = os.environ.get("SWIFT_SCRATCH") or None
    worker_env: dict[str, str] = field(default_factory=dict)
    # Set: each worker appends its history (HISTORY_FILE) to <history_dir>/w<index>.jsonl.
    history_dir: Path | None = None
    api_env: dict[str, str] = field(default_factory=dict)
    bin_dir: Path | None = None

    # ----- build and helpers -------------------------------------------------------------------------

    def swift(self, *args: str) -> list[str]:
        command = [os.environ.get("SWIFT", "swift"), "build", "-c", self.build_config]
        if self.scratch:
            command += ["--scratch-path", self.scratch]
        return command + list(args)

    def build(self) -> Path:
        for product in ("kafka-dev", "api", "worker"):
            log(f"building {product} ({self.build_config})")
            subprocess.run(self.swift("--product", product), cwd=REPO, check=True, stdout=sys.stderr)
        out = subprocess.run(self.swift("--show-bin-path"), cwd=REPO, check=True, capture_output=True, text=True)
        self.bin_dir = Path(out.stdout.strip())
        return self.bin_dir

    def binary(self, name: str) -> str:
        if self.bin_dir is None:
            self.build()
        return str(self.bin_dir / name)

    @property
    def server_url(self) -> str:
        url = subprocess.run(
            [str(REPO / "scripts/local-postgres.sh"), "url"], check=True, capture_output=True, text=True
        ).stdout.strip()
        return url.rsplit("/", 1)[0]

    @property
    def database_url(self) -> str:
        return f"{self.server_url}/{self.database}"

    def role_url(self, role: str) -> str:
        """The stack's database as a least-privilege role of db/grants.sql (api or worker), as on EKS."""
        return self.database_url.replace("postgresql://replicasafe@", f"postgresql://{role}@", 1)

    def psql(self, sql: str, database: str | None = None, stdin: str | None = None) -> str:
        url = f"{self.server_url}/{database or self.database}"
        done = subprocess.run(
            ["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-F", "\t", "-c", sql],
            input=stdin,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise StackError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    # ----- processes ---------------------------------------------------------------------------------

    def pid_file(self, name: str) -> Path:
        return self.root / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.root / f"{name}.log"

    def pid(self, name: str) -> int | None:
        try:
            pid = int(self.pid_file(name).read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if alive(pid, self.expected_binary(name)) else None

    @staticmethod
    def expected_binary(name: str) -> str:
        return "worker" if name.startswith("worker-") else name

    def spawn(self, name: str, argv: list[str], env: dict[str, str]) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        log_handle = open(self.log_file(name), "ab")
        full_env = dict(os.environ)
        full_env.update(env)
        process = subprocess.Popen(
            argv,
            cwd=REPO,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=log_handle,
            stderr=log_handle,
            start_new_session=True,
        )
        log_handle.close()
        # Popen can return before /proc shows the new program (its cmdline is still the interpreter's for a
        # moment): a pid() check then would call the process dead and a second start would spawn a twin.
        deadline = time.monotonic() + 5
        while (
            not alive(process.pid, self.expected_binary(name))
            and process.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.005)
        self.pid_file(name).write_text(f"{process.pid}\n")
        return process.pid

    def send_signal(self, name: str, sig: int) -> int | None:
        pid = self.pid(name)
        if pid is not None:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return None
        return pid

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 30.0) -> bool:
        """Signals `name` and waits for it to exit (SIGKILL after `timeout`). True if it was running."""
        pid = self.send_signal(name, sig)
        if pid is None:
            self.pid_file(name).unlink(missing_ok=True)
            return False
        deadline = time.monotonic() + timeout
        while alive(pid) and time.monotonic() < deadline:
            reap(pid)
            time.sleep(0.05)
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
            while alive(pid):
                reap(pid)
                time.sleep(0.05)
        self.pid_file(name).unlink(missing_ok=True)
        return True

    # ----- components --------------------------------------------------------------------------------

    def start_postgres(self) -> bool:
        """Starts the local server if it is not running; True if this call started it."""
        running = (
            subprocess.run([str(REPO / "scripts/local-postgres.sh"), "status"], capture_output=True).returncode == 0
        )
        if not running:
            subprocess.run([str(REPO / "scripts/local-postgres.sh"), "start"], check=True)
        return not running

    def ensure_database(self, fresh: bool = False) -> None:
        # Through the `postgres` database: the stack's own may be the one being dropped.
        if fresh:
            self.psql(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)", database="postgres")
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.database}'", database="postgres")
        if exists != "1":
            self.psql(f"CREATE DATABASE {self.database}", database="postgres")
        # The owner creates the schema and grants the api and worker roles exactly what they need; the
        # processes then connect as those roles (their own start-up migration leaves the schema alone).
        subprocess.run([str(REPO / "scripts/local-postgres.sh"), "schema", self.database], check=True)

    def api_key(self) -> str:
        """An API key for every account with no practical rate limit, created once per database by the owner
        (`api keys create`) and kept in ROOT/api-key (mode 600) for the stack's other clients (make load, the e2e)."""
        path = self.root / "api-key"
        if path.exists():
            key = path.read_text().strip()
            key_id = key.split("_")[1] if key.count("_") == 2 else ""
            if key_id and self.psql(f"SELECT 1 FROM api_keys WHERE key_id = '{key_id}' AND revoked_at IS NULL") == "1":
                return key
        done = subprocess.run(
            [
                self.binary("api"),
                "keys",
                "create",
                "--name",
                f"local-{self.root.name}",
                "--account",
                "*",
                "--rate-per-second",
                "1000000",
                "--burst",
                "1000000",
                "--database-url",
                self.database_url,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        key = done.stdout.strip().splitlines()[-1]
        self.root.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(key + "\n")
        return key

    def start_kafka(self) -> str:
        if self.pid("kafka-dev") is None:
            argv = [
                self.binary("kafka-dev"),
                "--ports",
                ",".join(map(str, self.ports.brokers)),
                "--control-port",
                str(self.ports.control),
            ]
            self.spawn("kafka-dev", argv, {"LOG_LEVEL": "notice"})
            wait_until(lambda: http_ok(self.control_url("/brokers")), 30, "kafka-dev control interface")
        return self.ports.bootstrap

    def control_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.ports.control}{path}"

    def kafka_control(self, method: str, path: str) -> str:
        request = urllib.request.Request(self.control_url(path), method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read().decode().strip()

    def start_api(self) -> None:
        if self.pid("api") is None:
            env = {
                "KAFKA_BOOTSTRAP_SERVERS": self.ports.bootstrap,
                "DATABASE_URL": self.role_url("api"),
                "HTTP_PORT": str(self.ports.api),
                "LOG_LEVEL": "warning",
                **self.api_env,
            }
            self.spawn("api", [self.binary("api")], env)
        wait_until(lambda: http_ok(f"http://127.0.0.1:{self.ports.api}/readyz"), 60, "api /readyz")

    def worker_name(self, index: int) -> str:
        return f"worker-{index}"

    def start_worker(self, index: int, mode: str, wait: bool = True) -> int:
        name = self.worker_name(index)
        pid = self.pid(name)
        if pid is None:
            if http_ok(f"http://127.0.0.1:{self.ports.worker(index)}/healthz"):
                raise StackError(
                    f"127.0.0.1:{self.ports.worker(index)} already answers but {name} is not ours: "
                    "a worker left over from another run? (ss -ltnp to find it)"
                )
            env = {
                "KAFKA_BOOTSTRAP_SERVERS": self.ports.bootstrap,
                "DATABASE_URL": self.role_url("worker"),
                "HTTP_PORT": str(self.ports.worker(index)),
                "WORKER_MODE": mode,
                "WORKER_ID": f"w{index}",
                **self.worker_env,
            }
            if self.history_dir is not None:
                env["HISTORY_FILE"] = str(self.history_dir / f"w{index}.jsonl")
            pid = self.spawn(name, [self.binary("worker")], env)
        if wait:
            wait_until(lambda: http_ok(f"http://127.0.0.1:{self.ports.worker(index)}/healthz"), 60, f"{name} /healthz")
        return pid

    def running_workers(self) -> list[int]:
        return sorted(int(p.stem.split("-")[1]) for p in self.root.glob("worker-*.pid") if self.pid(p.stem) is not None)

    def metrics(self, index: int) -> dict[str, float]:
        """The worker's Prometheus text as {series: value} (empty when it does not answer)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ports.worker(index)}/metrics", timeout=2) as r:
                text = r.read().decode()
        except (urllib.error.URLError, OSError):
            return {}
        values = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                series, _, value = line.rpartition(" ")
                try:
                    values[series] = float(value)
                except ValueError:
                    pass
        return values


# ----- small utilities ---------------------------------------------------------------------------------


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


# ----- CLI (make up / make down) -------------------------------------------------------------------------


def default_stack() -> Stack:
    return Stack(root=REPO / ".local" / "stack")


def up(mode: str, workers: int) -> None:
    stack = default_stack()
    stack.root.mkdir(parents=True, exist_ok=True)
    stack.build()
    if stack.start_postgres():
        (stack.root / "postgres.started").write_text("1\n")
    # kafka-dev keeps its log in memory: a new one starts every partition at offset 0, and the offsets an earlier
    # run stored in the database would make after-mode workers skip that many new events. A new log, a new ledger.
    fresh = stack.pid("kafka-dev") is None
    if fresh:
        log(f"kafka-dev is not running: starting it with an empty log and database {stack.database} afresh")
    stack.ensure_database(fresh=fresh)
    subprocess.run(
        [stack.binary("worker"), "migrate", "--database-url", stack.database_url], check=True, stdout=sys.stderr
    )
    stack.api_key()
    stack.start_kafka()
    stack.start_api()
    for index in range(1, workers + 1):
        stack.start_worker(index, mode)
    for index in stack.running_workers():
        if index > workers:
            log(f"scaling down: SIGTERM worker-{index}")
            stack.stop(stack.worker_name(index))
    summary = {
        "api": f"http://127.0.0.1:{stack.ports.api}",
        "api_key_file": str(stack.root / "api-key"),
        "bootstrap": stack.ports.bootstrap,
        "kafka_control": stack.control_url(""),
        "database_url": stack.database_url,
        "mode": mode,
        "workers": [f"http://127.0.0.1:{stack.ports.worker(i)}" for i in stack.running_workers()],
        "logs": str(stack.root),
    }
    print(json.dumps(summary, indent=2))


def down() -> None:
    stack = default_stack()
    for index in stack.running_workers():
        stack.stop(stack.worker_name(index))
    stack.stop("api")
    stack.stop("kafka-dev")
    marker = stack.root / "postgres.started"
    if marker.exists():
        subprocess.run([str(REPO / "scripts/local-postgres.sh"), "stop"], check=True)
        marker.unlink()
    log("stack down")


def status() -> int:
    stack = default_stack()
    names = ["kafka-dev", "api"] + [p.stem for p in sorted(stack.root.glob("worker-*.pid"))]
    running = 0
    for name in names:
        pid = stack.pid(name)
        running += pid is not None
        print(f"{name:12} {'running pid ' + str(pid) if pid else 'stopped'}")
    return 0 if running else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    up_parser = sub.add_parser("up")
    up_parser.add_argument("--mode", choices=["before", "after"], default=os.environ.get("MODE") or "after")
    up_parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or 2))
    sub.add_parser("down")
    sub.add_parser("status")
    args = parser.parse_args()
    try:
        if args.command == "up":
            if not 0 <= args.workers <= 12:
                parser.error("--workers must be 0..12 (12 partitions)")
            up(args.mode, args.workers)
        elif args.command == "down":
            down()
        else:
            return status()
    except (StackError, subprocess.CalledProcessError) as error:
        log(f"error: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
