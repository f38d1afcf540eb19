"""Hostile queries: property tests (hypothesis) at the search library and at the web layer.

Whatever a visitor or a script sends — arbitrary Unicode, control characters, lone surrogates,
10,000-character strings, unbalanced quotes and parentheses, operator soup, unknown field
prefixes, huge, negative and non-numeric page/per_page/limit values, impossible dates, ``from``
after ``to``, percent-encoded invalid UTF-8 — the answer is a result, or a 400 with a clear
JSON error (``/api/*``) or HTML error page (``/``), never an exception or a 5xx.

Examples per test are fixed by ``settings(max_examples=...)``; ``WARTA_FULL=1`` runs ten times as
many. Every test counts the examples it actually ran (printed in the terminal summary with
``-s``, and appended to ``$WARTA_RELIABILITY_LOG`` when set). The last part runs schemathesis
against ``/api/openapi.json``.
"""
from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from datetime import date
from urllib.parse import parse_qsl, quote, quote_from_bytes, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection
from schemathesis.config import SchemathesisConfig

from indexer.search.engine import SearchEngine
from indexer.search.model import RequestError, SearchRequest
from indexer.search.params import MAX_PAGE, request_from_params

FULL = os.environ.get("WARTA_FULL") == "1"
SCALE = 10 if FULL else 1
RAN: Counter = Counter()

REQUEST_CODES = {"invalid_date", "invalid_range", "invalid_month", "invalid_sort", "invalid_page",
                 "invalid_per_page", "invalid_limit"}
PARAM_NAMES = {"q", "section", "month", "from", "to", "sort", "page", "per_page", "limit"}
MARK = re.compile(r"</?mark>")


def fuzz_settings(examples: int):
    return settings(max_examples=examples * SCALE, deadline=None, database=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])


def _record(**figures) -> None:
    path = os.environ.get("WARTA_RELIABILITY_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"file": "test_fuzz_queries", "full": FULL, **figures}) + "\n")


@pytest.fixture(scope="module", autouse=True)
def count_examples():
    yield
    print("\nfuzzed examples:", dict(RAN), "total", sum(RAN.values()))
    _record(examples=dict(RAN), total=sum(RAN.values()))


# ---------------------------------------------------------------- strategies

OPERATORS = ["AND", "OR", "NOT", "--", "**", "::", "-", "+", "|", "||", "&&", "&", "ATAU", "BUKAN", "DAN", "(",
             ")", "((", "))", '"', '""', "'", "*", "?", "~", "^", "^2", "\\", "/", ":", "[", "]", "{", "}", "!",
             "~2", "@", "#", "%", "%00", "&amp;", "<", ">", "<script>", "' OR 1=1 --", "${7*7}", "{{7*7}}"]
PREFIXES = ["judul:", "rubrik:", "media:", "sumber:", "kanal:", "title:", "section:", "outlet:", "source:",
            "foo:", "id:", "url:", "published:", "content_hash:", "exact:", "dup:", "month:", "*:", ":", "::"]
WORDS = ["banjir", "bekasi", "KPK", "Korut", "harga", "cabai", "naik", "gempa", "Garut", "covid-19", "Rp5,2",
         "e-KTP", "anak-anak", "2023", "U20", "tsunami", "korupsi", "Jakarta", "pemilu", "xyzzy", "é", "ß",
         "İstanbul", "日本", "한국", "العربية", "😀", "\u202e", "\u200b", "\ufeff", "\x00", "\x1b[31m"]

any_char = st.characters(codec=None, categories=None)                 # every code point, surrogates too
control = st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Cs"])
token = st.one_of(st.sampled_from(OPERATORS), st.sampled_from(WORDS),
                  st.builds(lambda p, w: p + w, st.sampled_from(PREFIXES), st.sampled_from(WORDS + [""])),
                  st.builds(lambda w: f'"{w}', st.sampled_from(WORDS)),
                  st.builds(lambda a, b: f'"{a} {b}"', st.sampled_from(WORDS), st.sampled_from(WORDS)),
                  st.builds(lambda w: f"-{w}", st.sampled_from(WORDS)),
                  st.text(any_char, max_size=8), st.text(control, min_size=1, max_size=4))
soup = st.lists(token, max_size=25).flatmap(
    lambda parts: st.sampled_from([" ", "", "  ", "\t", "\n", "+", "%20"]).map(lambda sep: sep.join(parts)))
long_text = st.builds(lambda part, n: (part * n)[:n], st.text(any_char, min_size=1, max_size=12).filter(bool),
                      st.sampled_from([499, 500, 501, 1000, 4096, 10_000]))
query_text = st.one_of(st.text(any_char, max_size=60), soup, long_text, st.text(control, max_size=30),
                       st.sampled_from(["", " ", '"', "(((", ")))", "AND OR NOT -- ** ::", "NOT", "-", "OR OR OR",
                                        'judul:"', "rubrik:", "x" * 10_000, '"' * 501, "(" * 5000, "-" * 600]))

numbers = st.one_of(st.integers(-10**30, 10**30).map(str),
                    st.sampled_from(["0", "1", "-1", "1000", "1001", "50", "51", "999999999", "9" * 40, "1e3",
                                     "1.5", "0x10", " 1", "1 ", "+1", "１", "٣", "NaN", "inf", "-0", "00001",
                                     "1;DROP", "", " ", "%", "1\x00"]),
                    st.text(any_char, max_size=12))
days = st.one_of(st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat),
                 st.sampled_from(["2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "0000-01-01",
                                  "9999-12-31", "2024-1-1", "20240101", "2024/01/01", "12-07-2024", "2024-07-12T00:00",
                                  "２０２４-０１-０１", "-2024-01-01", "2024-01-01\x00", "", " "]),
                 st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(0, 9999), st.integers(0, 99),
                           st.integers(0, 99)),
                 st.text(any_char, max_size=12))
months = st.one_of(st.sampled_from(["2023-01", "2024-13", "2024-00", "2024-1", "9999-12", "0000-01", "2023", ""]),
                   st.text(any_char, max_size=10))
sections = st.one_of(st.sampled_from(["Nasional", "Daerah", "Ekonomi", "nasional", "", " ", "<b>x</b>", "x" * 500]),
                     st.text(any_char, max_size=30))
sorts = st.one_of(st.sampled_from(["relevance", "newest", "oldest", "Newest", "", " ", "random", "-published"]),
                  st.text(any_char, max_size=10))
VALUES = {"q": query_text, "section": sections, "month": months, "from": days, "to": days, "sort": sorts,
          "page": numbers, "per_page": numbers, "limit": numbers, "foo": st.text(any_char, max_size=10)}
params = st.lists(st.sampled_from(sorted(VALUES)).flatmap(lambda name: st.tuples(st.just(name), VALUES[name])),
                  max_size=12)


def no_surrogates(pairs):
    """The web layer receives UTF-8 URLs: lone surrogates cannot be sent, they become U+FFFD."""
    return [(k, v.encode("utf-8", "replace").decode("utf-8")) for k, v in pairs]


# ---------------------------------------------------------------- checks

@pytest.fixture(scope="module")
def engine(demo_settings):
    return SearchEngine(demo_settings)


@pytest.fixture(scope="module")
def client(demo_settings):
    from webapp import create_app
    return create_app(demo_settings).test_client()


def check_html_fragment(html: str) -> None:
    """snippet/title_html: escaped text whose only tags are <mark>…</mark>."""
    assert isinstance(html, str)
    assert "<" not in MARK.sub("", html) and ">" not in MARK.sub("", html), html[:300]


def check_result(result, request: SearchRequest, documents: int) -> None:
    assert 0 <= result.total <= documents
    assert len(result.hits) <= request.per_page
    assert math.isfinite(result.took_ms) and result.took_ms >= 0
    if (request.page - 1) * request.per_page >= result.total:
        assert result.hits == []
    for hit in result.hits:
        check_html_fragment(hit.snippet_html)
        check_html_fragment(hit.title_html)
        assert math.isfinite(hit.score)
    for values in result.facets.values():
        assert all(0 <= v.count <= documents for v in values)
    assert result.suggestion is None or isinstance(result.suggestion, str)


def check_request_error(err: RequestError) -> None:
    assert err.code in REQUEST_CODES, err.code
    assert err.param in PARAM_NAMES
    assert isinstance(err.message, str) and 20 <= len(err.message) <= 400
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", err.message)


def as_multidict(pairs):
    from werkzeug.datastructures import MultiDict
    return MultiDict(pairs)


# ---------------------------------------------------------------- the search library

@fuzz_settings(300)
@given(pairs=params)
def test_library_any_parameters(engine, demo_settings, pairs):
    RAN["library_parameters"] += 1
    try:
        request = request_from_params(as_multidict(pairs), demo_settings.search)
    except RequestError as err:
        check_request_error(err)
        return
    assert 1 <= request.page <= MAX_PAGE and 1 <= request.per_page <= demo_settings.search.max_per_page
    assert len(request.query) <= demo_settings.search.max_query_chars
    check_result(engine.search(request), request, engine.stats().documents)


@fuzz_settings(300)
@given(text=query_text, sort=st.sampled_from(["relevance", "newest", "oldest"]), page=st.integers(1, 3))
def test_library_any_query_text(engine, demo_settings, text, sort, page):
    RAN["library_query_text"] += 1
    request = request_from_params({"q": [text], "sort": [sort], "page": [str(page)]}, demo_settings.search)
    check_result(engine.search(request), request, engine.stats().documents)
    # the engine itself copes with what request_from_params would have cleaned (control characters,
    # operators, overlong text) — except lone surrogates, which only request_from_params removes
    raw = SearchRequest(query=text.encode("utf-8", "replace").decode("utf-8"), sort=sort)
    check_result(engine.search(raw), raw, engine.stats().documents)


@fuzz_settings(60)
@given(first=st.dates(date(1, 1, 2), date(9999, 12, 31)), gap=st.integers(1, 4000))
def test_library_from_after_to_is_invalid_range(demo_settings, first, gap):
    RAN["library_from_after_to"] += 1
    later = first.toordinal() + gap
    assume(later <= date(9999, 12, 31).toordinal())
    with pytest.raises(RequestError) as caught:
        request_from_params({"from": [date.fromordinal(later).isoformat()], "to": [first.isoformat()]},
                            demo_settings.search)
    assert caught.value.code == "invalid_range" and caught.value.param == "from"


@fuzz_settings(200)
@given(prefix=st.one_of(query_text, st.text(any_char, max_size=200)), limit=st.integers(-5, 50))
def test_library_suggest(engine, prefix, limit):
    RAN["library_suggest"] += 1
    suggestions = engine.suggest(prefix[:100], max(1, limit))
    assert isinstance(suggestions, list)
    for item in suggestions:
        assert isinstance(item.text, str) and item.text and item.kind in ("term", "title")
        assert (item.id is None) == (item.kind == "term")


# ---------------------------------------------------------------- the web layer (Flask test client)

def check_api_response(response, expect_keys: tuple[str, ...]) -> dict:
    assert response.status_code in (200, 400), (response.status_code, response.data[:500])
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    raw = response.get_data(as_text=True)
    assert "<" not in raw and ">" not in raw                     # written as \u003c / \u003e
    body = json.loads(raw)
    if response.status_code == 400:
        error = body["error"]
        assert error["code"] in REQUEST_CODES and error["param"] in PARAM_NAMES
        assert isinstance(error["message"], str) and len(error["message"]) >= 20
        assert response.headers["Cache-Control"] == "no-store"
    else:
        assert all(key in body for key in expect_keys), body.keys()
    return body


@fuzz_settings(200)
@given(pairs=params)
def test_api_search_any_parameters(client, pairs):
    RAN["api_search"] += 1
    response = client.get("/api/search", query_string=no_surrogates(pairs))
    body = check_api_response(response, ("query", "total", "page", "per_page", "took_ms", "results", "facets",
                                         "suggestion"))
    if response.status_code == 200:
        assert 0 <= body["total"] and len(body["results"]) <= body["per_page"]
        for hit in body["results"]:
            check_html_fragment(hit["snippet"])
            check_html_fragment(hit["title_html"])


@fuzz_settings(150)
@given(pairs=params)
def test_html_search_any_parameters(client, pairs):
    RAN["html_search"] += 1
    response = client.get("/", query_string=no_surrogates(pairs))
    assert response.status_code in (200, 400), (response.status_code, response.data[:500])
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers
    assert "<script>" not in html and "onerror" not in html            # query text is escaped
    if response.status_code == 400:
        code = re.search(r'class="error-message" data-code="([a-z_]+)">([^<]{20,})</p>', html)
        assert code and code.group(1) in REQUEST_CODES, html[-1500:]
    else:
        assert 'class="results"' in html


@fuzz_settings(150)
@given(q=st.one_of(query_text, st.text(any_char, max_size=300)), limit=st.one_of(numbers, st.none()))
def test_api_suggest_any_parameters(client, q, limit):
    RAN["api_suggest"] += 1
    pairs = [("q", q)] + ([("limit", limit)] if limit is not None else [])
    response = client.get("/api/suggest", query_string=no_surrogates(pairs))
    body = check_api_response(response, ("query", "suggestions"))
    if response.status_code == 200:
        assert len(body["query"]) <= 100 and isinstance(body["suggestions"], list)


@fuzz_settings(150)
@given(path=st.sampled_from(["/api/search", "/", "/api/suggest"]), raw=st.binary(max_size=300),
       names=st.lists(st.sampled_from(sorted(VALUES)), min_size=1, max_size=4))
def test_any_bytes_in_the_query_string(client, path, raw, names):
    """Percent-encoded arbitrary bytes (invalid UTF-8, NUL, '&', '=', '%') as parameter values."""
    RAN["raw_query_bytes"] += 1
    chunk = max(1, len(raw) // len(names))
    query = "&".join(f"{name}={quote_from_bytes(raw[i * chunk:(i + 1) * chunk], safe='')}"
                     for i, name in enumerate(names))
    response = client.get(f"{path}?{query}&{quote_from_bytes(raw[:20], safe='=&')}")
    assert response.status_code in (200, 400), (response.status_code, response.data[:300])


@fuzz_settings(100)
@given(doc_id=st.one_of(st.text(any_char, min_size=1, max_size=250), st.sampled_from(
    ["..", "../../etc/passwd", "%00", "a/b", "*", "\\", "0" * 16, "x" * 201, "<script>", "id:*"])))
def test_article_pages_any_id(client, doc_id):
    RAN["article_ids"] += 1
    encoded = quote(doc_id.encode("utf-8", "replace"), safe="")
    for path in (f"/api/articles/{encoded}", f"/artikel/{encoded}"):
        response = client.get(path)
        assert response.status_code in (200, 404, 308), (path, response.status_code)
        if response.status_code == 404 and path.startswith("/api/"):
            assert response.get_json()["error"]["code"] == "not_found"


# ---------------------------------------------------------------- schemathesis against /api/openapi.json
#
# Run through schemathesis' Python API (its pytest plugin does not support pytest 9 yet): each
# operation of the served OpenAPI document is fuzzed with schema-valid (positive) and
# schema-violating (negative) requests, and every built-in check runs: no 5xx, documented status
# codes, content types and headers, response bodies matching the documented schemas, valid data
# accepted, invalid data rejected.
#
# Two documented allowances:
# * `from` after `to` is valid per the schema — OpenAPI cannot express "from <= to" — yet the API
#   rightly answers 400 invalid_range. So on /api/search the positive-data check also accepts 400.
# * schemathesis' negative values do not all survive query-string serialisation: an "object"
#   becomes an empty value (`per_page=`), which the contract defines as "not given"
#   (allowEmptyValue), and an "integer" section is the string `-25740794`, a valid section. So
#   when the API accepts a negative case, the URL actually sent is checked independently against
#   the served OpenAPI parameter schemas (`valid_per_schema`); only if it is valid there is the
#   negative-data check skipped for that request (all the other checks still run).

SCHEMATHESIS_CONFIG = {
    "operations": [{"include-path": "/api/search",
                    "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400"]}}}],
}


def _valid_value(value: str, schema: dict) -> bool:
    kind = schema.get("type")
    if kind == "integer":
        if not re.fullmatch(r"[0-9]+", value):
            return False
        number = int(value)
        return schema.get("minimum", number) <= number <= schema.get("maximum", number)
    if kind != "string":
        return False
    if schema.get("format") == "date":
        try:
            return bool(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value)) and bool(date.fromisoformat(value))
        except ValueError:
            return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    return not schema.get("pattern") or bool(re.search(schema["pattern"], value))


def valid_per_schema(document: dict, path: str, sent: list[tuple[str, str]]) -> bool:
    """Is the query actually sent valid per the OpenAPI parameters (empty = not given)?"""
    parameters = {p["name"]: p for p in document["paths"][path]["get"].get("parameters", []) if p["in"] == "query"}
    for name, value in sent:
        if name not in parameters or (value == "" and parameters[name].get("allowEmptyValue", True)):
            continue
        schema = parameters[name]["schema"]
        if not _valid_value(value, schema.get("items", schema) if schema.get("type") == "array" else schema):
            return False
    return True
OPERATIONS = ["/api/search", "/api/suggest", "/api/articles/{id}", "/healthz"]


@pytest.fixture(scope="module")
def openapi_schema(demo_settings):
    from webapp import create_app
    return schemathesis.openapi.from_wsgi("/api/openapi.json", create_app(demo_settings),
                                          config=SchemathesisConfig.from_dict(SCHEMATHESIS_CONFIG))


@pytest.fixture(scope="module")
def openapi_document(client):
    return client.get("/api/openapi.json").get_json()


def test_schema_oracle(openapi_document):
    assert valid_per_schema(openapi_document, "/api/search", [("page", ""), ("from", ""), ("section", "-257")])
    assert valid_per_schema(openapi_document, "/api/search", [("sort", "newest"), ("from", "2024-02-29")])
    for bad in [("page", "0"), ("page", "+1"), ("per_page", "51"), ("from", "2024-02-30"), ("sort", "x"),
                ("month", "2024-13")]:
        assert not valid_per_schema(openapi_document, "/api/search", [bad]), bad
    assert not valid_per_schema(openapi_document, "/api/suggest", [("limit", "21")])


def test_openapi_lists_the_fuzzed_operations(openapi_schema):
    found = {result.ok().path for result in openapi_schema.get_all_operations()}
    assert found == set(OPERATIONS)


# negative data only where a parameter can be invalid (any {id} is a valid request, /healthz has none)
CONTRACT_RUNS = [(path, GenerationMode.POSITIVE) for path in OPERATIONS] + [
    (path, GenerationMode.NEGATIVE) for path in ("/api/search", "/api/suggest")]


@pytest.mark.parametrize("path, mode", CONTRACT_RUNS, ids=[f"{p}-{m.value}" for p, m in CONTRACT_RUNS])
def test_openapi_contract(openapi_schema, openapi_document, path, mode):
    operation = openapi_schema[path]["GET"]
    statuses: Counter = Counter()

    @fuzz_settings(60 if path != "/healthz" else 5)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        RAN[f"schemathesis_{mode.value}"] += 1
        response = case.call()
        statuses[response.status_code] += 1
        sent = parse_qsl(urlsplit(response.request.url).query, keep_blank_values=True)
        if mode is GenerationMode.NEGATIVE and response.status_code == 200 and valid_per_schema(
                openapi_document, path, sent):
            case.validate_response(response, excluded_checks=[negative_data_rejection])
        else:
            case.validate_response(response)

    run()
    assert statuses and all(status < 500 for status in statuses), statuses
