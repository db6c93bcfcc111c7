"""One stack for the whole session (starting it costs more than the checks): see apistack.py."""

from __future__ import annotations

import pytest

from checks.api import apistack


@pytest.fixture(scope="session")
def api():
    stack = apistack.start(apistack.REPO / ".local" / "api-checks")
    try:
        yield stack
    finally:
        apistack.stop(stack)


@pytest.fixture(scope="session")
def document(api):
    """The contract as the api serves it (GET /openapi.yaml)."""
    import yaml

    reply = api.send("GET", "/openapi.yaml")
    assert reply.status == 200, reply
    return yaml.safe_load(reply.body)
