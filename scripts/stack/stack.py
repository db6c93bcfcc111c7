"""The local stack's processes (scripts/stack/localstack.py): the ports they listen on, and the Stack that
builds the binaries, starts and stops kafka-dev, the api and the workers with pid files and logs, and talks to
their PostgreSQL database, kafka-dev's control interface and the workers' metrics."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from scripts.stack.probes import StackError, alive, http_ok, log, reap, wait_until

REPO = Path(__file__).resolve().parents[2]


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
