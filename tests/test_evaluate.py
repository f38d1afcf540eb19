"""Metric functions and file readers of indexer.tools.evaluate, on tiny hand-made rankings (no corpus)."""
import math

import pytest

from indexer.tools.evaluate import (EvalError, KnownItem, KnownResult, Report, Topic, TopicalResult, condensed,
                              dcg, judged, load_qrels, load_queries, mean, ndcg, normalize_url,
                              parse_override, precision, recall, reciprocal_rank, success, write_qrels)


def test_normalize_url_ignores_scheme_www_trailing_slash_and_fragment():
    forms = ["https://www.kompas.com/read/2019/09/10/abc/", "http://kompas.com/read/2019/09/10/abc",
             "HTTPS://WWW.KOMPAS.COM/read/2019/09/10/abc#komentar", " kompas.com/read/2019/09/10/abc "]
    assert {normalize_url(f) for f in forms} == {"kompas.com/read/2019/09/10/abc"}
    # the path keeps its case and the query string counts
    assert normalize_url("https://x.id/A?id=1") != normalize_url("https://x.id/a?id=1")
    assert normalize_url("https://x.id/a?id=1") != normalize_url("https://x.id/a?id=2")
    assert normalize_url("") == ""


@pytest.mark.parametrize("rank, rr, s1, s10", [
    (1, 1.0, 1.0, 1.0), (2, 0.5, 0.0, 1.0), (4, 0.25, 0.0, 1.0), (10, 0.1, 0.0, 1.0),
    (11, 0.0, 0.0, 0.0), (None, 0.0, 0.0, 0.0),
])
def test_reciprocal_rank_and_success(rank, rr, s1, s10):
    assert reciprocal_rank(rank) == pytest.approx(rr)
    assert success(rank, 1) == s1
    assert success(rank, 10) == s10


def test_mrr_of_a_small_set():
    ranks = [1, 2, None, 5]          # 1 + 0.5 + 0 + 0.2 = 1.7 over 4
    assert mean(reciprocal_rank(r) for r in ranks) == pytest.approx(0.425)


def test_dcg_uses_log2_discount():
    assert dcg([]) == 0
    assert dcg([2]) == pytest.approx(2.0)
    assert dcg([2, 1, 0, 1]) == pytest.approx(2 + 1 / math.log2(3) + 0 + 1 / math.log2(5))


def test_ndcg_perfect_ranking_is_one_and_order_matters():
    qrels = {"a": 2, "b": 1, "c": 0}
    assert ndcg(["a", "b", "c"], qrels) == pytest.approx(1.0)
    ideal = 2 + 1 / math.log2(3)
    assert ndcg(["b", "a"], qrels) == pytest.approx((1 + 2 / math.log2(3)) / ideal)
    assert ndcg(["c"], qrels) == 0.0
    assert ndcg(["a"], {"a": 0}) == 0.0            # nothing relevant: 0, not a division by zero


def test_ndcg_is_computed_on_the_condensed_list():
    qrels = {"a": 2, "b": 1}
    # unjudged x and y are removed, so this ranking scores as ["a", "b"], i.e. perfect
    assert condensed(["x", "a", "y", "b"], qrels) == ["a", "b"]
    assert ndcg(["x", "a", "y", "b"], qrels) == pytest.approx(1.0)
    # a judged non-relevant document is not removed
    assert ndcg(["c", "a", "b"], dict(qrels, c=0)) < 1.0


def test_ndcg_cut_at_k_and_ideal_from_all_judgments():
    qrels = {f"d{i}": 1 for i in range(12)}
    ranking = [f"d{i}" for i in range(12)]
    assert ndcg(ranking, qrels, k=10) == pytest.approx(1.0)
    # only 5 of the 12 relevant documents retrieved
    ideal = sum(1 / math.log2(i + 2) for i in range(10))
    got = sum(1 / math.log2(i + 2) for i in range(5))
    assert ndcg(ranking[:5], qrels, k=10) == pytest.approx(got / ideal)


def test_precision_condensed_grade_threshold():
    qrels = {"a": 2, "b": 0, "c": 1, "d": 1}
    assert precision(["a", "x", "b", "c"], qrels, k=4) == pytest.approx(2 / 4)   # x removed: a b c
    assert precision(["a", "b", "c", "d"], qrels, k=4, threshold=2) == pytest.approx(1 / 4)
    assert precision([], qrels) == 0.0


def test_recall_and_judged():
    qrels = {"a": 2, "b": 1, "c": 0, "d": 1}
    assert recall(["a", "x", "c"], qrels) == pytest.approx(1 / 3)
    assert recall({"a", "b", "d"}, qrels) == pytest.approx(1.0)
    assert recall(["a"], {"c": 0}) == 0.0
    assert judged(["a", "x", "c", "y"], qrels, k=4) == pytest.approx(0.5)
    assert judged(["a", "x", "c", "y"], qrels, k=2) == pytest.approx(0.5)
    assert judged([], qrels) == 0.0


def test_report_summaries_per_kind_and_overall():
    known = [KnownResult("k1", "plain", "q", "u", 1), KnownResult("k2", "plain", "q", "u", 3),
             KnownResult("k3", "morph", "q", "u", None), KnownResult("k4", "morph", "q", "u", 2, True)]
    topical = [TopicalResult("t1", "q", 1.0, 0.5, 1.0, 1.0, 10), TopicalResult("t2", "q", 0.5, 0.3, 0.5, 0.8, 9)]
    report = Report(known, topical)
    s = report.known_summary()
    assert list(s) == ["plain", "morph", "overall"]
    assert s["plain"] == {"n": 2, "success@1": 0.5, "success@10": 1.0, "mrr@10": pytest.approx((1 + 1 / 3) / 2),
                          "story_mrr@10": pytest.approx((1 + 1 / 3) / 2)}
    assert s["morph"]["success@10"] == 0.5 and s["morph"]["mrr@10"] == pytest.approx(0.25)
    assert s["overall"]["n"] == 4 and s["overall"]["mrr@10"] == pytest.approx((1 + 1 / 3 + 0.5) / 4)
    t = report.topical_summary()
    assert t["ndcg@10"] == pytest.approx(0.75) and t["p@10"] == pytest.approx(0.4)
    assert t["judged@10"] == pytest.approx(0.9)
    data = report.as_dict()
    assert data["known_items"]["overall"]["n"] == 4
    assert "ranking" not in data["queries"]["topical"][0]
    table = report.table()
    assert "overall" in table and "condensed" in table and "k4" in table and "2*" in table


def test_load_queries_and_qrels(tmp_path):
    q = tmp_path / "q.tsv"
    q.write_text("# comment\n\nk1\tplain\tbanjir bekasi\thttps://a.id/1\nt1\tharga emas\n", encoding="utf-8")
    known, topics = load_queries(q)
    assert known == [KnownItem("k1", "plain", "banjir bekasi", "https://a.id/1")]
    assert topics == [Topic("t1", "harga emas")]
    qrels = tmp_path / "q.qrels"
    qrels.write_text("t1 0 https://www.a.id/1/ 2\nt1 0 http://a.id/2 0\n", encoding="utf-8")
    assert load_qrels(qrels) == {"t1": {"a.id/1": 2, "a.id/2": 0}}
    out = tmp_path / "out.qrels"
    write_qrels(out, {"t10": {"a.id/1": 1}, "t2": {"b.id/2": 0, "a.id/9": 2}})
    assert out.read_text().splitlines() == ["t2 0 a.id/9 2", "t2 0 b.id/2 0", "t10 0 a.id/1 1"]


@pytest.mark.parametrize("text", ["k1\tplain\tonly three", "k1\tplain\t\thttps://a.id/1", "t1"])
def test_bad_query_lines_are_reported(tmp_path, text):
    q = tmp_path / "q.tsv"
    q.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(EvalError, match="q.tsv:1"):
        load_queries(q)


def test_duplicate_qids_and_bad_grades_are_reported(tmp_path):
    q = tmp_path / "q.tsv"
    q.write_text("t1\ta\nt1\tb\n", encoding="utf-8")
    with pytest.raises(EvalError, match="duplicate qid"):
        load_queries(q)
    r = tmp_path / "r.qrels"
    r.write_text("t1 0 a.id/1 high\n", encoding="utf-8")
    with pytest.raises(EvalError, match="integer"):
        load_qrels(r)


def test_parse_override():
    assert parse_override("search.title_boost=1") == {"search": {"title_boost": 1.0}}
    assert parse_override("search.collapse_duplicates=false") == {"search": {"collapse_duplicates": False}}
    assert parse_override("analysis.expand_synonyms=false") == {"analysis": {"expand_synonyms": False}}
    for bad in ("title_boost=1", "search.nope=1", "search.title_boost=tinggi", "web.port=1"):
        with pytest.raises(EvalError):
            parse_override(bad)


# --- end to end on a tiny index (no corpus needed) ---------------------------------------------

WIRE = ("Bea Cukai meresmikan sembilan perusahaan menjadi Kawasan Berikat Mandiri di Cikarang, Jawa Barat "
        "pada Rabu lalu. Kepala Kantor Bea Cukai Cikarang mengungkapkan bahwa fasilitas ini diberikan "
        "kepada perusahaan yang telah memenuhi syarat kepatuhan dan memiliki sistem informasi persediaan "
        "yang terintegrasi. Dengan fasilitas tersebut perusahaan dapat melakukan sendiri kegiatan "
        "pengawasan atas pemasukan dan pengeluaran barang sehingga biaya logistik menjadi lebih murah.")


def _tiny_settings(tmp_path):
    from tests.conftest import build_index, jsonl_settings
    records = [
        {"id": "a1", "title": "Sembilan Perusahaan di Cikarang Jadi Kawasan Berikat", "body": WIRE,
         "date": "2019-09-12", "url": "https://www.okezone.com/read/a1", "outlet": "okezone.com"},
        {"id": "a2", "title": "Bea Cukai Resmikan Fasilitas Baru", "body": "CIKARANG - " + WIRE,
         "date": "2019-09-12", "url": "https://sindonews.com/read/a2", "outlet": "sindonews.com"},
        {"id": "a3", "title": "Gempa Guncang Tuban", "body": "Gempa bermagnitudo 5,6 mengguncang Tuban, Jawa Timur.",
         "date": "2019-09-19", "url": "https://kompas.com/read/a3", "outlet": "Kompas.com"},
        {"id": "a4", "title": "Warga Bekasi Khawatir Banjir Datang Lagi", "body": "Warga Bekasi khawatir hujan deras.",
         "date": "2019-09-19", "url": "https://tempo.co/read/a4", "outlet": "tempo.co"},
    ]
    settings = jsonl_settings(tmp_path, records)
    build_index(settings)
    return settings


def test_evaluator_end_to_end_with_collapsed_duplicate(tmp_path):
    from indexer.tools.evaluate import Evaluator
    settings = _tiny_settings(tmp_path)
    known = [KnownItem("k1", "plain", "kawasan berikat cikarang", "http://sindonews.com/read/a2/"),
             KnownItem("k2", "morph", "kekhawatiran banjir bekasi", "https://tempo.co/read/a4"),
             KnownItem("k3", "plain", "kawasan berikat", "https://example.com/not-indexed")]
    topics = [Topic("t1", "gempa tuban")]
    evaluator = Evaluator(settings)
    assert evaluator.docs.dup_of["a1"] == evaluator.docs.dup_of["a2"] != evaluator.docs.dup_of["a3"]
    assert evaluator.docs.duplicates("a1") == ["sindonews.com/read/a2"]
    report = evaluator.run(known, topics, {"t1": {"kompas.com/read/a3": 2, "tempo.co/read/a4": 0}})
    by = {r.qid: r for r in report.known}
    # a1 and a2 are one story: whichever is shown, the target counts at rank 1
    assert by["k1"].rank == 1
    assert by["k2"].rank == 1 and not by["k2"].via_duplicate
    assert by["k3"].rank is None and report.missing == ["k3"]
    assert report.topical[0].ndcg == 1.0 and report.topical[0].recall == 1.0
    collapsed_off = Evaluator(settings.replace(search={"collapse_duplicates": False})).run(known[:1])
    assert collapsed_off.known[0].rank in (1, 2) and not collapsed_off.known[0].via_duplicate


def test_cli_eval_writes_table_and_json(tmp_path, capsys):
    import json as _json
    from pathlib import Path
    from unittest import mock

    from indexer import cli
    settings = _tiny_settings(tmp_path)
    q = tmp_path / "k.tsv"
    q.write_text("k1\tmorph\tkekhawatiran banjir bekasi\thttps://tempo.co/read/a4\n", encoding="utf-8")
    out = tmp_path / "out.json"
    with mock.patch.object(cli, "load_settings", return_value=settings):
        code = cli.main(["eval", "--queries", str(q), "--json", str(out)])
    assert code == 0
    assert "overall" in capsys.readouterr().out
    data = _json.loads(Path(out).read_text(encoding="utf-8"))
    assert data["known_items"]["overall"]["mrr@10"] == 1.0
    with mock.patch.object(cli, "load_settings", return_value=settings):
        assert cli.main(["eval", "--queries", str(q), "--set", "search.nope=1"]) == cli.EXIT_USAGE
