"""Error handling: JSON ``{"error": {"code", "message"}}`` for /api/* and /healthz, Indonesian HTML
pages everywhere else.

Warta's own errors (`indexer.errors.WartaError`) are mapped here, once: a bad request parameter is
the client's fault (400, its Indonesian message), no published index is 503; any other WartaError
(configuration, sources, lexicon, ...) is the server's problem: logged, answered like an unexpected
exception with a 500 whose body never contains the operator's message or a traceback."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.errors import IndexUnavailable, RequestError, WartaError

log = logging.getLogger("webapp")

# status -> (code, Indonesian message, HTML page title)
HTTP_ERRORS = {
    400: ("bad_request", "Permintaan tidak valid.", "Permintaan tidak valid"),
    404: ("not_found", "Halaman atau data yang Anda cari tidak ditemukan.", "Tidak ditemukan"),
    405: ("method_not_allowed", "Metode HTTP ini tidak didukung untuk alamat ini.",
          "Metode tidak didukung"),
    413: ("too_large", "Permintaan terlalu besar.", "Permintaan terlalu besar"),
    414: ("uri_too_long", "Alamat (URL) terlalu panjang.", "Alamat terlalu panjang"),
    431: ("headers_too_large", "Header permintaan terlalu besar.", "Permintaan terlalu besar"),
    500: ("internal_error", "Terjadi kesalahan pada server. Silakan coba lagi nanti.",
          "Kesalahan server"),
    503: ("index_unavailable", "Indeks pencarian belum tersedia. Jalankan `warta-index build` "
          "lalu coba lagi.", "Indeks belum tersedia"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, code: str, message: str, param: str = "", title: str = "",
                   headers: dict | None = None):
    if wants_json():
        error = {"code": code, "message": message}
        if param:
            error["param"] = param
        response = jsonify({"error": error})
    else:
        title = title or HTTP_ERRORS.get(status, ("", "", "Kesalahan"))[2]
        response = make_response(render_template("error.html", status=status, title=title,
                                                 message=message, code=code))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_warta_error(err: WartaError):
    """The one place a WartaError becomes an HTTP answer."""
    if isinstance(err, RequestError):
        return error_response(400, err.code, err.message, err.param, title="Parameter tidak valid")
    if isinstance(err, IndexUnavailable):
        code, message, title = HTTP_ERRORS[503]
        return error_response(503, code, message, title=title, headers={"Retry-After": "30"})
    return handle_unexpected(err)


def handle_http_exception(err: HTTPException):
    status = err.code or 500
    code, message, title = HTTP_ERRORS.get(status, (f"http_{status}", err.description or "", ""))
    headers = {}
    if status == 405:
        valid = getattr(err, "valid_methods", None) or []
        if valid:
            headers["Allow"] = ", ".join(sorted(valid))
    return error_response(status, code, message, title=title, headers=headers)


def handle_unexpected(err: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    code, message, title = HTTP_ERRORS[500]
    return error_response(500, code, message, title=title)


def init_app(app: Flask) -> None:
    app.register_error_handler(WartaError, handle_warta_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
