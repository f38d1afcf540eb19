"""The architecture, checked: import contracts, who reaches into Whoosh's internals, the
SearchBackend seam, and where a broad `except` may stand (docs/architecture.md).

Each check compares against an explicit list, so the architecture cannot erode silently: a module
outside indexer.whooshfast poking at Whoosh's private attributes, or a new `except Exception`,
fails here until the code or the list is changed on purpose.
"""
from __future__ import annotations

import ast
import configparser
import importlib.util
import inspect
import subprocess
import sys

from tests.support import REPO

SOURCES = ("indexer", "webapp", "bench")       # the project's code, tests excepted


def modules(*roots: str):
    for root in roots:
        for path in sorted((REPO / root).rglob("*.py")):
            yield path.relative_to(REPO).with_suffix("").as_posix().replace("/", "."), path


# ============================================================================ import contracts

CONTRACTS = {"library-without-web", "library-without-tools", "readers-without-search",
             "web-through-the-backend", "whoosh-internals-in-whooshfast"}


def test_import_contracts_are_declared():
    """Removing a contract from setup.cfg is a decision too."""
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg", encoding="utf-8")
    declared = {s.split(":", 2)[2] for s in config.sections() if s.startswith("importlinter:contract:")}
    assert declared == CONTRACTS
    assert config["importlinter"]["include_external_packages"] == "True"   # else `flask` is no module to forbid
    extras = config["options.extras_require"]["test"]
    assert "import-linter" in extras


def test_import_contracts_hold():
    """`lint-imports` in a subprocess: in-process it reconfigures logging (disabling the app's
    loggers) and prepends the working directory to sys.path. Run in the repo root, whose packages
    it puts first, so this tree is linted, not another checkout on the path."""
    assert importlib.util.find_spec("importlinter"), "import-linter missing: pip install -e '.[test]'"
    script = ("import sys; from importlinter.cli import lint_imports; "
              "sys.exit(lint_imports(config_filename='setup.cfg', no_cache=True, no_logo=True))")
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in out.stdout, out.stdout


# ============================================================================ Whoosh internals

# Whoosh's storage and writer internals: only the package below imports them (the AST scan here,
# and the `whoosh-internals-in-whooshfast` import contract, which must list the same modules)
INTERNAL_PACKAGES = ("whoosh.codec", "whoosh.filedb", "whoosh.columns", "whoosh.matching", "whoosh.multiproc",
                     "whoosh.writing", "whoosh.system", "whoosh.util.numeric")

WHOOSH_OWNER = "indexer.whooshfast"       # the one package that depends on Whoosh's internals

# its modules that do (the others only hold its interface and version check)
WHOOSH_INTERNALS = {
    "indexer.whooshfast.blocks",           # term index records, W3 posting blocks decoded in part
    "indexer.whooshfast.codec",            # the W3 codec's posting and term-info formats
    "indexer.whooshfast.columns",          # column and length files read as whole arrays
    "indexer.whooshfast.formats",          # NUMERIC's struct, Whoosh's posting value encoding
    "indexer.whooshfast.phrases",          # a segment's postings file, positions decoded per block
    "indexer.whooshfast.packed",           # the term index and postings file read whole at publish, _segments()
    "indexer.whooshfast.parallel",         # MpWriter's sub-writer protocol (_finalize_segment, _commit_toc, ...)
    "indexer.whooshfast.reading",          # term index records, block matchers' _ids/_weights, _segments()
    "indexer.whooshfast.segwriter",        # SegmentWriter's own checks and boosts
}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def whoosh_internals(tree: ast.Module) -> set[str]:
    """What a module uses of Whoosh's internals: imports from its storage packages, private names
    imported from Whoosh, and private attributes it reads but does not define itself (only counted
    in modules that import Whoosh at all: a heuristic, as private attributes have no owner in an
    AST; the module's own `_names` — defs, assignments, class fields — are left out)."""
    own, found, uses_whoosh = set(), set(), False
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            own.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            own.add(node.attr)
        elif isinstance(node, (ast.AnnAssign, ast.Assign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            own.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                uses_whoosh |= alias.name.split(".")[0] == "whoosh"
                if alias.name.startswith(INTERNAL_PACKAGES):
                    found.add(f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "whoosh":
            uses_whoosh = True
            if node.module.startswith(INTERNAL_PACKAGES):
                found.add(f"from {node.module}")
            found.update(f"imports {a.name}" for a in node.names if _private(a.name))
    if uses_whoosh:
        found.update(f".{node.attr}" for node in ast.walk(tree)
                     if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)
                     and _private(node.attr) and node.attr not in own)
    return found


def test_whoosh_internals_stay_in_whooshfast():
    found = {name: uses for name, path in modules(*SOURCES)
             if (uses := whoosh_internals(ast.parse(path.read_text(encoding="utf-8"))))}
    assert set(found) == WHOOSH_INTERNALS, {name: sorted(uses) for name, uses in found.items()
                                            if name not in WHOOSH_INTERNALS}
    assert all(name.startswith(WHOOSH_OWNER + ".") for name in WHOOSH_INTERNALS)


def test_the_import_contract_protects_the_same_whoosh_modules():
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg", encoding="utf-8")
    contract = config["importlinter:contract:whoosh-internals-in-whooshfast"]
    assert contract["type"] == "protected"
    assert contract["protected_modules"].split() == list(INTERNAL_PACKAGES)
    assert contract["allowed_importers"].split() == [WHOOSH_OWNER, "whoosh"]


def test_the_whoosh_scan_sees_what_it_should():
    scan = lambda code: whoosh_internals(ast.parse(code))     # noqa: E731
    assert scan("from whoosh.filedb.filestore import FileStorage") == {"from whoosh.filedb.filestore"}
    assert scan("import whoosh.columns") == {"import whoosh.columns"}
    assert scan("from whoosh.codec.whoosh3 import _lenfield") == {"from whoosh.codec.whoosh3", "imports _lenfield"}
    assert scan("from whoosh import index\ndef f(ix):\n    return ix._segments()") == {"._segments"}
    # the module's own private names, and private names where Whoosh is not imported, are not counted
    assert scan("from whoosh import query\nclass A:\n    _lock = 1\n    def f(self, o):\n"
                "        o._x = 1\n        return o._x, self._lock, self._g()\n    def _g(self): pass") == set()
    assert scan("import os\nos._exit(1)") == set()


# ============================================================================ the SearchBackend seam

def test_search_engine_implements_the_backend_protocol():
    """Same methods, same parameters (names, defaults) and return types as the protocol."""
    from indexer.search.backend import SearchBackend
    from indexer.search.engine import SearchEngine
    members = [n for n, v in vars(SearchBackend).items() if inspect.isfunction(v) and not n.startswith("_")]
    assert sorted(members) == ["article", "highlight_texts", "search", "stats", "suggest"]
    for name in members:
        want, got = inspect.signature(getattr(SearchBackend, name)), inspect.signature(getattr(SearchEngine, name))
        assert got == want, (name, str(got), str(want))


# ============================================================================ broad excepts

# where `except Exception` (or BaseException, or a bare except) may stand without re-raising:
# a boundary where one failure must not take more down with it, each one logged or reported
BROAD_EXCEPTS = {
    "indexer.analytics:record",              # the search log must never fail a search
    "indexer.build:estimate_total",          # a progress estimate must never break a build
    "indexer.readers.tabular:xlsx_records",  # (2) a damaged workbook is a skipped file, reported
    "webapp.serve:_warm_worker",             # a worker that fails to boot stops all of gunicorn (logged)
    "webapp.serve:_watch_generations",       # the warm-up thread outlives one failed generation (logged)
    "webapp.views:article",                  # article marks are a nicety: the article shows unmarked
}


def _broad(handler: ast.ExceptHandler) -> bool:
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return handler.type is None or any(isinstance(n, ast.Name) and n.id in ("Exception", "BaseException")
                                       for n in names)


def _reraises(handler: ast.ExceptHandler) -> bool:
    return isinstance(handler.body[-1], ast.Raise)


def broad_excepts(tree: ast.Module) -> set[str]:
    found = set()
    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(func):
                if isinstance(node, ast.ExceptHandler) and _broad(node) and not _reraises(node):
                    found.add(func.name)
    return found


def test_broad_excepts_only_at_listed_boundaries():
    found = {f"{name}:{func}" for name, path in modules("indexer", "webapp")
             for func in broad_excepts(ast.parse(path.read_text(encoding="utf-8")))}
    assert found == BROAD_EXCEPTS
