"""Catalogue errors with a stable code and the field at fault. Pure: no Flask, no marketplace.

marketplace/programmes translates them (CatalogError.status tells it which HTTP status fits).
Messages are Swedish, because coordinators read them in forms and import reports.
"""

from __future__ import annotations


class CatalogError(Exception):
    status = 409
    code = "catalog_error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None,
                 errors: list[tuple[str, str]] | None = None, **params):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code
        self.errors = errors if errors is not None else ([(field, message)] if field else [])
        self.params = params


class InvalidProgramme(CatalogError):
    """One or more fields break a rule; `errors` lists (field, Swedish message)."""

    status = 422
    code = "invalid_programme"


class DuplicateCode(CatalogError):
    status = 422
    code = "duplicate_code"


class InvalidTransition(CatalogError):
    """The status change is not allowed from the programme's current status."""

    status = 409
    code = "invalid_transition"


class ImportRejected(CatalogError):
    """A CSV import with at least one bad row: `row_errors` lists (row, column, message)."""

    status = 422
    code = "import_rejected"

    def __init__(self, message: str, row_errors: list[tuple[int, str, str]]):
        super().__init__(message, errors=[(f"rad {row}: {column}", text) for row, column, text in row_errors])
        self.row_errors = row_errors
