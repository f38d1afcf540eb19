"""Ranking, query language, facets, sorting, pagination and suggestions on a small hand-built index."""
from __future__ import annotations

from datetime import date

import pytest

from indexer.build import build
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from tests.support import jsonl_source, settings_for, write_jsonl

ARTICLES = [
    {"id": "banjir-judul", "title": "Banjir besar melanda Bekasi", "date": "2024-01-10", "section": "Daerah",
     "url": "https://contoh.id/daerah/1", "outlet": "Kabar Satu",
     "body": "Hujan deras sejak malam membuat sungai meluap dan ribuan rumah terendam air setinggi satu meter."},
    {"id": "banjir-badan", "title": "Pemerintah kota menyiapkan anggaran darurat", "date": "2024-01-12",
     "section": "Nasional", "url": "https://contoh.id/nasional/2", "outlet": "Kabar Dua",
     "body": "Anggaran itu disiapkan untuk warga yang terdampak banjir pekan lalu di beberapa kelurahan."},
    {"id": "khawatir", "title": "Warga menyampaikan kekhawatiran soal harga beras", "date": "2024-02-03",
     "section": "Ekonomi", "url": "https://contoh.id/ekonomi/3", "outlet": "Kabar Satu",
     "body": "Kekhawatiran itu muncul setelah harga beras di pasar tradisional terus bergerak."},
    {"id": "korut-singkat", "title": "Korut kembali meluncurkan rudal balistik", "date": "2024-03-05",
     "section": "Internasional", "url": "https://contoh.id/dunia/4", "outlet": "Kabar Dua",
     "body": "Peluncuran itu dikecam oleh negara tetangga karena melanggar resolusi internasional."},
    {"id": "korea-panjang", "title": "Seoul memantau latihan militer di perbatasan", "date": "2024-03-20",
     "section": "Internasional", "url": "https://contoh.id/dunia/5", "outlet": "Kabar Satu",
     "body": "Militer Korea Utara menggelar latihan artileri dekat perbatasan dengan Korea Selatan."},
    {"id": "emas-frasa", "title": "Harga emas naik tajam pekan ini", "date": "2024-04-01", "section": "Ekonomi",
     "url": "https://contoh.id/ekonomi/6", "outlet": "Kabar Dua",
     "body": "Harga emas batangan naik karena permintaan meningkat menjelang hari raya."},
    {"id": "emas-pisah", "title": "Medali emas untuk atlet muda", "date": "2024-04-02", "section": "Olahraga",
     "url": "https://contoh.id/olahraga/7", "outlet": "Kabar Satu",
     "body": "Atlet itu meraih emas. Harga tiket pertandingan final juga dibicarakan penonton."},
    {"id": "sepak-bola", "title": "Timnas menang telak di kandang", "date": "2024-04-15", "section": "Olahraga",
     "url": "https://contoh.id/olahraga/8", "outlet": "Kabar Dua",
     "body": "Tim nasional sepak bola menang tiga gol tanpa balas dalam laga persahabatan."},
    {"id": "pemilihan", "title": "Pemilihan kepala daerah berjalan damai", "date": "2024-11-27",
     "section": "Nasional", "url": "https://contoh.id/nasional/9", "outlet": "Kabar Satu",
     "body": "Pemungutan suara pemilihan berlangsung tertib di seluruh tempat pemungutan suara."},
    {"id": "tanda-tangan", "title": "Kedua negara menandatangani perjanjian dagang", "date": "2024-05-02",
     "section": "Internasional", "url": "https://contoh.id/dunia/10", "outlet": "Kabar Dua",
     "body": "Perjanjian itu ditandatangani di Jakarta oleh kedua menteri perdagangan."},
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("search")
    src = write_jsonl(tmp / "articles.jsonl", ARTICLES)
    settings = settings_for(tmp, [jsonl_source(src)])
    build(settings)
    return SearchEngine(settings)


def ids(result):
    return [h.id for h in result.hits]


def full_ids(result):
    """The hits holding every word (a fill of articles with fewer words may follow them on a corpus
    this small: tests/test_recall.py pins that)."""
    return [h.id for h in result.hits if not h.missing]


def test_title_match_ranks_above_body_match(engine):
    result = engine.search(SearchRequest(query="banjir"))
    assert ids(result)[:2] == ["banjir-judul", "banjir-badan"]


def test_stem_match_finds_derived_form(engine):
    result = engine.search(SearchRequest(query="khawatir"))
    assert ids(result) == ["khawatir"]
    assert "<mark>" in result.hits[0].snippet_html and "<mark>" in result.hits[0].title_html


@pytest.mark.parametrize("query,expected", [("Korea Utara", "korut-singkat"), ("korut", "korea-panjang")])
def test_acronym_expansion_both_ways(engine, query, expected):
    assert expected in ids(engine.search(SearchRequest(query=query)))


def test_morphology_of_signing(engine):
    assert "tanda-tangan" in ids(engine.search(SearchRequest(query="penandatanganan")))


def test_phrase_requires_adjacent_words(engine):
    assert ids(engine.search(SearchRequest(query='"harga emas"'))) == ["emas-frasa"]
    assert set(full_ids(engine.search(SearchRequest(query="harga emas")))) == {"emas-frasa", "emas-pisah"}


def test_exclusion(engine):
    assert ids(engine.search(SearchRequest(query="emas -medali"))) == ["emas-frasa"]
    assert ids(engine.search(SearchRequest(query="emas NOT medali"))) == ["emas-frasa"]


def test_or_operator_and_fallback(engine):
    assert set(ids(engine.search(SearchRequest(query="rudal OR beras")))) == {"korut-singkat", "khawatir"}
    result = engine.search(SearchRequest(query="rudal beras"))  # no article has both
    assert result.fallback_or and set(ids(result)) == {"korut-singkat", "khawatir"}


def test_field_prefix(engine):
    # one title word in two five-word titles: equal scores, so the newer one first
    assert ids(engine.search(SearchRequest(query="judul:emas"))) == ["emas-pisah", "emas-frasa"]
    result = engine.search(SearchRequest(query="emas rubrik:olahraga"))
    assert full_ids(result) == ["emas-pisah"]
    assert all(h.section == "Olahraga" for h in result.hits)          # the field word is never missing


def test_facets_are_disjunctive(engine):
    result = engine.search(SearchRequest(query="", sections=("Ekonomi",)))
    sections = {f.value: (f.count, f.selected) for f in result.facets["section"]}
    # the selected facet still shows the other sections' counts so the reader can widen the selection
    assert sections["Ekonomi"] == (2, True)
    assert sections["Olahraga"] == (2, False)
    assert result.total == 2
    months = {f.value: f.count for f in result.facets["date"]}
    assert months == {"2024-02": 1, "2024-04": 1}  # date counts respect the section filter


def test_filters_combine_and_across_or_within(engine):
    result = engine.search(SearchRequest(sections=("Ekonomi", "Olahraga"), months=("2024-04",)))
    assert set(ids(result)) == {"emas-frasa", "emas-pisah", "sepak-bola"}
    result = engine.search(SearchRequest(date_from=date(2024, 3, 1), date_to=date(2024, 3, 31)))
    assert set(ids(result)) == {"korut-singkat", "korea-panjang"}


def test_sort_and_pagination(engine):
    newest = engine.search(SearchRequest(sort="newest", per_page=3))
    assert ids(newest) == ["pemilihan", "tanda-tangan", "sepak-bola"]
    oldest = engine.search(SearchRequest(sort="oldest", per_page=3, page=2))
    assert ids(oldest) == ["korut-singkat", "korea-panjang", "emas-frasa"]
    assert newest.total == len(ARTICLES) and newest.pages == 4


def test_did_you_mean(engine):
    result = engine.search(SearchRequest(query="pemilhan"))
    assert result.total == 0
    assert result.suggestion == "pemilihan"


NOTHING, EVERYTHING = 0, len(ARTICLES)


@pytest.mark.parametrize("query, total", [
    ('"unbalanced', NOTHING), ("judul:", NOTHING), ("x" * 2000, NOTHING), ("rubrik:tidakada", NOTHING),
    ("\x00\u202e<script>", NOTHING),
    # no searchable word: browse every article, as an empty query does
    ("AND OR NOT -- ** ::", EVERYTHING), (":", EVERYTHING), ("*", EVERYTHING), ("-", EVERYTHING),
    ("((()))", EVERYTHING), ('""', EVERYTHING), ("- - -", EVERYTHING),
])
def test_hostile_queries_never_raise(engine, query, total):
    result = engine.search(SearchRequest(query=query))
    assert result.total == total and len(result.hits) == min(total, result.request.per_page)


def test_article_and_related(engine):
    view = engine.article("korut-singkat")
    assert view.title.startswith("Korut") and view.section == "Internasional"
    assert "korut-singkat" not in [h.id for h in view.related]
    assert engine.article("tidak-ada") is None


def test_suggest_completes_terms_and_titles(engine):
    out = engine.suggest("pemil")
    assert any(s.kind == "term" and s.text == "pemilihan" for s in out)
    assert any(s.kind == "title" and s.id == "pemilihan" for s in out)


def test_request_built_by_hand_with_lone_surrogates(engine):
    result = engine.search(SearchRequest(query="banjir \ud800 bekasi"))
    assert "banjir-judul" in ids(result)


def test_lowercase_ambiguous_acronym_inside_a_name_is_optional(tmp_path):
    from indexer.config import AnalysisSettings
    from indexer.lexicon import Lexicon
    from indexer.search.query import expand_synonyms, parse

    lexicon = Lexicon.load(AnalysisSettings())
    optional = lambda q: [g[0].optional for g in expand_synonyms(parse(q), lexicon).groups]  # noqa: E731
    assert optional("osama bin laden") == [False, True, False]     # name particle: not required
    assert optional("presiden as") == [False, False]               # at the end: the acronym AS
    assert optional("osama BIN laden") == [False, False, False]    # typed in capitals: the acronym

    src = write_jsonl(tmp_path / "a.jsonl", [
        {"id": "osama", "title": "Putra Osama bin Laden tewas", "date": "2019-09-14", "url": "https://c.id/1",
         "body": "Hamza, putra Osama bin Laden, tewas dalam operasi militer."},
        {"id": "bin", "title": "Kepala BIN bertemu Presiden", "date": "2019-09-15", "url": "https://c.id/2",
         "body": "Kepala BIN melaporkan situasi keamanan kepada Presiden."},
        {"id": "as", "title": "Presiden AS bertemu PM Jepang", "date": "2019-09-16", "url": "https://c.id/3",
         "body": "Presiden AS membahas perdagangan dengan Jepang."},
        {"id": "roda", "title": "Presiden resmikan pabrik as roda", "date": "2019-09-17", "url": "https://c.id/4",
         "body": "Pabrik itu membuat as roda untuk truk."},
    ])
    settings = settings_for(tmp_path, [jsonl_source(src)])
    build(settings)
    eng = SearchEngine(settings)
    result = eng.search(SearchRequest(query="osama bin laden"))
    assert ids(result) == ["osama"] and not result.fallback_or   # was an OR fall-back
    assert ids(eng.search(SearchRequest(query="kepala bin"))) == ["bin"]
    assert full_ids(eng.search(SearchRequest(query="presiden as"))) == ["as"]
    # at the start of a query: BIN is tried first, then the word is relaxed, before any OR fall-back
    result = eng.search(SearchRequest(query="bin laden"))
    assert ids(result) == ["osama"] and not result.fallback_or
    assert ids(eng.search(SearchRequest(query="as roda"))) == ["roda"]



def test_repeated_request_is_answered_from_the_result_cache(engine):
    request = SearchRequest(query="harga beras", sections=("Ekonomi",))
    first = engine.search(request)
    hits_before = engine.results.hits
    again = engine.search(request)
    assert engine.results.hits == hits_before + 1
    assert (again.total, ids(again), again.facets) == (first.total, ids(first), first.facets)
    # another page, sort or filter is another request
    engine.search(SearchRequest(query="harga beras"))
    assert engine.results.hits == hits_before + 1


def test_result_cache_follows_the_published_generation(tmp_path):
    from indexer.build import update
    src = write_jsonl(tmp_path / "articles.jsonl", ARTICLES[:3])
    settings = settings_for(tmp_path, [jsonl_source(src)])
    build(settings)
    engine = SearchEngine(settings)
    request = SearchRequest(query="banjir")
    assert engine.search(request).total == 2
    write_jsonl(tmp_path / "articles.jsonl", ARTICLES[:3] + [
        {"id": "banjir-baru", "title": "Banjir kembali datang", "date": "2024-06-01", "section": "Daerah",
         "url": "https://contoh.id/daerah/11", "body": "Air naik lagi di kelurahan yang sama."}])
    update(settings)
    assert engine.search(request).total == 3        # the cached answer of the old generation is not reused
    off = SearchEngine(settings.replace(search={"result_cache": 0}))
    off.search(request)
    off.search(request)
    assert (off.results.hits, len(off.results)) == (0, 0)


def test_result_cache_keeps_only_the_newest_generation_it_was_asked_for():
    from indexer.search.resultcache import ResultCache
    cache = ResultCache(2)
    assert cache.get("gen-1", "q") is None
    cache.put("gen-1", "q", "old answer")
    assert cache.get("gen-1", "q") == "old answer"
    assert cache.get("gen-2", "q") is None            # a new generation empties the cache
    cache.put("gen-1", "q", "late answer")            # finished on the old generation: not kept
    assert cache.get("gen-2", "q") is None and len(cache) == 0
    for key in ("a", "b", "c"):
        cache.put("gen-2", key, key.upper())
    assert len(cache) == 2 and cache.get("gen-2", "a") is None and cache.get("gen-2", "c") == "C"


def test_a_phrase_is_highlighted_as_a_phrase(engine):
    """`Korea Utara` (typed, or the expansion of Korut) marks the phrase, not the Korea of Korea Selatan."""
    for query in ('"korea utara"', "korut"):
        hit = next(h for h in engine.search(SearchRequest(query=query)).hits if h.id == "korea-panjang")
        assert "<mark>Korea Utara</mark>" in hit.snippet_html, query
        assert "<mark>Korea</mark> Selatan" not in hit.snippet_html and "Korea Selatan" in hit.snippet_html
    words = next(h for h in engine.search(SearchRequest(query="korea utara")).hits if h.id == "korea-panjang")
    assert "<mark>Korea Utara</mark>" in words.snippet_html           # adjacent marked words: one mark


def test_no_facet_count_leads_to_an_empty_page(engine):
    """Every facet value with a count, under any combination of range, month and section, lists
    exactly that many articles when clicked (the month facet used to ignore from/to)."""
    import itertools

    ranges = [(None, None), (date(2024, 3, 1), None), (None, date(2024, 3, 31)), (date(2024, 3, 1), date(2024, 4, 30))]
    for (start, end), query in itertools.product(ranges, ["", "emas", "harga"]):
        base = SearchRequest(query=query, date_from=start, date_to=end, per_page=50)
        for months, sections in itertools.product([(), ("2024-04",)], [(), ("Ekonomi",)]):
            req = SearchRequest(**{**base.__dict__, "months": months, "sections": sections})
            result = engine.search(req)
            for facet in result.facets["date"]:
                if facet.count and not facet.selected:
                    clicked = engine.search(SearchRequest(**{**req.__dict__, "months": months + (facet.value,)}))
                    assert clicked.total >= facet.count > 0, (req, facet)
            for facet in result.facets["section"]:
                if facet.count and not facet.selected:
                    clicked = engine.search(SearchRequest(**{**req.__dict__, "sections": sections + (facet.value,)}))
                    assert clicked.total >= facet.count > 0, (req, facet)
