"""PHP reads back every value planswitch writes, with the types the plugin expects.

Each value goes to PHP through a temporary file; PHP ``unserialize()``s it (without the
plugin's classes: ``__PHP_Incomplete_Class``) and prints a JSON description that keeps
PHP's types: ints stay ints, floats print with a fraction, array keys keep their type.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from planswitch.adapters.wordpress import encoders
from planswitch.domain.memberships import ScheduledChange
from planswitch.domain.payments import LineItem, LineItemType
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.products import Product, ProductType

PHP_DESCRIBE = r"""
function describe($v) {
    if (is_object($v)) {
        $a = (array) $v;
        $class = $a['__PHP_Incomplete_Class_Name'] ?? get_class($v);
        unset($a['__PHP_Incomplete_Class_Name']);
        $props = [];
        foreach ($a as $k => $x) {
            $p = strrpos($k, "\0");
            $props[] = [$p === false ? $k : substr($k, $p + 1), describe($x)];
        }
        return ['class' => $class, 'count' => count($a), 'props' => $props];
    }
    if (is_array($v)) {
        $pairs = [];
        foreach ($v as $k => $x) { $pairs[] = [$k, describe($x)]; }
        return ['array' => $pairs];
    }
    return ['type' => gettype($v), 'value' => $v];
}
$raw = file_get_contents($argv[1]);
if ($argv[2] === 'slashed') { $raw = stripslashes($raw); }
$value = unserialize($raw, ['allowed_classes' => false]);
if ($value === false && $raw !== 'b:0;') { fwrite(STDERR, "unserialize failed\n"); exit(2); }
echo json_encode(describe($value), JSON_PRESERVE_ZERO_FRACTION);
"""


def php_read(text: str, *, slashed: bool = False) -> Any:
    """Unserialize ``text`` in PHP and return it as plain Python values.

    Objects become ``{"__class__": name, "__count__": n, <property>: value, ...}`` (property
    names without their NUL prefixes); arrays become dicts with PHP's key types; scalars
    keep PHP's type (``int``, ``float``, ``bool``, ``str``, ``None``).
    """
    php = shutil.which("php")
    if php is None:
        pytest.skip("php-cli is not installed")
    with tempfile.NamedTemporaryFile("wb", suffix=".ser", delete=False) as handle:
        handle.write(text.encode("utf-8"))
        path = Path(handle.name)
    try:
        out = subprocess.run(
            [php, "-r", PHP_DESCRIBE, "--", str(path), "slashed" if slashed else "plain"],
            check=True,
            capture_output=True,
        ).stdout
    finally:
        path.unlink()
    return _plain(json.loads(out))


def _plain(node: dict[str, Any]) -> Any:
    if "class" in node:
        obj: dict[str, Any] = {"__class__": node["class"], "__count__": node["count"]}
        obj.update({name: _plain(value) for name, value in node["props"]})
        return obj
    if "array" in node:
        return {key: _plain(value) for key, value in node["array"]}
    value, kind = node["value"], node["type"]
    if kind == "double":
        return float(value)
    return value


MONTH = BillingPeriod(1, DurationUnit.MONTH)
SWAP_DATE = datetime(2026, 7, 3, 23, 59, 59, tzinfo=UTC)
LINE_ITEM = "WP_Ultimo\\Checkout\\Line_Item"


def _assert_types(line: dict[str, Any]) -> None:
    assert line["__class__"] == LINE_ITEM and line["__count__"] == 31
    for name in ("unit_price", "subtotal", "discount_total", "tax_total", "total"):
        assert type(line[name]) is float, name
    for name in ("quantity", "duration", "billing_cycles"):
        assert type(line[name]) is int, name
    assert line["product_id"] is None or type(line["product_id"]) is int


@pytest.mark.php
def test_line_items_read_back_as_line_item_objects_with_plugin_types() -> None:
    items = [
        LineItem(
            LineItemType.PRODUCT, "Premium", Decimal("49"), 1, 2, recurring=True, period=MONTH
        ),
        LineItem(
            LineItemType.PRODUCT,
            "Extra Disk Space",
            Decimal("5"),
            2,
            7,
            recurring=True,
            period=MONTH,
        ),
        LineItem(
            LineItemType.CREDIT,
            "Credit",
            Decimal("-2.30"),
            description="Prorated amount based on the previous membership.",
        ),
    ]
    value = php_read(encoders.encode_line_items(items))
    assert list(value) == ["LN_PRODUCT_O34J5YJK7Q", "LN_PRODUCT_17ENOVGKL9", "LN_CREDIT_"]
    for line in value.values():
        _assert_types(line)
    disk = value["LN_PRODUCT_17ENOVGKL9"]
    assert (disk["product_id"], disk["quantity"], disk["subtotal"], disk["total"]) == (
        7,
        2,
        10.0,
        10.0,
    )
    credit = value["LN_CREDIT_"]
    assert (credit["hash"], credit["total"], credit["recurring"]) == (None, -2.3, False)


@pytest.mark.php
def test_swap_cart_reads_back_as_a_cart_swap_can_apply() -> None:
    products = {
        3: Product(3, "basic", "Basic", ProductType.PLAN, Decimal("19"), description="One site."),
        6: Product(6, "unlimited-visits", "Unlimited Visits", ProductType.PACKAGE, Decimal("9")),
    }
    change = ScheduledChange(3, {6: 1}, MONTH, Decimal("28.00"), SWAP_DATE)
    cart = encoders.swap_cart(
        membership_id=1,
        change=change,
        lines=encoders.swap_line_items(change, products),
        products={pid: encoders.ProductFacts.of(p) for pid, p in products.items()},
        currency="USD",
    )
    value = php_read(encoders.encode_swap_order(cart))
    assert value["__class__"] == "WP_Ultimo\\Checkout\\Cart" and value["__count__"] == 23
    assert value["errors"]["__class__"] == "WP_Error"
    assert value["attributes"]["__class__"] == "stdClass"
    assert (value["cart_type"], value["currency"], value["plan_id"]) == ("downgrade", "USD", 3)
    assert (value["duration"], value["duration_unit"]) == (1, "month")
    lines = value["line_items"]
    for line in lines.values():
        _assert_types(line)
    # What Membership::swap() derives: plan, add-ons with quantities, recurring and today's totals.
    products_held = {li["product_id"]: li["quantity"] for li in lines.values() if li["product_id"]}
    assert products_held == {3: 1, 6: 1}
    assert sum(li["total"] for li in lines.values() if li["recurring"]) == 28.0
    assert sum(li["total"] for li in lines.values()) == 0.0


@pytest.mark.php
def test_schedule_reads_back_with_its_timestamp_twice() -> None:
    value = php_read(encoders.encode_simple_schedule(SWAP_DATE))
    assert value == {
        "__class__": "ActionScheduler_SimpleSchedule",
        "__count__": 2,
        "scheduled_timestamp": 1783123199,
        "timestamp": 1783123199,
    }


@pytest.mark.php
def test_addon_products_read_back_as_int_to_int() -> None:
    assert php_read(encoders.encode_addon_products({7: 2, 6: 1})) == {6: 1, 7: 2}
    assert php_read(encoders.encode_addon_products({})) == {}


@pytest.mark.php
def test_event_payload_reads_back_after_stripslashes() -> None:
    payload = {
        "plan_id": encoders.transition(5, 2),
        "amount": encoders.transition(14.0, 54.0),
        "note": 'Chloé D\'Arcy "quoted" \\ path',
    }
    value = php_read(encoders.encode_event_payload(payload), slashed=True)
    assert value == {
        "plan_id": {"old_value": 5, "new_value": 2},
        "amount": {"old_value": 14.0, "new_value": 54.0},
        "note": 'Chloé D\'Arcy "quoted" \\ path',
    }
