"""The fingerprint of a booking request, kept with its Idempotency-Key.

A key is a promise that a retry carries the same request: the same key with any other body
is a client bug, answered 422 idempotency_key_reused (as Stripe does) instead of replaying
the first booking and dropping the new request. The fingerprint covers every field of the
request as validated, so key order and JSON whitespace do not matter and any changed value does.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json


OPTIONAL_LATER = ("participant_age", "participant_target_group")


def request_fingerprint(request) -> str:
    """SHA-256 (hex) of the request's fields, canonically serialised."""
    fields = dataclasses.asdict(request)
    # Fields added later count only when given, so a key recorded before them still replays.
    for name in OPTIONAL_LATER:
        if fields.get(name) is None:
            fields.pop(name, None)
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
