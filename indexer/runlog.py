"""The outcome of the last build, update and check, kept next to the index for monitoring.

`warta-index` writes `runs.json` in the index folder (atomically) after every build, update and
check, successful or not; the web app's `/metrics` reads it (`warta_index_last_run_*`).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

RUNS_FILE = "runs.json"


def record_run(index_root: Path, verb: str, seconds: float, outcome: str, detail: str = "") -> None:
    """Never raises: monitoring must not turn a good build into a failed command."""
    try:
        root = Path(index_root)
        root.mkdir(parents=True, exist_ok=True)
        runs = read_runs(root)
        runs[verb] = {"seconds": round(seconds, 3), "outcome": outcome, "finished_at": time.time(),
                      "detail": detail[:300]}
        tmp = root / (RUNS_FILE + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(runs, indent=1), encoding="utf-8")
        os.replace(tmp, root / RUNS_FILE)
    except OSError:
        pass


def read_runs(index_root: Path) -> dict:
    try:
        data = json.loads((Path(index_root) / RUNS_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}
