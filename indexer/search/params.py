"""Turn URL query parameters into a `SearchRequest` (shared by the HTML page, the JSON API and the CLI).

`request_from_params(params, search_settings)` accepts a werkzeug ``MultiDict`` (anything with
``.getlist(name)``) or a plain ``dict`` of name -> list[str] (a bare string value is also accepted).

Rules
-----
* ``q``: free text; cut to ``search.max_query_chars``, never rejected. Control characters, bidi
  overrides (U+202A-U+202E, U+2066-U+2069) and lone surrogates become spaces.
* ``section``: repeatable; blank values dropped, duplicates dropped (order kept).
* ``month``: repeatable, ``YYYY-MM`` (else ``invalid_month``).
* ``from`` / ``to``: ``YYYY-MM-DD`` inclusive (a malformed or impossible date such as 2024-02-30 →
  ``invalid_date``; ``from`` after ``to`` → ``invalid_range``).
* ``sort``: ``relevance`` | ``newest`` | ``oldest`` (else ``invalid_sort``).
* ``page``: integer 1..1000 (else ``invalid_page``).
* ``per_page``: integer 1..``search.max_per_page`` (else ``invalid_per_page``).

An empty value (``page=``, ``sort=``, ``from=``) means "not given", so an HTML GET form with empty
fields is always valid (whitespace is not empty: ``page=%20`` is an invalid page). Every problem raises `RequestError` (never ``ValueError``/``TypeError``
escaping as such) with a stable ``code``, an Indonesian ``message`` and the parameter name in ``param``.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable, Mapping

from indexer.config import SearchSettings
from indexer.search.model import SORTS, RequestError, SearchRequest

MAX_PAGE = 1000
MAX_SECTION_CHARS = 100      # a longer "section" value cannot be a real section; it is cut
MAX_REPEATED = 50            # at most this many section/month values are kept

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH_RE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
_INT_RE = re.compile(r"[0-9]+")
# control characters, bidi embeddings/overrides/isolates (an unclosed U+202E reverses the rest
# of the line wherever the query is echoed: "Hasil pencarian untuk …", chips, error messages) and
# lone surrogates (the CLI gets them from undecodable argv bytes; Whoosh cannot encode them)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

SORT_LABELS = {"relevance": "Relevansi", "newest": "Terbaru", "oldest": "Terlama"}


def _getlist(params: Any, name: str) -> list[str]:
    if params is None:
        return []
    if hasattr(params, "getlist"):
        values = params.getlist(name)
    else:
        values = params.get(name) if isinstance(params, Mapping) else None
        if values is None:
            return []
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            values = [values]
    out = []
    for value in values:
        if value is None:
            continue
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        out.append(value if isinstance(value, str) else str(value))
    return out


def _first(params: Any, name: str) -> str:
    """The first non-empty value of a single-valued parameter ('' when absent or empty).

    Only the empty string counts as "not given": whitespace is a value, and a bad one for every
    parameter but ``q`` (so the API does exactly what its OpenAPI schema says)."""
    for value in _getlist(params, name):
        if value != "":
            return value
    return ""


def _show(value: str, limit: int = 40) -> str:
    value = _CONTROL_RE.sub(" ", value)
    return value if len(value) <= limit else value[:limit] + "…"


def _clean_text(value: str) -> str:
    return _CONTROL_RE.sub(" ", value).strip()


def parse_date(value: str, param: str) -> date:
    """``YYYY-MM-DD`` → date, or RequestError("invalid_date")."""
    if _DATE_RE.fullmatch(value):
        try:
            return date(int(value[:4]), int(value[5:7]), int(value[8:10]))
        except ValueError:
            pass
    raise RequestError(
        "invalid_date",
        f"Tanggal “{_show(value)}” pada parameter “{param}” tidak valid. "
        "Gunakan format TTTT-BB-HH dengan tanggal yang ada, misalnya 2024-07-12.",
        param)


def parse_month(value: str, param: str = "month") -> str:
    if _MONTH_RE.fullmatch(value):
        return value
    raise RequestError(
        "invalid_month",
        f"Bulan “{_show(value)}” tidak valid. Gunakan format TTTT-BB, misalnya 2019-09.",
        param)


def parse_int(value: str, param: str, low: int, high: int, code: str, what: str) -> int:
    """A plain decimal integer within [low, high] (no sign, no spaces, ASCII digits only)."""
    if _INT_RE.fullmatch(value) and len(value.lstrip("0")) <= 9:
        number = int(value)
        if low <= number <= high:
            return number
    raise RequestError(
        code,
        f"{what} harus berupa bilangan bulat antara {low} dan {high} (diterima: “{_show(value)}”).",
        param)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
            if len(seen) >= MAX_REPEATED:
                break
    return tuple(seen)


def request_from_params(params: Any, search: SearchSettings) -> SearchRequest:
    """Validate query parameters and build the SearchRequest (raises RequestError)."""
    query = _clean_text(" ".join(_getlist(params, "q")[:1]))
    query = query[: max(0, search.max_query_chars)].strip()

    sections = _unique(_clean_text(v)[:MAX_SECTION_CHARS].strip() for v in _getlist(params, "section"))
    months = _unique(parse_month(v) for v in _getlist(params, "month") if v != "")

    raw_from, raw_to = _first(params, "from"), _first(params, "to")
    date_from = parse_date(raw_from, "from") if raw_from else None
    date_to = parse_date(raw_to, "to") if raw_to else None
    if date_from and date_to and date_from > date_to:
        raise RequestError(
            "invalid_range",
            f"Tanggal awal ({date_from.isoformat()}) tidak boleh setelah tanggal akhir "
            f"({date_to.isoformat()}).",
            "from")

    sort = _first(params, "sort") or "relevance"
    if sort not in SORTS:
        raise RequestError(
            "invalid_sort",
            f"Urutan “{_show(sort)}” tidak dikenal. Pilih relevance (Relevansi), newest (Terbaru) "
            "atau oldest (Terlama).",
            "sort")

    raw_page = _first(params, "page")
    page = parse_int(raw_page, "page", 1, MAX_PAGE, "invalid_page", "Nomor halaman") if raw_page else 1

    max_per_page = max(1, search.max_per_page)
    raw_per_page = _first(params, "per_page")
    if raw_per_page:
        per_page = parse_int(raw_per_page, "per_page", 1, max_per_page, "invalid_per_page",
                             "Jumlah hasil per halaman")
    else:
        per_page = min(max(1, search.per_page), max_per_page)

    return SearchRequest(query=query, sections=sections, months=months, date_from=date_from,
                         date_to=date_to, sort=sort, page=page, per_page=per_page)


def params_from_request(request: SearchRequest, search: SearchSettings | None = None) -> list[tuple[str, str]]:
    """The inverse: canonical (name, value) pairs for a request (defaults left out)."""
    pairs: list[tuple[str, str]] = []
    if request.query:
        pairs.append(("q", request.query))
    pairs += [("section", s) for s in request.sections]
    pairs += [("month", m) for m in request.months]
    if request.date_from:
        pairs.append(("from", request.date_from.isoformat()))
    if request.date_to:
        pairs.append(("to", request.date_to.isoformat()))
    if request.sort != "relevance":
        pairs.append(("sort", request.sort))
    default_per_page = search.per_page if search else SearchRequest.per_page
    if request.per_page != default_per_page:
        pairs.append(("per_page", str(request.per_page)))
    if request.page != 1:
        pairs.append(("page", str(request.page)))
    return pairs
