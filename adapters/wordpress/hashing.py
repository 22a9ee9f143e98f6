"""The plugin's public hashes of model ids (``WP_Ultimo\\Helpers\\Hash``), e.g. line-item ids.

The plugin encodes ids with Hashids 4.1.0, salt = the model name (``product``,
``membership``, ``payment``), minimum length 10, alphabet ``A-Z`` then ``1-90``; the
Python ``hashids`` package gives the same output (docs/wordpress.md §9.2):

>>> encode_id(1, "product"), encode_id(12, "product"), encode_id(1, "membership")
('ZDRNXRN5M0', 'ZP9GK5N70W', '03NW02P5JE')
"""

from __future__ import annotations

from functools import cache

from hashids import Hashids

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890"
MIN_LENGTH = 10


@cache
def _hasher(model: str) -> Hashids:
    return Hashids(salt=model, min_length=MIN_LENGTH, alphabet=ALPHABET)


def encode_id(model_id: int, model: str = "product") -> str:
    """The plugin's hash of ``model_id`` for ``model`` (its Hashids salt)."""
    if isinstance(model_id, bool) or not isinstance(model_id, int) or model_id < 0:
        raise ValueError(f"cannot hash id {model_id!r}")
    return _hasher(model).encode(model_id)


def decode_id(value: str, model: str = "product") -> int | None:
    """The id behind a hash, or None when ``value`` is not a hash of ``model``."""
    decoded = _hasher(model).decode(value)
    return decoded[0] if len(decoded) == 1 else None
