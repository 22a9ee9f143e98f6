"""Sign-in limits shared by every process through Redis (PLANSWITCH_RATE_LIMIT_STORAGE_URL)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from planswitch.server.ratelimit import SignInLimiter


@pytest.fixture
def redis_url() -> str:
    """PLANSWITCH_TEST_REDIS_URL, else the local default; it must answer (CI starts it)."""
    url = os.environ.get("PLANSWITCH_TEST_REDIS_URL", "redis://127.0.0.1:6379")
    try:
        SignInLimiter(url, "1/minute", "1/minute").storage.check() or _unreachable(url)
    except Exception as error:
        _unreachable(url, error)
    return url


def _unreachable(url: str, error: object = "no answer") -> None:
    message = f"Redis at {url} does not answer ({error}); .ci/run starts one"
    if os.environ.get("PLANSWITCH_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


ATTEMPT = """
import sys
from planswitch.server.ratelimit import SignInLimiter
limiter = SignInLimiter(sys.argv[1], "3/minute", "100/minute")
print(limiter.allow(sys.argv[2], sys.argv[3]))
"""


def test_processes_share_the_per_login_limit_through_redis(redis_url) -> None:
    login, address = f"user-{uuid.uuid4().hex}", f"203.0.113.{uuid.uuid4().int % 250}"
    answers = [
        subprocess.run(
            [sys.executable, "-c", ATTEMPT, redis_url, login, address],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout.strip()
        for _ in range(4)
    ]  # fmt: skip
    # Four separate processes: the fourth attempt on the login is over the limit of three.
    assert answers == ["True", "True", "True", "False"]


def test_memory_storage_is_per_process() -> None:
    first = SignInLimiter("memory://", "1/minute", "100/minute")
    second = SignInLimiter("memory://", "1/minute", "100/minute")
    assert first.allow("olivia", "a") and not first.allow("olivia", "a")
    assert second.allow("olivia", "a")  # its own count: why several workers need Redis
