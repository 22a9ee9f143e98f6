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
(:func:`fingerprint`), and what a renewal moves is kept beside it (:class:`RenewalBaseline`).

A renewal is tied to *this* payment only where the rows show it (:func:`renewed_by_payment`):

- exactly one billing since the commit (``times_billed`` = at commit + 1): each of the three
  adds one (Stripe ``:614``, PayPal ``:1353``, the admin ``:1325``), so a second renewal
  (the membership's own renewal invoice paid meanwhile, then this payment) is not this one;
- no other payment of the membership completed since the commit: every other way the
  plugin renews records its own payment (a subscription's invoice, PayPal's
  ``recurring_payment`` IPN, ``class-paypal-gateway.php:1072-1121``, a renewal payment the
  admin confirms), so a renewal beside another completed payment may be that one's;
- and either the payment's gateway opened a new subscription when it collected it (the
  membership's ``gateway`` is the payment's, with a ``gateway_subscription_id`` other than
  at commit: Stripe creates one, ``:588-613``; PayPal stores its new profile id,
  ``:1348-1350``), or no gateway field moved at all (an admin's confirmation touches none).

Then the change applies, keeping what the gateway set (:func:`keep_renewal`) so its
expiration and billing count are not moved or counted twice. Anything else (another plan,
add-ons, amounts, a cancellation, an expiry, a renewal these rows do not tie to the
payment) is a stale change and its money is flagged for refund, as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import datetime
from typing import Any

from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.payments import Payment, PaymentStatus

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


@dataclass(frozen=True)
class RenewalBaseline:
    """What a renewal moves, as the membership stood when its change was committed."""

    times_billed: int
    gateway: str
    gateway_customer_id: str
    gateway_subscription_id: str

    @classmethod
    def of(cls, membership: Membership) -> RenewalBaseline:
        return cls(
            membership.times_billed,
            membership.gateway or "",
            membership.gateway_customer_id or "",
            membership.gateway_subscription_id or "",
        )

    def gateway_fields(self) -> tuple[str, str, str]:
        return (self.gateway, self.gateway_customer_id, self.gateway_subscription_id)


def renewed_by_payment(
    at_commit: str,
    baseline: RenewalBaseline | None,
    committed_at: datetime,
    membership: Membership,
    payment: Payment,
    completed_since: Sequence[Payment] = (),
) -> bool:
    """True when ``membership`` has changed since its change was committed at
    ``committed_at`` (fingerprinted ``at_commit``, with ``baseline``) only by the renewal
    that collecting ``payment`` made; ``completed_since`` are the membership's payments
    completed since the commit (``payment`` among them or not).

    A change stored without a fingerprint or baseline is never one (see the module
    docstring for each condition).

    >>> from decimal import Decimal
    >>> from datetime import UTC
    >>> t0, t1 = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC)
    >>> m = Membership(1, 1, 1, MembershipStatus.ON_HOLD, Decimal("9"), gateway="manual")
    >>> paid = Payment(8, 1, 1, PaymentStatus.COMPLETED, "USD", Decimal("9"), Decimal("9"))
    >>> renewed = replace(m, status=MembershipStatus.ACTIVE, date_renewed=t1, times_billed=1)
    >>> renewed_by_payment(fingerprint(m), RenewalBaseline.of(m), t0, renewed, paid, [paid])
    True
    >>> twice = replace(renewed, times_billed=2)
    >>> renewed_by_payment(fingerprint(m), RenewalBaseline.of(m), t0, twice, paid, [paid])
    False
    """
    if not at_commit or baseline is None:
        return False
    renewed = (
        membership.status in RENEWED_STATUSES
        and membership.date_renewed is not None
        and membership.date_renewed >= committed_at
        and fingerprint(membership) == at_commit
    )
    if not renewed or membership.times_billed != baseline.times_billed + 1:
        return False
    if any(p.id != payment.id and p.status is PaymentStatus.COMPLETED for p in completed_since):
        return False
    now = RenewalBaseline.of(membership)
    subscription = now.gateway_subscription_id
    opened_with_payment = (
        bool(payment.gateway)
        and now.gateway == payment.gateway
        and bool(subscription)
        and subscription != baseline.gateway_subscription_id
    )
    return opened_with_payment or now.gateway_fields() == baseline.gateway_fields()


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
