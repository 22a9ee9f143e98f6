"""Payment providers behind the domain's port (``planswitch.domain.payment_provider``).

``build_provider(name, ...)`` builds the one ``PLANSWITCH_PAYMENT_PROVIDER`` names (adapters do
not import the server's settings; the server passes the name and the provider's settings).
"""

from __future__ import annotations

from planswitch.domain.payment_provider import PaymentProvider


def build_provider(
    name: str, *, stripe_secret_key: str = "", stripe_api_base: str | None = None
) -> PaymentProvider:
    """The provider called ``name`` (``manual`` is the default setting, or ``stripe``).

    Raises:
        ValueError: the name is not a known provider.
    """
    if name == "manual":
        from planswitch.adapters.payments.manual import ManualProvider

        return ManualProvider()
    if name == "stripe":
        from planswitch.adapters.payments.stripe import StripeProvider

        return StripeProvider(stripe_secret_key, api_base=stripe_api_base)
    raise ValueError(f"unknown payment provider {name!r} (PLANSWITCH_PAYMENT_PROVIDER)")
