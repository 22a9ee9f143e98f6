"""Builds the configured store: the native one, or the WordPress plugin's tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from planswitch.server.settings import Settings

if TYPE_CHECKING:
    from planswitch.domain.ports import Store
    from planswitch.resolvers.sign_in import AuthServices


def make_store(settings: Settings) -> Store:
    """A ``WordPressStore`` when ``wordpress_url`` is set, else a ``NativeStore``."""
    # Imported here so the server starts without the drivers of the store it does not use.
    if settings.wordpress_url:
        from planswitch.adapters.wordpress.store import WordPressStore

        return WordPressStore(
            settings.wordpress_url,
            prefix=settings.wordpress_prefix,
            network_id=settings.wordpress_network_id,
            writes=settings.wordpress_writes,
        )
    from planswitch.adapters.native import NativeStore

    return NativeStore(settings.database_url)


def uses_native_store(settings: Settings) -> bool:
    """True when the service keeps its own tables (migrations and demo data apply)."""
    return not settings.wordpress_url


def make_auth_services(settings: Settings, store: Store) -> AuthServices:
    """Session keys, where revocations live (the store's own tables), the sign-in limiter
    and, on a WordPress network, its users as accounts."""
    from planswitch.resolvers.sessions import SessionKeys
    from planswitch.resolvers.sign_in import AuthServices
    from planswitch.server.ratelimit import SignInLimiter

    keys = SessionKeys.of(
        settings.secret_key, settings.previous_secret_keys, settings.session_ttl_seconds
    )
    limiter = SignInLimiter(
        settings.rate_limit_storage_url,
        settings.sign_in_limit_per_login,
        settings.sign_in_limit_per_address,
    )
    from planswitch.adapters.wordpress.store import WordPressStore

    if isinstance(store, WordPressStore):
        from planswitch.adapters.wordpress.credentials import (
            WordPressAccounts,
            WordPressSessionLedger,
        )

        return AuthServices(keys, WordPressSessionLedger(store), limiter, WordPressAccounts(store))
    from planswitch.adapters.native.sessions import NativeSessionLedger

    return AuthServices(keys, NativeSessionLedger(store), limiter)  # type: ignore[arg-type]
