"""Reading ids from clients: opaque global ids or plain database ids (per ``idType``)."""

from __future__ import annotations

import base64
import binascii

from planswitch.domain.errors import DomainError, ErrorCode

# The largest id any supported database stores (signed BIGINT; SQLite's INTEGER). Larger
# ids cannot exist, and sending one to a database fails (issue 11, defect 4).
MAX_DATABASE_ID = 2**63 - 1


def encode_global_id(type_name: str, database_id: int) -> str:
    """``encode_global_id("Product", 1) == "UHJvZHVjdDox"`` (base64 of ``Product:1``)."""
    # binascii directly: base64.b64encode is a wrapper around it, and every node of a page
    # builds its id (issue 12).
    return binascii.b2a_base64(f"{type_name}:{database_id}".encode(), newline=False).decode()


def split_global_id(value: str, field: str) -> tuple[str, int]:
    """(type name, database id) of a global id; raises ``DomainError(INVALID_ID)``."""
    try:
        decoded = base64.b64decode(value.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _invalid(value, field) from None
    type_name, sep, raw_id = decoded.partition(":")
    if not sep or not type_name or not _is_number(raw_id):
        raise _invalid(value, field)
    return type_name, _bounded(raw_id, field)


def decode_id(value: str, expected_type: str, field: str, id_type: str = "ID") -> int:
    """The database id in ``value``.

    With ``id_type`` ID: a global id of ``expected_type``, or a plain integer (accepted
    too, as inputs document). With DATABASE_ID: a plain integer only.

    Raises:
        DomainError: INVALID_ID naming ``field`` when malformed or of another type.
    """
    text = str(value).strip()
    if _is_number(text):
        return _bounded(text, field)
    if id_type == "DATABASE_ID":
        raise DomainError(
            ErrorCode.INVALID_ID,
            f"`{field}` must be an integer database id with idType DATABASE_ID.",
            field,
        )
    type_name, database_id = split_global_id(text, field)
    if type_name != expected_type:
        raise DomainError(
            ErrorCode.INVALID_ID,
            f"`{field}` is the id of a {type_name}, not of a {expected_type}.",
            field,
        )
    return database_id


def _is_number(text: str) -> bool:
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    return text.isascii() and text.isdigit()


def _bounded(digits: str, field: str) -> int:
    # Checked on the length first: int() of a 5,000-digit string raises (PEP 651 limit).
    database_id = int(digits) if len(digits) <= 20 else MAX_DATABASE_ID + 1
    if database_id > MAX_DATABASE_ID:
        raise DomainError(
            ErrorCode.INVALID_ID,
            f"`{field}` is out of range: ids are at most {MAX_DATABASE_ID}.",
            field,
        )
    return database_id


def _invalid(value: str, field: str) -> DomainError:
    shown = value if len(value) <= 40 else value[:40] + "…"
    return DomainError(ErrorCode.INVALID_ID, f"`{field}` is not a valid id: {shown!r}.", field)
