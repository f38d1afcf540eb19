"""`warta-serve`: run the web app under gunicorn (gthread workers).

    warta-serve [--config config.toml] [--host 127.0.0.1] [--port 8000]
                [--workers 2] [--threads 4] [--build-if-missing]

Defaults come from the [web] section of the settings. With ``--build-if-missing`` the index is
built from the configured [[sources]] first when nothing is published yet. The URL is printed
once the socket is bound (``--port 0`` picks a free port).
"""
from __future__ import annotations

import argparse
import atexit
import logging
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Sequence

from gunicorn.app.base import BaseApplication

from indexer.config import ConfigError, Settings, load_settings
from indexer.errors import WartaError

log = logging.getLogger("webapp")


class WartaServer(BaseApplication):
    """Gunicorn application serving one already created Flask app."""

    def __init__(self, app, options: dict[str, Any]):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        return self.application


def format_bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def listener_urls(server) -> list[str]:
    urls = []
    for listener in getattr(server, "LISTENERS", []):
        try:
            addr = listener.sock.getsockname()
        except (OSError, AttributeError):
            continue
        if listener.sock.family == socket.AF_UNIX:
            urls.append(f"unix:{addr}")
            continue
        host, port = addr[0], addr[1]
        if ":" in host:
            host = f"[{host}]"
        urls.append(f"http://{host}:{port}/")
    return urls


def _when_ready(server) -> None:
    for url in listener_urls(server):
        print(f"Warta is running at {url}", flush=True)
        if url.startswith(("http://0.0.0.0:", "http://[::]:")):
            print("  (open on every network interface)", flush=True)


def _warm_worker(worker) -> None:
    """Open the published generation (columns, field lengths, stem table) and run the most frequent
    recent queries before this worker takes requests: at 220k articles ~1 s of opening and the
    first reads of every popular term, which its first readers would otherwise wait for. Then a
    watcher does the same in the background whenever a new generation is published. Without an
    index nothing happens; requests then get the usual "no index yet" answer."""
    state = getattr(worker.wsgi, "extensions", {}).get("warta")
    if state is None:
        return
    try:
        warmed = warm(state)
        worker.log.info("warm-up: %d frequent queries run", warmed)
    except (WartaError, OSError) as exc:    # no index yet, files replaced mid-read: requests report these
        worker.log.info("warm-up skipped: %s", exc)
    except Exception:   # a bug or a damaged generation: logged, and the worker starts anyway, because a
        # worker that fails to boot stops all of gunicorn, and the next published generation fixes it
        worker.log.exception("warm-up failed")
    if state.settings.web.warmup_queries > 0:
        threading.Thread(target=_watch_generations, args=(state,), name="warta-warmup", daemon=True).start()


WARMUP_SECONDS = 15.0
WATCH_SECONDS = 2.0


def warm(state) -> int:
    """Open the published generation and run the frequent recent queries against it (not recorded)."""
    from indexer.analytics import database_path, frequent_queries
    from indexer.search.model import SearchRequest

    engine = state.engine
    snap = engine.snapshot()
    prefetch(snap.path, time.monotonic() + WARMUP_SECONDS / 3)
    snap.postings()
    snap.vocabulary()            # "did you mean" and completions (else loaded beside the first searches)
    limit = state.settings.web.warmup_queries
    queries = frequent_queries(database_path(state.settings), limit=limit) if limit > 0 else []
    deadline = time.monotonic() + WARMUP_SECONDS
    done = 0
    for query in queries:
        if time.monotonic() > deadline:
            break
        engine.search(SearchRequest(query=query))
        done += 1
    return done


def prefetch(folder, deadline: float) -> int:
    """Read a generation's files once, so its first searches find them in the OS page cache (after
    a reboot, a deploy or a new generation the first reads of each term otherwise hit the disk)."""
    done = 0
    for path in sorted(Path(folder).iterdir(), key=lambda p: p.stat().st_size if p.is_file() else 0):
        if not path.is_file():
            continue
        try:
            with open(path, "rb", buffering=0) as fh:
                while fh.read(1 << 20):
                    if time.monotonic() > deadline:
                        return done
        except OSError:
            continue
        done += 1
    return done


def _watch_generations(state) -> None:
    seen = state.engine.store.current_name()
    while True:
        time.sleep(WATCH_SECONDS)
        try:
            name = state.engine.store.current_name()
            if name and name != seen:
                seen = name
                warm(state)
        except (WartaError, OSError):   # a generation vanishing mid-warm-up: the next one is warmed again
            continue
        except Exception:   # logged once per generation; the thread must outlive it to warm the next
            log.exception("warm-up of a new generation failed")


def _child_exit(server, worker) -> None:
    """A worker's metric files stay (its counts still count) but its live gauges end with it."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(worker.pid)


def gunicorn_options(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    web = settings.web
    host = args.host if args.host is not None else web.host
    port = args.port if args.port is not None else web.port
    workers = args.workers if args.workers is not None else web.workers
    threads = args.threads if args.threads is not None else web.threads
    return {
        "bind": [format_bind(host, port)],
        "workers": max(1, workers),
        "threads": max(1, threads),
        "worker_class": "gthread",
        "timeout": args.timeout,
        "graceful_timeout": 30,
        "keepalive": max(0, web.keepalive),
        # --access-log / --no-access-log win over [web] access_log; "-" = stdout (journald under systemd)
        "accesslog": "-" if (web.access_log if args.access_log is None else args.access_log) else None,
        "errorlog": "-",
        "loglevel": args.log_level,
        "proc_name": "warta-serve",
        "limit_request_line": 8190,
        "when_ready": _when_ready,
        "post_worker_init": _warm_worker,
        "child_exit": _child_exit,
        "control_socket_disable": True,   # gunicorn ≥ 24: no shared ~/.gunicorn/gunicorn.ctl
    }


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="warta-serve", description="Run the Warta web server (gunicorn).")
    p.add_argument("--config", help="config.toml (default: $WARTA_CONFIG or ./config.toml)")
    p.add_argument("--host", help="bind address (default: [web] host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: [web] port; 0 = any free port)")
    p.add_argument("--workers", type=int, help="worker processes (default: [web] workers)")
    p.add_argument("--threads", type=int, help="threads per worker (default: [web] threads)")
    p.add_argument("--build-if-missing", action="store_true",
                   help="build the index from [[sources]] when none is published yet")
    p.add_argument("--timeout", type=int, default=60, help="worker timeout in seconds (default 60)")
    p.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=None,
                   help="write an access log to stdout (default: [web] access_log, off)")
    p.add_argument("--log-level", default="info",
                   choices=["debug", "info", "warning", "error", "critical"])
    return p


def build_if_missing(settings: Settings) -> bool:
    """Build the index when nothing is published; True when a build ran."""
    from indexer.store import IndexStore
    if IndexStore(settings.index).current() is not None:
        return False
    if not settings.sources:
        raise ConfigError("no index yet and no [[sources]] in the config to build one from")
    from indexer.build import build
    print(f"No index in {settings.index.dir} yet; building it from "
          f"{', '.join(s.name for s in settings.sources)} …", flush=True)
    generation, report = build(settings, quiet=False)
    indexed = getattr(report, "indexed", None)
    print(f"Published {generation}" + (f" ({indexed} article{'' if indexed == 1 else 's'})" if indexed is not None else ""),
          flush=True)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        for name in ("port", "workers", "threads"):
            value = getattr(args, name)
            if value is not None and (value < 0 or (value == 0 and name != "port") or value > 65535):
                raise ConfigError(f"--{name} must be {'0..65535' if name == 'port' else 'a positive number'}, not {value}")
    except ConfigError as exc:
        print(f"warta-serve: {exc}", file=sys.stderr)
        return 2
    if args.build_if_missing:
        try:
            build_if_missing(settings)
        except (WartaError, OSError) as exc:     # BuildError, LockedError, SourceError, a full disk...
            print(f"warta-serve: could not build the index: {exc}", file=sys.stderr)
            return 1
    # unexpected errors are logged by webapp.errors: send them to stderr next to gunicorn's log
    logging.basicConfig(level=getattr(logging, args.log_level.upper()), stream=sys.stderr,
                        format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s")
    options = gunicorn_options(settings, args)
    taken = port_in_use(options["bind"][0])
    if taken:
        print(f"warta-serve: {taken}", file=sys.stderr)
        return 1
    # every worker writes its metrics here; set before prometheus_client is first imported
    metrics_dir = tempfile.mkdtemp(prefix="warta-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    atexit.register(shutil.rmtree, metrics_dir, True)
    from webapp.app import create_app
    app = create_app(settings)
    WartaServer(app, options).run()
    return 0


def port_in_use(bind: str) -> str | None:
    """One clear line when the address is taken (gunicorn would retry five times, then fail)."""
    host, _, port = bind.rpartition(":")
    host = host.strip("[]")
    if not port.isdigit() or int(port) == 0:
        return None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)    # as gunicorn does
        try:
            probe.bind((host, int(port)))
        except OSError as exc:
            return (f"cannot listen on {bind}: {exc.strerror or exc} (is another Warta or program using "
                    f"port {port}? choose another with --port, e.g. --port {int(port) + 1})")
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
