"""Recent search results of one index generation, for repeated requests.

News search traffic repeats itself (the day's stories, the widget's default query, people paging
back and forth), and a result depends only on the request and the published generation. So a
serving process keeps the last `result_cache` results of the current generation; a newly
published generation starts an empty cache, so an update is visible on the next request.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Hashable


class ResultCache:
    """A thread-safe LRU of results, emptied whenever the generation changes; 0 entries = off."""

    def __init__(self, entries: int):
        self.entries = max(0, int(entries))
        self.generation: str | None = None
        self.hits = self.misses = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, generation: str, key: Hashable):
        if not self.entries:
            return None
        with self._lock:
            if generation != self.generation:
                self._reset(generation)
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, generation: str, key: Hashable, value) -> None:
        if not self.entries:
            return
        with self._lock:
            if generation != self.generation:   # computed on a generation the cache has left behind
                return
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)

    def _reset(self, generation: str) -> None:
        self.generation = generation
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
