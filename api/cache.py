"""A small LRU of rendered responses, tied to one (project, assessment) pair and emptied when either changes."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class PageCache:
    """LRU of rendered pages and images for one (project, assessment) pair; emptied when either changes."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._owner: tuple[Any, Any] | None = None
        self._lock = threading.Lock()

    def get(self, key: Hashable, project: Any, result: Any, make: Callable[[], Any]) -> Any:
        with self._lock:
            if self._owner is None or self._owner[0] is not project or self._owner[1] is not result:
                self._items.clear()
                self._owner = (project, result)
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            if self._owner is not None and self._owner[0] is project and self._owner[1] is result:
                self._items[key] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)


_caches: weakref.WeakKeyDictionary[Any, PageCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_for(owner: Any, size: int = 64) -> PageCache:
    """The :class:`PageCache` of ``owner`` (one per owner object, e.g. per service state and kind of page)."""
    with _caches_lock:
        cache = _caches.get(owner)
        if cache is None:
            cache = _caches[owner] = PageCache(size)
        return cache
