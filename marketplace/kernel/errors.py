"""Domain errors with a stable code; the HTTP layer maps them to statuses and messages.

Domain code raises these and never imports Flask. `code` is stable (tests and messages key
on it); `params` carries the values a message needs; `field` names the input at fault.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 409
    code = "conflict"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, **params):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.params = params


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class UnsupportedType(DomainError):
    status = 415
    code = "unsupported_type"


class Invalid(DomainError):
    """Input that breaks a rule; `errors` lists (field, message) pairs."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, *, errors: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.errors = errors or ([(self.field, message)] if self.field else [])
