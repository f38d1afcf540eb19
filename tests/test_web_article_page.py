"""The article page (/artikel/<id>): fields, paragraphs, the original link, related articles,
404, escaping; marks and the way back for a reader who came from a search. On the real index of
tests/web_support.py, a tiny hostile index and the demo index."""
from __future__ import annotations

import json
import re

import pytest

from tests.web_support import FLOOD_BODY, XSS_BODY, XSS_TITLE, assert_no_raw_markup, links, text_of
from webapp import create_app


def test_article_page(client):
    r = client.get("/artikel/a1")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    text = text_of(html)
    assert "<h1 id=\"judul-artikel\">Banjir rendam ribuan rumah di Bekasi</h1>" in html
    assert "Kompas.com" in text and "Daerah › Jabodetabek" in text
    assert "Jumat, 12 Juli 2024, 14.05 WIB" in text
    assert "Sumber: Antara" in text
    assert "Warga mengungsi dengan perahu karet" in text
    for paragraph in filter(None, FLOOD_BODY.split("\n")):
        assert f"<p>{paragraph}</p>" in html, paragraph
    original = [(h, a) for h, a, t in links(html) if t.startswith("Baca artikel asli")]
    assert original == [("https://example.com/2024/07/12/banjir",
                         {"href": "https://example.com/2024/07/12/banjir", "rel": "noopener nofollow"})]
    assert "Berita terkait" in html and 'href="/artikel/a1-warga"' in html
    assert any(t == "‹ Kembali ke pencarian" and h == "/" for h, a, t in links(html))


def test_article_without_http_url_has_no_original_link(client):
    html = client.get("/artikel/a2").get_data(as_text=True)
    assert "javascript:" not in html and "Baca artikel asli" not in html
    assert "Berita terkait" not in html


def test_unknown_article_404_html(client):
    r = client.get("/artikel/tidak-ada")
    assert r.status_code == 404 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "Artikel tidak ditemukan" in html and '<html lang="id">' in html
    r = client.get("/halaman/lain")
    assert r.status_code == 404 and "Tidak ditemukan" in r.get_data(as_text=True)


def test_hostile_article_escaped_everywhere(client):
    html = client.get("/?q=alert").get_data(as_text=True)
    assert 'href="/artikel/a3?' in html
    assert_no_raw_markup(html, "search")
    assert "&lt;script&gt;" in html and "&lt;b&gt;Outlet&lt;/b&gt;" in html
    html = client.get("/artikel/a3").get_data(as_text=True)
    assert_no_raw_markup(html, "article")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Banjir &lt;img src=x onerror=alert(1)&gt;" in html
    assert "Sumber: &lt;i&gt;Antara&lt;/i&gt;" in html
    raw = client.get("/api/search?q=alert").get_data(as_text=True)
    assert "<" not in raw and ">" not in raw                   # JSON writes them as \u003c / \u003e
    body = json.loads(raw)
    hit = next(h for h in body["results"] if h["id"] == "a3")
    assert hit["title"] == XSS_TITLE                            # data is data
    assert "<script" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]
    raw = client.get("/api/articles/a3").get_data(as_text=True)
    assert "<" not in raw and json.loads(raw)["title"] == XSS_TITLE


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    from tests.conftest import build_index, jsonl_settings
    tmp = tmp_path_factory.mktemp("hostile")
    settings = jsonl_settings(tmp, [
        {"id": "xss1", "title": XSS_TITLE, "body": XSS_BODY + " Banjir melanda kota sejak pagi hari.",
         "lead": "Banjir <script>alert(1)</script> pagi", "date": "2024-07-12", "section": "Nasional",
         "url": "javascript:alert(1)", "outlet": "<b>Outlet</b>"},
        {"id": "ok1", "title": "Banjir surut di Bekasi", "body": "Banjir mulai surut di Bekasi pada sore hari.",
         "date": "2024-07-13", "section": "Daerah", "url": "https://example.com/ok1", "outlet": "Kompas.com"},
    ])
    build_index(settings)
    return create_app(settings).test_client()


def test_hostile_article_escaped_real_index(hostile_client):
    for path in ("/", "/?q=banjir", "/?q=alert", "/?q=script", "/artikel/xss1", "/?q=%3Cscript%3E"):
        r = hostile_client.get(path)
        assert r.status_code == 200, path
        html = r.get_data(as_text=True)
        assert_no_raw_markup(html, path)
    html = hostile_client.get("/?q=banjir").get_data(as_text=True)
    assert 'href="/artikel/xss1?' in html and "&lt;script&gt;" in html
    html = hostile_client.get("/artikel/xss1").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "javascript:" not in html
    for path in ("/api/search?q=banjir", "/api/search?q=alert", "/api/articles/xss1"):
        raw = hostile_client.get(path).get_data(as_text=True)
        assert "<script" not in raw and "<img" not in raw, path
    body = hostile_client.get("/api/search?q=banjir").get_json()
    hit = next(h for h in body["results"] if h["id"] == "xss1")
    assert "<script" not in hit["snippet"] and "<img" not in hit["snippet"]
    assert "<script" not in hit["title_html"] and "&lt;script&gt;" in hit["title_html"]
    assert hit["title"] == XSS_TITLE


def test_an_article_opened_from_a_search_marks_its_words_and_leads_back(demo_client):
    results = demo_client.get("/?q=leptospirosis&section=Kesehatan").get_data(as_text=True)
    link = re.search(r'<h3 class="hit-title"[^>]*><a href="(/artikel/[^"]+)"', results).group(1)
    assert "q=leptospirosis" in link and "section=Kesehatan" in link
    html = demo_client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    body = html.split('class="article-body"', 1)[1].split("</div>", 1)[0]
    assert re.search(r"<mark>leptospirosis</mark>", body, re.I)
    assert 'href="/?q=leptospirosis&amp;section=Kesehatan"' in html          # back to that very search
    plain = demo_client.get(link.split("?")[0]).get_data(as_text=True)
    assert "<mark>" not in plain.split('class="article-body"', 1)[1] and 'class="back-link"' in plain
    hostile = demo_client.get(link.split("?")[0], query_string={"q": '<script>alert(1)</script> banjir'})
    assert_no_raw_markup(hostile.get_data(as_text=True), "article with a hostile q")
