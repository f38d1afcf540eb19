"""Index generations on disk, the CURRENT pointer and the writer lock.

Layout under ``index_data/``::

    CURRENT              name of the published generation (replaced atomically)
    gen-<stamp>/         a complete Whoosh index + build.json (report)
    tmp-<stamp>/         a build in progress (removed when found stale)
    .lock                flock()ed by the one running build/update

Readers only ever open the generation CURRENT names, so a build that fails or
is killed never touches what is being served.  flock() dies with its process,
so a SIGKILLed build leaves no stale lock behind.  Processes forked while the
lock is held (the stem pool, Whoosh's sub-writers) close their inherited copy of
the lock and are killed by the kernel when the build dies, so they can neither
keep the lock alive nor linger as orphans.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import signal
import time
from datetime import datetime, timezone
from pathlib import Path

from indexer.config import IndexSettings
from indexer.errors import LockedError  # raised here, and importable from here as before
from indexer.killpoint import kill_point

POINTER = "CURRENT"
LOCK = ".lock"
META = "build.json"


_HELD_LOCKS: list[int] = []      # writer-lock fds held by this process
_FORKING_PARENT = 0
_PR_SET_PDEATHSIG = 1


def _before_fork() -> None:
    global _FORKING_PARENT
    _FORKING_PARENT = os.getpid()


def _after_fork_in_child() -> None:
    """A child forked during a build must not hold the lock (flock belongs to the open file,
    shared with every fork) nor outlive the build (Whoosh's sub-writers wait on a queue forever
    when their parent is SIGKILLed, so the next build found the lock taken by a dead pid)."""
    if not _HELD_LOCKS:
        return
    for fd in _HELD_LOCKS:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD_LOCKS.clear()
    # Ctrl-C is the build's to handle: it stops its helpers itself (no traceback per helper)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the lock fd is closed at least
        return
    if os.getppid() != _FORKING_PARENT:  # the parent died before prctl took effect
        os._exit(1)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class IndexStore:
    def __init__(self, index: IndexSettings):
        self.root = Path(index.dir)
        self.keep = max(1, index.keep_generations)
        self.lock_wait = index.lock_wait_seconds

    # --- reading -------------------------------------------------------
    def current_name(self) -> str | None:
        try:
            name = (self.root / POINTER).read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

    def current(self) -> Path | None:
        """The published generation's folder, or None when nothing is published."""
        name = self.current_name()
        if name and (self.root / name).is_dir():
            return self.root / name
        return None

    def meta(self, generation: Path | None = None) -> dict:
        generation = generation or self.current()
        if generation is None:
            return {}
        try:
            return json.loads((generation / META).read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    # --- writing -------------------------------------------------------
    @contextlib.contextmanager
    def lock(self):
        """Exclusive writer lock; waits lock_wait_seconds, then raises LockedError."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.lock_wait
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        holder = os.pread(fd, 200, 0).decode(errors="replace").strip()
                        raise LockedError(
                            f"another build or update is running on {self.root} ({holder or 'unknown process'}); "
                            "wait for it to finish or set [index] lock_wait_seconds") from None
                    time.sleep(0.2)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} since {datetime.now().isoformat(timespec='seconds')}".encode(), 0)
            _HELD_LOCKS.append(fd)
            self._remove_stale_staging()
            yield
        finally:
            if fd in _HELD_LOCKS:
                _HELD_LOCKS.remove(fd)
            os.close(fd)  # closing releases the flock

    def _remove_stale_staging(self) -> None:
        """Left-overs of killed builds: safe to delete because we hold the lock."""
        for path in self.root.glob("tmp-*"):
            shutil.rmtree(path, ignore_errors=True)

    def new_staging(self) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        path = self.root / f"tmp-{stamp}"
        path.mkdir(parents=True)
        return path

    def copy_current_to_staging(self) -> Path:
        """Hard-link copy of the published generation (Whoosh never rewrites a file in place)."""
        current = self.current()
        staging = self.new_staging()
        if current is not None:
            for item in current.iterdir():
                if item.is_file() and item.name != META:
                    os.link(item, staging / item.name)
        return staging

    def publish(self, staging: Path, meta: dict) -> Path:
        """Make a finished staging folder the published generation, atomically."""
        final = self.root / ("gen-" + staging.name.removeprefix("tmp-"))
        meta = dict(meta, generation=final.name)
        (staging / META).write_text(json.dumps(meta, ensure_ascii=False, indent=1, default=str))
        kill_point("publish_meta")
        for item in staging.iterdir():
            with open(item, "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(staging)
        os.rename(staging, final)
        kill_point("publish_renamed")
        tmp_pointer = self.root / (POINTER + ".tmp")
        with open(tmp_pointer, "w") as fh:
            fh.write(final.name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        kill_point("publish_pointer")
        os.replace(tmp_pointer, self.root / POINTER)
        _fsync_dir(self.root)
        kill_point("publish_swapped")
        self._prune_generations(final.name)
        return final

    def generations(self) -> list[Path]:
        return sorted(p for p in self.root.glob("gen-*") if p.is_dir())

    def _prune_generations(self, current: str) -> None:
        # Readers that opened an older generation keep their open files (POSIX),
        # and we keep a few anyway so slow requests never race the delete.
        old = [p for p in self.generations() if p.name != current]
        for path in old[: max(0, len(old) - (self.keep - 1))]:
            shutil.rmtree(path, ignore_errors=True)
            kill_point("prune")
