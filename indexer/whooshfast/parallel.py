"""A multi-process Whoosh writer for full builds: bounded segments, no external sort.

Whoosh's MpWriter hands batches of documents to sub-writer processes through job files, which
is kept here. What changes is what a sub-writer does when its posting pool fills up: Whoosh
pickles the pool to a temporary run and merges all runs at commit (a cost that grows with the
archive); a `SegmentTask` instead writes the pool out as a finished segment and starts the next
one. So a sub-writer's memory is bounded by `segment_mb`, every posting is written once, and the
index has a few segments per process (searches read them as one; `warta-index update` merges
when there are too many).

Sub-writers stem unseen words themselves and hand the new stems back with their segments, so
the parent can keep the on-disk stem table current (indexer.stemcache).
"""
from __future__ import annotations

import queue

from whoosh.multiproc import MpWriter, SubWriterTask

from indexer import stemcache
from indexer.whooshfast.segwriter import TermPoolWriter

_NO_SPILL_MB = 1 << 20      # a sub-writer's own pool limit: never reached, segments roll over first


class SegmentTask(SubWriterTask):
    """A sub-writer process that finishes a segment whenever its pool passes `segment_mb`."""

    def __init__(self, *args, segment_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.segment_bytes = segment_mb * 1024 * 1024

    def _new_writer(self, ix) -> TermPoolWriter:
        options = dict(self.kwargs, limitmb=_NO_SPILL_MB)
        self.writer = TermPoolWriter(ix, _lk=False, **options)
        return self.writer

    def run(self):
        ix = self.storage.open_index(self.indexname)
        analyzer = ix.schema["body"].analyzer if "body" in ix.schema else None
        mark = stemcache.learning(analyzer)
        segments = []
        writer = self._new_writer(ix)
        while self.running:
            job = self.jobqueue.get()
            if job is None:
                break
            self._process_file(*job)
            if writer.pool.currentsize > self.segment_bytes:
                segments.append(writer._finalize_segment())
                writer = self._new_writer(ix)
        if not self.running:
            writer.cancel()
            return
        if writer._added:
            segments.append(writer._finalize_segment())
        else:
            writer._close_segment()
        self.resultqueue.put((segments, stemcache.learned(analyzer, mark)))


class ParallelWriter(MpWriter):
    """MpWriter (multisegment) whose sub-writers are `SegmentTask`s. Use like any Whoosh writer."""

    def __init__(self, ix, procs: int, segment_mb: int, **kwargs):
        super().__init__(ix, procs=procs, multisegment=True, **kwargs)
        self.segment_mb = segment_mb
        self.learned_stems: dict[str, str] = {}

    def _new_task(self):
        task = SegmentTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                           self.subargs, True, segment_mb=self.segment_mb)
        self.tasks.append(task)
        task.start()
        return task

    def _results(self) -> list:
        """One result per sub-writer, read before joining them (a process cannot exit while its
        result is still in the pipe); a sub-writer that died is an error, not a hang."""
        results = []
        while len(results) < len(self.tasks):
            try:
                results.append(self.resultqueue.get(timeout=1))
            except queue.Empty:
                failed = [t for t in self.tasks if t.exitcode not in (None, 0)]
                if failed:
                    raise RuntimeError(f"index writer process {failed[0].pid} failed "
                                       f"(exit code {failed[0].exitcode})") from None
        return results

    def _commit(self, mergetype, optimize, merge):
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self.jobqueue.put(None)
        finalsegments = self._merge_segments(mergetype, optimize, merge)
        results = self._results()
        for task in self.tasks:
            task.join()
        for segments, stems in results:
            finalsegments += segments
            self.learned_stems.update(stems)
        if self._added:
            finalsegments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(finalsegments)
        self._finish()
