"""Limitations: reading the stored array, the plugin's merge rules, effective limits.

Cases mirror the plugin's tests (Limitations_Test and domain mapping,
docs/plan-changes.md §9.3, §9.4) and the fixture network's real products
(tests/fixtures/wordpress/wp_public.summary.json).
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache

import pytest
from planswitch.domain.limit_changes import LimitChange, limit_changes
from planswitch.domain.limits import (
    MODULES,
    DomainMappingLimit,
    ExtensionRule,
    HideCreditsLimit,
    Limitations,
    ModuleLimit,
    Quota,
    RoleLimit,
    effective_limits,
    merge,
)
from planswitch.domain.products import Product, ProductType

from tests.conftest import WORDPRESS_SUMMARY


def users(limit, enabled=True):
    return {"users": {"enabled": enabled, "limit": limit}}


def merged_users_limit(base, *others, override=False):
    return merge(base, *others, override=override).to_raw()["users"]["limit"]


# ------------------------------------------------ merge (docs/plan-changes.md §9.3 provider)


@pytest.mark.parametrize(
    ("base", "others", "override", "expected"),
    [
        pytest.param(users(5), [users(3)], False, 8, id="simple_merge_addition"),
        pytest.param(users(5), [users(3)], True, 3, id="simple_merge_override"),
        pytest.param(users(0), [users(5)], False, 0, id="merge_unlimited_value"),
        pytest.param(users(5), [users(3), users(2)], False, 10, id="merge_multiple"),
    ],
)
def test_merge_data_provider_limits(base, others, override, expected):
    assert merged_users_limit(base, *others, override=override) == expected


def test_disabled_module_is_skipped_in_sum_mode():
    result = merge(users(5), users(3, enabled=False)).to_raw()["users"]
    assert result == {"enabled": True, "limit": 5}


def test_disabled_module_applies_in_override_mode():
    result = merge(users(5), users(3, enabled=False), override=True).to_raw()["users"]
    assert result == {"enabled": False, "limit": 3}


def test_merge_with_limitations_objects_adds_five_and_three():
    assert merged_users_limit(Limitations.from_raw(users(5)), Limitations.from_raw(users(3))) == 8


def test_merge_ignores_invalid_data_and_keeps_five():
    assert merged_users_limit(users(5), "invalid_string", None, 123) == 5


def test_merge_is_recursive_for_nested_arrays():
    base = {"users": {"enabled": True, "limit": 5, "nested": {"value": 10}}}
    other = {"users": {"enabled": True, "limit": 3, "nested": {"value": 5}}}
    result = merge(base, other).to_raw()["users"]
    assert result["limit"] == 8
    assert result["nested"]["value"] == 15


@pytest.mark.parametrize("module", ["plugins", "themes"])
def test_plugins_and_themes_are_force_enabled_when_the_array_names_its_module(module):
    named = {module: {"id": module, "enabled": False}}
    assert merge(named, named).to_raw()[module]["enabled"] is True


@pytest.mark.parametrize("module", ["plugins", "themes"])
def test_unnamed_plugins_and_themes_stay_disabled_as_in_the_plugin(module):
    # The plugin takes the module from an ``id`` key (class-limitations.php:302-304).
    result = merge({module: {"enabled": False, "limit": {"x": {}}}}, {module: {"enabled": False}})
    assert result.to_raw()[module] == {"enabled": False}


def test_other_modules_are_not_force_enabled():
    result = merge({"sites": {"enabled": False}}, {"sites": {"enabled": False}})
    assert result.to_raw()["sites"] == {"enabled": False}


@pytest.mark.parametrize(("first", "second"), [("hidden", "visible"), ("visible", "hidden")])
def test_visible_beats_hidden(first, second):
    base = {"themes": {"enabled": True, "limit": {"t": {"visibility": first}}}}
    other = {"themes": {"enabled": True, "limit": {"t": {"visibility": second}}}}
    assert merge(base, other).to_raw()["themes"]["limit"]["t"]["visibility"] == "visible"


@pytest.mark.parametrize(
    ("module", "first", "second", "winner"),
    [
        ("plugins", "default", "force_active", "force_active"),
        ("plugins", "force_active", "default", "force_active"),
        ("plugins", "force_inactive", "force_inactive_locked", "force_inactive"),
        ("plugins", "force_active_locked", "force_inactive", "force_active_locked"),
        ("themes", "not_available", "available", "available"),
        ("themes", "force_active", "available", "force_active"),
    ],
)
def test_higher_behavior_priority_wins_when_the_array_names_its_module(
    module, first, second, winner
):
    base = {module: {"id": module, "enabled": True, "limit": {"x": {"behavior": first}}}}
    other = {module: {"id": module, "enabled": True, "limit": {"x": {"behavior": second}}}}
    assert merge(base, other).to_raw()[module]["limit"]["x"]["behavior"] == winner


@pytest.mark.parametrize("module", ["plugins", "themes", "site_templates"])
def test_without_an_id_key_the_first_behavior_stays_as_in_the_plugin(module):
    base = {module: {"enabled": True, "limit": {"x": {"behavior": "not_available"}}}}
    other = {module: {"enabled": True, "limit": {"x": {"behavior": "force_active"}}}}
    assert merge(base, other).to_raw()[module]["limit"]["x"]["behavior"] == "not_available"


def test_behavior_is_replaced_in_override_mode():
    base = {"plugins": {"enabled": True, "limit": {"x": {"behavior": "force_active"}}}}
    other = {"plugins": {"limit": {"x": {"behavior": "default"}}}}
    result = merge(base, other, override=True).to_raw()["plugins"]["limit"]["x"]
    assert result == {"behavior": "default"}


# ------------------------------------------------------------------ merge: stored value types


def test_string_numbers_add_up_to_an_int():
    disk = {"disk_space": {"enabled": True, "limit": "2048"}}
    assert (
        merge(disk, disk, {"disk_space": {"enabled": True, "limit": "10240"}}).to_raw()[
            "disk_space"
        ]["limit"]
        == 14336
    )


def test_a_string_zero_in_place_is_summed_as_in_the_plugin():
    # Only '' and int 0 are compared strictly as unlimited (class-limitations.php:315).
    free = {"visits": {"enabled": True, "limit": "0"}}
    limited = {"visits": {"enabled": True, "limit": "5000"}}
    assert merge(free, limited).view().visits == ModuleLimit(True, 5000)
    assert merge(limited, free).view().visits == ModuleLimit(True, None)


@pytest.mark.parametrize("unlimited", ["", 0])
@pytest.mark.parametrize("unlimited_first", [True, False])
def test_unlimited_wins_in_either_order(unlimited, unlimited_first):
    limited = {"visits": {"enabled": True, "limit": "5000"}}
    free = {"visits": {"enabled": True, "limit": unlimited}}
    pair = (free, limited) if unlimited_first else (limited, free)
    assert merge(*pair).view().visits == ModuleLimit(True, None)


def test_existing_true_is_kept_in_sum_mode():
    unlimited = {"domain_mapping": {"enabled": True, "limit": True}}
    three = {"domain_mapping": {"enabled": True, "limit": 3}}
    assert merge(unlimited, three).to_raw()["domain_mapping"]["limit"] is True
    assert merge(three, unlimited).to_raw()["domain_mapping"]["limit"] is True


def test_later_false_replaces_an_earlier_number_as_the_plugin_does():
    # docs/wordpress.md §6.3 BUG?: add-ons merge before the plan, so a plan's false wins.
    addon = {"domain_mapping": {"enabled": True, "limit": 2}}
    plan = {"domain_mapping": {"enabled": True, "limit": False}}
    assert merge(addon, plan).domain_limit() == 0


def test_disabled_base_module_is_replaced_by_an_enabled_one():
    base = {"sites": {"enabled": False, "limit": ""}}
    result = merge(base, {"sites": {"enabled": True, "limit": "10"}}).to_raw()["sites"]
    assert result == {"enabled": True, "limit": "10"}


def test_a_new_module_is_copied_even_when_disabled():
    result = merge(Limitations.empty(), {"visits": {"enabled": False, "limit": "7"}})
    assert result.to_raw() == {"visits": {"enabled": False, "limit": "7"}}


def test_partial_override_changes_only_its_keys():
    base = {"sites": {"enabled": True, "limit": "10"}, "visits": {"enabled": True, "limit": ""}}
    result = merge(base, {"sites": {"limit": "2"}}, override=True).to_raw()
    assert result == {
        "sites": {"enabled": True, "limit": "2"},
        "visits": {"enabled": True, "limit": ""},
    }


def test_merge_does_not_change_its_inputs():
    base = Limitations.from_raw(users(5))
    other = users(3)
    merge(base, other)
    assert base.to_raw() == users(5)
    assert other == users(3)


# -------------------------------------------------------------------------- reading raw data


def test_json_string_modules_are_decoded():
    limits = Limitations.from_raw({"disk_space": '{"enabled":true,"limit":1024}'})
    assert limits.to_raw() == {"disk_space": {"enabled": True, "limit": 1024}}
    assert limits.view().disk_space == ModuleLimit(True, 1024)


def test_unknown_modules_and_junk_values_are_ignored():
    raw = {
        "sites": {"enabled": True, "limit": 3},
        "bogus_module": {"enabled": True, "limit": 1},
        "visits": "not json",
        "disk_space": 12,
        "users": "[1, 2]",
    }
    assert Limitations.from_raw(raw).to_raw() == {"sites": {"enabled": True, "limit": 3}}


@pytest.mark.parametrize("raw", [None, "", {}, [], 0])
def test_empty_values_give_empty_limitations(raw):
    assert Limitations.from_raw(raw) == Limitations.empty()
    assert Limitations.from_raw(raw).is_empty


def test_a_json_string_of_the_whole_array_is_read():
    assert Limitations.from_raw('{"sites": {"enabled": 1, "limit": "2"}}').sites_limit() == 2


@pytest.mark.parametrize(
    ("stored", "expected"),
    [(True, True), (1, True), ("1", True), (False, False), (0, False), ("0", False), ("", False)],
)
def test_enabled_flags_become_bools_at_every_level(stored, expected):
    raw = {"users": {"enabled": stored, "limit": {"editor": {"enabled": stored, "number": "5"}}}}
    data = Limitations.from_raw(raw).to_raw()["users"]
    assert data["enabled"] is expected
    assert data["limit"]["editor"] == {"enabled": expected, "number": "5"}


def test_missing_enabled_is_not_invented():
    # Overrides are diffs: adding enabled=true would re-enable a disabled plan module.
    assert Limitations.from_raw({"sites": {"limit": "4"}}).to_raw() == {"sites": {"limit": "4"}}


def test_equal_limitations_are_equal_and_hashable():
    a = Limitations.from_raw({"sites": {"enabled": "1", "limit": "3"}})
    b = Limitations({"sites": {"enabled": True, "limit": "3"}})
    assert a == b
    assert len({a, b}) == 1


def test_is_module_enabled_and_has_limitations():
    limits = Limitations.from_raw({"sites": {"enabled": False}, "visits": {"limit": 5}})
    assert not limits.is_module_enabled("sites")
    assert not limits.is_module_enabled("visits")  # raw['enabled'] ?? false
    assert not limits.is_module_enabled("users")
    assert not limits.has_limitations()
    assert Limitations.from_raw({"users": {"enabled": True}}).has_limitations()


# ------------------------------------------------------------------------- typed view rules


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ({"enabled": True, "limit": "3"}, ModuleLimit(True, 3)),
        ({"enabled": True, "limit": ""}, ModuleLimit(True, 1)),  # '' counts as 1 site
        ({"enabled": True, "limit": "0"}, ModuleLimit(True, None)),
        ({"enabled": False, "limit": "3"}, ModuleLimit(False, None)),  # disabled = unlimited
        (None, ModuleLimit(False, None)),
    ],
)
def test_sites_limit_rules(module, expected):
    limits = Limitations.from_raw({} if module is None else {"sites": module})
    assert limits.view().sites == expected
    assert limits.sites_limit() == expected.limit


@pytest.mark.parametrize("name", ["visits", "disk_space"])
@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ({"enabled": True, "limit": "5000"}, ModuleLimit(True, 5000)),
        ({"enabled": True, "limit": ""}, ModuleLimit(True, None)),
        ({"enabled": True, "limit": 0}, ModuleLimit(True, None)),
        ({"enabled": False, "limit": "5000"}, ModuleLimit(False, None)),
    ],
)
def test_visits_and_disk_space_limit_rules(name, module, expected):
    assert getattr(Limitations.from_raw({name: module}).view(), name) == expected


def test_users_view_per_role():
    raw = users(
        {"editor": {"number": "5", "enabled": True}, "author": {"number": "", "enabled": False}}
    )
    view = Limitations.from_raw(raw).view().users
    assert view.enabled is True
    assert dict(view) == {"editor": Quota(True, 5), "author": Quota(False, None)}
    assert view.allowed("editor") == 5
    assert view.allowed("author") == 0  # a disabled role may not be added at all
    assert view.allowed("subscriber") is None


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ({"enabled": True, "limit": True}, DomainMappingLimit(True, True, None)),
        ({"enabled": True, "limit": False}, DomainMappingLimit(True, False, 0)),
        ({"enabled": True, "limit": 2}, DomainMappingLimit(True, True, 2)),
        ({"enabled": True, "limit": "3"}, DomainMappingLimit(True, True, 3)),
        ({"enabled": True, "limit": "0"}, DomainMappingLimit(True, False, 0)),
        ({"enabled": True, "limit": None}, DomainMappingLimit(True, True, None)),
        ({"enabled": False, "limit": True}, DomainMappingLimit(False, False, 0)),
        ({"enabled": False, "limit": 5}, DomainMappingLimit(False, False, 0)),
    ],
)
def test_domain_mapping_limit_rules(module, expected):
    # docs/plan-changes.md §9.4: true -> unlimited; false -> none; numeric -> that many;
    # disabled -> 0.
    limits = Limitations.from_raw({"domain_mapping": module})
    assert limits.view().domain_mapping == expected
    assert limits.domain_limit() == expected.max


def test_missing_domain_mapping_module_does_not_limit_domains():
    assert Limitations.empty().domain_limit() is None


def test_post_type_limits_keep_positive_quotas_and_ignore_enabled_flags():
    raw = {
        "post_types": {
            "enabled": False,
            "limit": {
                "post": {"number": "20", "enabled": True},
                "page": {"number": "5", "enabled": False},
                "attachment": {"number": "0", "enabled": True},
                "wp_block": {"number": "", "enabled": True},
            },
        }
    }
    assert Limitations.from_raw(raw).post_type_limits() == {"post": 20, "page": 5}


def test_role_hide_credits_and_templates_view():
    raw = {
        "customer_user_role": {"enabled": True, "limit": "default"},
        "hide_credits": {"enabled": True, "limit": None},
        "site_templates": {
            "enabled": True,
            "limit": {"2": {"behavior": "pre_selected"}},
            "mode": "assign_template",
        },
        "plugins": {
            "enabled": False,
            "limit": {"a/a.php": {"visibility": "hidden", "behavior": "force_active"}},
        },
    }
    view = Limitations.from_raw(raw).view()
    assert view.customer_user_role == RoleLimit(True, None)
    # A null limit shows the credits, as the plugin's check() decides.
    assert view.hide_credits == HideCreditsLimit(True, False)
    hide = Limitations.from_raw({"hide_credits": {"enabled": True, "limit": True}})
    assert hide.view().hide_credits == HideCreditsLimit(True, True)
    assert view.site_templates.mode == "assign_template"
    assert dict(view.site_templates.templates) == {2: "pre_selected"}
    assert dict(view.plugins) == {"a/a.php": ExtensionRule("hidden", "force_active")}
    assert Limitations.empty().view().hide_credits == HideCreditsLimit(False, False)


# ------------------------------------------------------------------ the fixture's products


@cache
def summary() -> dict:
    return json.loads(WORDPRESS_SUMMARY.read_text())


@cache
def products() -> dict[int, Product]:
    return {
        p["id"]: Product(
            id=p["id"],
            slug=p["slug"],
            name=p["name"],
            type=ProductType(p["type"]),
            amount=Decimal(p["amount"]),
            limitations=Limitations.from_raw(p["limitations"]),
        )
        for p in summary()["products"]
    }


def fixture_limits(plan_id: int, addons: dict[int, int]) -> Limitations:
    catalog = products()
    return effective_limits(catalog[plan_id], [(catalog[i], q) for i, q in addons.items()])


def membership_limits(membership_id: int) -> Limitations:
    (membership,) = [m for m in summary()["memberships"] if m["id"] == membership_id]
    addons = {a["product_id"]: a["quantity"] for a in membership["addon_products"]}
    return fixture_limits(membership["plan_id"], addons)


def raw_limit(product_id: int, module: str):
    (product,) = [p for p in summary()["products"] if p["id"] == product_id]
    return product["limitations"][module]["limit"]


def test_every_fixture_product_round_trips_in_the_plugins_shape():
    for product in summary()["products"]:
        # The summary is JSON, so PHP's integer keys (template ids) appear as strings there.
        stored = Limitations.from_raw(product["limitations"]).to_raw()
        round_tripped = json.loads(json.dumps(stored))
        assert round_tripped == product["limitations"]
        assert list(Limitations.from_raw(product["limitations"]).to_raw()) == list(MODULES)


def test_fixture_numbers_are_what_the_assertions_assume():
    assert (raw_limit(2, "sites"), raw_limit(2, "visits"), raw_limit(2, "disk_space")) == (
        "10",
        "",
        "10240",
    )
    assert (raw_limit(3, "sites"), raw_limit(3, "visits"), raw_limit(3, "disk_space")) == (
        "1",
        "5000",
        "1024",
    )
    assert raw_limit(6, "visits") == "0"
    assert raw_limit(7, "disk_space") == "2048"
    (m1,) = [m for m in summary()["memberships"] if m["id"] == 1]
    assert (
        m1["plan_id"],
        m1["addon_products"][0]["quantity"],
        m1["addon_products"][1]["quantity"],
    ) == (2, 1, 2)


def test_premium_with_unlimited_visits_and_two_extra_disks():
    view = membership_limits(1).view()
    assert view.sites == ModuleLimit(True, 10)
    assert view.visits == ModuleLimit(True, None)
    assert view.disk_space == ModuleLimit(True, 10240 + 2 * 2048)
    assert view.disk_space.limit == 14336
    assert view.users.allowed("administrator") == 3
    assert view.users.allowed("editor") == 10
    assert view.users.allowed("subscriber") is None
    assert view.post_types.allowed("post") is None
    assert view.domain_mapping == DomainMappingLimit(True, True, None)
    # The first add-on is merged last (its role "default" wins), and no product stores a
    # bool limit for hide_credits, so the credits show (issue 10).
    assert view.customer_user_role == RoleLimit(True, None)
    assert view.hide_credits == HideCreditsLimit(True, False)
    assert view.site_templates.mode == "choose_available_templates"
    assert dict(view.themes) == {}  # reset by the merge (see below)


def test_basic_with_unlimited_visits():
    limits = membership_limits(4)
    view = limits.view()
    assert view.visits == ModuleLimit(True, None)
    assert view.disk_space == ModuleLimit(True, 1024)
    assert view.sites == ModuleLimit(True, 1)
    assert limits.domain_limit() == 0
    assert limits.post_type_limits() == {"post": 200, "page": 50, "attachment": 1000}


def test_solo_with_one_extra_disk():
    view = membership_limits(5).view()
    assert view.disk_space == ModuleLimit(True, 500 + 2048)
    assert view.visits == ModuleLimit(True, 2000)
    assert view.sites == ModuleLimit(True, 1)


def test_business_with_a_service_keeps_the_plans_limits():
    limits = membership_limits(2)
    view = limits.view()
    assert (view.sites.limit, view.visits.limit, view.disk_space.limit) == (5, 50000, 5120)


def test_stored_disabled_plugin_and_theme_rules_are_lost_when_products_merge():
    # Every product stores plugins/themes "disabled" without an ``id`` key, so the plugin's
    # force-enable rule does not fire and the merge resets them to {enabled: false}.
    limits = membership_limits(2)
    assert limits.to_raw()["plugins"] == {"enabled": False}
    assert limits.to_raw()["themes"] == {"enabled": False}
    assert dict(membership_limits(5).view().themes) == {}


def test_a_plan_alone_keeps_its_plugin_and_theme_rules():
    view = fixture_limits(5, {}).view()
    assert view.themes["twentytwentyfour"] == ExtensionRule("hidden", "not_available")
    assert fixture_limits(4, {}).view().plugins["akismet/akismet.php"] == ExtensionRule(
        "hidden", "force_active"
    )


def test_plan_alone_gives_its_own_limits():
    assert fixture_limits(1, {}).view().visits == ModuleLimit(True, 1000)
    assert fixture_limits(1, {}).sites_limit() == 1


def test_addon_quantity_repeats_its_limits():
    assert fixture_limits(3, {7: 3}).view().disk_space.limit == 1024 + 3 * 2048
    assert fixture_limits(3, {7: 0}).view().disk_space.limit == 1024


def test_membership_override_is_merged_in_override_mode():
    catalog = products()
    override = Limitations.from_raw({"disk_space": {"enabled": True, "limit": "15360"}})
    limits = effective_limits(catalog[2], [(catalog[6], 1), (catalog[7], 2)], override)
    assert limits.view().disk_space.limit == 15360
    assert limits.view().sites.limit == 10


def test_no_products_means_no_limits():
    limits = effective_limits(None, [], None)
    assert limits == Limitations.empty()
    assert limits.sites_limit() is None
    assert limits.view().visits == ModuleLimit(False, None)


# ------------------------------------------------------------------------------ limit changes


def test_downgrade_from_premium_to_basic_lists_sites_and_disk():
    before = membership_limits(1)
    after = fixture_limits(3, {6: 1})
    changes = limit_changes(before, after)
    by_key = {(c.module, c.key): c for c in changes}
    assert by_key[("sites", None)] == LimitChange("sites", None, 10, 1)
    assert by_key[("disk_space", None)] == LimitChange("disk_space", None, 14336, 1024)
    assert by_key[("post_types", "post")] == LimitChange("post_types", "post", None, 200)
    assert by_key[("users", "administrator")] == LimitChange("users", "administrator", 3, 1)
    assert by_key[("domain_mapping", None)] == LimitChange("domain_mapping", None, None, 0)
    assert ("visits", None) not in by_key  # unlimited on both sides


def test_limit_changes_are_ordered_by_module_then_key():
    changes = limit_changes(membership_limits(1), fixture_limits(3, {6: 1}))
    order = [(MODULES.index(c.module), c.key or "") for c in changes]
    assert order == sorted(order)
    assert [c.key for c in changes if c.module == "users"] == [
        "administrator",
        "author",
        "contributor",
        "editor",
    ]


def test_same_limits_give_no_changes():
    assert limit_changes(membership_limits(1), membership_limits(1)) == ()


def test_plugin_behaviour_change_is_listed_per_slug():
    before = fixture_limits(2, {})
    after = fixture_limits(4, {})
    akismet = [c for c in limit_changes(before, after) if c.module == "plugins"]
    assert akismet == [LimitChange("plugins", "akismet/akismet.php", "default", "force_active")]


def test_integer_like_keys_survive_a_json_round_trip_like_php_arrays():
    import json

    from planswitch.domain.limits import Limitations

    module = {"enabled": True, "limit": {2: {"behavior": "available"}}, "mode": "default"}
    raw = {"site_templates": module}
    through_json = Limitations.from_raw(json.loads(json.dumps(raw)))
    assert through_json == Limitations.from_raw(raw)
    assert 2 in through_json.to_raw()["site_templates"]["limit"]
