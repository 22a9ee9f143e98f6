"""``build_schema()``: the Query and Mutation types composed, with the security extensions."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated

import strawberry
from graphql import GraphQLError
from graphql.validation import ASTValidationRule
from planswitch.domain.errors import DomainError
from planswitch.resolvers import payment_reads
from planswitch.resolvers.catalog import find_product
from planswitch.resolvers.context import Info
from planswitch.resolvers.ids import split_global_id
from planswitch.resolvers.memberships import find_customer, find_membership
from planswitch.schema import fast_fields
from planswitch.schema.cancel_pending_change import CancelPendingChangeMutation
from planswitch.schema.cancel_scheduled_change import CancelScheduledChangeMutation
from planswitch.schema.catalog import CatalogQuery, ProductNode
from planswitch.schema.change_plan import ChangePlanMutation
from planswitch.schema.complete_payment import CompletePaymentMutation
from planswitch.schema.fail_payment import FailPaymentMutation
from planswitch.schema.memberships import CustomerNode, MembershipNode, MembershipQuery
from planswitch.schema.node import Node
from planswitch.schema.payments import PaymentNode, SiteNode
from planswitch.schema.plan_change_quote import PlanChangeQuoteQuery
from planswitch.schema.sessions import SessionMutation
from planswitch.schema.update_product import CatalogMutation
from planswitch.schema.upgrade_options import UpgradeOptionsQuery
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

logger = logging.getLogger("planswitch.graphql")

MAX_DEPTH = 10
MAX_TOKENS = 2000
MAX_ALIASES = 15


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null when it does not exist.")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")],
    ) -> Node | None:
        type_name, _ = split_global_id(str(id), "id")
        if type_name == "Product":
            product = await find_product(info.context, str(id), "ID")
            return ProductNode.from_domain(product) if product else None
        if type_name == "Membership":
            membership = await find_membership(info.context, str(id), "ID")
            return MembershipNode.from_domain(membership) if membership else None
        if type_name == "Customer":
            customer = await find_customer(info.context, str(id), "ID")
            return CustomerNode.from_domain(customer) if customer else None
        if type_name == "Payment":
            payment = await payment_reads.find_payment(info.context, str(id), "ID")
            return PaymentNode.from_domain(payment) if payment else None
        if type_name == "Site":
            site = await payment_reads.find_site(info.context, str(id))
            return SiteNode.from_domain(site) if site else None
        return None


def _domain_error(error: GraphQLError) -> DomainError | None:
    cause: BaseException | None = error.original_error
    while cause is not None:
        if isinstance(cause, DomainError):
            return cause
        cause = getattr(cause, "original_error", None) or cause.__cause__
    return None


UNAVAILABLE = "UNAVAILABLE"
UNAVAILABLE_MESSAGE = (
    "The database is unavailable; nothing was changed. Retry shortly "
    "(with the same idempotency key for a change: that is safe)."
)


def _is_outage(error: GraphQLError) -> bool:
    """The database could not be reached or dropped the connection (retryable)."""
    cause: BaseException | None = error.original_error
    while cause is not None:
        if isinstance(cause, DisconnectionError | SQLAlchemyTimeoutError):
            return True  # the pool lost a connection, or waited in vain for one
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return True  # the dialect recognised a dropped connection
        if isinstance(cause, OperationalError | InterfaceError) and cause.statement is None:
            return True  # failed while connecting (no statement ran): server down or gone
        # Other OperationalErrors (a missing table, a bad statement) are bugs: masked.
        cause = cause.__cause__ or cause.__context__
    return False


def _should_mask(error: GraphQLError) -> bool:
    # Parse/validation errors (no original error), variable coercion errors (no path: they
    # happen before execution, and say which variable is wrong), expected DomainErrors and
    # outages (rewritten to UNAVAILABLE) are for the client; anything else is a bug:
    # masked, its traceback logged by PlanswitchSchema.
    if error.original_error is None or error.path is None:
        return False
    return _domain_error(error) is None and not _is_outage(error)


class UserErrorCodes(SchemaExtension):
    """Adds ``extensions.code`` and ``extensions.field`` to errors raised as DomainError."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or []
        for index, error in enumerate(errors):
            if error.path is not None and _is_outage(error):
                logger.warning("database unavailable: %s", error.original_error)
                errors[index] = GraphQLError(
                    UNAVAILABLE_MESSAGE,
                    nodes=error.nodes,
                    path=error.path,
                    extensions={"code": UNAVAILABLE, "retryable": True},
                )
                continue
            domain = _domain_error(error)
            if domain is not None:
                extensions = dict(error.extensions or {})
                extensions.update(code=domain.error.code.value, field=domain.error.field)
                error.extensions = extensions


class PlanswitchSchema(strawberry.Schema):
    """Logs unexpected errors with their traceback; expected ones are not noise."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if _should_mask(error):
                logger.error("GraphQL resolver failed", exc_info=error.original_error)


def build_schema(
    *, max_depth: int = MAX_DEPTH, max_tokens: int = MAX_TOKENS, max_aliases: int = MAX_ALIASES
) -> strawberry.Schema:
    """The planswitch schema with depth, token and alias limits and masked errors."""
    # The depth and alias rules are the ones QueryDepthLimiter/MaxAliasesLimiter add, but
    # built once here: those extensions build a new rule class per request, which made
    # every ValidationCache key unique (a miss and a full re-validation on each request).
    rules: list[type[ASTValidationRule]] = [
        depth_rule(max_depth, None, None),
        aliases_rule(max_aliases),
    ]
    query = merge_types(
        "Query",
        (CatalogQuery, MembershipQuery, NodeQuery, UpgradeOptionsQuery, PlanChangeQuoteQuery),
    )
    mutation = merge_types(
        "Mutation",
        (
            CatalogMutation,
            ChangePlanMutation,
            CancelScheduledChangeMutation,
            SessionMutation,
            CompletePaymentMutation,
            FailPaymentMutation,
            CancelPendingChangeMutation,
        ),
    )
    schema = PlanswitchSchema(
        query=query,
        mutation=mutation,
        types=[ProductNode, MembershipNode, CustomerNode, PaymentNode, SiteNode],
        # No sort_schema=True: in strawberry 0.341 the sorted schema loses the enum value
        # mapping (enum arguments arrive as strings, enum defaults cannot print).
        config=StrawberryConfig(disable_field_suggestions=True),
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
            lambda: AddValidationRules(rules),
            ParserCache,
            ValidationCache,
            UserErrorCodes,
            lambda: MaskErrors(should_mask_error=_should_mask, error_message="Unexpected error."),
        ],
    )
    fast_fields.install(schema)  # plain fields called directly (see the module)
    return schema
