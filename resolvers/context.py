"""The typed per-request context: who is asking, the store, the clock and fresh loaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import strawberry
from planswitch.domain.ports import Clock, Store
from planswitch.resolvers.checkout import Checkout
from planswitch.resolvers.loaders import Loaders, run_read
from planswitch.resolvers.viewer import Viewer, ViewerKind

if TYPE_CHECKING:
    from planswitch.domain.payment_provider import PaymentProvider
    from planswitch.resolvers.auth_services import AuthServices

T = TypeVar("T")

__all__ = ["Context", "Info", "Settings", "Viewer", "ViewerKind"]


class Settings(Protocol):
    """What use cases and the schema read from the server's settings
    (``planswitch.server.settings.Settings`` has these and more; resolvers do not import it)."""

    @property
    def secret_key(self) -> str: ...

    @property
    def max_page_size(self) -> int: ...

    @property
    def max_addon_quantity(self) -> int: ...


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
    # The configured payment provider, if any: whether it can keep a membership's gateway
    # subscription in step decides what may be sold (resolvers.gateways).
    payment_provider: PaymentProvider | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        # Fresh loaders per request: their caches must never outlive it.
        self.loaders = Loaders(self.store)

    async def read(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``, a store read: see ``run_read``."""
        return await run_read(self.store, fn, *args, **kwargs)


Info = strawberry.Info[Context, None]
