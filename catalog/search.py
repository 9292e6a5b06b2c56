"""Swedish-aware programme search: normalised documents, prefix matching, one query interface.

Pure reads (no Flask, no writes). Each programme keeps a normalised word list (search_text:
its name, description, location, language support and the labels of its category and target
groups) and its name's words (search_name). Every word is kept lower-cased in four forms:
as written; folded of every diacritic (å→a, ä→a, ö→o, é→e …); folded of every diacritic but
å, ä and ö, which are letters of their own in Swedish; and its key: that form spelled the
Swedish way (a leading c before a, o or u becomes k: "café" → "kafe") and stripped of a
common Swedish ending ("snickare", "snickeri", "snickeriet" → "snick"; "arabiska" → "arabisk").

A query word is reduced to its key and matched as a prefix. "kafe", "kafé", "cafe" and
"Café" therefore all find Café, "snickare" finds Snickeriet, while å, ä and ö keep their
meaning: "mål" finds Måleri but not Malmö. A word typed without å, ä or ö ("malning") still
finds the word with them through the fully folded form.

The same Select runs on both engines: full_text_match() compiles to an FTS5 lookup on
SQLite and to a GIN-indexed stored tsvector ('simple') on PostgreSQL (migrations 0003, 0005),
and ranking uses a dialect-neutral score (LIKE on the name's words), so both engines
return the same programmes in the same order. Migration 0016 rebuilt every stored document
in this form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Boolean, ColumnElement, Integer, Select, String, and_, bindparam, case, func, literal, or_, select
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


_SWEDISH_LETTERS = frozenset("åäö")
# Common Swedish endings, longest first; a key keeps at least MIN_STEM letters.
SUFFIXES = tuple(sorted({
    "erierna", "eriernas", "erier", "eriet", "eri", "arna", "arnas", "arens", "aren", "are", "ares", "erna", "ernas",
    "orna", "ornas", "ningarna", "ningar", "ningen", "ning", "heterna", "heten", "het", "andet", "ande", "ende",
    "ades", "ade", "iska", "iskt", "isk", "en", "et", "er", "ar", "or", "na", "ns", "s", "a", "e",
}, key=len, reverse=True))
MIN_STEM = 4  # "malning" stays itself (not "mal", which would find Malmö)


def words(text: str) -> list[str]:
    """Lower-case words of `text` (letters and digits; NFC so å is one letter)."""
    return _WORD.findall(unicodedata.normalize("NFC", text or "").lower())


def fold(word: str) -> str:
    """The word without diacritics: 'målning' → 'malning', 'café' → 'cafe'."""
    decomposed = unicodedata.normalize("NFD", word.translate(_EXTRA_FOLDS))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def fold_foreign(word: str) -> str:
    """The word without diacritics other than å, ä and ö: 'kafé' → 'kafe', 'smörgåsbord' unchanged."""
    if word.isascii():
        return word
    return "".join(ch if ch in _SWEDISH_LETTERS else fold(ch) for ch in word)


def stem(word: str) -> str:
    """The word without one common Swedish ending, if at least MIN_STEM letters remain."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[:-len(suffix)]
    return word


def key(word: str) -> str:
    """What a word is matched by: foreign diacritics folded, Swedish spelling, one ending stripped."""
    word = fold_foreign(word)
    if word[:2] in ("ca", "co", "cu"):
        word = "k" + word[1:]
    return stem(word)


def document_words(texts: Iterable[str]) -> list[str]:
    """Every word as written, folded, folded but for å, ä and ö, and its key, each once, in
    order of appearance."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in words(text):
            seen.setdefault(word, None)
            seen.setdefault(fold(word), None)
            seen.setdefault(fold_foreign(word), None)
            seen.setdefault(key(word), None)
    return list(seen)


def documents(name: str, description: str, labels: Sequence[str], places: Sequence[str] = ()) -> tuple[str, str]:
    """Return (search_name, search_text) for a programme.

    search_name is padded with spaces so that " word" finds a word start with LIKE.
    labels are the category's and target groups' labels in Swedish and English; places are
    further texts to find it by (its location and its language support).
    """
    name_words = document_words([name])
    all_words = document_words([name, description, *places, *labels])
    return " " + " ".join(name_words) + " ", " ".join(all_words)


def query_terms(q: str | None) -> list[str]:
    """The keys of the words of a search box that take part in matching (no stop words, at
    most eight), each matched as a prefix."""
    typed = [word[:MAX_TERM_LENGTH] for word in words(q or "") if word not in STOP_WORDS]
    if not typed and q:
        typed = [word[:MAX_TERM_LENGTH] for word in words(q)]  # only stop words typed: use them
    return list(dict.fromkeys(key(word) for word in typed))[:MAX_TERMS]


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
    # A predicate, not a boolean value: SQLite would otherwise get "(id IN (…)) = 1", which
    # hides the rowid lookup from its planner (a text-only search scanned every published row).
    _is_implicitly_boolean = True
    _traverse_internals = [("query", InternalTraversal.dp_clauseelement), ("leads", InternalTraversal.dp_boolean)]

    def __init__(self, query: str, *, leads: bool = True):
        # `query` is the terms joined by spaces. Terms are [^\W_]+ words (see words()), so no
        # quoting or operator can slip through.
        self.query = bindparam("text_query", query, type_=_FullTextQuery())
        self.leads = leads


@compiles(full_text_match, "sqlite")
def _match_sqlite(element, compiler, **kw):
    query = compiler.process(element.query, **kw)
    # leads=False: the matches are a list each candidate is checked against ("+" keeps SQLite
    # from starting at the rowids), so another index, covering, can lead.
    column = "programme.id" if element.leads else "+programme.id"
    return f"{column} IN (SELECT rowid FROM programme_fts WHERE programme_fts MATCH {query})"


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


STALE_LAST = "stale_last"


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
    participant_age: int | None = None  # programmes whose age range admits this age
    stale_last: bool = False  # listings marked stale (Programme.stale) ranked after the confirmed ones
    extra: tuple = field(default=())  # further SQL conditions from the caller (availability)

    @property
    def terms(self) -> list[str]:
        return query_terms(self.q)


def bound_values(filters: ProgrammeFilters) -> dict[str, object]:
    """The values a search binds, by parameter name: all that differs between two searches of one shape.

    conditions() and ordering() take every value from here, so a statement built once for a
    set of names (search_shape()) answers any search with the same names when executed with
    these values (marketplace/programmes/service.py keeps such statements).
    """
    values: dict[str, object] = {}
    if filters.statuses:
        values["statuses"] = list(filters.statuses)
    terms = filters.terms
    if terms:
        values["text_query"] = " ".join(terms)
    for number, term in enumerate(terms):
        values[f"name_word_{number}"] = f"% {term} %"
        values[f"name_prefix_{number}"] = f"% {term}%"
    if filters.category:
        values["category"] = filters.category
    if filters.target_groups:
        values["target_groups"] = list(filters.target_groups)
    if filters.organisation:
        values["organisation_code"] = filters.organisation.upper()
    if filters.organisation_id is not None:
        values["organisation_id"] = filters.organisation_id
    if filters.accessible:
        values["accessible"] = True
    if filters.max_price_ore is not None:
        values["max_price_ore"] = filters.max_price_ore
    if filters.participant_age is not None:
        values["participant_age"] = filters.participant_age
    if filters.stale_last:
        values[STALE_LAST] = True  # binds nothing: it only gives the statement its shape
    return values


def executed_values(values: dict[str, object]) -> dict[str, object]:
    """The values a statement binds (bound_values() without the markers that only shape it)."""
    return {name: value for name, value in values.items() if name != STALE_LAST}


def search_shape(values: dict[str, object]) -> frozenset[str]:
    """What decides a search statement's SQL text: which values it binds, not what they are."""
    return frozenset(values)


def _bound(values: dict[str, object], name: str, **kw):
    return bindparam(name, values[name], **kw)


def relevance(values: dict[str, object]) -> ColumnElement[int]:
    """Score: per term, 3 when a word of the name is that term, 2 when one starts with it, else 0."""
    score = None
    number = 0
    while f"name_word_{number}" in values:
        part = case(
            (Programme.search_name.like(_bound(values, f"name_word_{number}")), 3),
            (Programme.search_name.like(_bound(values, f"name_prefix_{number}")), 2),
            else_=0,
        )
        score = part if score is None else score + part
        number += 1
    return score if score is not None else literal(0, Integer)


def conditions(filters: ProgrammeFilters, values: dict[str, object] | None = None) -> list[ColumnElement[bool]]:
    values = bound_values(filters) if values is None else values
    where: list[ColumnElement[bool]] = []
    if "statuses" in values:
        where.append(Programme.status.in_(_bound(values, "statuses", expanding=True)))
    if "text_query" in values:
        # Within a category the covering (status, category, …) index leads: the FTS ids are
        # checked against it, so no programme row is read before the page is cut.
        where.append(full_text_match(values["text_query"], leads="category" not in values))
    if "category" in values:
        where.append(Programme.category_code == _bound(values, "category"))
    if "target_groups" in values:
        # An IN subquery lets the planner start from the target-group index when that is selective.
        where.append(Programme.id.in_(
            select(ProgrammeTargetGroup.programme_id)
            .where(ProgrammeTargetGroup.target_group_code.in_(_bound(values, "target_groups", expanding=True)))
        ))
    if "organisation_code" in values:
        where.append(Programme.organisation_id.in_(
            select(Organisation.id).where(Organisation.code == _bound(values, "organisation_code"))))
    if "organisation_id" in values:
        where.append(Programme.organisation_id == _bound(values, "organisation_id"))
    if "accessible" in values:
        where.append(Programme.accessible == _bound(values, "accessible"))  # "=", not "IS TRUE": an index can answer it
    if "max_price_ore" in values:
        where.append(Programme.price_ore <= _bound(values, "max_price_ore"))
    if "participant_age" in values:
        age = _bound(values, "participant_age")
        where.append(or_(Programme.min_age.is_(None), Programme.min_age <= age))
        where.append(or_(Programme.max_age.is_(None), Programme.max_age >= age))
    where.extend(filters.extra)
    return where


def ordering(values: dict[str, object]) -> list[ColumnElement]:
    """Confirmed before stale (with STALE_LAST: the stored Programme.stale, so that without words
    the order is read from the (status, stale, name, id) index), best match first (when words
    were typed), then by name in code-point order, then id."""
    order: list[ColumnElement] = [binary_order(Programme.name), Programme.id]
    if "text_query" in values:
        order.insert(0, relevance(values).desc())
    if STALE_LAST in values:
        order.insert(0, Programme.stale)
    return order


def programme_query(filters: ProgrammeFilters) -> Select:
    """Select of Programme matching the filters, best match first, then by name and id."""
    values = bound_values(filters)
    return select(Programme).where(and_(True, *conditions(filters, values))).order_by(*ordering(values))


def count_query(filters: ProgrammeFilters) -> Select:
    return select(func.count()).select_from(Programme).where(and_(True, *conditions(filters)))


NARROWING = frozenset({"text_query", "category", "target_groups", "organisation_code", "organisation_id"})


def is_narrow(values: dict[str, object]) -> bool:
    """Whether a search (its bound_values()) leaves few enough rows that counting them beside the page is cheap."""
    return not NARROWING.isdisjoint(values)


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
    values = bound_values(filters)
    where = and_(True, *conditions(filters, values))
    order = ordering(values)
    offset_value, limit_value = bindparam("page_offset", offset), bindparam("page_limit", limit)
    if is_narrow(values):
        # The matches and their count in an unordered subquery, ordered and cut outside it:
        # PostgreSQL (15) costs a window over an index-ordered scan as if LIMIT stopped it
        # early, and would walk the name index over every published programme to count.
        ranked = "text_query" in values
        columns = [Programme.id.label("id"), Programme.name.label("name"), func.count().over().label("total")]
        if ranked:
            columns.append(relevance(values).label("score"))
        if STALE_LAST in values:
            columns.append(Programme.stale.label("stale"))
        matches = select(*columns).where(where).subquery("matches")
        inner_order: list[ColumnElement] = [binary_order(matches.c.name), matches.c.id]
        if ranked:
            inner_order.insert(0, matches.c.score.desc())
        if STALE_LAST in values:
            inner_order.insert(0, matches.c.stale)
        page = (select(matches.c.id, matches.c.total).order_by(*inner_order)
                .offset(offset_value).limit(limit_value).subquery("page"))
    else:
        total = select(func.count()).select_from(Programme).where(where).correlate(None).scalar_subquery()
        page = (select(Programme.id.label("id"), total.label("total")).where(where).order_by(*order)
                .offset(offset_value).limit(limit_value).subquery("page"))
    return select(Programme, page.c.total).join(page, page.c.id == Programme.id).order_by(*order)
