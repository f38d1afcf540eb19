"""News synonyms (indexer.thesaurus) on a small built index: a word also finds its synonyms, ranks
articles with the word as typed first, never conflates through the stemmer, and stays off inside
quotes and when switched off."""
from __future__ import annotations

import pytest

from indexer.build import build
from indexer.config import ConfigError
from indexer.lexicon import LexiconError
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from indexer.thesaurus import read_groups
from tests.support import jsonl_source, settings_for, write_jsonl

THESAURUS = """\
# test groups
tewas | meninggal dunia | wafat
pecat | phk
bangkrut | gulung tikar
"""
COLLOQUIAL = """# standard first, then what readers type
uang | duit
"""

ARTICLES = [
    {"id": "typed", "title": "Dua pemotor tewas di tikungan", "date": "2024-02-01",
     "body": "Dua pemotor tewas setelah motornya tergelincir di tikungan jalan desa."},
    {"id": "synonym", "title": "Pemotor meninggal dunia di tikungan", "date": "2024-02-02",
     "body": "Seorang pemotor meninggal dunia setelah tergelincir di tikungan jalan desa."},
    {"id": "stay", "title": "Warga tinggal di tikungan jalan", "date": "2024-02-03",
     "body": "Warga yang tinggal di tikungan jalan desa meminta lampu penerangan."},
    {"id": "layoff", "title": "Pabrik sepatu lakukan PHK massal", "date": "2024-02-04",
     "body": "Pabrik sepatu itu melakukan PHK terhadap 300 karyawan."},
    {"id": "closing", "title": "Pabrik tekstil gulung tikar", "date": "2024-02-05",
     "body": "Pabrik tekstil tua di Bandung akhirnya gulung tikar karena sepi pesanan."},
    {"id": "money", "title": "Uang kas desa hilang", "date": "2024-02-06",
     "body": "Uang kas desa sebesar Rp5 juta hilang dari lemari balai."},
    {"id": "slang", "title": "Duit arisan raib", "date": "2024-02-07",
     "body": "Duit arisan warga raib dibawa bendahara."},
]


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("town")
    (tmp / "thesaurus.tsv").write_text(THESAURUS, encoding="utf-8")
    (tmp / "colloquial.tsv").write_text(COLLOQUIAL, encoding="utf-8")
    settings = settings_for(tmp, [jsonl_source(write_jsonl(tmp / "a.jsonl", ARTICLES))],
                            search={"thesaurus": "thesaurus.tsv", "colloquial": "colloquial.tsv", "partial_below": 0})
    build(settings)
    return settings


def search(settings, query, **changes):
    engine = SearchEngine(settings.replace(search=changes) if changes else settings)
    return engine.search(SearchRequest(query=query))


def ids(result):
    return [h.id for h in result.hits]


def test_a_word_finds_its_synonyms_below_the_word_as_typed(town):
    result = search(town, "pemotor tewas tikungan")
    assert ids(result) == ["typed", "synonym"]           # strict AND: the synonym counts as the word
    assert all(h.missing == [] for h in result.hits)
    assert result.hits[0].score > result.hits[1].score


def test_the_stemmer_never_stands_in_for_a_synonym(town):
    # Sastrawi stems "meninggal" to "tinggal": the group searches "meninggal" as written, so an
    # article about people who *live* (tinggal) at the bend is not found by "tewas"
    assert "stay" not in ids(search(town, "tewas tikungan"))
    assert "typed" not in ids(search(town, "tinggal tikungan"))


def test_an_inflected_query_word_and_a_phrase_find_their_groups(town):
    assert ids(search(town, "pabrik dipecat")) == ["layoff"]       # dipecat -> pecat -> phk
    assert ids(search(town, "pabrik bangkrut")) == ["closing"]     # a one-word form finds a phrase
    assert ids(search(town, "pabrik gulung tikar")) == ["closing"]
    assert search(town, "tekstil gulung tikar").hits[0].title_html.count("<mark>") >= 2


def test_quotes_and_the_setting_switch_synonyms_off(town):
    assert ids(search(town, '"tewas" tikungan')) == ["typed"]
    assert ids(search(town, "pemotor tewas tikungan", thesaurus="none")) == ["typed"]
    assert ids(search(town, "pemotor tewas tikungan", synonym_weight=0.0)) == ["typed"]


def test_a_missing_thesaurus_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="thesaurus"):
        settings_for(tmp_path, search={"thesaurus": "nope.tsv"})
    with pytest.raises(ConfigError, match="colloquial"):
        settings_for(tmp_path, search={"colloquial": "nope.tsv"})


def test_a_colloquial_word_finds_the_standard_one_but_not_the_other_way(town):
    result = search(town, "duit kas")
    assert ids(result) == ["money"] and result.hits[0].missing == []    # duit -> uang: a full hit
    assert "<mark>Uang</mark>" in result.hits[0].title_html
    # the standard word is searched as typed: an article saying only "duit" lacks "uang"
    partial = search(town, "uang arisan", partial_below=50)
    assert {h.id: h.missing for h in partial.hits}.get("slang") == ["uang"]
    assert ids(search(town, "duit kas", colloquial="none")) != ["money"]


def test_the_builtin_colloquial_list_reads_with_the_standard_word_first():
    from importlib import resources
    text = resources.files("indexer.data").joinpath("colloquial.tsv").read_text(encoding="utf-8")
    groups = read_groups(text)
    assert len(groups) >= 100 and all(len(g) >= 2 for g in groups)
    firsts = {g[0] for g in groups}
    assert ("uang",) in firsts and ("duit",) not in firsts


def test_the_builtin_thesaurus_reads_and_keeps_each_word_in_one_group():
    from importlib import resources
    text = resources.files("indexer.data").joinpath("thesaurus.tsv").read_text(encoding="utf-8")
    groups = read_groups(text)
    forms = [f for g in groups for f in g]
    assert len(groups) >= 100 and all(len(g) >= 2 for g in groups)
    assert len(forms) == len(set(forms)), "a form is in two groups"
    with pytest.raises(LexiconError):
        read_groups("tewas | wafat | @ambiguous")


def test_lexicon_explain_names_the_news_synonyms(town, tmp_path, capsys):
    import json

    from indexer.cli import main as cli_main
    cfg = tmp_path / "warta.toml"          # the fixture's settings come from a mapping: write a config
    cfg.write_text(f'[search]\nthesaurus = "{town.search.thesaurus}"\n', encoding="utf-8")
    args = ["--config", str(cfg), "--index-dir", str(town.index.dir)]
    assert cli_main(args + ["lexicon", "--explain", "dipecat", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["synonyms"] == ["phk"]
    assert cli_main(args + ["lexicon", "--explain", "tewas"]) == 0
    out = capsys.readouterr().out
    assert "news synonyms" in out and "meninggal dunia" in out and "wafat" in out
