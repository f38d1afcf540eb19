"""The search library: one request in, one plain-data result out (no Flask here)."""
from indexer.search.backend import SearchBackend
from indexer.search.model import (ArticleView, FacetValue, Hit, IndexStats, RequestError, SearchRequest,
                                  SearchResult, SORTS, Suggestion)

__all__ = ["ArticleView", "FacetValue", "Hit", "IndexStats", "RequestError", "SearchBackend", "SearchRequest",
           "SearchResult", "SORTS", "Suggestion"]
