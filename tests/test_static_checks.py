"""Type checks (mypy: strict on the domain) and import contracts (import-linter) run with the
suite, so CI, which runs only pytest, enforces them (scripts/static_checks.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("check", ["imports", "mypy"])
def test_the_static_check_passes(check: str) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "static_checks.py"), check],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
