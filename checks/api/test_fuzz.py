"""schemathesis against the running api and the document it serves: every phase (the document's examples, coverage
of boundaries, fuzzing, stateful sequences over the document's links), positive and negative data, all checks
(no 5xx, status codes, headers, media types and bodies as documented, invalid data rejected, valid data accepted,
405 with Allow for other methods, 401 when the credentials are left out). Bounded by a fixed number of examples per
operation and a seed, once with an API key and once without. fuzz_hooks.py binds each generated Idempotency-Key to
its body (a key reused with another body is 422, which the positive-data check would take for valid data refused). Every 202 it received is recorded, so the ledger check
can compare it with what the worker applied."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

from checks.api import apistack

SCHEMATHESIS = apistack.REPO / ".local" / "venvs" / "api" / "bin" / "schemathesis"
SEED = 20261127
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))


def fuzz(api, workdir: Path, name: str, key: str | None) -> tuple[subprocess.CompletedProcess, list[dict]]:
    har = workdir / f"schemathesis-{name}.har"
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{api.base_url}/openapi.yaml",
        "--url",
        api.base_url,
        "--checks",
        "all",
        "--mode",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(SEED),
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--no-shrink",
        "--report",
        "har",
        "--report-har-path",
        str(har),
    ]
    if key:
        command += ["-H", f"Authorization: Bearer {key}"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(Path(__file__).with_name("fuzz_hooks.py"))}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=workdir, env=env)
    (workdir / f"schemathesis-{name}.log").write_text(done.stdout + done.stderr)
    entries = json.loads(har.read_text())["log"]["entries"] if har.exists() else []
    return done, entries


def record(api, entries: list[dict]) -> int:
    """Adds each 202 of POST /v1/events to the session's accepted events; returns how many there were."""
    count = 0
    for entry in entries:
        request, response = entry["request"], entry["response"]
        if request["method"] != "POST" or not request["url"].split("?")[0].endswith("/v1/events"):
            continue
        if response["status"] != 202:
            continue
        text = response["content"].get("text", "")
        if response["content"].get("encoding") == "base64":
            text = base64.b64decode(text).decode()
        headers = {h["name"].lower(): h["value"] for h in response["headers"]}
        body = (request.get("postData") or {}).get("text", "").encode()
        api.accepted.append(
            apistack.Accepted(json.loads(text)["event_id"], body, headers.get("idempotent-replayed") == "true")
        )
        count += 1
    return count


def summary(done: subprocess.CompletedProcess) -> str:
    return "\n".join((done.stdout + done.stderr).strip().splitlines()[-60:])


def test_fuzz_with_a_key(api, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("fuzz")
    done, entries = fuzz(api, workdir, "authenticated", api.keys["main"])
    accepted = record(api, entries)  # first: the ledger check needs every 202, also from a failed run
    assert done.returncode == 0, summary(done)
    assert accepted > 0, "the fuzzing never got an event accepted: it did not reach the api's logic"
    statuses = {e["response"]["status"] for e in entries}
    assert {202, 400, 422} <= statuses, f"statuses seen: {sorted(statuses)}"


def test_fuzz_without_a_key(api, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("fuzz")
    done, entries = fuzz(api, workdir, "unauthenticated", None)
    assert done.returncode == 0, summary(done)
    posts = [e for e in entries if e["request"]["method"] == "POST" and e["request"]["url"].endswith("/v1/events")]
    assert posts, "no POST /v1/events was sent"
    assert all(e["response"]["status"] in (401, 405) for e in posts), sorted({e["response"]["status"] for e in posts})
    assert record(api, entries) == 0
