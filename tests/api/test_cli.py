"""The command line: token issuing and apply-due, on a real SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from planswitch.resolvers.sessions import SessionKeys, key_id
from planswitch.server.cli import app
from typer.testing import CliRunner

from tests.api.conftest import seeded_store

CLI_SECRET = "cli-secret-0123456789abcdef0123456789abcdef"


def test_token_prints_a_session_token_the_server_accepts(monkeypatch, sqlite_url) -> None:
    seeded_store(sqlite_url).close()
    monkeypatch.setenv("PLANSWITCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PLANSWITCH_SECRET_KEY", CLI_SECRET)
    monkeypatch.setenv("PLANSWITCH_API_KEYS", "cli-operator-key")
    monkeypatch.setenv("PLANSWITCH_DEMO", "false")
    result = CliRunner().invoke(app, ["token", "--customer", "4"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    # The same kind createCustomerSession returns: a JWT with sub, iat, exp and a key id.
    claims = SessionKeys.of(CLI_SECRET).verify(token, datetime.now(UTC))
    assert claims.customer_id == 4
    assert claims.expires_at - claims.issued_at == timedelta(hours=1)
    assert jwt.get_unverified_header(token)["kid"] == key_id(CLI_SECRET)
    # A customer that does not exist gets no token.
    missing = CliRunner().invoke(app, ["token", "--customer", "999"])
    assert missing.exit_code == 2 and "999" in missing.output


def test_token_refuses_without_a_configured_secret(monkeypatch) -> None:
    monkeypatch.delenv("PLANSWITCH_SECRET_KEY", raising=False)
    monkeypatch.setenv("PLANSWITCH_DEMO", "false")
    result = CliRunner().invoke(app, ["token", "--customer", "4"])
    assert result.exit_code == 2


def test_apply_due_reports_how_many_changes_it_applied(monkeypatch, sqlite_url) -> None:
    seeded_store(sqlite_url).close()
    monkeypatch.setenv("PLANSWITCH_DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(app, ["apply-due", "--as-of", "2026-06-15T00:00:00"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines() == [
        "Applied 0 scheduled change(s).",
        "Expired 0 unpaid pending change(s).",
    ]


def test_db_upgrade_creates_the_tables(monkeypatch, sqlite_url) -> None:
    monkeypatch.setenv("PLANSWITCH_DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    from planswitch.adapters.native import NativeStore

    store = NativeStore(sqlite_url)
    try:
        assert store.list_products() == []
    finally:
        store.close()


def test_make_store_picks_the_wordpress_adapter_when_configured(sqlite_url) -> None:
    from planswitch.adapters.native import NativeStore
    from planswitch.adapters.wordpress.store import WordPressStore
    from planswitch.server.settings import Settings
    from planswitch.server.stores import make_store

    wordpress = make_store(
        Settings(wordpress_url="mysql+pymysql://root@127.0.0.1:3306/wordpress", demo=False)
    )
    assert isinstance(wordpress, WordPressStore)
    assert wordpress.writes is False
    native = make_store(Settings(database_url=sqlite_url))
    assert isinstance(native, NativeStore)
    native.close()


def test_settings_read_the_environment(monkeypatch) -> None:
    from planswitch.server.settings import DEMO_SECRET_KEY, Settings

    monkeypatch.setenv("PLANSWITCH_API_KEYS", "one, two")
    monkeypatch.setenv("PLANSWITCH_DATABASE_URL", "postgresql+psycopg://db/x")
    settings = Settings()
    assert settings.api_keys == ["one", "two"]
    assert settings.demo is False  # never inferred from the database URL (issue 11, defect 6)
    assert not settings.has_configured_secret
    monkeypatch.delenv("PLANSWITCH_DATABASE_URL")
    assert Settings().demo is False  # not even for the embedded SQLite file
    demo = Settings(demo=True)
    assert demo.demo is True and demo.secret_key == DEMO_SECRET_KEY


def test_apply_due_leaves_a_wordpress_network_to_the_plugin_unless_enabled(monkeypatch) -> None:
    # Refused before any database is touched (the URL need not even resolve).
    monkeypatch.setenv("PLANSWITCH_WORDPRESS_URL", "mysql+pymysql://nobody@127.0.0.1:1/none")
    monkeypatch.delenv("PLANSWITCH_WORDPRESS_APPLY_DUE", raising=False)
    result = CliRunner().invoke(app, ["apply-due"])
    assert result.exit_code == 2
    assert "PLANSWITCH_WORDPRESS_APPLY_DUE=1" in result.output
