"""Every fixture membership's effective limits equal what PHP computes with the plugin's
merge rules (issue 10: ``Limitations::merge($override, ...$list)`` order and all).

The PHP side is ``php/membership_limits.php``: a re-implementation written for these tests
from the plugin's behaviour (2.4.10, each rule cited there), run by php-cli on the raw
stored texts, so PHP's own ``unserialize``, ``is_numeric`` and ``(int)`` decide.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.domain.limits import effective_limits
from planswitch.domain.ports import MembershipFilter
from sqlalchemy import text

pytestmark = pytest.mark.mariadb

SCRIPT = Path(__file__).parent / "php" / "membership_limits.php"


@pytest.fixture
def store(wordpress_url: str) -> Iterator[WordPressStore]:
    opened = WordPressStore(wordpress_url)
    yield opened
    opened.dispose()


def _raw_input(store: WordPressStore) -> dict[str, Any]:
    """The stored texts the plugin reads: products' and memberships' first ``wu_limitations``
    meta row, and each membership's ``plan_id`` and ``addon_products`` column."""
    with store.engine.connect() as conn:
        products: dict[str, str] = {}
        for pid, value in conn.execute(
            text(
                "SELECT wu_product_id, meta_value FROM wp_wu_productmeta "
                "WHERE meta_key = 'wu_limitations' ORDER BY meta_id"
            )
        ):
            products.setdefault(str(pid), value)
        own: dict[int, str] = {}
        for mid, value in conn.execute(
            text(
                "SELECT wu_membership_id, meta_value FROM wp_wu_membershipmeta "
                "WHERE meta_key = 'wu_limitations' ORDER BY meta_id"
            )
        ):
            own.setdefault(int(mid), value)
        memberships = [
            {
                "id": int(mid),
                "plan_id": int(plan),
                "addon_products": addons or "",
                "own": own.get(mid),
            }
            for mid, plan, addons in conn.execute(
                text("SELECT id, plan_id, addon_products FROM wp_wu_memberships ORDER BY id")
            )
        ]
    return {"products": products, "memberships": memberships}


def _php_limits(payload: dict[str, Any]) -> dict[str, Any]:
    php = shutil.which("php")
    assert php is not None, "php-cli is required (the plugin's merge runs in PHP)"
    out = subprocess.run(
        [php, str(SCRIPT)], input=json.dumps(payload).encode(), check=False, capture_output=True
    )
    assert out.returncode == 0, out.stderr.decode() + out.stdout.decode()
    return json.loads(out.stdout)


def _comparable(value: Any) -> Any:
    """JSON's view of a PHP array: keys as text, a 0..n-1 keyed array as a list."""
    if isinstance(value, dict):
        keys = [str(k) for k in value]
        if keys and keys == [str(i) for i in range(len(keys))]:
            return [_comparable(v) for v in value.values()]
        return {str(k): _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value] if value else {}
    return value


def _planswitch_limits(store: WordPressStore) -> dict[str, Any]:
    memberships = store.list_memberships(MembershipFilter(), 0, 1000).items
    catalog = {p.id: p for p in store.list_products()}
    out = {}
    for m in memberships:
        addons = [(catalog[a], q) for a, q in m.addons.items() if a in catalog]
        limits = effective_limits(catalog.get(m.plan_id), addons, m.limitations_override)
        out[str(m.id)] = limits.to_raw()
    return out


def test_effective_limits_equal_the_plugins_merge_on_every_membership(
    store: WordPressStore,
) -> None:
    payload = _raw_input(store)
    expected = _php_limits(payload)
    actual = _planswitch_limits(store)
    assert len(expected) == len(payload["memberships"]) >= 8
    assert sorted(actual) == sorted(expected)
    for membership_id in sorted(expected, key=int):
        assert _comparable(actual[membership_id]) == _comparable(expected[membership_id]), (
            f"membership {membership_id}"
        )
