"""The lines of a pending change's payment as the plugin's checkout writes them.

Ultimate Multisite's checkout prices a plan change or an add-on purchase as the **whole new
recurring membership**: the plan and every add-on held afterwards at their recurring price,
the fees charged now, and one negative ``Credit`` line that brings the total down to what is
due (docs/wordpress.md §5.6). Its "Pay Now" link rebuilds a cart from these lines, and its
gateways create the renewing subscription from their recurring products, so lines that held
only the prorated new add-on would leave the gateway billing only that add-on.

A plan change's quote already has this shape (plan, kept and added add-ons, fees, credit);
an add-on purchase's quote lists only the prorated new add-ons. ``checkout_lines`` turns
either into the plugin's shape with the same total. Pure: the caller passes the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from planswitch.domain.money import round_money
from planswitch.domain.payments import LineItem, LineItemType
from planswitch.domain.plan_change import Quote
from planswitch.domain.plan_quotes import PRORATION_CREDIT_DESCRIPTION, PRORATION_CREDIT_TITLE
from planswitch.domain.pricing import ZERO, credit_line, product_line
from planswitch.domain.products import Product
from planswitch.domain.quote_context import list_price


def checkout_lines(
    quote: Quote, catalog: Mapping[int, Product], digits: int = 2
) -> tuple[LineItem, ...]:
    """``quote``'s payment lines as the whole new recurring membership, same total.

    * the plan (quantity 1) and each add-on in ``quote.addons`` that recurs, at its price for
      ``quote.period``; a quote line for the same product, quantity and full price is kept as
      is (with its discount);
    * the quote's one-time product lines (bought now) and fee lines;
    * one credit line (``Credit``) for the difference down to ``quote.due_now``.

    A quote whose lines already add up to more than this (it cannot happen for a priced
    quote) keeps its own lines. Example: Solo (9) + Extra Disk Space (5), buying Unlimited
    Visits (9) prorated at 4.50 gives Solo 9, Extra Disk Space 5, Unlimited Visits 9 and a
    credit of -18.50, total 4.50.
    """
    period = quote.period
    if quote.plan_id is None or period is None or quote.plan_id not in catalog:
        return quote.line_items
    own = {
        line.product_id: line
        for line in quote.line_items
        if line.type is LineItemType.PRODUCT and line.product_id is not None
    }
    lines: list[LineItem] = []
    held = [(quote.plan_id, 1), *sorted(quote.addons.items())]
    for product_id, quantity in held:
        product = catalog.get(product_id)
        if product is None or quantity <= 0:
            continue
        if product_id != quote.plan_id and not product.is_recurring:
            continue  # a one-time add-on is charged once (below, if it is bought now)
        price = round_money(list_price(product, period), digits)
        line = own.get(product_id)
        if line is not None and line.quantity == quantity and line.unit_price == price:
            lines.append(line)
        else:
            lines.append(product_line(product, price, quantity, period, digits=digits))
    in_lines = {line.product_id for line in lines}
    for line in quote.line_items:
        one_time = line.type is LineItemType.PRODUCT and line.product_id not in in_lines
        if one_time or line.type is LineItemType.FEE:
            lines.append(line)
    gap = round_money(quote.due_now - sum((line.total for line in lines), ZERO), digits)
    if gap > 0:
        return quote.line_items
    if gap < 0:
        lines.append(
            credit_line(-gap, PRORATION_CREDIT_TITLE, PRORATION_CREDIT_DESCRIPTION, digits)
        )
    return tuple(lines)


def checkout_subtotal(lines: tuple[LineItem, ...], digits: int = 2) -> Decimal:
    """The payment's ``subtotal`` as the plugin's cart sums it: every line's subtotal except
    credits and discounts, floored at 0 (``Cart::get_subtotal``,
    ``inc/checkout/class-cart.php:2055-2085``)."""
    total = sum(
        (
            line.subtotal
            for line in lines
            if line.type not in (LineItemType.CREDIT, LineItemType.DISCOUNT)
        ),
        ZERO,
    )
    return round_money(max(total, ZERO), digits)
