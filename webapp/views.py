"""HTML pages: the search page (/) and the article page (/artikel/<id>).

Every search state is a plain GET URL; links that change one thing keep the others (webapp.links).
Bad parameters raise RequestError, which webapp.errors turns into a 400 page.
"""
from __future__ import annotations

import dataclasses
import re

from flask import Blueprint, Flask, render_template, request, url_for

from indexer.datenames import month_label
from indexer.search.params import MAX_PAGE, SORT_LABELS, request_from_params
from indexer.search.query import require_word
from webapp import dates, links, quantities
from webapp.app import find_article, warta
from webapp.errors import error_response
from webapp.timeline import timeline_chart

bp = Blueprint("views", __name__)


_WORD = re.compile(r"[^\W_]")


def _base() -> str:
    return url_for("views.index")


def paragraphs(text: str) -> list[str]:
    """Split article text into paragraphs (blank-line or newline separated)."""
    if not text:
        return []
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n")]
    return [p for p in parts if p]


def _article_paragraphs(view) -> tuple[str, list[str]]:
    """(lead to show separately or '', body paragraphs); the lead is not repeated when the body
    already starts with it."""
    lead = (view.lead or "").strip()
    body = paragraphs(view.body or "")
    if lead and body and body[0].startswith(lead[: max(20, len(lead) - 5)]):
        lead = ""
    return lead, body


@bp.get("/")
def index():
    state = warta()
    search_request = request_from_params(request.args, state.settings.search)
    no_words = bool(search_request.query.strip()) and not _WORD.search(search_request.query)
    if no_words:        # `"((` or `-- ,`: nothing to search for; say so and show the newest articles
        search_request = dataclasses.replace(search_request, query="")
    result = state.search(search_request)
    pages = min(result.pages, MAX_PAGE)
    browsing = not search_request.query
    return render_template(
        "search.html",
        result=result,
        req=search_request,
        pages=pages,
        page_numbers=links.page_window(search_request.page, pages),
        sort_labels=SORT_LABELS,
        browsing=browsing,
        no_words=no_words,
        # browsing lists the newest first, whatever `sort=relevance` says: the control shows that
        active_sort="newest" if browsing and search_request.sort == "relevance" else search_request.sort,
        has_filters=bool(search_request.sections or search_request.months
                         or search_request.date_from or search_request.date_to),
        chart=timeline_chart(result.timeline, search_request, _base(), request.args),
    )


@bp.get("/bantuan")
def help_page():
    return render_template("help.html")


@bp.get("/artikel/<path:doc_id>")
def article(doc_id: str):
    view = find_article(doc_id)
    if view is None:
        return error_response(404, "not_found", "Artikel yang Anda cari tidak ditemukan. Mungkin "
                              "alamatnya salah atau artikel sudah dihapus dari indeks.", "id",
                              title="Artikel tidak ditemukan")
    lead, body = _article_paragraphs(view)
    # came from a search: its state travels in the link; mark its words and lead back to it
    search_args = links.search_pairs(request.args)
    query = request.args.get("q", "").strip()
    marked = None
    if query and _WORD.search(query):
        try:
            marked = warta().engine.highlight_texts(query, [lead] + body)
        except Exception:     # highlighting is a nicety: the article shows unmarked
            marked = None
    return render_template("article.html", article=view, lead=lead, body=body,
                           marked_lead=marked[0] if marked else None, marked_body=marked[1:] if marked else None,
                           back_url=links.build_url(_base(), search_args),
                           original_url=view.url if links.is_http_url(view.url) else "")


def init_app(app: Flask) -> None:
    env = app.jinja_env
    env.filters.update(
        tanggal=dates.format_date,
        tanggal_waktu=dates.format_datetime,
        bulan=month_label,
        angka=quantities.format_number,
        detik=quantities.format_seconds,
        iso=dates.iso,
    )
    env.tests["http_url"] = links.is_http_url

    @app.context_processor
    def helpers():
        args = request.args

        def toggle(name: str, value: str) -> str:
            return links.toggle_url(_base(), args, name, value)

        def remove(name: str, value: str | None = None) -> str:
            return links.remove_url(_base(), args, name, value)

        def with_(**changes) -> str:
            return links.url_with(_base(), args, **changes)

        def page_link(number: int) -> str:
            return links.page_url(_base(), args, number)

        def require(word: str) -> str:
            """The same search with `word` required (`+kata`), for "Tidak memuat: kata"."""
            return links.url_with(_base(), args, q=require_word(args.get("q", ""), word))

        def article_link(doc_id: str) -> str:
            """The article, carrying this search's state (for marks and the way back)."""
            return links.build_url(url_for("views.article", doc_id=doc_id), links.search_pairs(args))

        def hidden(*exclude: str) -> list[tuple[str, str]]:
            return links.hidden_fields(args, exclude)

        return {
            "site_name": warta().settings.web.site_name,
            "toggle_url": toggle,
            "remove_url": remove,
            "search_url": with_,
            "require_url": require,
            "article_url": article_link,
            "page_url": page_link,
            "clear_filters_url": lambda: links.clear_filters_url(_base(), args),
            "hidden_fields": hidden,
            "current_query": args.get("q", "")[: warta().settings.search.max_query_chars],
            "max_query_chars": warta().settings.search.max_query_chars,
        }
