"""Helpers for tests that build small real indexes from JSONL written on the fly."""
from __future__ import annotations

import json
from pathlib import Path

from indexer.config import settings_from_mapping

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CLICKID = SHARED / "corpus" / "click-id"


def write_jsonl(path: Path, records: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write((rec if isinstance(rec, str) else json.dumps(rec, ensure_ascii=False)) + "\n")
    return path


def settings_for(tmp_path: Path, sources: list[dict] | None = None, **sections):
    """Settings with the index under tmp_path; sources as [[sources]] tables."""
    data = {"index": {"dir": str(tmp_path / "index"), "procs": 1}, "sources": sources or []}
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return settings_from_mapping(data, base=tmp_path)


def jsonl_source(path: Path, name: str = "test") -> dict:
    return {"name": name, "path": str(path), "format": "jsonl",
            "fields": {"id": "id", "title": "title", "body": "body", "date": "date", "section": "section",
                       "url": "url", "outlet": "outlet", "lead": "lead"}}


def load_bench(name: str):
    """Import bench/<name>.py as a module (bench/ is scripts, not a package)."""
    import importlib.util
    import sys
    bench = str(REPO / "bench")
    if bench not in sys.path:
        sys.path.append(bench)   # appended: bench/ must never shadow a real module
    spec = importlib.util.spec_from_file_location(f"warta_bench_{name}", REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
