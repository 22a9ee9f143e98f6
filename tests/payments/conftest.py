"""Stripe tests run against localstripe, a stateful Stripe-compatible server, started once per
test session on a free port (tests/payments/run_localstripe.py)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import stripe
from planswitch.adapters.payments.stripe import StripeProvider

LAUNCHER = Path(__file__).with_name("run_localstripe.py")
SECRET_KEY = "sk_test_planswitch"
WEBHOOK_SECRET = "whsec_planswitch_test"
# How long localstripe waits before delivering an event (stock: one second; see the launcher).
WEBHOOK_DELAY = 0.1


@dataclass(frozen=True)
class LocalStripe:
    url: str

    def client(self) -> stripe.StripeClient:
        """An SDK client for what a customer's browser (Stripe.js) would do."""
        return stripe.StripeClient(
            SECRET_KEY, base_addresses={"api": self.url}, max_network_retries=0
        )

    def provider(self) -> StripeProvider:
        return StripeProvider(SECRET_KEY, api_base=self.url, max_network_retries=0)

    def register_webhook(self, name: str, url: str, secret: str = WEBHOOK_SECRET) -> None:
        """Point localstripe's event deliveries at ``url`` (its /_config/webhooks/{id})."""
        response = httpx.post(
            f"{self.url}/_config/webhooks/{name}", data={"url": url, "secret": secret}
        )
        response.raise_for_status()

    def pay(self, intent_id: str, payment_method: str = "pm_card_visa") -> str:
        """Attach a test payment method and confirm, as Stripe.js does; returns the status.

        A declined card raises ``stripe.CardError`` at confirm, as with real Stripe."""
        client = self.client()
        client.v1.payment_intents.update(intent_id, params={"payment_method": payment_method})
        try:
            return client.v1.payment_intents.confirm(intent_id).status
        except stripe.CardError:
            return client.v1.payment_intents.retrieve(intent_id).status


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStripe]:
    port = _free_port()
    log = tmp_path_factory.mktemp("localstripe") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(LAUNCHER), str(port), str(WEBHOOK_DELAY)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{url}/js.stripe.com/v3/", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"localstripe did not start: {log.read_text()}")
        time.sleep(0.1)
    try:
        yield LocalStripe(url)
    finally:
        process.terminate()
        process.wait(timeout=10)
