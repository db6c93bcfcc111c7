"""The api under test for checks/api: PostgreSQL, kafka-dev, the api and one after-mode worker on ports of their own
(api 18480, brokers 19492-19494, control 19499, worker 9301), a fresh database, debug binaries (the integration tests
build them). Every test sends through `ApiStack.send`, which records each 202's event id and request body, so the last
check can compare the ledger with everything the api accepted in the session."""

from __future__ import annotations

import http.client
import json
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from scripts.stack.localstack import Ports, Stack, holds, wait_until

REPO = Path(__file__).resolve().parents[2]

# Enough distinct keys that the probes of `wait_accepting` land on every partition of the test topic.
PROBE_ACCOUNTS = 12

PORTS = Ports(brokers=(19492, 19493, 19494), control=19499, api=18480, first_worker=9301)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Accepted:
    event_id: str
    body: bytes
    replayed: bool


@dataclass
class ApiStack:
    stack: Stack
    accepted: list[Accepted] = field(default_factory=list)
    started_postgres: bool = False
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.stack.ports.api}"

    def send(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        auth: str | None = "main",
        timeout: float = 30,
    ) -> Reply:
        """`auth` names a key of `self.keys` sent as `Authorization: Bearer` (None: no header) unless `headers` has one."""
        if isinstance(body, str):
            body = body.encode()
        headers = dict(headers or {})
        if auth is not None and not any(k.lower() == "authorization" for k in headers):
            headers["Authorization"] = f"Bearer {self.keys[auth]}"
        connection = http.client.HTTPConnection("127.0.0.1", self.stack.ports.api, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()
        self.record(method, path, body, reply)
        return reply

    def record(self, method: str, path: str, body: bytes | None, reply: Reply) -> None:
        if method == "POST" and path.split("?")[0] == "/v1/events" and reply.status == 202:
            self.accepted.append(
                Accepted(reply.json()["event_id"], body or b"", reply.header("Idempotent-Replayed") == "true")
            )

    def api_keys(self, *args: str) -> str:
        """`api keys ARGS` as the database owner; its stdout."""
        done = subprocess.run(
            [self.stack.binary("api"), "keys", *args, "--database-url", self.stack.database_url],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise AssertionError(f"api keys {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout.strip()

    def create_keys(self) -> None:
        """The session's clients: main (every account, no practical limit), shop (shop-1 only), slow (1 request per
        second, burst 1) and revoked."""

        def create(name: str, *options: str) -> str:
            return self.api_keys("create", "--name", f"checks-{name}", *options).splitlines()[-1]

        self.keys["main"] = create("main", "--account", "*", "--rate-per-second", "100000", "--burst", "100000")
        self.keys["shop"] = create("shop", "--account", "shop-1")
        self.keys["slow"] = create("slow", "--account", "*", "--rate-per-second", "1", "--burst", "1")
        self.keys["revoked"] = create("revoked", "--account", "*")
        self.api_keys("revoke", self.keys["revoked"].split("_")[1])

    def kafka_control(self, method: str, path: str) -> str:
        return self.stack.kafka_control(method, path)

    def wait_ready(self, seconds: float = 60) -> None:
        wait_until(lambda: self.send("GET", "/readyz", auth=None).status == 200, seconds, "api /readyz")

    def wait_accepting(self, seconds: float = 60) -> None:
        """Until an event reaches the brokers: `/readyz` asks any broker for metadata, while a produce needs every
        partition leader, and after the brokers come back librdkafka reconnects to each on its own backoff. One
        probe per account spreads over the partitions; each is retried with the same event id, as a client retries
        an ambiguous 503 (the worker's guard absorbs a copy that did reach the topic)."""
        headers = {"Content-Type": "application/json"}
        for account in range(PROBE_ACCOUNTS):
            body = json.dumps({"event_id": str(uuid.uuid4()), "account_id": f"probe-{account}", "amount_cents": 1})
            wait_until(
                lambda body=body: self.send("POST", "/v1/events", body, headers).status == 202, seconds, "api accepts"
            )

    def wait_assigned(self, seconds: float = 90) -> None:
        """Until the worker owns partitions, so a check's own bound does not include the restarted worker's join.
        That join is slow under the mock cluster: after the last member leaves, its group waits out a timer of
        session.timeout.ms - 1 s before it takes a new member, and a worker stopped while its JoinGroup is still
        pending leaves a member the client cannot name, whose session the next join waits out as well."""

        def assigned() -> bool:
            return any(v > 0 for v in self.worker_series("replicasafe_worker_assigned_partitions").values())

        wait_until(assigned, seconds, "worker owns partitions", interval=0.2)

    def worker_metric(self, series: str) -> float:
        return self.stack.metrics(1).get(series, 0.0)

    def worker_series(self, prefix: str) -> dict[str, float]:
        """The worker's series whose name (with labels) starts with `prefix`; empty when it does not answer."""
        return {k: v for k, v in self.stack.metrics(1).items() if k.startswith(prefix)}

    def wait_drained(self, seconds: float = 120) -> None:
        """Until the worker has committed everything on the topic (its lag gauges are all 0 and it has some)."""

        def drained() -> bool:
            lags = self.worker_series("replicasafe_worker_consumer_lag{").values()
            return bool(lags) and all(v == 0 for v in lags)

        wait_until(drained, seconds, "worker drained the topic", interval=0.5)

    def psql(self, sql: str) -> str:
        return self.stack.psql(sql)


def start(root: Path) -> ApiStack:
    stack = Stack(root=root, database="replicasafe_api_checks", ports=PORTS, build_config="debug")
    # A short delivery timeout so the 503 example (brokers down) answers in seconds, not 30, and a short reconnect
    # backoff so that, once the brokers are back, no partition leader stays unreachable for longer than that timeout.
    stack.api_env = {
        "KAFKA_CLIENT_PROPERTIES": "message.timeout.ms=3000,reconnect.backoff.max.ms=500",
        "LOG_LEVEL": "info",
    }
    stack.worker_env = {"LOG_LEVEL": "info", "BATCH_MAX_EVENTS": "200"}
    api = ApiStack(stack)
    stack.build()
    api.started_postgres = stack.start_postgres()
    stack.ensure_database(fresh=True)
    stack.start_kafka()
    stack.start_api()
    stack.start_worker(1, "after")
    api.wait_ready()
    api.wait_assigned()
    api.create_keys()
    api.wait_accepting()
    return api


def stop(api: ApiStack) -> None:
    stack = api.stack
    stack.stop(stack.worker_name(1))
    stack.stop("api")
    stack.stop("kafka-dev")
    if api.started_postgres:
        subprocess.run([str(REPO / "scripts/local-postgres.sh"), "stop"], check=False)


def wait_for(predicate, seconds: float, what: str, seen=None) -> None:
    """`wait_until` for the checks: a timeout is a test failure (AssertionError), not a stack error. `seen`, when
    given, describes what had arrived by then, so a timeout says which part was missing."""
    if not holds(predicate, seconds):
        raise AssertionError(f"{what}: not within {seconds:.0f} s" + (f"; seen: {seen()}" if seen else ""))
