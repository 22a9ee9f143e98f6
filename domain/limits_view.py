"""Typed, read-only views of a ``Limitations`` array: every module read with its own rules.

``Limitations.view()`` returns a ``LimitsView``; the API (``schema/limits.py``) and the
limit-change diff (``planswitch.domain.limit_changes``) read limits through it. A missing module
limits nothing: the plugin applies no limits without it (docs/wordpress.md §6.2).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from planswitch.domain.php_values import php_int

# Every module the plugin knows, in the order limit changes are listed.
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
    """Every module read with its own rules (docs/wordpress.md §6.2).

    None always means unlimited.
    """

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
    def of(cls, modules: Mapping[str, Mapping[str, Any]]) -> LimitsView:
        """Read every module of a limitation array (``Limitations.modules``)."""
        get = modules.get
        return cls(
            sites=read_sites(get("sites")),
            visits=_counted(get("visits")),
            disk_space=_counted(get("disk_space")),
            users=_quotas(get("users")),
            post_types=_quotas(get("post_types")),
            domain_mapping=read_domain_mapping(get("domain_mapping")),
            themes=_extensions(get("themes")),
            plugins=_extensions(get("plugins")),
            site_templates=_site_templates(get("site_templates")),
            customer_user_role=_role(get("customer_user_role")),
            hide_credits=_hide_credits(get("hide_credits")),
        )


def _enabled(module: Mapping[str, Any], default: bool = True) -> bool:
    return bool(module.get("enabled", default))  # Limit::setup: missing enabled -> default


def read_sites(module: Mapping[str, Any] | None) -> ModuleLimit:
    """The sites module (``None`` when it is not set): '' counts as 1, 0 as unlimited."""
    if module is None or not _enabled(module):  # a disabled module means unlimited
        return ModuleLimit(False, None)
    number = php_int(module.get("limit"))
    if number is None:  # get_remaining_sites(): '' counts as 1 (null/junk read the same)
        return ModuleLimit(True, 1)
    return ModuleLimit(True, None if number == 0 else number)


def _counted(module: Mapping[str, Any] | None) -> ModuleLimit:
    # visits and disk space: '' or 0 = unlimited; a disabled module is not enforced.
    if module is None:
        return ModuleLimit(False, None)
    enabled = _enabled(module)
    number = php_int(module.get("limit")) if enabled else None
    return ModuleLimit(enabled, number or None)


def _quotas(module: Mapping[str, Any] | None) -> QuotaLimits:
    if module is None:
        return QuotaLimits(False, {})
    entries = module.get("limit")
    quotas = {}
    if isinstance(entries, Mapping):
        for key, entry in entries.items():
            if isinstance(entry, Mapping):
                number = php_int(entry.get("number"))
                quotas[str(key)] = Quota(_enabled(entry), number or None)
    return QuotaLimits(_enabled(module), quotas)


def read_domain_mapping(module: Mapping[str, Any] | None) -> DomainMappingLimit:
    """The domain_mapping module (``None`` when it is not set)."""
    if module is None:  # default_state: enabled, limit null -> allowed, unlimited
        return DomainMappingLimit(True, True, None)
    mode = str(module.get("mode") or "default")
    if not _enabled(module):  # check_all_domains: a disabled module means limit 0
        return DomainMappingLimit(False, False, 0, mode)
    limit = module.get("limit")
    if isinstance(limit, bool):
        return DomainMappingLimit(True, limit, None if limit else 0, mode)
    number = php_int(limit)
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
    # As the plugin decides: the module must be enabled and its limit the bool true
    # (Limit_Hide_Footer_Credits::check, inc/limitations/class-limit-hide-footer-credits.php:53-66,
    # asked by inc/class-credits.php:234). The admin saves only ``enabled``, so a null limit
    # shows the credits (docs/wordpress.md §6.3).
    return HideCreditsLimit(enabled, enabled and module.get("limit") is True)
