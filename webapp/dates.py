"""Indonesian dates for pages: ``Jumat, 12 Juli 2024``, ``12 Juli 2024, 14.05 WIB``, ``September 2019``."""
from __future__ import annotations

from datetime import date, datetime

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")


def format_date(value: date | datetime | None, weekday: bool = True) -> str:
    """``Jumat, 12 Juli 2024`` (or ``12 Juli 2024`` without the weekday); '' for None."""
    if value is None:
        return ""
    text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return f"{DAYS[value.weekday()]}, {text}" if weekday else text


def format_datetime(value: datetime | date | None) -> str:
    """``Jumat, 12 Juli 2024, 14.05 WIB``; the time is left out when it is exactly midnight
    (readers store a missing time as 00:00, so midnight usually means "no time known")."""
    if value is None:
        return ""
    text = format_date(value)
    if isinstance(value, datetime) and (value.hour, value.minute) != (0, 0):
        text += f", {value.hour:02d}.{value.minute:02d} WIB"
    return text


def month_label(value: str) -> str:
    """``2019-09`` → ``September 2019`` (anything unexpected is returned unchanged)."""
    try:
        year, month = value.split("-", 1)
        return f"{MONTHS[int(month) - 1]} {int(year)}"
    except (ValueError, IndexError):
        return value


def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None
