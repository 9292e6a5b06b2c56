"""RFC 9457 problem+json responses: the only shape an API error ever takes."""

from __future__ import annotations

from typing import Any

from flask import Response, json, request
from pydantic import BaseModel, ValidationError

PROBLEM_TYPE_BASE = "https://insatstorget.stockholm.se/problems/"
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None


def problem(
    status: int,
    detail: str | None = None,
    *,
    kind: str | None = None,
    errors: list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (kind or str(status)),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or TITLES.get(status, "Error"),
    }
    if errors is not None:
        body["errors"] = [{"field": field, "message": message} for field, message in errors]
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def refuse_unreadable_json():
    """before_request: an API body sent as JSON that does not parse is a 400 problem on every
    endpoint, also on those that read no body (they would otherwise answer as if it were fine)."""
    if request.path.startswith("/api/") and request.is_json and request.data and request.get_json(silent=True) is None:
        return problem(400, "The request body is not valid JSON.", kind="malformed-json")
    return None


def _field_path(location: tuple) -> str:
    return ".".join(str(part) for part in location) or "body"


def validation_error_response(error: ValidationError) -> Response:
    """flask-openapi3's hook: turn pydantic's errors into a 422 (or 400 for unreadable JSON)."""
    if request.data and request.is_json and request.get_json(silent=True) is None:
        return problem(400, "The request body is not valid JSON.", kind="malformed-json")
    if request.method in {"POST", "PUT", "PATCH"} and request.mimetype and not request.is_json:
        return problem(415, "Send the body as application/json.", kind="unsupported-media-type")
    errors = [(_field_path(item["loc"]), item["msg"]) for item in error.errors(include_url=False)]
    return problem(422, "The request has invalid fields.", kind="validation", errors=errors)
