"""The JSON shape of search results: the `/api/search` contract, shared by the API and the CLI."""
from __future__ import annotations

from indexer.search.model import ArticleView, Hit, SearchResult


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def hit_to_json(hit: Hit) -> dict:
    return {"id": hit.id, "url": hit.url, "title": hit.title, "section": hit.section, "outlet": hit.outlet,
            "published": _iso(hit.published), "snippet": hit.snippet_html, "score": hit.score,
            "title_html": hit.title_html, "source": hit.source, "duplicates": hit.duplicates}


def result_to_json(result: SearchResult) -> dict:
    r = result.request
    return {
        "query": r.query, "total": result.total, "page": r.page, "per_page": r.per_page,
        "pages": result.pages, "took_ms": result.took_ms, "sort": r.sort,
        "results": [hit_to_json(h) for h in result.hits],
        "facets": {name: [{"value": v.value, "count": v.count, "selected": v.selected, "label": v.label}
                          for v in values] for name, values in result.facets.items()},
        "suggestion": result.suggestion, "fallback_or": result.fallback_or, "generation": result.generation,
    }


def article_to_json(view: ArticleView) -> dict:
    return {
        "id": view.id, "url": view.url, "title": view.title, "lead": view.lead, "body": view.body,
        "caption": view.caption, "section": view.section, "subsection": view.subsection, "outlet": view.outlet,
        "source": view.source, "published": _iso(view.published),
        "related": [{"id": h.id, "title": h.title, "url": h.url, "published": _iso(h.published),
                     "section": h.section, "outlet": h.outlet} for h in view.related],
    }
