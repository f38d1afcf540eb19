"""Deterministic crash points for the crash-safety tests (tests/test_crash.py).

With ``WARTA_TEST_KILL_AT="<point>:<n>[:<SIGNAL>[:group]]"`` in the environment, the n-th time
this process reaches kill point ``<point>`` it sends itself ``SIG<SIGNAL>`` (default ``KILL``;
``INT``, ``TERM`` and ``STOP`` are also used by the tests), or with ``group`` its whole process
group, as Ctrl-C in a terminal does. Without the variable a kill point is one environment lookup. Points: ``read``, ``stem_collect``, ``stem_pool``, ``write``, ``commit``,
``committed``, ``stem_save``, ``update_linked``, ``optimize`` (indexer/build.py, indexer/stemcache.py) and
``publish_meta``, ``publish_renamed``, ``publish_pointer``, ``publish_swapped``, ``prune``
(indexer/store.py).
"""
from __future__ import annotations

import os
import signal

ENV = "WARTA_TEST_KILL_AT"
_reached: dict[str, int] = {}


def kill_point(point: str) -> None:
    spec = os.environ.get(ENV)
    if not spec or spec.partition(":")[0] != point:
        return
    _, count, sig, target = (spec.split(":") + ["", "", ""])[:4]
    _reached[point] = _reached.get(point, 0) + 1
    if _reached[point] == int(count or 1):
        signum = getattr(signal, "SIG" + (sig or "KILL"))
        if target == "group":
            os.killpg(os.getpgid(0), signum)
        else:
            os.kill(os.getpid(), signum)
