"""warta-serve (webapp/serve.py): gunicorn options, access log, exit codes, building a missing index,
warming a worker, and a real gunicorn serving the demo index."""
from __future__ import annotations

import json
import logging
import re

import pytest

from indexer.config import Settings
from webapp import create_app
from webapp.security import CSP


def test_serve_options_and_bind():
    from webapp import serve
    settings = Settings().replace(web={"host": "0.0.0.0", "port": 9000, "workers": 3, "threads": 6})
    opts = serve.gunicorn_options(settings, serve.parser().parse_args([]))
    assert opts["bind"] == ["0.0.0.0:9000"] and opts["workers"] == 3 and opts["threads"] == 6
    assert opts["worker_class"] == "gthread"
    opts = serve.gunicorn_options(Settings(), serve.parser().parse_args(
        ["--host", "::1", "--port", "8123", "--workers", "1", "--threads", "2"]))
    assert opts["bind"] == ["[::1]:8123"] and (opts["workers"], opts["threads"]) == (1, 2)
    assert serve.gunicorn_options(Settings(), serve.parser().parse_args([]))["bind"] == ["127.0.0.1:8000"]
    # a connection per request by default (a free worker takes it), keep-alive when configured
    assert serve.gunicorn_options(Settings(), serve.parser().parse_args([]))["keepalive"] == 0
    assert serve.gunicorn_options(Settings().replace(web={"keepalive": 5}),
                                  serve.parser().parse_args([]))["keepalive"] == 5
    app = serve.WartaServer(create_app(Settings()), opts)
    assert app.cfg.worker_class_str == "gthread" and app.cfg.threads == 2


@pytest.mark.parametrize("configured,argv,expected", [
    (False, [], None),                       # default: no access log
    (True, [], "-"),                         # [web] access_log = true: stdout
    (False, ["--access-log"], "-"),          # the option wins over the config...
    (True, ["--no-access-log"], None),       # ...both ways
])
def test_serve_access_log_from_config_and_option(configured, argv, expected):
    from webapp import serve
    settings = Settings().replace(web={"access_log": configured})
    opts = serve.gunicorn_options(settings, serve.parser().parse_args(argv))
    assert opts["accesslog"] == expected
    app = serve.WartaServer(create_app(Settings()), opts)       # gunicorn accepts it: "-" is its stdout
    assert app.cfg.accesslog == expected and app.cfg.errorlog == "-"


def test_access_log_setting_loads_from_toml(tmp_path):
    from indexer.config import ConfigError, load_settings
    config = tmp_path / "config.toml"
    config.write_text("[web]\naccess_log = true\n")
    assert load_settings(config).web.access_log is True
    assert Settings().web.access_log is False
    config.write_text('[web]\naccess_log = "yes"\n')
    with pytest.raises(ConfigError, match="access_log"):
        load_settings(config)


def test_serve_bad_config_exits_2(tmp_path, capsys):
    from webapp import serve
    assert serve.main(["--config", str(tmp_path / "nope.toml")]) == 2
    assert "config file not found" in capsys.readouterr().err
    assert serve.main(["--config", str(tmp_path / "nope.toml"), "--port", "-1"]) == 2


def test_build_if_missing_builds_once(tmp_path):
    from indexer.config import ConfigError, IndexSettings, SourceSettings
    from tests.conftest import DEMO_CORPUS
    from webapp import serve
    settings = Settings(index=IndexSettings(dir=tmp_path / "index", procs=1),
                        sources=(SourceSettings(name="demo", path=DEMO_CORPUS, format="text"),))
    assert serve.build_if_missing(settings) is True
    assert serve.build_if_missing(settings) is False
    from indexer.store import IndexStore
    assert IndexStore(settings.index).current() is not None
    no_sources = Settings(index=IndexSettings(dir=tmp_path / "other"))
    with pytest.raises(ConfigError, match="sources"):
        serve.build_if_missing(no_sources)


def test_build_if_missing_failing_is_one_line_and_exit_1(tmp_path, capsys):
    from webapp import serve
    config = tmp_path / "config.toml"
    config.write_text(f'[index]\ndir = "{tmp_path / "index"}"\n[[sources]]\nname = "arsip"\n'
                      f'path = "{tmp_path / "hilang"}"\n', encoding="utf-8")
    assert serve.main(["--config", str(config), "--build-if-missing", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("warta-serve: could not build the index: source 'arsip'") and err.count("\n") == 1


def test_warm_up_failures_never_stop_a_worker(caplog, tmp_path, web_settings):
    """Expected ones (no index) are a line of info; anything else is logged with its traceback."""
    from types import SimpleNamespace

    from indexer.search.engine import SearchEngine
    from webapp import serve

    class DamagedEngine(SearchEngine):
        def snapshot(self):
            raise KeyError("segment")             # a damaged generation (injected)
    no_index = create_app(Settings().replace(index={"dir": tmp_path / "none"}, web={"warmup_queries": 0}))
    web_settings = web_settings.replace(web={"warmup_queries": 0})
    damaged = create_app(web_settings, engine=DamagedEngine(web_settings))
    for app, level in ((no_index, logging.INFO), (damaged, logging.ERROR)):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="test"):
            serve._warm_worker(SimpleNamespace(wsgi=app, log=logging.getLogger("test")))
        assert [r.levelno for r in caplog.records if r.name == "test"] == [level]
        assert (caplog.records[-1].exc_info is not None) == (level == logging.ERROR)


def test_warta_serve_runs_gunicorn(demo_settings, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request
    config = tmp_path / "config.toml"
    config.write_text(f'[index]\ndir = "{demo_settings.index.dir}"\n[web]\ncors_origins = ["https://koran.example"]\n',
                      encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "webapp.serve", "--config", str(config), "--port", "0",
                             "--workers", "1", "--threads", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        url, lines, deadline = None, [], time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            match = re.search(r"Warta is running at (http://127\.0\.0\.1:\d+/)", line)
            if match:
                url = match.group(1)
        assert url, "".join(lines)
        health = None
        for _ in range(50):
            try:
                with urllib.request.urlopen(url + "healthz", timeout=5) as r:
                    health = json.load(r)
                break
            except urllib.error.HTTPError:
                raise
            except OSError:
                time.sleep(0.1)
        assert health and health["status"] == "ok" and health["documents"] > 0
        request = urllib.request.Request(url + "api/search?q=banjir", headers={"Origin": "https://koran.example"})
        with urllib.request.urlopen(request, timeout=5) as r:
            assert r.headers["Access-Control-Allow-Origin"] == "https://koran.example"
            assert json.load(r)["total"] > 0
        with urllib.request.urlopen(url + "?q=banjir", timeout=5) as r:
            assert r.headers["Content-Security-Policy"] == CSP
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        proc.stdout.close()


def test_serve_warms_a_worker_before_it_takes_requests(demo_settings, tmp_path):
    from types import SimpleNamespace

    from webapp import serve
    assert serve.gunicorn_options(Settings(), serve.parser().parse_args([]))["post_worker_init"] is serve._warm_worker
    app = create_app(demo_settings)
    serve._warm_worker(SimpleNamespace(wsgi=app, log=logging.getLogger("test")))
    engine = app.extensions["warta"]._engine
    assert engine is not None and engine._snapshot is not None and engine._snapshot._postings is not None
    # no index published yet: the worker starts anyway
    empty = create_app(Settings().replace(index={"dir": tmp_path / "none"}))
    serve._warm_worker(SimpleNamespace(wsgi=empty, log=logging.getLogger("test")))
    assert empty.extensions["warta"]._engine is not None and empty.extensions["warta"]._engine._snapshot is None


def test_serve_says_in_one_line_when_the_port_is_taken(tmp_path):
    """gunicorn used to retry five times and print a traceback-like log; now one line and exit 1."""
    import socket
    import subprocess
    import sys

    from tests.support import REPO

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "webapp.serve", "--port", str(port)], capture_output=True,
                             text=True, timeout=60, cwd=REPO)
    assert out.returncode == 1
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "--port" in lines[0], out.stderr
