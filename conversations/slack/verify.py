"""Every request from Slack (slash commands, button presses) is signed with the app's signing
secret: `v0=HMAC-SHA256(secret, "v0:<timestamp>:<body>")` in X-Slack-Signature, the time in
X-Slack-Request-Timestamp (https://api.slack.com/authentication/verifying-requests-from-slack).
slack_sdk's SignatureVerifier checks both, refusing a timestamp more than five minutes away
(a replay). A request that fails is answered 401 before anything is read from it."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from slack_sdk.signature import SignatureVerifier

from .client import slack_workspace

__all__ = ["slack_request_refusal"]


def slack_request_refusal(request: HttpRequest) -> JsonResponse | None:
    """None when the request is Slack's; else the response to send (401, or 503 when the app is
    not set up)."""
    workspace = slack_workspace()
    if workspace is None or not workspace.signing_secret:
        return JsonResponse({"detail": _("Slack is not set up.")}, status=503)
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    verifier = SignatureVerifier(signing_secret=workspace.signing_secret)
    if not timestamp.isdigit() or not signature or not verifier.is_valid(request.body, timestamp, signature):
        return JsonResponse({"detail": _("The request is not signed by Slack, or too old.")}, status=401)
    return None
