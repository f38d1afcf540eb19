"""The embeddable search widget: ``GET /widget.js`` and the ``GET /embed`` page.

``/widget.js`` is webapp/static/widget/warta-widget.js with warta-widget.css put into it as a JS
string (the widget adopts it into its shadow root), so embedding costs one request. It is served
as ``text/javascript`` with ``Cache-Control: public, max-age=300`` and an ETag; CORS headers come
from webapp.security (``/widget.js`` is a CORS path there).

``/embed`` explains how to embed the widget, shows a live preview (loaded as an external script,
so the site's CSP ``script-src 'self'`` holds) and generates the copy-paste snippet. The options
form is a plain GET form, so the snippet is right even without JavaScript; embed.js updates it live.
"""
from __future__ import annotations

import json
import re
import threading
from pathlib import Path

from flask import Blueprint, Response, render_template, request

from indexer.errors import IndexUnavailable
from webapp.app import public_base, warta

bp = Blueprint("widget", __name__)

STATIC = Path(__file__).resolve().parent / "static" / "widget"
JS_FILE = STATIC / "warta-widget.js"
CSS_FILE = STATIC / "warta-widget.css"
CSS_PLACEHOLDER = '"__WARTA_CSS__"'
CACHE_CONTROL = "public, max-age=300"

LANGS = {"id": "Indonesia", "en": "Inggris"}
THEMES = {"light": "Terang", "dark": "Gelap", "auto": "Ikuti perangkat"}
WINDOWS = {"_self": "Jendela yang sama", "_blank": "Tab baru"}
DEFAULT_LIMIT = 5
MAX_LIMIT = 20
HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")

_bundle_lock = threading.Lock()
_bundle: tuple[tuple[float, float], bytes] | None = None


def minify_css(css: str) -> str:
    """Drop comments and collapse whitespace (the stylesheet has no strings that care)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r"\s*([{};:,>])\s*", r"\1", css)
    css = re.sub(r"\s+!important", "!important", css)
    return css.replace(";}", "}").strip()


def widget_bundle() -> bytes:
    """The served widget.js: the JS with the minified CSS inlined; rebuilt when a file changes."""
    global _bundle
    stamp = (JS_FILE.stat().st_mtime, CSS_FILE.stat().st_mtime)
    with _bundle_lock:
        if _bundle is None or _bundle[0] != stamp:
            js = JS_FILE.read_text(encoding="utf-8")
            css = minify_css(CSS_FILE.read_text(encoding="utf-8"))
            if CSS_PLACEHOLDER not in js:
                raise RuntimeError(f"{JS_FILE.name} has no {CSS_PLACEHOLDER} placeholder")
            literal = json.dumps(css, ensure_ascii=False).replace("</", "<\\/")
            _bundle = (stamp, js.replace(CSS_PLACEHOLDER, literal, 1).encode("utf-8"))
        return _bundle[1]


@bp.get("/widget.js")
def widget_js():
    response = Response(widget_bundle(), mimetype="text/javascript")
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.add_etag()
    return response.make_conditional(request)


def embed_options(args) -> dict:
    """The snippet options chosen in the form (query string), validated; unknown values → defaults."""
    try:
        limit = int(args.get("limit", DEFAULT_LIMIT) or DEFAULT_LIMIT)
    except ValueError:
        limit = DEFAULT_LIMIT
    sections = [s.strip() for value in args.getlist("sections") for s in value.split(",") if s.strip()]
    accent = args.get("accent", "")
    return {
        "placeholder": args.get("placeholder", "").strip()[:100],
        "limit": min(max(limit, 1), MAX_LIMIT),
        "sections": list(dict.fromkeys(sections)),
        "lang": args.get("lang") if args.get("lang") in LANGS else "id",
        "theme": args.get("theme") if args.get("theme") in THEMES else "light",
        "target_window": args.get("target_window") if args.get("target_window") in WINDOWS else "_self",
        "accent": accent if HEX_COLOR.fullmatch(accent or "") else "",
    }


def snippet(base: str, options: dict) -> str:
    """The copy-paste HTML (plain text; the template escapes it). Mirrors embed.js."""
    def attr(value: str) -> str:
        return (value.replace("&", "&amp;").replace('"', "&quot;")
                .replace("<", "&lt;").replace(">", "&gt;"))
    style = f' style="--warta-accent: {options["accent"]}"' if options["accent"] else ""
    tag = [f'<script src="{attr(base)}/widget.js" data-warta-target="#warta-search"']
    if options["placeholder"]:
        tag.append(f'data-warta-placeholder="{attr(options["placeholder"])}"')
    if options["limit"] != DEFAULT_LIMIT:
        tag.append(f'data-warta-limit="{options["limit"]}"')
    if options["sections"]:
        tag.append(f'data-warta-sections="{attr(",".join(options["sections"]))}"')
    if options["lang"] != "id":
        tag.append(f'data-warta-lang="{options["lang"]}"')
    if options["theme"] != "light":
        tag.append(f'data-warta-theme="{options["theme"]}"')
    if options["target_window"] != "_self":
        tag.append(f'data-warta-target-window="{options["target_window"]}"')
    return f'<div id="warta-search"{style}></div>\n' + " ".join(tag) + " async></script>"


def known_sections() -> list[str]:
    """Sections in the published index, most articles first ([] when there is no index yet)."""
    try:
        return [name for name, _count in warta().engine.stats().sections]
    except IndexUnavailable:        # no index yet: the page still works, with free-text sections
        return []


@bp.get("/embed")
def embed():
    base = public_base()
    options = embed_options(request.args)
    sections = known_sections()
    sections += [s for s in options["sections"] if s not in sections]
    return render_template("embed.html", base=base, options=options, snippet=snippet(base, options),
                           sections=sections, langs=LANGS, themes=THEMES, windows=WINDOWS,
                           max_limit=MAX_LIMIT, default_limit=DEFAULT_LIMIT)


__all__ = ["bp", "widget_bundle", "snippet", "embed_options"]
