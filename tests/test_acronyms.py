"""Acronym definitions mined from text: patterns, syllabic validation, learning rules, TSV."""
from __future__ import annotations

import time

import pytest

from indexer.acronyms import AcronymMiner, LearnedPair, LearnedTable, find_definitions
from indexer.lexicon import Lexicon


def defs(text: str) -> list[tuple[str, str, int]]:
    return [(short, " ".join(words), pattern) for short, words, pattern in find_definitions(text)]


def learn(*docs: str, **kwargs) -> LearnedTable:
    miner = AcronymMiner(**kwargs)
    for number, text in enumerate(docs):
        miner.feed(f"doc{number}", text)
    return miner.result()


def pairs(table: LearnedTable) -> set[tuple[str, str]]:
    return {(p.short, p.long) for p in table.pairs}


# --- the two patterns ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Kementerian Pemuda dan Olahraga (Kemenpora) menyatakan",
     ("Kemenpora", "Kementerian Pemuda dan Olahraga", 1)),
    ("Peserta Badan Penyelenggara Jaminan Sosial (BPJS) Kesehatan naik",
     ("BPJS", "Badan Penyelenggara Jaminan Sosial", 1)),
    ("dirawat di Rumah Sakit Umum Daerah (RSUD) dr Soetomo",
     ("RSUD", "Rumah Sakit Umum Daerah", 1)),
    ("menurut OJK (Otoritas Jasa Keuangan) kemarin", ("OJK", "Otoritas Jasa Keuangan", 2)),
    ("Kapolri (Kepala Kepolisian Negara Republik Indonesia) Jenderal Tito",
     ("Kapolri", "Kepala Kepolisian Negara Republik Indonesia", 2)),
])
def test_both_patterns(text, expected):
    assert defs(text) == [expected]


# --- syllabic short forms ------------------------------------------------------------------------

@pytest.mark.parametrize("long, short", [
    ("Kementerian Pemuda dan Olahraga", "Kemenpora"),
    ("Menteri Pemuda dan Olahraga", "Menpora"),
    ("Kepala Kepolisian Republik Indonesia", "Kapolri"),
    ("Pemerintah Provinsi", "Pemprov"),
    ("Kementerian Keuangan", "Kemenkeu"),
    ("Kepala Kepolisian Daerah", "Kapolda"),
    ("Kepala Dinas Pendidikan", "Kadisdik"),
    ("Kementerian Perhubungan", "Kemenhub"),
    ("Kementerian Pendidikan dan Kebudayaan", "Kemendikbud"),
    ("Kementerian Luar Negeri", "Kemenlu"),
    ("Daerah Khusus Ibukota", "DKI"),
])
def test_syllabic_forms(long, short):
    assert defs(f"Pernyataan {long} ({short}) kemarin.") == [(short, long, 1)]


def test_initialism_scores_higher_than_gapped_syllables():
    miner = AcronymMiner()
    miner.feed("a", "Badan Nasional Penanggulangan Bencana (BNPB) dan "
                    "Kepala Dinas Pendidikan (Kadisdik)")
    confidence = {p.short: p.confidence for p in miner.result().pairs}
    assert confidence["BNPB"] == 1.0
    assert 0 < confidence["Kadisdik"] < 1.0


# --- initialisms, function words, trimming -------------------------------------------------------

def test_initialism_skips_function_words():
    assert defs("data Badan Nasional Penanggulangan Bencana (BNPB) menunjukkan") == [
        ("BNPB", "Badan Nasional Penanggulangan Bencana", 1)]
    assert defs("World Health Organization (WHO) menyebutkan") == [
        ("WHO", "World Health Organization", 1)]
    assert defs("kata Right of Way (ROW) itu") == [("ROW", "Right of Way", 1)]


def test_extra_preceding_words_are_trimmed_to_the_shortest_valid_suffix():
    assert defs("Kata Ketua Komisi Pemberantasan Korupsi (KPK) Agus Rahardjo") == [
        ("KPK", "Komisi Pemberantasan Korupsi", 1)]


def test_a_longer_suffix_wins_when_it_is_a_cleaner_match():
    # "Kualifikasi Nasional Indonesia" would need K-K from one word; the initialism is better.
    assert defs("menurut Kerangka Kualifikasi Nasional Indonesia (KKNI) tersebut") == [
        ("KKNI", "Kerangka Kualifikasi Nasional Indonesia", 1)]


def test_enumeration_with_commas_and_hyphenated_words():
    assert defs("Badan Meteorologi, Klimatologi, dan Geofisika (BMKG) mencatat") == [
        ("BMKG", "Badan Meteorologi Klimatologi dan Geofisika", 1)]
    assert pairs(learn("Badan Meteorologi, Klimatologi, dan Geofisika (BMKG)")) == {
        ("BMKG", "Badan Meteorologi, Klimatologi, dan Geofisika")}       # display keeps commas
    assert defs("sidang Perserikatan Bangsa-Bangsa (PBB) di New York") == [
        ("PBB", "Perserikatan Bangsa-Bangsa", 1)]
    # a comma that is not an enumeration ends the long form
    assert defs("pakaian pria, Men's Fashion Week (PIMFW)") == []


def test_digits_must_appear_in_the_long_form():
    assert defs("peristiwa Gerakan 30 September (G30S) itu") == [
        ("G30S", "Gerakan 30 September", 1)]
    assert defs("pertemuan Group of Twenty (G20) di Osaka") == []


# --- what is not a definition --------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Presiden Joko Widodo berkunjung ke Gedung Sate (Jakarta) kemarin.",
    "Presiden Joko Widodo saat meninjau lokasi (foto: Antara).",
    "Undang-Undang Komisi Pemberantasan Korupsi (2019) disahkan.",
    "Menteri Keuangan Sri Mulyani (kanan) berbincang.",
    "Olahraga (OR) adalah",                                  # one-word long form
    "Jokowi (Presiden) datang",                              # one-word long form, pattern 2
    "jalan tol Jakarta Bogor (Jakarta-Bogor) macet",         # long form only spells the short one
    "Kata Ketua (KPK) kemarin",                              # letters do not match
    "Kementerian Dalam Negeri (Kemenkeu) menyatakan",
])
def test_rejects(text):
    assert defs(text) == []


def test_long_form_stops_at_sentence_punctuation():
    assert defs("Komisi Pemberantasan. Korupsi (KPK)") == []
    assert defs("Komisi Pemberantasan: Korupsi (KPK)") == []
    assert defs('Komisi "Pemberantasan Korupsi" (KPK)') == []


# --- learning rules ------------------------------------------------------------------------------

def test_learns_pairs_with_counts_docs_and_examples():
    table = learn("Badan Narkotika Nasional (BNN) menangkap.",
                  "badan narkotika nasional (BNN) lagi. Badan Narkotika Nasional (BNN) juga.",
                  "Badan Narkotika Nasional (BNN) dan Otoritas Jasa Keuangan (OJK).")
    by_short = {p.short: p for p in table.pairs}
    bnn = by_short["BNN"]
    assert bnn.long == "Badan Narkotika Nasional"          # most frequent spelling
    assert (bnn.count, bnn.docs, bnn.share, bnn.confidence) == (4, 3, 1.0, 1.0)
    assert bnn.examples == ("doc0", "doc1", "doc2")
    assert by_short["OJK"].docs == 1
    assert len(table.pairs) == 2


def test_ordinary_word_is_not_learned():
    table = learn("Akademi Sahur Indonesia (Aksi) digelar.", "Pusat Kajian Antikorupsi (PUKAT) UGM",
                  ordinary_words={"aksi", "pukat"})
    assert table.pairs == ()
    assert table.rejected == {"ordinary_word": 2}


def test_never_list_by_pair_and_by_short_form():
    text = "Komisi Yudisial (KY) dan Badan Narkotika Nasional (BNN) serta Bank Indonesia (BI)."
    table = learn(text, text, never=[("KY", None), ("bnn", "badan narkotika nasional")])
    assert pairs(table) == {("BI", "Bank Indonesia")}
    assert table.rejected == {"never": 2}


def test_curated_forms_are_not_learned_again():
    curated = Lexicon.parse("KPK | Komisi Pemberantasan Korupsi\nJabar | Jawa Barat\n")
    forms = frozenset(form for group in curated for form in group.forms)
    text = ("Komisi Pemberantasan Korupsi (KPK), Provinsi Jawa Barat (JB), "
            "Pemerintah Provinsi (Pemprov) Jabar.")
    table = learn(text, text, curated_forms=forms)
    assert pairs(table) == {("Pemprov", "Pemerintah Provinsi")}
    assert table.rejected == {"curated": 2}


def test_ambiguous_short_form_keeps_long_forms_with_a_quarter_of_the_occurrences():
    docs = (["Partai Keadilan Sejahtera (PKS) menolak."] * 6
            + ["Perjanjian Kerja Sama (PKS) diteken."] * 2
            + ["Pemeriksaan Kesehatan Sederhana (PKS) gratis."])
    table = learn(*docs)
    by_long = {p.long: p for p in table.pairs}
    assert set(by_long) == {"Partai Keadilan Sejahtera"}
    assert by_long["Partai Keadilan Sejahtera"].share == pytest.approx(6 / 9, abs=1e-3)
    assert table.rejected == {"share": 2}

    table = learn(*docs[:6], *docs[6:8] * 2)       # 6 vs 4: both above 25 %
    assert {p.long: p.share for p in table.pairs} == {"Partai Keadilan Sejahtera": 0.6,
                                                     "Perjanjian Kerja Sama": 0.4}


def test_two_letter_short_form_needs_two_articles():
    one = learn("ada 15 kepala keluarga (KK) yang menolak")
    assert one.pairs == () and one.rejected == {"support": 1}
    two = learn("ada 15 kepala keluarga (KK) yang menolak", "data kepala keluarga (KK) baru")
    assert pairs(two) == {("KK", "kepala keluarga")}


def test_min_docs_applies_to_every_pair():
    assert learn("Otoritas Jasa Keuangan (OJK)", min_docs=2).pairs == ()
    text = "Otoritas Jasa Keuangan (OJK)"
    assert len(learn(text, text, min_docs=2)) == 1


def test_refeeding_an_article_replaces_it_and_miners_merge():
    miner = AcronymMiner()
    miner.feed("a", "Otoritas Jasa Keuangan (OJK)")
    miner.feed("a", "Otoritas Jasa Keuangan (OJK)", "Bank Indonesia (BI)")
    assert {p.short: p.count for p in miner.result().pairs} == {"OJK": 1}   # BI needs 2 docs
    miner.feed("a", "no definitions here")
    assert miner.result().pairs == ()

    other = AcronymMiner()
    other.feed("b", "Otoritas Jasa Keuangan (OJK)")
    miner.feed("a", "Otoritas Jasa Keuangan (OJK)")
    miner.merge(other)
    assert [(p.short, p.count, p.docs) for p in miner.result().pairs] == [("OJK", 2, 2)]
    miner.forget("b")
    assert [(p.short, p.docs) for p in miner.result().pairs] == [("OJK", 1)]


def test_title_and_body_are_searched_separately():
    miner = AcronymMiner()
    miner.feed("a", "Rapat Otoritas Jasa", "Keuangan (OJK) menyatakan")
    assert miner.result().pairs == ()


# --- the table on disk ---------------------------------------------------------------------------

def test_write_read_round_trip_and_lexicon_groups(tmp_path):
    table = learn("Kementerian Pemuda dan Olahraga (Kemenpora) dan OJK (Otoritas Jasa Keuangan).",
                  "Kepala Dinas Pendidikan (Kadisdik), kepala keluarga (KK).",
                  "kepala keluarga (KK)", ordinary_words={"as"})
    table = LearnedTable(table.pairs + (LearnedPair("X-1", "Xenon Satu", 1, 1, 1.0, 0.5,
                                                    ("id with space\tand tab",)),),
                         {"ordinary_word": 3, "share": 1})
    path = tmp_path / "learned.tsv"
    table.write(path)
    assert path.read_text(encoding="utf-8").startswith("#")
    again = LearnedTable.read(path)
    assert again == table

    lexicon = Lexicon.parse(table.groups_text())
    assert len(lexicon) == len(table.pairs) == 5
    assert lexicon.alternatives(("kemenpora",)) == [("kementerian", "pemuda", "dan", "olahraga")]
    assert lexicon.alternatives(("otoritas", "jasa", "keuangan")) == [("ojk",)]


def test_read_rejects_a_malformed_line(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("# header\nKPK\tKomisi Pemberantasan Korupsi\n", encoding="utf-8")
    with pytest.raises(ValueError):
        LearnedTable.read(path)


# --- hostile input -------------------------------------------------------------------------------

def _timed(text: str) -> tuple[list, float]:
    start = time.perf_counter()
    found = defs(text)
    return found, time.perf_counter() - start


def test_huge_text_without_parentheses_is_fast():
    found, seconds = _timed("Badan Nasional Penanggulangan Bencana menyatakan. " * 40_000)
    assert found == [] and seconds < 2.0


def test_many_open_parentheses_and_unbalanced_input():
    found, seconds = _timed("(" * 10_000 + " Badan Narkotika Nasional (BNN)")
    assert found == [("BNN", "Badan Narkotika Nasional", 1)] and seconds < 2.0
    found, seconds = _timed(("Komisi Pemberantasan Korupsi (KPK " + "x" * 250) * 400 + ")")
    assert found == [] and seconds < 2.0
    found, seconds = _timed(")" * 10_000 + "(" * 10_000 + "(((Otoritas Jasa Keuangan (OJK")
    assert found == [] and seconds < 2.0


def test_many_candidate_parentheses_are_fast():
    text = " ".join(["Kepala Kepolisian Negara Republik Indonesia Daerah Khusus (KKNRIDK)"] * 5_000)
    found, seconds = _timed(text)
    assert found and all(short == "KKNRIDK" for short, _long, _p in found)
    assert seconds < 3.0
