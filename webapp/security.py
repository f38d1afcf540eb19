"""Response headers: content-type/referrer hardening, CSP on HTML, CORS for the API and widget,
caching for JSON.

CORS applies to ``/api/*`` and ``/widget.js`` only. Allowed origins come from
``settings.web.cors_origins``: ``*`` answers ``Access-Control-Allow-Origin: *``; otherwise the
request's ``Origin`` is echoed only when it is listed (with ``Vary: Origin``), and a disallowed
origin gets no ``Access-Control-Allow-Origin`` at all, so the browser blocks the read.
Credentials are never allowed. Preflight ``OPTIONS`` is answered here with 204.
"""
from __future__ import annotations

from flask import Flask, Response, request

from webapp.app import warta

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
ALLOW_METHODS = "GET, OPTIONS"
ALLOW_HEADERS = "Content-Type"
MAX_AGE = "86400"


def is_cors_path(path: str) -> bool:
    return path.startswith("/api/") or path == "/widget.js"


def allowed_origin(origin: str | None, allowed: tuple[str, ...]) -> str | None:
    """The value for Access-Control-Allow-Origin, or None when the origin is not allowed."""
    if "*" in allowed:
        return "*"
    if origin and origin in allowed:
        return origin
    return None


def _add_vary(response: Response, header: str) -> None:
    current = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    if header.lower() not in (v.lower() for v in current):
        current.append(header)
        response.headers["Vary"] = ", ".join(current)


def apply_cors(response: Response) -> Response:
    allowed = tuple(warta().settings.web.cors_origins)
    value = allowed_origin(request.headers.get("Origin"), allowed)
    if "*" not in allowed:
        _add_vary(response, "Origin")
    response.headers.pop("Access-Control-Allow-Credentials", None)
    if value is None:
        response.headers.pop("Access-Control-Allow-Origin", None)
        return response
    response.headers["Access-Control-Allow-Origin"] = value
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response.headers["Access-Control-Max-Age"] = MAX_AGE
    return response


def preflight():
    """Answer OPTIONS for an existing API/widget route with 204 (before the view runs)."""
    if request.method != "OPTIONS" or not is_cors_path(request.path) or request.url_rule is None:
        return None
    response = Response(status=204)
    response.headers.remove("Content-Type")
    response.headers["Allow"] = ALLOW_METHODS
    return response


def add_headers(response: Response) -> Response:
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if response.mimetype == "text/html":
        headers["Content-Security-Policy"] = CSP
        headers["X-Frame-Options"] = "SAMEORIGIN"
    if is_cors_path(request.path):
        apply_cors(response)
    if response.mimetype == "application/json" and request.method in ("GET", "HEAD"):
        if request.path == "/healthz" or response.status_code >= 400:
            headers["Cache-Control"] = "no-store"
        else:
            headers["Cache-Control"] = f"public, max-age={int(warta().settings.web.cache_seconds)}"
    return response


def init_app(app: Flask) -> None:
    app.before_request(preflight)
    app.after_request(add_headers)
