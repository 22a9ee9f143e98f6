"""Clocks: the system clock for the server, a fixed one for tests and reproducible runs."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The real time, aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """Always returns the instant it was built with (must be aware)."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = now

    def now(self) -> datetime:
        return self._now
