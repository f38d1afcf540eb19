"""Every error Warta raises on purpose, under one base: `WartaError`.

A `WartaError` carries a message fit to show as it is (one line, no traceback needed). The front
ends map the hierarchy once: `indexer.cli.exit_code` to an exit status (docs/cli.md) and
`webapp.errors` to an HTTP status (docs/api.md). Anything else that escapes is a bug: the CLI shows
its traceback, the web app logs it and answers 500.

The classes keep the names and the built-in bases (`ValueError`, `RuntimeError`) they had in the
modules that raise them, and those modules re-export them, so `from indexer.config import
ConfigError` and `except ValueError` keep working. They live here so that a front end or another
search backend can name them without importing the module that raises them (the Whoosh engine,
the build).
"""
from __future__ import annotations

__all__ = ["WartaError", "ConfigError", "SourceError", "LexiconError", "BuildError", "LockedError",
           "IndexUnavailable", "IncompatibleWhoosh", "RequestError", "EvalError"]


class WartaError(Exception):
    """Base of Warta's own errors: an expected failure with a message for people."""


# --- configuration and input (the operator's side) -------------------------------------------

class ConfigError(WartaError, ValueError):
    """The configuration file is missing, unreadable or has a wrong value."""


class SourceError(WartaError):
    """A source cannot be read at all: its path is missing or unreadable, or it is misconfigured."""


class LexiconError(WartaError, ValueError):
    """A lexicon line cannot be read."""


class EvalError(WartaError, ValueError):
    """A query or qrels file (or an eval `--set` override) cannot be read."""


# --- building and the index -------------------------------------------------------------------

class BuildError(WartaError, RuntimeError):
    """A build that cannot start or must stop (no sources, --strict skip, ...)."""


class LockedError(WartaError, RuntimeError):
    """Another build or update holds the writer lock (the CLI exits 3: "busy, skip")."""


class IndexUnavailable(WartaError, RuntimeError):
    """No index generation has been published yet (run `warta-index build`)."""


class IncompatibleWhoosh(WartaError, RuntimeError):
    """The installed Whoosh is not the one indexer.whooshfast was verified with (it reads and
    writes Whoosh's files through its private API, so another version could be silently wrong)."""


# --- a search request (the reader's side) ----------------------------------------------------

class RequestError(WartaError, ValueError):
    """A search request with a bad parameter: the client's fault (HTTP 400, CLI exit 2).

    `code` is stable (for programs), `message` is for readers (Indonesian), `param` names the
    parameter ("" when none)."""

    def __init__(self, code: str, message: str, param: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.param = param
