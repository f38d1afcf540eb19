"""The JSON shapes of the API contract (docs/api.md), shared by the web API and the CLI.

Front ends may add keys (the web adds `link`), never remove or rename them.
"""
from __future__ import annotations

import math
from typing import Any

from indexer.search.model import ArticleView, FacetValue, Hit, IndexStats, SearchResult, Suggestion, Timeline

MAX_PAGES = 1000


def iso(value) -> str | None:
    return value.isoformat() if value else None


def finite(value: Any) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) else 0.0


def hit_to_json(hit: Hit) -> dict:
    return {
        "id": hit.id, "url": hit.url or "", "title": hit.title or "", "section": hit.section or "",
        "outlet": hit.outlet or "", "published": iso(hit.published), "snippet": hit.snippet_html or "",
        "score": finite(hit.score),
        # additions to the contract
        "title_html": hit.title_html or "", "source": hit.source or "", "duplicates": int(hit.duplicates or 0),
        "missing": list(hit.missing or []),
    }


def facet_to_json(value: FacetValue) -> dict:
    return {"value": value.value, "count": int(value.count), "selected": bool(value.selected),
            "label": value.label or value.value}


def timeline_to_json(timeline: Timeline | None) -> dict | None:
    """Results per day/week/month/year; a bucket's `start`..`end` as `from`/`to` lists its `count`."""
    if timeline is None:
        return None
    return {"granularity": timeline.granularity, "undated": int(timeline.undated),
            "buckets": [{"start": b.start.isoformat(), "end": b.end.isoformat(), "count": int(b.count),
                         "label": b.label} for b in timeline.buckets]}


def result_to_json(result: SearchResult, hit_json=hit_to_json) -> dict:
    req = result.request
    facets = result.facets or {}
    return {
        "query": req.query, "total": int(result.total), "page": req.page, "per_page": req.per_page,
        "took_ms": round(finite(result.took_ms), 3),
        "results": [hit_json(h) for h in result.hits],
        "facets": dict({name: [facet_to_json(v) for v in facets.get(name, [])] for name in ("section", "date")},
                       timeline=timeline_to_json(result.timeline)),
        "suggestion": result.suggestion or None,
        # additions to the contract
        "pages": min(int(result.pages), MAX_PAGES), "sort": req.sort, "fallback_or": bool(result.fallback_or),
        "partial": bool(result.partial), "matched_all": int(result.matched_all if result.matched_all >= 0
                                                             else result.total),
    }


def related_to_json(hit: Hit) -> dict:
    return {"id": hit.id, "title": hit.title or "", "url": hit.url or "", "published": iso(hit.published),
            "section": hit.section or "", "outlet": hit.outlet or ""}


def article_to_json(view: ArticleView, related_json=related_to_json) -> dict:
    return {
        "id": view.id, "url": view.url or "", "title": view.title or "", "lead": view.lead or "",
        "body": view.body or "", "caption": view.caption or "", "section": view.section or "",
        "subsection": view.subsection or "", "outlet": view.outlet or "", "source": view.source or "",
        "published": iso(view.published), "related": [related_json(h) for h in (view.related or [])],
        # additions to the contract
        "copies": [related_json(h) for h in (view.copies or [])],
    }


def suggestion_to_json(suggestion: Suggestion) -> dict:
    return {"text": suggestion.text, "kind": suggestion.kind, "id": suggestion.id}


def suggestions_to_json(query: str, suggestions: list[Suggestion]) -> dict:
    """The /api/suggest response."""
    return {"query": query, "suggestions": [suggestion_to_json(s) for s in suggestions]}


def stats_to_json(stats: IndexStats) -> dict:
    """`warta-index info --json` (which adds the folder, its size and the last build's report)."""
    return {"documents": stats.documents, "generation": stats.generation, "built_at": stats.built_at,
            "sections": dict(stats.sections), "date_from": stats.date_from, "date_to": stats.date_to}


def health_to_json(stats: IndexStats) -> dict:
    """/healthz when an index is published (the 503 shape is the web app's: webapp/api.py)."""
    return {"status": "ok", "documents": stats.documents, "generation": stats.generation,
            "built_at": stats.built_at}
