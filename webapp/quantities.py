"""Indonesian numbers for pages: counts with a thousands dot (``1.234``), seconds with a decimal
comma (``0,05``)."""
from __future__ import annotations


def format_number(value: int | float) -> str:
    """``1234567`` → ``1.234.567`` (Indonesian thousands separator)."""
    return f"{int(value):,}".replace(",", ".")


def format_seconds(milliseconds: float) -> str:
    """``53.2`` ms → ``0,05`` (seconds, two decimals, decimal comma); under 5 ms, where that would
    read ``0,00``, ``kurang dari 0,01``."""
    if milliseconds < 5:
        return "kurang dari 0,01"
    return f"{max(0.0, milliseconds) / 1000:.2f}".replace(".", ",")
