"""The Limits memo is keyed by value: equal limitation arrays share a node whichever objects
carry them, and arrays that differ only in a value's type never do (issue 7)."""

from __future__ import annotations

from planswitch.domain.limits import Limitations
from planswitch.domain.network import DEFAULT_ROLE as ROLE
from planswitch.schema.limits import limits_node, membership_key


def sites(limit: object) -> Limitations:
    return Limitations({"sites": {"enabled": True, "limit": limit}, "visits": {"enabled": False}})


def test_equal_values_in_distinct_objects_share_one_node() -> None:
    first, second = sites("5"), sites("5")
    assert first is not second
    assert limits_node(first) is limits_node(second)
    assert limits_node(first).sites.limit == 5


def test_the_fingerprint_keeps_types_and_ignores_order() -> None:
    kinds = [sites(1), sites(True), sites("1"), sites(1.0), sites("")]
    assert len({limitations.fingerprint for limitations in kinds}) == len(kinds)
    reordered = Limitations({"visits": {"enabled": False}, "sites": {"limit": 1, "enabled": True}})
    assert reordered.fingerprint == sites(1).fingerprint


def test_nodes_of_different_values_stay_apart() -> None:
    assert limits_node(sites("5")) is not limits_node(sites("6"))
    assert limits_node(sites("6")).sites.limit == 6


def test_a_membership_key_holds_every_input_of_the_merge_in_order() -> None:
    plan, extra, override = sites("5"), sites("2"), Limitations.empty()
    assert membership_key(ROLE, plan, override, [(extra, 1)]) != membership_key(
        ROLE, plan, override, [(extra, 2)]
    )
    assert membership_key(ROLE, plan, override, [(extra, 1), (plan, 1)]) != membership_key(
        ROLE, plan, override, [(plan, 1), (extra, 1)]
    )
    assert membership_key(ROLE, None, override, []) != membership_key(ROLE, plan, override, [])
    assert membership_key(
        ROLE, sites("5"), Limitations.empty(), [(sites("2"), 1)]
    ) == membership_key(ROLE, plan, override, [(extra, 1)])
