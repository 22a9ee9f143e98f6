"""The typed per-request context: who is asking, the store, the clock and fresh loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import strawberry
from planswitch.domain.ports import Clock, Store
from planswitch.resolvers.checkout import Checkout
from planswitch.resolvers.loaders import Loaders

if TYPE_CHECKING:
    from planswitch.resolvers.sign_in import AuthServices
    from planswitch.server.settings import Settings

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


@dataclass
class Context:
    """Built once per request by the server (``planswitch.server.app``)."""

    store: Store
    clock: Clock
    settings: Settings
    viewer: Viewer
    # The payment provider and the pending-change TTL (issue 8); the server always sets it.
    checkout: Checkout | None = None
    # Session keys, revocations, sign-in accounts and limits (None: sessions unavailable).
    auth: AuthServices | None = None
    # The caller's address, for per-address limits on sign-in attempts.
    client_address: str = ""
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        # Fresh loaders per request: their caches must never outlive it.
        self.loaders = Loaders(self.store)


Info = strawberry.Info[Context, None]
