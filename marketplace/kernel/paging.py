"""Page arithmetic without Flask, so billing's reads and the web layer share one rule."""

from __future__ import annotations

from dataclasses import dataclass


def last_page(total: int, per_page: int) -> int:
    """The last page number for `total` rows; 1 when there are none (an empty list is still a page)."""
    return (total + per_page - 1) // per_page or 1


@dataclass(frozen=True)
class Page:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def within(self, total: int) -> "Page":
        """This page, or the last one when it lies past the end of `total` rows (an old link)."""
        last = last_page(total, self.per_page)
        return self if self.page <= last else Page(last, self.per_page)
