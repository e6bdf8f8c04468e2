"""Webhook URLs cannot reach the server's own network (SSRF): internal addresses are refused
when an endpoint is saved and again at each attempt, the attempt connects to the address it
checked (no second DNS lookup), and redirects are never followed. An admin may allow listed
internal hosts (WEBHOOK_ALLOWED_INTERNAL_HOSTS)."""

import ipaddress
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from unittest import mock

import pytest
from django.urls import reverse

from core.models import WebhookDelivery, WebhookEndpoint
from core.outbound_http import OutboundRefused, outbound_url_check
from core.webhooks import webhook_emit, webhook_endpoint_create, webhook_endpoint_update

pytestmark = pytest.mark.django_db

INTERNAL = [
    "http://127.0.0.1/hook",
    "http://127.0.0.1:8000/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://172.16.5.4/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:8080/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fd00::1]/hook",
    "http://0.0.0.0/hook",
    "http://100.64.0.1/hook",
    "http://224.0.0.1/hook",
    "http://localhost:8000/hook",
]


class Server:
    """A loopback HTTP server answering every POST with `status` (and `location` on a 3xx)."""

    def __init__(self, status=200, location=""):
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                server.requests.append(dict(self.headers))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_port
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused_on_save(url):
    with pytest.raises(OutboundRefused, match="internal address"):
        webhook_endpoint_create(url=url, events=["*"])
    assert not WebhookEndpoint.objects.exists()


def test_update_to_an_internal_address_is_refused(settings):
    with mock.patch("core.outbound_http._resolve", return_value=("93.184.216.34",)):
        endpoint = webhook_endpoint_create(url="https://hooks.example.com/x", events=["*"])
    with pytest.raises(OutboundRefused):
        webhook_endpoint_update(
            endpoint=endpoint, url="http://169.254.169.254/", events=["*"], description="", is_active=True
        )
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/x"


def test_names_resolving_to_any_internal_address_are_refused():
    with mock.patch("core.outbound_http._resolve", return_value=("93.184.216.34", "10.0.0.7")):
        with pytest.raises(OutboundRefused, match="10.0.0.7"):
            outbound_url_check("https://mixed.example.com/")
    with mock.patch("core.outbound_http._resolve", return_value=("93.184.216.34",)):
        outbound_url_check("https://public.example.com/")  # no exception


def test_other_schemes_and_credentials_are_refused():
    for url in ("ftp://example.com/", "file:///etc/passwd", "http://user:pw@example.com/"):
        with pytest.raises(OutboundRefused):
            outbound_url_check(url)


def test_the_form_shows_the_refusal_on_the_url_field(client, admin_user):
    client.force_login(admin_user)
    client.get(reverse("core:webhook_list"))
    response = client.post(
        reverse("core:webhook_list"), {"url": "http://169.254.169.254/latest/meta-data/", "events": ["*"]}
    )
    assert response.status_code == 400
    assert "internal address" in str(response.context["form"].errors["url"])
    assert "WEBHOOK_ALLOWED_INTERNAL_HOSTS" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_listed_internal_host_is_allowed(settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]
    with Server() as server:
        webhook_endpoint_create(url=server.url, events=["*"])
        with django_capture_on_commit_callbacks(execute=True):
            webhook_emit(event="task.created", payload={"task": 1})
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED
    assert len(server.requests) == 1


def test_dns_that_changes_after_save_is_refused_at_delivery(django_capture_on_commit_callbacks):
    with Server() as server:
        # given: saved while the name pointed at a public address
        url = f"http://rebind.example.com:{server.port}/hook"
        with mock.patch("core.outbound_http._resolve", return_value=("93.184.216.34",)):
            webhook_endpoint_create(url=url, events=["*"])
        # when: it now points at loopback
        with mock.patch("core.outbound_http._resolve", return_value=("127.0.0.1",)):
            with django_capture_on_commit_callbacks(execute=True):
                webhook_emit(event="task.created", payload={"task": 1})
    # then
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert delivery.error.startswith("Refused:") and "127.0.0.1" in delivery.error
    assert server.requests == []


def test_delivery_connects_to_the_address_it_checked(settings, django_capture_on_commit_callbacks):
    """One lookup per attempt, and the connection goes to its answer: a second lookup (which
    a rebinding DNS server would answer differently) never happens."""
    settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["receiver.test"]
    with Server() as server:
        webhook_endpoint_create(url=f"http://receiver.test:{server.port}/hook", events=["*"])
        with mock.patch("core.outbound_http._resolve", return_value=("127.0.0.1",)) as resolve:
            with mock.patch("socket.getaddrinfo", side_effect=_numeric_only(socket.getaddrinfo)):
                with django_capture_on_commit_callbacks(execute=True):
                    webhook_emit(event="task.created", payload={"task": 1})
    assert resolve.call_count == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED
    assert server.requests[0]["Host"] == f"receiver.test:{server.port}"


def _numeric_only(getaddrinfo):
    def lookup(host, *args, **kwargs):
        ipaddress.ip_address(host)  # raises for a name: that would be a second DNS lookup
        return getaddrinfo(host, *args, **kwargs)

    return lookup


def test_redirects_are_not_followed(settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]
    with Server() as target, Server(status=302, location="http://169.254.169.254/latest/meta-data/") as first:
        with Server(status=307, location=target.url) as second:
            webhook_endpoint_create(url=first.url, events=["task.created"])
            webhook_endpoint_create(url=second.url, events=["task.created"])
            with django_capture_on_commit_callbacks(execute=True):
                webhook_emit(event="task.created", payload={"task": 1})
            assert target.requests == []  # the 307 to an allowed host was not followed either
    deliveries = {d.endpoint.url: d for d in WebhookDelivery.objects.select_related("endpoint")}
    refused = deliveries[first.url]
    assert refused.status == WebhookDelivery.Status.RETRYING and refused.response_status == 302
    assert "not followed" in refused.error and "169.254.169.254" in refused.error
    assert deliveries[second.url].response_status == 307 and "not followed" in deliveries[second.url].error


# Section: playbooks' webhook and Slack actions go through the same guard


def test_playbook_post_actions_refuse_internal_urls():
    from playbooks.actions import actions_validate

    errors = actions_validate(
        [
            {"type": "webhook", "url": "http://169.254.169.254/latest/meta-data/"},
            {"type": "slack", "url": "http://[::1]:8080/x"},
            {"type": "webhook", "url": "http://10.0.0.8/hook"},
        ]
    )
    assert set(errors) == {"actions[0].url", "actions[1].url", "actions[2].url"}
    assert "internal address" in errors["actions[0].url"]


def test_playbook_posts_to_internal_addresses_or_redirects_fail_without_sending(settings):
    from playbooks.choices import PostKind, PostStatus
    from playbooks.models import OutboundPost
    from playbooks.services import outbound_post_send

    with Server() as target, Server(status=302, location="http://169.254.169.254/") as redirecting:
        # given: stored before the guard (or DNS changed since), pointing at loopback
        refused = OutboundPost.objects.create(kind=PostKind.WEBHOOK, url=target.url, payload={"a": 1})
        # when / then: refused, final (no retry), nothing sent
        assert outbound_post_send(post_id=refused.pk) is False
        refused.refresh_from_db()
        assert refused.status == PostStatus.FAILED and refused.error.startswith("Refused:")
        assert target.requests == []
        # a listed internal host may receive, but a redirect is not followed
        settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]
        redirected = OutboundPost.objects.create(kind=PostKind.WEBHOOK, url=redirecting.url, payload={"a": 1})
        assert outbound_post_send(post_id=redirected.pk) is False
        redirected.refresh_from_db()
        assert redirected.status == PostStatus.FAILED and redirected.response_code == 302
        assert "not followed" in redirected.error and "169.254.169.254" in redirected.error
        ok = OutboundPost.objects.create(kind=PostKind.SLACK, url=target.url, payload={"text": "hi"})
        assert outbound_post_send(post_id=ok.pk) is True
        assert len(target.requests) == 1
