"""``build_schema()``: the Query and Mutation types composed; the validation rules and the
error policy the server applies to every operation."""

from __future__ import annotations

import logging
from typing import Annotated

import strawberry
from graphql import GraphQLError, specified_rules
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
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.tools import merge_types

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
    # masked, its traceback logged by client_errors.
    if error.original_error is None or error.path is None:
        return False
    return _domain_error(error) is None and not _is_outage(error)


def client_errors(errors: list[GraphQLError]) -> list[GraphQLError]:
    """The errors of one operation as the client sees them (issue 11: never a traceback).

    An outage becomes ``UNAVAILABLE`` (retryable), a ``DomainError`` keeps its message and
    gains ``extensions.code`` and ``extensions.field``, anything else raised by a resolver
    is a bug: logged with its traceback, answered as "Unexpected error." with its path.
    Parse, validation and variable errors pass unchanged (they name what the client sent).
    """
    shown: list[GraphQLError] = []
    for error in errors:
        if error.path is not None and _is_outage(error):
            logger.warning("database unavailable: %s", error.original_error)
            shown.append(
                GraphQLError(
                    UNAVAILABLE_MESSAGE,
                    nodes=error.nodes,
                    path=error.path,
                    extensions={"code": UNAVAILABLE, "retryable": True},
                )
            )
            continue
        domain = _domain_error(error)
        if domain is not None:
            extensions = dict(error.extensions or {})
            extensions.update(code=domain.error.code.value, field=domain.error.field)
            error.extensions = extensions
            shown.append(error)
        elif _should_mask(error):
            logger.error("GraphQL resolver failed", exc_info=error.original_error)
            shown.append(
                GraphQLError(
                    "Unexpected error.",
                    nodes=error.nodes,
                    source=error.source,
                    positions=error.positions,
                    path=error.path,
                )
            )
        else:
            shown.append(error)
    return shown


def validation_rules(
    *, max_depth: int = MAX_DEPTH, max_aliases: int = MAX_ALIASES
) -> tuple[type[ASTValidationRule], ...]:
    """graphql-core's rules, Strawberry's two for its input types, and planswitch's limits.

    The depth and alias rules are the ones Strawberry's QueryDepthLimiter and
    MaxAliasesLimiter extensions add, built once here (those extensions build a new rule
    class per request)."""
    return (
        *specified_rules,
        MaybeNullValidationRule,
        OneOfInputValidationRule,
        depth_rule(max_depth, None, None),
        aliases_rule(max_aliases),
    )


def build_schema() -> strawberry.Schema:
    """The planswitch schema: Query and Mutation composed from the modules of ``schema/``.

    Parsing, validation (``validation_rules``) and error presentation (``client_errors``)
    are applied by the server's executor (``planswitch.server.execution``), not by Strawberry
    extensions: the server runs graphql-core directly over this schema."""
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
    schema = strawberry.Schema(
        query=query,
        mutation=mutation,
        types=[ProductNode, MembershipNode, CustomerNode, PaymentNode, SiteNode],
        # No sort_schema=True: in strawberry 0.341 the sorted schema loses the enum value
        # mapping (enum arguments arrive as strings, enum defaults cannot print).
        config=StrawberryConfig(disable_field_suggestions=True),
    )
    fast_fields.install(schema)  # plain fields called directly (see the module)
    return schema
