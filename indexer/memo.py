"""Looking a whole list of keys up in a cache dictionary at once."""
from __future__ import annotations

from typing import Callable, Hashable, TypeVar

V = TypeVar("V")


def cached_map(cache: dict, keys: list, compute: Callable[[Hashable], V]) -> list[V]:
    """`[cache[k] for k in keys]`, computing and caching the missing ones with `compute(k)`.

    One `map(cache.get, ...)` for the list (C speed: the hot path looks up every token of
    a document), then a Python loop only when something was missing. `compute` must not return
    None."""
    values = list(map(cache.get, keys))
    if None in values:
        for i, value in enumerate(values):
            if value is None:
                key = keys[i]
                value = cache.get(key)          # an earlier key of this list may have added it
                if value is None:
                    value = cache[key] = compute(key)
                values[i] = value
    return values
