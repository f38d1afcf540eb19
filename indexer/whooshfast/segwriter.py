"""A Whoosh SegmentWriter that groups postings by term as they arrive.

Whoosh's writer appends every posting to one big list as a (field, term, docnum, weight, value)
tuple, sorts the list at commit and then feeds the codec one posting at a time. `TermPool` keeps
one list per (field, term) instead, so the commit sorts only the distinct terms and hands the
codec whole posting lists (`WartaCodec`'s writer stores them a block at a time, short ones straight
into the term index). The segment files are the same bytes (tests/test_whooshfast_segwriter.py
compares them with Whoosh's own writer's); measurements: docs/decisions.md ("Builds").

The pool never spills to disk, so its owner must bound it: a build's writer processes finish a
segment when `currentsize` passes `segment_mb` (indexer.whooshfast.parallel). Updates, whose size
is not known in advance, keep Whoosh's spilling writer. Segment merges (`add_reader`) go through
the same `pool.add` and work too.
"""
from __future__ import annotations

from whoosh.writing import SegmentWriter

from indexer.whooshfast.codec import FieldLengths
from indexer.whooshfast.formats import ONE_POSITION, encode_positions, fast_index, fast_positions

_POSTING_BYTES = 110        # what Whoosh's pool counts per posting (kept: the same segment boundaries)
_TERM_BYTES = 200           # a new term's key, list and dictionary entry, roughly
_SHARED_WEIGHTS = 64        # frequencies whose weight (freq x field boost) is one shared float


class TermPool:
    """Postings of one segment in memory: field -> term bytes -> a flat list
    `[docnum, weight, vbytes, docnum, weight, vbytes, ...]`.

    Flat, not a tuple per posting: three list slots (24 bytes) instead of a slot and a 64-byte
    tuple, and the common weights are shared floats, so a posting costs ~24 bytes instead of ~96
    and the writer slices the three columns out in C (`postings[0::3]`)."""

    def __init__(self):
        self.fields: dict[str, dict[bytes, list]] = {}
        self.currentsize = 0            # estimated bytes, as Whoosh's PostingPool counts them
        self._last_docnum = -1
        self._in_order = True           # postings arrived in docnum order (a term's list needs no sort)
        self._weights: dict[float, list[float]] = {}    # field boost -> weight of freq 0..63

    def add(self, item) -> None:
        """Whoosh's pool interface: item = (fieldname, tbytes, docnum, weight, vbytes)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        if docnum < 0:                  # Whoosh's spelling marker; its field writer ignores it too
            return
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        postings = terms.get(tbytes)
        if postings is None:
            postings = terms[tbytes] = []
            self.currentsize += _TERM_BYTES + len(tbytes)
        postings += (docnum, weight, vbytes)
        self.currentsize += _POSTING_BYTES + (len(vbytes) if vbytes else 0)
        self._saw(docnum)

    def add_positions(self, fieldname: str, docnum: int, positions: dict, field_boost: float) -> int:
        """A document's postings of one positional field, as `FastPositions` gives them to Whoosh
        (weight = frequency x field boost); returns the field length (total frequency)."""
        if not positions:               # an empty field: no postings, so not a field of the segment
            return 0
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        weights = self._weights.get(field_boost)
        if weights is None:
            weights = self._weights[field_boost] = [freq * field_boost for freq in range(_SHARED_WEIGHTS)]
        one_position = ONE_POSITION.get
        size = length = 0
        for term, poslist in positions.items():
            freq = len(poslist)
            length += freq
            btext = term.encode("utf-8")
            postings = terms.get(btext)
            if postings is None:
                postings = terms[btext] = []
                size += _TERM_BYTES + len(btext)
            value = one_position(poslist[0]) if freq == 1 else None
            if value is None:
                value = encode_positions(poslist)
            postings += (docnum, weights[freq] if freq < _SHARED_WEIGHTS else freq * field_boost, value)
            size += _POSTING_BYTES + len(value)
        self.currentsize += size
        self._saw(docnum)
        return length

    def _saw(self, docnum: int) -> None:
        if docnum < self._last_docnum:
            self._in_order = False
        self._last_docnum = docnum

    def write(self, fieldwriter, schema, lengths) -> None:
        """Write every posting list through a `WartaCodec` field writer, in (field, term, docnum) order."""
        table = FieldLengths(lengths) if lengths is not None else None
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            fieldobj = schema[fieldname]
            fieldwriter.start_field(fieldname, fieldobj)
            field_lengths = table.column(fieldname) if table is not None and fieldobj.scorable else None
            for btext in sorted(terms):
                postings = terms[btext]
                if not self._in_order:
                    postings = _flat(sorted(_triples(postings)))    # as Whoosh orders postings
                fieldwriter.add_term_postings(btext, postings, field_lengths)
            fieldwriter.finish_field()

    def cleanup(self) -> None:
        self.fields = {}
        self.currentsize = 0


def _triples(flat: list):
    return zip(flat[0::3], flat[1::3], flat[2::3])


def _flat(triples: list[tuple]) -> list:
    return [item for triple in triples for item in triple]


class TermPoolWriter(SegmentWriter):
    """`SegmentWriter` with a `TermPool` (needs `WartaCodec`). Use like Whoosh's writer."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self.pool.cleanup()             # Whoosh's PostingPool: nothing spilled yet
        self.pool = TermPool()
        # term vectors and separate spelling words (neither is in Warta's schema) take Whoosh's path
        self._whoosh_path = any(field.vector or field.separate_spelling() for _, field in self.schema.items())

    def add_document(self, **fields):
        """Whoosh's `SegmentWriter.add_document` (same per-document data, same postings), except that
        fields with the fast posting path go straight into the pool: one loop per field instead of
        four nested generators and a tuple per posting."""
        if self._whoosh_path:
            return super().add_document(**fields)
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    positions = fast_positions(field, value) if fieldboost == 1.0 else None
                    if positions is not None:
                        length = pool.add_positions(fieldname, docnum, positions, field.format.field_boost)
                        if not field.scorable:
                            length = 0
                    else:
                        items = fast_index(field, value)
                        for tbytes, freq, weight, vbytes in (field.index(value) if items is None else items):
                            if field.scorable:
                                length += freq
                            pool.add((fieldname, tbytes, docnum, weight * fieldboost, vbytes))
                customval = fields.get("_stored_%s" % fieldname, value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        self.pool.write(self.fieldwriter, self.schema, lengths)
        self.fieldwriter.close()
        if lengths is not None:
            lengths.close()
