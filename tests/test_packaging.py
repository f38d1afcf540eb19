"""setup.cfg ships every file the app reads at run time.

An editable install (`pip install -e .`, what scripts/demo and scripts/test do) reads the files
from the checkout, so a file missing from `[options.package_data]` only shows in a real install
(`pip install /path/to/warta`, a wheel, the server of docs/deploy.md): webapp/static/widget/*
was left out that way once, and /widget.js failed there. Building a wheel here would be slow, so
this checks the declaration the way setuptools reads it: every non-Python file under indexer/
and webapp/ lies in a package that `packages = find_namespace:` finds (data folders have no
__init__.py) and matches a glob declared for that package.
"""
from __future__ import annotations

import configparser
import fnmatch
from pathlib import Path

from tests.support import REPO

PACKAGES = ("indexer", "webapp")


def _setup_cfg() -> configparser.ConfigParser:
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(REPO / "setup.cfg", encoding="utf-8")
    return cfg


def _listed(value: str) -> list[str]:
    """setup.cfg list values: one per line or comma-separated."""
    return [item.strip() for line in value.splitlines() for item in line.split(",") if item.strip()]


def _found_packages(cfg: configparser.ConfigParser) -> set[str]:
    """The packages `find:` / `find_namespace:` with the [options.packages.find] filters finds."""
    how = cfg.get("options", "packages").strip()
    assert how in ("find:", "find_namespace:"), f"unexpected packages = {how}"
    include = _listed(cfg.get("options.packages.find", "include", fallback="*"))
    exclude = _listed(cfg.get("options.packages.find", "exclude", fallback=""))
    found = set()
    for top in PACKAGES:
        for folder in [REPO / top, *(p for p in (REPO / top).rglob("*") if p.is_dir())]:
            name = ".".join(folder.relative_to(REPO).parts)
            if how == "find:" and not (folder / "__init__.py").exists():
                continue
            if any(fnmatch.fnmatchcase(name, pat) for pat in include) and \
                    not any(fnmatch.fnmatchcase(name, pat) for pat in exclude):
                found.add(name)
    return found


def _data_files() -> list[Path]:
    return sorted(p for top in PACKAGES for p in (REPO / top).rglob("*")
                  if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts)


def test_every_data_file_is_declared_package_data():
    cfg = _setup_cfg()
    packages = _found_packages(cfg)
    assert {"indexer", "indexer.search", "indexer.readers", "indexer.tools", "webapp"} <= packages
    assert not any(name.endswith("__pycache__") for name in packages)
    covered: set[Path] = set()
    for package, globs in cfg.items("options.package_data"):
        folder = REPO.joinpath(*package.split("."))
        assert folder.is_dir(), f"[options.package_data] names {package}, which has no folder"
        for pattern in _listed(globs):
            covered.update(p for p in folder.glob(pattern) if p.is_file())
    files = _data_files()
    assert any(p.name == "lexicon.tsv" for p in files) and any(p.name == "warta-widget.js" for p in files)
    for path in files:
        rel = path.relative_to(REPO)
        package = ".".join(rel.parent.parts)
        assert package in packages, (f"{rel}: its folder {package} is not a package that setuptools finds "
                                     f"(setuptools warns 'Package {package!r} is absent'); see setup.cfg")
        assert path in covered, f"{rel} matches no glob in [options.package_data] of setup.cfg: add one"


def test_runtime_lookups_use_declared_folders():
    """The files the code opens through importlib.resources / the Flask app are where they are declared."""
    from importlib import resources

    for name in ("lexicon.tsv", "lexicon_never.tsv", "stopwords.txt", "protected_words.txt"):
        assert resources.files("indexer").joinpath("data", name).is_file(), name
    for rel in ("static/app.js", "static/widget/warta-widget.js", "templates/base.html"):
        assert resources.files("webapp").joinpath(rel).is_file(), rel
