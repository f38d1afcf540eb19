"""Indonesian names of months and weekdays, and the month label, defined once.

Used for dates on pages (webapp.dates), the month facet (indexer.search.engine), the timeline's
labels (indexer.search.timeline) and reading dates (indexer.readers.dates). The JavaScript copies
(webapp/static/app.js, webapp/static/widget/warta-widget.js) cannot import this:
tests/test_datenames.py checks that they are equal to it.
"""
from __future__ import annotations

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")   # date.weekday() order


def month_label(value: str) -> str:
    """``2019-09`` → ``September 2019`` (anything unexpected is returned unchanged)."""
    try:
        year, month = value.split("-", 1)
        return f"{MONTHS[int(month) - 1]} {int(year)}"
    except (ValueError, IndexError):
        return value
