"""When a subscription the plugin's Stripe checkout creates charges first, and the expiration
it then gives the membership (issue 10; docs/wordpress.md §11.5).

Read from Ultimate Multisite 2.4.10 (``inc/gateways/``). After a paid checkout with
auto-renew on a recurring cart, the Stripe gateway creates a subscription
(``class-stripe-gateway.php:588-589``, ``Base_Stripe_Gateway::create_recurring_payment``):

- its first charge is the cart's next charge date (now plus the billing period, or the
  billing start date), moved to the current time of day and one hour earlier
  (``class-base-stripe-gateway.php:1047-1055``). It goes to Stripe as
  ``billing_cycle_anchor``, or as ``trial_end`` when the anchor would lie beyond one
  billing interval or the cart has a trial (``:1082-1088``); either way Stripe's current
  period ends at that instant.
- the membership is then renewed to 23:59:59 of the day that period ends, or to the period
  end plus two hours when that is later (Stripe's estimate of when the charge lands), with
  ``times_billed`` + 1 (``class-stripe-gateway.php:614-635``).

Every date there is PHP's default time zone, which WordPress sets to UTC (and the
``wu_memberships`` dates are UTC, docs/wordpress.md §9.6), so both rules work in UTC
whatever the site's own zone is. planswitch's quote fixes the next billing date at commit
(the change applies exactly as quoted); the time of day is the instant the payment applies,
as the plugin's is the instant its checkout runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

# class-base-stripe-gateway.php:1055: the anchor is put an hour early for servers whose
# clocks run ahead of Stripe's.
ANCHOR_LEAD = timedelta(hours=1)
# class-stripe-gateway.php:627: Stripe charges a renewal up to about two hours after the
# period ends; the membership must not expire before.
CHARGE_DELAY = timedelta(hours=2)
END_OF_DAY = time(23, 59, 59)


def subscription_first_charge(next_billing: datetime, now: datetime) -> datetime:
    """When the new subscription first charges: ``next_billing``'s UTC day at ``now``'s UTC
    time of day (whole seconds), minus one hour.

    >>> at = subscription_first_charge(
    ...     datetime(2026, 7, 15, tzinfo=UTC), datetime(2026, 6, 15, 10, 30, 5, 999, tzinfo=UTC)
    ... )
    >>> at.isoformat()
    '2026-07-15T09:30:05+00:00'
    """
    day = next_billing.astimezone(UTC).date()
    clock = now.astimezone(UTC).time().replace(microsecond=0)
    return datetime.combine(day, clock, tzinfo=UTC) - ANCHOR_LEAD


def expiration_after_charge(period_end: datetime) -> datetime:
    """The membership's expiration once a subscription period ending at ``period_end`` was
    paid: 23:59:59 UTC of that day, or ``period_end`` + 2 hours when that is later.

    >>> expiration_after_charge(datetime(2026, 7, 15, 9, 30, tzinfo=UTC)).isoformat()
    '2026-07-15T23:59:59+00:00'
    >>> expiration_after_charge(datetime(2026, 7, 14, 23, 0, tzinfo=UTC)).isoformat()
    '2026-07-15T01:00:00+00:00'
    """
    end = period_end.astimezone(UTC)
    end_of_day = datetime.combine(end.date(), END_OF_DAY, tzinfo=UTC)
    return max(end_of_day, end + CHARGE_DELAY)
