"""Who is asking: an operator, a customer or an anonymous caller.

What each kind may see or do is decided in ``resolvers.policy``; this module only says who.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ViewerKind = Literal["operator", "customer", "anonymous"]


@dataclass(frozen=True)
class Viewer:
    """The caller. What each kind may see or do is decided in ``resolvers.policy``."""

    kind: ViewerKind
    customer_id: int | None = None

    @classmethod
    def operator(cls) -> Viewer:
        return cls("operator")

    @classmethod
    def customer(cls, customer_id: int) -> Viewer:
        return cls("customer", customer_id)

    @classmethod
    def anonymous(cls) -> Viewer:
        return cls("anonymous")

    @property
    def is_operator(self) -> bool:
        return self.kind == "operator"
