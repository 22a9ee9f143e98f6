"""Sessions: createCustomerSession (operators), signIn (WordPress credentials) and
revokeCustomerSessions (operators). Names fixed by issue 11."""

from __future__ import annotations

from datetime import datetime

import strawberry
from planswitch.domain.errors import DomainError
from planswitch.resolvers import sign_in as use_cases
from planswitch.resolvers.context import Info
from planswitch.schema.errors import UserErrorType
from planswitch.schema.memberships import CustomerNode


@strawberry.input(name="CreateCustomerSessionInput", description="Whose session to create.")
class CreateCustomerSessionInput:
    customer_id: strawberry.ID = strawberry.field(description="Customer global id or databaseId.")


@strawberry.input(name="SignInInput", description="A WordPress network user's credentials.")
class SignInInput:
    login: str = strawberry.field(description="The WordPress username or e-mail address.")
    password: str = strawberry.field(
        description="The account password, or one of the user's Application Passwords."
    )


@strawberry.input(name="RevokeCustomerSessionsInput", description="Whose sessions to revoke.")
class RevokeCustomerSessionsInput:
    customer_id: strawberry.ID = strawberry.field(description="Customer global id or databaseId.")


@strawberry.type(
    name="CustomerSessionPayload",
    description="A customer session: send `Authorization: Bearer <token>` until `expiresAt`.",
)
class CustomerSessionPayload:
    token: str | None = strawberry.field(description="The session token (a signed JWT).")
    expires_at: datetime | None = strawberry.field(description="When the token stops working.")
    customer: CustomerNode | None = strawberry.field(description="The customer it signs in.")
    user_errors: list[UserErrorType] = strawberry.field(
        description="Why no session was issued; empty on success."
    )

    @classmethod
    def from_result(cls, result: use_cases.SessionResult) -> CustomerSessionPayload:
        return cls(
            token=result.token,
            expires_at=result.expires_at,
            customer=CustomerNode.from_domain(result.customer) if result.customer else None,
            user_errors=[UserErrorType.from_domain(error) for error in result.user_errors],
        )


@strawberry.type(name="RevokeCustomerSessionsPayload", description="Result of the revocation.")
class RevokeCustomerSessionsPayload:
    customer: CustomerNode | None = strawberry.field(
        description="The customer whose sessions no longer work."
    )
    user_errors: list[UserErrorType] = strawberry.field(
        description="Why nothing was revoked; empty on success."
    )


def _failed(error: DomainError) -> use_cases.SessionResult:
    return use_cases.SessionResult(user_errors=[error.error])


@strawberry.type
class SessionMutation:
    @strawberry.mutation(
        description="Operators only: a short-lived session token for one customer (hand it "
        "to that customer's browser)."
    )
    async def create_customer_session(
        self, info: Info, input: CreateCustomerSessionInput
    ) -> CustomerSessionPayload:
        try:
            result = await use_cases.create_customer_session(info.context, str(input.customer_id))
        except DomainError as error:
            result = _failed(error)
        return CustomerSessionPayload.from_result(result)

    @strawberry.mutation(
        description="Sign in with WordPress credentials (password or Application Password); "
        "rate-limited per login and per address."
    )
    async def sign_in(self, info: Info, input: SignInInput) -> CustomerSessionPayload:
        try:
            result = await use_cases.sign_in(info.context, input.login, input.password)
        except DomainError as error:
            result = _failed(error)
        return CustomerSessionPayload.from_result(result)

    @strawberry.mutation(
        description="Operators only: every session token issued to the customer stops working."
    )
    async def revoke_customer_sessions(
        self, info: Info, input: RevokeCustomerSessionsInput
    ) -> RevokeCustomerSessionsPayload:
        try:
            result = await use_cases.revoke_customer_sessions(info.context, str(input.customer_id))
        except DomainError as error:
            result = _failed(error)
        customer = CustomerNode.from_domain(result.customer) if result.customer else None
        errors = [UserErrorType.from_domain(error) for error in result.user_errors]
        return RevokeCustomerSessionsPayload(customer=customer, user_errors=errors)
