"""Limitations (SPEC §1, reference §6): stored shape, merge rules and effective limits.

``Limitations`` keeps the plugin's ``wu_limitations`` array almost as stored (module name ->
plain dict), because the merge rules depend on the stored types: ``''`` versus ``"0"``,
``true`` versus a number, string numbers that add up. Only ``enabled`` flags become bools.
Typed answers for the API and the quote engine come from ``Limitations.view()`` and the
small helpers (``sites_limit``, ``post_type_limits``, ``domain_limit``).

Deliberate differences from the plugin (2.4.10), each commented where it is applied:

* ``behavior`` priorities and the plugins/themes force-enable rule are chosen by the module
  being merged, not by an ``id`` key inside the array (reference §6.3 "BUG?").
* A current value of string ``"0"`` is unlimited like ``''`` and ``0`` (the plugin compares
  strictly, so ``"0"`` + ``"5000"`` gave 5000 and an "unlimited" add-on could be lost).
* The merge order is add-ons first, then the plan, as reference §6.3 describes. (The plugin
  calls ``merge(...$list)`` so its first element lands in ``$override`` and is appended
  last; with the ``"0"`` fix above this only changes which replaceable string wins.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # products and plan_change import this module (directly or not)
    from domain.plan_change import LimitChange
    from domain.products import Product

MODULES = (
    "post_types",
    "plugins",
    "sites",
    "themes",
    "visits",
    "disk_space",
    "users",
    "site_templates",
    "domain_mapping",
    "customer_user_role",
    "hide_credits",
)

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

# PHP is_numeric(): optional whitespace, sign, decimal or exponent; no hex.
_PHP_NUMERIC = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*\Z")


# --------------------------------------------------------------------------- PHP value rules


def _number(value: Any) -> Decimal | None:
    """The value as a number if PHP's ``is_numeric`` accepts it (bools never), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str) and _PHP_NUMERIC.match(value):
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the regex already filters
            return None
    return None


def _php_truthy(value: Any) -> bool:
    """PHP's (bool) cast: "", "0", 0, null, [] are false; "false" is true."""
    if isinstance(value, str):
        return value not in ("", "0")
    return bool(value)


def _is_unlimited(value: Any) -> bool:
    """'' or a numeric zero (int 0, "0", 0.0) means unlimited."""
    if isinstance(value, str) and value == "":
        return True
    number = _number(value)
    return number is not None and number == 0


def _as_int(value: Any) -> int | None:
    """PHP's (int) of a numeric value (truncates), None when not numeric."""
    number = _number(value)
    return None if number is None else int(number)


def _plain(number: Decimal) -> int | str:
    # PHP's int + numeric string gives an int; fractional limits do not occur, but keep
    # them exact and JSON-able as a numeric string rather than a float.
    return int(number) if number == number.to_integral_value() else str(number)


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
                out[key] = _php_truthy(item)
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
        return _sites(self.modules.get("sites")).limit

    def post_type_limits(self) -> dict[str, int]:
        """Post type -> quota, only quotas > 0 (the over-limit check's rule, reference §7.7:
        ``quota > 0 && count > quota``; the module's and entries' ``enabled`` are ignored)."""
        entries = (self.modules.get("post_types") or {}).get("limit")
        if not isinstance(entries, Mapping):
            return {}
        limits = {}
        for post_type, entry in entries.items():
            quota = _as_int(entry.get("number")) if isinstance(entry, Mapping) else None
            if quota is not None and quota > 0:
                limits[str(post_type)] = quota
        return limits

    def domain_limit(self) -> int | None:
        """Custom (apex) domains allowed: None = unlimited, 0 = none (disabled or false)."""
        return _domain_mapping(self.modules.get("domain_mapping")).max


# ------------------------------------------------------------------------------ merge rules


def merge(base: Any, *others: Any, override: bool = False) -> Limitations:
    """Merge limitation arrays onto ``base`` with the plugin's rules (reference §6.3).

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
    they always apply (reference §6.3 BUG? note).
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
    if _is_unlimited(current):
        # The plugin checks ``'' === $v || 0 === $v``; we also count "0" (how the admin
        # stores numbers) so an unlimited value wins in either order (SPEC §1).
        return current
    new_number = _number(value)
    current_number = _number(current)
    if current_number is not None and new_number is not None and not _is_unlimited(value):
        return _plain(int(current_number) + new_number)  # (int)$a1 + $a2
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
    """A membership's limits: its products summed, then its own overrides (reference §6.3).

    Add-ons come first, each repeated ``quantity`` times, then the plan (once); they are
    merged in sum mode onto an empty set, then ``override`` in override mode.
    """
    products = [
        limits
        for product, quantity in addons
        for limits in [product.limitations] * max(int(quantity), 0)
    ]
    if plan is not None:
        products.append(plan.limitations)
    summed = merge(Limitations.empty(), *products)
    return summed if override is None else merge(summed, override, override=True)


# ------------------------------------------------------------------------------ typed views


@dataclass(frozen=True, slots=True)
class ModuleLimit:
    """A counted module (sites, visits, disk_space in MB). ``limit`` None = unlimited."""

    enabled: bool
    limit: int | None


@dataclass(frozen=True, slots=True)
class Quota:
    """One role (users) or post type. ``number`` None = unlimited ('' or 0)."""

    enabled: bool
    number: int | None


class QuotaLimits(Mapping[str, Quota]):
    """users / post_types: a read-only mapping key -> Quota, plus the module's ``enabled``."""

    __slots__ = ("enabled", "_quotas")

    def __init__(self, enabled: bool, quotas: Mapping[str, Quota]) -> None:
        self.enabled = enabled
        self._quotas = dict(quotas)

    def __getitem__(self, key: str) -> Quota:
        return self._quotas[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._quotas)

    def __len__(self) -> int:
        return len(self._quotas)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, QuotaLimits):
            return self.enabled == other.enabled and self._quotas == other._quotas
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"QuotaLimits(enabled={self.enabled}, {self._quotas!r})"

    def allowed(self, key: str) -> int | None:
        """How many are allowed: None = unlimited (module disabled, key not limited, or
        '' / 0); 0 when the entry itself is disabled (the plugin then refuses any)."""
        quota = self._quotas.get(key)
        if not self.enabled or quota is None:
            return None
        return quota.number if quota.enabled else 0


@dataclass(frozen=True, slots=True)
class DomainMappingLimit:
    """``allowed`` False = no custom domains; ``max`` None = unlimited (limit true/null)."""

    enabled: bool
    allowed: bool
    max: int | None
    mode: str = "default"


@dataclass(frozen=True, slots=True)
class ExtensionRule:
    """A theme's or plugin's visibility (visible/hidden) and behaviour."""

    visibility: str
    behavior: str


@dataclass(frozen=True, slots=True)
class SiteTemplatesLimit:
    enabled: bool
    mode: str  # default | assign_template | choose_available_templates
    templates: Mapping[int | str, str]  # template site id -> behavior


@dataclass(frozen=True, slots=True)
class RoleLimit:
    """``role`` None = the network's ``default_role`` setting ('default' or empty)."""

    enabled: bool
    role: str | None


@dataclass(frozen=True, slots=True)
class HideCreditsLimit:
    enabled: bool
    allowed: bool  # may the site hide the footer credits


@dataclass(frozen=True, slots=True)
class LimitsView:
    """Every module read with its own rules (reference §6.2). None always means unlimited."""

    sites: ModuleLimit
    visits: ModuleLimit
    disk_space: ModuleLimit
    users: QuotaLimits
    post_types: QuotaLimits
    domain_mapping: DomainMappingLimit
    themes: Mapping[str, ExtensionRule]
    plugins: Mapping[str, ExtensionRule]
    site_templates: SiteTemplatesLimit
    customer_user_role: RoleLimit
    hide_credits: HideCreditsLimit

    @classmethod
    def of(cls, limitations: Limitations) -> LimitsView:
        get = limitations.modules.get
        return cls(
            sites=_sites(get("sites")),
            visits=_counted(get("visits")),
            disk_space=_counted(get("disk_space")),
            users=_quotas(get("users")),
            post_types=_quotas(get("post_types")),
            domain_mapping=_domain_mapping(get("domain_mapping")),
            themes=_extensions(get("themes")),
            plugins=_extensions(get("plugins")),
            site_templates=_site_templates(get("site_templates")),
            customer_user_role=_role(get("customer_user_role")),
            hide_credits=_hide_credits(get("hide_credits")),
        )


# A missing module limits nothing: the plugin applies no limits without it.


def _enabled(module: Mapping[str, Any], default: bool = True) -> bool:
    return bool(module.get("enabled", default))  # Limit::setup: missing enabled -> default


def _sites(module: Mapping[str, Any] | None) -> ModuleLimit:
    if module is None or not _enabled(module):  # a disabled module means unlimited
        return ModuleLimit(False, None)
    number = _as_int(module.get("limit"))
    if number is None:  # get_remaining_sites(): '' counts as 1 (null/junk read the same)
        return ModuleLimit(True, 1)
    return ModuleLimit(True, None if number == 0 else number)


def _counted(module: Mapping[str, Any] | None) -> ModuleLimit:
    # visits and disk space: '' or 0 = unlimited; a disabled module is not enforced.
    if module is None:
        return ModuleLimit(False, None)
    enabled = _enabled(module)
    number = _as_int(module.get("limit")) if enabled else None
    return ModuleLimit(enabled, number or None)


def _quotas(module: Mapping[str, Any] | None) -> QuotaLimits:
    if module is None:
        return QuotaLimits(False, {})
    entries = module.get("limit")
    quotas = {}
    if isinstance(entries, Mapping):
        for key, entry in entries.items():
            if isinstance(entry, Mapping):
                number = _as_int(entry.get("number"))
                quotas[str(key)] = Quota(_enabled(entry), number or None)
    return QuotaLimits(_enabled(module), quotas)


def _domain_mapping(module: Mapping[str, Any] | None) -> DomainMappingLimit:
    if module is None:  # default_state: enabled, limit null -> allowed, unlimited
        return DomainMappingLimit(True, True, None)
    mode = str(module.get("mode") or "default")
    if not _enabled(module):  # check_all_domains: a disabled module means limit 0
        return DomainMappingLimit(False, False, 0, mode)
    limit = module.get("limit")
    if isinstance(limit, bool):
        return DomainMappingLimit(True, limit, None if limit else 0, mode)
    number = _as_int(limit)
    if number is None:  # null / '' / junk: check_all_domains finds no problem
        return DomainMappingLimit(True, True, None, mode)
    return DomainMappingLimit(True, number > 0, max(number, 0), mode)


def _extensions(module: Mapping[str, Any] | None) -> Mapping[str, ExtensionRule]:
    entries = (module or {}).get("limit")
    rules = {}
    if isinstance(entries, Mapping):
        for slug, entry in entries.items():
            if isinstance(entry, Mapping):
                rules[str(slug)] = ExtensionRule(
                    str(entry.get("visibility", "visible")), str(entry.get("behavior", ""))
                )
    return MappingProxyType(rules)


def _site_templates(module: Mapping[str, Any] | None) -> SiteTemplatesLimit:
    if module is None:
        return SiteTemplatesLimit(False, "default", MappingProxyType({}))
    entries = module.get("limit")
    templates: dict[int | str, str] = {}
    if isinstance(entries, Mapping):
        for key, entry in entries.items():
            if isinstance(entry, Mapping):
                template_id = int(key) if str(key).isdigit() else str(key)
                templates[template_id] = str(entry.get("behavior", "not_available"))
    mode = str(module.get("mode") or "default")
    return SiteTemplatesLimit(_enabled(module), mode, MappingProxyType(templates))


def _role(module: Mapping[str, Any] | None) -> RoleLimit:
    if module is None:
        return RoleLimit(True, None)
    role = module.get("limit")
    named = isinstance(role, str) and role not in ("", "default")
    return RoleLimit(_enabled(module), role if named else None)


def _hide_credits(module: Mapping[str, Any] | None) -> HideCreditsLimit:
    if module is None:
        return HideCreditsLimit(False, False)
    enabled = _enabled(module, default=False)
    limit = module.get("limit")
    # The admin only saves ``enabled`` (limit stays null); the plugin's check() wants a
    # bool limit and so never lets a null one hide credits. We read null as "allowed".
    return HideCreditsLimit(enabled, enabled and (limit is None or _php_truthy(limit)))


# ----------------------------------------------------------------------------- limit changes


def _effective_values(limitations: Limitations) -> dict[tuple[str, str | None], Any]:
    """(module, key) -> effective value, None = unlimited / not restricted."""
    view = limitations.view()
    values: dict[tuple[str, str | None], Any] = {}
    for name in MODULES:
        if name in ("sites", "visits", "disk_space"):
            values[(name, None)] = getattr(view, name).limit
        elif name in ("users", "post_types"):
            quotas: QuotaLimits = getattr(view, name)
            for key in quotas:
                values[(name, key)] = quotas.allowed(key)
        elif name in ("themes", "plugins"):
            for slug, rule in getattr(view, name).items():
                values[(name, slug)] = rule.behavior
        elif name == "site_templates":
            templates = view.site_templates
            values[(name, None)] = templates.mode if templates.enabled else None
            for template_id, behavior in templates.templates.items():
                values[(name, str(template_id))] = behavior if templates.enabled else None
        elif name == "domain_mapping":
            values[(name, None)] = view.domain_mapping.max
        elif name == "customer_user_role":
            role = view.customer_user_role
            values[(name, None)] = role.role if role.enabled else None
        elif name == "hide_credits":
            values[(name, None)] = view.hide_credits.allowed
    return values


def _key_order(key: str | None) -> tuple[int, int, str]:
    if key is None:
        return (0, 0, "")
    return (1, int(key), "") if key.isdigit() else (2, 0, key)


def limit_changes(before: Limitations, after: Limitations) -> tuple[LimitChange, ...]:
    """Every effective value that differs, ordered by module (``MODULES``) then key.

    Keys: role / post type for users and post_types, slug for themes and plugins
    (their behaviour), template id for site_templates (None = its mode), else None.
    A key present on one side only reads as None (unlimited / not restricted) on the other.
    """
    from domain.plan_change import LimitChange  # plan_change imports memberships -> limits

    old, new = _effective_values(before), _effective_values(after)
    keys = sorted(old.keys() | new.keys(), key=lambda k: (MODULES.index(k[0]), _key_order(k[1])))
    return tuple(
        LimitChange(module, key, old.get((module, key)), new.get((module, key)))
        for module, key in keys
        if old.get((module, key)) != new.get((module, key))
    )
