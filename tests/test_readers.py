"""Corpus readers: plain text, csv, jsonl, xlsx; counted skips for hostile input."""
import os
import shutil
from collections import Counter
from datetime import datetime, time
from pathlib import Path

import openpyxl
import pytest

from indexer.config import Settings, SourceSettings
from indexer.readers import SourceError, read_source, source_files
from indexer.readers.clean import clean_body, clean_text, lead_of, looks_binary, tidy_scraped_body
from indexer.readers.sections import normalise_section
from indexer.readers.tabular import resolve_fields
from indexer.readers.text import split_dateline
from indexer.records import Article, Skip

FIXTURES = Path(__file__).parent / "fixtures" / "readers"
# the seed ships in the demo corpus too, so these tests also run without ../shared
SEED = next((p for p in (Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_6af897d60753a73f.txt",
                         Path(__file__).resolve().parents[1] / "demo" / "corpus" / "000_6af897d60753a73f.txt")
             if p.exists()), Path("missing-seed.txt"))
CLICK_FIELDS = {"title": "title", "body": "content", "date": "date", "time": "time", "section": "category",
                "subsection": "sub-category", "url": "url", "outlet": "source"}
SETTINGS = Settings()


def read(path, **options):
    """(articles, skips) from one source."""
    source = SourceSettings(name="test", path=Path(path), **options)
    records = list(read_source(source, SETTINGS))
    return ([r for r in records if isinstance(r, Article)], [r for r in records if isinstance(r, Skip)])


def reasons(skips):
    return Counter(s.reason for s in skips)


# ---------------------------------------------------------------- the seed article

@pytest.fixture(scope="module")
def seed():
    if not SEED.exists():
        pytest.skip(f"seed article absent: {SEED}")
    articles, skips = read(SEED)
    assert skips == [] and len(articles) == 1
    return articles[0]


def test_seed_title_section_outlet_source(seed):
    assert seed.title == ("Korea Selatan dan NATO Bertukar Informasi tentang Senjata Korea Utara "
                          "Dalam Perang Rusia vs Ukraina")
    assert seed.section == "Internasional"
    assert seed.section_raw == "Internasional"
    assert seed.outlet == "ORBITINDONESIA.COM"
    assert seed.source == "Antara"
    assert seed.url == ""
    assert seed.origin == "000_6af897d60753a73f.txt:1"


def test_seed_caption(seed):
    assert seed.caption.startswith("Arsip - Presiden Korea Selatan Yoon Suk Yeol menghadiri")
    assert seed.caption.endswith("(ANTARA FOTO/AKBAR NUGROHO GUMAY)")
    assert "image" not in seed.body


def test_seed_lead_and_body(seed):
    assert seed.lead == ("Presiden Korea Selatan Yoon Suk Yeol dan Sekretaris Jenderal NATO Jens Stoltenberg "
                         "sepakat untuk saling bertukar informasi mengenai senjata-senjata Korea Utara yang "
                         "digunakan dalam perang Rusia di Ukraina.")
    assert seed.body.startswith(seed.lead + "\n\nYoon bertemu Stoltenberg")
    assert "ORBITINDONESIA.COM" not in seed.body
    assert "Baca Juga" not in seed.body
    assert "Berita Terkait" not in seed.body
    assert "***" not in seed.body
    assert "Sumber" not in seed.body
    assert seed.body.endswith("memperdagangkan senjata atau peralatan militer lainnya dengan Korut.")
    assert seed.body.count("\n\n") == 6                  # 7 paragraphs
    assert seed.caption not in seed.body


def test_seed_date_and_conflict(seed):
    assert seed.published == datetime(2022, 12, 9)
    assert seed.date_conflict == "tanggal 2022-12-09 bertentangan dengan tanggal di teks (2024-07-11)"


def test_seed_id_is_stable(seed):
    again, _ = read(SEED)
    assert again[0].id == seed.id and len(seed.id) == 16


# ---------------------------------------------------------------- plain-text fixtures

def test_text_folder_reads_every_txt_sorted():
    articles, skips = read(FIXTURES / "text", outlet="contoh.id")
    assert skips == []
    assert [a.origin for a in articles] == ["dpr_setujui_ruu.txt:1", "jembatan_bambu.txt:1"]


def test_indonesian_dateline_url_and_trailer():
    article = read(FIXTURES / "text" / "dpr_setujui_ruu.txt")[0][0]
    assert article.published == datetime(2024, 7, 12, 14, 30)
    assert article.url == "https://www.contoh-berita.id/berita/4194321/dpr-setujui-ruu-contoh"
    assert article.section == "Nasional" and article.section_raw == "Politik"
    assert article.outlet == "ANTARA"                    # "JAKARTA, ANTARA - "
    assert article.extra["dateline"] == "JAKARTA"
    assert article.lead.startswith("Dewan Perwakilan Rakyat (DPR) menyetujui")
    assert article.body.count("\n\n") == 2
    assert "Baca juga" not in article.body and "Presiden Terima Draf" not in article.body
    assert article.body.endswith("yang telah bekerja keras,\" ujarnya.")
    assert article.date_conflict == ""                   # 11 Juli 2024 is close to the dateline


def test_line_per_paragraph_caption_and_unknown_section():
    article = read(FIXTURES / "text" / "jembatan_bambu.txt", outlet="contoh.id")[0][0]
    assert article.published == datetime(2022, 12, 9)
    assert article.section == "Kisah Inspiratif"
    assert article.caption == "Warga bergotong royong membangun jembatan bambu. (FOTO CONTOH/WARTA)"
    assert article.outlet == "contoh.id"                 # no outlet in the dateline: the source default
    assert article.source == "Contoh"
    assert article.body.split("\n\n")[0].startswith("Warga Desa Sukamaju")
    assert article.body.count("\n\n") == 2


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_text_url_date_conflict(tmp_path):
    write(tmp_path / "a.txt", "9 Desember 2022\nDunia\nURL: https://contoh.id/read/2022/12/19/1/judul\n\n"
                              "Judul Berita\n\nKOMPAS.com - Isi berita pertama.\n")
    article = read(tmp_path / "a.txt")[0][0]
    assert article.published == datetime(2022, 12, 19)
    assert article.date_conflict == "tanggal 2022-12-09 diganti tanggal URL 2022-12-19"
    assert article.outlet == "KOMPAS.com" and article.body == "Isi berita pertama."


def test_text_lines_as_paragraphs_with_trailing_blank_lines(tmp_path):
    write(tmp_path / "a.txt", "\n\n10 Sep 2019\nBola\n\nJudul\n\nBaris satu.\nBACA JUGA: tautan\n"
                              "Baris dua.\n***\nBaris tiga.***\n\n\n")
    article = read(tmp_path / "a.txt")[0][0]
    assert article.body == "Baris satu.\n\nBaris dua.\n\nBaris tiga."
    assert (article.section, article.published) == ("Olahraga", datetime(2019, 9, 10))


def test_text_without_header_and_broken_files(tmp_path):
    write(tmp_path / "1_no_header.txt", "Judul Saja Tanpa Tanggal Dan Rubrik Yang Panjang\n\nIsi berita.\n")
    write(tmp_path / "2_empty.txt", "")
    write(tmp_path / "3_title_only.txt", "DECEMBER 9, 2022\nInternasional\n\nJudul Tanpa Isi\n")
    write(tmp_path / "4_binary.txt", bytes(range(0, 32)) * 20 + b"\xff\xfe" * 50)
    write(tmp_path / "5_header_only.txt", "DECEMBER 9, 2022\nInternasional\n")
    articles, skips = read(tmp_path)
    assert [(a.title, a.body, a.published, a.section) for a in articles] == \
        [("Judul Saja Tanpa Tanggal Dan Rubrik Yang Panjang", "Isi berita.", None, "Lainnya")]
    assert [(s.origin, s.reason) for s in skips] == [
        ("2_empty.txt:1", "empty_file"), ("3_title_only.txt:1", "empty_body"),
        ("4_binary.txt:1", "binary_garbage"), ("5_header_only.txt:1", "missing_title")]


# ---------------------------------------------------------------- cleaning

@pytest.mark.parametrize("raw, expected", [
    ("Kata dia \u201a\u00c4\u00faHalo\u201a\u00c4\u00f9 kemarin", "Kata dia \u201cHalo\u201d kemarin"),  # ‚Äú ‚Äù
    ("Jakarta\u00ac\u2020- Presiden", "Jakarta - Presiden"),          # ¬† (no-break space)
    ("tahun 2019\u201a\u00c4\u00ec2020", "tahun 2019\u20132020"),      # ‚Äì en dash
    ("Jokowi\u201a\u00c4\u00f4s", "Jokowi\u2019s"),                    # ‚Äô apostrophe
    ("\u00e2\u20ac\u0153Halo\u00e2\u20ac\u009d", "\u201cHalo\u201d"),  # â€œ â€ (Windows-1252)
    ("Filem\u221a\u2265n", "Filem\u00f3n"),                             # √≥ -> ó
    ("garam 1\u00ac\u03a9 sdt", "garam 1\u00bd sdt"),                   # ¬Ω -> ½
    ("AT&amp;T", "AT&T"),
    ("di\u200eperiksa", "diperiksa"),                                   # direction mark inside a word
    ("Cafe\u0301", "Caf\u00e9"),                                        # NFC
    ("  banyak   spasi\n dan\tbaris  ", "banyak spasi dan baris"),
    ("Caf\u00e9 \u201cbiasa\u201d \u2013 teks", "Caf\u00e9 \u201cbiasa\u201d \u2013 teks"),  # real text untouched
])
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


def test_clean_body_keeps_paragraphs():
    assert clean_body("  Satu  dua.\r\n\r\n\r\nTiga\u00a0empat.\nLima. ") == "Satu dua.\n\nTiga empat.\n\nLima."


def test_tidy_scraped_body():
    assert tidy_scraped_body(", , - Kalimat satu.,Kalimat dua.,,,\"Kutipan,\" ujarnya. , ") == \
        "Kalimat satu.\n\nKalimat dua.\n\n\"Kutipan,\" ujarnya."
    assert tidy_scraped_body(",,,Isi berita.,,loading...") == "Isi berita."
    assert tidy_scraped_body("- Istri,tersebut datang,,dan pergi. Rp 1,5 juta.") == \
        "Istri,tersebut datang,,dan pergi. Rp 1,5 juta."          # link gaps and decimals stay
    assert tidy_scraped_body(",,,loading...") == ""


def test_lead_of_long_paragraph_cut_at_sentence():
    body = ("Kalimat pembuka yang cukup panjang. " * 30).strip()
    lead = lead_of(body)
    assert len(lead) <= 600 and lead.endswith(".") and body.startswith(lead)


def test_looks_binary():
    assert looks_binary("\x00\x01\ufffd\ufffd\x02abc")
    assert not looks_binary("Caf\ufffd Kopi ramai dikunjungi warga.")
    assert not looks_binary("")


@pytest.mark.parametrize("head, expected", [
    ("ORBITINDONESIA.COM - Teks", ("ORBITINDONESIA.COM", "", "Teks")),
    ("JAKARTA, ANTARA - Teks", ("ANTARA", "JAKARTA", "Teks")),
    ("Jakarta (ANTARA) - Teks", ("ANTARA", "Jakarta", "Teks")),
    ("Liputan6.com, Jakarta - Teks", ("Liputan6.com", "Jakarta", "Teks")),
    ("TEMPO.CO, Jakarta - Teks", ("TEMPO.CO", "Jakarta", "Teks")),
    ("JAKARTA - Teks", ("", "JAKARTA", "Teks")),
    ("KPK - lembaga antirasuah", ("", "", "KPK - lembaga antirasuah")),
    ("Presiden Jokowi - yang hadir", ("", "", "Presiden Jokowi - yang hadir")),
])
def test_split_dateline(head, expected):
    assert split_dateline(head) == expected


@pytest.mark.parametrize("raw, sub, expected", [
    ("News", "Internasional", "Internasional"),       # Kompas: the sub-section knows the desk
    ("News", "Megapolitan", "Metropolitan"),
    ("News", "Regional", "Daerah"),
    ("News", "Edukasi", "Nasional"),                  # unknown sub-section: the section's mapping
    ("Economy", "Sektor Riil", "Ekonomi"),            # a specific section keeps its own mapping
    ("  SELEBRITI ", "-", "Hiburan"),
    ("Super Skor", "Super Skor", "Olahraga"),
    ("creativelab", "", "Creativelab"),                    # unknown: title-cased
    ("KPU RI", "", "KPU RI"),                         # short all-caps words stay acronyms
    ("Kilas Parlemen", "", "Kilas Parlemen"),
    ("", "nusantara", "Daerah"),                      # sindonews rows without a category
    ("-", "-", "Lainnya"),
    (None, None, "Lainnya"),
])
def test_normalise_section(raw, sub, expected):
    assert normalise_section(raw, sub, SETTINGS.section_map) == expected


# ---------------------------------------------------------------- hostile csv and jsonl

def test_hostile_csv_counts_skips_and_keeps_good_rows():
    articles, skips = read(FIXTURES / "hostile.csv", fields=CLICK_FIELDS)
    assert reasons(skips) == {"empty_body": 2, "missing_title": 1, "binary_garbage": 1,
                              "duplicate_id": 1, "truncated_row": 1}
    assert [s.origin for s in skips if s.reason == "truncated_row"] == ["hostile.csv:11"]
    assert [a.origin for a in articles] == ["hostile.csv:2", "hostile.csv:8", "hostile.csv:9", "hostile.csv:10"]
    first = articles[0]
    assert first.published == datetime(2019, 9, 10, 23, 4)
    assert first.section == "Olahraga" and first.subsection == ""   # tribunnews repeats the section
    assert first.outlet == "tribunnews.com" and first.source == ""  # the "source" column is the outlet
    assert first.body == ("Pelatih Gareth Southgate akan merotasi pemain.\n\n"
                          "Inggris menjamu Kosovo di Southampton, Rabu (11/9/2019).\n\n"
                          "Southgate butuh pemain yang lebih segar.")
    assert first.lead == "Pelatih Gareth Southgate akan merotasi pemain."


def test_invalid_utf8_is_replaced_and_kept():
    articles, _ = read(FIXTURES / "hostile.csv", fields=CLICK_FIELDS)
    cafe = next(a for a in articles if a.origin == "hostile.csv:8")
    assert cafe.body == "Kafe bernama Caf\ufffd Kopi ramai dikunjungi warga."   # ",,loading..." removed
    assert cafe.extra["encoding_errors"] is True
    assert cafe.published == datetime(2019, 10, 19) and cafe.section == "Daerah"


def test_url_date_wins_over_swapped_date_and_one_day_shift_is_silent():
    articles, _ = read(FIXTURES / "hostile.csv", fields=CLICK_FIELDS)
    kompas = next(a for a in articles if a.outlet == "Kompas.com")
    assert kompas.published == datetime(2019, 9, 10, 21, 48)
    assert kompas.date_conflict == "tanggal 2019-10-09 diganti tanggal URL 2019-09-10 (hari dan bulan tertukar)"
    assert kompas.section == "Daerah"
    okezone = next(a for a in articles if a.outlet == "okezone.com")
    assert okezone.published == datetime(2019, 9, 13, 1, 30) and okezone.date_conflict == ""


def test_url_date_can_lose():
    articles, _ = read(FIXTURES / "hostile.csv", fields=CLICK_FIELDS, url_date_wins=False)
    kompas = next(a for a in articles if a.outlet == "Kompas.com")
    assert kompas.published == datetime(2019, 10, 9, 21, 48)
    assert "bertentangan" in kompas.date_conflict


def test_hostile_jsonl():
    articles, skips = read(FIXTURES / "hostile.jsonl", fields={"source": "meta.agency"})
    assert reasons(skips) == {"bad_json": 3, "binary_garbage": 1, "empty_body": 1, "duplicate_id": 1}
    assert [s.origin for s in skips if s.reason == "bad_json"] == \
        ["hostile.jsonl:2", "hostile.jsonl:3", "hostile.jsonl:4"]
    first, listed = articles
    assert first.id == "a1"
    assert first.title == "Kata Presiden \u201cKerja\u201d Soal Banjir"            # mojibake repaired
    assert first.body == "Presiden meninjau lokasi banjir.\n\nWarga menyambut baik kunjungan itu."
    assert first.published == datetime(2019, 7, 31, 12, 38)
    assert first.section == "Metropolitan"                                       # News / Megapolitan
    assert listed.body == "Paragraf pertama.\n\nParagraf kedua."
    assert listed.published == datetime(2019, 9, 11, 12, 0)                       # Excel serial
    assert listed.source == "Antara"                                             # dotted JSON path


def test_json_array_file(tmp_path):
    write(tmp_path / "a.json", '[{"title": "Satu", "body": "Isi satu."}, 7, {"title": "Dua", "body": "Isi dua."}]')
    write(tmp_path / "b.json", '[{"title": "Rusak"')
    articles, skips = read(tmp_path)
    assert [a.title for a in articles] == ["Satu", "Dua"]
    assert [(s.origin, s.reason) for s in skips] == [("a.json:2", "bad_json"), ("b.json:1", "bad_json")]


def test_huge_field_is_truncated_and_kept(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("title,body,url\n")
        fh.write("Artikel Raksasa,\"" + "kata " * 10_000_000 + "\",https://contoh.id/raksasa\n")   # 50 MB
        fh.write("Artikel Biasa,Isi biasa.,https://contoh.id/biasa\n")
    articles, skips = read(path)
    assert skips == []
    huge, normal = articles
    assert len(huge.body) <= 1_000_000 and huge.body.startswith("kata kata")
    assert huge.extra["truncated"] is True
    assert normal.body == "Isi biasa." and "truncated" not in normal.extra


def test_csv_semicolon_bom_and_field_mapping(tmp_path):
    write(tmp_path / "a.csv", "\ufeffJudul;Isi;Tanggal;Kanal;ID\nSatu;Isi satu.;16/09/2019;bola;x-1\n")
    articles, skips = read(tmp_path / "a.csv", fields={"title": "judul", "body": "Isi", "date": "Tanggal",
                                                       "section": "Kanal", "id": "ID", "url": "link"})
    assert [(s.reason, s.origin) for s in skips] == [("missing_column", "a.csv:1")]
    assert "url='link'" in skips[0].detail
    (article,) = articles
    assert (article.id, article.title, article.section, article.published) == \
        ("x-1", "Satu", "Olahraga", datetime(2019, 9, 16))


def test_resolve_fields_identity_fallback():
    columns = ["title", "source", "date", "content", "url", "Caption"]
    mapping, missing = resolve_fields(columns, {"body": "content", "outlet": "source"})
    assert mapping == {"body": "content", "outlet": "source", "title": "title", "date": "date",
                       "url": "url", "caption": "Caption"}     # "source" is claimed by outlet
    assert missing == []
    mapping, _ = resolve_fields(columns, {"url": ""})            # "" switches a field off
    assert "url" not in mapping and mapping["source"] == "source"


# ---------------------------------------------------------------- xlsx

def test_corrupt_xlsx_is_one_skip(tmp_path):
    write(tmp_path / "random.xlsx", os.urandom(4096))
    articles, skips = read(tmp_path / "random.xlsx")
    assert articles == []
    assert [(s.reason, s.origin) for s in skips] == [("unreadable_file", "random.xlsx:0")]


def make_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Title", "source", "date", "time", "category", "sub-category", "content", "url"])
    sheet.append(["Excel Datetime", "tempo.co", datetime(2019, 9, 17), "21:12 WIB", "bisnis", "-",
                  ", , -\u00a0Isi berita.,Paragraf kedua.\r\n\t", "https://bisnis.tempo.co/read/1249068/a"])
    sheet.append(["Serial Number", "okezone.com", 43719.5, time(23, 15), "News", "Nasional",
                  "Isi kedua.", "https://news.okezone.com/read/2019/09/11/1/2/b"])
    sheet.append(["Kompas Swap", "Kompas.com", datetime(2019, 10, 9), "21:48 WIB", "News", "Regional",
                  " - Isi ketiga.", "https://regional.kompas.com/read/2019/09/10/21485171/c"])
    sheet.append(["Tanpa Isi", "tempo.co", datetime(2019, 9, 17), "-", "bola", "-", None, "https://x.co/d"])
    sheet.append([None] * 8)
    sheet.append(["Teks Tanggal", "sindonews.com", "26 Oktober 2019", "21:15 WIB", None, "nusantara",
                  "Isi kelima.", "https://daerah.sindonews.com/read/1452712/42/e"])
    workbook.create_sheet("labelling").append(["ignored", "sheet"])
    workbook.save(path)
    return path


def test_xlsx_excel_datetimes_serials_and_times(tmp_path):
    path = make_workbook(tmp_path / "small.xlsx")
    articles, skips = read(path, fields={"body": "content", "section": "category",
                                         "subsection": "sub-category", "outlet": "source"})
    assert [(s.reason, s.origin) for s in skips] == [("empty_body", "small.xlsx:5")]
    by_title = {a.title: a for a in articles}
    assert list(by_title) == ["Excel Datetime", "Serial Number", "Kompas Swap", "Teks Tanggal"]
    tempo = by_title["Excel Datetime"]
    assert tempo.published == datetime(2019, 9, 17, 21, 12)
    assert tempo.body == "Isi berita.\n\nParagraf kedua."
    assert tempo.section == "Ekonomi" and tempo.origin == "small.xlsx:2"
    assert by_title["Serial Number"].published == datetime(2019, 9, 11, 23, 15)
    assert by_title["Kompas Swap"].published == datetime(2019, 9, 10, 21, 48)
    assert "tertukar" in by_title["Kompas Swap"].date_conflict
    sindo = by_title["Teks Tanggal"]
    assert sindo.published == datetime(2019, 10, 26, 21, 15) and sindo.section == "Daerah"


def test_truncated_xlsx_is_one_skip(tmp_path):
    path = make_workbook(tmp_path / "whole.xlsx")
    broken = write(tmp_path / "cut" / "broken.xlsx", path.read_bytes()[: path.stat().st_size // 2])
    articles, skips = read(broken)
    assert articles == [] and reasons(skips) == {"unreadable_file": 1}


# ---------------------------------------------------------------- sources

def test_folder_of_mixed_formats(tmp_path):
    shutil.copy(FIXTURES / "hostile.jsonl", tmp_path / "b.jsonl")
    (tmp_path / "sub").mkdir()
    make_workbook(tmp_path / "sub" / "c.xlsx")
    write(tmp_path / "a.csv", "title,body\nSatu,Isi satu.\n")
    write(tmp_path / "PROVENANCE.md", "# not an article\n")
    write(tmp_path / ".hidden.csv", "title,body\nTersembunyi,Isi.\n")
    write(tmp_path / "sub" / "~$c.xlsx", b"lock file")
    source = SourceSettings(name="mixed", path=tmp_path)
    assert [(name, fmt) for _, fmt, name in source_files(source)] == \
        [("a.csv", "csv"), ("b.jsonl", "jsonl"), ("sub/c.xlsx", "xlsx")]
    only_csv = SourceSettings(name="mixed", path=tmp_path, format="csv")
    assert [name for _, _, name in source_files(only_csv)] == ["a.csv"]
    records = list(read_source(source, SETTINGS))
    assert records[0].origin == "a.csv:2" and records[-1].origin.startswith("sub/c.xlsx:")


def test_source_errors_are_raised_at_once(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        read_source(SourceSettings(name="x", path=tmp_path / "absent"), SETTINGS)
    write(tmp_path / "data.dat", "x")
    with pytest.raises(SourceError, match="cannot tell the format"):
        read_source(SourceSettings(name="x", path=tmp_path / "data.dat"), SETTINGS)
    with pytest.raises(SourceError, match="unknown encoding"):
        read_source(SourceSettings(name="x", path=tmp_path, encoding="klingon"), SETTINGS)


def test_explicit_format_for_an_odd_extension(tmp_path):
    write(tmp_path / "data.dat", "title,body\nSatu,Isi satu.\n")
    articles, _ = read(tmp_path / "data.dat", format="csv")
    assert [a.title for a in articles] == ["Satu"]
