"""The timeline of a result set: how many results per day, week, month or year.

Pure numpy. Each generation keeps one int32 day number per document (`Days`, made once when the
snapshot opens); a request costs one gather and one `bincount` of the selected documents' day
numbers, then the per-day counts are summed into at most ~60 calendar buckets.

* Granularity: the finest that keeps the bars few, over the span of the dated results
  (first to last day): day up to 45 days, week (Monday to Sunday) up to 53 weeks, month up to
  60 months, else years (several per bar when even that is more than 60 bars).
* Buckets follow the calendar but never reach outside the request's `from`/`to`, so a bucket's
  `start`..`end` used as `from`/`to` lists exactly its `count` results.
* Empty buckets are kept (time runs linearly along the bars); undated results are in no bucket
  and counted in `undated`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from indexer.datenames import MONTHS, SHORT_MONTHS
from indexer.search.model import Timeline, TimelineBucket

DAY = 86400 * 10**6      # Whoosh datetime longs count microseconds since datetime.min (ordinal day 1)
MAX_DAY_BARS = 45        # up to about six weeks: one bar per day
MAX_WEEK_BARS = 53       # up to a year: one bar per week
MAX_BARS = 60            # months while at most this many bars, then years
_LAST_ORDINAL = date.max.toordinal()


@dataclass(frozen=True)
class Days:
    """The publication day of every document, as a small number: 0 = no date, else the day's
    `date.toordinal()` - `first` + 1."""
    first: int
    index: np.ndarray        # int32 per document number

    @classmethod
    def of(cls, published: np.ndarray, dated: np.ndarray) -> "Days":
        """From Whoosh datetime longs; `dated` marks the documents that have a date."""
        ordinal = published[dated] // DAY + 1
        first = int(ordinal.min()) if ordinal.size else 1
        index = np.zeros(len(published), dtype=np.int32)
        index[dated] = ordinal - (first - 1)
        return cls(first, index)


def build(days: Days, selected: np.ndarray, date_from: date | None = None,
          date_to: date | None = None) -> Timeline:
    """The timeline of the `selected` documents; `date_from`/`date_to` are the request's range."""
    per_day = np.bincount(days.index[selected])
    undated = int(per_day[0]) if per_day.size else 0
    seen = np.flatnonzero(per_day[1:])
    if not seen.size:
        return Timeline(None, (), undated)
    per_day = per_day[1 + seen[0]: 2 + seen[-1]]
    first, last = days.first + int(seen[0]), days.first + int(seen[-1])
    granularity, years, edges = calendar_edges(first, last)
    counts = np.add.reduceat(per_day, [max(e, first) - first for e in edges[:-1]])
    lo = date_from.toordinal() if date_from else 1
    hi = date_to.toordinal() if date_to else _LAST_ORDINAL
    buckets = []
    for i, count in enumerate(counts.tolist()):
        start = date.fromordinal(max(edges[i], lo))
        end = date.fromordinal(min(edges[i + 1] - 1, hi))
        buckets.append(TimelineBucket(start, end, int(count), range_label(start, end)))
    return Timeline(granularity, tuple(buckets), undated, years)


def calendar_edges(first: int, last: int) -> tuple[str, int, list[int]]:
    """(granularity, years per bucket, edges) for the days `first`..`last` (ordinals): bucket i
    runs from edges[i] to edges[i + 1] - 1."""
    if last - first + 1 <= MAX_DAY_BARS:
        return "day", 1, list(range(first, last + 2))
    monday = first - (first - 1) % 7          # ordinal 1 (0001-01-01) is a Monday
    if (last - monday) // 7 + 1 <= MAX_WEEK_BARS:
        return "week", 1, list(range(monday, last + 1, 7)) + [monday + 7 * ((last - monday) // 7 + 1)]
    a, b = date.fromordinal(first), date.fromordinal(last)
    months = (b.year - a.year) * 12 + b.month - a.month + 1
    if months <= MAX_BARS:
        index = [a.year * 12 + a.month - 1 + i for i in range(months + 1)]
        return "month", 1, [_month_start(m // 12, m % 12 + 1) for m in index]
    step = math.ceil((b.year - a.year + 1) / MAX_BARS)
    years = range(max(1, a.year - a.year % step), b.year + step + 1, step)
    edges = [_month_start(y, 1) for y in years]
    while len(edges) > 2 and edges[-2] > last:    # the range may overshoot by one bucket
        edges.pop()
    return "year", step, edges


def _month_start(year: int, month: int) -> int:
    return date(year, month, 1).toordinal() if year <= date.max.year else _LAST_ORDINAL + 1


def range_label(start: date, end: date) -> str:
    """Indonesian text for a span of days: "3 Sep 2019", "3–9 Sep 2019", "September 2019",
    "30 Sep–6 Okt 2019", "2019", "2016–2019"."""
    whole_months = start.day == 1 and _is_month_end(end)
    if whole_months and (start.month, end.month) == (1, 12):
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    if whole_months and (start.year, start.month) == (end.year, end.month):
        return f"{MONTHS[start.month - 1]} {start.year}"
    if start == end:
        return _day(end)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{_day(end)}"
    if start.year == end.year:
        return f"{start.day} {SHORT_MONTHS[start.month - 1]}–{_day(end)}"
    return f"{_day(start)}–{_day(end)}"


def _day(d: date) -> str:
    return f"{d.day} {SHORT_MONTHS[d.month - 1]} {d.year}"


def _is_month_end(d: date) -> bool:
    return d == date.max or (d + timedelta(days=1)).day == 1
