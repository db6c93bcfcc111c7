"""`api keys` on the real binary and database: keys are listed without their secrets, a revoked key is refused and
produces nothing, and no key appears in any log of the session."""

from __future__ import annotations

import subprocess


def test_list_shows_ids_and_scopes_never_secrets(api):
    listed = api.api_keys("list")
    for name, key in api.keys.items():
        key_id, secret = key.split("_")[1], key.split("_")[2]
        line = next((row for row in listed.splitlines() if row.startswith(key_id)), None)
        assert line is not None, f"{name} ({key_id}) not listed:\n{listed}"
        assert secret not in listed
        assert ("revoked" in line) == (name == "revoked"), line


def test_create_refuses_bad_input(api):
    for args in (
        ["--name", "x"],
        ["--name", "x", "--account", "a*b"],
        ["--name", "x", "--account", "*", "--burst", "0"],
    ):
        done = subprocess.run(
            [api.stack.binary("api"), "keys", "create", *args, "--database-url", api.stack.database_url],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode != 0 and not done.stdout.strip(), (args, done.stdout, done.stderr)


def test_revoked_out_of_scope_and_missing_keys_produce_nothing(api):
    before = api.send("GET", "/metrics", auth=None).body.decode()
    body = '{"account_id":"acct-9","amount_cents":5}'
    headers = {"Content-Type": "application/json"}
    assert api.send("POST", "/v1/events", body, headers, auth="revoked").status == 401
    assert api.send("POST", "/v1/events", body, headers, auth="shop").status == 403
    assert api.send("POST", "/v1/events", body, headers, auth=None).status == 401
    after = api.send("GET", "/metrics", auth=None).body.decode()
    accepted = [row for row in after.splitlines() if row.startswith("replicasafe_api_events_accepted_total ")]
    assert accepted == [row for row in before.splitlines() if row.startswith("replicasafe_api_events_accepted_total ")]


def test_no_key_in_any_log(api):
    secrets = [key.split("_")[2] for key in api.keys.values()]
    for log in api.stack.root.glob("*.log"):
        text = log.read_text(errors="replace")
        assert not [s for s in secrets if s in text], f"an API key secret is in {log}"
