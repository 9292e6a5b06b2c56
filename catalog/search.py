"""Swedish-aware programme search: normalised documents, prefix matching, one query interface.

Pure reads (no Flask, no writes). Each programme keeps a normalised word list
(search_text) and its name's words (search_name): every word lower-cased, once as written
and once folded (å→a, ä→a, ö→o, é→e …). A query word is matched as a prefix, as written:
"målning" therefore finds only the word with å, while "malning" finds the folded form.

The same Select runs on both engines: full_text_match() compiles to an FTS5 lookup on
SQLite and to a GIN-indexed stored tsvector ('simple') on PostgreSQL (migrations 0003, 0005),
and ranking uses a dialect-neutral score (LIKE on the name's words), so both engines
return the same programmes in the same order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Boolean, ColumnElement, Integer, Select, String, and_, case, func, literal, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator

from catalog.models import Organisation, Programme, ProgrammeStatus, ProgrammeTargetGroup

_WORD = re.compile(r"[^\W_]+")
_EXTRA_FOLDS = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l", "þ": "th"})
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
# Words that carry no meaning in a search box; dropping them keeps AND-matching useful.
STOP_WORDS = frozenset({
    "och", "i", "på", "pa", "för", "for", "med", "att", "en", "ett", "av", "till", "som", "om", "the", "and",
    "of", "in", "with", "a", "an", "to",
})


def words(text: str) -> list[str]:
    """Lower-case words of `text` (letters and digits; NFC so å is one letter)."""
    return _WORD.findall(unicodedata.normalize("NFC", text or "").lower())


def fold(word: str) -> str:
    """The word without diacritics: 'målning' → 'malning', 'café' → 'cafe'."""
    decomposed = unicodedata.normalize("NFD", word.translate(_EXTRA_FOLDS))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def document_words(texts: Iterable[str]) -> list[str]:
    """Every word as written and folded, each once, in order of appearance."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in words(text):
            seen.setdefault(word, None)
            seen.setdefault(fold(word), None)
    return list(seen)


def documents(name: str, description: str, labels: Sequence[str]) -> tuple[str, str]:
    """Return (search_name, search_text) for a programme.

    search_name is padded with spaces so that " word" finds a word start with LIKE.
    labels are the category's and target groups' labels in Swedish and English.
    """
    name_words = document_words([name])
    all_words = document_words([name, description, *labels])
    return " " + " ".join(name_words) + " ", " ".join(all_words)


def query_terms(q: str | None) -> list[str]:
    """The words of a search box that take part in matching (no stop words, at most eight)."""
    terms = [word[:MAX_TERM_LENGTH] for word in words(q or "") if word not in STOP_WORDS]
    if not terms and q:
        terms = [word[:MAX_TERM_LENGTH] for word in words(q)]  # only stop words typed: use them
    return list(dict.fromkeys(terms))[:MAX_TERMS]


# --- the one interface over FTS5 and PostgreSQL full-text search ----------------------------


class _FullTextQuery(TypeDecorator):
    """A bound list of prefix terms, rendered in each engine's own query syntax."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        terms = value.split()
        if dialect.name == "postgresql":
            return " & ".join(f"{term}:*" for term in terms)
        return " AND ".join(f'"{term}"*' for term in terms)


class full_text_match(ColumnElement[bool]):
    """SQL: the programme's search_text has a word starting with each of the terms."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [("query", InternalTraversal.dp_clauseelement)]

    def __init__(self, terms: Sequence[str]):
        # Terms are [^\W_]+ words (see words()), so no quoting or operator can slip through.
        self.query = literal(" ".join(terms), _FullTextQuery())


@compiles(full_text_match, "sqlite")
def _match_sqlite(element, compiler, **kw):
    query = compiler.process(element.query, **kw)
    return f"programme.id IN (SELECT rowid FROM programme_fts WHERE programme_fts MATCH {query})"


@compiles(full_text_match, "postgresql")
def _match_postgresql(element, compiler, **kw):
    query = compiler.process(element.query, **kw)
    # search_tsv is a stored column generated from search_text (migration 0005).
    return f"programme.search_tsv @@ to_tsquery('simple', {query})"


class binary_order(ColumnElement):
    """A text column ordered by code point on every engine (PostgreSQL's locale order differs)."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column):
        self.column = column
        self.type = column.type


@compiles(binary_order)
def _binary_default(element, compiler, **kw):
    return compiler.process(element.column, **kw)


@compiles(binary_order, "postgresql")
def _binary_postgresql(element, compiler, **kw):
    return f'{compiler.process(element.column, **kw)} COLLATE "C"'


# --- filters, query and ranking -------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeFilters:
    """What a search asks for; empty values do not filter."""

    q: str = ""
    category: str | None = None
    target_groups: tuple[str, ...] = ()
    organisation: str | None = None  # organisation code
    accessible: bool | None = None
    max_price_ore: int | None = None
    statuses: tuple[str, ...] = (ProgrammeStatus.PUBLISHED.value,)
    organisation_id: int | None = None
    extra: tuple = field(default=())  # further SQL conditions from the caller (availability)

    @property
    def terms(self) -> list[str]:
        return query_terms(self.q)


def relevance(terms: Sequence[str]) -> ColumnElement[int]:
    """Score: per term, 3 when a word of the name is that term, 2 when one starts with it, else 0."""
    if not terms:
        return literal(0, Integer)
    score = None
    for term in terms:
        part = case(
            (Programme.search_name.like(f"% {term} %"), 3),
            (Programme.search_name.like(f"% {term}%"), 2),
            else_=0,
        )
        score = part if score is None else score + part
    return score


def conditions(filters: ProgrammeFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.statuses:
        where.append(Programme.status.in_(filters.statuses))
    terms = filters.terms
    if terms:
        where.append(full_text_match(terms))
    if filters.category:
        where.append(Programme.category_code == filters.category)
    if filters.target_groups:
        # An IN subquery lets the planner start from the target-group index when that is selective.
        where.append(Programme.id.in_(
            select(ProgrammeTargetGroup.programme_id)
            .where(ProgrammeTargetGroup.target_group_code.in_(filters.target_groups))
        ))
    if filters.organisation:
        where.append(Programme.organisation_id.in_(
            select(Organisation.id).where(Organisation.code == filters.organisation.upper())))
    if filters.organisation_id is not None:
        where.append(Programme.organisation_id == filters.organisation_id)
    if filters.accessible:
        where.append(Programme.accessible == true())  # "= true", not "IS TRUE": an index can answer it
    if filters.max_price_ore is not None:
        where.append(Programme.price_ore <= filters.max_price_ore)
    where.extend(filters.extra)
    return where


def ordering(filters: ProgrammeFilters) -> list[ColumnElement]:
    """Best match first (when words were typed), then by name in code-point order, then id."""
    order: list[ColumnElement] = [binary_order(Programme.name), Programme.id]
    terms = filters.terms
    if terms:
        order.insert(0, relevance(terms).desc())
    return order


def programme_query(filters: ProgrammeFilters) -> Select:
    """Select of Programme matching the filters, best match first, then by name and id."""
    return select(Programme).where(and_(True, *conditions(filters))).order_by(*ordering(filters))


def count_query(filters: ProgrammeFilters) -> Select:
    return select(func.count()).select_from(Programme).where(and_(True, *conditions(filters)))


def is_narrow(filters: ProgrammeFilters) -> bool:
    """Whether a filter leaves few enough rows that counting them beside the page is cheap."""
    return bool(filters.terms or filters.category or filters.target_groups or filters.organisation
                or filters.organisation_id is not None)


def page_query(filters: ProgrammeFilters, *, offset: int, limit: int) -> Select:
    """One statement for a page of results and the exact number of matches: rows (Programme, total).

    The filters are evaluated once per statement instead of once for a count and once for
    the page. With a narrow filter (words, category, target group, organisation) the few
    matching ids are counted with count(*) OVER () while the page is cut from them. Without
    one, most published programmes match: the page is cut from the ordered index, which
    stops after `limit` rows, and the total is an uncorrelated scalar subquery (computed
    once, on the narrow status/capacity index); a condition that both share (the
    availability set, marketplace/bookings/full_days.py) is a CTE evaluated once.
    Only the page's ids go through the sort; the wide rows are read for those alone.
    An empty page (offset past the end) carries no total: count_query() answers then.
    """
    where = and_(True, *conditions(filters))
    order = ordering(filters)
    if is_narrow(filters):
        # The matches and their count in an unordered subquery, ordered and cut outside it:
        # PostgreSQL (15) costs a window over an index-ordered scan as if LIMIT stopped it
        # early, and would walk the name index over every published programme to count.
        terms = filters.terms
        columns = [Programme.id.label("id"), Programme.name.label("name"), func.count().over().label("total")]
        if terms:
            columns.append(relevance(terms).label("score"))
        matches = select(*columns).where(where).subquery("matches")
        inner_order: list[ColumnElement] = [binary_order(matches.c.name), matches.c.id]
        if terms:
            inner_order.insert(0, matches.c.score.desc())
        page = (select(matches.c.id, matches.c.total).order_by(*inner_order)
                .offset(offset).limit(limit).subquery("page"))
    else:
        total = select(func.count()).select_from(Programme).where(where).correlate(None).scalar_subquery()
        page = (select(Programme.id.label("id"), total.label("total")).where(where).order_by(*order)
                .offset(offset).limit(limit).subquery("page"))
    return select(Programme, page.c.total).join(page, page.c.id == Programme.id).order_by(*order)
