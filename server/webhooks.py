"""``POST /webhooks/stripe``: Stripe's signed PaymentIntent events settle planswitch's payments.

The answer follows Stripe's delivery rules (docs.stripe.com/webhooks#acknowledge-events):
2xx only once the effect (or the decision to ignore the event) is committed; 400 for a
delivery that is not Stripe's (forged, stale or malformed; Stripe does not retry what we
refuse as ours to refuse); 503/500 when planswitch could not store the effect, so Stripe
delivers it again later.
"""

from __future__ import annotations

import logging

from planswitch.adapters.payments.stripe_webhooks import InvalidWebhook, parse_event
from planswitch.domain.errors import DomainError, ErrorCode
from planswitch.domain.ports import Clock, Store
from planswitch.resolvers.checkout import Checkout
from planswitch.resolvers.payment_events import IGNORED, ProviderEvent, handle_provider_event
from planswitch.server.settings import Settings
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

logger = logging.getLogger("planswitch.webhooks")

PATH = "/webhooks/stripe"
# Stripe's events are a few kilobytes; anything far larger is not one.
MAX_BODY_BYTES = 1_000_000


def stripe_webhook_route(
    settings: Settings, store: Store, clock: Clock, checkout: Checkout
) -> Route:
    """The webhook endpoint, verifying with ``settings.stripe_webhook_secret``."""

    async def endpoint(request: Request) -> Response:
        if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
            return JSONResponse({"error": "body too large"}, status_code=413)
        payload = await request.body()
        try:
            parsed = parse_event(
                payload, request.headers.get("stripe-signature"), settings.stripe_webhook_secret
            )
        except InvalidWebhook as error:
            logger.warning("refused a webhook delivery: %s", error)
            return JSONResponse({"error": "invalid signature or payload"}, status_code=400)
        if parsed is None:
            return JSONResponse({"received": True, "outcome": IGNORED})
        event = ProviderEvent(
            provider="stripe",
            event_id=parsed.event_id,
            state=parsed.state,
            gateway_payment_id=parsed.intent_id,
            payment_id=parsed.payment_id,
            reason=parsed.reason,
            gateway_customer_id=parsed.customer_id,
            paid_id=parsed.charge_id,
        )
        try:
            outcome = await run_in_threadpool(
                handle_provider_event, store, checkout, event, clock.now()
            )
        except DomainError as error:
            status = 503 if error.error.code is ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE else 500
            logger.warning("webhook %s not settled: %s", parsed.event_id, error.error.message)
            return JSONResponse({"error": error.error.message}, status_code=status)
        except Exception:
            logger.exception("webhook %s not settled", parsed.event_id)
            return JSONResponse({"error": "not stored; deliver again"}, status_code=500)
        logger.info("webhook %s (%s): %s", parsed.event_id, parsed.type, outcome)
        return JSONResponse({"received": True, "outcome": outcome})

    return Route(PATH, endpoint, methods=["POST"])
