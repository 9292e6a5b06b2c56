"""API: authenticate before validating (API.md: 401 not logged in).

flask-openapi3 validates the body and query before the handler runs, so without this an
anonymous caller would learn the validation rules (422) of endpoints it may not use. The
operations the OpenAPI document declares without `security` stay open (token, open data).
"""

from __future__ import annotations

import re

from flask import current_app, request

from marketplace.kernel import http

ALWAYS_OPEN = frozenset({"openapi_document"})


def _open_endpoints() -> frozenset[str]:
    cached = current_app.extensions.get("insatstorget_open_api")
    if cached is not None:
        return cached
    paths = current_app.api_doc.get("paths", {})
    found = set(ALWAYS_OPEN)
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        operations = paths.get(re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), {})
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = operations.get(method.lower())
            if operation is not None and not operation.get("security"):
                found.add(rule.endpoint)
    current_app.extensions["insatstorget_open_api"] = frozenset(found)
    return current_app.extensions["insatstorget_open_api"]


def require_token_first():
    """before_request: an API call without a valid bearer token is 401 before anything else."""
    if not request.path.startswith("/api/") or request.endpoint is None:
        return None
    if request.endpoint in _open_endpoints():
        return None
    http.require_api_actor()
    return None
