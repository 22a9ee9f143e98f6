"""Scheduled swaps on a WordPress network belong to the plugin's scheduler (issue 10).

The real app's lifespan runs its apply-due loop over the fixture network, whose membership 1
carries a plugin-made downgrade (Premium -> Basic, due 2026-07-03 23:59:59): planswitch leaves
it alone unless ``wordpress_apply_due`` is on, and logs what it applies when it is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from planswitch.server.app import create_app
from planswitch.server.clock import FixedClock
from planswitch.server.settings import Settings
from sqlalchemy import create_engine, text

from tests.adapters.wordpress import conftest as wordpress_fixtures

pytestmark = pytest.mark.mariadb

load_wordpress_fixture = wordpress_fixtures.load_wordpress_fixture
AFTER_THE_SWAP = datetime(2026, 7, 10, 12, 0, 0, tzinfo=UTC)


def _settings(url: str, *, apply_due: bool) -> Settings:
    return Settings(
        wordpress_url=url,
        wordpress_writes=True,
        wordpress_apply_due=apply_due,
        demo=False,
        api_keys=["apply-due-operator-key-0123456789abcdef"],
        secret_key="apply-due-secret-0123456789abcdef0123456789abcdef",
        apply_due_interval_seconds=1,
    )


async def _serve_briefly(settings: Settings, until: Callable[[], bool] | None = None) -> None:
    """Serve for 1.5 s (the loop's first round runs at once), or, given ``until``, as long as
    it takes for it to hold (at most 30 s: a loaded machine may take more than 1.5 s)."""
    app = create_app(settings, clock=FixedClock(AFTER_THE_SWAP))
    async with app.router.lifespan_context(app):
        if until is None:
            await asyncio.sleep(1.5)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while not until() and loop.time() < deadline:
            await asyncio.sleep(0.05)


def _plan_and_swap(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            plan = conn.execute(text("SELECT plan_id FROM wp_wu_memberships WHERE id = 1")).scalar()
            swaps = conn.execute(
                text(
                    "SELECT COUNT(*) FROM wp_wu_membershipmeta "
                    "WHERE wu_membership_id = 1 AND meta_key = 'wu_swap_order'"
                )
            ).scalar()
    finally:
        engine.dispose()
    return int(plan), int(swaps)


async def test_a_plugin_made_swap_is_left_to_the_plugin_by_default(
    load_wordpress_fixture: Callable[..., str], caplog: pytest.LogCaptureFixture
) -> None:
    url = load_wordpress_fixture()
    assert _plan_and_swap(url) == (2, 1)
    with caplog.at_level(logging.INFO):
        await _serve_briefly(_settings(url, apply_due=False))
    assert _plan_and_swap(url) == (2, 1)
    assert "left to the plugin's Action Scheduler" in caplog.text
    assert "applied the scheduled change" not in caplog.text


async def test_an_operator_can_let_planswitch_apply_it_and_every_change_is_logged(
    load_wordpress_fixture: Callable[..., str], caplog: pytest.LogCaptureFixture
) -> None:
    url = load_wordpress_fixture()

    def logged_an_application() -> bool:
        return any("applied the scheduled change" in r.getMessage() for r in caplog.records)

    with caplog.at_level(logging.INFO):
        await _serve_briefly(_settings(url, apply_due=True), until=logged_an_application)
    assert _plan_and_swap(url) == (3, 0)
    applied = [
        r.getMessage() for r in caplog.records if "applied the scheduled change" in r.message
    ]
    assert len(applied) == 1
    assert applied[0].startswith("applied the scheduled change of membership 1: plan 2,")
    assert "-> plan 3" in applied[0] and "scheduled for 2026-07-03T23:59:59+00:00" in applied[0]
