"""Payment providers behind the domain's port (``planswitch.domain.payment_provider``).

``build_provider(settings)`` picks the one ``PLANSWITCH_PAYMENT_PROVIDER`` names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planswitch.domain.payment_provider import PaymentProvider

if TYPE_CHECKING:
    from planswitch.server.settings import Settings


def build_provider(settings: Settings) -> PaymentProvider:
    """The configured provider (``manual`` by default, or ``stripe``).

    Raises:
        ValueError: the name is not a known provider.
    """
    name = settings.payment_provider
    if name == "manual":
        from planswitch.adapters.payments.manual import ManualProvider

        return ManualProvider()
    if name == "stripe":
        from planswitch.adapters.payments.stripe import StripeProvider

        return StripeProvider(settings.stripe_secret_key, api_base=settings.stripe_api_base)
    raise ValueError(f"unknown payment provider {name!r} (PLANSWITCH_PAYMENT_PROVIDER)")
