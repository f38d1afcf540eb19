"""`/metrics` in the Prometheus text format, across gunicorn's worker processes.

`warta-serve` points `PROMETHEUS_MULTIPROC_DIR` at a fresh folder before the app is created, so
every worker writes its counters and histograms there and any worker can answer a scrape with the
sum (prometheus-client's multiprocess mode); without it (tests, `flask run`) the process's own
registry is served. Index facts (generation, documents, age, the last build/update) are read from
the index folder at scrape time. Only `[web] metrics_allow` addresses may read it; others get 404.
"""
from __future__ import annotations

import ipaddress
import os
import time
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, g, request
from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram,
                               generate_latest, multiprocess)
from prometheus_client.core import GaugeMetricFamily

from indexer.runlog import read_runs

bp = Blueprint("metrics", __name__)

_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
REQUESTS = Counter("warta_http_requests_total", "HTTP requests by route, method and status",
                   ["route", "method", "status"])
REQUEST_SECONDS = Histogram("warta_http_request_seconds", "HTTP request latency by route", ["route"],
                            buckets=_LATENCY_BUCKETS)
SEARCH_SECONDS = Histogram("warta_search_seconds", "Search latency in the engine by kind: cache_hit, full "
                           "(all-words results only), partial (most-words results added)", ["kind"],
                           buckets=_LATENCY_BUCKETS)
ZERO_RESULTS = Counter("warta_search_zero_results_total", "Searches with a query that found nothing")
RESULT_CACHE = Counter("warta_result_cache_total", "Searches answered from the result cache (hit) or not (miss)",
                       ["outcome"])
ANALYTICS_DROPPED = Counter("warta_analytics_dropped_total", "Search records dropped: the writer's queue was full")
ANALYTICS_FAILED = Counter("warta_analytics_failed_total", "Search records lost to database errors")


def observe_search(result) -> None:
    kind = "cache_hit" if getattr(result, "cached", False) else ("partial" if result.partial else "full")
    SEARCH_SECONDS.labels(kind).observe(max(0.0, float(result.took_ms)) / 1000)
    RESULT_CACHE.labels("hit" if kind == "cache_hit" else "miss").inc()
    if result.total == 0 and result.request.query.strip():
        ZERO_RESULTS.inc()


def init_app(app) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response):
        started = g.pop("metrics_started", None)
        route = request.url_rule.rule if request.url_rule is not None else "other"
        if route != "/metrics" and started is not None:
            REQUEST_SECONDS.labels(route).observe(time.perf_counter() - started)
            REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        return response


def allowed(address: str | None, networks) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    for net in networks:
        try:
            if ip in ipaddress.ip_network(net, strict=False):
                return True
        except ValueError:
            continue
    return False


class IndexCollector:
    """Facts about the published generation and the CLI's last runs, read when scraped."""

    def __init__(self, settings):
        self.settings = settings

    def collect(self):
        from indexer.store import IndexStore

        store = IndexStore(self.settings.index)
        current = store.current()
        info = GaugeMetricFamily("warta_index_generation_info", "The published generation", labels=["generation"])
        docs = GaugeMetricFamily("warta_index_documents", "Documents in the published generation")
        age = GaugeMetricFamily("warta_index_age_seconds", "Seconds since the published generation was built")
        if current is not None:
            meta = store.meta(current)
            info.add_metric([current.name], 1)
            docs.add_metric([], float(meta.get("documents", 0) or 0))
            try:
                built = datetime.fromisoformat(meta.get("built_at", "")).timestamp()
                age.add_metric([], max(0.0, time.time() - built))
            except (TypeError, ValueError):
                pass
        yield from (info, docs, age)
        seconds = GaugeMetricFamily("warta_index_last_run_seconds", "Duration of the last CLI run", labels=["verb"])
        success = GaugeMetricFamily("warta_index_last_run_success", "1 if the last CLI run succeeded",
                                    labels=["verb"])
        finished = GaugeMetricFamily("warta_index_last_run_timestamp_seconds", "When the last CLI run ended",
                                     labels=["verb"])
        for verb, run in sorted(read_runs(store.root).items()):
            seconds.add_metric([verb], float(run.get("seconds", 0)))
            success.add_metric([verb], 1.0 if run.get("outcome") == "ok" else 0.0)
            finished.add_metric([verb], float(run.get("finished_at", 0)))
        yield from (seconds, success, finished)


@bp.get("/metrics")
def metrics():
    state = current_app.extensions["warta"]
    if not allowed(request.remote_addr, state.settings.web.metrics_allow):
        abort(404)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(IndexCollector(state.settings))
        body = generate_latest(registry)
    else:
        registry = CollectorRegistry()
        registry.register(IndexCollector(state.settings))
        body = generate_latest(REGISTRY) + generate_latest(registry)
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                    headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})
