"""Settings, read once from the environment (prefix ``PLANSWITCH_``) and passed down.

Nothing else in planswitch reads ``os.environ``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated

from planswitch.domain.pending_change import DEFAULT_TTL, WORDPRESS_TTL
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./planswitch.db"
# Used only in demo mode when no secret is configured, so `planswitch token` and the
# server agree across restarts. Published in this file: outside demo mode the server
# refuses to start with it (issue 11, defect 3).
DEMO_SECRET_KEY = "planswitch-demo-secret-not-for-production"


MIN_SECRET_LENGTH = 32


class UnsafeSettings(Exception):
    """The settings would expose real data; the server refuses to start (the message says
    what to set)."""


class Settings(BaseSettings):
    """Every ``PLANSWITCH_*`` variable (see the README's configuration table)."""

    model_config = SettingsConfigDict(env_prefix="PLANSWITCH_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # Never inferred from the URL: `serve` turns it on only for the database planswitch
    # seeded with its demo itself (server.startup.resolve_demo) or when set explicitly.
    demo: bool = False
    debug: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: Annotated[list[str], NoDecode] = []
    secret_key: str = ""
    # Secrets that signed sessions before the current one; their tokens stay valid (rotation).
    previous_secret_keys: Annotated[list[str], NoDecode] = []
    session_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    # Without API keys or a secret the server refuses to start, unless it is only reachable
    # on a private network (then anonymous callers still see only the public catalog).
    private_network: bool = False
    # Browser origins allowed to call the API (CORS), e.g. "https://shop.example.com".
    cors_origins: Annotated[list[str], NoDecode] = []
    # Sign-in attempts (limits' notation) per login and per client address.
    sign_in_limit_per_login: str = "5/minute"
    sign_in_limit_per_address: str = "30/minute"
    # memory:// (one process) or redis://127.0.0.1:6379 (shared by every process).
    rate_limit_storage_url: str = "memory://"
    # The largest add-on quantity a quote or change accepts (checked before any work).
    max_addon_quantity: int = Field(default=1000, ge=1, le=1_000_000)
    wordpress_url: str | None = None
    wordpress_prefix: str = "wp_"
    wordpress_network_id: int | None = None
    wordpress_writes: bool = False
    # On a WordPress network the plugin's Action Scheduler applies scheduled swaps; planswitch
    # applies them too only when an operator turns this on (issue 10).
    wordpress_apply_due: bool = False
    apply_due_interval_seconds: int = 60
    # Checkout (issue 8): how long a change with something due waits for its payment; unset:
    # one day, 31 days on a WordPress network (pending_change_ttl).
    pending_change_ttl_seconds: int | None = Field(default=None, gt=0)
    # Who collects payments (adapters/payments): "manual" or "stripe". The stripe provider
    # needs the secret key, and the webhook secret of the endpoint POST /webhooks/stripe;
    # stripe_api_base points the SDK at another server (a local test server).
    payment_provider: str = "manual"
    stripe_secret_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str | None = None
    max_page_size: int = 100
    # Security limits on incoming GraphQL documents.
    max_query_depth: int = 10
    max_query_tokens: int = 2000
    max_query_aliases: int = 15

    @field_validator("api_keys", "previous_secret_keys", "cors_origins", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        # "key1,key2" in the environment; a list when built in code.
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.secret_key:
            self.secret_key = DEMO_SECRET_KEY if self.demo else _ephemeral_secret()
        if self.payment_provider == "stripe" and not (
            self.stripe_secret_key and self.stripe_webhook_secret
        ):
            # Refused at start-up: without them no payment could be opened or confirmed.
            raise ValueError(
                "PLANSWITCH_PAYMENT_PROVIDER=stripe needs PLANSWITCH_STRIPE_SECRET_KEY and "
                "PLANSWITCH_STRIPE_WEBHOOK_SECRET"
            )
        return self

    @property
    def has_configured_secret(self) -> bool:
        """False when the secret is the demo one or was generated for this process only."""
        return self.secret_key != DEMO_SECRET_KEY and not self.secret_key.startswith(_EPHEMERAL)

    def problems(self) -> list[str]:
        """Why these settings are unsafe to serve real data with (empty: they are fine)."""
        if self.demo:
            return []
        found = []
        if DEMO_SECRET_KEY in (self.secret_key, *self.previous_secret_keys):
            found.append(
                "PLANSWITCH_SECRET_KEY is the published demo secret: anyone could sign "
                "sessions. Set a long random secret."
            )
        elif not self.has_configured_secret and not self.private_network:
            found.append("PLANSWITCH_SECRET_KEY is not set: set a long random secret.")
        elif self.has_configured_secret and len(self.secret_key) < MIN_SECRET_LENGTH:
            found.append(
                f"PLANSWITCH_SECRET_KEY has fewer than {MIN_SECRET_LENGTH} characters: "
                "use a long random secret (e.g. `openssl rand -hex 32`)."
            )
        if not self.api_keys and not self.private_network:
            found.append(
                "PLANSWITCH_API_KEYS is empty: the operator's backend could not sign in. "
                "Set it, or PLANSWITCH_PRIVATE_NETWORK=true if only a private network reaches "
                "this server."
            )
        return found

    def check(self) -> None:
        """Raise ``UnsafeSettings`` when ``problems()`` finds any."""
        found = self.problems()
        if found:
            raise UnsafeSettings("Refusing to start: " + " ".join(found))

    @property
    def applies_due_changes(self) -> bool:
        """Does planswitch apply scheduled changes itself (loop and ``apply-due``)? Always on
        its own store; on a WordPress network only with ``wordpress_apply_due``."""
        return not self.wordpress_url or self.wordpress_apply_due

    @property
    def pending_change_ttl(self) -> timedelta:
        """``pending_change_ttl_seconds``, else the default of the store: one day natively,
        31 days on a WordPress network, so that a change the customer can still pay through
        the plugin's "Pay Now" is never discarded first (domain/pending_change.py,
        ``WORDPRESS_TTL``; docs/wordpress.md §5.6)."""
        if self.pending_change_ttl_seconds is not None:
            return timedelta(seconds=self.pending_change_ttl_seconds)
        return WORDPRESS_TTL if self.wordpress_url else DEFAULT_TTL

    @property
    def graphiql(self) -> bool:
        """GraphiQL is served in demo or debug mode only."""
        return self.demo or self.debug


_EPHEMERAL = "ephemeral-"


def _ephemeral_secret() -> str:
    # Without a configured secret, tokens signed now die with the process (warned at start).
    return _EPHEMERAL + secrets.token_urlsafe(32)
