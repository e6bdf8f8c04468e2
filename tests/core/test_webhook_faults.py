"""Webhook deliveries under faults, against real loopback servers: a receiver that trickles its
answer, one that cuts it short, one that hangs while the emitting request goes on, and a
Celery retry that comes back a moment early."""

import socket
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from core import webhooks
from core.models import WebhookDelivery
from core.webhook_sender import webhook_send_later, webhook_sender_idle
from core.webhooks import webhook_delivery_attempt, webhook_emit, webhook_endpoint_create


@pytest.fixture(autouse=True)
def _loopback_receivers_allowed(settings):
    settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]


def _read_request(conn) -> None:
    """Read the whole request, headers and body (Content-Length), however the client's writes
    were split: a socket closed with unread bytes sends a reset, not the answer the test scripted."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


class RawReceiver:
    """A loopback TCP server that answers each connection with `script(conn)`."""

    def __init__(self, script):
        self.script = script
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                _read_request(conn)
                try:
                    self.script(conn)
                except OSError:
                    pass

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.sock.close()


def _delivery(url):
    endpoint = webhook_endpoint_create(url=url, events=["task.created"])
    return WebhookDelivery.objects.create(endpoint=endpoint, event="task.created", payload={"task": 1})


@pytest.mark.django_db
def test_a_trickled_answer_fails_at_the_deadline_not_delivered(monkeypatch):
    monkeypatch.setattr(webhooks, "DEADLINE_SECONDS", 1)
    stop = threading.Event()

    def trickle(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n")
        while not stop.wait(0.2):  # one byte every 0.2 s: never a 10 s silence
            conn.sendall(b".")

    with RawReceiver(trickle) as receiver:
        delivery = _delivery(receiver.url)
        done = webhook_delivery_attempt(delivery_id=delivery.pk)
        stop.set()
    assert done.status == WebhookDelivery.Status.RETRYING
    assert done.delivered_at is None and done.attempts == 1
    assert "No complete answer within 1 s" in done.error


@pytest.mark.django_db
def test_a_truncated_answer_is_a_failed_attempt():
    def cut_short(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nok")

    with RawReceiver(cut_short) as receiver:
        delivery = _delivery(receiver.url)
        done = webhook_delivery_attempt(delivery_id=delivery.pk)
    assert done.status == WebhookDelivery.Status.RETRYING
    assert "IncompleteRead" in done.error


@pytest.mark.django_db
def test_a_retry_that_comes_back_a_moment_early_is_sent_not_dropped():
    def ok(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    with RawReceiver(ok) as receiver:
        delivery = _delivery(receiver.url)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.RETRYING, attempts=1, next_attempt_at=timezone.now() + timedelta(seconds=1)
        )
        done = webhook_delivery_attempt(delivery_id=delivery.pk)
    assert done is not None and done.status == WebhookDelivery.Status.DELIVERED


@pytest.mark.django_db
def test_with_a_broker_deliveries_go_to_their_own_queue(settings):
    settings.WEBHOOK_SENDER = "celery"
    from core.tasks import webhook_deliver_task

    with mock.patch.object(webhook_deliver_task, "apply_async") as apply_async:
        webhook_send_later([7, 8])
    assert [c.kwargs["queue"] for c in apply_async.call_args_list] == ["webhooks", "webhooks"]
    assert [c.args[0] for c in apply_async.call_args_list] == [(7,), (8,)]


@pytest.mark.django_db(transaction=True)
def test_embedded_mode_a_hanging_receiver_never_holds_the_emitting_request(settings):
    """No broker: the emit returns while the receiver is still holding its answer; the sender
    thread delivers it once the receiver answers."""
    settings.WEBHOOK_SENDER = "thread"
    release = threading.Event()
    received = threading.Event()

    def hang_then_answer(conn):
        received.set()
        release.wait(10)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    with RawReceiver(hang_then_answer) as receiver:
        webhook_endpoint_create(url=receiver.url, events=["task.created"])
        with transaction.atomic():
            webhook_emit(event="task.created", payload={"task": 1})
        # the emit (and its commit) is over: the request would answer now, the receiver still holds
        assert received.wait(5)
        assert not release.is_set()
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDelivery.Status.PENDING
        release.set()
        assert webhook_sender_idle(timeout=10)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_embedded_mode_retries_come_back_from_the_sender_thread(settings, monkeypatch):
    settings.WEBHOOK_SENDER = "thread"
    monkeypatch.setattr(webhooks, "BACKOFF_SECONDS", (1, 1, 1, 1, 1))
    answers = iter(
        [b"HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]
    )

    def next_answer(conn):
        conn.sendall(next(answers))

    with RawReceiver(next_answer) as receiver:
        webhook_endpoint_create(url=receiver.url, events=["task.created"])
        with transaction.atomic():
            webhook_emit(event="task.created", payload={"task": 1})
        for _ in range(100):
            if WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).exists():
                break
            time.sleep(0.1)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 2
    assert receiver.connections == 2
