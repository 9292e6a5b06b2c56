"""Unmet demand: how often a search found nothing, counted per day and normalised search.

Only the normalised words and filters of the search are kept, with a counter: no user, no
session, no time of day, no participant data, never one row per search (stats/unmet.py).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

MAX_QUERY_LENGTH = 200
MAX_FILTERS_LENGTH = 400


class UnmetSearch(SQLModel, table=True):
    __tablename__ = "unmet_search"
    __table_args__ = (UniqueConstraint("day", "query", "filters", name="uq_unmet_search_day_query_filters"),)

    id: int | None = Field(default=None, primary_key=True)
    day: date  # Stockholm calendar day
    query: str = Field(max_length=MAX_QUERY_LENGTH)  # normalised words ("" when only filters were used)
    filters: str = Field(max_length=MAX_FILTERS_LENGTH)  # canonical, URL-encoded, sorted ("" when none)
    searches: int = 1
