"""WordPress password checks against hashes made by real PHP (php-cli), every stored form.

The PHP side (php/wp_hash.php) is written from WordPress' documented algorithms; the
Python side under test uses bcrypt, passlib's phpass and hashlib. Both agreeing on hashes
PHP made with random salts is the evidence; the fixture network's own phpass hashes and
published vectors pin the formats.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from planswitch.adapters.wordpress.passwords import (
    check_application_password,
    check_user_password,
    fast_hash,
)

HELPER = Path(__file__).parent / "php" / "wp_hash.php"
PASSWORDS = ["correct horse battery staple", "pässwörd-ünïcode", "x", "a" * 100, "  spaced  "]


def php_hashes(items: list[tuple[str, str]]) -> list[str]:
    php = shutil.which("php")
    if php is None:
        pytest.fail("php-cli is needed (CI installs it): the hashes must come from real PHP")
    payload = json.dumps([{"kind": kind, "password": password} for kind, password in items])
    result = subprocess.run(
        [php, str(HELPER)], input=payload.encode(), capture_output=True, check=True, timeout=60
    )
    return json.loads(result.stdout)


@pytest.mark.php
@pytest.mark.parametrize("kind", ["wp68", "phpass", "md5", "bcrypt"])
def test_user_passwords_hashed_by_php_are_checked_like_wordpress(kind: str) -> None:
    passwords = [p for p in PASSWORDS if kind != "wp68" or p == p.strip()]  # 6.8 trims
    hashes = php_hashes([(kind, password) for password in passwords])
    for password, stored in zip(passwords, hashes, strict=True):
        assert check_user_password(password, stored), (kind, password, stored)
        # Plain bcrypt reads 72 bytes and no more, in PHP as here (the reason WordPress 6.8
        # pre-hashes): only there may a longer password differ past byte 72 and still match.
        past_72 = kind == "bcrypt" and len(password.encode()) >= 72
        assert check_user_password(password + "!", stored) is past_72
        assert not check_user_password(password.upper() + "x", stored)
    prefixes = {"wp68": "$wp$2y$", "phpass": "$P$B", "bcrypt": "$2y$"}
    if kind in prefixes:
        assert all(stored.startswith(prefixes[kind]) for stored in hashes)


@pytest.mark.php
def test_application_passwords_hashed_by_php_are_checked_like_wordpress() -> None:
    app_password = "abcdEFGHijklMNOPqrstUVWX"  # 24 letters and digits, as WordPress makes them
    fast, old = php_hashes([("fast", app_password), ("phpass", app_password)])
    assert fast.startswith("$generic$") and old.startswith("$P$B")
    assert fast == fast_hash(app_password)  # byte-identical to PHP's sodium BLAKE2b
    for stored in (fast, old):
        assert check_application_password(app_password, stored)
        # The spaced form WordPress displays ("abcd EFGH ...") is accepted too.
        spaced = " ".join(app_password[i : i + 4] for i in range(0, 24, 4))
        assert check_application_password(spaced, stored)
        assert not check_application_password(app_password[:-1] + "Y", stored)
        assert not check_application_password("", stored)


def test_published_vectors() -> None:
    # md5("password"): the legacy form WordPress still accepts (and rehashes on login).
    assert check_user_password("password", "5f4dcc3b5aa765d61d8327deb882cf99")
    assert not check_user_password("Password", "5f4dcc3b5aa765d61d8327deb882cf99")


def test_malformed_or_unsupported_hashes_never_match() -> None:
    for stored in ("", "$wp$", "$wp$2y$10$short", "$P$Bshort", "$argon2id$v=19$m=1,t=1,p=1$x$y"):
        assert not check_user_password("anything", stored)
        assert not check_application_password("anything", stored)
    assert not check_user_password("a" * 4097, "$2y$04$" + "a" * 53)
