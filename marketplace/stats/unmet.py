"""Unmet demand: count catalogue searches that found nothing, and read the most frequent ones.

What is kept of a search, and nothing else (no user id, no session, no time of day, no
participant data such as an age, one counter per day and search, never a row per search):
- its words, normalised as search reads them: lower case, NFC, foreign diacritics folded
  (å, ä and ö kept), stop words dropped, each word once and at most 40 letters, at most eight
  words, at most 200 characters (whole words). Words with digits are dropped: a personal identity or phone
  number typed into the search box is never stored;
- its filters: category, target groups, provider organisation, accessible, highest price —
  only codes the catalogue knows (a search with an unknown code is not demand and is not
  counted). Dates and the participant's age are not kept.
The statistics show a search only once it was counted at least five times in the period.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from catalog.models import Category, Organisation, TargetGroup
from catalog.search import MAX_TERM_LENGTH, MAX_TERMS, STOP_WORDS, ProgrammeFilters, fold_foreign, words
from marketplace.kernel.db import is_sqlite, transaction
from marketplace.stats.models import MAX_FILTERS_LENGTH, MAX_QUERY_LENGTH, UnmetSearch
from marketplace.stats.queries import Scope
from marketplace.stats.suppression import THRESHOLD

_log = logging.getLogger(__name__)
TOP = 20


def normalise_words(q: str | None) -> str:
    """The search box as stored: 'Café  och SNICKERI 19850101' -> 'cafe snickeri'."""
    typed = [word for word in words(q or "") if not any(ch.isdigit() for ch in word)]
    kept = [word for word in typed if word not in STOP_WORDS] or typed
    terms = list(dict.fromkeys(fold_foreign(word)[:MAX_TERM_LENGTH] for word in kept))[:MAX_TERMS]
    while len(" ".join(terms)) > MAX_QUERY_LENGTH:  # whole words only
        terms.pop()
    return " ".join(terms)


@dataclass(frozen=True)
class SearchFilters:
    """The filters of a search that are kept (codes as typed; checked before counting)."""

    category: str | None = None
    target_groups: tuple[str, ...] = ()
    organisation: str | None = None
    accessible: bool = False
    max_price_ore: int | None = None

    def encoded(self) -> str:
        pairs = []
        if self.accessible:
            pairs.append(("accessible", "1"))
        if self.category:
            pairs.append(("category", self.category))
        if self.max_price_ore is not None:
            pairs.append(("max_price_ore", str(self.max_price_ore)))
        if self.organisation:
            pairs.append(("organisation", self.organisation.upper()))
        pairs += [("target_group", code) for code in sorted(set(self.target_groups))]
        return urlencode(pairs)


def decode_filters(text: str) -> SearchFilters:
    pairs = parse_qsl(text or "")
    values = dict(pairs)
    price = values.get("max_price_ore")
    return SearchFilters(category=values.get("category"), target_groups=tuple(v for k, v in pairs if k == "target_group"),
                         organisation=values.get("organisation"), accessible=values.get("accessible") == "1",
                         max_price_ore=int(price) if price and price.isdigit() else None)


def _known(session: Session, filters: SearchFilters) -> bool:
    checks = [(Category.code, [filters.category] if filters.category else []),
              (TargetGroup.code, list(set(filters.target_groups))),
              (Organisation.code, [filters.organisation.upper()] if filters.organisation else [])]
    for column, codes in checks:
        if codes and session.execute(select(func.count()).where(column.in_(codes))).scalar_one() != len(codes):
            return False
    return True


def _upsert(session: Session, day: date, query: str, filters: str):
    if is_sqlite(session):
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    table = UnmetSearch.__table__
    statement = insert(table).values(day=day, query=query, filters=filters, searches=1)
    return statement.on_conflict_do_update(index_elements=["day", "query", "filters"],
                                           set_={"searches": table.c.searches + 1})


def kept_filters(search: ProgrammeFilters) -> SearchFilters:
    """What is kept of a catalogue search's filters (never its dates or the participant's age)."""
    return SearchFilters(category=search.category, target_groups=tuple(search.target_groups),
                         organisation=search.organisation, accessible=bool(search.accessible),
                         max_price_ore=search.max_price_ore)


def count_unmet_search(session: Session, search: ProgrammeFilters, *, today: date) -> bool:
    """Add one to today's counter for this search, which found nothing (call it once per
    search, on its first page). Commits its own small transaction; a failure is logged and
    never spoils the search. True if counted."""
    filters = kept_filters(search)
    query, encoded = normalise_words(search.q), filters.encoded()
    if not query and not encoded:
        return False  # an empty search finding nothing says nothing about demand
    if len(encoded) > MAX_FILTERS_LENGTH:
        return False
    try:
        if not _known(session, filters):
            return False
        with transaction(session, write_lock=True):
            session.execute(_upsert(session, today, query, encoded))
        return True
    except SQLAlchemyError:
        session.rollback()
        _log.warning("could not count an unmet search", exc_info=True)
        return False


@dataclass(frozen=True)
class UnmetRow:
    query: str
    filters: SearchFilters
    searches: int

    @property
    def max_price(self) -> Decimal | None:
        return None if self.filters.max_price_ore is None else Decimal(self.filters.max_price_ore) / 100


def most_frequent(session: Session, scope: Scope, *, limit: int = TOP) -> list[UnmetRow]:
    """The period's searches that found nothing, most frequent first, counted at least five times."""
    total = func.sum(UnmetSearch.searches)
    rows = session.execute(
        select(UnmetSearch.query, UnmetSearch.filters, total)
        .where(UnmetSearch.day.between(scope.from_date, scope.to_date))
        .group_by(UnmetSearch.query, UnmetSearch.filters).having(total >= THRESHOLD)
        .order_by(total.desc(), UnmetSearch.query, UnmetSearch.filters).limit(limit)).all()
    return [UnmetRow(query, decode_filters(filters), int(searches)) for query, filters, searches in rows]
