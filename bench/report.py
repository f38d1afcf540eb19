"""Markdown tables for docs/performance.md from the JSON the benchmarks wrote.

    .venv/bin/python bench/report.py            # reads bench/results/{build,query,http,scale}.json

Prints one section per file that exists; nothing is measured here.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
MB = 1024 * 1024


def _load(name: str):
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _table(head, rows) -> str:
    return "\n".join([_row(head), _row(["---"] * len(head))] + [_row(r) for r in rows])


def _machine(d) -> str:
    m, load = d["machine"], d.get("load", {})
    others = ", ".join(f"`{k}` {v:.0f} %" for k, v in list(load.get("other_busy_processes", {}).items())[:4])
    return (f"{m['date']}, commit `{m['commit']}`, {m['cpus']} cores / {m['mem_gb']} GB, Python {m['python']}; "
            f"load average at start {m['loadavg_at_start'][0]}, during the run mean {load.get('load1_mean')} / "
            f"max {load.get('load1_max')}" + (f"; other busy processes: {others}" if others else ""))


def build_section(d) -> str:
    rows = []
    for r in d["runs"]:
        ph, ru, mem = r["phases"], r["rusage"], r["memory"]
        rows.append([r["label"], r["documents"], r["seconds"], r["docs_per_s"],
                     round(ru["cpu_seconds_self"] + ru["cpu_seconds_children"]),
                     ph.get("feed"), ph.get("commit"), ph.get("publish"),
                     mem["peak_rss_sum_mb"], mem["peak_pss_sum_mb"],
                     max(ru["self_maxrss_mb"], ru["largest_child_maxrss_mb"]), round(r["index_bytes"] / MB, 1),
                     r.get("stemming", {}).get("newly_stemmed", "")])
    out = [_table(["run", "docs", "wall s", "docs/s", "CPU s", "feed s", "commit s",
                   "publish s", "peak RSS sum MB", "peak PSS sum MB", "largest process MB", "index MB",
                   "words stemmed"], rows)]
    f = d.get("fts5")
    if f:
        out.append("")
        out.append(_table(["peer", "docs", "load s", "docs/s", "size MB", "analysis (Warta analyzer, not charged) s"],
                          [[f"SQLite FTS5 {f['sqlite_version']}, 1 thread", f["documents"], f["seconds"],
                            f["docs_per_s"], f["size_mb"], f["analysis_seconds"]]]))
        out.append("")
        out.append("FTS5 docs/s ÷ Warta docs/s: " + ", ".join(f"{k} {v}×" for k, v in d["fts5_faster_than"].items()))
    out.append("")
    out.append("Machine: " + _machine(d))
    return "\n".join(out)


def query_section(d) -> str:
    w, f = d["warta"], d.get("fts5")
    rows = []
    for phase in ("cold", "warm"):
        for label, src, key in (("Warta search", w, "search"), ("Warta suggest", w, "suggest")) + (
                (("SQLite FTS5 search", f, "search"),) if f else ()):
            s, c = src[phase][key], src[phase][key + "_cpu"]
            rows.append([phase, label, s["n"], s["median"], s["p95"], s["p99"], s["max"], c["median"], c["p95"]])
    out = [_table(["pass", "engine", "requests", "median ms", "p95 ms", "p99 ms", "max ms", "CPU median ms",
                   "CPU p95 ms"], rows), ""]
    kinds = list(w["warm"]["by_kind"])
    krows = [[k, w["warm"]["by_kind"][k]["n"], w["warm"]["by_kind"][k]["median"], w["warm"]["by_kind"][k]["p95"]]
             + ([f["warm"]["by_kind"][k]["median"], f["warm"]["by_kind"][k]["p95"]] if f else []) for k in kinds]
    out.append(_table(["kind (warm)", "requests", "Warta median ms", "Warta p95 ms"]
                      + (["FTS5 median ms", "FTS5 p95 ms"] if f else []), krows))
    out.append("")
    out.append(f"Documents {w['documents']}; index open {w['open_ms']} ms, BM25F length arrays {w['postings_init_ms']} ms, "
               f"completion vocabulary {w['vocabulary_load_ms']} ms (background thread); RSS after the run "
               f"{w['rss_mb_after']} MB; hits over the set {w['hits_total_sum']}"
               + (f" (FTS5 {f['hits_total_sum']})" if f else "") + f"; zero-hit queries {w['zero_hit_queries']}.")
    if f:
        out.append(f"Warta ÷ FTS5, warm: {d['ratio_warm']}; cold: {d['ratio_cold']}.")
    out.append("Slowest warm: " + ", ".join(f"`{x['query']}` {x['ms']} ms" for x in w["warm_slowest"]))
    out.append("")
    out.append("Machine: " + _machine(d))
    return "\n".join(out)


def http_section(d) -> str:
    lat = d["latency_ms"]
    out = [_table(["requests", "seconds", "req/s", "errors", "median ms", "p90 ms", "p95 ms", "p99 ms", "max ms",
                   "worker RSS / PSS / USS MB"],
                  [[d["requests"], d["seconds"], d["requests_per_s"], d["errors"], lat["median"], lat["p90"], lat["p95"],
                    lat["p99"], lat["max"],
                    "; ".join(f"{w['rss_mb']:.0f} / {w['pss_mb']:.0f} / {w['uss_mb']:.0f}" for w in d["worker_memory"])]]),
           "", f"Errors in detail: {d['errors_detail']}; first sequential pass non-200: {d['first_pass_non200'] or 'none'}.",
           "", "Machine: " + _machine(d)]
    return "\n".join(out)


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for name, fn in (("build", build_section), ("query", query_section), ("http", http_section)):
        d = _load(name)
        if d:
            print(f"## {name}\n\n{fn(d)}\n")
    d = _load("scale")
    if d:
        import scale
        print("## scale\n")
        print(scale.table(d["sizes"]))
        print()
        print("Targets at the largest size:", json.dumps(d["targets"], ensure_ascii=False))
        for key in sorted(d["sizes"], key=int):
            print(f"\n{key}× load per step:",
                  {k: (v.get("load1_mean"), v.get("load1_max")) for k, v in d["sizes"][key].get("load", {}).items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
