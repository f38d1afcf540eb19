"""Everything Warta does below Whoosh's public API, in one package.

Whoosh (whoosh-reloaded 2.7.5, checked at import: `version.VERIFIED`) is fast enough only where
Warta bypasses it: its own codec and segment writer for builds, and whole posting lists and
columns as numpy arrays for searches. Those use Whoosh's private classes, attributes and file
layout; this package is the only place that may (tests/test_architecture.py checks it), and the
rest of Warta uses only the names below.

Writing
  `WartaCodec(inlinelimit=...)`       the W3 codec with a faster writer (the same files)
  `FastPositions(field_boost=...)`    a TEXT field's format whose indexing skips Whoosh's tokens
  `TermPool`, `TermPoolWriter(ix, codec=..., ...)`   write a segment from a term pool
  `ParallelWriter(ix, procs, segment_mb, ...)`       a full build's multi-process writer
Reading
  `posting_arrays(leaf, field, text, packed)` a term's (document numbers, weights) in one segment
  `packed_segments(ix)`               segment id -> its long lists as memory-mapped arrays
  `write_packed(ix, min_postings, procs)`  write those arrays for the segments lacking them (publish)
  `doc_frequencies(reader, field)`    term -> document frequency, every term of a field
  `alive`, `string_column`, `numeric_column`, `field_lengths`   column arrays of a reader
  `segment_ids(ix)`                   the index's segments

docs/architecture.md ("indexer.whooshfast") says what a move to another Whoosh would touch.
"""
from indexer.whooshfast import version

version.check()     # before anything below touches Whoosh's internals

from indexer.whooshfast.codec import WartaCodec                                   # noqa: E402
from indexer.whooshfast.columns import alive, field_lengths, numeric_column, string_column  # noqa: E402
from indexer.whooshfast.formats import FastPositions                              # noqa: E402
from indexer.whooshfast.packed import open_segments as packed_segments            # noqa: E402
from indexer.whooshfast.packed import write_missing as write_packed               # noqa: E402
from indexer.whooshfast.parallel import ParallelWriter                            # noqa: E402
from indexer.whooshfast.phrases import Unsupported as PhraseUnsupported          # noqa: E402
from indexer.whooshfast.phrases import match as phrase_docs                       # noqa: E402
from indexer.whooshfast.reading import doc_frequencies, posting_arrays, segment_ids  # noqa: E402
from indexer.whooshfast.segwriter import TermPool, TermPoolWriter                 # noqa: E402

__all__ = ["WartaCodec", "FastPositions", "TermPool", "TermPoolWriter", "ParallelWriter",
           "posting_arrays", "doc_frequencies", "alive", "string_column", "numeric_column",
           "field_lengths", "segment_ids", "phrase_docs", "PhraseUnsupported", "packed_segments", "write_packed"]
