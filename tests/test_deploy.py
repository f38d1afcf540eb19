"""The production kit: deploy/systemd/*, deploy/config.example.toml and docs/deploy.md agree with
the code they run.

Always (no systemd needed): the unit files are parsed (a tiny parser: systemd allows a key more
than once and `#`/`;` comments) and their contract is checked: the ExecStart command lines parse
with the real argparse parsers (`indexer.cli._parser()`, `webapp.serve.parser()`), so a renamed
verb or option breaks this test and not a server at 3 a.m.; the update unit treats the index
lock's exit code 3 as success; the timer is hourly and persistent; both services are sandboxed
and may write exactly the folder the example config puts the index (and the analytics database)
in; the example config loads and matches the nginx upstream.

With `systemd-analyze` (Debian's `systemd` package; it is not installed by scripts/test, the test
skips without it): `systemd-analyze verify` on copies of the units. verify fails when an
ExecStart binary does not exist, and /opt/warta/.venv exists only on a server, so the copies
point ExecStart at this checkout's venv binaries (or executable stubs when they are not
installed) and change nothing else: every other line is checked as shipped. verify exits 0 on an
unknown or misspelt key (`ProtectSytem=`) and only prints a warning, so any output that names a
warta unit fails the test (the harness is checked on a misspelt copy). verify does not look up
`User=warta` (created by docs/deploy.md), so no user is needed. `systemd-analyze security
--offline` then bounds the exposure score so that sandboxing lines are not lost unnoticed.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO

UNITS = REPO / "deploy" / "systemd"
SERVE, UPDATE, TIMER = "warta-serve.service", "warta-update.service", "warta-update.timer"
EXAMPLE_CONFIG = REPO / "deploy" / "config.example.toml"
CONFIG_PATH = "/etc/warta/config.toml"      # where docs/deploy.md puts the example


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """{section: {key: [values in order]}}; an empty assignment (`CapabilityBoundingSet=`) is ''."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip()
        pending = ""
        if not line or line[0] in "#;":
            continue
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"{path.name}: {line!r} before any [section]"
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not a key=value line: {line!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(unit: dict, section: str, key: str) -> str:
    values = unit.get(section, {}).get(key)
    assert values, f"[{section}] {key}= missing"
    return values[-1]


def words(unit: dict, section: str, key: str) -> set[str]:
    return {w for value in unit.get(section, {}).get(key, []) for w in value.split()}


@pytest.fixture(scope="module")
def units() -> dict[str, dict]:
    return {name: parse_unit(UNITS / name) for name in (SERVE, UPDATE, TIMER)}


@pytest.fixture(scope="module")
def example_settings():
    from indexer.config import load_settings
    return load_settings(EXAMPLE_CONFIG)


def exec_start(unit: dict) -> list[str]:
    return shlex.split(one(unit, "Service", "ExecStart"))


# ----------------------------------------------------------------------------- always

def test_update_unit_runs_warta_index_update_and_treats_locked_as_success(units):
    from indexer import cli
    unit = units[UPDATE]
    argv = exec_start(unit)
    assert Path(argv[0]).name == "warta-index" and Path(argv[0]).is_absolute()
    args = cli._parser().parse_args(argv[1:])          # SystemExit here = an option that does not exist
    assert args.command == "update" and args.config == CONFIG_PATH
    assert args.quiet, "no progress line in the journal"
    assert one(unit, "Service", "Type") == "oneshot"
    assert str(cli.EXIT_LOCKED) in words(unit, "Service", "SuccessExitStatus")
    assert cli.EXIT_LOCKED == 3


def test_serve_unit_runs_warta_serve_with_the_config(units):
    from webapp import serve
    unit = units[SERVE]
    argv = exec_start(unit)
    assert Path(argv[0]).name == "warta-serve" and Path(argv[0]).is_absolute()
    args = serve.parser().parse_args(argv[1:])
    assert args.config == CONFIG_PATH
    assert not args.build_if_missing, "the first build is an explicit step (docs/deploy.md)"
    # one venv for both commands
    assert Path(argv[0]).parent == Path(exec_start(units[UPDATE])[0]).parent
    assert one(unit, "Service", "Restart") == "on-failure"
    # exit 2 = bad option or configuration (docs/cli.md): restarting cannot help
    assert "2" in words(unit, "Service", "RestartPreventExitStatus")
    assert one(unit, "Install", "WantedBy") == "multi-user.target"


def test_serve_stops_gracefully_within_the_stop_timeout(units):
    from webapp import serve
    from indexer.config import Settings
    opts = serve.gunicorn_options(Settings(), serve.parser().parse_args([]))
    timeout = one(units[SERVE], "Service", "TimeoutStopSec")
    assert one(units[SERVE], "Service", "KillSignal") == "SIGTERM"      # gunicorn: graceful stop
    assert int(timeout.rstrip("s")) > opts["graceful_timeout"]


def test_timer_is_hourly_persistent_and_randomized(units):
    timer = units[TIMER]
    assert one(timer, "Timer", "OnCalendar") in ("hourly", "*-*-* *:00:00")
    assert one(timer, "Timer", "Persistent") in ("true", "yes")
    assert re.fullmatch(r"\d+(min|m|s)?", one(timer, "Timer", "RandomizedDelaySec"))
    assert one(timer, "Timer", "Unit") == UPDATE
    assert one(timer, "Install", "WantedBy") == "timers.target"


@pytest.mark.parametrize("name,families", [(SERVE, {"AF_INET", "AF_INET6", "AF_UNIX"}), (UPDATE, {"AF_UNIX"})])
def test_services_are_sandboxed(units, name, families):
    unit = units[name]
    service = unit["Service"]
    assert one(unit, "Service", "User") == "warta" and one(unit, "Service", "Group") == "warta"
    assert one(unit, "Service", "ProtectSystem") == "strict"
    assert one(unit, "Service", "NoNewPrivileges") == "yes"
    assert one(unit, "Service", "PrivateTmp") == "yes"      # gunicorn heartbeat files, metrics folder
    assert one(unit, "Service", "ProtectHome") in ("yes", "read-only")
    assert service["CapabilityBoundingSet"] == [""], "no capability at all"
    assert words(unit, "Service", "RestrictAddressFamilies") == families


@pytest.mark.parametrize("name", [SERVE, UPDATE])
def test_writable_paths_cover_the_index_of_the_example_config(units, example_settings, name):
    """ProtectSystem=strict: everything the service writes must lie under a ReadWritePaths= entry
    (or its StateDirectory=): the update writes the lock, staging folders, generations and
    runs.json inside [index] dir; the server writes the search analytics (analytics.sqlite)."""
    from indexer.analytics import database_path
    unit = units[name]
    writable = [Path(p.lstrip("-")) for p in words(unit, "Service", "ReadWritePaths")]
    writable += [Path("/var/lib") / d for d in words(unit, "Service", "StateDirectory")]
    assert writable, "ProtectSystem=strict without ReadWritePaths: nothing writable"
    must_write = [Path(example_settings.index.dir)]
    if name == SERVE and example_settings.web.analytics:
        must_write.append(database_path(example_settings))
    for path in must_write:
        assert any(path.is_relative_to(w) for w in writable), f"{name} cannot write {path}"
    # nothing else: the sources, the config and the venv stay read-only
    assert all(w == Path("/var/lib/warta") for w in writable), writable


def test_example_config_fits_the_units_and_nginx(example_settings, units):
    settings = example_settings
    assert settings.web.proxy_hops == 1, "behind nginx: believe its X-Forwarded-* headers"
    assert settings.web.host in ("127.0.0.1", "::1"), "only nginx talks to gunicorn"
    for source in settings.sources:         # ProtectHome=yes hides /home and /root from the services
        assert not Path(source.path).is_relative_to("/home") and not Path(source.path).is_relative_to("/root")
    nginx = REPO / "deploy" / "nginx" / "warta.conf"
    if nginx.exists():
        upstream = re.search(r"upstream\s+\w+\s*\{[^}]*?server\s+([\w.:\[\]]+);", nginx.read_text())
        assert upstream, "no upstream server in deploy/nginx/warta.conf"
        assert upstream.group(1) == f"{settings.web.host}:{settings.web.port}"


def test_deploy_doc_links_resolve_and_name_the_units():
    doc = REPO / "docs" / "deploy.md"
    text = doc.read_text(encoding="utf-8")
    for name in (SERVE, UPDATE, TIMER, "config.example.toml", "warta.conf"):
        assert name in text, f"docs/deploy.md does not mention {name}"
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" not in target:
            assert (doc.parent / target).exists(), f"docs/deploy.md links to missing {target}"


# ----------------------------------------------------------------------------- systemd-analyze

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
needs_systemd = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None,
    reason="systemd-analyze not found (Debian package 'systemd'): unit files checked without systemd only")


def _binary(name: str, stubs: Path) -> str:
    """This checkout's installed command, else an executable stub (verify only checks it exists)."""
    real = Path(sys.executable).parent / name
    if real.is_file() and os.access(real, os.X_OK):
        return str(real)
    stub = stubs / name
    stub.write_text("#!/bin/sh\nexit 0\n")
    stub.chmod(0o755)
    return str(stub)


def _render(tmp_path: Path) -> Path:
    """Copies of the units whose ExecStart binaries exist on this machine; nothing else changed."""
    out = tmp_path / "units"
    stubs = tmp_path / "bin"
    out.mkdir()
    stubs.mkdir()
    for unit in (SERVE, UPDATE, TIMER):
        text = (UNITS / unit).read_text(encoding="utf-8")
        for command in ("warta-serve", "warta-index"):
            text = text.replace(f"/opt/warta/.venv/bin/{command}", _binary(command, stubs))
        (out / unit).write_text(text, encoding="utf-8")
    return out


def _verify(folder: Path, *names: str) -> tuple[int, str]:
    proc = subprocess.run([SYSTEMD_ANALYZE, "verify", "--man=no", *(str(folder / n) for n in names)],
                          capture_output=True, text=True, timeout=60)
    ours = [line for line in (proc.stdout + proc.stderr).splitlines() if "warta-" in line]
    return proc.returncode, "\n".join(ours)


@needs_systemd
def test_systemd_analyze_verify(tmp_path):
    folder = _render(tmp_path)
    code, output = _verify(folder, SERVE, UPDATE, TIMER)
    assert code == 0 and output == "", output
    # the harness sees what verify only warns about: a misspelt key still exits 0
    broken = folder / UPDATE
    broken.write_text(broken.read_text().replace("ProtectSystem=strict", "ProtectSytem=strict"))
    code, output = _verify(folder, UPDATE)
    assert "ProtectSytem" in output, "systemd-analyze verify no longer reports unknown keys"


@needs_systemd
@pytest.mark.parametrize("name,at_most", [(SERVE, 2.5), (UPDATE, 2.0)])
def test_systemd_analyze_security_exposure(tmp_path, name, at_most):
    folder = _render(tmp_path)
    proc = subprocess.run([SYSTEMD_ANALYZE, "security", "--offline=yes", "--no-pager", str(folder / name)],
                          capture_output=True, text=True, timeout=60)
    if proc.returncode != 0 and "offline" in proc.stderr.lower():
        pytest.skip(f"systemd-analyze security --offline unsupported: {proc.stderr.strip()[:200]}")
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", proc.stdout)
    assert found, proc.stdout[-500:] + proc.stderr[-500:]
    assert float(found.group(1)) <= at_most, f"{name}: exposure {found.group(1)} > {at_most}"
