"""The marker that separates interface text from user text (no Flask, so pure modules use it).

A `Msgid` is a Swedish interface string written in the code, to be translated where it is
shown. Anything else is data — a programme, organisation or person's name — and is shown as
it is, escaped. Cells that may hold either (a statistics row's label is "Alla" or a programme
name) are told apart by type, never by guessing: i18n.label translates only a Msgid, so
user text never reaches gettext (where it would be marked safe HTML and read as a format string).
"""

from __future__ import annotations


class Msgid(str):
    """A Swedish msgid: interface text that the page translates."""

    __slots__ = ()


def N_(text: str) -> Msgid:  # noqa: N802  (gettext's conventional no-op marker)
    """Mark a Swedish msgid for extraction without translating it here; pages translate it
    with the `label` filter (or _() for a constant)."""
    return Msgid(text)
