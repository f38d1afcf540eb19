"""Flask application factory.

Warta's own settings never go into ``app.config``: ``app.extensions["warta"]`` holds a `Warta`
object with the frozen `Settings` and one lazily created `SearchEngine` shared by every thread
of the worker process (the engine does its own locking and generation switching). The web layer
uses it only through `indexer.search.backend.SearchBackend`.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider

from indexer.config import Settings, load_settings
from indexer.search.backend import SearchBackend
from indexer.search.model import ArticleView

log = logging.getLogger("webapp")

HERE = Path(__file__).resolve().parent


class Warta:
    """Per-app state: the settings and the (lazy, shared) search engine."""

    def __init__(self, settings: Settings, engine: SearchBackend | None = None):
        self.settings = settings
        self._engine = engine
        self._lock = threading.Lock()
        self.recorder = analytics_recorder(settings)

    def search(self, request):
        """Search, count it for /metrics and record it for `warta-index analytics` (off the request
        path: a full queue or a broken database never slows or fails the search)."""
        from webapp.metrics import observe_search   # imported after warta-serve set the metrics folder
        result = self.engine.search(request)
        observe_search(result)
        if self.recorder is not None:
            self.recorder.record(result)
        return result

    @property
    def engine(self) -> SearchBackend:
        """The SearchEngine, created on first use (after gunicorn forked, never before).

        If creating it raises (e.g. `IndexUnavailable` because nothing is published yet), nothing is
        cached, so the next request tries again and picks up an index built in the meantime.
        """
        engine = self._engine
        if engine is None:
            with self._lock:
                engine = self._engine
                if engine is None:
                    from indexer.search.engine import SearchEngine
                    engine = SearchEngine(self.settings)
                    self._engine = engine
        return engine


def analytics_recorder(settings: Settings):
    if not settings.web.analytics:
        return None
    from indexer.analytics import Recorder, database_path
    from webapp import metrics
    return Recorder(database_path(settings), settings.web.analytics_queue, settings.web.analytics_retention_days,
                    on_drop=metrics.ANALYTICS_DROPPED.inc, on_fail=metrics.ANALYTICS_FAILED.inc)


class WartaJSON(DefaultJSONProvider):
    """UTF-8 JSON with ``<``, ``>`` and ``&`` written as \\u escapes: the output can never be read
    as markup, even if some client or proxy ignores the content type."""
    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def warta() -> Warta:
    return current_app.extensions["warta"]


MAX_ID_CHARS = 200     # a longer id is never looked up (the pages and the API answer 404)


def find_article(doc_id: str) -> ArticleView | None:
    """The `ArticleView` with this id, or None."""
    return warta().engine.article(doc_id) if 0 < len(doc_id) <= MAX_ID_CHARS else None


def public_base() -> str:
    """Absolute base URL for links handed to other sites (widget, API): settings.web.public_url or
    the request's own host."""
    base = warta().settings.web.public_url.strip()
    return (base or request.host_url).rstrip("/")


def create_app(settings: Settings | None = None, *, engine: SearchBackend | None = None) -> Flask:
    """Build the Flask app. ``settings`` defaults to `load_settings()` (--config/$WARTA_CONFIG/
    ./config.toml); ``engine`` replaces the SearchEngine (tests, another backend)."""
    if settings is None:
        settings = load_settings()
    app = Flask("webapp", root_path=str(HERE), static_folder="static", template_folder="templates")
    app.json = WartaJSON(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.extensions["warta"] = Warta(settings, engine)
    if settings.web.proxy_hops > 0:
        # believe the last `proxy_hops` X-Forwarded-For/-Proto/-Host values (set by nginx): client
        # address, https and the public host in request.remote_addr/scheme/host_url. Port and prefix
        # are never read from headers (the proxy sends the port in X-Forwarded-Host).
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = settings.web.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=0, x_prefix=0)

    from webapp import api, assets, errors, metrics, security, views, widget
    assets.init_app(app)
    metrics.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    views.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(widget.bp)
    return app
