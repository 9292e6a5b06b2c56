"""URL converters: an <int:…> path part must fit the database's INTEGER column.

Werkzeug's converter accepts any number of digits; a huge id would reach the driver and
overflow (a 500). With the bound, such a URL matches no route and answers 404 like any
other unknown object.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

DATABASE_INT_MAX = 2**31 - 1  # INTEGER on PostgreSQL; SQLite's is wider


class DatabaseIntConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=None, max=DATABASE_INT_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
