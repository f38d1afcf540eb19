"""JSON API: /api/search, /api/articles/<id>, /api/suggest, /api/openapi.json and /healthz.

The response shapes are a contract (docs/api.md, /api/openapi.json): keys are only ever added.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from indexer.errors import IndexUnavailable
from indexer.search import serialize
from indexer.search.model import ArticleView, Hit, SearchResult
from indexer.search.params import parse_int, request_from_params
from webapp.app import find_article, public_base, warta
from webapp.errors import HTTP_ERRORS, error_response

bp = Blueprint("api", __name__)

SUGGEST_MAX_CHARS = 100
SUGGEST_DEFAULT_LIMIT = 8
SUGGEST_MAX_LIMIT = 20


def article_link(doc_id: str) -> str:
    return public_base() + url_for("views.article", doc_id=doc_id)


def hit_json(hit: Hit) -> dict:
    return dict(serialize.hit_to_json(hit), link=article_link(hit.id))


def search_json(result: SearchResult) -> dict:
    return serialize.result_to_json(result, hit_json)


def related_json(hit: Hit) -> dict:
    return dict(serialize.related_to_json(hit), link=article_link(hit.id))


def article_json(view: ArticleView) -> dict:
    return dict(serialize.article_to_json(view, related_json), link=article_link(view.id))


@bp.get("/api/search")
def search():
    state = warta()
    search_request = request_from_params(request.args, state.settings.search)
    return jsonify(search_json(state.search(search_request)))


@bp.get("/api/articles/<path:doc_id>")
def article(doc_id: str):
    view = find_article(doc_id)
    if view is None:
        return error_response(404, "not_found", "Artikel tidak ditemukan.", "id")
    return jsonify(article_json(view))


@bp.get("/api/suggest")
def suggest():
    query = request.args.get("q", "")[:SUGGEST_MAX_CHARS]
    raw_limit = request.args.get("limit", "")
    limit = (parse_int(raw_limit, "limit", 1, SUGGEST_MAX_LIMIT, "invalid_limit",
                       "Jumlah saran") if raw_limit != "" else SUGGEST_DEFAULT_LIMIT)
    suggestions = warta().engine.suggest(query, limit)[:limit] if query.strip() else []
    return jsonify(serialize.suggestions_to_json(query, suggestions))


@bp.get("/api/openapi.json")
def openapi():
    from webapp.openapi import openapi_document
    return jsonify(openapi_document(warta().settings))


@bp.get("/healthz")
def healthz():
    try:
        stats = warta().engine.stats()
    except IndexUnavailable:
        code, message, _title = HTTP_ERRORS[503]
        response = jsonify({"status": "unavailable", "documents": 0, "generation": "",
                            "error": {"code": code, "message": message}})
        response.status_code = 503
        response.headers["Retry-After"] = "30"
        return response
    return jsonify(serialize.health_to_json(stats))


__all__ = ["bp", "search_json", "article_json", "hit_json"]
