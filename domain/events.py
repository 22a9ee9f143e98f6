"""Events recorded with every committed change (an audit trail)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Event:
    kind: str  # plan_changed, change_scheduled, scheduled_change_applied, ...
    object_type: str  # membership, product
    object_id: int
    date_created: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)
    actor: str = "system"  # operator, customer:<id>, system
    id: int = 0
