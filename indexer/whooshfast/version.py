"""The Whoosh distribution indexer.whooshfast was verified with, checked when it is imported.

The package reads and writes Whoosh's files through private classes and attributes, so another
Whoosh (another fork, another release of this one) might not fail but write or read wrong
bytes. It must be this distribution at this version, or the import stops with `IncompatibleWhoosh`.
"""
from __future__ import annotations

from importlib import metadata

from indexer.errors import IncompatibleWhoosh

VERIFIED = ("whoosh-reloaded", "2.7.5")      # the pin in setup.cfg, and what the tests beside it pass on


def _importable() -> str:
    try:
        import whoosh
    except ImportError:
        return "no `whoosh` module is importable"
    return f"the importable `whoosh` module is {whoosh.versionstring()} from {whoosh.__file__}"


def check(distribution=None) -> None:
    """Raise IncompatibleWhoosh unless the installed `whoosh` is VERIFIED's distribution and version.

    `distribution` stands in for `importlib.metadata.distribution` (tests)."""
    name, version = VERIFIED
    fix = f"install it with `pip install {name}=={version}` (or re-verify indexer.whooshfast for another)"
    try:
        found = (distribution or metadata.distribution)(name)
    except metadata.PackageNotFoundError:
        raise IncompatibleWhoosh(f"indexer.whooshfast needs {name} {version}, which is not installed "
                                 f"({_importable()}); {fix}") from None
    if found.version != version:
        raise IncompatibleWhoosh(f"indexer.whooshfast was verified with {name} {version}, "
                                 f"but {name} {found.version} is installed; {fix}")
    import whoosh
    if whoosh.versionstring() != version:
        raise IncompatibleWhoosh(f"{name} {version} is installed, but {_importable()}; {fix}")
