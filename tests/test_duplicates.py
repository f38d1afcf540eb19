"""Story signatures (`dup`) for duplicate collapsing: schema.DuplicateFinder."""
from datetime import datetime, timedelta

from indexer.records import Article
from indexer.schema import DuplicateFinder, document_fields, duplicate_key

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
