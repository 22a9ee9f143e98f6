"""PHP serialization: the one module that reads and writes PHP ``serialize()`` text.

Reading goes through the maintained ``phpserialize`` library. Writing is done here because
the library formats floats the Python way (``d:50.0``) while PHP 7.1+ writes the shortest
round-trip form (``d:50;``, ``d:-0;``, ``d:1.0E+25;``); writing PHP's exact bytes keeps a row
we write byte-identical to one the plugin writes.

Encodings (docs/wordpress.md §9.1):
  * meta values: plain ``serialize()`` text (:func:`dumps` / :func:`loads`);
  * main-table columns: ``serialize()`` then ``addslashes()`` (:func:`dumps_column` /
    :func:`loads_column`).

Strings are UTF-8; ``s:<n>:`` counts bytes. Objects load as ``phpserialize.phpobject`` whose
property names keep PHP's NUL prefixes (``"\\0*\\0hash"`` protected, ``"\\0Class\\0x"`` private).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import phpserialize

phpobject = phpserialize.phpobject

__all__ = [
    "PhpSerialError",
    "addslashes",
    "as_list",
    "dumps",
    "dumps_column",
    "dumps_text",
    "is_serialized",
    "loads",
    "loads_column",
    "make_object",
    "maybe_dumps",
    "maybe_loads",
    "maybe_loads_column",
    "php_float",
    "phpobject",
    "props",
    "stripslashes",
]

_CHARSET = "utf-8"
_ERRORS = "surrogateescape"  # invalid UTF-8 survives a round trip byte for byte


class PhpSerialError(ValueError):
    """The text is not valid PHP ``serialize()`` output."""


def _object_hook(name: str, properties: dict[Any, Any]) -> phpobject:
    return phpobject(name, properties)


def _to_bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode(_CHARSET, _ERRORS)


def loads(value: bytes | str) -> Any:
    """Unserialize PHP text: arrays → dict, objects → ``phpobject``, strings → str.

    Raises:
        PhpSerialError: the text is not one complete serialized value.
    """
    data = _to_bytes(value)
    try:
        return phpserialize.loads(
            data,
            charset=_CHARSET,
            errors=_ERRORS,
            decode_strings=True,
            object_hook=_object_hook,
        )
    except PhpSerialError:
        raise
    except Exception as exc:  # the library raises ValueError, IndexError, ...
        raise PhpSerialError(f"not PHP serialized data: {exc}") from exc


_SERIAL_SCALAR = re.compile(r"^[bid]:[0-9.E+\-INFAN]+;$")
_SERIAL_COMPOUND = re.compile(r"^[aOC]:[0-9]+:")
_SERIAL_STRING = re.compile(r'^s:[0-9]+:".*";$', re.DOTALL)


def is_serialized(value: object) -> bool:
    """True when ``value`` looks like ``serialize()`` output (WordPress's ``is_serialized``)."""
    if isinstance(value, bytes):
        value = value.decode(_CHARSET, _ERRORS)
    if not isinstance(value, str):
        return False
    text = value.strip()
    if text == "N;":
        return True
    if len(text) < 4 or text[1] != ":":
        return False
    if text[0] in "aOC":
        return text.endswith("}") and bool(_SERIAL_COMPOUND.match(text))
    if text[0] == "s":
        return bool(_SERIAL_STRING.match(text))
    if text[0] in "bid":
        return bool(_SERIAL_SCALAR.match(text))
    return False


def maybe_loads(value: Any) -> Any:
    """WordPress's ``maybe_unserialize``: serialized text decoded, anything else as is."""
    if isinstance(value, (str, bytes)) and is_serialized(value):
        return loads(value.strip() if isinstance(value, str) else value.strip())
    return value


def stripslashes(text: str) -> str:
    """PHP ``stripslashes``: ``\\x`` → ``x``, ``\\0`` → NUL, a lone trailing backslash dropped."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 1
            if i < n:
                out.append("\0" if text[i] == "0" else text[i])
        else:
            out.append(ch)
        i += 1
    return "".join(out)


_ADDSLASHES = str.maketrans({"\\": "\\\\", "'": "\\'", '"': '\\"', "\0": "\\0"})


def addslashes(text: str) -> str:
    """PHP ``addslashes``: backslash before ``'``, ``"``, ``\\``; NUL becomes ``\\0``."""
    return text.translate(_ADDSLASHES)


def loads_column(value: bytes | str) -> Any:
    """Decode a main-table column the plugin wrote as ``addslashes(serialize(v))``."""
    text = value.decode(_CHARSET, _ERRORS) if isinstance(value, bytes) else value
    return loads(stripslashes(text))


def maybe_loads_column(value: Any) -> Any:
    """``maybe_unserialize(wp_unslash(v))`` of a column (``''``, NULL, text pass through)."""
    if isinstance(value, bytes):
        value = value.decode(_CHARSET, _ERRORS)
    if not isinstance(value, str):
        return value
    return maybe_loads(stripslashes(value))


def php_float(value: float) -> str:
    """A float as PHP 7.1+ ``serialize``/``var_export`` writes it (serialize_precision -1).

    >>> php_float(50.0), php_float(-0.0), php_float(6.029999999999999), php_float(1e25)
    ('50', '-0', '6.029999999999999', '1.0E+25')
    """
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    # repr gives the shortest round-trip digits; re-lay them out PHP's way.
    digits_text = repr(abs(value))
    mantissa, _, exp_text = digits_text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    # decpt = position of the decimal point relative to the first significant digit
    decpt = len(whole) + (int(exp_text) if exp_text else 0)
    if whole.strip("0") == "":  # 0.000123 -> count leading zeros of the fraction
        stripped = frac.lstrip("0")
        decpt = -(len(frac) - len(stripped)) + (int(exp_text) if exp_text else 0)
        digits = stripped
    digits = digits.rstrip("0")
    if not digits:
        return f"{sign}0"
    if decpt < -3 or decpt > 17:  # zend_gcvt with precision 17: scientific notation
        head, tail = digits[0], digits[1:] or "0"
        exp = decpt - 1
        return f"{sign}{head}.{tail}E{'+' if exp >= 0 else '-'}{abs(exp)}"
    if decpt <= 0:
        return f"{sign}0.{'0' * -decpt}{digits}"
    if len(digits) <= decpt:
        return f"{sign}{digits}{'0' * (decpt - len(digits))}"
    return f"{sign}{digits[:decpt]}.{digits[decpt:]}"


_INT_KEY = re.compile(r"^(0|-?[1-9][0-9]*)$")


def _key(key: Any) -> bytes:
    # PHP turns canonical numeric-string keys ("5") into integer keys, and bools into 0/1.
    if isinstance(key, bool):
        return b"i:%d;" % int(key)
    if isinstance(key, int):
        return b"i:%d;" % key
    if isinstance(key, str) and _INT_KEY.match(key) and -(2**63) <= int(key) < 2**63:
        return b"i:%d;" % int(key)
    if isinstance(key, (str, bytes)):
        return _dump_string(key)
    raise TypeError(f"cannot use {type(key).__name__} as a PHP array key")


def _dump_string(value: str | bytes) -> bytes:
    raw = _to_bytes(value)
    return b's:%d:"%s";' % (len(raw), raw)


def _dump_pairs(items: Any) -> bytes:
    return b"".join(_key(k) + _dump(v) for k, v in items)


def _dump(value: Any) -> bytes:
    if value is None:
        return b"N;"
    if isinstance(value, bool):
        return b"b:1;" if value else b"b:0;"
    if isinstance(value, int):
        return b"i:%d;" % value
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return b"d:%s;" % php_float(value).encode("ascii")
    if isinstance(value, (str, bytes)):
        return _dump_string(value)
    if isinstance(value, phpobject):
        name = _to_bytes(value.__name__)
        properties = value.__php_vars__
        return b'O:%d:"%s":%d:{%s}' % (
            len(name),
            name,
            len(properties),
            _dump_pairs(properties.items()),
        )
    if isinstance(value, Mapping):
        return b"a:%d:{%s}" % (len(value), _dump_pairs(value.items()))
    if isinstance(value, (list, tuple)):
        return b"a:%d:{%s}" % (len(value), _dump_pairs(enumerate(value)))
    raise TypeError(f"cannot PHP-serialize {type(value).__name__}")


def dumps(value: Any) -> bytes:
    """PHP ``serialize()`` of ``value`` as UTF-8 bytes.

    None → ``N;``, bool → ``b:1;``, int → ``i:``, float/Decimal → ``d:`` (PHP formatting),
    str → ``s:<bytes>:"…";``, dict/list → ``a:``, ``phpobject`` → ``O:`` with its properties
    in order (protected names ``"\\0*\\0x"`` as given).
    """
    return _dump(value)


def dumps_text(value: Any) -> str:
    """:func:`dumps` decoded to str, ready for a text column."""
    return dumps(value).decode(_CHARSET, _ERRORS)


def dumps_column(value: Any) -> str:
    """What ``Base_Model::save`` stores in a main-table column: ``addslashes(serialize(v))``."""
    return addslashes(dumps_text(value))


def maybe_dumps(value: Any) -> str:
    """What WordPress's ``update_metadata`` stores: arrays/objects serialized, scalars as text.

    Booleans become ``"1"``/``""`` and None ``""``, as ``$wpdb`` writes them.
    """
    if isinstance(value, (Mapping, list, tuple, phpobject)):
        return dumps_text(value)
    if isinstance(value, str) and is_serialized(value):
        return dumps_text(value)  # WordPress serializes serialized strings again
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, float):
        return php_float(value)
    return str(value)


def props(obj: Any) -> dict[str, Any]:
    """A loaded PHP object's properties by bare name (``\\0*\\0`` / ``\\0Class\\0`` removed).

    A dict (e.g. an already-unserialized array) is returned as a plain dict.
    """
    if isinstance(obj, phpobject):
        raw = obj.__php_vars__
    elif isinstance(obj, Mapping):
        raw = obj
    else:
        raise TypeError(f"expected a PHP object, got {type(obj).__name__}")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.decode(_CHARSET, _ERRORS) if isinstance(key, bytes) else str(key)
        if name.startswith("\0"):
            name = name.rsplit("\0", 1)[-1]
        out[name] = value
    return out


def make_object(
    class_name: str, properties: Mapping[str, Any], *, visibility: str = "protected"
) -> phpobject:
    """A PHP object with the ``visibility`` prefix on property names (protected/public/private)."""
    if visibility == "protected":
        prefix = "\0*\0"
    elif visibility == "public":
        prefix = ""
    elif visibility == "private":
        prefix = f"\0{class_name}\0"
    else:
        raise ValueError(f"unknown visibility {visibility!r}")
    return phpobject(class_name, {prefix + name: value for name, value in properties.items()})


def as_list(value: Any) -> list[Any]:
    """A PHP list as a Python list: dict values in order; None, ``""`` and False give ``[]``."""
    if value is None or value is False or value == "":
        return []
    if isinstance(value, Mapping):
        return list(value.values())
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]
