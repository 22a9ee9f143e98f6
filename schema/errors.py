"""User errors as data: ``userErrors { code field message }`` on every mutation payload."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry
from planswitch.domain.errors import UserError
from planswitch.schema.enums import ErrorCode


@strawberry.type(
    name="UserError",
    description="An expected failure the caller can act on; nothing was changed.",
)
class UserErrorType:
    code: ErrorCode = strawberry.field(description="Stable machine-readable code.")
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase), if one is."
    )
    message: str = strawberry.field(description="A sentence for humans.")

    @classmethod
    def from_domain(cls, error: UserError) -> UserErrorType:
        return cls(code=error.code, field=error.field, message=error.message)


def user_errors(errors: Iterable[UserError]) -> list[UserErrorType]:
    """The ``userErrors`` list of a payload."""
    return [UserErrorType.from_domain(error) for error in errors]
