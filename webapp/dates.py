"""Indonesian dates for pages: ``Jumat, 12 Juli 2024``, ``12 Juli 2024, 14.05 WIB`` (month labels,
``September 2019``, are `indexer.datenames.month_label`)."""
from __future__ import annotations

from datetime import date, datetime

from indexer.datenames import MONTHS, WEEKDAYS


def format_date(value: date | datetime | None, weekday: bool = True) -> str:
    """``Jumat, 12 Juli 2024`` (or ``12 Juli 2024`` without the weekday); '' for None."""
    if value is None:
        return ""
    text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return f"{WEEKDAYS[value.weekday()]}, {text}" if weekday else text


def format_datetime(value: datetime | date | None) -> str:
    """``Jumat, 12 Juli 2024, 14.05 WIB``; the time is left out when it is exactly midnight
    (readers store a missing time as 00:00, so midnight usually means "no time known")."""
    if value is None:
        return ""
    text = format_date(value)
    if isinstance(value, datetime) and (value.hour, value.minute) != (0, 0):
        text += f", {value.hour:02d}.{value.minute:02d} WIB"
    return text


def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None
