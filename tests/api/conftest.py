"""API test helpers: the real ASGI app over a real NativeStore seeded with the demo network."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from planswitch.adapters.native import NativeStore, upgrade_database
from planswitch.adapters.native.demo import seed_demo
from planswitch.server.app import create_app
from planswitch.server.auth import issue_customer_token
from planswitch.server.clock import FixedClock
from planswitch.server.settings import Settings

from tests.conftest import REFERENCE_NOW

API_KEY = "test-operator-key"
SECRET = "test-secret-key-0123456789abcdef-0123456789"
OPERATOR = {"Authorization": f"Bearer {API_KEY}"}


def customer_headers(customer_id: int) -> dict[str, str]:
    """Headers carrying a customer token for ``customer_id``."""
    return {"Authorization": f"Bearer {issue_customer_token(customer_id, SECRET)}"}


def seeded_store(url: str) -> NativeStore:
    """A migrated NativeStore at ``url`` holding the demo network as of REFERENCE_NOW."""
    upgrade_database(url)
    store = NativeStore(url)
    assert seed_demo(store, REFERENCE_NOW)
    return store


def make_settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "demo": False,
        "api_keys": [API_KEY],
        "secret_key": SECRET,
        "apply_due_interval_seconds": 0,
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def api_client(
    store: NativeStore, url: str, **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client talking to ``create_app`` in-process (no network)."""
    app = create_app(make_settings(url, **overrides), store=store, clock=FixedClock(REFERENCE_NOW))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://planswitch.test") as client:
        yield client


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST a GraphQL document; returns the JSON body (asserting HTTP 200)."""
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    assert response.status_code == 200, response.text
    return response.json()


def data(body: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of a response that must have no errors."""
    assert "errors" not in body, body["errors"]
    return body["data"]


@pytest.fixture
def demo_store(sqlite_url: str) -> Iterator[NativeStore]:
    store = seeded_store(sqlite_url)
    yield store
    store.close()


@pytest.fixture
async def client(demo_store: NativeStore, sqlite_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An operator-capable client (send OPERATOR headers) on the seeded SQLite store."""
    async with api_client(demo_store, sqlite_url) as http:
        yield http


@pytest.fixture
def client_factory(demo_store: NativeStore, sqlite_url: str) -> Callable[..., Any]:
    """``async with client_factory(demo=True) as http:`` for other settings."""
    return lambda **overrides: api_client(demo_store, sqlite_url, **overrides)
