"""Names (indexer/names.py): words the archive writes capitalised mid-sentence are counted at
build time, stored with the generation, and make a partial hit that lacks one rank lower."""
from __future__ import annotations

import json

import pytest

from indexer.build import update
from indexer.config import ConfigError, load_settings
from indexer.names import COUNTS_FILE, CaseCounter, is_name
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from indexer.store import IndexStore
from tests.conftest import build_index, jsonl_settings


def test_capitals_count_only_in_mid_sentence():
    c = CaseCounter()
    c.feed("Banjir melanda Kupang sejak pagi. Warga Kupang mengungsi. Kupang: hujan reda.\n"
           "Ibu itu menunggu. Para ibu berkumpul, kata Ibu Ani.")
    assert c.capital["kupang"] == 2          # the sentence-opening and label-opening "Kupang" say nothing
    assert c.capital["ibu"] == 1 and c.lower["ibu"] == 1   # "Ibu itu" opens a sentence
    assert c.capital["warga"] == 0 and c.capital["banjir"] == 0


def test_a_name_needs_a_share_and_enough_mentions():
    c = CaseCounter()
    c.feed("Hujan di Kupang. Angin di Kupang. Panas di Kupang. Dua di Ende. Satu di ende.")
    assert c.names(0.8) == frozenset({"kupang"})     # Ende: 2 mentions, half of them capitalised
    assert "ende" not in c.names(0.5)                # 2 mentions are too few, whatever the share
    c.feed("Lagi di Ende. Juga di Ende.")
    assert "ende" in c.names(0.75) and "ende" not in c.names(0.8)


def test_group_labels_are_names_when_every_word_is():
    names = frozenset({"kupang", "jack", "ma"})
    assert is_name("Kupang", names) and is_name("jack ma", names)
    assert not is_name("ibu kupang", names) and not is_name("1,6", names) and not is_name("", names)


def test_counts_survive_a_round_trip_and_are_written_by_rename(tmp_path):
    c = CaseCounter()
    c.feed("Warga di Kupang dan di Kupang lagi, para ibu dan ibu lain, sekali saja.")
    (tmp_path / COUNTS_FILE).write_bytes(b"old")
    linked = tmp_path / "published"
    linked.mkdir()
    (linked / COUNTS_FILE).hardlink_to(tmp_path / COUNTS_FILE)    # an update's staging folder links the published one's
    c.save(tmp_path)
    assert (linked / COUNTS_FILE).read_bytes() == b"old"
    back = CaseCounter.load(tmp_path)
    assert back.capital["kupang"] == 2 and back.lower["ibu"] == 2
    assert "saja" not in back.lower                 # seen once: not stored
    assert len(CaseCounter.load(tmp_path / "missing")) == 0


FILLER = "Warga diminta tetap waspada dan mengikuti arahan petugas."
RECORDS = [
    {"id": "penuh", "title": "Ibu di Kupang lahirkan bayi kembar",
     "body": f"Seorang ibu di Kupang melahirkan bayi kembar. {FILLER}"},
    # lacks the name; the common word is in its title
    {"id": "tanpa-nama", "title": "Ibu muda lahirkan bayi kembar",
     "body": f"Seorang ibu muda melahirkan bayi kembar di rumah sakit. {FILLER}"},
    # lacks the common word
    {"id": "tanpa-ibu", "title": "Tetangga sambut bayi kembar",
     "body": f"Tetangga di Kupang menyambut bayi kembar dengan gembira. {FILLER}"},
    {"id": "hujan", "title": "Hujan deras", "body": f"Hujan deras mengguyur kota Kupang sejak pagi. {FILLER}"},
    {"id": "pasar", "title": "Pasar ramai", "body": f"Pasar di kota Kupang ramai pembeli. {FILLER}"},
    {"id": "balai", "title": "Pertemuan warga", "body": f"Para ibu berkumpul di balai desa bersama ibu lurah. {FILLER}"},
    {"id": "posyandu", "title": "Posyandu buka", "body": f"Para ibu membawa anak ke posyandu, kata ibu kader. {FILLER}"},
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    records = [dict(r, url=f"https://contoh.id/{r['id']}", outlet="Kabar", date="2019-09-10", section="News")
               for r in RECORDS]
    s = jsonl_settings(tmp_path_factory.mktemp("names"), records)
    _, report = build_index(s)
    return s.replace(search={"result_cache": 0}), report


def ranking(settings, weight: float):
    engine = SearchEngine(settings.replace(search={"name_weight": weight}))
    result = engine.search(SearchRequest(query="ibu kupang kembar", highlight=False))
    return [h.id for h in result.hits], result


def test_the_build_counts_names_and_reports_them(built):
    settings, report = built
    snap = SearchEngine(settings).snapshot()
    assert "kupang" in snap.names and "ibu" not in snap.names
    assert report.names == len(snap.names) and report.as_dict()["names"] == report.names


def test_a_partial_hit_lacking_a_name_ranks_below_one_lacking_a_common_word(built):
    settings, _ = built
    plain, plain_result = ranking(settings, 1.0)
    weighted, weighted_result = ranking(settings, 3.0)
    assert plain[0] == weighted[0] == "penuh"                     # the full hit stays first
    assert plain.index("tanpa-nama") < plain.index("tanpa-ibu")   # idf alone: Kupang is the commoner word here
    assert weighted.index("tanpa-ibu") < weighted.index("tanpa-nama")
    # only the order changes: what is listed, the total and each hit's missing words stay
    assert sorted(plain) == sorted(weighted) and plain_result.total == weighted_result.total
    missing = {h.id: h.missing for h in weighted_result.hits}
    assert missing["tanpa-nama"] == ["kupang"] and missing["tanpa-ibu"] == ["ibu"]


def test_names_off_when_the_share_is_zero(built):
    settings, _ = built
    assert SearchEngine(settings.replace(search={"name_min_share": 0})).snapshot().names == frozenset()


def test_an_update_adds_the_new_articles_counts(tmp_path):
    records = [dict(r, url=f"https://contoh.id/{r['id']}", outlet="Kabar", date="2019-09-10", section="News")
               for r in RECORDS]
    s = jsonl_settings(tmp_path, records)
    build_index(s)
    assert "ende" not in SearchEngine(s).snapshot().names
    more = records + [{"id": f"ende-{i}", "title": "Kabar daerah", "body": f"Hujan turun di Ende hari ke-{i}. {FILLER}",
                       "url": f"https://contoh.id/ende-{i}", "outlet": "Kabar", "date": "2019-09-11",
                       "section": "News"} for i in range(3)]
    source = s.sources[0]
    source.path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in more), encoding="utf-8")
    update(s, quiet=True)
    generation = IndexStore(s.index).current()
    counts = CaseCounter.load(generation)
    assert counts.capital["ende"] == 3 and counts.capital["kupang"] == 4     # the old counts are kept
    assert "ende" in SearchEngine(s).snapshot().names


@pytest.mark.parametrize("key, value", [("name_weight", 0.5), ("name_min_share", 1.5), ("name_min_share", -0.1)])
def test_bad_name_settings_are_config_errors(tmp_path, key, value):
    path = tmp_path / "config.toml"
    path.write_text(f"[search]\n{key} = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=key):
        load_settings(path)


def test_lexicon_explain_says_whether_a_word_is_a_name(built, tmp_path, capsys):
    from indexer.cli import main as cli_main
    settings, _ = built
    cfg = tmp_path / "warta.toml"
    cfg.write_text("[search]\nname_min_share = 0.8\n", encoding="utf-8")
    args = ["--config", str(cfg), "--index-dir", str(settings.index.dir), "lexicon", "--explain"]
    assert cli_main(args + ["kupang", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == {"capitalised": 4, "mentions": 4, "is_name": True}
    assert cli_main(args + ["ibu"]) == 0
    assert "not a name: written capitalised in 0 of" in capsys.readouterr().out
