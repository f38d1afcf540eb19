"""SearchEngine: the one entry point for searching a published index generation.

(Interface fixed; implementation lands in the search issue.)
"""
from __future__ import annotations

from indexer.config import Settings
from indexer.search.model import ArticleView, SearchRequest, SearchResult


class IndexUnavailable(RuntimeError):
    """No index generation has been published yet (run `warta-index build`)."""


class SearchEngine:
    def __init__(self, settings: Settings):
        self.settings = settings

    def search(self, request: SearchRequest) -> SearchResult:
        raise NotImplementedError

    def article(self, doc_id: str) -> ArticleView | None:
        raise NotImplementedError

    def suggest(self, prefix: str, limit: int = 8) -> list[dict]:
        """[{"text": str, "kind": "title"|"term", "id": str|None}] completions for a typed prefix."""
        raise NotImplementedError

    def stats(self) -> dict:
        """{"documents": int, "generation": str, "built_at": iso str|None, "sections": {name: count}}"""
        raise NotImplementedError
