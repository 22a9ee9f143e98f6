"""``limit_changes``: which effective limits differ between two ``Limitations``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planswitch.domain.limits import Limitations
from planswitch.domain.limits_view import MODULES, QuotaLimits


@dataclass(frozen=True)
class LimitChange:
    """One module's effective limit before and after (None = unlimited)."""

    module: str
    key: str | None  # role / post type for per-key modules, else None
    before: Any
    after: Any


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
    old, new = _effective_values(before), _effective_values(after)
    keys = sorted(old.keys() | new.keys(), key=lambda k: (MODULES.index(k[0]), _key_order(k[1])))
    return tuple(
        LimitChange(module, key, old.get((module, key)), new.get((module, key)))
        for module, key in keys
        if old.get((module, key)) != new.get((module, key))
    )
