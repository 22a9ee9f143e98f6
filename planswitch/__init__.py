"""planswitch: sell, upgrade and downgrade Ultimate Multisite plans over GraphQL.

The repository keeps the design card's folders at its top (``domain/``, ``schema/``,
``resolvers/``, ``adapters/``, ``server/``); ``pyproject.toml`` maps each of them into this
one package (``planswitch.domain``, ``planswitch.schema``, ...) so that installing planswitch
never shadows other distributions' top-level packages such as PyPI's ``schema``.
"""

__version__ = "0.1.0"
