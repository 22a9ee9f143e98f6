"""Limitations (SPEC §1, reference §6): stored shape and merge rules.

STUB written by the coordinator: the limits helper owns this module and completes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MODULES = (
    "post_types", "plugins", "sites", "themes", "visits", "disk_space", "users",
    "site_templates", "domain_mapping", "customer_user_role", "hide_credits",
)


@dataclass(frozen=True)
class Limitations:
    """The plugin's limitation array: module name -> {"enabled": bool, "limit": ..., ...}."""

    modules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> Limitations:
        return cls({})
