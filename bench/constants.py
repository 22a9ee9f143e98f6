"""What every bench shares: the clock (the fixture network's reference date) and the
operator credentials the benches' apps are started with."""

from __future__ import annotations

from datetime import UTC, datetime

NOW = datetime(2026, 6, 15, tzinfo=UTC)
KEY = "bench-operator-key"
HEADERS = {"Authorization": f"Bearer {KEY}"}
