"""POST /webhooks/stripe/: Stripe's webhook endpoint (accounts.billing does the work).

The signature is checked with the endpoint's signing secret (settings.STRIPE_WEBHOOK_SECRET,
env STRIPE_WEBHOOK_SECRET) by stripe.Webhook.construct_event, exactly as Stripe's library
does. 200 for applied / duplicate / stale / ignored events (Stripe stops retrying), 400 for a
bad signature or payload, 503 when no secret is configured (Stripe retries later)."""

import stripe
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.api.parsers import JSONBodyError, json_parse

from .billing import stripe_event_handle


@csrf_exempt
@login_not_required
@require_POST
def stripe_webhook(request):
    secret = getattr(settings, "STRIPE_WEBHOOK_SECRET", "")
    if not secret:
        return JsonResponse(
            {"code": "not_configured", "message": "Set STRIPE_WEBHOOK_SECRET to receive Stripe events."}, status=503
        )
    payload = request.body
    try:
        # Read with the platform's JSON reader first: stripe's own json.loads would recurse
        # (RecursionError, a 500) on a deeply nested body; one within the limit is safe for it.
        event = json_parse(payload)
    except JSONBodyError as exc:
        return JsonResponse(exc.as_dict(), status=400)
    try:
        stripe.Webhook.construct_event(payload, request.headers.get("Stripe-Signature", ""), secret)
    except stripe.SignatureVerificationError:
        return JsonResponse({"code": "bad_signature", "message": "Stripe-Signature does not verify."}, status=400)
    except ValueError:
        return JsonResponse({"code": "bad_payload", "message": "Body is not a Stripe event."}, status=400)
    if not isinstance(event, dict) or not event.get("id"):
        return JsonResponse({"code": "bad_payload", "message": "Body is not a Stripe event."}, status=400)
    outcome = stripe_event_handle(event=event)
    return JsonResponse({"received": True, "outcome": outcome})
