"""Relay-style object identification: the ``Node`` interface and opaque global ids.

A global id is base64 of ``"<TypeName>:<databaseId>"`` (WPGraphQL's format), so clients
can refetch any object with ``node(id:)``. Inputs also accept a plain databaseId string.
The encoding lives in ``planswitch.resolvers.ids`` (use cases decode ids too); this module is the
schema-facing name for it.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from planswitch.resolvers.ids import decode_id, encode_global_id, split_global_id

__all__ = ["Node", "decode_global_id", "encode_global_id", "split_global_id"]


@strawberry.interface(name="Node", description="An object with an opaque global id.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global id, usable with node(id:).")


def decode_global_id(value: str, expected_type: str, field: str) -> int:
    """The database id in ``value`` (a global id of ``expected_type`` or a plain integer).

    Raises:
        DomainError: INVALID_ID naming ``field`` when malformed or of another type.
    """
    return decode_id(value, expected_type, field)


# The `id` argument of every root lookup (product, customer, membership, payment); the
# lookup's own `idType` enum says how to read it (docs/api.md).
LookupId = Annotated[
    strawberry.ID, strawberry.argument(description="The id, read as `idType` says.")
]
ID_TYPE_HELP = "How to read `id`; null means ID (global id)."
