"""Customers: a WordPress user who holds memberships."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Customer:
    id: int
    user_id: int
    email: str = ""
    display_name: str = ""
    login: str = ""
    vip: bool = False
    has_trialed: bool = False
    date_registered: datetime | None = None
    date_modified: datetime | None = None
