"""The inbound address's HTTP endpoints: one raw message, and the inbound-parse webhooks of three
providers that carry the raw message (each feeds `email_ingest`). No login, no CSRF: the
workspace's secret token in the URL is the credential (a wrong one is 404).

- `POST /inbound/email/<token>/`: the body is one message, `Content-Type: message/rfc822`
  (else 415); larger than INBOUND_EMAIL_MAX_BYTES: 413 with the reason; not an e-mail: 400.
  201 stored, 200 a duplicate.
- `POST /inbound/email/<token>/sendgrid/`: SendGrid Inbound Parse with "POST the raw, full MIME
  message" checked (multipart/form-data: the message in `email`, the SMTP envelope as JSON in
  `envelope`). Twilio SendGrid docs, "Configure the inbound parse webhook"
  (twilio.com/docs/sendgrid/for-developers/parsing-email/setting-up-the-inbound-parse-webhook).
  SendGrid retries every non-2xx for three days, so a refused message is a 200 with the reason.
- `POST /inbound/email/<token>/mailgun/mime`: a Mailgun route's `forward()` to a URL ending in
  "mime" posts the raw message in `body-mime`, the envelope sender in `sender`, and `timestamp`,
  `token`, `signature` (HMAC-SHA256 of timestamp + token with the webhook signing key, checked
  when MAILGUN_WEBHOOK_SIGNING_KEY is set). Mailgun docs, "Receiving Messages via HTTP through a
  forward() action" (documentation.mailgun.com/docs/mailgun/user-manual/receive-forward-store/
  receive-http). A refused message is a 406 (Mailgun does not retry it).
- `POST /inbound/email/<token>/postmark/`: Postmark's inbound webhook JSON with "Include raw email
  content in JSON payload" on (`RawEmail`). Postmark docs, "Inbound webhook"
  (postmarkapp.com/developer/webhooks/inbound-webhook). A refused message is a 403 (Postmark
  stops retrying on 403).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from ..email import IngestRefused, email_ingest
from ..email.ingest import max_bytes
from ..models import InboundSettings, MailMessage

MAILGUN_MAX_AGE = 300  # seconds a Mailgun signature's timestamp may be old


def _answer(result) -> JsonResponse:
    body = {"status": result.status, "id": result.message_id, "thread": result.thread_id, "account": result.account_id}
    return JsonResponse(body, status=201 if result.created else 200)


def _refused(reason: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"status": "refused", "detail": reason, **extra}, status=status)


def _too_large(request: HttpRequest, wrapped: bool) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    # a provider's form or JSON wraps the message: allow for the encoding around it
    return length > (max_bytes() * 2 + 1024 * 1024 if wrapped else max_bytes())


@method_decorator([csrf_exempt, login_not_required], name="dispatch")
class InboundView(View):
    http_method_names = ["post"]
    source = MailMessage.Source.INBOUND
    refused_status: int | None = None  # the provider's "do not retry" answer; None: the reason's own

    def post(self, request: HttpRequest, token: str):
        if not InboundSettings.objects.filter(token=token).exists():
            return JsonResponse({"detail": _("Unknown inbound address.")}, status=404)
        if _too_large(request, wrapped=self.source != MailMessage.Source.INBOUND):
            limit = max_bytes()
            return _refused(_("The message is larger than the limit of %(limit)s bytes.") % {"limit": limit}, 413)
        try:
            raw, envelope_from = self.message(request)
        except IngestRefused as exc:
            return _refused(exc.reason, exc.status)
        try:
            result = email_ingest(raw, source=self.source, envelope_from=envelope_from)
        except IngestRefused as exc:
            return _refused(exc.reason, self.refused_status or exc.status)
        return _answer(result)

    def message(self, request: HttpRequest) -> tuple[bytes, str]:
        if request.content_type != "message/rfc822":
            raise IngestRefused(_("Send one message with Content-Type: message/rfc822."), status=415)
        return request.body, ""


class SendGridView(InboundView):
    source = MailMessage.Source.SENDGRID
    refused_status = 200

    def message(self, request):
        raw = request.POST.get("email")
        if raw is None and "email" in request.FILES:
            raw = request.FILES["email"].read()
        if not raw:
            raise IngestRefused(
                _("No raw message in the 'email' field: turn on \"POST the raw, full MIME message\"."), status=400
            )
        try:
            envelope = json.loads(request.POST.get("envelope") or "{}")
        except ValueError:
            envelope = {}
        sender = envelope.get("from", "") if isinstance(envelope, dict) else ""
        return (raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw), str(sender or "")


class MailgunView(InboundView):
    source = MailMessage.Source.MAILGUN
    refused_status = 406

    def message(self, request):
        key = settings.MAILGUN_WEBHOOK_SIGNING_KEY
        if key:
            timestamp = request.POST.get("timestamp", "")
            token = request.POST.get("token", "")
            signature = request.POST.get("signature", "")
            expected = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
            fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= MAILGUN_MAX_AGE
            if not (fresh and hmac.compare_digest(expected, signature)):
                raise IngestRefused(_("The Mailgun signature is missing, wrong or too old."), status=403)
        raw = request.POST.get("body-mime")
        if raw is None and "body-mime" in request.FILES:
            raw = request.FILES["body-mime"].read()
        if not raw:
            raise IngestRefused(_("No raw message in 'body-mime': forward to a URL that ends in \"mime\"."))
        return (raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw), request.POST.get("sender", "")


class PostmarkView(InboundView):
    source = MailMessage.Source.POSTMARK
    refused_status = 403

    def message(self, request):
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise IngestRefused(_("The body is not JSON.")) from exc
        raw = payload.get("RawEmail") if isinstance(payload, dict) else None
        if not raw or not isinstance(raw, str):
            raise IngestRefused(
                _("No 'RawEmail' in the payload: turn on \"Include raw email content in JSON payload\".")
            )
        return raw.encode("utf-8", "surrogateescape"), ""
