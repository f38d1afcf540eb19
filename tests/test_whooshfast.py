"""indexer.whooshfast as a package: the Whoosh it checks for at import, the names existing indexes
pickle, and its interface. Its parts are tested beside it (tests/test_whooshfast_*.py)."""
from __future__ import annotations

import pickle
import subprocess
import sys
from importlib import metadata

import pytest
from whoosh import index as whoosh_index
from whoosh.query import Term

from indexer import whooshfast
from indexer.config import AnalysisSettings
from indexer.errors import IncompatibleWhoosh, WartaError
from indexer.schema import make_schema
from indexer.whooshfast import version
from tests.support import REPO


class FakeDistribution:
    def __init__(self, version_string: str):
        self.version = version_string


def test_the_installed_whoosh_is_the_verified_one():
    assert version.VERIFIED == ("whoosh-reloaded", "2.7.5")
    assert metadata.version("whoosh-reloaded") == "2.7.5"
    version.check()
    assert "whoosh-reloaded==2.7.5" in (REPO / "setup.cfg").read_text(encoding="utf-8")


def test_another_whoosh_version_is_a_clear_error():
    with pytest.raises(IncompatibleWhoosh) as err:
        version.check(lambda name: FakeDistribution("2.7.6"))
    assert str(err.value) == ("indexer.whooshfast was verified with whoosh-reloaded 2.7.5, but "
                              "whoosh-reloaded 2.7.6 is installed; install it with `pip install "
                              "whoosh-reloaded==2.7.5` (or re-verify indexer.whooshfast for another)")
    assert isinstance(err.value, WartaError) and isinstance(err.value, RuntimeError)


def test_another_whoosh_distribution_is_a_clear_error():
    def missing(name):
        raise metadata.PackageNotFoundError(name)
    with pytest.raises(IncompatibleWhoosh, match=r"needs whoosh-reloaded 2\.7\.5, which is not installed "
                                                 r"\(the importable `whoosh` module is 2\.7\.5 from "):
        version.check(missing)


def test_the_check_runs_when_the_package_is_imported():
    """Another installed version stops the import (of the CLI too) before any Whoosh internals run."""
    script = ("import importlib.metadata as m\n"
              "real = m.distribution\n"
              "class D: version = '3.0.0'\n"
              "m.distribution = lambda name: D() if name == 'whoosh-reloaded' else real(name)\n"
              "import indexer.build\n")
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr.splitlines()[-1] == (
        "indexer.errors.IncompatibleWhoosh: indexer.whooshfast was verified with whoosh-reloaded 2.7.5, "
        "but whoosh-reloaded 3.0.0 is installed; install it with `pip install whoosh-reloaded==2.7.5` "
        "(or re-verify indexer.whooshfast for another)")


def test_indexes_name_the_codec_and_format_by_their_old_path(tmp_path):
    """The TOC pickles the schema's format and each segment's codec by module path: indexes built
    before the package existed say indexer.postings, and so do new ones (the same bytes)."""
    import indexer.postings
    assert indexer.postings.WartaCodec is whooshfast.WartaCodec
    assert indexer.postings.FastPositions is whooshfast.FastPositions
    ix = whoosh_index.create_in(str(tmp_path), make_schema(AnalysisSettings()))
    with ix.writer(codec=whooshfast.WartaCodec(inlinelimit=16)) as writer:
        writer.add_document(id="1", title="Korut uji rudal", body="Rudal ditembakkan.")
    (toc,) = tmp_path.glob("_MAIN_*.toc")
    data = toc.read_bytes()
    assert b"indexer.postings" in data and b"WartaCodec" in data and b"FastPositions" in data
    assert b"indexer.whooshfast" not in data
    reopened = whoosh_index.open_dir(str(tmp_path))
    assert type(reopened.schema["title"].format) is whooshfast.FastPositions
    assert type(reopened._segments()[0].codec()) is whooshfast.WartaCodec
    with reopened.searcher() as searcher:
        assert [hit["id"] for hit in searcher.search(Term("title", "rudal"))] == ["1"]
    assert type(pickle.loads(pickle.dumps(whooshfast.WartaCodec()))) is whooshfast.WartaCodec


def test_the_interface():
    assert sorted(whooshfast.__all__) == sorted([
        "WartaCodec", "FastPositions", "TermPool", "TermPoolWriter", "ParallelWriter", "posting_arrays",
        "doc_frequencies", "alive", "string_column", "numeric_column", "field_lengths", "segment_ids",
        "phrase_docs", "PhraseUnsupported", "packed_segments", "write_packed"])
    assert all(hasattr(whooshfast, name) for name in whooshfast.__all__)
