"""Versioned static URLs: ``url_for('static', filename='app.css')`` → ``/static/app.css?v=<hash>``.

The ``v`` parameter is the first 12 hex digits of the SHA-256 of the file's content, so the URL
changes exactly when the file does. A proxy in front can therefore let browsers keep a
``/static/…?v=…`` response for a year (deploy/nginx/warta.conf does); Flask itself ignores the
parameter and serves the current file. A file that does not exist gets no ``v`` (its URL 404s
as before). Hashes are kept per file and recomputed when its modification time changes.
"""
from __future__ import annotations

import hashlib
import os
import threading
from typing import Any

from flask import Flask
from werkzeug.security import safe_join

VERSION_CHARS = 12

_lock = threading.Lock()
_hashes: dict[str, tuple[int, str]] = {}     # path -> (mtime_ns, version)


def file_version(path: str) -> str | None:
    """The version string of the file at ``path``, or None when it is not a readable file."""
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        return None
    with _lock:
        known = _hashes.get(path)
    if known is not None and known[0] == mtime:
        return known[1]
    try:
        with open(path, "rb") as fh:
            version = hashlib.sha256(fh.read()).hexdigest()[:VERSION_CHARS]
    except OSError:
        return None
    with _lock:
        _hashes[path] = (mtime, version)
    return version


def init_app(app: Flask) -> None:
    folder = app.static_folder

    @app.url_defaults
    def _static_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or "v" in values or not folder or not values.get("filename"):
            return
        path = safe_join(folder, values["filename"])
        version = file_version(path) if path else None
        if version:
            values["v"] = version
