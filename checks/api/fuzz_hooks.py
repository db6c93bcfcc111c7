"""schemathesis hooks for the fuzzing run (loaded through SCHEMATHESIS_HOOKS by test_fuzz.py).

A valid Idempotency-Key the fuzzer generates is bound to the body it is sent with: the key becomes the generated key
plus a digest of the body. schemathesis draws short keys ("0", "!") again and again with other bodies, and a key used
before with another body is answered 422 (`idempotency_key_reused`), which its positive-data check takes for a valid
request refused: the schema cannot say that a key is single-use. Same key, same body stays the same key, so the
fuzzing still replays keys; a reused key is held by the document's example of it and IdempotencyClaimsTests. Keys
that are invalid on their own (empty, spaces, too long) are left as they are, so the api still refuses them."""

from __future__ import annotations

import hashlib
import re

import schemathesis

KEY = "Idempotency-Key"
VALID_KEY = re.compile(r"[!-~]{1,255}")
DIGEST_CHARS = 16


def bound_key(key: str, body: object) -> str:
    digest = hashlib.sha256(repr(body).encode()).hexdigest()[:DIGEST_CHARS]
    return f"{key[: 255 - DIGEST_CHARS - 1]}.{digest}"


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    headers = case.headers or {}
    bound = False
    for name, value in list(headers.items()):
        if name.lower() == KEY.lower() and isinstance(value, str) and VALID_KEY.fullmatch(value):
            headers[name] = bound_key(value, case.body)
            bound = True
    if bound:
        # The new key is as valid as the drawn one: take it as the case's starting state, as schemathesis does for
        # auth written after generation, or its revalidation relabels a negative case (a coverage case without
        # Authorization) as positive and sends the credentials (schemathesis==4.32.5, pinned in pyproject.toml).
        case._record_starting_state()
    return None
