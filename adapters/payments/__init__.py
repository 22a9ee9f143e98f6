"""Payment providers behind the domain's payment port (``domain/payment_provider.py``)."""
