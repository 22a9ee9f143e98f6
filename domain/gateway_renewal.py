"""Which concurrent changes to a membership are a gateway's renewal of a payment (issue 10).

A pending change applies only on the membership it was quoted on (domain/pending_change.py).
One writer may move that membership between the commit and planswitch's reconcile without
making the change stale: the plugin itself, settling the change's own payment. Paid
through the plugin's "Pay Now" (docs/wordpress.md §5.6) with a gateway that renews on
payment, or confirmed by an admin, the plugin renews the membership before planswitch sees
the payment completed:

- ``Membership::renew()`` sets ``date_expiration``, ``status``, ``auto_renew`` and
  ``date_renewed`` (the current time) and saves the row
  (``inc/models/class-membership.php:2206-2220``, plugin 2.4.10), which moves
  ``date_modified`` (planswitch's ``version`` of a WordPress row);
- Stripe's checkout sets ``gateway``, ``gateway_customer_id`` in its preflight
  (``inc/gateways/class-stripe-gateway.php:264-265``), then ``gateway_subscription_id`` and
  ``times_billed + 1`` and renews to the new subscription's period end, status ``active``
  or ``trialing`` (``:610-635``);
- PayPal's confirmation sets the same gateway fields, ``times_billed + 1`` and renews
  (``inc/gateways/class-paypal-gateway.php:1348-1374``);
- an admin confirming the payment adds one billing and renews, status ``active``
  (``inc/admin-pages/class-payment-edit-admin-page.php:1319-1328``).

None of them touches the plan, add-ons, amounts, period, limits, creation/trial/cancellation
dates or a scheduled swap: those are what the change sets, or what would make it stale. So
the membership is fingerprinted at commit over every field *but* :data:`RENEWAL_FIELDS`
(:func:`fingerprint`); at completion, a membership whose version moved but whose
fingerprint did not, renewed (``date_renewed`` at or after the commit) into ``active`` or
``trialing``, was renewed by that payment's gateway: the change applies, keeping what the
gateway set (:func:`keep_renewal`) so its expiration and billing count are not moved or
counted twice. Anything else (another plan, add-ons, amounts, a cancellation, an expiry)
is a stale change and its money is flagged for refund, as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import fields, is_dataclass, replace
from datetime import datetime
from typing import Any

from planswitch.domain.memberships import Membership, MembershipStatus

# The fields a gateway's renewal of a payment moves (see the module docstring for each
# source). ``version`` is the row's ``date_modified`` on a network, the counter natively.
KEPT_FROM_RENEWAL = (
    "date_expiration",
    "date_renewed",
    "times_billed",
    "status",
    "auto_renew",
    "gateway",
    "gateway_customer_id",
    "gateway_subscription_id",
)
RENEWAL_FIELDS = frozenset({*KEPT_FROM_RENEWAL, "date_modified", "version"})
# What renew() leaves: Stripe passes active or trialing (class-stripe-gateway.php:617),
# PayPal and an admin active.
RENEWED_STATUSES = frozenset({MembershipStatus.ACTIVE, MembershipStatus.TRIALING})


def fingerprint(membership: Membership) -> str:
    """A stable digest of every field of ``membership`` a gateway's renewal leaves alone.

    Equal digests mean the two memberships differ at most in :data:`RENEWAL_FIELDS`.

    >>> from decimal import Decimal
    >>> m = Membership(1, 1, 1, MembershipStatus.ON_HOLD, Decimal("9"))
    >>> fingerprint(m) == fingerprint(replace(m, times_billed=3, gateway="stripe"))
    True
    >>> fingerprint(m) == fingerprint(replace(m, plan_id=2))
    False
    """
    kept = [
        (f.name, _canonical(getattr(membership, f.name)))
        for f in fields(Membership)
        if f.name not in RENEWAL_FIELDS
    ]
    return hashlib.sha256(repr(kept).encode()).hexdigest()


def renewed_by_gateway(at_commit: str, committed_at: datetime, membership: Membership) -> bool:
    """True when ``membership``, fingerprinted ``at_commit`` when its change was committed
    at ``committed_at``, has since been changed only by a renewal (of that change's payment).

    An empty ``at_commit`` (a change stored without a fingerprint) is never one.
    """
    return (
        bool(at_commit)
        and membership.status in RENEWED_STATUSES
        and membership.date_renewed is not None
        and membership.date_renewed >= committed_at
        and fingerprint(membership) == at_commit
    )


def keep_renewal(applied: Membership, renewed: Membership) -> Membership:
    """``applied`` (the change applied on ``renewed``) with what the gateway's renewal set:
    its dates, billing count, status, auto-renew and gateway fields."""
    return replace(applied, **{name: getattr(renewed, name) for name in KEPT_FROM_RENEWAL})


def _canonical(value: Any) -> Any:
    # repr() of nested values in an order that does not depend on how they were read.
    if isinstance(value, Mapping):
        items = ((repr(k), _canonical(v)) for k, v in value.items())
        return tuple(sorted(items))
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, *(_canonical(getattr(value, f.name)) for f in fields(value)))
    if isinstance(value, list | tuple):
        return tuple(_canonical(v) for v in value)
    return repr(value)
