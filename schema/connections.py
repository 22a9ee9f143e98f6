"""Relay connections for unbounded lists: ``nodes``, ``edges``, ``pageInfo``, ``totalCount``.

Cursors are opaque (base64 of ``"cursor:<offset>"``); pages hold at most
``settings.max_page_size`` items.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import strawberry
from planswitch.domain.errors import DomainError, ErrorCode

T = TypeVar("T")
Item = TypeVar("Item")
DEFAULT_PAGE_SIZE = 20

First = Annotated[
    int | None, strawberry.argument(description="Page size (default 20, at most 100).")
]
After = Annotated[
    str | None, strawberry.argument(description="Cursor of the item before the page.")
]


@strawberry.type(name="PageInfo", description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when more items follow.")
    has_previous_page: bool = strawberry.field(description="True when items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item, if any.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass it as `after` for the next page."
    )


@strawberry.type(description="One item of a connection with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position of this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list.")
class Connection(Generic[T]):
    nodes: list[T] = strawberry.field(description="The items of this page.")
    edges: list[Edge[T]] = strawberry.field(description="The items with their cursors.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    total_count: int = strawberry.field(description="Number of items in the whole list.")


@dataclass(frozen=True)
class Window:
    """Which slice of a list a request asks for."""

    offset: int
    limit: int


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"cursor:{offset}".encode()).decode()


def decode_cursor(cursor: str, field: str = "after") -> int:
    """The offset in ``cursor``; raises ``DomainError(INVALID_INPUT)`` naming ``field``."""
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    prefix, _, raw = text.partition(":")
    if prefix != "cursor" or not raw.isdigit():
        raise DomainError(ErrorCode.INVALID_INPUT, f"`{field}` is not a valid cursor.", field)
    return int(raw)


def window(first: int | None, after: str | None, max_page_size: int) -> Window:
    """The slice for ``first``/``after``; ``first`` must be between 0 and ``max_page_size``."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if size < 0 or size > max_page_size:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"`first` must be between 0 and {max_page_size}.",
            "first",
        )
    offset = 0 if after is None else decode_cursor(after) + 1
    return Window(offset=offset, limit=size)


def build_connection(
    items: Sequence[Item],
    total: int,
    win: Window,
    convert: Callable[[Item], T],
) -> Connection[T]:
    """A connection over ``items`` (the page already cut at ``win``) of a ``total``-long list."""
    nodes = [convert(item) for item in items]
    edges = [Edge(cursor=encode_cursor(win.offset + i), node=n) for i, n in enumerate(nodes)]
    return Connection(
        nodes=nodes,
        edges=edges,
        page_info=PageInfo(
            has_next_page=win.offset + len(nodes) < total,
            has_previous_page=win.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )


def slice_connection(
    items: Sequence[Item], win: Window, convert: Callable[[Item], T]
) -> Connection[T]:
    """A connection over an in-memory list (e.g. a membership's payments)."""
    page = items[win.offset : win.offset + win.limit]
    return build_connection(page, len(items), win, convert)
