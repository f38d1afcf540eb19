"""A small progress line on stderr: count, docs/s and ETA when the total is known."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, label: str, total: int | None = None, enabled: bool = True, stream=None):
        self.label, self.total, self.enabled = label, total, enabled
        self.stream = stream or sys.stderr
        self.count = 0
        self.start = time.monotonic()
        self._last = 0.0

    def step(self, n: int = 1) -> None:
        self.count += n
        now = time.monotonic()
        if self.enabled and now - self._last >= 0.5:
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.start, 1e-9)
        rate = self.count / elapsed
        text = f"\r{self.label}: {self.count}"
        if self.total and self.count <= self.total:      # an estimate that fell short is not shown
            eta = (self.total - self.count) / rate if rate else 0
            text += f"/{self.total} ({100 * self.count / self.total:.0f}%) ETA {eta:.0f}s"
        text += f" — {rate:.0f} docs/s"
        self.stream.write(text.ljust(70))
        self.stream.flush()

    def done(self, message: str = "") -> None:
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write(f" {message}\n")
            self.stream.flush()
