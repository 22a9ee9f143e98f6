"""Settings, read once from the environment (prefix ``PLANSWITCH_``) and passed down.

Nothing else in planswitch reads ``os.environ``.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./planswitch.db"
# Used only in demo mode when no secret is configured, so `planswitch token` and the
# server agree across restarts. Never accepted outside demo mode.
DEMO_SECRET_KEY = "planswitch-demo-secret-not-for-production"


class Settings(BaseSettings):
    """Every ``PLANSWITCH_*`` variable (see the README's configuration table)."""

    model_config = SettingsConfigDict(env_prefix="PLANSWITCH_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # When not set: on for the embedded SQLite store, off otherwise (see _defaults).
    demo: bool = False
    debug: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: Annotated[list[str], NoDecode] = []
    secret_key: str = ""
    wordpress_url: str | None = None
    wordpress_prefix: str = "wp_"
    wordpress_network_id: int | None = None
    wordpress_writes: bool = False
    # On a WordPress network the plugin's Action Scheduler applies scheduled swaps; planswitch
    # applies them too only when an operator turns this on (issue 10).
    wordpress_apply_due: bool = False
    apply_due_interval_seconds: int = 60
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

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        # "key1,key2" in the environment; a list when built in code.
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if "demo" not in self.model_fields_set:
            # The embedded default store is a playground; any other database is not.
            self.demo = self.database_url.startswith("sqlite") and not self.wordpress_url
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

    @property
    def applies_due_changes(self) -> bool:
        """Does planswitch apply scheduled changes itself (loop and ``apply-due``)? Always on
        its own store; on a WordPress network only with ``wordpress_apply_due``."""
        return not self.wordpress_url or self.wordpress_apply_due

    @property
    def graphiql(self) -> bool:
        """GraphiQL is served in demo or debug mode only."""
        return self.demo or self.debug


_EPHEMERAL = "ephemeral-"


def _ephemeral_secret() -> str:
    # Without a configured secret, tokens signed now die with the process (warned at start).
    return _EPHEMERAL + secrets.token_urlsafe(32)
