"""PHP serialization: exact bytes, PHP's float format, slashes, and round trips of real values."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal

import pytest
from planswitch.adapters.wordpress import phpserial
from planswitch.adapters.wordpress.phpserial import PhpSerialError, phpobject
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

# ----------------------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("value", "php"),
    [
        (50.0, "50"),
        (-0.0, "-0"),
        (0.0, "0"),
        (6.029999999999999, "6.029999999999999"),
        (-10.51, "-10.51"),
        (0.1, "0.1"),
        (0.0001, "0.0001"),
        (0.00001, "1.0E-5"),
        (1.5e-7, "1.5E-7"),
        (1e15, "1000000000000000"),
        (1e16, "10000000000000000"),
        (1e17, "1.0E+17"),
        (1e25, "1.0E+25"),
        (123456789012345678.0, "1.2345678901234568E+17"),
        (float("inf"), "INF"),
        (float("-inf"), "-INF"),
    ],
)
def test_floats_are_written_as_php_serialize_writes_them(value: float, php: str) -> None:
    assert phpserial.php_float(value) == php


def test_scalars_serialize_like_php() -> None:
    assert phpserial.dumps(None) == b"N;"
    assert phpserial.dumps(True) == b"b:1;"
    assert phpserial.dumps(False) == b"b:0;"
    assert phpserial.dumps(-7) == b"i:-7;"
    assert phpserial.dumps(Decimal("49.0000")) == b"d:49;"
    assert phpserial.dumps(490.0) == b"d:490;"
    # lengths count UTF-8 bytes
    assert phpserial.dumps("Chloé D'Arcy") == 's:13:"Chloé D\'Arcy";'.encode()


def test_arrays_use_integer_keys_for_numeric_strings_like_php() -> None:
    assert phpserial.dumps({6: 1, 7: 2}) == b"a:2:{i:6;i:1;i:7;i:2;}"
    assert phpserial.dumps({"6": 1, "06": 2}) == b'a:2:{i:6;i:1;s:2:"06";i:2;}'
    assert phpserial.dumps(["6", "7"]) == b'a:2:{i:0;s:1:"6";i:1;s:1:"7";}'
    assert phpserial.dumps({}) == b"a:0:{}"


def test_objects_keep_class_and_protected_property_names() -> None:
    obj = phpserial.make_object("WP_Ultimo\\Checkout\\Line_Item", {"hash": None, "total": 50.0})
    dumped = phpserial.dumps(obj)
    assert dumped == (
        b'O:28:"WP_Ultimo\\Checkout\\Line_Item":2:'
        b'{s:7:"\x00*\x00hash";N;s:8:"\x00*\x00total";d:50;}'
    )
    loaded = phpserial.loads(dumped)
    assert isinstance(loaded, phpobject)
    assert loaded.__name__ == "WP_Ultimo\\Checkout\\Line_Item"
    assert list(loaded.__php_vars__) == ["\0*\0hash", "\0*\0total"]
    assert phpserial.props(loaded) == {"hash": None, "total": 50.0}


def test_private_property_prefix_is_stripped_by_props() -> None:
    loaded = phpserial.loads(b'O:4:"Site":1:{s:16:"\x00Site\x00membership";N;}')
    assert list(loaded.__php_vars__) == ["\0Site\0membership"]
    assert phpserial.props(loaded) == {"membership": None}


def test_addslashes_and_stripslashes_match_php() -> None:
    raw = 'a:1:{i:0;s:13:"Chloé D\'Arcy";}\\\0'
    slashed = phpserial.addslashes(raw)
    assert slashed == 'a:1:{i:0;s:13:\\"Chloé D\\\'Arcy\\";}\\\\\\0'
    assert phpserial.stripslashes(slashed) == raw
    assert phpserial.stripslashes("a\\") == "a"  # a lone trailing backslash is dropped
    assert phpserial.stripslashes("\\x") == "x"


def test_column_encoding_is_serialize_then_addslashes() -> None:
    stored = 'a:1:{i:0;s:12:\\"203.0.113.61\\";}'
    assert phpserial.dumps_column(["203.0.113.61"]) == stored
    assert phpserial.loads_column(stored) == {0: "203.0.113.61"}


def test_maybe_loads_returns_plain_text_as_is() -> None:
    assert phpserial.maybe_loads("6,7,8") == "6,7,8"
    assert phpserial.maybe_loads("") == ""
    assert phpserial.maybe_loads("2026-07-03 23:59:59") == "2026-07-03 23:59:59"
    assert phpserial.maybe_loads("a:0:{}") == {}
    assert phpserial.maybe_loads("b:0;") is False
    assert phpserial.maybe_loads_column("") == ""


def test_maybe_dumps_stores_scalars_as_wordpress_does() -> None:
    assert phpserial.maybe_dumps(True) == "1"
    assert phpserial.maybe_dumps(False) == ""
    assert phpserial.maybe_dumps(None) == ""
    assert phpserial.maybe_dumps("2026-07-03 23:59:59") == "2026-07-03 23:59:59"
    assert phpserial.maybe_dumps({6: 1}) == "a:1:{i:6;i:1;}"


@pytest.mark.parametrize("garbage", ["a:2:{i:6;i:1;", 'O:3:"Foo":1:{}', 's:5:"abc";', "xyz"])
def test_garbage_raises_php_serial_error(garbage: str) -> None:
    with pytest.raises(PhpSerialError):
        phpserial.loads(garbage)


def test_as_list_accepts_every_list_shape() -> None:
    assert phpserial.as_list({0: "6", 1: "7"}) == ["6", "7"]
    assert phpserial.as_list(["6"]) == ["6"]
    assert phpserial.as_list("") == []
    assert phpserial.as_list(None) == []
    assert phpserial.as_list(False) == []


# ------------------------------------------------------------- real values from the fixture

META_VALUES = [
    ("wp_wu_productmeta", "wu_limitations"),
    ("wp_wu_productmeta", "price_variations"),
    ("wp_wu_productmeta", "wu_available_addons"),
    ("wp_wu_paymentmeta", "wu_line_items"),
    ("wp_wu_membershipmeta", "wu_swap_order"),
    ("wp_wu_membershipmeta", "pending_site"),
    ("wp_wu_customermeta", "wu_billing_address"),
    ("wp_blogmeta", "wu_limitations"),
]
COLUMN_VALUES = [
    ("wp_wu_customers", "ips"),
    ("wp_wu_events", "payload"),
    ("wp_wu_forms", "settings"),
]


@pytest.fixture(scope="module")
def fixture_db(wordpress_url: str) -> Iterator[Connection]:
    engine = create_engine(wordpress_url)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def _meta_values(conn: Connection, table: str, key: str) -> list[str]:
    rows = conn.execute(
        text(f"SELECT meta_value FROM `{table}` WHERE meta_key = :key ORDER BY meta_id"),
        {"key": key},
    )
    return [value for (value,) in rows if phpserial.is_serialized(value)]


def _serialized_values(conn: Connection) -> list[bytes]:
    values = [v for table, key in META_VALUES for v in _meta_values(conn, table, key)]
    values += [
        phpserial.stripslashes(v)
        for table, column in COLUMN_VALUES
        for (v,) in conn.execute(text(f"SELECT `{column}` FROM `{table}`"))
        if v
    ]
    values += [v for (v,) in conn.execute(text("SELECT addon_products FROM wp_wu_memberships"))]
    return [v.encode() for v in values]


@pytest.mark.mariadb
@pytest.mark.parametrize(("table", "key"), META_VALUES)
def test_meta_values_round_trip_byte_for_byte(fixture_db: Connection, table: str, key: str) -> None:
    values = _meta_values(fixture_db, table, key)
    assert values, f"the fixture has {key} values in {table}"
    for value in values:
        assert phpserial.dumps_text(phpserial.loads(value)) == value


@pytest.mark.mariadb
@pytest.mark.parametrize(("table", "column"), COLUMN_VALUES)
def test_slashed_columns_round_trip_byte_for_byte(
    fixture_db: Connection, table: str, column: str
) -> None:
    values = [v for (v,) in fixture_db.execute(text(f"SELECT `{column}` FROM `{table}`")) if v]
    assert any("\\" in value for value in values)  # the plugin's addslashes() is there
    for value in values:
        assert phpserial.dumps_column(phpserial.loads_column(value)) == value


@pytest.mark.mariadb
def test_addon_products_round_trip(fixture_db: Connection) -> None:
    rows = fixture_db.execute(text("SELECT id, addon_products FROM wp_wu_memberships ORDER BY id"))
    decoded = {mid: phpserial.loads_column(value) for mid, value in rows}
    assert decoded[1] == {6: 1, 7: 2}
    assert decoded[3] == {}
    assert phpserial.dumps_column(decoded[1]) == "a:2:{i:6;i:1;i:7;i:2;}"


@pytest.mark.mariadb
def test_float_noise_and_negative_zero_survive(fixture_db: Connection) -> None:
    payment_8 = fixture_db.execute(
        text(
            "SELECT meta_value FROM wp_wu_paymentmeta "
            "WHERE wu_payment_id = 8 AND meta_key = 'wu_line_items'"
        )
    ).scalar_one()
    totals = [
        phpserial.props(line)["total"] for line in phpserial.as_list(phpserial.loads(payment_8))
    ]
    assert 6.029999999999999 in totals
    assert b"d:6.029999999999999;" in phpserial.dumps(phpserial.loads(payment_8))
    payment_13 = fixture_db.execute(
        text(
            "SELECT meta_value FROM wp_wu_paymentmeta "
            "WHERE wu_payment_id = 13 AND meta_key = 'wu_line_items'"
        )
    ).scalar_one()
    assert "d:-0;" in payment_13
    assert phpserial.dumps_text(phpserial.loads(payment_13)) == payment_13


@pytest.mark.mariadb
def test_utf8_apostrophe_in_slashed_payload(fixture_db: Connection) -> None:
    payload = fixture_db.execute(text("SELECT payload FROM wp_wu_events WHERE id = 1")).scalar_one()
    assert 's:13:\\"Chloé D\\\'Arcy\\"' in payload
    assert phpserial.loads_column(payload)["customer_name"] == "Chloé D'Arcy"


@pytest.mark.mariadb
def test_swap_order_cart_keeps_property_order(fixture_db: Connection) -> None:
    order = fixture_db.execute(
        text("SELECT meta_value FROM wp_wu_membershipmeta WHERE meta_key = 'wu_swap_order'")
    ).scalar_one()
    cart = phpserial.loads(order)
    names = list(cart.__php_vars__)
    assert cart.__name__ == "WP_Ultimo\\Checkout\\Cart"
    assert names[:3] == ["errors", "\0WP_Ultimo\\Checkout\\Cart\0attributes", "\0*\0cart_type"]
    assert len(names) == 23
    assert phpserial.props(cart)["cart_type"] == "downgrade"


@pytest.mark.mariadb
@pytest.mark.php
def test_php_unserializes_our_output_to_the_same_bytes(fixture_db: Connection, tmp_path) -> None:
    php = shutil.which("php")
    if php is None:
        pytest.skip("php-cli is not installed")
    values = _serialized_values(fixture_db)
    assert len(values) > 20
    # One file per value; PHP re-serializes what it unserialized from *our* dumps.
    script = (
        "foreach (array_slice($argv, 1) as $f) {"
        " $v = unserialize(file_get_contents($f), ['allowed_classes' => false]);"
        ' if ($v === false) { echo "FAIL $f\\n"; continue; }'
        " file_put_contents($f . '.out', serialize($v)); echo \"OK\\n\"; }"
    )
    paths = []
    for index, value in enumerate(values):
        path = tmp_path / f"v{index}"
        path.write_bytes(phpserial.dumps(phpserial.loads(value)))
        paths.append(path)
    result = subprocess.run([php, "-r", script, *map(str, paths)], capture_output=True, check=True)
    assert result.stdout.decode().split() == ["OK"] * len(values)
    for path, original in zip(paths, values, strict=True):
        reserialized = (tmp_path / f"{path.name}.out").read_bytes()
        # __PHP_Incomplete_Class keeps the class name and properties, so PHP gives back the
        # original bytes.
        assert reserialized == original
