"""The fixture network moved out of UTC: every date planswitch reads and writes is right.

The fixture is all UTC, which hides time-zone mistakes (issue 10). Here a copy of it gets
the main site's ``timezone_string`` / ``gmt_offset`` options set to zones with a negative
and a positive offset. The plugin writes almost every date in UTC; ``date_renewed``
(``Membership::renew()`` stamps ``wu_get_current_time('mysql')``, the main site's local time,
inc/models/class-membership.php:2214, inc/functions/date.php:89-98) and Action Scheduler's
``*_local`` columns are local time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.domain.memberships import ScheduledChange
from planswitch.domain.payments import Payment, PaymentStatus
from planswitch.domain.periods import BillingPeriod, DurationUnit
from sqlalchemy import text

pytestmark = pytest.mark.mariadb

NOW = datetime(2026, 6, 15, 1, 30, 0, tzinfo=UTC)  # a local date differs from UTC's somewhere
SWAP_AT = datetime(2026, 7, 3, 23, 59, 59, tzinfo=UTC)
MONTH = BillingPeriod(1, DurationUnit.MONTH)


@dataclass(frozen=True)
class Zone:
    timezone_string: str
    gmt_offset: str
    offset: timedelta  # the offset in June 2026

    def local(self, moment: datetime) -> datetime:
        """``moment`` as the naive local datetime a column holds."""
        return (moment.astimezone(UTC) + self.offset).replace(tzinfo=None)


ZONES = {
    "sao-paulo": Zone("America/Sao_Paulo", "0", timedelta(hours=-3)),  # timezone_string
    "plus-5h30": Zone("", "5.5", timedelta(hours=5, minutes=30)),  # gmt_offset only
    "minus-7": Zone("", "-7", timedelta(hours=-7)),
}


@pytest.fixture(params=sorted(ZONES))
def zone(request: pytest.FixtureRequest) -> Zone:
    return ZONES[request.param]


@pytest.fixture
def store(load_wordpress_fixture: Callable[..., str], zone: Zone) -> Iterator[WordPressStore]:
    url = load_wordpress_fixture()
    opened = WordPressStore(url, writes=True)
    with opened.engine.begin() as conn:
        for name, value in (
            ("timezone_string", zone.timezone_string),
            ("gmt_offset", zone.gmt_offset),
        ):
            conn.execute(
                text("UPDATE wp_options SET option_value = :v WHERE option_name = :n"),
                {"v": value, "n": name},
            )
    yield opened
    opened.dispose()


def naive_utc(*parts: int) -> datetime:
    return datetime(*parts)  # noqa: DTZ001 - the driver's naive value of a UTC column


def row(store: WordPressStore, sql: str, **params: Any) -> dict[str, Any]:
    with store.engine.connect() as conn:
        return dict(conn.execute(text(sql), params).mappings().one())


def test_the_site_zone_is_read_from_the_options(store: WordPressStore, zone: Zone) -> None:
    tz = store.mapper.site_time.tz
    assert datetime(2026, 6, 15, tzinfo=UTC).astimezone(tz).utcoffset() == zone.offset


def test_reads_convert_only_the_local_columns(store: WordPressStore, zone: Zone) -> None:
    membership = store.memberships_by_id([1])[1]
    # date_renewed holds local time: 2026-06-03 14:22:37 there.
    local_renewed = datetime(2026, 6, 3, 14, 22, 37, tzinfo=timezone(zone.offset))
    assert membership.date_renewed == local_renewed.astimezone(UTC)
    # Every other date is UTC, whatever the zone.
    assert membership.date_expiration == SWAP_AT
    assert membership.date_created == datetime(2025, 11, 3, 14, 21, 48, tzinfo=UTC)
    assert membership.scheduled_change is not None
    assert membership.scheduled_change.effective_at == SWAP_AT
    payments = store.payments_by_membership([1])[1]
    stored = row(store, "SELECT date_created FROM wp_wu_payments WHERE id = :id", id=payments[0].id)
    assert payments[0].date_created == stored["date_created"].replace(tzinfo=UTC)


def test_writes_put_utc_and_local_dates_where_the_plugin_does(
    store: WordPressStore, zone: Zone
) -> None:
    with store.transaction(NOW) as t:
        before = t.lock_membership(1)
        assert before is not None
        change = ScheduledChange(3, {}, MONTH, Decimal("19.00"), SWAP_AT)
        t.save_membership(before, replace(before, date_renewed=NOW, scheduled_change=change))
        payment = t.add_payment(
            Payment(0, 1, 1, PaymentStatus.PENDING, "USD", Decimal("1"), total=Decimal("1"))
        )
    members = row(
        store,
        "SELECT date_renewed, date_modified, date_expiration FROM wp_wu_memberships WHERE id = 1",
    )
    assert members == {
        "date_renewed": zone.local(NOW),  # local, as renew() stamps it
        "date_modified": NOW.replace(tzinfo=None),
        "date_expiration": SWAP_AT.replace(tzinfo=None),
    }
    swap_date = row(
        store,
        "SELECT meta_value FROM wp_wu_membershipmeta "
        "WHERE wu_membership_id = 1 AND meta_key = 'wu_swap_scheduled_date'",
    )
    assert swap_date["meta_value"] == "2026-07-03 23:59:59"
    action = row(
        store,
        "SELECT action_id, scheduled_date_gmt, scheduled_date_local FROM "
        "wp_actionscheduler_actions WHERE hook = 'wu_async_membership_swap' "
        "AND status = 'pending' AND args = :args",
        args='{"membership_id":1}',
    )
    assert action["scheduled_date_gmt"] == SWAP_AT.replace(tzinfo=None)
    assert action["scheduled_date_local"] == zone.local(SWAP_AT)
    log = row(
        store,
        "SELECT log_date_gmt, log_date_local FROM wp_actionscheduler_logs "
        "WHERE action_id = :id AND message = 'action created'",
        id=action["action_id"],
    )
    assert log == {"log_date_gmt": NOW.replace(tzinfo=None), "log_date_local": zone.local(NOW)}
    stored = row(store, "SELECT date_created FROM wp_wu_payments WHERE id = :id", id=payment.id)
    assert stored["date_created"] == NOW.replace(tzinfo=None)
    # And read back: the same instants.
    again = store.memberships_by_id([1])[1]
    assert again.date_renewed == NOW
    assert again.scheduled_change is not None and again.scheduled_change.effective_at == SWAP_AT
