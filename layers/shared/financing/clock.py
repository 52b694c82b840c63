"""The one injectable clock: every "now" and "today" in the platform comes from here."""

from collections.abc import Callable
from datetime import UTC, date, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """Current UTC time, truncated to whole milliseconds so it survives a round trip through JSON."""
    current = _now()
    return current.replace(microsecond=current.microsecond // 1000 * 1000)


def today() -> date:
    return now().date()


def set_clock(source: Callable[[], datetime]) -> None:
    """Replace the clock (tests, simulations). The source must return timezone-aware UTC datetimes."""
    global _now
    _now = source


def reset_clock() -> None:
    set_clock(lambda: datetime.now(UTC))


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a trailing Z, as every API object renders times."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
