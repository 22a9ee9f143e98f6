"""Payment, LineItem and Site types (read through a membership)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from planswitch.domain.payments import LineItem, Payment
from planswitch.domain.pending_change import PendingStatus
from planswitch.domain.usage import Site
from planswitch.resolvers.context import Info
from planswitch.schema.catalog import BillingPeriod, ProductNode
from planswitch.schema.enums import LineItemTypeEnum, PaymentStatusEnum
from planswitch.schema.node import Node, encode_global_id
from planswitch.schema.scalars import Money


@strawberry.type(name="LineItem", description="One line of a payment or a quote.")
class LineItemNode:
    product_id: strawberry.Private[int | None]
    type: LineItemTypeEnum = strawberry.field(description="PRODUCT, FEE, CREDIT, DISCOUNT...")
    title: str = strawberry.field(description="What the line is for.")
    description: str = strawberry.field(description="More detail, possibly empty.")
    quantity: int = strawberry.field(description="How many units.")
    unit_price: Money = strawberry.field(description="Price of one unit.")
    subtotal: Money = strawberry.field(description="quantity x unitPrice.")
    discount_total: Money = strawberry.field(description="Discount on this line.")
    tax_total: Money = strawberry.field(description="Tax on this line.")
    total: Money = strawberry.field(description="subtotal - discount + tax.")
    recurring: bool = strawberry.field(description="Whether the line recurs each period.")
    billing_period: BillingPeriod | None = strawberry.field(description="Its period, if any.")

    @classmethod
    def from_domain(cls, item: LineItem, currency: str) -> LineItemNode:
        return cls(
            product_id=item.product_id,
            type=item.type,
            title=item.title,
            description=item.description,
            quantity=item.quantity,
            unit_price=Money.of(item.unit_price, currency),
            subtotal=Money.of(item.subtotal, currency),
            discount_total=Money.of(item.discount_total, currency),
            tax_total=Money.of(item.tax_total, currency),
            total=Money.of(item.total, currency),
            recurring=item.recurring,
            billing_period=BillingPeriod.from_domain(item.period) if item.period else None,
        )

    @strawberry.field(description="The product charged, when the line is for one.")
    async def product(self, info: Info) -> ProductNode | None:
        if self.product_id is None:
            return None
        product = await info.context.loaders.products_by_id.load(self.product_id)
        return ProductNode.from_domain(product) if product else None


@strawberry.type(name="Payment", description="A payment of a membership.")
class PaymentNode(Node):
    database_id: int = strawberry.field(description="The integer database id.")
    status: PaymentStatusEnum = strawberry.field(description="PENDING, COMPLETED...")
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    subtotal: Money = strawberry.field(description="Before discounts and taxes.")
    discount_total: Money = strawberry.field(description="Discounts applied.")
    tax_total: Money = strawberry.field(description="Taxes.")
    total: Money = strawberry.field(description="What the customer pays.")
    refund_total: Money = strawberry.field(description="Refunded so far.")
    line_items: list[LineItemNode] = strawberry.field(description="The lines of the payment.")
    discount_code: str = strawberry.field(description="Discount code used, possibly empty.")
    gateway: str = strawberry.field(description="Payment gateway, possibly empty.")
    gateway_payment_id: str = strawberry.field(
        description="The provider's id of the payment, possibly empty."
    )
    membership_database_id: int = strawberry.field(description="databaseId of its membership.")
    date_created: datetime | None = strawberry.field(description="When it was created (UTC).")
    date_modified: datetime | None = strawberry.field(description="Last change (UTC).")

    @strawberry.field(
        description="True when it was paid after its change had been dropped and the "
        "membership had changed meanwhile: the money must be refunded (it never applied)."
    )
    async def refund_required(self, info: Info) -> bool:
        change = await info.context.loaders.pending_changes_by_payment.load(self.database_id)
        return change is not None and change.status is PendingStatus.REFUND_REQUIRED

    @classmethod
    def from_domain(cls, payment: Payment) -> PaymentNode:
        def money(amount) -> Money:
            return Money.of(amount, payment.currency)

        return cls(
            id=strawberry.ID(encode_global_id("Payment", payment.id)),
            database_id=payment.id,
            status=payment.status,
            currency=payment.currency,
            subtotal=money(payment.subtotal),
            discount_total=money(payment.discount_total),
            tax_total=money(payment.tax_total),
            total=money(payment.total),
            refund_total=money(payment.refund_total),
            line_items=[LineItemNode.from_domain(i, payment.currency) for i in payment.line_items],
            discount_code=payment.discount_code,
            gateway=payment.gateway,
            gateway_payment_id=payment.gateway_payment_id,
            membership_database_id=payment.membership_id,
            date_created=payment.date_created,
            date_modified=payment.date_modified,
        )


@strawberry.type(name="Site", description="A site of the network attached to a membership.")
class SiteNode(Node):
    database_id: int = strawberry.field(description="The blog id.")
    domain: str = strawberry.field(description="Domain of the site.")
    path: str = strawberry.field(description="Path of the site.")
    type: str = strawberry.field(description="Site type, e.g. customer_owned.")
    published: bool = strawberry.field(description="Whether the site is public.")

    @classmethod
    def from_domain(cls, site: Site) -> SiteNode:
        return cls(
            id=strawberry.ID(encode_global_id("Site", site.id)),
            database_id=site.id,
            domain=site.domain,
            path=site.path,
            type=site.type,
            published=site.published,
        )
