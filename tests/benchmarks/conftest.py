"""The load generator adds organisations (synthetic municipalities). On PostgreSQL the suite
keeps reference tables between tests, so they are removed again after each test here."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text


@pytest.fixture(autouse=True)
def _drop_generated_organisations(database_template, database_url):
    yield
    if database_template["kind"] != "postgresql":
        return  # every SQLite test has its own copy of the database
    from catalog.reference_data import read_rows

    codes = [row["code"] for row in read_rows("organisations.csv")]
    engine = create_engine(database_url)
    with engine.begin() as connection:
        tables = ", ".join(f'"{t}"' for t in database_template["truncate"])
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        connection.execute(text("DELETE FROM organisation WHERE NOT (code = ANY(:codes))"), {"codes": codes})
    engine.dispose()
