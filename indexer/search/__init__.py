"""The search library: one request in, one plain-data result out (no Flask here)."""
from indexer.search.model import (ArticleView, FacetValue, Hit, RequestError, SearchRequest,
                                  SearchResult, SORTS)

__all__ = ["ArticleView", "FacetValue", "Hit", "RequestError", "SearchRequest", "SearchResult", "SORTS"]
