"""Every response example of docs/openapi.yaml, sent to the running api: the status, the media type, the body's shape
(the documented schema) and, for errors, the `error` and `field` the example shows must be what the api answers."""

from __future__ import annotations

import json
import time

from checks.api import contract


def build_request(case: contract.Case) -> tuple[dict[str, str], bytes | None]:
    request = case.request
    headers = {}
    body = None
    if case.method in ("post", "put", "patch"):
        headers["Content-Type"] = "application/json"
    if "json" in request:
        body = json.dumps(request["json"]).encode()
    if "body" in request:
        body = request["body"].encode()
    if "body-repeat" in request:
        body = (request["body-repeat"]["text"] * request["body-repeat"]["times"]).encode()
    headers.update(request.get("headers", {}))
    return headers, body


def auth_of(request: dict) -> str | None:
    """x-request `auth`: a key of the session (main by default), or `none` for no Authorization header."""
    name = request.get("auth", "main")
    return None if name == "none" else name


def send_case(api, case: contract.Case):
    for earlier in case.request.get("before", []):
        reply = api.send(
            "POST",
            case.path,
            earlier["body"],
            {"Content-Type": "application/json", **earlier.get("headers", {})},
            auth=auth_of(earlier),
        )
        assert reply.status < 300, f"{case.label}: the request before it answered {reply.status}"
    headers, body = build_request(case)
    auth = auth_of(case.request)
    fault = case.request.get("fault")
    if fault is None:
        return api.send(case.method.upper(), case.path, body, headers, auth=auth)
    assert fault == "brokers-down", f"{case.label}: unknown fault {fault}"
    api.kafka_control("POST", "/brokers/all/down")
    try:
        # Readiness is cached for a second: ask until the fault shows, within a bound.
        deadline = time.monotonic() + 15
        while True:
            reply = api.send(case.method.upper(), case.path, body, headers, auth=auth)
            if reply.status == case.status or time.monotonic() > deadline:
                return reply
            time.sleep(0.2)
    finally:
        api.kafka_control("POST", "/brokers/all/up")
        api.wait_ready()
        api.wait_accepting()


def check(document: dict, case: contract.Case, reply) -> list[str]:
    problems = []
    if reply.status != case.status:
        return [f"{case.label}: status {reply.status} ({reply.body[:200]!r})"]
    media = (reply.header("Content-Type") or "").split(";")[0].strip()
    if media != case.media_type:
        problems.append(f"{case.label}: Content-Type {media}")
    for name, header in case.headers.items():
        if header.get("required") and reply.header(name) is None:
            problems.append(f"{case.label}: header {name} missing")
    if case.media_type == "application/json":
        body = reply.json()
        expected = case.expected if isinstance(case.expected, dict) else {}
        for key in ("error", "field"):
            if key in expected and body.get(key) != expected[key]:
                problems.append(f"{case.label}: {key} {body.get(key)!r}, documented {expected[key]!r}")
        sent = case.request.get("json")
        if isinstance(sent, dict) and isinstance(sent.get("event_id"), str) and case.status == 202:
            if body.get("event_id") != sent["event_id"].lower():
                problems.append(f"{case.label}: event_id {body.get('event_id')}")
    else:
        body = reply.body.decode()
    problems += [f"{case.label}: {e}" for e in contract.schema_errors(document, case.schema_pointer, body)]
    return problems


def test_every_documented_example(api, document):
    cases, problems = contract.cases(document)
    statuses = {(c.path, c.method, c.status) for c in cases}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in contract.OPERATIONS:
                for status in operation["responses"]:
                    if (path, method, int(status)) not in statuses:
                        problems.append(f"{method.upper()} {path} {status}: no example shows this response")
    for case in cases:
        problems += check(document, case, send_case(api, case))
    assert not problems, "\n".join(problems)
    assert len(cases) >= 20
