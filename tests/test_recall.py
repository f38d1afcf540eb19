"""Recall beyond strict AND, learned acronyms and number variants, each pinned on a small built index."""
from __future__ import annotations

import json

import pytest

from indexer import learned
from indexer.build import build, update
from indexer.cli import main as cli_main
from indexer.config import load_settings
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from indexer.search.query import require_word
from indexer.search.serialize import result_to_json
from tests.support import REPO, jsonl_source, settings_for, write_jsonl

# Four full hits would fill less than a page (partial_below 10): the list is filled with articles
# that have three of the four words, below every full hit, each saying which word it lacks.
MILL = [
    {"id": "full-1", "title": "Pabrik gula tutup permanen", "date": "2024-01-02",
     "body": "Pabrik gula di Madiun tutup permanen karena kekurangan tebu."},
    {"id": "full-2", "title": "Karyawan menunggu pesangon", "date": "2024-01-03",
     "body": "Setelah pabrik gula itu tutup permanen, karyawan menunggu pesangon."},
    # three of four words, and a much higher BM25 than the full hits (the words are in the title, twice)
    {"id": "part-strong", "title": "Pabrik gula berhenti permanen, pabrik gula terakhir di Madiun",
     "date": "2024-01-04", "body": "Pabrik gula berhenti beroperasi permanen. Pabrik gula itu sudah tua."},
    {"id": "part-weak", "title": "Petani tebu resah", "date": "2024-01-05",
     "body": "Petani resah karena pabrik itu tutup, mereka menjual tebu ke gula rakyat."},
    {"id": "one-word", "title": "Harga gula naik", "date": "2024-01-06", "body": "Harga gula pasir naik lagi."},
    {"id": "excluded", "title": "Pabrik gula Kediri tutup sementara", "date": "2024-01-07",
     "body": "Pabrik gula di Kediri tutup untuk perawatan mesin, bukan permanen, kata manajer."},
]


@pytest.fixture(scope="module")
def mill(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mill")
    # no news synonyms: this fixture pins the tiers, which a synonym of `tutup` would blur
    settings = settings_for(tmp, [jsonl_source(write_jsonl(tmp / "a.jsonl", MILL))], search={"thesaurus": "none"})
    build(settings)
    return settings


def ids(result):
    return [h.id for h in result.hits]


def test_partial_hits_rank_below_every_full_hit_and_name_the_missing_word(mill):
    result = SearchEngine(mill).search(SearchRequest(query="pabrik gula tutup permanen -kediri"))
    full = [h for h in result.hits if not h.missing]
    assert {h.id for h in full} == {"full-1", "full-2"}
    assert ids(result)[:2] == [h.id for h in full]                 # the tier holds whatever the scores
    strong = next(h for h in result.hits if h.id == "part-strong")
    assert strong.missing == ["tutup"] and strong.score > min(h.score for h in full)
    # the list still holds fewer than partial_below articles: one with a single word follows, last
    # (it holds only the commonest word); the exclusion holds
    assert ids(result)[-1] == "one-word" and "excluded" not in ids(result)
    assert result.partial and not result.fallback_or
    assert result.matched_all == 2 and result.total == len(result.hits) == 5
    body = result_to_json(result)
    assert body["partial"] is True and body["matched_all"] == 2
    assert [r["missing"] for r in body["results"]][:2] == [[], []] and ["tutup"] in [r["missing"] for r in body["results"]]


def test_facet_counts_count_the_listed_results(mill):
    result = SearchEngine(mill).search(SearchRequest(query="pabrik gula tutup permanen"))
    assert sum(f.count for f in result.facets["date"]) == result.total


def test_strict_settings_plus_word_and_phrases_keep_every_word(mill):
    strict = SearchEngine(mill.replace(search={"partial_below": 0}))
    assert set(ids(strict.search(SearchRequest(query="pabrik gula tutup permanen -kediri")))) == {"full-1", "full-2"}
    engine = SearchEngine(mill)
    required = engine.search(SearchRequest(query="pabrik gula +tutup permanen -kediri"))
    assert all("tutup" not in h.missing for h in required.hits) and "part-strong" not in ids(required)
    phrase = engine.search(SearchRequest(query='"pabrik gula" tutup permanen berhenti'))
    assert all(h.missing != [] or h.id.startswith("full") for h in phrase.hits)
    assert all("pabrik gula" not in h.missing for h in phrase.hits)


def test_require_word_marks_the_typed_word():
    assert require_word("pabrik gula tutup permanen", "tutup") == "pabrik gula +tutup permanen"
    assert require_word("Korea Utara rudal", "korea utara") == '"korea utara" rudal'
    assert require_word("a b", "c") == "a b +c"


def test_html_names_the_missing_word_with_a_link_that_requires_it(mill):
    from webapp.app import create_app

    app = create_app(mill)
    html = app.test_client().get("/?q=pabrik+gula+tutup+permanen+-kediri").get_data(as_text=True)
    assert "Tidak memuat: <s>tutup</s>" in html
    assert "q=pabrik+gula+%2Btutup+permanen+-kediri" in html
    assert "2 artikel memuat semua kata" in html


# --- learned acronyms -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The bundled demo corpus: 026 defines "Posko Kesehatan (Poskes)", 025 only writes "poskes"."""
    tmp = tmp_path_factory.mktemp("demo")
    settings = load_settings(REPO / "config.toml").replace(index={"dir": tmp / "index", "procs": 1})
    _, report = build(settings)
    return settings, report


def full_titles(result):
    """Titles of the hits that hold every query word (an acronym's other form counts as the word)."""
    return [h.title for h in result.hits if not h.missing]


def urls(result):
    return {h.url.rsplit("/", 1)[-1] or h.id for h in result.hits}


def test_a_pair_learned_from_a_demo_article_expands_both_ways(demo):
    settings, report = demo
    table = learned.read(SearchEngine(settings).store.current())
    pair = next(p for p in table.pairs if p.short == "Poskes")
    assert pair.long == "Posko Kesehatan" and report.acronyms["pairs"] == len(table) >= 1
    engine = SearchEngine(settings)
    long_form = engine.search(SearchRequest(query="posko kesehatan", highlight=False))
    short_form = engine.search(SearchRequest(query="poskes", highlight=False))
    only_short = "Warga Bekasi Kembali Kebanjiran, Tanggul Kali Bekasi Jebol di Jatiasih"
    only_long_or_both = "Pascabanjir, Warga Bekasi Diimbau Waspadai Leptospirosis dan Diare"
    assert only_short in full_titles(long_form)          # long form typed, article has Poskes
    assert only_long_or_both in full_titles(short_form)
    off = SearchEngine(settings.replace(analysis={"learn_acronyms": False}))
    assert only_short not in full_titles(off.search(SearchRequest(query="posko kesehatan")))


def test_a_pair_in_the_never_list_is_not_used(demo, tmp_path):
    settings, _ = demo
    never = tmp_path / "never.tsv"
    never.write_text("# bad pair\nPoskes | Posko Kesehatan\n", encoding="utf-8")
    blocked = SearchEngine(settings.replace(analysis={"lexicon_never": str(never)}))
    titles = full_titles(blocked.search(SearchRequest(query="posko kesehatan")))
    assert "Warga Bekasi Kembali Kebanjiran, Tanggul Kali Bekasi Jebol di Jatiasih" not in titles
    never.write_text("POSKES\n", encoding="utf-8")      # a short form alone blocks all its pairs
    assert learned.load_never(settings.replace(analysis={"lexicon_never": str(never)}).analysis).blocks(
        "Poskes", "anything else")


def test_the_never_list_also_stops_learning(tmp_path):
    never = tmp_path / "never.tsv"
    never.write_text("BPKD | Badan Pengelola Keuangan Daerah\n", encoding="utf-8")
    src = write_jsonl(tmp_path / "a.jsonl", [
        {"id": "a", "title": "Anggaran daerah", "date": "2024-02-01",
         "body": "Badan Pengelola Keuangan Daerah (BPKD) dan Dinas Pemuda dan Olahraga (Dispora) rapat."}])
    settings = settings_for(tmp_path, [jsonl_source(src)], analysis={"lexicon_never": str(never)})
    _, report = build(settings)
    shorts = {p.short for p in learned.read(SearchEngine(settings).store.current()).pairs}
    assert shorts == {"Dispora"} and report.acronyms["rejected"].get("never") == 1


def test_an_update_learns_from_new_articles(tmp_path):
    path = tmp_path / "a.jsonl"
    first = {"id": "a", "title": "Rapat", "date": "2024-02-01",
             "body": "Dinas Pemuda dan Olahraga (Dispora) menggelar rapat kerja."}
    settings = settings_for(tmp_path, [jsonl_source(write_jsonl(path, [first]))])
    build(settings)
    write_jsonl(path, [first, {"id": "b", "title": "Lomba", "date": "2024-02-02",
                               "body": "Badan Pengelola Keuangan Daerah (BPKD) mencairkan hadiah lomba."}])
    _, report = update(settings)
    engine = SearchEngine(settings)
    assert {p.short for p in learned.read(engine.store.current()).pairs} == {"Dispora", "BPKD"}
    assert report.acronyms["pairs"] == 2
    assert [h.id for h in engine.search(SearchRequest(query="bpkd")).hits] == ["b"]
    write_jsonl(path, [first])                      # b deleted: its definition goes with it
    update(settings, prune=True)
    assert {p.short for p in learned.read(engine.store.current()).pairs} == {"Dispora"}


def test_lexicon_command_lists_and_explains(demo, capsys):
    settings, _ = demo
    args = ["--config", str(REPO / "config.toml"), "--index-dir", str(settings.index.dir)]
    assert cli_main(args + ["lexicon", "poskes", "--source", "learned"]) == 0
    out = capsys.readouterr().out
    assert "learned  Poskes" in out and "Posko Kesehatan" in out
    assert cli_main(args + ["lexicon", "--explain", "posko kesehatan", "--json"]) == 0
    explained = json.loads(capsys.readouterr().out)
    entry = explained["entries"][0]
    assert entry["source"] == "learned" and entry["examples"][0]["title"].startswith("Pascabanjir")
    assert ["posko kesehatan", "poskes"] in explained["expands_to"]


# --- numbers --------------------------------------------------------------------------------

def test_numbers_are_found_as_readers_type_them(tmp_path):
    src = write_jsonl(tmp_path / "n.jsonl", [
        {"id": "ihsg", "title": "IHSG ditutup menguat", "date": "2019-09-10",
         "body": "Indeks Harga Saham Gabungan ditutup di level 6.276,63 poin pada Selasa sore."},
        {"id": "tol", "title": "Kecelakaan di tol Cipularang", "date": "2019-09-02",
         "body": "Tabrakan beruntun terjadi di KM92+600 arah Jakarta."},
        {"id": "other", "title": "Indeks lain", "date": "2019-09-11", "body": "Indeks ditutup di level 276 poin."},
    ])
    settings = settings_for(tmp_path, [jsonl_source(src)])
    build(settings)
    engine = SearchEngine(settings)
    for query in ("6.276", "6276", "6.276,63", "ihsg 6.276"):
        assert ids(engine.search(SearchRequest(query=query))) == ["ihsg"], query
    assert ids(engine.search(SearchRequest(query='"level 6.276,63 poin"'))) == ["ihsg"]   # phrases still hold
    assert ids(engine.search(SearchRequest(query="km 92"))) == ["tol"]
    snippet = engine.search(SearchRequest(query="6.276")).hits[0].snippet_html
    assert "<mark>6.276,63</mark>" in snippet


def test_a_word_ending_in_star_stands_for_the_words_it_starts(mill):
    engine = SearchEngine(mill)
    prefix = set(ids(engine.search(SearchRequest(query="perman*"))))
    assert prefix == set(ids(engine.search(SearchRequest(query="permanen")))) and prefix
    assert set(ids(engine.search(SearchRequest(query="pet*")))) == {"part-weak"}          # petani
    assert ids(engine.search(SearchRequest(query="zzz*"))) == []
    short = engine.search(SearchRequest(query="pa*"))           # too short to expand: the word "pa"
    assert ids(short) == []
    capped = SearchEngine(mill.replace(search={"prefix_expansions": 1}))
    assert len(capped._compiler(capped.snapshot()).prefix_words("pab")) == 1
