"""`SearchBackend`: the seam between the front ends and an index.

The web pages, the JSON API and the widget use only these five methods and the plain data of
`indexer.search.model`; `SearchEngine` (Whoosh + numpy, indexer/search/engine.py) implements them.
A backend on another index (OpenSearch, docs/scaling.md) plugs in by implementing the same
(tests/test_engine.py checks `SearchEngine` against this protocol, tests/test_architecture.py its
signatures; the web tests run the app on a real `SearchEngine`, tests/web_support.py).

Errors are part of the contract: `indexer.errors.IndexUnavailable` when nothing is published yet,
`indexer.errors.RequestError` for a request the backend cannot answer; webapp/errors.py maps them.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from indexer.search.model import ArticleView, IndexStats, SearchRequest, SearchResult, Suggestion


@runtime_checkable
class SearchBackend(Protocol):
    def search(self, request: SearchRequest) -> SearchResult:
        """One page of results, with facets, for a validated request."""
        ...

    def article(self, doc_id: str) -> ArticleView | None:
        """The article with this id (and its related articles), or None."""
        ...

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Completions for a typed prefix: up to `limit` words, then a few matching titles."""
        ...

    def stats(self) -> IndexStats:
        """What the published index holds."""
        ...

    def highlight_texts(self, query: str, texts: list[str]) -> list[str]:
        """Each text HTML-escaped, with the words of `query` in <mark> as in the results."""
        ...
