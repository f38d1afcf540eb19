"""Warta's error hierarchy (indexer/errors.py) and the CLI's one mapping of it to exit codes.

The web app's mapping is tested in tests/test_web_app.py (`test_warta_errors_are_mapped_once...`)."""
from __future__ import annotations

import pytest

from indexer import cli, errors
from indexer.errors import WartaError

# every concrete error, its built-in base that callers may catch, the module(s) that re-export
# it under its old import path, and its exit code in docs/cli.md
CONTRACT = {
    "ConfigError": (ValueError, ("indexer.config",), cli.EXIT_FAIL),
    "SourceError": (Exception, ("indexer.readers",), cli.EXIT_FAIL),
    "LexiconError": (ValueError, ("indexer.lexicon",), cli.EXIT_FAIL),
    "BuildError": (RuntimeError, ("indexer.build",), cli.EXIT_FAIL),
    "IndexUnavailable": (RuntimeError, ("indexer.search.engine",), cli.EXIT_FAIL),
    "IncompatibleWhoosh": (RuntimeError, (), cli.EXIT_FAIL),
    "LockedError": (RuntimeError, ("indexer.store",), cli.EXIT_LOCKED),
    "RequestError": (ValueError, ("indexer.search.model", "indexer.search"), cli.EXIT_USAGE),
    "EvalError": (ValueError, ("indexer.tools.evaluate",), cli.EXIT_USAGE),
}


def make(cls: type[WartaError]) -> WartaError:
    return cls("invalid_sort", "Urutan tidak dikenal.", "sort") if cls is errors.RequestError else cls("boom")


def test_every_error_is_listed_here():
    """A new WartaError needs a decision: its exit code, its HTTP status (webapp/errors.py)."""
    defined = {name for name in errors.__all__ if name != "WartaError"}
    assert defined == set(CONTRACT)
    subclasses = set()
    todo = [WartaError]
    while todo:
        for sub in todo.pop().__subclasses__():
            subclasses.add(sub.__name__)
            todo.append(sub)
    assert subclasses == set(CONTRACT)


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_old_names_bases_and_exit_codes_are_kept(name):
    import importlib
    base, modules, code = CONTRACT[name]
    cls = getattr(errors, name)
    assert issubclass(cls, WartaError) and issubclass(cls, base)
    for module in modules:
        assert getattr(importlib.import_module(module), name) is cls, module
    assert cli.exit_code(make(cls)) == code


def test_a_warta_error_from_any_command_is_one_clear_line(monkeypatch, capsys, tmp_path):
    from indexer.lexicon import LexiconError

    def broken(settings, args):
        raise LexiconError("my.tsv:2: two different forms\nin one group")
    monkeypatch.setattr(cli, "_cmd_info", broken)
    assert cli.main(["--index-dir", str(tmp_path), "info"]) == cli.EXIT_FAIL
    err = capsys.readouterr().err
    assert err == "warta-index: my.tsv:2: two different forms in one group\n"


def test_a_bad_search_parameter_names_the_option_not_the_readers_message(capsys, tmp_path):
    assert cli.main(["--index-dir", str(tmp_path), "search", "x", "--from", "2024-02-30"]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == "warta-index: invalid date in --from\n"


def test_no_index_is_exit_1_in_english(capsys, tmp_path):
    assert cli.main(["--index-dir", str(tmp_path / "none"), "search", "banjir"]) == cli.EXIT_FAIL
    err = capsys.readouterr().err
    assert err.startswith("warta-index: no index published in ") and "run `warta-index build` first" in err
    assert err.count("\n") == 1


def test_a_held_lock_is_exit_3(capsys, tmp_path):
    from indexer.store import IndexStore
    from tests.support import settings_for, write_jsonl
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": "1", "title": "Banjir", "body": "Air naik."}])
    settings = settings_for(tmp_path)
    cfg = tmp_path / "warta.toml"
    cfg.write_text(f'[index]\ndir = "{settings.index.dir}"\nprocs = 1\n'
                   f'[[sources]]\nname = "a"\npath = "{src}"\n', encoding="utf-8")
    with IndexStore(settings.index).lock():          # flock: a second open file in this process waits too
        assert cli.main(["--config", str(cfg), "build", "-q"]) == cli.EXIT_LOCKED
    assert "another build or update is running" in capsys.readouterr().err
    assert cli.main(["--config", str(cfg), "build", "-q"]) == cli.EXIT_OK
