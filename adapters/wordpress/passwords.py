"""Checking passwords exactly as WordPress does, against the hashes it stores.

User passwords (``wp_users.user_pass``), WordPress 6.8's ``wp_check_password()``
(wp-includes/pluggable.php):

- a hash of at most 32 characters is a legacy unsalted MD5 of the password;
- passwords longer than 4096 characters never match;
- ``$wp$2y$...``: bcrypt over ``base64(HMAC-SHA384(password, key "wp-sha384"))``, the
  ``$wp`` prefix stripped (6.8+; the pre-hash keeps bcrypt's 72-byte limit out of the way);
- ``$P$...``: phpass' portable hash (8 rounds of iterated MD5; WordPress before 6.8);
- anything else: PHP's ``password_verify()`` (plain ``$2y$`` bcrypt from plugins).

Application Passwords (the user's ``_application_passwords`` meta), WordPress 6.8's
``WP_Application_Passwords::check_password()`` → ``wp_verify_fast_hash()``
(wp-includes/functions.php): ``$generic$`` + URL-safe unpadded base64 of a 30-byte keyed
BLAKE2b (key ``wp_fast_hash_6.8+``) of the password; older ones are phpass ``$P$`` hashes.
``wp_authenticate_application_password()`` (wp-includes/user.php) first drops every
character that is not a letter or digit, so the spaced form WordPress displays works too.

Libraries, not hand-written crypto: ``bcrypt`` and passlib's (libpass) ``phpass``;
hashlib's BLAKE2b, HMAC and MD5 are the standard library's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import bcrypt
from passlib.hash import phpass

MAX_PASSWORD_LENGTH = 4096  # wp_check_password(): longer passwords are not supported
_WP_PREFIX = "$wp"
_FAST_HASH_PREFIX = "$generic$"
_FAST_HASH_KEY = b"wp_fast_hash_6.8+"
_FAST_HASH_BYTES = 30
_NOT_ALNUM = re.compile(r"[^a-z\d]", re.IGNORECASE)


def check_user_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the ``user_pass`` hash ``stored``."""
    if not stored:
        return False
    secret = password.encode()
    if len(stored) <= 32:
        # wp_check_password() compares legacy MD5 hashes even before the length check.
        return hmac.compare_digest(stored.encode(), hashlib.md5(secret).hexdigest().encode())
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    if stored.startswith(_WP_PREFIX):
        prehash = base64.b64encode(hmac.new(b"wp-sha384", secret, hashlib.sha384).digest())
        return _bcrypt_verify(prehash, stored[len(_WP_PREFIX) :])
    if stored.startswith("$P$"):
        return _phpass_verify(password, stored)
    return _bcrypt_verify(secret, stored)


def check_application_password(password: str, stored: str) -> bool:
    """True when ``password`` (as typed, spaces allowed) matches an app password hash."""
    cleaned = _NOT_ALNUM.sub("", password)
    if not cleaned or not stored:
        return False
    if stored.startswith(_FAST_HASH_PREFIX):
        return hmac.compare_digest(stored.encode(), fast_hash(cleaned).encode())
    return _phpass_verify(cleaned, stored)


def fast_hash(message: str) -> str:
    """``wp_fast_hash()``: the form WordPress 6.8+ stores Application Passwords in."""
    digest = hashlib.blake2b(
        message.encode(), key=_FAST_HASH_KEY, digest_size=_FAST_HASH_BYTES
    ).digest()
    return _FAST_HASH_PREFIX + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _bcrypt_verify(secret: bytes, stored: str) -> bool:
    if not stored.startswith(("$2y$", "$2a$", "$2b$")):
        return False  # argon2 and other password_hash() algorithms: not supported here
    try:
        # PHP's bcrypt reads at most 72 bytes; the bcrypt package refuses longer input.
        return bcrypt.checkpw(secret[:72], stored.encode())
    except ValueError:  # a malformed stored hash never matches
        return False


def _phpass_verify(password: str, stored: str) -> bool:
    try:
        return bool(phpass.verify(password, stored))
    except (ValueError, TypeError):
        return False
