"""Builds the configured store: the native one, or the WordPress plugin's tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from planswitch.server.settings import Settings

if TYPE_CHECKING:
    from planswitch.domain.ports import Store


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
