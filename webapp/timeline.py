"""The timeline above the results: SVG geometry and links for templates/_timeline.html.

Server-side only (no chart script; the CSP forbids inline styles, so sizes are SVG geometry
attributes and colours come from app.css). The SVG is drawn in a viewBox of COLUMN units per
bucket and HEIGHT units high, stretched to the page width (no text inside it, so nothing is
distorted). A bucket with articles is a link that sets `from`/`to` to its days and keeps every
other parameter; an empty bucket is a gap, not a link, so no bar leads to an empty page.
"""
from __future__ import annotations

from dataclasses import dataclass

from indexer.search.model import SearchRequest, Timeline
from indexer.search.timeline import range_label
from webapp import links, quantities

COLUMN = 10          # viewBox units per bucket
HEIGHT = 100         # viewBox height
TOP = 8              # room above the tallest bar
MIN_BAR = 4          # a bucket with one article still shows
GRANULARITY = {"day": "per hari", "week": "per minggu (Senin–Minggu)", "month": "per bulan",
               "year": "per tahun"}


@dataclass(frozen=True)
class Bar:
    x: float             # column (hit area) left edge
    bar_x: float
    bar_width: float
    y: float
    height: float
    count: int
    label: str           # "3–9 Sep 2019"
    text: str            # "12 artikel, 3–9 Sep 2019" (link name and tooltip)
    href: str | None     # None for an empty bucket
    current: bool        # the bucket is exactly the active from/to range


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int           # viewBox width
    height: int
    column: int
    scale: str           # "per minggu (Senin–Minggu)"
    first: str           # label of the first day shown
    last: str            # label of the last day shown
    undated: int         # results without a date (not drawn; said in the note and the table)
    reset_href: str | None   # clears from/to; None when neither is set


def timeline_chart(timeline: Timeline | None, req: SearchRequest, base: str, args) -> Chart | None:
    """The chart of a result's timeline, or None when no result has a date."""
    if timeline is None or not timeline.buckets:
        return None
    buckets = timeline.buckets
    tallest = max(b.count for b in buckets) or 1
    hrefs = iter(links.range_urls(base, args, [(b.start.isoformat(), b.end.isoformat()) for b in buckets if b.count]))
    bars = []
    for i, b in enumerate(buckets):
        height = 0.0 if not b.count else max(MIN_BAR, (HEIGHT - TOP) * b.count / tallest)
        text = f"{quantities.format_number(b.count)} artikel, {b.label}"
        href = next(hrefs) if b.count else None
        bars.append(Bar(x=i * COLUMN, bar_x=i * COLUMN + 1, bar_width=COLUMN - 2, y=round(HEIGHT - height, 2),
                        height=round(height, 2), count=b.count, label=b.label, text=text, href=href,
                        current=(b.start, b.end) == (req.date_from, req.date_to)))
    scale = GRANULARITY.get(timeline.granularity or "", "")
    if timeline.granularity == "year" and timeline.years > 1:
        scale = f"per {timeline.years} tahun"
    has_range = req.date_from is not None or req.date_to is not None
    return Chart(bars=bars, width=len(bars) * COLUMN, height=HEIGHT, column=COLUMN, scale=scale,
                 first=range_label(buckets[0].start, buckets[0].start),
                 last=range_label(buckets[-1].end, buckets[-1].end),
                 undated=timeline.undated,
                 reset_href=links.url_with(base, args, from_=None, to=None) if has_range else None)
