"""Runs localstripe (a stateful Stripe-compatible test server) on 127.0.0.1:PORT.

Usage: ``python tests/payments/run_localstripe.py PORT [WEBHOOK_DELAY_SECONDS]``. The session
fixture in ``tests/payments/conftest.py`` starts it on a free port; nothing else needs it.

localstripe 1.15 predates a few parts of the Stripe API that planswitch uses. This launcher
teaches it exactly those, as Stripe documents them, and nothing else:

- ``Idempotency-Key``: a POST repeated with the same key (and the same secret key) gets the
  first response back instead of creating a second object (docs.stripe.com/api/idempotent_requests).
- ``proration_behavior`` on a subscription update (it only knows the legacy ``prorate``):
  ``none`` creates no proration ("Unused time") invoice items
  (docs.stripe.com/billing/subscriptions/prorations).
- ``items[].price`` on a subscription update or creation: a plan id is accepted wherever a
  price id is (docs.stripe.com/billing/migration/migrating-prices); localstripe only reads
  ``plan``.
- ``setup_future_usage`` on a PaymentIntent: once it succeeds, the payment method that paid
  is attached to the intent's customer (docs.stripe.com/api/payment_intents/create
  #create_payment_intent-setup_future_usage).
- ``default_payment_method`` on a subscription creation: stored on the subscription, and it
  must be one of the customer's payment methods
  (docs.stripe.com/api/subscriptions/create#create_subscription-default_payment_method).

Stock localstripe waits one second before delivering each event (``_send_webhook`` in
localstripe/webhooks.py); the launcher takes that delay as an argument (the tests pass a
tenth of a second: every webhook test waited out the full second). Deliveries stay
asynchronous, after the API call that caused them has answered, as with Stripe.

It also keeps its store in memory only: stock localstripe pickles it to one fixed path
(/tmp/localstripe.pickle) after every write, which parallel test runs would share.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from aiohttp import web
from localstripe import resources, server, webhooks


def _no_disk(self: resources.Store) -> None:
    """The store lives and dies with the process."""


resources.Store.dump_to_disk = _no_disk  # type: ignore[method-assign]
resources.Store.try_load_from_disk = _no_disk  # type: ignore[method-assign]

_original_update = resources.Subscription._update


def _update(self, proration_behavior=None, items=None, **data):  # noqa: ANN001, ANN202
    if proration_behavior not in (None, "create_prorations", "always_invoice", "none"):
        raise resources.UserError(400, "Bad request")
    if items is not None:
        for item in items:
            if isinstance(item, dict) and "price" in item:
                item["plan"] = item.pop("price")
    before = {key for key in resources.store if key.startswith("invoiceitem:")}
    _original_update(self, items=items, **data)
    if proration_behavior == "none":
        for key in [k for k in resources.store if k.startswith("invoiceitem:")]:
            item = resources.store[key]
            if key not in before and item.proration and item.subscription == self.id:
                del resources.store[key]


resources.Subscription._update = _update  # type: ignore[method-assign]

_original_subscription_init = resources.Subscription.__init__


def _subscription_init(self, default_payment_method=None, items=None, **data):  # noqa: ANN001, ANN202
    for item in items or []:
        if isinstance(item, dict) and "price" in item:
            item["plan"] = item.pop("price")
    if default_payment_method is not None:
        method = resources.PaymentMethod._api_retrieve(default_payment_method)
        if method.customer != data.get("customer"):
            raise resources.UserError(400, "The payment method is not the customer's")
    _original_subscription_init(self, items=items, **data)
    self.default_payment_method = default_payment_method


resources.Subscription.__init__ = _subscription_init  # type: ignore[method-assign]

_original_intent_init = resources.PaymentIntent.__init__
_original_intent_success = resources.PaymentIntent._on_success


def _intent_init(self, setup_future_usage=None, **data):  # noqa: ANN001, ANN202
    if setup_future_usage not in (None, "on_session", "off_session"):
        raise resources.UserError(400, "Bad request")
    _original_intent_init(self, **data)
    self.setup_future_usage = setup_future_usage


def _intent_success(self):  # noqa: ANN001, ANN202
    if self.setup_future_usage and self.customer and self.latest_charge is not None:
        method = resources.PaymentMethod._api_retrieve(self.latest_charge.payment_method)
        method.customer = self.customer
    _original_intent_success(self)


resources.PaymentIntent.__init__ = _intent_init  # type: ignore[method-assign]
resources.PaymentIntent._on_success = _intent_success  # type: ignore[method-assign]

_replies: dict[tuple[str, str], tuple[int, bytes]] = {}


@web.middleware
async def idempotency(request: web.Request, handler):  # noqa: ANN001, ANN201
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    cache_key = (request.headers.get("Authorization", ""), key)
    if cache_key in _replies:
        status, body = _replies[cache_key]
        return web.Response(
            status=status,
            body=body,
            content_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )
    response = await handler(request)
    if isinstance(response, web.Response) and response.body is not None and response.status < 500:
        body = response.body if isinstance(response.body, bytes) else json.dumps({}).encode()
        _replies[cache_key] = (response.status, body)
    return response


class _DeliveryClock:
    """``asyncio`` as localstripe's webhooks module sees it, its one sleep shortened."""

    def __init__(self, delay: float) -> None:
        self.delay = delay

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(min(seconds, self.delay))


def main() -> None:
    port = int(sys.argv[1])
    if len(sys.argv) > 2:
        webhooks.asyncio = _DeliveryClock(float(sys.argv[2]))  # type: ignore[attr-defined]
    server.app.middlewares.insert(0, idempotency)
    web.run_app(server.app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()
