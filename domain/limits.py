"""Limitations: stored shape, merge rules and effective limits.

Rules: docs/plan-changes.md §1.5 and docs/wordpress.md §6.

``Limitations`` keeps the plugin's ``wu_limitations`` array almost as stored (module name ->
plain dict), because the merge rules depend on the stored types: ``''`` versus ``"0"``,
``true`` versus a number, string numbers that add up. Only ``enabled`` flags become bools.
Typed answers for the API and the quote engine come from ``Limitations.view()``
(``planswitch.domain.limits_view``) and the small helpers (``sites_limit``, ``post_type_limits``,
``domain_limit``); ``limit_changes`` (``domain.limit_changes``) diffs two arrays. Both are
re-exported here.

Deliberate differences from the plugin (2.4.10), each commented where it is applied:

* ``behavior`` priorities and the plugins/themes force-enable rule are chosen by the module
  being merged, not by an ``id`` key inside the array (docs/wordpress.md §6.3 "BUG?").
* A current value of string ``"0"`` is unlimited like ``''`` and ``0`` (the plugin compares
  strictly, so ``"0"`` + ``"5000"`` gave 5000 and an "unlimited" add-on could be lost).
* The merge order is add-ons first, then the plan, as docs/wordpress.md §6.3 describes. (The plugin
  calls ``merge(...$list)`` so its first element lands in ``$override`` and is appended
  last; with the ``"0"`` fix above this only changes which replaceable string wins.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from planswitch.domain.limit_changes import limit_changes
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

if TYPE_CHECKING:  # products imports this module
    from planswitch.domain.products import Product

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
    "limit_changes",
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
        "site_templates": MappingProxyType(
            {"not_available": 10, "available": 20, "pre_selected": 30}
        ),
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
        return _normalise(raw.modules)
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
        return _normalise(self.modules)

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
        return LimitsView.of(self)

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

    Sum mode (``override=False``): numbers add up, '' or 0 (unlimited) wins, a disabled
    module on the incoming side is skipped, ``visible`` beats ``hidden``, the higher
    behaviour priority wins, an existing ``true`` is kept. Override mode: incoming values
    replace. ``others`` may be ``Limitations`` or raw dicts; anything else is ignored.

    >>> a = {"users": {"enabled": True, "limit": 5}}
    >>> merge(a, {"users": {"enabled": True, "limit": 3}}).to_raw()["users"]["limit"]
    8
    """
    result = Limitations.from_raw(base).to_raw()
    for other in others:
        if not isinstance(other, Limitations | Mapping):
            continue  # the plugin skips anything that is not an array ('x', null, 123)
        incoming = Limitations.from_raw(other).to_raw()
        for name, module in incoming.items():
            if name in result:
                _merge_module(result[name], module, not override, name)
            else:
                result[name] = module  # a new module is copied as is, even a disabled one
    return Limitations(result)


def _merge_module(a1: dict[Any, Any], a2: dict[Any, Any], should_sum: bool, module: str) -> None:
    """``merge_recursive`` for one module, in place on ``a1`` (rules in the plugin's order).

    ``module`` is the module being merged. The plugin takes it from an ``id`` key inside
    the array, which arrays saved by the admin lack, so its behaviour priorities and the
    plugins/themes force-enable rule silently did nothing; we know the module name, so
    they always apply (docs/wordpress.md §6.3 BUG? note).
    """
    if module in FORCE_ENABLED_MODULES and (
        not a1.get("enabled", True) or not a2.get("enabled", True)
    ):
        a1["enabled"] = a2["enabled"] = True
    if not a1.get("enabled", True):
        a1.clear()
        a1["enabled"] = False
    if should_sum and not a2.get("enabled", True):
        return  # a disabled module never disables another product's module
    for key, value in a2.items():
        current = a1.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            _merge_module(current, value, should_sum, module)
        elif should_sum:
            a1[key] = _sum_scalar(key, current, value, module)
        else:
            a1[key] = value


def _sum_scalar(key: Any, current: Any, value: Any, module: str) -> Any:
    """One scalar in sum mode: returns the new value of ``a1[key]``."""
    if is_unlimited(current):
        # The plugin checks ``'' === $v || 0 === $v``; we also count "0" (how the admin
        # stores numbers) so an unlimited value wins in either order (docs/plan-changes.md §1.5).
        return current
    new_number = php_number(value)
    current_number = php_number(current)
    if current_number is not None and new_number is not None and not is_unlimited(value):
        return plain_number(int(current_number) + new_number)  # (int)$a1 + $a2
    if key == "visibility" and current is not None:
        return _higher(current, value, VISIBILITY_PRIORITY)
    if key == "behavior" and current is not None:
        return _higher(current, value, BEHAVIOR_PRIORITY.get(module, {}))
    return True if current is True else value  # an existing true is kept


def _higher(current: Any, value: Any, priority: Mapping[str, int]) -> Any:
    # Unknown values rank lowest; a tie keeps the current value, as the plugin's ``>``.
    rank = priority.get
    return value if rank(value, -1) > rank(current, -1) else current


def effective_limits(
    plan: Product | None,
    addons: Iterable[tuple[Product, int]] = (),
    override: Limitations | None = None,
) -> Limitations:
    """A membership's limits: its products summed, then its own overrides (docs/wordpress.md §6.3).

    Add-ons come first, each repeated ``quantity`` times, then the plan (once); they are
    merged in sum mode onto an empty set, then ``override`` in override mode. Repeating an
    add-on costs the same for any quantity (``merge_repeated``; issue 11, defect 1).
    """
    summed = Limitations.empty()
    for product, quantity in addons:
        summed = merge_repeated(summed, product.limitations, max(int(quantity), 0))
    if plan is not None:
        summed = merge(summed, plan.limitations)
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
        if fourth - third == step:
            return second + steps * step
    return _IRREGULAR
