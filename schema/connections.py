"""Relay connections for unbounded lists: ``nodes``, ``edges``, ``pageInfo``, ``totalCount``.

Cursors are opaque. Lists held in a database (memberships, customers) page by keyset: the
cursor carries the last id seen (base64 of ``"key:<id>"``), so a deep page costs what the
first one does, and ``totalCount`` is counted only when asked for. Short lists held in
memory (a membership's payments, the catalog) page by offset (``"cursor:<offset>"``).
Pages hold at most ``settings.max_page_size`` items.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode
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
    # An int, or a coroutine function counting on demand (one COUNT, only when selected).
    total: strawberry.Private[Any]

    @strawberry.field(description="Number of items in the whole list.")
    def total_count(self) -> int:
        # Synchronous when the count is at hand (graphql-core then awaits nothing here).
        if callable(self.total):
            return self._count()  # type: ignore[return-value]
        return int(self.total)

    async def _count(self) -> int:
        self.total = int(await self.total())
        return self.total


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
    size = _page_size(first, max_page_size)
    offset = 0 if after is None else decode_cursor(after) + 1
    return Window(offset=offset, limit=size)


def _page_size(first: int | None, max_page_size: int) -> int:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if size < 0 or size > max_page_size:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"`first` must be between 0 and {max_page_size}.",
            "first",
        )
    return size


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
        total=total,
    )


def slice_connection(
    items: Sequence[Item], win: Window, convert: Callable[[Item], T]
) -> Connection[T]:
    """A connection over an in-memory list (e.g. a membership's payments)."""
    page = items[win.offset : win.offset + win.limit]
    return build_connection(page, len(items), win, convert)


# --- keyset pages ----------------------------------------------------------------------

PAGE_FIELDS = frozenset({"nodes", "edges", "pageInfo"})


@dataclass(frozen=True)
class KeysetWindow:
    """The page a request asks for: items with ids above ``after_id``, at most ``limit``."""

    after_id: int | None
    limit: int


def encode_key_cursor(item_id: int) -> str:
    return base64.b64encode(f"key:{item_id}".encode()).decode()


def decode_key_cursor(cursor: str, field: str = "after") -> int:
    """The id in ``cursor``; raises ``DomainError(INVALID_INPUT)`` naming ``field``."""
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    prefix, _, raw = text.partition(":")
    if prefix != "key" or not raw.isdigit():
        raise DomainError(ErrorCode.INVALID_INPUT, f"`{field}` is not a valid cursor.", field)
    return int(raw)


def keyset_window(first: int | None, after: str | None, max_page_size: int) -> KeysetWindow:
    size = _page_size(first, max_page_size)
    return KeysetWindow(None if after is None else decode_key_cursor(after), size)


def wants_page(info: Any) -> bool:
    """Whether the query selects the page itself (not only ``totalCount``)."""
    return selects(info, PAGE_FIELDS, direct=True)


def selects(info: Any, names: AbstractSet[str], *, direct: bool = False) -> bool:
    """Whether the field's selection asks for a field named one of ``names``: among its
    own fields (``direct``) or at any depth, fragments included.

    Read from the document itself (graphql-core's AST): Strawberry's ``selected_fields``
    converts the whole selection first. ``@skip``/``@include`` are not evaluated, so the
    answer errs towards reading more.
    """
    raw = info._raw_info
    stack = [
        selection
        for node in raw.field_nodes
        if node.selection_set is not None
        for selection in node.selection_set.selections
    ]
    spread: set[str] = set()
    while stack:
        selection = stack.pop()
        if isinstance(selection, FieldNode):
            if selection.name.value in names:
                return True
            if not direct and selection.selection_set is not None:
                stack.extend(selection.selection_set.selections)
        elif isinstance(selection, InlineFragmentNode):
            stack.extend(selection.selection_set.selections)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in spread:
            spread.add(selection.name.value)
            fragment = raw.fragments.get(selection.name.value)
            if fragment is not None:
                stack.extend(fragment.selection_set.selections)
    return False


def keyset_connection(
    items: Sequence[Any],
    win: KeysetWindow,
    convert: Callable[[Any], T],
    count: Callable[[], Awaitable[int]] | int,
) -> Connection[T]:
    """A connection over ``items``: the page plus one more item when a next page exists."""
    nodes_items = list(items[: win.limit])
    edges = [Edge(cursor=encode_key_cursor(item.id), node=convert(item)) for item in nodes_items]
    return Connection(
        nodes=[edge.node for edge in edges],
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(items) > win.limit,
            has_previous_page=win.after_id is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total=count,
    )
