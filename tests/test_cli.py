"""The warta-index command line, run as a real subprocess."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.support import REPO, write_jsonl
from tests.test_build import article


def run(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "indexer", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def make_config(tmp_path):
    src = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(12)] + ["[1]"])
    cfg = tmp_path / "warta.toml"
    cfg.write_text(f'[index]\ndir = "{tmp_path / "idx"}"\nprocs = 1\n'
                   f'[[sources]]\nname = "contoh"\npath = "{src}"\n'
                   'fields = {id = "id", title = "title", body = "body", date = "date", section = "section"}\n')
    return cfg


def test_build_info_search_check(tmp_path):
    cfg = make_config(tmp_path)
    out = run("--config", str(cfg), "build", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["indexed"] == 12 and report["skipped"] == {"bad_json": 1}
    info = run("--config", str(cfg), "info", "--json")
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["documents"] == 12
    found = run("--config", str(cfg), "search", "pasar", "--section", "Ekonomi", "--json")
    data = json.loads(found.stdout)
    assert data["total"] == 4 and all(r["section"] == "Ekonomi" for r in data["results"])
    assert run("--config", str(cfg), "check").returncode == 0
    assert run("--config", str(cfg), "build", "--strict", "-q").returncode == 1


def test_errors_are_clear(tmp_path):
    cfg = make_config(tmp_path)
    out = run("--config", str(cfg), "info")
    assert out.returncode == 1 and "warta-index build" in out.stderr
    out = run("--config", str(cfg), "build", "tidak-ada")
    assert out.returncode == 1 and "unknown source" in out.stderr
    out = run("--config", str(tmp_path / "missing.toml"), "info")
    assert out.returncode == 1 and "not found" in out.stderr
    run("--config", str(cfg), "build", "-q")
    out = run("--config", str(cfg), "search", "x", "--from", "2024-02-30")
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_a_mapping_that_names_missing_columns_fails_check_build_and_update(tmp_path):
    csv_file = tmp_path / "arsip.csv"
    csv_file.write_text("judul,isi,tanggal\nBanjir di Bekasi,Air setinggi satu meter.,2024-01-02\n", encoding="utf-8")
    cfg = tmp_path / "warta.toml"
    cfg.write_text(f'[index]\ndir = "{tmp_path / "idx"}"\nprocs = 1\n[[sources]]\nname = "arsip"\npath = "{csv_file}"\n'
                   'fields = { title = "title", body = "isi", date = "tanggal" }\n')
    for verb in ("check", "build", "update"):
        out = run("--config", str(cfg), verb, "-q")
        assert out.returncode == 1, (verb, out.stdout)
        assert "source 'arsip'" in out.stderr and "title='title'" in out.stderr and "'judul'" in out.stderr
        assert "Traceback" not in out.stderr
    assert not (tmp_path / "idx" / "CURRENT").exists()          # nothing was published


def test_a_source_with_no_articles_fails_unless_allowed(tmp_path):
    empty = tmp_path / "kosong.jsonl"
    empty.write_text('{"id": "1", "title": "Judul saja"}\n', encoding="utf-8")
    cfg = tmp_path / "warta.toml"
    cfg.write_text(f'[index]\ndir = "{tmp_path / "idx"}"\nprocs = 1\n[[sources]]\nname = "kosong"\npath = "{empty}"\n')
    out = run("--config", str(cfg), "build", "-q")
    assert out.returncode == 1 and "gave no articles (1 empty body)" in out.stderr and "--allow-empty" in out.stderr
    assert run("--config", str(cfg), "check", "--allow-empty").returncode == 0


def test_an_unknown_config_table_is_an_error(tmp_path):
    cfg = tmp_path / "warta.toml"
    cfg.write_text('[serch]\ntitle_boost = 5\n')
    out = run("--config", str(cfg), "info")
    assert out.returncode == 1 and "unknown table [serch] (did you mean [search]?)" in out.stderr


def test_json_lists_every_skip_and_text_uses_words(tmp_path):
    src = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(3)] + ["{rusak"] * 60)
    cfg = tmp_path / "warta.toml"
    cfg.write_text(f'[index]\ndir = "{tmp_path / "idx"}"\nprocs = 1\n[[sources]]\nname = "contoh"\npath = "{src}"\n'
                   'fields = {id = "id", title = "title", body = "body", date = "date", section = "section"}\n')
    out = run("--config", str(cfg), "check", "--json")
    report = json.loads(out.stdout)
    assert len(report["skips"]) == 60 and len(report["skip_examples"]) == 50
    text = run("--config", str(cfg), "build", "-q").stdout
    assert "read 3 articles" in text and "skipped 60 records: 60 bad json" in text and "{'" not in text
    info = run("--config", str(cfg), "info").stdout
    assert "skipped 60 (60 bad json)" in info and "{'" not in info
