"""The ``Limits`` GraphQL type, built from the domain's typed ``Limitations.view()``.

``limit`` is null and ``unlimited`` true when any number is allowed (the plugin stores
that as ``0`` or ``''``; a disabled sites module also limits nothing).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping

import strawberry
from planswitch.domain.limits import (
    DomainMappingLimit,
    ExtensionRule,
    Limitations,
    ModuleLimit,
    QuotaLimits,
    SiteTemplatesLimit,
)
from planswitch.domain.network import DEFAULT_ROLE


@strawberry.type(name="LimitValue", description="A numeric limit module.")
class LimitValue:
    enabled: bool = strawberry.field(description="Whether the module is switched on.")
    limit: int | None = strawberry.field(description="The allowed number; null when unlimited.")
    unlimited: bool = strawberry.field(description="True when any number is allowed.")


@strawberry.type(name="LimitEntry", description="A per-role or per-post-type numeric limit.")
class LimitEntry:
    key: str = strawberry.field(description="Role slug or post type.")
    enabled: bool = strawberry.field(description="Whether this role or post type is allowed.")
    limit: int | None = strawberry.field(description="The allowed number; null when unlimited.")
    unlimited: bool = strawberry.field(description="True when any number is allowed.")


@strawberry.type(name="ExtensionLimit", description="How a theme or plugin is offered.")
class ExtensionLimit:
    key: str = strawberry.field(description="Theme stylesheet or plugin path.")
    visibility: str = strawberry.field(description="visible or hidden.")
    behavior: str = strawberry.field(
        description="e.g. available, not_available, force_active, default, force_inactive."
    )


@strawberry.type(name="SiteTemplateLimit", description="Whether a site template is offered.")
class SiteTemplateLimit:
    site_id: int = strawberry.field(description="Blog id of the template site.")
    behavior: str = strawberry.field(description="available, not_available or pre_selected.")


@strawberry.type(name="SiteTemplateLimits", description="Site templates a customer may use.")
class SiteTemplateLimits:
    enabled: bool = strawberry.field(description="Whether the module is switched on.")
    mode: str = strawberry.field(
        description="default, assign_template or choose_available_templates."
    )
    templates: list[SiteTemplateLimit] = strawberry.field(description="Templates listed.")


@strawberry.type(name="CustomerUserRoleLimit", description="The role the customer gets.")
class CustomerUserRoleLimit:
    enabled: bool = strawberry.field(description="Whether the module is switched on.")
    role: str = strawberry.field(
        description="Role slug; a limit of `default` is shown as the network's default role."
    )


@strawberry.type(
    name="Limits", description="Limits of a product, or a membership's effective ones."
)
class LimitsNode:
    sites: LimitValue = strawberry.field(description="Number of sites.")
    visits: LimitValue = strawberry.field(description="Monthly unique visits.")
    disk_space: LimitValue = strawberry.field(description="Disk space per site, in MB.")
    users: list[LimitEntry] = strawberry.field(description="Users per role.")
    post_types: list[LimitEntry] = strawberry.field(description="Posts per post type.")
    domain_mapping: LimitValue = strawberry.field(description="Custom (apex) domains.")
    themes: list[ExtensionLimit] = strawberry.field(description="Theme availability.")
    plugins: list[ExtensionLimit] = strawberry.field(description="Plugin availability.")
    site_templates: SiteTemplateLimits = strawberry.field(description="Site templates.")
    customer_user_role: CustomerUserRoleLimit = strawberry.field(
        description="Role given to the customer on their sites."
    )
    hide_credits: bool = strawberry.field(description="Whether footer credits are hidden.")

    @classmethod
    def from_domain(cls, limitations: Limitations, default_role: str = DEFAULT_ROLE) -> LimitsNode:
        """``default_role``: what a role limit of ``default`` (or empty) means on the network
        (docs/wordpress.md §6.3)."""
        view = limitations.view()
        return cls(
            sites=_value(view.sites),
            visits=_value(view.visits),
            disk_space=_value(view.disk_space),
            users=_entries(view.users),
            post_types=_entries(view.post_types),
            domain_mapping=_domain_mapping(view.domain_mapping),
            themes=_extensions(view.themes),
            plugins=_extensions(view.plugins),
            site_templates=_site_templates(view.site_templates),
            customer_user_role=CustomerUserRoleLimit(
                enabled=view.customer_user_role.enabled,
                role=view.customer_user_role.role or default_role,
            ),
            hide_credits=view.hide_credits.allowed,
        )


# --- memo -------------------------------------------------------------------------------
#
# Building a Limits node (and, for a membership, merging its products' limitations first)
# costs milliseconds, and a page repeats the same few plan/add-on combinations: bench/
# bench_api.py's page of 100 memberships took about 1.6x as long without this memo. Nodes
# are remembered by *value*: the fingerprints of the limitation arrays they were built from
# (``Limitations.fingerprint``) and the add-on quantities, so an entry is right whichever
# objects carry those values. Nodes are read-only, so requests may share them.

MemoKey = tuple[Hashable, ...]

_MEMO_SIZE = 512
_memo: OrderedDict[MemoKey, LimitsNode] = OrderedDict()
_memo_lock = threading.Lock()


def remembered(key: MemoKey) -> LimitsNode | None:
    """The node built earlier for ``key``, if still remembered."""
    with _memo_lock:
        node = _memo.get(key)
        if node is not None:
            _memo.move_to_end(key)
        return node


def remember(key: MemoKey, node: LimitsNode) -> LimitsNode:
    """Remember ``node`` under ``key`` (least recently used entries go first)."""
    with _memo_lock:
        _memo[key] = node
        while len(_memo) > _MEMO_SIZE:
            _memo.popitem(last=False)
    return node


def limits_node(limitations: Limitations, default_role: str = DEFAULT_ROLE) -> LimitsNode:
    """``LimitsNode.from_domain(limitations, default_role)``, remembered for the same value."""
    key = ("own", limitations.fingerprint, default_role)
    return remembered(key) or remember(key, LimitsNode.from_domain(limitations, default_role))


def membership_key(
    default_role: str,
    plan: Limitations | None,
    override: Limitations,
    addons: Iterable[tuple[Limitations, int]],
) -> MemoKey:
    """The memo key of a membership's effective limits: every input of the merge, by value
    and in merge order (``domain.limits.effective_limits``), and the network's default role."""
    parts: list[Hashable] = ["membership", default_role]
    parts.append(plan.fingerprint if plan is not None else None)
    parts.append(override.fingerprint)
    for limitations, quantity in addons:
        parts.extend((limitations.fingerprint, quantity))
    return tuple(parts)


def _value(module: ModuleLimit) -> LimitValue:
    return LimitValue(enabled=module.enabled, limit=module.limit, unlimited=module.limit is None)


def _entries(quotas: QuotaLimits) -> list[LimitEntry]:
    # `limit` is what is allowed: 0 for a disabled role/post type, null when unlimited.
    entries = []
    for key in sorted(quotas):
        allowed = quotas.allowed(key)
        entries.append(
            LimitEntry(
                key=key, enabled=quotas[key].enabled, limit=allowed, unlimited=allowed is None
            )
        )
    return entries


def _domain_mapping(limit: DomainMappingLimit) -> LimitValue:
    if not limit.allowed:
        return LimitValue(enabled=limit.enabled, limit=0, unlimited=False)
    return LimitValue(enabled=limit.enabled, limit=limit.max, unlimited=limit.max is None)


def _extensions(rules: Mapping[str, ExtensionRule]) -> list[ExtensionLimit]:
    return [
        ExtensionLimit(key=key, visibility=rule.visibility, behavior=rule.behavior)
        for key, rule in sorted(rules.items())
    ]


def _site_templates(limit: SiteTemplatesLimit) -> SiteTemplateLimits:
    templates = sorted(
        (
            SiteTemplateLimit(site_id=int(key), behavior=behavior)
            for key, behavior in limit.templates.items()
            if str(key).isdigit()
        ),
        key=lambda template: template.site_id,
    )
    return SiteTemplateLimits(enabled=limit.enabled, mode=limit.mode, templates=templates)
