"""The JSON API (webapp/api.py, openapi.py): its contract, parameters, errors and the OpenAPI
document, on the real index of tests/web_support.py and on the demo index."""
from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest

from indexer.config import Settings
from tests.web_support import ARTICLES, CABAI_EKONOMI, validator
from webapp import create_app


def _check_hit(hit):
    for key, kind in [("id", str), ("url", str), ("title", str), ("section", str), ("outlet", str),
                      ("snippet", str), ("score", float)]:
        assert isinstance(hit[key], kind), key
    assert hit["published"] is None or isinstance(hit["published"], str)
    if hit["published"]:
        datetime.fromisoformat(hit["published"])


def test_api_search_shape(client):
    r = client.get("/api/search?q=banjir")
    assert r.status_code == 200 and r.mimetype == "application/json"
    body = r.get_json()
    for key in ("query", "total", "page", "per_page", "took_ms", "results", "facets", "suggestion"):
        assert key in body
    assert body["query"] == "banjir"
    assert isinstance(body["total"], int)
    assert (body["page"], body["per_page"]) == (1, 10)
    assert isinstance(body["took_ms"], float)
    assert body["suggestion"] is None
    assert set(body["facets"]) >= {"section", "date"}
    for name in ("section", "date"):
        for value in body["facets"][name]:
            assert isinstance(value["value"], str) and isinstance(value["count"], int)
            assert isinstance(value["selected"], bool)
    # the four July 2024 flood articles (a1 and its two copies count: facets count articles)
    assert {"value": "2024-07", "count": 4, "selected": False, "label": "Juli 2024"} in body["facets"]["date"]
    for hit in body["results"]:
        _check_hit(hit)
    # the story a1 (with its 2 copies), a1-warga and a3 say banjir; the copies fold into a1's hit
    assert sorted(h["id"] for h in body["results"]) == ["a1", "a1-warga", "a3"]
    assert body["total"] == len(body["results"]) + sum(h["duplicates"] for h in body["results"])
    first = next(h for h in body["results"] if h["id"] == "a1")
    assert first["published"] == "2024-07-12T14:05:00"
    assert first["snippet"].count("<mark>") >= 1
    assert first["duplicates"] == 2
    assert first["link"].endswith("/artikel/a1")


def test_api_search_passes_every_parameter(client, engine):
    r = client.get("/api/search?q=cabai&section=Ekonomi&section=Daerah&month=2019-09&month=2019-10"
                   "&from=2019-09-01&to=2019-10-31&sort=oldest&page=2&per_page=5")
    assert r.status_code == 200
    req = engine.requests[-1]
    assert req.query == "cabai"
    assert req.sections == ("Ekonomi", "Daerah") and req.months == ("2019-09", "2019-10")
    assert (req.date_from, req.date_to) == (date(2019, 9, 1), date(2019, 10, 31))
    assert (req.sort, req.page, req.per_page) == ("oldest", 2, 5)
    body = r.get_json()
    assert (body["page"], body["per_page"], body["sort"]) == (2, 5, "oldest")
    assert [(v["value"], v["count"]) for v in body["facets"]["section"] if v["selected"]] == [
        ("Ekonomi", CABAI_EKONOMI), ("Daerah", 0)]     # selected Daerah shows, with no cabai articles
    oldest_first = sorted((a for a in ARTICLES if "cabai" in a["title"].lower()), key=lambda a: a["date"])
    assert [h["id"] for h in body["results"]] == [a["id"] for a in oldest_first[5:10]]   # page 2 of 5


def test_api_suggestion_and_fallback(client):
    body = client.get("/api/search?q=banjr").get_json()
    assert body["suggestion"] == "banjir"
    body = client.get("/api/search?q=banjir+zzzz").get_json()
    assert body["fallback_or"] is True
    every_word = client.get("/api/search?q=banjir").get_json()["results"]
    assert [h["id"] for h in body["results"]] == [h["id"] for h in every_word]


@pytest.mark.parametrize("query, code, param", [
    ("from=2024-02-30", "invalid_date", "from"),
    ("to=kemarin", "invalid_date", "to"),
    ("from=2024-07-13&to=2024-07-12", "invalid_range", "from"),
    ("sort=terbaru", "invalid_sort", "sort"),
    ("page=0", "invalid_page", "page"),
    ("page=1001", "invalid_page", "page"),
    ("page=abc", "invalid_page", "page"),
    ("per_page=51", "invalid_per_page", "per_page"),
    ("per_page=x", "invalid_per_page", "per_page"),
    ("month=2019-13", "invalid_month", "month"),
])
def test_api_bad_params_400_json(client, engine, query, code, param):
    r = client.get("/api/search?q=banjir&" + query)
    assert r.status_code == 400 and r.mimetype == "application/json"
    error = r.get_json()["error"]
    assert error["code"] == code and error["param"] == param
    assert error["message"] and "Traceback" not in error["message"]
    assert r.headers["Cache-Control"] == "no-store"
    assert engine.requests == []


def test_api_query_is_cut_not_rejected(client, engine):
    r = client.get("/api/search?q=" + "a" * 5000)
    assert r.status_code == 200
    assert len(engine.requests[-1].query) == Settings().search.max_query_chars


def test_api_article(client):
    r = client.get("/api/articles/a1")
    assert r.status_code == 200
    body = r.get_json()
    for key in ("id", "url", "title", "lead", "body", "caption", "section", "subsection", "outlet",
                "source", "published", "related"):
        assert key in body, key
    assert body["published"] == "2024-07-12T14:05:00" and body["source"] == "Antara"
    assert body["related"] and set(body["related"][0]) >= {"id", "title", "url", "published", "section", "outlet"}
    assert [h["id"] for h in body["related"]] == ["a1-warga"]   # its copies are listed apart, not as related


def test_api_unknown_article_404_json(client):
    for path in ("/api/articles/nope", "/api/articles/" + "x" * 500, "/api/articles/a/b"):
        r = client.get(path)
        assert r.status_code == 404 and r.mimetype == "application/json"
        assert r.get_json()["error"]["code"] == "not_found"


def test_api_unknown_route_and_method(client):
    r = client.get("/api/nothing")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    r = client.post("/api/search")
    assert r.status_code == 405 and r.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in r.headers["Allow"]
    r = client.delete("/api/articles/a1")
    assert r.status_code == 405 and r.mimetype == "application/json"


def test_api_suggest(client, engine):
    r = client.get("/api/suggest?q=banj")
    assert r.status_code == 200
    body = r.get_json()
    assert body["query"] == "banj"
    assert body["suggestions"][0] == {"text": "banjir", "kind": "term", "id": None}
    # then the titles of the best 8 // 2 of the articles that say the completed word
    titles = [s["id"] for s in body["suggestions"] if s["kind"] == "title"]
    saying = {a["id"] for a in ARTICLES if "banjir" in (a["title"] + a.get("lead", "") + a["body"]).lower()}
    assert len(titles) == 4 and set(titles) <= saying and len(saying) > 4
    assert client.get("/api/suggest?q=").get_json() == {"query": "", "suggestions": []}
    assert client.get("/api/suggest").get_json() == {"query": "", "suggestions": []}
    assert len(engine.suggest_calls) == 1
    body = client.get("/api/suggest?q=" + "b" * 300).get_json()
    assert body["query"] == "b" * 100 and engine.suggest_calls[-1][0] == "b" * 100
    assert len(client.get("/api/suggest?q=banj&limit=1").get_json()["suggestions"]) == 1
    for bad in ("0", "21", "x", "%09", "1.0"):
        r = client.get("/api/suggest?q=banj&limit=" + bad)
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_limit"
    assert client.get("/api/suggest?q=banj&limit=").status_code == 200


def _route_paths(app):
    out = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", "{id}", rule.rule)
        if path.startswith("/api/") or path == "/healthz":
            out.add(path)
    return out


def test_openapi_lists_every_path_and_parameter(app, client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    doc = json.loads(r.get_data(as_text=True))
    assert doc["openapi"].startswith("3.0")
    assert set(doc["paths"]) == _route_paths(app) == {
        "/api/search", "/api/articles/{id}", "/api/suggest", "/api/openapi.json", "/healthz"}
    params = {p["name"]: p for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert set(params) == {"q", "section", "month", "from", "to", "sort", "page", "per_page"}
    assert params["sort"]["schema"]["enum"] == ["relevance", "newest", "oldest"]
    assert (params["page"]["schema"]["minimum"], params["page"]["schema"]["maximum"]) == (1, 1000)
    assert params["per_page"]["schema"]["maximum"] == Settings().search.max_per_page
    assert params["section"]["schema"]["type"] == "array"
    schemas = doc["components"]["schemas"]
    assert set(schemas["SearchResponse"]["required"]) == {
        "query", "total", "page", "per_page", "took_ms", "results", "facets", "suggestion"}
    assert set(schemas["Hit"]["required"]) == {"id", "url", "title", "section", "outlet", "published",
                                               "snippet", "score"}
    assert schemas["Error"]["properties"]["error"]["required"] == ["code", "message"]
    for path, item in doc["paths"].items():
        for op in item.values():
            for status, response in op["responses"].items():
                assert "application/json" in response["content"], (path, status)
    # every $ref resolves
    for ref in re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(doc)):
        assert ref in schemas


def test_openapi_follows_settings(web_settings):
    settings = web_settings.replace(search={"max_per_page": 20}, web={"public_url": "https://warta.example/"})
    doc = create_app(settings).test_client().get("/api/openapi.json").get_json()
    params = {p["name"]: p for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert params["per_page"]["schema"]["maximum"] == 20
    assert doc["servers"] == [{"url": "https://warta.example"}]


def test_api_responses_validate_against_openapi(client):
    doc = client.get("/api/openapi.json").get_json()
    for path, name, status in [
        ("/api/search?q=banjir", "SearchResponse", 200), ("/api/search", "SearchResponse", 200),
        ("/api/search?q=banjr", "SearchResponse", 200), ("/api/search?page=0", "Error", 400),
        ("/api/articles/a1", "Article", 200), ("/api/articles/x", "Error", 404),
        ("/api/suggest?q=ba", "SuggestResponse", 200), ("/api/suggest?limit=x", "Error", 400),
        ("/healthz", "Health", 200),
    ]:
        r = client.get(path)
        assert r.status_code == status, path
        validator(doc, name)(r.get_json())
    with pytest.raises(Exception):
        validator(doc, "SearchResponse")({"query": "x"})


def test_demo_index_end_to_end(demo_client):
    health = demo_client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["documents"] > 0
    body = demo_client.get("/api/search?q=banjir").get_json()
    assert body["total"] > 0 and body["results"]
    for hit in body["results"]:
        _check_hit(hit)
    doc_id = body["results"][0]["id"]
    html = demo_client.get("/?q=banjir").get_data(as_text=True)
    assert f'href="/artikel/{doc_id}?q=' in html and re.search(r"\d hasil\s+\(", html)
    r = demo_client.get(f"/artikel/{doc_id}")
    assert r.status_code == 200 and "Kembali ke pencarian" in r.get_data(as_text=True)
    article = demo_client.get(f"/api/articles/{doc_id}").get_json()
    assert article["id"] == doc_id and isinstance(article["related"], list)
    browse = demo_client.get("/api/search?sort=newest").get_json()
    assert browse["total"] == health.get_json()["documents"]        # browsing lists every article
    assert demo_client.get("/").status_code == 200
    assert isinstance(demo_client.get("/api/suggest?q=ban").get_json()["suggestions"], list)
    assert demo_client.get("/api/articles/tidak-ada").status_code == 404


def test_demo_timeline_follows_the_openapi_document(demo_client):
    doc = demo_client.get("/api/openapi.json").get_json()
    facets = doc["components"]["schemas"]["SearchResponse"]["properties"]["facets"]["properties"]
    assert set(facets["timeline"]["required"]) == {"granularity", "buckets", "undated"}
    assert set(doc["components"]["schemas"]["TimelineBucket"]["required"]) == {"start", "end", "count"}
    for path in ("/api/search?q=banjir", "/api/search", "/api/search?q=zzqqxx", "/api/search?from=2024-01-01"):
        body = demo_client.get(path).get_json()
        validator(doc, "SearchResponse")(body)
        timeline = body["facets"]["timeline"]
        assert sum(b["count"] for b in timeline["buckets"]) + timeline["undated"] == body["total"], path
    assert demo_client.get("/api/search?q=banjir").get_json()["facets"]["timeline"]["buckets"]


def test_demo_suggest_and_health_keep_their_json_shapes(demo_client):
    """The typed IndexStats/Suggestion serialize to exactly the documented shapes (docs/api.md):
    same keys in the same order, same types."""
    health = demo_client.get("/healthz").get_json()
    assert list(health) == ["status", "documents", "generation", "built_at"]
    assert health["status"] == "ok" and type(health["documents"]) is int and health["documents"] > 0
    assert isinstance(health["generation"], str) and isinstance(health["built_at"], str)
    body = demo_client.get("/api/suggest?q=ban&limit=20").get_json()
    assert list(body) == ["query", "suggestions"] and body["query"] == "ban"
    kinds = set()
    for item in body["suggestions"]:
        assert list(item) == ["text", "kind", "id"] and isinstance(item["text"], str) and item["text"]
        assert (item["kind"], type(item["id"])) in (("term", type(None)), ("title", str))
        kinds.add(item["kind"])
    assert kinds == {"term", "title"}
    assert len(demo_client.get("/api/suggest?q=ban&limit=2").get_json()["suggestions"]) == 2


def test_demo_facet_links_round_trip(demo_client):
    body = demo_client.get("/api/search?q=bekasi").get_json()
    assert body["facets"]["section"], "the demo corpus has Bekasi articles in sections"
    value = body["facets"]["section"][0]["value"]
    filtered = demo_client.get("/api/search", query_string={"q": "bekasi", "section": value}).get_json()
    assert filtered["total"] == body["facets"]["section"][0]["count"]
    assert all(h["section"] == value for h in filtered["results"])
    assert any(v["selected"] for v in filtered["facets"]["section"])
