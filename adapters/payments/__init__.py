"""Payment providers behind the domain's port (``planswitch.domain.payment_provider``).

``build_provider(name)`` builds the one ``PLANSWITCH_PAYMENT_PROVIDER`` names (adapters do
not import the server's settings; the server passes the name).
"""

from __future__ import annotations

from planswitch.domain.payment_provider import PaymentProvider


def build_provider(name: str) -> PaymentProvider:
    """The provider called ``name`` (``manual`` is the default setting).

    Raises:
        ValueError: the name is not a known provider.
    """
    if name == "manual":
        from planswitch.adapters.payments.manual import ManualProvider

        return ManualProvider()
    raise ValueError(f"unknown payment provider {name!r} (PLANSWITCH_PAYMENT_PROVIDER)")
