"""A pending change's payment, written as the plugin's checkout writes one (docs/wordpress.md §5.6).

``WordPressTransaction.add_pending_change`` calls :func:`write` once the payment row exists
and its provider has opened it. It leaves on the network what Ultimate Multisite's checkout
leaves for an upgrade or add-on paid later (``Checkout::maybe_create_payment``,
``inc/checkout/class-checkout.php:1476-1560``), so the customer can pay through the plugin's
"Pay Now" link (``Payment::get_payment_url``, ``inc/models/class-payment.php:760-793``):

* paymentmeta ``wu_line_items``: the whole new recurring membership plus one credit line
  (``domain/checkout_lines.py``); "Pay Now" rebuilds its cart from exactly these lines
  (``Cart::build_from_payment``, ``inc/checkout/class-cart.php:549-715``);
* the ``wu_payments`` columns as ``Cart::to_payment_data()`` + ``wu_create_payment()`` fill
  them (``class-cart.php:2574-2591``, ``inc/functions/payment.php:99-138``): ``subtotal``
  without credit lines, ``total`` = due now, ``tax_total``; ``discount_total`` 0.0000 because
  the cart hands its discounts over under a key the payment does not have (fixture payment 8:
  ``NEWYEAR33``, total 9.38, discount_total 0.0000); ``parent_id`` and ``product_id`` 0;
  ``currency`` the network's setting (``payment.php:112``), the cart the membership's;
* paymentmeta ``wu_original_cart`` (``class-checkout.php:865``): a Cart of type ``retry``
  (why: docs/wordpress.md §5.6);

The checkout also cancels the membership's last pending payment for upgrade, downgrade and
add-on carts (``class-checkout.php:1495-1517``). planswitch never has one to cancel here: its
own earlier pending change was replaced (its payment cancelled) before this one was opened,
and a membership with another pending payment is refused (``MEMBERSHIP_NOT_CHANGEABLE``,
docs/plan-changes.md §5.3).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from planswitch.adapters.wordpress import encoders
from planswitch.domain.checkout_lines import checkout_lines, checkout_subtotal
from planswitch.domain.payments import Payment
from planswitch.domain.pending_change import PendingChange
from sqlalchemy import insert, update

if TYPE_CHECKING:
    from planswitch.adapters.wordpress.transaction import WordPressTransaction

# The plugin's manual gateway (``inc/gateways/class-manual-gateway.php:38``): the gateway the
# ``manual`` provider stores and the name it opens payments under. Payments another provider
# collects itself (Stripe) are left as that provider writes them: a stored cart would be read
# by the plugin's own Stripe webhook (``inc/gateways/class-base-stripe-gateway.php:2275``).
MANUAL_GATEWAY = "manual"
# The plugin's Stripe gateway id (inc/gateways/class-stripe-gateway.php) and the paymentmeta
# key it keeps a payment's PaymentIntent under (:456).
STRIPE_GATEWAY = "stripe"
STRIPE_INTENT = "stripe_payment_intent_id"
LINE_ITEMS = "wu_line_items"
ORIGINAL_CART = "wu_original_cart"
# "retry" is the plugin's own type for a cart that settles an existing pending payment; no
# gateway swaps or schedules anything on it (docs/wordpress.md §5.6).
CART_TYPE = "retry"


def _money4(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001"))


def write(tx: WordPressTransaction, change: PendingChange) -> None:
    """Rewrite ``change``'s payment (already inserted, PENDING, opened by the ``manual``
    provider) as the plugin's checkout's; a payment another provider opened is left alone."""
    payment = tx.lock_payment(change.payment_id)
    membership = tx.lock_membership(change.membership_id)
    if payment is None or membership is None:
        raise ValueError(f"pending change of payment {change.payment_id} has no payment")
    if change.action is None or change.action.provider != MANUAL_GATEWAY:
        return
    quote = change.quote
    wanted = {quote.plan_id or membership.plan_id, *quote.addons}
    wanted |= {li.product_id for li in quote.line_items if li.product_id is not None}
    products = tx.products_by_id(sorted(wanted))
    lines = checkout_lines(quote, products)
    facts = tx.product_facts(products)
    code = tx.discount_code(payment.discount_code) if payment.discount_code else None
    discount = encoders.DiscountFacts.of(code) if code is not None else None
    keyed = encoders.keyed_line_items(lines, facts, discount)
    p = tx.tables.payments
    tx.conn.execute(
        update(p)
        .where(p.c.id == payment.id)
        .values(
            subtotal=_money4(checkout_subtotal(lines)),
            tax_total=_money4(sum((li.tax_total for li in lines), Decimal("0"))),
            discount_total=_money4(Decimal("0")),
            refund_total=_money4(Decimal("0")),
            total=_money4(quote.due_now),
            parent_id=0,
            product_id=0,
            # wu_create_payment() fills the currency from the network's setting, never from
            # the cart or membership (inc/functions/payment.php:112); the cart itself keeps
            # the membership's (class-cart.php:781-783), as below.
            currency=tx.mapper.network_currency or payment.currency,
        )
    )
    plan_id = quote.plan_id or membership.plan_id
    plan = products.get(plan_id)
    shape = encoders.CartShape(
        cart_type=CART_TYPE,
        membership_id=membership.id,
        plan_id=plan_id,
        addons=quote.addons,
        period=quote.period or membership.period,
        plan_period=plan.period if plan is not None else None,
        currency=membership.currency,
        plan_billing_cycles=plan.billing_cycles if plan is not None else 0,
        address=tx.cart_address(membership.customer_id),
        payment_id=payment.id,
        auto_renew=membership.auto_renew,
    )
    cart = encoders.cart_object(shape, keyed)
    _set_meta(tx, payment.id, LINE_ITEMS, encoders.phpserial.dumps_text(keyed))
    _set_meta(tx, payment.id, ORIGINAL_CART, encoders.phpserial.dumps_text(cart))


def record_intent(tx: WordPressTransaction, payment: Payment) -> None:
    """paymentmeta ``stripe_payment_intent_id`` for a payment collected through a Stripe
    PaymentIntent, as the plugin's Stripe gateway records the intent it opens for a payment
    (``inc/gateways/class-stripe-gateway.php:456``; read back at ``:309`` and ``:512``). It
    stays once the payment is paid and ``gateway_payment_id`` names the charge."""
    if payment.gateway == STRIPE_GATEWAY and payment.gateway_payment_id.startswith("pi_"):
        _set_meta(tx, payment.id, STRIPE_INTENT, payment.gateway_payment_id)


def _set_meta(tx: WordPressTransaction, payment_id: int, key: str, value: str) -> None:
    """``update_metadata``: the payment's row of ``key`` updated in place, or added."""
    meta = tx.tables.paymentmeta
    mine = (meta.c.wu_payment_id == payment_id, meta.c.meta_key == key)
    if tx.conn.execute(update(meta).where(*mine).values(meta_value=value)).rowcount == 0:
        tx.conn.execute(
            insert(meta).values(wu_payment_id=payment_id, meta_key=key, meta_value=value)
        )
