"""Story signatures (`dup`) for duplicate collapsing: duplicates.DuplicateFinder."""
import random
import re
from datetime import datetime, timedelta

import numpy as np
import pytest

from indexer.duplicates import DuplicateFinder, WordHasher, duplicate_key
from indexer.records import Article
from indexer.schema import document_fields

WIRE = ("Bea Cukai meresmikan sembilan perusahaan menjadi Kawasan Berikat Mandiri di Cikarang, Jawa Barat "
        "pada Rabu lalu. Kepala Kantor Bea Cukai Cikarang mengungkapkan bahwa fasilitas ini diberikan "
        "kepada perusahaan yang telah memenuhi syarat kepatuhan dan memiliki sistem informasi persediaan "
        "yang terintegrasi. Dengan fasilitas tersebut perusahaan dapat melakukan sendiri kegiatan "
        "pengawasan atas pemasukan dan pengeluaran barang sehingga biaya logistik menjadi lebih murah "
        "dan waktu pelayanan lebih cepat. Langkah ini diharapkan mendorong investasi dan ekspor nasional "
        "serta membuka lapangan kerja baru bagi masyarakat di sekitar kawasan industri Cikarang.")
OTHER = ("Gempa bermagnitudo 5,6 mengguncang wilayah barat laut Tuban, Jawa Timur, pada Kamis siang. "
         "Badan Meteorologi, Klimatologi, dan Geofisika menyebut gempa tidak berpotensi tsunami. Guncangan "
         "terasa hingga Surabaya, Yogyakarta dan Denpasar, namun belum ada laporan kerusakan berarti. "
         "Warga sempat berhamburan keluar rumah dan kantor ketika getaran terjadi selama beberapa detik. "
         "Petugas badan penanggulangan bencana daerah masih mendata kemungkinan bangunan yang retak.")
DAY = datetime(2019, 9, 12, 10, 0)


def article(id_, title, body, published=DAY, outlet="a"):
    return Article(id=id_, title=title, body=body, url=f"https://{outlet}.id/{id_}", lead=body[:150],
                   outlet=outlet, published=published)


def test_copies_under_another_headline_share_the_first_signature():
    finder = DuplicateFinder()
    first = article("1", "Sembilan Perusahaan di Cikarang Jadi Kawasan Berikat", WIRE, outlet="okezone")
    # another outlet: own headline, dateline added, link text dropped, a trailer appended
    copy = article("2", "Bea Cukai Resmikan Kawasan Berikat Mandiri", "CIKARANG - " +
                   WIRE.replace("Kawasan Berikat Mandiri ", "") + " (Baca juga: berita lain)", outlet="sindonews",
                   published=DAY + timedelta(hours=5))
    other = article("3", "Gempa Guncang Tuban", OTHER)
    keys = [finder.key(a) for a in (first, copy, other)]
    assert keys[0] == keys[1] == duplicate_key(first)
    assert keys[2] == duplicate_key(other) != keys[0]


def test_same_title_and_opening_group_even_for_short_bodies():
    finder = DuplicateFinder()
    a = article("1", "Jadwal Bola Malam Ini", "Laga seru tersaji malam ini.")
    b = article("2", "Jadwal Bola Malam Ini", "Laga seru tersaji malam ini.", outlet="b")
    assert finder.key(a) == finder.key(b)


def test_templated_reports_days_apart_stay_apart():
    finder = DuplicateFinder()
    a = article("1", "Harga Emas Antam Naik", WIRE)
    b = article("2", "Harga Emas Antam Turun", WIRE.replace("sembilan", "delapan"), published=DAY + timedelta(days=6))
    assert finder.key(a) != finder.key(b)


def test_document_fields_uses_the_given_signature():
    a = article("1", "Judul", WIRE)
    assert document_fields(a)["dup"] == duplicate_key(a)
    assert document_fields(a, "abc")["dup"] == "abc"


HOSTILE = ("Sembilan perusahaan_baru di Cikarang—“kawasan berikat” mandiri; İstanbul ÇAĞ Ma'ruf 6.217 2,5 "
           "kata-kata e-KTP naïve café 東京 ٣٤ \ud800 x\u200by \U0001F600 tab\there\nnewline")


@pytest.mark.parametrize("text", [WIRE.lower(), OTHER.lower(), HOSTILE.lower(), HOSTILE, "", "   ", "a", "_", "—"])
def test_word_hashes_are_the_words_re_finds(text):
    hasher = WordHasher(4800)
    words = re.findall(r"\w+", text)
    hashes = hasher(text, 400).tolist()
    assert len(hashes) == len(words)
    by_word = {}
    for word, h in zip(words, hashes):
        assert by_word.setdefault(word, h) == h                 # the same word, the same hash
    assert len(set(by_word.values())) == len(by_word)           # different words, different hashes
    assert hasher(text, 3).tolist() == hashes[:3]


def test_word_hashes_do_not_depend_on_position_or_process():
    hasher = WordHasher(4800)
    alone = hasher("perusahaan", 400)[0]
    assert hasher("di sini perusahaan itu", 400)[2] == alone
    assert WordHasher(100)("perusahaan", 400)[0] == alone                   # a fixed function of the text
    assert hasher("A" * 5000, 400).size == 1 and hasher("a " * 3000, 4000).size == 2400   # max_chars applies


def _shingle_set(text):
    words = re.findall(r"\w+", text.lower())[:400]
    return set(zip(words, words[1:], words[2:]))


@pytest.mark.parametrize("keep", [1.0, 0.9, 0.75, 0.5, 0.2])
def test_minhash_agreement_estimates_the_jaccard(keep):
    """One-permutation MinHash with densification: the share of equal bins tracks the true Jaccard
    (within ~4 standard errors of k-permutation MinHash over 30 pairs)."""
    rng = random.Random(int(keep * 100))
    vocab = [f"kata{i}" for i in range(3000)]
    finder = DuplicateFinder()
    errors = []
    for _ in range(30):
        words = [rng.choice(vocab) for _ in range(rng.choice((40, 120, 400)))]
        changed = [w if rng.random() < keep else rng.choice(vocab) + "x" for w in words]
        a, b = " ".join(words), " ".join(changed)
        A, B = _shingle_set(a), _shingle_set(b)
        truth = len(A & B) / len(A | B)
        estimate = np.count_nonzero(finder._minhash(finder._shingles(a)) == finder._minhash(finder._shingles(b))) / 128
        errors.append(estimate - truth)
    assert abs(np.mean(errors)) < 0.03
    assert np.sqrt(np.mean(np.square(errors))) < 0.09


def test_signatures_are_the_same_in_every_run():
    def signatures():
        finder = DuplicateFinder()
        bodies = [WIRE, OTHER, WIRE.replace("Cikarang", "Bekasi"), OTHER + " Tambahan kalimat di akhir berita."]
        return [finder.key(article(str(i), f"Judul {i}", b, published=DAY + timedelta(hours=i)))
                for i, b in enumerate(bodies)]
    first = signatures()
    assert first == signatures()
    assert first[2] == first[0] and first[3] == first[1] and first[0] != first[1]
