"""URLs for search states, links to other sites, and the pager's page numbers.

Search URLs are built from the request's own query parameters so that a link that changes one
thing (toggle a facet, change the sort, go to page 3) keeps everything else. Changing a filter
always drops ``page`` (the result set changes, page 7 may no longer exist).
"""
from __future__ import annotations

from typing import Iterable, Mapping
from urllib.parse import urlencode

# canonical order of parameters in generated URLs
PARAM_ORDER = ("q", "section", "month", "from", "to", "sort", "per_page", "page")
SEARCH_PARAMS = frozenset(PARAM_ORDER)


def is_http_url(url: str | None) -> bool:
    """Only absolute http(s) URLs are ever turned into links (no javascript:, data:, relative...)."""
    return bool(url) and url.strip().lower().startswith(("http://", "https://"))


def search_pairs(args: Mapping | Iterable | None) -> list[tuple[str, str]]:
    """Search parameters of a MultiDict/dict/pairs as (name, value) pairs in canonical order."""
    if args is None:
        return []
    if hasattr(args, "getlist"):
        raw = [(name, value) for name in PARAM_ORDER for value in args.getlist(name)]
    elif isinstance(args, Mapping):
        raw = []
        for name in PARAM_ORDER:
            value = args.get(name)
            if value is None:
                continue
            values = [value] if isinstance(value, str) else list(value)
            raw += [(name, v) for v in values]
    else:
        raw = sorted(((n, v) for n, v in args if n in SEARCH_PARAMS),
                     key=lambda p: PARAM_ORDER.index(p[0]))
    return [(n, str(v)) for n, v in raw if v is not None and str(v).strip() != ""]


def build_url(base: str, pairs: Iterable[tuple[str, str]]) -> str:
    query = urlencode(list(pairs))
    return f"{base}?{query}" if query else base


def url_with(base: str, args, *, drop_page: bool = True, **changes) -> str:
    """Same search with some single-valued parameters replaced (None removes one).

    ``url_with("/", args, sort="newest")``; use ``from_``/``to`` for the date bounds.
    """
    changes = {("from" if k == "from_" else k): v for k, v in changes.items()}
    pairs = [(n, v) for n, v in search_pairs(args) if n not in changes and not (drop_page and n == "page")]
    for name, value in changes.items():
        if value is None or value == "":
            continue
        values = [value] if isinstance(value, (str, int)) else list(value)
        pairs += [(name, str(v)) for v in values]
    pairs.sort(key=lambda p: PARAM_ORDER.index(p[0]))
    return build_url(base, pairs)


def range_urls(base: str, args, ranges: Iterable[tuple[str, str]]) -> list[str]:
    """``url_with(base, args, from_=start, to=end)`` for each (start, end), the other parameters
    encoded once (the timeline builds up to ~60 of these per page)."""
    pairs = [(n, v) for n, v in search_pairs(args) if n not in ("from", "to", "page")]
    cut = PARAM_ORDER.index("from")
    head = urlencode([p for p in pairs if PARAM_ORDER.index(p[0]) < cut])
    tail = urlencode([p for p in pairs if PARAM_ORDER.index(p[0]) > cut])
    return [f"{base}?" + "&".join(part for part in (head, urlencode([("from", start), ("to", end)]), tail) if part)
            for start, end in ranges]


def page_url(base: str, args, page: int) -> str:
    return url_with(base, args, drop_page=True, page=None if page <= 1 else page)


def toggle_url(base: str, args, name: str, value: str) -> str:
    """Add ``name=value`` if absent, remove it if present; keep the rest; reset the page."""
    pairs = [(n, v) for n, v in search_pairs(args) if n != "page"]
    if (name, value) in pairs:
        pairs = [p for p in pairs if p != (name, value)]
    else:
        pairs.append((name, value))
        pairs.sort(key=lambda p: PARAM_ORDER.index(p[0]))
    return build_url(base, pairs)


def remove_url(base: str, args, name: str, value: str | None = None) -> str:
    """Drop ``name`` (every value, or only ``value``); reset the page."""
    pairs = [(n, v) for n, v in search_pairs(args)
             if n != "page" and not (n == name and (value is None or v == value))]
    return build_url(base, pairs)


def clear_filters_url(base: str, args) -> str:
    """Keep only the query, sort and page size."""
    return build_url(base, [(n, v) for n, v in search_pairs(args) if n in ("q", "sort", "per_page")])


def hidden_fields(args, exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(name, value) pairs to carry over in a GET form as hidden inputs."""
    skip = set(exclude) | {"page"}
    return [(n, v) for n, v in search_pairs(args) if n not in skip]


def page_window(current: int, last: int, around: int = 2) -> list[int | None]:
    """Page numbers to show: first, last, and ``around`` either side of current; None = gap."""
    if last <= 1:
        return [1]
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    out: list[int | None] = []
    for number in shown:
        if out and number - out[-1] == 2:        # a gap of one page: show the page, not "…"
            out.append(number - 1)
        elif out and number - out[-1] > 2:
            out.append(None)
        out.append(number)
    return out
