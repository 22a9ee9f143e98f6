"""Authorization in one place: may this viewer see or do this? (issue 7)

Every resolver asks here; nothing else compares viewers with owners. The rules:

- Operators (an API key) see and do everything.
- A customer (a session token or WordPress credentials) sees and changes only their own
  customer record, memberships and payments.
- Anonymous callers see the public catalog only.
- What a caller may not see looks exactly like what does not exist: the same null, the
  same empty list, the same ``NOT_FOUND`` user error with the same message (issue 11,
  defect 5), so ids cannot be probed for existence.

The authorization matrix test (tests/api/test_authorization_matrix.py) checks these
decisions for every query and mutation.
"""

from __future__ import annotations

from dataclasses import dataclass

from planswitch.domain.errors import ErrorCode, UserError
from planswitch.resolvers.context import Viewer


@dataclass(frozen=True)
class CustomerScope:
    """Which customers' records a listing may contain: all, one, or none."""

    all: bool
    customer_id: int | None = None

    @property
    def none(self) -> bool:
        return not self.all and self.customer_id is None

    def narrow(self, requested: int | None) -> CustomerScope:
        """The scope of a listing filtered on ``requested`` (None: no filter)."""
        if requested is None:
            return self
        if self.all or requested == self.customer_id:
            return CustomerScope(False, requested)
        return NOBODY


NOBODY = CustomerScope(False, None)
EVERYONE = CustomerScope(True, None)


def customer_scope(viewer: Viewer) -> CustomerScope:
    """The customers whose records ``viewer`` may list."""
    if viewer.is_operator:
        return EVERYONE
    if viewer.kind == "customer" and viewer.customer_id is not None:
        return CustomerScope(False, viewer.customer_id)
    return NOBODY


def may_see_customer(viewer: Viewer, customer_id: int) -> bool:
    """A customer record, and everything hanging from it (memberships, payments, sites)."""
    scope = customer_scope(viewer)
    return scope.all or scope.customer_id == customer_id


def may_see_site_of(viewer: Viewer, customer_id: int | None) -> bool:
    """A site: its customer's, or, for a network site of nobody's, operators only."""
    if customer_id is None:
        return viewer.is_operator
    return may_see_customer(viewer, customer_id)


def may_preview_another_instant(viewer: Viewer) -> bool:
    """``asOf`` on a quote: an operator's preview; customers always get the present."""
    return viewer.is_operator


def may_change_membership_of(viewer: Viewer, customer_id: int) -> bool:
    """Quote, change, cancel or pay for a membership held by ``customer_id``."""
    return may_see_customer(viewer, customer_id)


def may_manage_catalog(viewer: Viewer) -> bool:
    """``updateProduct`` and other catalog settings."""
    return viewer.is_operator


def may_record_payments(viewer: Viewer) -> bool:
    """``completePayment`` / ``failPayment``: what the operator's backend learns from a
    payment provider; a customer saying "I paid" proves nothing."""
    return viewer.is_operator


def may_issue_sessions(viewer: Viewer) -> bool:
    """``createCustomerSession`` and revoking customers' sessions: the operator's backend."""
    return viewer.is_operator


def may_introspect(viewer: Viewer, *, demo: bool, debug: bool) -> bool:
    """The schema is public in demo and debug mode; otherwise only to signed-in callers."""
    return demo or debug or viewer.kind != "anonymous"


def membership_refusal(viewer: Viewer, owner_id: int | None, membership_id: int) -> list[UserError]:
    """Errors refusing ``viewer`` a membership (``owner_id`` None: it does not exist).

    Anonymous callers are told to sign in whatever the id; a customer gets the same
    NOT_FOUND for someone else's membership as for a missing one.
    """
    if viewer.kind == "anonymous" and not viewer.is_operator:
        return [not_signed_in("membershipId")]
    if owner_id is None or not may_change_membership_of(viewer, owner_id):
        return [missing("Membership", membership_id, "membershipId")]
    return []


def missing(type_name: str, database_id: int, field: str | None) -> UserError:
    """The one NOT_FOUND error for an object that is absent or not the caller's."""
    return UserError(ErrorCode.NOT_FOUND, f"{type_name} {database_id} does not exist.", field)


def not_signed_in(field: str | None = None) -> UserError:
    return UserError(
        ErrorCode.NOT_ALLOWED,
        "Sign in first: send 'Authorization: Bearer <session token or API key>'.",
        field,
    )


def operators_only(what: str) -> UserError:
    return UserError(ErrorCode.NOT_ALLOWED, f"Only operators may {what}.", None)
