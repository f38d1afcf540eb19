"""The search page (webapp/views.py, templates): results, facets, chips, sorting, pages, the date
form, empty states, escaping of what the reader typed. On the real index of tests/web_support.py."""
from __future__ import annotations

import re

import pytest

from tests.web_support import ARTICLES, assert_no_raw_markup, links, query_of, text_of
from webapp.security import CSP


def test_search_page_results(client):
    total = client.get("/api/search?q=banjir").get_json()["total"]
    r = client.get("/?q=banjir")
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    text = text_of(html)
    assert f"{total} hasil (" in text                       # its thousands separator: tests/test_web_formatting.py
    assert '<html lang="id">' in html and 'role="search"' in html and '<main id="konten"' in html
    assert '<label class="visually-hidden" for="q">' in html
    assert 'value="banjir"' in html
    assert 'href="/artikel/a1?q=' in html                  # the search travels with the link
    assert "<mark>Banjir</mark> rendam" in html                 # title_html rendered as markup
    assert "Jumat, 12 Juli 2024" in text
    assert "Kompas.com" in text and "Daerah" in text
    assert "2 outlet lain memuat berita ini" in text
    assert "Rubrik" in text and "Bulan" in text and "Juli 2024" in text
    assert "Relevansi" in text and "Terbaru" in text and "Terlama" in text


def test_result_count_is_exact_and_browsing_shows_its_real_order(client):
    html = client.get("/?q=banjir").get_data(as_text=True)
    count = " ".join(re.search(r'<p class="result-count"[^>]*>(.*?)</p>', html, re.S).group(1).split())
    assert re.fullmatch(r"\d+ hasil \((kurang dari )?\d+,\d\d detik\)", count), count
    browse = client.get("/").get_data(as_text=True)
    active = re.search(r'<a href="[^"]*" aria-current="true" class="active">([^<]+)</a>', browse).group(1)
    assert "terbaru lebih dulu" in browse and active == "Terbaru"


def test_facet_toggle_links_keep_other_params(client):
    r = client.get("/?q=cabai&section=Ekonomi&from=2019-01-01&to=2019-12-31&sort=newest&per_page=5&page=2")
    html = r.get_data(as_text=True)
    facet_links = [(href, attrs) for href, attrs, _t in links(html) if "facet-link" in attrs.get("class", "")]
    assert facet_links
    for href, attrs in facet_links:
        q = query_of(href)
        assert q["q"] == ["cabai"] and q["from"] == ["2019-01-01"] and q["to"] == ["2019-12-31"]
        assert q["sort"] == ["newest"] and q["per_page"] == ["5"]
        assert "page" not in q
    selected = [href for href, attrs in facet_links if "selected" in attrs["class"].split()]
    assert len(selected) == 1 and "section" not in query_of(selected[0])   # the selected Ekonomi toggles off
    month_links = [href for href, _a in facet_links if "month=" in href]
    assert month_links and all(query_of(h)["section"] == ["Ekonomi"] for h in month_links)
    # chips: remove one filter, keep the rest
    chip_hrefs = {t: h for h, a, t in links(html) if "chip" in a.get("class", "")}
    remove_section = next(h for t, h in chip_hrefs.items() if t.startswith("Rubrik: Ekonomi"))
    assert "section" not in query_of(remove_section) and query_of(remove_section)["from"] == ["2019-01-01"]
    remove_from = next(h for t, h in chip_hrefs.items() if t.startswith("Dari:"))
    assert "from" not in query_of(remove_from) and query_of(remove_from)["section"] == ["Ekonomi"]
    clear = chip_hrefs["Hapus semua filter"]
    assert query_of(clear) == {"q": ["cabai"], "sort": ["newest"], "per_page": ["5"]}


def test_sort_switch_and_pagination(client):
    html = client.get("/?q=cabai&section=Ekonomi&page=2&per_page=5").get_data(as_text=True)
    by_text = {t: (h, a) for h, a, t in links(html)}
    newest, _ = by_text["Terbaru"]
    assert query_of(newest) == {"q": ["cabai"], "section": ["Ekonomi"], "per_page": ["5"], "sort": ["newest"]}
    assert by_text["Relevansi"][1].get("aria-current") == "true"
    prev, prev_attrs = by_text["‹ Sebelumnya"]
    assert "page" not in query_of(prev) and prev_attrs.get("rel") == "prev"
    nxt, _ = by_text["Berikutnya ›"]
    assert query_of(nxt)["page"] == ["3"] and query_of(nxt)["section"] == ["Ekonomi"]
    current = [h for h, a, t in links(html) if a.get("aria-current") == "page"]
    assert len(current) == 1 and query_of(current[0])["page"] == ["2"]
    assert 'aria-label="Halaman hasil"' in html
    last = client.get("/?q=cabai&page=3").get_data(as_text=True)
    assert "Berikutnya ›</span>" in last            # disabled on the last page


def test_date_form_keeps_other_params(client):
    html = client.get("/?q=cabai&section=Ekonomi&month=2019-09&sort=oldest&from=2019-09-01").get_data(as_text=True)
    form = html[html.index('class="date-form"'):]
    form = form[:form.index("</form>")]
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    assert hidden == [("q", "cabai"), ("section", "Ekonomi"), ("month", "2019-09"), ("sort", "oldest")]
    assert 'name="from" value="2019-09-01"' in form and 'for="tgl-dari"' in form
    header = html[html.index('role="search"'):]
    header = header[:header.index("</form>")]
    assert re.findall(r'type="hidden" name="([^"]+)"', header) == ["section", "month", "from", "sort"]


def test_empty_state_suggestion_and_fallback(client):
    html = client.get("/?q=zzzz").get_data(as_text=True)
    assert "Tidak ada hasil untuk “<strong>zzzz</strong>”" in html
    html = client.get("/?q=banjr&section=Daerah").get_data(as_text=True)
    suggestion = [h for h, a, t in links(html) if t == "banjir"]
    assert "Maksud Anda:" in html and suggestion
    assert query_of(suggestion[0]) == {"q": ["banjir"], "section": ["Daerah"]}
    html = client.get("/?q=banjir+zzzz").get_data(as_text=True)
    assert ("Tidak ada artikel yang memuat semua kata; menampilkan hasil yang memuat sebagian kata."
            in html)


def test_a_query_without_words_is_an_empty_query_and_says_so(client):
    html = client.get("/", query_string={"q": '"(('}).get_data(as_text=True)
    assert "tidak berisi kata yang bisa dicari" in html and "terbaru lebih dulu" in html
    assert "Tidak ada hasil" not in html


def test_empty_query_browses_newest(client, engine):
    r = client.get("/")
    assert r.status_code == 200
    assert engine.requests[-1].query == ""
    html = r.get_data(as_text=True)
    assert "Berita terbaru" in html and "Tidak ada hasil" not in html
    shown = re.findall(r'<h3 class="hit-title"[^>]*><a href="/artikel/([^"?#]+)', html)
    newest = [a["id"] for a in sorted(ARTICLES, key=lambda a: a["date"], reverse=True)]
    story = {"a1", "a1-detik", "a1-xss"}                   # one story: only its newest copy is listed
    assert shown == [i for n, i in enumerate(newest) if i not in story or not story & set(newest[:n])][:10]


def test_search_page_mobile_friendly(client):
    html = client.get("/?q=banjir").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    css = client.get("/static/app.css").get_data(as_text=True)
    assert ":focus-visible" in css and "@media (min-width" in css


@pytest.mark.parametrize("query", ["from=2024-02-30", "sort=x", "page=-1", "per_page=0"])
def test_html_bad_params_400_page(client, query):
    r = client.get("/?q=banjir&" + query)
    assert r.status_code == 400 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert '<html lang="id">' in html and "Parameter tidak valid" in html
    assert "tidak" in html                    # the Indonesian message from RequestError
    assert r.headers["Content-Security-Policy"] == CSP


def test_hostile_query_escaped(client):
    q = '"><script>alert(1)</script>'
    for path in ("/?q=" + q, "/?q=" + q + "&page=0", "/?q=zz&section=" + q):
        html = client.get(path, query_string=None).get_data(as_text=True)
        assert_no_raw_markup(html, path)


def test_help_page_is_linked_from_the_search_page_and_the_empty_state(demo_client):
    home = demo_client.get("/").get_data(as_text=True)
    assert 'href="/bantuan"' in home
    empty = demo_client.get("/?q=zzqqxx").get_data(as_text=True)
    assert "Tidak ada hasil" in empty and 'href="/bantuan"' in empty.split('class="empty-tips"', 1)[1]
    page = demo_client.get("/bantuan")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="id">' in html
    for syntax in ('"harga emas"', "+jakarta", "-medali", "OR", "korup*", "judul:", "rubrik:", "media:"):
        assert syntax in html.replace("&#34;", '"').replace("&quot;", '"'), syntax
