"""Liveness and readiness endpoints."""

from __future__ import annotations

import httpx
from planswitch.adapters.native import NativeStore
from planswitch.server.app import create_app

from tests.api.conftest import make_settings


async def test_healthz_and_readyz_on_a_reachable_database(client) -> None:
    health = await client.get("/healthz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "database": "ok"})


async def test_readyz_fails_when_the_database_cannot_be_reached(tmp_path) -> None:
    # A SQLite file inside a directory that does not exist cannot be opened.
    url = f"sqlite:///{tmp_path / 'missing' / 'db.sqlite'}"
    app = create_app(make_settings(url), store=NativeStore(url))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        ready = await http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "database": "error"}
        assert "Traceback" not in ready.text
        assert (await http.get("/healthz")).status_code == 200


async def test_the_worker_factory_serves_from_the_environment(sqlite_url, monkeypatch) -> None:
    from planswitch.adapters.native import upgrade_database
    from planswitch.server.app import from_environment

    upgrade_database(sqlite_url)
    monkeypatch.setenv("PLANSWITCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PLANSWITCH_API_KEYS", "worker-key")
    monkeypatch.setenv("PLANSWITCH_SECRET_KEY", "w" * 40)
    monkeypatch.setenv("PLANSWITCH_DEMO", "false")
    monkeypatch.setenv("PLANSWITCH_APPLY_DUE_INTERVAL_SECONDS", "0")
    app = from_environment()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        ready = await http.get("/readyz")
        body = await http.post(
            "/graphql",
            json={"query": "{ memberships { totalCount } }"},
            headers={"Authorization": "Bearer worker-key"},
        )
    assert ready.status_code == 200
    assert body.json() == {"data": {"memberships": {"totalCount": 0}}}
