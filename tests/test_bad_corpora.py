"""Bad corpora: every case is built for real, and the build must finish, report each skipped
record by reason with exact counts, and index everything valid (exact ids, searchable).

Cases: truncated CSV and XLSX files, invalid UTF-8 in every format, a 50 MB single article,
binary garbage under every extension, duplicate ids (in a file, across files, across sources,
from identical URLs), JSON Lines whose lines are arrays, scalars, deeply nested or cut off, and
all of them in one folder at once (library and CLI). ``WARTA_FULL=1`` adds a 50 MB CSV cell.
"""
from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from indexer.build import BuildError, build
from indexer.readers.clean import MAX_BODY_CHARS
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from indexer.store import IndexStore
from tests.support import REPO, settings_for

pytestmark = pytest.mark.slow

FULL = os.environ.get("WARTA_FULL") == "1"
HEADER = "id,title,body,date,section\n"
FIELDS = {"id": "id", "title": "title", "body": "body", "date": "date", "section": "section"}


def _record(**figures) -> None:
    path = os.environ.get("WARTA_RELIABILITY_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"file": "test_bad_corpora", "full": FULL, **figures}) + "\n")


def csv_row(doc_id: str, title: str, body: str, day: int = 1) -> str:
    return f'{doc_id},{title},"{body}",2024-03-{day:02d},Ekonomi\n'


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "title", "body", "date", "section"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def garbage(n: int, seed: int, newlines: bool = False) -> bytes:
    data = random.Random(seed).randbytes(n)
    return data if newlines else data.replace(b"\n", b"\x01").replace(b"\r", b"\x02")


# ---------------------------------------------------------------- the cases
# Each case writes files into a folder and returns (ids that must be indexed, skips by reason).

def case_truncated_csv(folder: Path):
    good = "".join(csv_row(f"c{i}", f"Judul csv {i}", f"Isi berita csv {i}, dengan koma", 1 + i) for i in range(10))
    (folder / "cut_row.csv").write_text(HEADER + good + "c10,Judul terpot", encoding="utf-8")
    quoted = "".join(csv_row(f"q{i}", f"Judul kutip {i}", f"Isi kutip {i}") for i in range(3))
    (folder / "cut_quote.csv").write_text(HEADER + quoted + 'q3,Judul q3,"Isi tanpa kutip penutup', encoding="utf-8")
    (folder / "cut_header.csv").write_text("id,tit", encoding="utf-8")
    (folder / "empty.csv").write_bytes(b"")
    ids = {f"c{i}" for i in range(10)} | {f"q{i}" for i in range(3)}
    return ids, Counter(truncated_row=2, empty_file=2)


def case_truncated_xlsx(folder: Path):
    data = xlsx_bytes([[f"x{i}", f"Judul excel {i}", f"Isi berita excel {i}", f"2024-02-{1 + i:02d}", "Nasional"]
                       for i in range(20)])
    (folder / "complete.xlsx").write_bytes(data)
    (folder / "half.xlsx").write_bytes(data[: len(data) // 2])            # the zip is cut off
    # a valid zip whose worksheet XML stops inside row 12: rows 2..11 are read, then one skip
    cut = xlsx_bytes([[f"s{i}", f"Judul lembar {i}", f"Isi lembar {i}", "2024-02-01", "Nasional"] for i in range(20)])
    src, out = zipfile.ZipFile(io.BytesIO(cut)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            blob = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                blob = blob[: blob.index(b'<row r="12"') + 40]
            dst.writestr(item, blob)
    (folder / "sheet_cut.xlsx").write_bytes(out.getvalue())
    (folder / "text.xlsx").write_text(HEADER + csv_row("t1", "Bukan excel", "isi"), encoding="utf-8")
    (folder / "empty.xlsx").write_bytes(xlsx_bytes([]))
    ids = {f"x{i}" for i in range(20)} | {f"s{i}" for i in range(10)}
    return ids, Counter(unreadable_file=3, empty_file=1)


def case_invalid_utf8(folder: Path):
    (folder / "bytes.csv").write_bytes(HEADER.encode() + b'u1,Judul \xff\xfe rusak,"Isi berita \xc3\x28 rusak '
                                       b'sedikit di tengah kalimat",2024-01-01,Ekonomi\n'
                                       + "u2,Café latin,Kopi di kafe,2024-01-02,Ekonomi\n".encode("cp1252"))
    (folder / "bytes.jsonl").write_bytes(b'{"id": "u3", "title": "Judul \xe9t\xe9 jsonl", "body": "Isi \x80\x81 berita '
                                         b'jsonl yang cukup panjang"}\n'
                                         + b'{"id": "u4", "title": "\xff\xfe\xfd\xfc", "body": "\xff\xfe\xfd\xfc\xfb"}\n')
    (folder / "bytes.txt").write_bytes("12 Juli 2024\nNasional\n\nJudul teks rusak\n\n".encode()
                                       + b"Isi \xff\xfe berita \xc3\x28 teks yang cukup panjang.\n")
    return {"u1", "u2", "u3", "stable:bytes.txt"}, Counter(binary_garbage=1)


def case_huge_article(folder: Path):
    words = "kata " * (10 * 1024 * 1024)                               # 50 MB
    with open(folder / "huge.jsonl", "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "huge-jsonl", "title": "Artikel raksasa jsonl",
                             "body": "awalunik " + words + " akhirunik"}) + "\n")
    with open(folder / "huge.txt", "w", encoding="utf-8") as fh:
        fh.write("12 Juli 2024\nNasional\n\nArtikel raksasa teks\n\nawalunik " + words + " akhirunik\n")
    ids = {"huge-jsonl", "stable:huge.txt"}
    if FULL:
        with open(folder / "huge.csv", "w", encoding="utf-8") as fh:
            fh.write(HEADER + f'huge-csv,Artikel raksasa csv,"awalunik {words} akhirunik",2024-01-01,Ekonomi\n')
        ids.add("huge-csv")
    return ids, Counter()


def case_binary_garbage(folder: Path):
    (folder / "random.txt").write_bytes(garbage(4000, 1, newlines=True))
    (folder / "random.csv").write_bytes(garbage(4000, 2))
    (folder / "random.jsonl").write_bytes(garbage(4000, 3))
    (folder / "random.xlsx").write_bytes(garbage(4000, 4))
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + garbage(3000, 5))
    (folder / "ok.jsonl").write_text(json.dumps({"id": "g1", "title": "Judul baik", "body": "Isi baik"}) + "\n"
                                     + json.dumps({"id": "g2", "title": "Judul\u0000nul", "body": "Isi\u0000 nul"})
                                     + "\n", encoding="utf-8")
    (folder / "nul.csv").write_bytes((HEADER + "g3,Judul\x00nul csv,Isi\x00 nul csv,2024-01-01,Ekonomi\n").encode())
    return {"g1", "g2", "g3"}, Counter(binary_garbage=4, unreadable_file=1)


def case_duplicate_ids(folder: Path):
    lines = [{"id": "d1", "title": "Yang pertama", "body": "Isi pertama"},
             {"id": "d2", "title": "Kedua", "body": "Isi kedua"},
             {"id": "d1", "title": "Duplikat dalam berkas", "body": "Isi lain"}]
    (folder / "a.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    (folder / "b.csv").write_text(HEADER + csv_row("d3", "Ketiga", "Isi ketiga") + csv_row("d3", "Lagi", "Isi lagi")
                                  + csv_row("d2", "Duplikat antar berkas", "Isi"), encoding="utf-8")
    same_url = "12 Juli 2024\nNasional\nURL: https://contoh.id/2024/07/12/sama\n\n{title}\n\nIsi {title}.\n"
    (folder / "c1.txt").write_text(same_url.format(title="Berita asli"), encoding="utf-8")
    (folder / "c2.txt").write_text(same_url.format(title="Salinan dengan URL sama"), encoding="utf-8")
    return {"d1", "d2", "d3", "stable:c1.txt"}, Counter(duplicate_id=4)


def case_json_shapes(folder: Path):
    lines = [json.dumps({"id": "j1", "title": "Objek baik", "body": "Isi baik"}),
             "[1, 2, 3]",
             json.dumps([{"id": "j2", "title": "Objek dalam array", "body": "Isi"}]),
             "null", '"teks"', "42", "true",
             "[" * 50_000 + "]" * 50_000,
             '{"id": "j3", "title": "Terpotong", "body": "Isi',
             "{}",
             json.dumps({"id": "j4", "title": "Tanpa isi"}),
             json.dumps({"id": "j5", "body": "Isi tanpa judul"}),
             json.dumps({"id": "j6", "title": ["Judul", "daftar"], "body": {"isi": "objek"}, "date": {"x": 1}}),
             json.dumps({"id": "j7", "title": "Teks \ud800 pengganti", "body": "Isi \udfff pengganti"}),
             ""]
    (folder / "shapes.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    (folder / "array.json").write_text(json.dumps([{"id": "k1", "title": "Larik satu", "body": "Isi satu"}, [1],
                                                   {"id": "k2", "title": "Larik dua", "body": "Isi dua"}, 5]),
                                       encoding="utf-8")
    return {"j1", "j6", "j7", "k1", "k2"}, Counter(bad_json=10, empty_body=2, missing_title=1)


CASES = {name.removeprefix("case_"): fn for name, fn in dict(globals()).items() if name.startswith("case_")}
SMALL = [name for name in CASES if name != "huge_article"]


def indexed_ids(settings) -> set[str]:
    searcher = SearchEngine(settings).snapshot().searcher()
    return {f["id"] for f in searcher.all_stored_fields()}


def resolve(expected: set[str], settings, folder: Path) -> set[str]:
    """Replace 'stable:<file>' by the id the text reader derives for that file (URL or content)."""
    from indexer.readers.text import read_text_file
    out = set()
    for item in expected:
        if item.startswith("stable:"):
            path = next(folder.rglob(item.removeprefix("stable:")))
            item = read_text_file(path, path.name, settings.sources[0], settings).id
        out.add(item)
    return out


def run_case(tmp_path: Path, names: list[str]):
    folder = tmp_path / "corpus"
    folder.mkdir()
    expected_ids, expected_skips = set(), Counter()
    for name in names:
        sub = folder / name
        sub.mkdir()
        ids, skips = CASES[name](sub)
        expected_ids |= ids
        expected_skips += skips
    settings = settings_for(tmp_path, [{"name": "bad", "path": str(folder), "format": "auto", "fields": FIELDS}])
    expected_ids = resolve(expected_ids, settings, folder)
    return settings, folder, expected_ids, expected_skips


def assert_built(settings, report, expected_ids, expected_skips):
    assert dict(report.skipped) == dict(expected_skips), report.skip_examples
    assert report.indexed == report.read == len(expected_ids)
    assert indexed_ids(settings) == expected_ids
    assert SearchEngine(settings).stats().documents == len(expected_ids)
    # every skip is listed with its origin ("file:row") and reason
    assert len(report.skip_examples) == min(50, sum(expected_skips.values()))
    assert all(e["reason"] in expected_skips and ":" in e["origin"] for e in report.skip_examples)


@pytest.mark.parametrize("name", SMALL)
def test_bad_corpus_case(tmp_path, name):
    settings, folder, expected_ids, expected_skips = run_case(tmp_path, [name])
    _, report = build(settings)
    assert_built(settings, report, expected_ids, expected_skips)
    engine = SearchEngine(settings)
    # what was indexed is searchable and served by the web layer without errors
    from webapp import create_app
    client = create_app(settings).test_client()
    for doc_id in sorted(expected_ids):
        view = engine.article(doc_id)
        assert view is not None and view.title and view.body
        for path in (f"/api/articles/{doc_id}", f"/artikel/{doc_id}"):
            assert client.get(path).status_code == 200, path
    for path in ("/", "/api/search?per_page=50", "/api/search?q=isi&per_page=50", "/healthz"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.data[:500])
    if name == "invalid_utf8":
        assert "\ufffd" in engine.article("u1").title and engine.article("u2").title.startswith("Caf")
        assert engine.search(SearchRequest(query="rusak")).total == 2
    if name == "binary_garbage":
        assert engine.article("g2").title == "Judul nul" and engine.article("g3").body == "Isi nul csv"
    if name == "duplicate_ids":
        assert engine.article("d1").title == "Yang pertama" and engine.article("d2").title == "Kedua"
    if name == "json_shapes":
        assert engine.article("j6").title == "Judul daftar"
        assert engine.article("j7").title == "Teks \ufffd pengganti"
    _record(case=name, indexed=report.indexed, skipped=dict(report.skipped))


def test_huge_single_article(tmp_path):
    settings, folder, expected_ids, expected_skips = run_case(tmp_path, ["huge_article"])
    sizes = {p.name: p.stat().st_size for p in (folder / "huge_article").iterdir()}
    assert all(size > 50 * 1024 * 1024 for size in sizes.values()), sizes
    started = time.monotonic()
    _, report = build(settings)
    seconds = time.monotonic() - started
    assert_built(settings, report, expected_ids, expected_skips)
    engine = SearchEngine(settings)
    for doc_id in expected_ids:
        assert len(engine.article(doc_id).body) <= MAX_BODY_CHARS       # cut, and kept
    assert engine.search(SearchRequest(query="awalunik")).total == len(expected_ids)
    assert engine.search(SearchRequest(query="akhirunik")).total == 0    # beyond the cut
    assert engine.search(SearchRequest(query="raksasa")).total == len(expected_ids)
    from webapp import create_app
    client = create_app(settings).test_client()
    body = client.get("/api/search?q=awalunik").get_json()
    assert body["total"] == len(expected_ids) and all(len(h["snippet"]) < 2000 for h in body["results"])
    assert seconds < 180
    _record(case="huge_article", indexed=report.indexed, bytes=sum(sizes.values()), seconds=round(seconds, 1))


def test_all_bad_cases_in_one_build_and_cli_report(tmp_path):
    """Everything at once: the build goes through every bad file; the CLI prints the counts."""
    settings, folder, expected_ids, expected_skips = run_case(tmp_path, SMALL)
    cfg = tmp_path / "warta.toml"
    cfg.write_text(f'[index]\ndir = "{tmp_path / "index"}"\nprocs = 2\n[[sources]]\nname = "bad"\n'
                   f'path = "{folder}"\nformat = "auto"\n'
                   'fields = {id = "id", title = "title", body = "body", date = "date", section = "section"}\n',
                   encoding="utf-8")
    # --strict stops at the first bad record and publishes nothing
    strict = subprocess.run([sys.executable, "-m", "indexer", "--config", str(cfg), "build", "-q", "--strict"],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert strict.returncode == 1 and "--strict: skipped" in strict.stderr
    assert IndexStore(settings.index).current() is None
    with pytest.raises(BuildError):
        build(settings, strict=True)

    done = subprocess.run([sys.executable, "-m", "indexer", "--config", str(cfg), "build", "-q", "--json"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["skipped"] == dict(expected_skips)
    assert report["skipped_total"] == sum(expected_skips.values())
    assert report["indexed"] == len(expected_ids)
    assert indexed_ids(settings) == expected_ids
    text = subprocess.run([sys.executable, "-m", "indexer", "--config", str(cfg), "check", "-q"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert text.returncode == 0
    line = next(x for x in text.stdout.splitlines() if x.startswith("skipped "))
    assert line.startswith(f"skipped {sum(expected_skips.values())} records: ")
    reasons = line.split(": ", 1)[1].split(" (each listed")[0]
    assert sorted(reasons.split(", ")) == sorted(f"{v} {k.replace('_', ' ')}" for k, v in expected_skips.items())
    _record(case="all_at_once", indexed=len(expected_ids), skipped=dict(expected_skips))
