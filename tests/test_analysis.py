"""Indonesian analysis: tokenizer, stopwords, Sastrawi stemming, acronyms, pickling (real Sastrawi)."""
from __future__ import annotations

import dataclasses
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from whoosh import fields, qparser
from whoosh.filedb.filestore import RamStorage

from indexer import analysis as A
from indexer.analysis import analyze, make_analyzer, make_exact_analyzer, stem_word, tokenize
from indexer.config import AnalysisSettings

REPO = Path(__file__).resolve().parents[1]
DEFAULT = AnalysisSettings()


@pytest.fixture(scope="module")
def stemmed():
    return make_analyzer(DEFAULT)


@pytest.fixture(scope="module")
def exact():
    return make_exact_analyzer(DEFAULT)


# --- tokenizer ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, tokens", [
    ("kata-kata", ["kata-kata"]),
    ("anak-anaknya", ["anak-anaknya"]),
    ("e-KTP", ["e-ktp"]),
    ("COVID-19", ["covid-19"]),
    ("6.217", ["6.217"]),
    ("1.000.000", ["1.000.000"]),
    ("2,5 persen", ["2,5", "persen"]),
    ("menang 18-0", ["menang", "18-0"]),
    ("Rp5,2 triliun", ["rp5,2", "triliun"]),
    ("Rp5", ["rp5"]),
    ("Indonesia's", ["indonesia"]),
    ("Indonesia\u2019s", ["indonesia"]),
    ("Ma'ruf Amin, Jum'at", ["maruf", "amin", "jumat"]),
    ("café Ñusa", ["café", "ñusa"]),
    ("e\u2011KTP", ["e-ktp"]),                      # non-breaking hyphen
    ("Pemain.,Inggris", ["pemain", "inggris"]),     # glued sentences in the click-id corpus
    ("tahun 2019.Dalam", ["tahun", "2019", "dalam"]),
    ("Rabu (11/9/2019).", ["rabu", "11", "9", "2019"]),
    ("snake_case", ["snake", "case"]),
    ('"Presiden" - kata', ["presiden", "kata"]),
    # compounds of separate words split (relevance dev set: "kim jong un", "tol jakarta cikampek")
    ("Kim Jong-un", ["kim", "jong", "un"]),
    ("Tol Jakarta-Cikampek", ["tol", "jakarta", "cikampek"]),
    ("Jokowi-Ma'ruf", ["jokowi", "maruf"]),
    ("ganjil-genap", ["ganjil", "genap"]),
    ("berhati-hati", ["berhati-hati"]),            # reduplications stay whole
    ("perundang-undangan", ["perundang-undangan"]),
    ("warna-warni", ["warna-warni"]),
    ("U-16 ke-3", ["u-16", "ke-3"]),               # a digit part keeps the token whole
    ("Instagram-nya", ["instagram-nya"]),          # clitic tail
])
def test_tokens(exact, text, tokens):
    assert analyze(exact, text, mode="query") == tokens


@pytest.mark.parametrize("text,tokens", [
    ("6.276,63", ["6.276,63", "6.276", "6276"]),     # integer part and bare digits of a decimal
    ("1.000.000", ["1.000.000", "1000000"]),
    ("2,5 persen", ["2,5", "2", "persen"]),
    ("Rp5,2 triliun", ["rp5,2", "rp", "5,2", "5", "triliun"]),
    ("KM36+600", ["km36", "km", "36", "600"]),        # a unit glued to a kilometre marker
    ("6.217", ["6.217", "6217"]),
    ("2019 COVID-19 U-16", ["2019", "covid-19", "u-16"]),   # plain numbers and digit compounds: nothing extra
])
def test_numbers_are_indexed_with_their_variants_at_one_position(exact, text, tokens):
    assert analyze(exact, text) == tokens
    stacked = [(t.text, t.pos) for t in exact(text, positions=True)]
    written = [t for t in analyze(exact, text, mode="query")]
    assert sorted({pos for _, pos in stacked}) == list(range(len(written)))   # no extra positions


def test_number_variants_keep_phrase_positions_through_the_stop_filter(stemmed):
    toks = [(t.text, t.pos) for t in stemmed("indeks ditutup di 6.276,63 poin", positions=True)]
    assert ("6.276", toks[2][1]) in toks and ("poin", toks[2][1] + 1) in toks


def test_compound_parts_have_their_own_offsets_and_positions():
    from indexer.analysis import IndonesianTokenizer
    text = "Tol Jakarta-Cikampek, Jokowi-Ma'ruf."
    toks = [(t.text, t.pos, text[t.startchar:t.endchar])
            for t in IndonesianTokenizer()(text, positions=True, chars=True)]
    assert toks == [("Tol", 0, "Tol"), ("Jakarta", 1, "Jakarta"), ("Cikampek", 2, "Cikampek"),
                    ("Jokowi", 3, "Jokowi"), ("Maruf", 4, "Ma'ruf")]


def test_tokenize_helper_keeps_everything_lowercase():
    assert tokenize("Sidang DK PBB, as roda & yang") == ["sidang", "dk", "pbb", "as", "roda", "yang"]


def test_char_offsets_point_at_the_word():
    text = "Ekonomi Indonesia's naik 2,5 persen KM36 6.276,63"
    toks = [(t.text, t.startchar, t.endchar) for t in make_exact_analyzer(DEFAULT)(text, chars=True)]
    assert ("2", 25, 26) in toks and ("36", 38, 40) in toks and ("6276", 41, 49) in toks
    for word, start, end in toks:
        written = text[start:end].lower().replace("'", "")
        assert written == word or written.replace(".", "").split(",")[0] == word
    assert ("indonesia", 8, 17) in toks


def test_positions_are_renumbered_after_stopwords(stemmed):
    toks = [(t.text, t.pos) for t in stemmed("harga yang naik dan turun", positions=True)]
    assert toks == [("harga", 0), ("naik", 1), ("turun", 2)]


# --- stopwords ---------------------------------------------------------------------------------

def test_stopwords_removed_negations_and_news_words_kept(stemmed):
    text = "Harga emas tidak naik dan bukan turun, yang belum baru; kasus ibu hari ini"
    assert analyze(stemmed, text) == ["harga", "emas", "tidak", "naik", "bukan", "turun",
                                      "belum", "baru", "kasus", "ibu", "hari"]


def test_builtin_stopword_list_is_conservative():
    words = A.load_word_lists(DEFAULT).stopwords
    assert 300 <= len(words) <= 400
    assert {"yang", "dan", "di", "tersebut", "adalah", "bahwa"} <= words
    assert not {"tidak", "tak", "bukan", "belum", "jangan", "naik", "turun", "kasus", "ibu",
                "hari", "baru", "dua", "masalah", "kerja", "orang", "bulan"} & words


def test_exact_analyzer_keeps_stopwords_and_forms(exact):
    assert analyze(exact, "Menteri dalam negeri mempermainkan") == [
        "menteri", "dalam", "negeri", "mempermainkan"]


def test_custom_stopword_file_and_none(tmp_path):
    path = tmp_path / "stop.txt"
    path.write_text("# mine\n\nharga\n", encoding="utf-8")
    custom = make_analyzer(dataclasses.replace(DEFAULT, stopwords=str(path), stemmer="none"))
    assert analyze(custom, "harga yang naik") == ["yang", "naik"]
    nostop = make_analyzer(dataclasses.replace(DEFAULT, stopwords="none", stemmer="none"))
    assert analyze(nostop, "harga yang naik") == ["harga", "yang", "naik"]


# --- stemming ----------------------------------------------------------------------------------

@pytest.mark.parametrize("word, stem", [
    ("mempermainkan", "main"),
    ("kekhawatiran", "khawatir"),
    ("penyelidikan", "selidik"),        # Sastrawi alone: lidi
    ("menangis", "tangis"),             # menang
    ("pergerakan", "gerak"),            # gera
    ("berikan", "beri"),                # ikan
    ("mengecek", "cek"),                # ecek
    ("dikurangi", "kurang"),            # rang
    ("dibelinya", "beli"),              # bel
    ("bekasi", "bekasi"),               # bekas
    ("relawan", "relawan"),             # rawan
    ("bali", "bali"),                   # bal
    ("pemilu", "pemilu"),               # milu
    ("kata-kata", "kata"),
    ("anak-anaknya", "anak"),
    ("undang-undang", "undang-undang"),  # not "undang" (to invite)
    ("e-ktp", "e-ktp"),
    ("covid-19", "covid-19"),
    ("rp5,2", "rp5,2"),
    ("2019", "2019"),
    ("café", "café"),
])
def test_stems(stemmed, word, stem):
    assert analyze(stemmed, word, mode="query") == [stem]
    assert stem_word(word, DEFAULT) == stem


def test_compound_roots_give_one_stem(stemmed):
    forms = ["penandatanganan", "menandatangani", "ditandatangani", "penandatangan"]
    stems = {stem_word(w, DEFAULT) for w in forms}
    assert stems == {"tandatangan"}
    assert len(set(analyze(stemmed, " ".join(forms)))) == 1


def test_lexicon_acronyms_are_protected_automatically():
    assert stem_word("kejari", DEFAULT) == "kejari"           # Kejaksaan Negeri
    assert stem_word("kementan", DEFAULT) == "kementan"
    no_lexicon = dataclasses.replace(DEFAULT, lexicon="none")
    assert stem_word("kejari", no_lexicon) == "kejar"          # what Sastrawi alone does


def test_protected_file_format(tmp_path):
    text = "# comment\n\nbekasi\nmenangis tangis   # exception\nrelawan relawan\nperusahaan =\n"
    protected, exceptions = A.parse_protected(text)
    assert protected == {"bekasi", "relawan"}
    assert exceptions == {"menangis": "tangis", "perusahaan": "perusahaan"}
    path = tmp_path / "protected.txt"
    path.write_text("kemayoran\nmenangis nangis\n", encoding="utf-8")
    settings = dataclasses.replace(DEFAULT, protected_words=str(path), stem_cache_size=77)
    assert stem_word("kemayoran", settings) == "kemayoran"
    assert stem_word("menangis", settings) == "nangis"
    assert stem_word("bekasi", settings) == "bekas"            # builtin list not used


@pytest.mark.parametrize("forms, root, not_with", [
    (["perusahaan", "perusahaannya", "perusahaan-perusahaan"], "perusahaan", "berusaha"),
    (["pemerintah", "pemerintahan", "pemerintahannya"], "pemerintah", "diperintah"),
    (["penduduk", "kependudukan"], "penduduk", "duduk"),
    (["pendapatan", "pendapatannya"], "pendapatan", "pendapat"),
])
def test_lexicalised_derivations_are_roots_of_their_own(forms, root, not_with):
    """`word =` lines: the word and its own inflections share a stem the root's other forms do not."""
    assert {stem_word(w, DEFAULT) for w in forms} == {root}
    assert stem_word(not_with, DEFAULT) != root
    bare = dataclasses.replace(DEFAULT, protected_words="none")
    assert stem_word(forms[0], bare) == stem_word(not_with, bare)      # what Sastrawi alone does


def test_stem_cache_counts_hits():
    settings = dataclasses.replace(DEFAULT, stem_cache_size=1234)   # its own cache
    ana = make_analyzer(settings)
    stem_filter = ana[-1]
    before = stem_filter.cache_info()
    analyze(ana, "pemerintah menaikkan harga bahan bakar")
    analyze(ana, "pemerintah menaikkan harga bahan bakar")
    info = stem_filter.cache_info()
    assert info.maxsize == 1234
    assert info.hits - before.hits >= 5
    assert make_analyzer(settings)[-1].stem is stem_filter.stem     # shared by every analyzer


def test_no_stemming():
    ana = make_analyzer(dataclasses.replace(DEFAULT, stemmer="none"))
    assert analyze(ana, "mempermainkan yang kata-kata") == ["mempermainkan", "kata-kata"]


def test_snowball_stemmer():
    settings = dataclasses.replace(DEFAULT, stemmer="snowball")
    ana = make_analyzer(settings)
    assert analyze(ana, "mempermainkan kata-kata bekasi menangis") == [
        "main", "kata", "bekasi", "tangis"]


# --- ambiguous acronyms ------------------------------------------------------------------------

def test_ambiguous_acronym_index_mode(stemmed, exact):
    for ana in (stemmed, exact):
        assert "as" in analyze(ana, "Presiden AS bertemu", mode="index")
        assert "as" not in analyze(ana, "as roda mobil patah", mode="index")
        assert "as" not in analyze(ana, "As roda mobil patah", mode="index")
        assert "bin" not in analyze(ana, "Osama bin Laden", mode="index")
        assert "bin" in analyze(ana, "Kepala BIN", mode="index")


def test_ambiguous_acronym_query_mode_keeps_lowercase(stemmed, exact):
    assert analyze(stemmed, "as roda", mode="query") == ["as", "roda"]
    assert analyze(exact, "presiden as", mode="query") == ["presiden", "as"]


def test_dropped_acronym_is_marked_stopped_for_the_highlighter(stemmed):
    toks = [(t.text, t.stopped) for t in stemmed("as roda", mode="index", removestops=False)]
    assert toks == [("as", True), ("roda", False)]


def test_whoosh_passes_index_and_query_modes(stemmed, exact):
    schema = fields.Schema(id=fields.ID(stored=True), body=fields.TEXT(analyzer=stemmed),
                           exact=fields.TEXT(analyzer=exact))
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        w.add_document(id="1", body="Presiden AS mempermainkan Korut", exact="Presiden AS")
        w.add_document(id="2", body="As roda mobil itu patah", exact="As roda mobil")
    with ix.searcher() as s:
        def ids(field, q):
            return sorted(h["id"] for h in s.search(qparser.QueryParser(field, ix.schema).parse(q)))
        assert ids("body", "as") == ["1"]
        assert ids("exact", "as") == ["1"]
        assert ids("body", "roda") == ["2"]
        assert ids("body", "permainan") == ["1"]                  # main
        assert ids("body", "korut") == ["1"]


# --- pickling ----------------------------------------------------------------------------------

SAMPLE = ("Presiden AS dan as roda: penandatanganan e-KTP di Bekasi, Rp5,2 triliun; "
          "kata-kata relawan Indonesia's pemilu 2019 menangis")


def test_pickle_is_small_and_round_trips(stemmed, exact):
    for ana in (stemmed, exact):
        data = pickle.dumps(ana)
        assert len(data) < 20_000
        copy = pickle.loads(data)
        assert copy == ana
        for mode in ("index", "query"):
            assert analyze(copy, SAMPLE, mode) == analyze(ana, SAMPLE, mode)


def test_schema_with_four_fields_pickles_word_lists_once(stemmed):
    schema = fields.Schema(**{name: fields.TEXT(analyzer=make_analyzer(DEFAULT))
                              for name in ("title", "lead", "body", "caption")})
    assert len(pickle.dumps(schema)) < 20_000


def test_pickle_round_trip_in_fresh_process(tmp_path, stemmed, exact):
    path = tmp_path / "analyzers.pickle"
    path.write_bytes(pickle.dumps((stemmed, exact)))
    code = (
        "import json, pickle, sys\n"
        "from indexer.analysis import analyze\n"
        f"stemmed, exact = pickle.load(open({str(path)!r}, 'rb'))\n"
        "text = sys.stdin.read()\n"
        "print(json.dumps([analyze(a, text, m) for a in (stemmed, exact) for m in ('index', 'query')]))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-c", code], input=SAMPLE, capture_output=True,
                            text=True, env=env, cwd=tmp_path, check=True)
    expected = [analyze(a, SAMPLE, m) for a in (stemmed, exact) for m in ("index", "query")]
    assert json.loads(result.stdout) == expected


def test_index_keeps_its_word_lists_after_the_files_change(tmp_path):
    path = tmp_path / "protected.txt"
    path.write_text("bekasi\n", encoding="utf-8")
    settings = dataclasses.replace(DEFAULT, protected_words=str(path))
    data = pickle.dumps(make_analyzer(settings))
    path.write_text("# emptied\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))                                  # a different mtime
    assert analyze(pickle.loads(data), "bekasi") == ["bekasi"]
    assert analyze(make_analyzer(settings), "bekasi") == ["bekas"]


def test_unknown_stemmer_rejected():
    with pytest.raises(ValueError):
        make_analyzer(dataclasses.replace(DEFAULT, stemmer="porter"))
