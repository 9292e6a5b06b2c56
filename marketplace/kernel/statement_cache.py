"""Built SQL statements kept by shape, so that a request which only brings other values does
not build its statement again.

Building a large Select and its cache key costs more Python than SQLAlchemy's compiled-SQL
cache saves: 43 % of a catalogue search's Python calls went to it (benchmarks/RESULTS.md).
A statement whose every varying value is a named bind parameter can be built once per shape
and executed with the request's values (`session.execute(statement, values)`); SQLAlchemy
memoises the cache key on the statement object, so a reused statement skips both steps.
Statements are immutable, so one object serves every thread.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class StatementCache(Generic[T]):
    """At most `size` statements, the least recently used dropped first."""

    def __init__(self, size: int = 256):
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            statement = self._items.get(key)
            if statement is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return statement
        statement = build()  # outside the lock: two threads may build the same shape once each
        with self._lock:
            self.misses += 1
            self._items[key] = statement
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return statement

    def __len__(self) -> int:
        return len(self._items)
