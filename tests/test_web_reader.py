"""The reader's pages through the Flask test client: stories across outlets (`copies`), the search
box's markup for suggestions, the date fields' hint and the " · " lists. On the real index of
tests/web_support.py (a1 was carried by two more outlets: a1-detik and a1-xss), then the demo index
(its wire story 009/010 collapses into one hit)."""
from __future__ import annotations

import re

from tests.web_support import COPY_TITLES, assert_no_raw_markup, links, text_of, validator


def section(html: str, element_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{element_id}".*?</section>', html, re.S)
    assert match, f"no section #{element_id}"
    return match.group(0)


# ============================================================================ copies

def test_a_collapsed_hit_links_to_the_list_of_its_copies(client):
    html = client.get("/?q=banjir").get_data(as_text=True)
    found = [(href, attrs) for href, attrs, text in links(html) if text == "2 outlet lain memuat berita ini"]
    assert len(found) == 1
    href, attrs = found[0]
    assert href == "/artikel/a1?q=banjir#salinan"         # the search travels too (marks, way back)
    assert attrs["aria-describedby"].startswith("hit-")    # "… of which result" for screen readers
    assert "outlet lain" not in text_of(html).replace("2 outlet lain memuat berita ini", "")


def test_the_article_page_lists_the_copies_with_outlet_date_and_links(client):
    html = client.get("/artikel/a1?q=banjir").get_data(as_text=True)
    copies = section(html, "salinan")
    assert "Berita ini juga dimuat" in copies
    assert "Detik" in copies and "Jumat, 12 Juli 2024, 15.30 WIB" in copies
    hrefs = [h for h, _a, _t in links(copies)]
    assert "/artikel/a1-detik?q=banjir" in hrefs and "https://detik.example/banjir" in hrefs
    assert "javascript:" not in copies                    # only http(s) originals become links
    assert_no_raw_markup(copies, "copies")
    assert "&lt;b&gt;Outlet&lt;/b&gt;" in copies
    # copies come before the related articles, in the same aside
    assert html.index('id="salinan"') < html.index('id="berita-terkait"')
    assert 'id="salinan"' not in client.get("/artikel/a2").get_data(as_text=True)


def test_api_article_lists_copies_additively(client):
    r = client.get("/api/articles/a1")
    body = r.get_json()
    assert [c["id"] for c in body["copies"]] == ["a1-detik", "a1-xss"]
    first = body["copies"][0]
    assert first == {"id": "a1-detik", "title": COPY_TITLES["a1-detik"], "url": "https://detik.example/banjir",
                     "published": "2024-07-12T15:30:00", "section": "Daerah", "outlet": "Detik",
                     "link": "http://localhost/artikel/a1-detik"}
    assert client.get("/api/articles/a2").get_json()["copies"] == []
    doc = client.get("/api/openapi.json").get_json()
    assert doc["components"]["schemas"]["Article"]["properties"]["copies"]["items"] == {
        "$ref": "#/components/schemas/RelatedArticle"}
    validator(doc, "Article")(body)


# ============================================================================ search box, dates, lists

def test_the_search_box_works_without_javascript_and_loads_the_suggestions_script(client):
    html = client.get("/?q=banjir").get_data(as_text=True)
    form = re.search(r'<form class="search-form".*?</form>', html, re.S).group(0)
    assert 'action="/"' in form and 'method="get"' in form and 'name="q"' in form and 'type="submit"' in form
    box = re.search(r"<input[^>]*id=\"q\"[^>]*>", form).group(0)
    assert 'data-suggest="/api/suggest"' in box and 'data-article="/artikel/ID"' in box
    assert 'autocomplete="off"' in box
    assert "role=" not in box and "<datalist" not in html      # the script makes it a combobox
    scripts = re.findall(r'<script src="(/static/[^"?]+)\?v=[0-9a-f]{12}" defer></script>', html)
    assert scripts == ["/static/app.js", "/static/suggest.js"]
    js = client.get("/static/suggest.js").get_data(as_text=True)
    for needle in ('"combobox"', '"aria-expanded"', '"aria-controls"', '"aria-activedescendant"', '"listbox"',
                   '"option"', '"status"', "saran tersedia", "ArrowDown", "ArrowUp", "Escape", "Enter"):
        assert needle in js, needle


def test_date_fields_say_their_format_and_the_chosen_date_in_words(client):
    html = client.get("/?q=banjir&from=2024-07-01&to=2024-07-31").get_data(as_text=True)
    hint = re.search(r'<p class="hint" id="tgl-format">(.*?)</p>', html).group(1)
    assert "hh/bb/tttt" in hint and "mm/dd/yyyy" in hint
    for field, words in (("tgl-dari", "Senin, 1 Juli 2024"), ("tgl-sampai", "Rabu, 31 Juli 2024")):
        box = re.search(rf'<input type="date" id="{field}"[^>]*>', html).group(0)
        assert f'aria-describedby="tgl-format {field}-teks"' in box
        assert re.search(rf'<span class="date-echo" id="{field}-teks">{words}</span>', html), field


def test_meta_separators_belong_to_the_item_before_them(client):
    html = client.get("/?q=banjir").get_data(as_text=True)
    meta = re.search(r'<p class="meta">(.*?)</p>', html, re.S).group(1)
    assert "·" not in meta                                # drawn by CSS after each item but the last
    footer = re.search(r'<footer.*?</footer>', html, re.S).group(0)
    assert "·" not in footer and footer.count("<li>") == 3
    css = client.get("/static/app.css").get_data(as_text=True)
    assert re.search(r"\.meta > :not\(:last-child\)::after[^{]*\{[^}]*content: \"\\a0·\"", css)
    assert "* + *::before" not in css


# ============================================================================ the demo index

def test_demo_wire_story_shows_one_hit_with_its_copy(demo_client):
    """demo/corpus 009 and 010 are one wire story from two outlets (demo/README.md)."""
    html = demo_client.get("/?q=gempa+garut").get_data(as_text=True)
    hits = re.findall(r'<li class="hit">.*?</li>', html, re.S)
    assert len(hits) == 1                                  # two articles, one story
    link = next(h for h, _a, t in links(hits[0]) if t == "1 outlet lain memuat berita ini")
    path, anchor = link.replace("&amp;", "&").split("#")
    assert anchor == "salinan" and "q=gempa+garut" in path
    shown_id = path.split("/artikel/")[1].split("?")[0]
    page = demo_client.get(path).get_data(as_text=True)
    copies = section(page, "salinan")
    outlets = re.findall(r'<span class="outlet">([^<]+)</span>', copies)
    shown_outlet = re.search(r'<span class="outlet">([^<]+)</span>', page).group(1)
    assert len(outlets) == 1 and outlets[0] != shown_outlet
    assert {shown_outlet, outlets[0]} == {"KABARNUSA.COM", "SUARAPESISIR.ID"}
    assert "22 Mei 2023" in copies
    copy_path = next(h for h, _a, _t in links(copies) if h.startswith("/artikel/"))
    copy_id = copy_path.split("/artikel/")[1].split("?")[0]
    assert copy_id != shown_id
    # and from the copy, back the other way; the API says the same
    assert f"/artikel/{shown_id}" in section(demo_client.get(copy_path.replace("&amp;", "&")).get_data(as_text=True),
                                             "salinan")
    api = demo_client.get(f"/api/articles/{shown_id}").get_json()
    assert [c["id"] for c in api["copies"]] == [copy_id] and api["copies"][0]["outlet"] == outlets[0]
    assert demo_client.get(f"/api/articles/{copy_id}").get_json()["copies"][0]["id"] == shown_id
    assert demo_client.get("/api/search?q=gempa+garut").get_json()["results"][0]["duplicates"] == 1
