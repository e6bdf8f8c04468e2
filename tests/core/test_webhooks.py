"""Outbound webhooks: signed deliveries after commit, retries with backoff, every attempt logged.
A real HTTP server on loopback plays the receiver."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from core.models import WebhookDelivery
from core.tasks import webhook_deliver_task
from core.webhooks import (
    BACKOFF_SECONDS,
    MAX_ATTEMPTS,
    webhook_delivery_retry,
    webhook_emit,
    webhook_endpoint_create,
    webhook_retry_due,
    webhook_sign,
    webhook_signature_verify,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_receivers_allowed(settings):
    """The receivers here listen on loopback, an internal address an admin must allow."""
    settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]


class Receiver:
    """A loopback HTTP server answering with the next status in `statuses` (then 200)."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"boom")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _make_due():
    """Jump past the backoff: the next attempt was due a second ago."""
    WebhookDelivery.objects.exclude(next_attempt_at=None).update(
        next_attempt_at=timezone.now() - timezone.timedelta(seconds=1)
    )


def test_emit_sends_signed_payload_after_commit(django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        # given
        endpoint = webhook_endpoint_create(url=receiver.url, events=["health.band_changed"], secret="s3cret")
        webhook_endpoint_create(url=receiver.url, events=["task.created"])  # not subscribed
        # when
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            webhook_emit(event="health.band_changed", payload={"account": "acme", "band": "red"})
            assert receiver.requests == []  # nothing leaves before commit
        # then
        assert len(callbacks) == 1
        assert len(receiver.requests) == 1
        headers, body = receiver.requests[0]
        assert webhook_signature_verify(secret="s3cret", body=body, header=headers["X-Webhook-Signature"])
        assert not webhook_signature_verify(secret="wrong", body=body, header=headers["X-Webhook-Signature"])
        sent = json.loads(body)
        assert sent["event"] == "health.band_changed"
        assert sent["data"] == {"account": "acme", "band": "red"}
        assert headers["X-Webhook-Event"] == "health.band_changed"
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert str(delivery.pk) == headers["X-Webhook-Delivery"]
        assert delivery.status == WebhookDelivery.Status.DELIVERED
        assert delivery.attempts == 1
        assert delivery.response_status == 200


def test_signature_refuses_tampered_body_and_old_timestamp():
    header = webhook_sign(secret="k", body=b'{"a":1}', timestamp=1_000_000)
    assert webhook_signature_verify(secret="k", body=b'{"a":1}', header=header, now=1_000_010)
    assert not webhook_signature_verify(secret="k", body=b'{"a":2}', header=header, now=1_000_010)
    assert not webhook_signature_verify(secret="k", body=b'{"a":1}', header=header, now=1_000_000 + 3600)
    assert not webhook_signature_verify(secret="k", body=b'{"a":1}', header="garbage", now=1_000_000)


def test_failed_attempt_is_logged_and_retried_with_backoff(django_capture_on_commit_callbacks):
    with Receiver(statuses=[500]) as receiver:
        # given: the receiver fails the first time
        webhook_endpoint_create(url=receiver.url, events=["*"])
        with django_capture_on_commit_callbacks(execute=True):
            webhook_emit(event="account.churned", payload={"account": "acme"})
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDelivery.Status.RETRYING
        assert delivery.response_status == 500 and delivery.error == "HTTP 500"
        wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
        assert BACKOFF_SECONDS[0] - 1 <= wait <= BACKOFF_SECONDS[0] + 1
        # when: not yet due, the sweep leaves it; once due, it sends again
        assert webhook_retry_due() == []
        _make_due()
        assert webhook_retry_due() == [delivery.pk]
        # then (eager Celery ran the attempt inline)
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.DELIVERED
        assert delivery.attempts == 2
        assert len(receiver.requests) == 2
        assert receiver.requests[0][0]["X-Webhook-Delivery"] == receiver.requests[1][0]["X-Webhook-Delivery"]


def test_worker_retries_through_celery_countdown(django_capture_on_commit_callbacks):
    """Under a real worker the task asks Celery to come back after the backoff."""
    with Receiver(statuses=[503]) as receiver:
        webhook_endpoint_create(url=receiver.url, events=["task.created"])
        with mock.patch.object(webhook_deliver_task, "delay"):
            with django_capture_on_commit_callbacks(execute=True):
                webhook_emit(event="task.created", payload={"task": 1})
        delivery = WebhookDelivery.objects.get()
        with mock.patch.object(webhook_deliver_task, "retry", side_effect=Retry()) as retry:
            with pytest.raises(Retry):
                webhook_deliver_task.run(delivery.pk)
        countdown = retry.call_args.kwargs["countdown"]
        assert BACKOFF_SECONDS[0] - 2 <= countdown <= BACKOFF_SECONDS[0]


def test_gives_up_after_max_attempts_and_admin_can_retry(django_capture_on_commit_callbacks):
    with Receiver(statuses=[500] * MAX_ATTEMPTS) as receiver:
        webhook_endpoint_create(url=receiver.url, events=["survey.answered"])
        with django_capture_on_commit_callbacks(execute=True):
            webhook_emit(event="survey.answered", payload={"score": 3})
        delivery = WebhookDelivery.objects.get()
        for _ in range(MAX_ATTEMPTS - 1):
            _make_due()
            webhook_retry_due()
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.FAILED
        assert delivery.attempts == MAX_ATTEMPTS
        _make_due()
        assert webhook_retry_due() == []
        # when: the admin retries (the receiver now answers 200)
        with django_capture_on_commit_callbacks(execute=True):
            webhook_delivery_retry(delivery=delivery)
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.DELIVERED
        assert len(receiver.requests) == MAX_ATTEMPTS + 1


def test_unreachable_endpoint_is_logged_not_raised(django_capture_on_commit_callbacks):
    webhook_endpoint_create(url="http://127.0.0.1:9/nothing", events=["task.created"])
    with django_capture_on_commit_callbacks(execute=True):
        webhook_emit(event="task.created", payload={"task": 1})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert delivery.response_status is None
    assert "Error" in delivery.error


def test_unknown_event_and_empty_subscription_are_refused():
    with pytest.raises(ValueError, match="unknown webhook event"):
        webhook_emit(event="nope", payload={})
    with pytest.raises(ValueError, match="unknown events"):
        webhook_endpoint_create(url="http://x.example/", events=["nope"])
    with pytest.raises(ValueError, match="at least one"):
        webhook_endpoint_create(url="http://x.example/", events=[])


def test_rolled_back_emit_sends_nothing(django_capture_on_commit_callbacks):
    webhook_endpoint_create(url="http://127.0.0.1:9/", events=["task.created"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        webhook_emit(event="task.created", payload={"task": 1})
    # the callback only runs on commit; a rollback drops it along with the delivery row
    assert len(callbacks) == 1


# Section: the event registry (each app registers the events it emits in AppConfig.ready())


def test_every_app_registers_the_events_it_emits():
    from core.webhooks import WEBHOOK_EVENTS

    assert set(WEBHOOK_EVENTS) == {"health.band_changed", "task.created", "survey.answered", "account.churned"}
    assert all(WEBHOOK_EVENTS.values())


def test_a_registered_event_can_be_subscribed_and_emitted(monkeypatch, django_capture_on_commit_callbacks):
    from core import webhooks

    # given
    monkeypatch.setattr(webhooks, "WEBHOOK_EVENTS", dict(webhooks.WEBHOOK_EVENTS))
    webhooks.register_webhook_event("plan.shared", "A success plan was shared with a customer.")
    endpoint = webhook_endpoint_create(url="http://127.0.0.1:9/", events=["plan.shared"])
    # when
    with django_capture_on_commit_callbacks(execute=False):
        webhook_emit(event="plan.shared", payload={"plan": 1})
    # then
    assert endpoint.events == ["plan.shared"]
    assert WebhookDelivery.objects.filter(endpoint=endpoint, event="plan.shared").count() == 1
    assert ("plan.shared", "plan.shared") in webhooks.webhook_event_choices()


def test_the_endpoint_form_offers_all_events_then_the_registered_ones():
    from core.forms_integrations import WebhookEndpointForm
    from core.webhooks import WEBHOOK_EVENTS

    choices = [value for value, _label in WebhookEndpointForm().fields["events"].choices]
    assert choices == ["*", *WEBHOOK_EVENTS]


@pytest.mark.parametrize("name", ["*", " "])
def test_a_wildcard_or_blank_event_name_is_refused(name):
    from core.webhooks import register_webhook_event

    with pytest.raises(ValueError, match="invalid webhook event name"):
        register_webhook_event(name, "x")
