"""Limitations: stored shape, merge rules and effective limits.

Rules: docs/plan-changes.md §1.5 and docs/wordpress.md §6.

``Limitations`` keeps the plugin's ``wu_limitations`` array almost as stored (module name ->
plain dict), because the merge rules depend on the stored types: ``''`` versus ``"0"``,
``true`` versus a number, string numbers that add up. Only ``enabled`` flags become bools.
Typed answers for the API and the quote engine come from ``Limitations.view()``
(``planswitch.domain.limits_view``) and the small helpers (``sites_limit``, ``post_type_limits``,
``domain_limit``); ``limit_changes`` (``domain.limit_changes``) diffs two arrays. The view
types are re-exported here.

The merge follows the plugin (2.4.10) exactly, its surprises included, because a WordPress
network enforces what the plugin computes (issue 10; compared against PHP on every fixture
membership by ``tests/adapters/wordpress/test_limits_against_php.py``):

* ``behavior`` priorities and the plugins/themes force-enable rule depend on an ``id`` key
  inside the array, which admin-saved arrays lack (docs/wordpress.md §6.3 "BUG?").
* Only ``''`` and int ``0`` already in place are "unlimited and stay"; a string ``"0"`` in
  place is summed (``"0"`` + ``"5000"`` gives 5000); an incoming ``"0"`` replaces.
* The merge order is the plugin's own: ``Membership::limitations_to_merge()`` lists the
  add-ons (each ``quantity`` times), then the plan, and ``merge(...$list)`` takes the first
  element as its ``$override`` argument and, as it is not a bool, appends it last
  (``inc/models/class-membership.php:2349-2372``, ``inc/models/traits/trait-limitable.php:82``,
  ``inc/objects/class-limitations.php:229-235``): add-ons 2..n, the plan, the first add-on.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Protocol, cast

from planswitch.domain.limits_view import (
    MODULES,
    DomainMappingLimit,
    ExtensionRule,
    HideCreditsLimit,
    LimitsView,
    ModuleLimit,
    Quota,
    QuotaLimits,
    RoleLimit,
    SiteTemplatesLimit,
    read_domain_mapping,
    read_sites,
)
from planswitch.domain.php_values import is_unlimited, php_int, php_number, php_truthy, plain_number

__all__ = [
    "BEHAVIOR_PRIORITY",
    "FORCE_ENABLED_MODULES",
    "MODULES",
    "VISIBILITY_PRIORITY",
    "DomainMappingLimit",
    "ExtensionRule",
    "HideCreditsLimit",
    "Limitations",
    "LimitsView",
    "ModuleLimit",
    "Quota",
    "QuotaLimits",
    "RoleLimit",
    "SiteTemplatesLimit",
    "effective_limits",
    "merge",
]

# Behaviour priorities, higher wins in sum mode (class-limitations.php merge_recursive).
BEHAVIOR_PRIORITY: Mapping[str, Mapping[str, int]] = MappingProxyType(
    {
        "plugins": MappingProxyType(
            {
                "default": 10,
                "force_inactive_locked": 20,
                "force_inactive": 30,
                "force_active_locked": 40,
                "force_active": 50,
            }
        ),
        "themes": MappingProxyType({"not_available": 10, "available": 20, "force_active": 30}),
        # The plugin keys this list "site" while the module is "site_templates", so it is
        # only used for an array whose ``id`` says "site" (class-limitations.php:338-342).
        "site": MappingProxyType({"not_available": 10, "available": 20, "pre_selected": 30}),
    }
)
VISIBILITY_PRIORITY: Mapping[str, int] = MappingProxyType({"hidden": 0, "visible": 1})
FORCE_ENABLED_MODULES = frozenset({"plugins", "themes"})


# ------------------------------------------------------------------------------ Limitations


def _php_key(key: Any) -> Any:
    """PHP turns a decimal-integer string key into an int ("2" -> 2); do the same, so that a
    value that went through JSON (whose keys are strings) compares equal to the original."""
    if isinstance(key, str) and key.isdigit() and str(int(key)) == key:
        return int(key)
    return key


def _normalise(value: Any) -> Any:
    """Deep copy into plain dicts/lists, with every scalar ``enabled`` made a bool and
    integer-like keys made ints, as PHP arrays have them."""
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for raw_key, item in value.items():
            key = _php_key(raw_key)
            if key == "enabled" and not isinstance(item, Mapping | list | tuple):
                out[key] = php_truthy(item)
            else:
                out[key] = _normalise(item)
        return out
    if isinstance(value, list | tuple):
        return [_normalise(item) for item in value]
    return value


def _decode_module(value: Any) -> dict[Any, Any] | None:
    if isinstance(value, str):  # a module saved as JSON (Limitations::build decodes it)
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return _normalise(value) if isinstance(value, Mapping) else None


def _normalise_modules(raw: Any) -> dict[str, dict[Any, Any]]:
    if isinstance(raw, Limitations):
        return cast(dict[str, dict[Any, Any]], _normalise(raw.modules))
    if isinstance(raw, str) and raw.strip():
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    if not isinstance(raw, Mapping):
        return {}
    modules: dict[str, dict[Any, Any]] = {}
    for name, value in raw.items():
        if name not in MODULES:  # unknown modules are ignored, like the plugin's registry
            continue
        module = _decode_module(value)
        if module is not None:
            modules[name] = module
    return modules


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted(((str(k), _freeze(v)) for k, v in value.items()), key=lambda i: i[0]))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _exact(value: Any) -> Any:
    """``value`` as nested tuples that keep every type (for ``Limitations.fingerprint``)."""
    if isinstance(value, Mapping):
        return ("map", tuple(sorted((repr(k), _exact(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return ("list", tuple(_exact(v) for v in value))
    return (type(value).__name__, repr(value))


@dataclass(frozen=True)
class Limitations:
    """The plugin's limitation array: module name -> {"enabled": bool, "limit": ..., ...}.

    Built from anything the plugin stores (see ``from_raw``); the constructor normalises
    too, so ``Limitations(raw_dict)`` and ``Limitations.from_raw(raw_dict)`` are equal.
    Treat ``modules`` as read-only; ``to_raw()`` returns an independent copy.
    """

    modules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "modules", _normalise_modules(self.modules))

    def __hash__(self) -> int:
        return hash(_freeze(self.modules))

    @cached_property
    def fingerprint(self) -> str:
        """A value key: equal exactly when the two arrays hold the same keys and values of
        the same types (``True``, ``1``, ``1.0`` and ``"1"`` all differ), whatever their
        order. Computed once per object; caches of anything derived from limitations key
        on it (schema/limits.py)."""
        return repr(_exact(self.modules))

    @classmethod
    def empty(cls) -> Limitations:
        return cls({})

    @classmethod
    def from_raw(cls, raw: Any) -> Limitations:
        """Read a stored value: a dict of modules (values may be JSON strings), a JSON
        string of the whole array, or None/'' (empty). Unknown modules and non-dict
        module values are ignored; every ``enabled`` becomes a bool; limits stay as stored.

        >>> Limitations.from_raw({"sites": '{"enabled":1,"limit":"3"}', "bogus": {}}).to_raw()
        {'sites': {'enabled': True, 'limit': '3'}}
        """
        return raw if isinstance(raw, Limitations) else cls(raw)

    def to_raw(self) -> dict[str, dict[Any, Any]]:
        """The array in the plugin's shape, to persist or write back to WordPress."""
        return cast(dict[str, dict[Any, Any]], _normalise(self.modules))

    @property
    def is_empty(self) -> bool:
        return not self.modules

    def module(self, name: str) -> Mapping[str, Any] | None:
        """The raw module dict, or None when the module is not set."""
        return self.modules.get(name)

    def is_module_enabled(self, name: str) -> bool:
        """The plugin's ``is_module_enabled``: ``raw[name]['enabled'] ?? false``."""
        return bool(self.modules.get(name, {}).get("enabled", False))

    def has_limitations(self) -> bool:
        """True if any module is enabled (the plugin then applies limits at all)."""
        return any(module.get("enabled", False) for module in self.modules.values())

    # Typed views --------------------------------------------------------------------------

    def view(self) -> LimitsView:
        """A typed, read-only reading of every module (see ``LimitsView``)."""
        return LimitsView.of(self.modules)

    def sites_limit(self) -> int | None:
        """Sites allowed; None = unlimited."""
        return read_sites(self.modules.get("sites")).limit

    def post_type_limits(self) -> dict[str, int]:
        """Post type -> quota, only quotas > 0 (the over-limit rule, docs/plan-changes.md §5.2:
        ``quota > 0 && count > quota``; the module's and entries' ``enabled`` are ignored)."""
        entries = (self.modules.get("post_types") or {}).get("limit")
        if not isinstance(entries, Mapping):
            return {}
        limits = {}
        for post_type, entry in entries.items():
            quota = php_int(entry.get("number")) if isinstance(entry, Mapping) else None
            if quota is not None and quota > 0:
                limits[str(post_type)] = quota
        return limits

    def domain_limit(self) -> int | None:
        """Custom (apex) domains allowed: None = unlimited, 0 = none (disabled or false)."""
        return read_domain_mapping(self.modules.get("domain_mapping")).max


# ------------------------------------------------------------------------------ merge rules


def merge(base: Any, *others: Any, override: bool = False) -> Limitations:
    """Merge limitation arrays onto ``base`` with the plugin's rules (docs/wordpress.md §6.3).

    Sum mode (``override=False``): numbers add up, '' or int 0 (unlimited) already there
    stays, a disabled module on the incoming side is skipped, ``visible`` beats ``hidden``,
    an existing ``true`` is kept. Override mode: incoming values replace. ``others`` may be
    ``Limitations`` or raw dicts; anything else is ignored.
    (``Limitations::merge`` and ``merge_recursive``, ``inc/objects/class-limitations.php:229-362``.)

    >>> a = {"users": {"enabled": True, "limit": 5}}
    >>> merge(a, {"users": {"enabled": True, "limit": 3}}).to_raw()["users"]["limit"]
    8
    """
    result = Limitations.from_raw(base).to_raw()
    for other in others:
        if not isinstance(other, Limitations | Mapping):
            continue  # the plugin skips anything that is not an array ('x', null, 123)
        _merge_into(result, Limitations.from_raw(other).to_raw(), not override, "")
    return Limitations(result)


def _merge_into(a1: dict[Any, Any], a2: dict[Any, Any], should_sum: bool, merge_id: str) -> None:
    """``merge_recursive`` in place on ``a1`` (class-limitations.php:264-362).

    ``merge_id`` is the plugin's ``current_merge_id``: taken from an ``id`` key inside the
    arrays (``:302-304``), which arrays saved by the admin lack, so it usually stays ``''``
    and the plugins/themes force-enable rule and the behaviour priorities then do nothing.
    planswitch shows the limits the plugin enforces, so it keeps that (docs/wordpress.md §6.3).
    """
    if merge_id in FORCE_ENABLED_MODULES and (
        not _isset_or(a1, "enabled", True) or not _isset_or(a2, "enabled", True)
    ):
        a1["enabled"] = a2["enabled"] = True
    if not _isset_or(a1, "enabled", True):
        a1.clear()
        a1["enabled"] = False
    if should_sum and not _isset_or(a2, "enabled", True):
        return  # a disabled module never disables another product's module
    for key, value in a2.items():
        current = a1.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            inner = _isset_or(value, "id", _isset_or(current, "id", merge_id))
            _merge_into(current, value, should_sum, str(inner))
        elif should_sum:
            a1[key] = _sum_scalar(key, current, value, merge_id)
        else:
            a1[key] = value


def _isset_or(array: Mapping[Any, Any], key: str, default: Any) -> Any:
    """``wu_get_isset``: ``$array[$key] ?? $default`` (a null value takes the default)."""
    value = array.get(key)
    return default if value is None else value


def _sum_scalar(key: Any, current: Any, value: Any, merge_id: str) -> Any:
    """One scalar in sum mode: the new value of ``a1[key]`` (class-limitations.php:310-359)."""
    if current == "" or (type(current) is int and current == 0):
        return current  # '' or int 0 (compared strictly) is unlimited and stays
    new_number = php_number(value)
    current_number = php_number(current)
    if current_number is not None and new_number is not None and not is_unlimited(value):
        return plain_number(int(current_number) + new_number)  # (int)$a1 + $a2
    if key == "visibility" and current is not None:
        return _higher(current, value, VISIBILITY_PRIORITY)
    if key == "behavior" and current is not None:
        return _higher(current, value, BEHAVIOR_PRIORITY.get(merge_id, {}))
    return True if current is True else value  # an existing true is kept


def _higher(current: Any, value: Any, priority: Mapping[str, int]) -> Any:
    """``$priority[$value] > $priority[$current] ? $value : $current`` in PHP: an unknown
    value (or an unnamed module's missing list) ranks null, and null compares as false."""
    new, old = priority.get(value), priority.get(current)
    if new is None or old is None:
        return value if bool(new) > bool(old) else current
    return value if new > old else current


class Limited(Protocol):
    """Anything with limitations: a ``Product`` (typed so, this module needs no products)."""

    @property
    def limitations(self) -> Limitations: ...


def effective_limits(
    plan: Limited | None,
    addons: Iterable[tuple[Limited, int]] = (),
    override: Limitations | None = None,
) -> Limitations:
    """A membership's limits: its products summed, then its own overrides (docs/wordpress.md §6.3).

    The products are listed as the plugin lists them (each add-on ``quantity`` times in the
    membership's order, then the plan), and the first copy of that list is merged last, as
    the plugin's ``merge(...$list)`` does (see the module docstring). They are merged in sum
    mode onto an empty set, then ``override`` in override mode. Repeating an add-on costs
    the same for any quantity (``merge_repeated``; issue 11, defect 1).
    """
    listed = [
        (product.limitations, copies)
        for product, quantity in addons
        if (copies := max(int(quantity), 0)) > 0
    ]
    if plan is not None:
        listed.append((plan.limitations, 1))
    # The merge is a function of the values alone; the catalog's products (and so their
    # fingerprints, computed once per object) live across requests, so most memberships and
    # quotes find their merge already done (issue 12: it dominated a quote's profile).
    key = (
        tuple((limitations.fingerprint, times) for limitations, times in listed),
        override.fingerprint if override is not None else None,
    )
    found = _EFFECTIVE.get(key)
    if found is None:
        found = _merged(listed, override)
        if len(_EFFECTIVE) >= _EFFECTIVE_MAX:
            _EFFECTIVE.clear()  # bounded; refilled by the next requests
        _EFFECTIVE[key] = found
    return found


# Effective limits by the fingerprints of their inputs (Limitations are immutable values).
_EFFECTIVE: dict[Hashable, Limitations] = {}
_EFFECTIVE_MAX = 4096


def _merged(listed: list[tuple[Limitations, int]], override: Limitations | None) -> Limitations:
    summed = Limitations.empty()
    if listed:
        (first, copies), rest = listed[0], listed[1:]
        for limitations, times in [(first, copies - 1), *rest]:
            summed = merge_repeated(summed, limitations, times)
        summed = merge(summed, first)  # the first copy lands in $override: merged last
    return summed if override is None else merge(summed, override, override=True)


def merge_repeated(base: Limitations, other: Any, times: int) -> Limitations:
    """``merge(base, *[other] * times)`` in time independent of ``times``.

    The plugin merges an add-on bought N times as N copies (N merges, N dicts: a quantity of
    2**31 exhausted memory). Each merge rule is a fixed function of the current value, and
    after the first copies every value either stays put or grows by the same whole number
    per copy. So: merge four copies for real, and when copies 3 and 4 changed every value
    exactly as copy 3 did (constant, or the same integer step), the N-th state follows from
    the second by arithmetic. Anything else (a fractional limit, a value that keeps changing
    shape) falls back to merging one copy at a time, which the bounded quantities keep small.
    """
    if times <= 4:
        return merge(base, *[other] * times)
    states = [base]
    for _ in range(4):
        states.append(merge(states[-1], other))
    raws = [state.to_raw() for state in states[2:]]
    extrapolated = _extrapolate(raws[0], raws[1], raws[2], times - 2)
    if extrapolated is not _IRREGULAR:
        return Limitations(extrapolated)
    current = states[-1]
    for _ in range(times - 4):
        current = merge(current, other)
    return current


_IRREGULAR = object()


def _extrapolate(second: Any, third: Any, fourth: Any, steps: int) -> Any:
    """The value ``steps`` copies after ``second``, if ``second → third → fourth`` is a
    constant or an integer arithmetic progression; ``_IRREGULAR`` otherwise."""
    if isinstance(second, dict):
        if not (isinstance(third, dict) and isinstance(fourth, dict)):
            return _IRREGULAR
        if not (second.keys() == third.keys() == fourth.keys()):
            return _IRREGULAR
        result = {}
        for key in second:
            value = _extrapolate(second[key], third[key], fourth[key], steps)
            if value is _IRREGULAR:
                return _IRREGULAR
            result[key] = value
        return result
    if type(second) is type(third) is type(fourth) and second == third == fourth:
        return second
    if all(type(value) is int for value in (second, third, fourth)):
        step = third - second
        last = second + steps * step
        # An int 0 reached on the way is unlimited and stays (_sum_scalar): a progression
        # that reaches or crosses 0 is merged copy by copy instead.
        if fourth - third == step and not min(second, last) <= 0 <= max(second, last):
            return last
    return _IRREGULAR
