"""Plain data going into and out of the search library.

Every front end (HTML page, JSON API, CLI, widget) renders the same
`SearchResult`; none of them talks to Whoosh directly.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from indexer.errors import RequestError    # defined with the other errors; importable from here as before

__all__ = ["SORTS", "RequestError", "SearchRequest", "Hit", "FacetValue", "SearchResult", "ArticleView",
           "Suggestion", "IndexStats"]

SORTS = ("relevance", "newest", "oldest")


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    sections: tuple[str, ...] = ()     # OR within the facet
    months: tuple[str, ...] = ()       # "YYYY-MM", OR within the facet
    date_from: date | None = None      # inclusive
    date_to: date | None = None        # inclusive
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    highlight: bool = True
    facets: bool = True


@dataclass
class Hit:
    id: str
    url: str
    title: str
    title_html: str          # always escaped HTML; <mark> around matches when the request highlights
    snippet_html: str        # always escaped HTML; <mark> around matches when the request highlights
    section: str
    outlet: str
    source: str
    published: datetime | None
    score: float
    duplicates: int = 0      # other outlets carrying the same story (collapsed)
    missing: list[str] = field(default_factory=list)  # query words a partial hit lacks (as typed)


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool
    label: str = ""          # display text (e.g. "September 2019" for "2019-09")


@dataclass(frozen=True)
class TimelineBucket:
    start: date              # first day, inclusive (never before the request's `from`)
    end: date                # last day, inclusive (never after the request's `to`)
    count: int
    label: str = ""          # display text, e.g. "3–9 Sep 2019"


@dataclass(frozen=True)
class Timeline:
    """The current results per day, week, month or year (indexer.search.timeline)."""
    granularity: str | None                      # "day" | "week" | "month" | "year"; None: nothing dated
    buckets: tuple[TimelineBucket, ...] = ()     # oldest first, consecutive, empty ones included
    undated: int = 0                             # results without a date (in no bucket)
    years: int = 1                               # years per bucket when granularity is "year"

    @property
    def dated(self) -> int:
        return sum(b.count for b in self.buckets)


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)  # "section", "date"
    suggestion: str | None = None
    took_ms: float = 0.0
    generation: str = ""
    fallback_or: bool = False  # no article has every word: all results are partial hits
    matched_all: int = -1      # results with every query word (-1 = not counted); total includes partial hits
    partial: bool = False      # the list was filled with articles that lack some words (below the full hits)
    cached: bool = False       # answered from the result cache (for metrics)
    timeline: Timeline | None = None   # computed with the facets (None when facets are off)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))


@dataclass
class ArticleView:
    id: str
    url: str
    title: str
    lead: str
    body: str
    caption: str
    section: str
    subsection: str
    outlet: str
    source: str
    published: datetime | None
    related: list[Hit] = field(default_factory=list)
    copies: list[Hit] = field(default_factory=list)   # the same story in other articles (collapsed in results)


@dataclass(frozen=True)
class Suggestion:
    """A completion of a typed prefix: a word to search for (`term`) or an article to open (`title`)."""
    text: str
    kind: Literal["term", "title"] = "term"
    id: str | None = None    # the article, for kind "title"


@dataclass(frozen=True)
class IndexStats:
    """What the published generation holds (/healthz, `warta-index info`, the widget's sections)."""
    documents: int
    generation: str
    built_at: str | None = None                   # ISO 8601 (UTC), from the build report
    sections: tuple[tuple[str, int], ...] = ()    # (section, articles), most articles first
    date_from: str | None = None                  # ISO 8601: the oldest and newest dated articles
    date_to: str | None = None
