"""A small cache of the last few results, keyed by what they depend on.

:func:`functools.lru_cache` needs every argument hashable and equal when the
result is the same; some results (a worst case over the NIRSpec APAs of a
pattern of pointings) depend on a derived key rather than on the arguments
themselves. :class:`Recent` keeps results under an explicit key instead.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Recent"]

T = TypeVar("T")


class Recent(Generic[T]):
    """The last ``size`` results by key, least recently used dropped first.

    Examples
    --------
    >>> recent = Recent(2)
    >>> recent.get("a", lambda: 1), recent.get("a", lambda: 2)
    (1, 1)
    """

    def __init__(self, size: int) -> None:
        self.size = int(size)
        self._items: OrderedDict[Hashable, T] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result kept under ``key``, else ``compute()`` kept under it."""
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        value = compute()
        self._items[key] = value
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return value
