"""The role matrix, generated from the URL configuration (issue 23).

Every route the project serves (`csplatform.urls`, walked) is requested by an anonymous
visitor and by a user of each role, GET, and POST by an anonymous visitor and a read-only user,
with made-up ids (no such record): what each gets back is classified (`login`: sent to sign in,
`denied`: 401/403, `ok`: anything else the view chose: 200, 302, 400, 404, 405) and compared
with the rule written for that route in `tests/core/url_access_rules.py`. A route without a
rule fails, so a new view cannot arrive without someone writing down who may open it; a rule
that no longer holds fails; a 500 on a made-up id fails. Which records a user may change (their
own book, a report's, another's) is `tests/accounts/test_access.py`'s matrix.

To write the rule for a new route, run with PULSE_PRINT_ACCESS_RULES=1: the test prints the
probed line of every route without a rule, to be read and pasted into the table."""

import logging
import os
import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from core.choices import Role
from tests.factories import UserFactory

from .url_access_rules import RULES

pytestmark = pytest.mark.django_db

ROLES = [("ro", Role.READONLY), ("csm", Role.CSM), ("mgr", Role.MANAGER), ("adm", Role.ADMIN)]
SAMPLE = {"int": "987654", "str": "zz-none", "slug": "zz-none", "uuid": str(uuid.UUID(int=7)), "path": "zz/none"}
# Parameters that a view checks before the record and the role: a real value, so the probe gets past it.
NAMED = {"lang": "ar"}
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
# Routes that end the session or act at once on a GET are probed without their GET by users.
SESSION_ENDERS = {"logout"}


def _sample(pattern) -> str:
    """One route part with made-up values: converters by type, regex groups by a digit."""
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        text = re.sub(r"\(\?P<format>[^)]*\)", "json", text)
        text = re.sub(r"\(\?P<\w+>[^)]*\)", "987654", text)
        return text.lstrip("^").rstrip("$").replace("\\", "").replace("/?", "/")
    return CONVERTER.sub(lambda m: NAMED.get(m.group(2)) or SAMPLE.get(m.group(1) or "str", "1"), text)


def routes():
    """(path with sample values, name) for every URL pattern, walked from the root; the Django
    admin's own routes (its staff check) are represented by its index."""

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                if inner == "admin:":
                    yield prefix + _sample(entry.pattern), "admin:index"
                    continue
                yield from walk(entry, prefix + _sample(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                yield prefix + _sample(entry.pattern), namespace + (entry.name or "")

    for path, name in walk(get_resolver(), "", ""):
        if name in DISPATCHERS:  # one route, several actions: each action probed on its own
            for action in DISPATCHERS[name]():
                yield "/" + path.replace(SAMPLE["slug"], action), name
        else:
            yield "/" + path, name or "<unnamed>"


def _health_actions():
    from health.views import ACCOUNT_ACTIONS

    return sorted(ACCOUNT_ACTIONS)


# Routes that dispatch to one view per action named in the path.
DISPATCHERS = {"health:account_action": _health_actions}


def classify(response) -> str:
    if response.status_code == 503 and response.get("Content-Type", "").startswith("application/json"):
        return "unavailable"  # a receiver not configured here (Stripe without its secret)
    if response.status_code >= 500:
        return f"error{response.status_code}"
    if response.status_code in (301, 302) and "login" in response.get("Location", ""):
        return "login"
    if response.status_code in (401, 403):
        return "denied"
    return "ok"


def probe(path: str, name: str, clients: dict) -> str:
    parts = []
    for who, client in clients.items():
        if who != "anon" and name.split(":")[-1] in SESSION_ENDERS:
            parts.append(f"{who}:skip")
            continue
        parts.append(f"{who}:{classify(client.get(path))}")
    for who in ("anon", "ro"):
        if who != "anon" and name.split(":")[-1] in SESSION_ENDERS:
            parts.append(f"post-{who}:skip")
            continue
        parts.append(f"post-{who}:{classify(clients[who].post(path, {}))}")
    return " ".join(parts)


@pytest.fixture
def clients():
    out = {"anon": Client(raise_request_exception=False)}
    for key, role in ROLES:
        client = Client(raise_request_exception=False)
        client.force_login(UserFactory(username=f"matrix-{key}", role=role))
        out[key] = client
    return out


def test_every_route_has_a_rule_and_keeps_it(clients):
    missing, changed, errors = [], [], []
    seen = set()
    logging.disable(logging.CRITICAL)  # 1,400 requests' 403 and 404 logs say nothing here
    try:
        probed = [(path, name, probe(path, name, clients)) for path, name in routes()]
    finally:
        logging.disable(logging.NOTSET)
    for path, name, got in probed:
        key = f"{name} {path}"
        seen.add(key)
        if "error" in got:
            errors.append(f"{key}: {got}")
        if key not in RULES:
            missing.append(f'    "{key}": "{got}",')
        elif RULES[key] != got:
            changed.append(f"{key}\n      rule: {RULES[key]}\n      now:  {got}")
    stale = sorted(set(RULES) - seen)
    if os.environ.get("PULSE_PRINT_ACCESS_RULES") and missing:
        print("\n".join(missing))
    assert not errors, "a made-up id gave a server error:\n" + "\n".join(errors)
    assert not missing, (
        f"{len(missing)} routes have no access rule in tests/core/url_access_rules.py "
        "(PULSE_PRINT_ACCESS_RULES=1 prints the probed lines):\n" + "\n".join(missing[:40])
    )
    assert not changed, "routes whose access changed:\n" + "\n".join(changed)
    assert not stale, "rules for routes that no longer exist:\n" + "\n".join(stale)


def test_the_rules_hold_the_invariants():
    """Whatever is written in the table: no signed-in page is open to the anonymous, nothing is
    open to a read-only user's POST but what a reader may do, and admin pages are admin-only."""
    public = {key for key, rule in RULES.items() if "anon:ok" in rule.split()}
    for key in public:
        assert key.split()[0] in PUBLIC_ROUTES, f"{key} answers an anonymous visitor: add it to PUBLIC_ROUTES if meant"
    for key, rule in RULES.items():
        name = key.split()[0]
        if "post-ro:ok" in rule.split() and name not in READER_POSTS and name not in PUBLIC_ROUTES:
            pytest.fail(f"{key} lets a read-only user POST: add it to READER_POSTS if meant")
        if name.startswith(ADMIN_ONLY_PREFIXES) and "mgr:ok" in rule.split():
            pytest.fail(f"{key} is a configuration page open to a manager")


# Routes a visitor may open without signing in: sign-in and password pages, invitations,
# customer-facing survey, plan and report links (signed tokens), the widget (HMAC), vendor
# webhooks (their own signatures), the ingestion endpoints (API keys in headers).
PUBLIC_ROUTES = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    # single sign-on: the visitor is not signed in yet (state, nonce and PKCE in their session guard it)
    "oidc:start",
    "oidc:callback",
    "core:language_switch",
    "core:invitation_accept",
    "widget:script",
    "widget:eligibility",
    "widget:answer",
    "widget:dismiss",
    "surveys:email_click",
    "surveys:email_comment",
    "surveys:public_link",
    "onboarding:shared_plan",
    "reports:value_shared",
    "reports:value_shared_pdf",
    "accounts:stripe_webhook",
    # the workspace's inbound e-mail address (a secret token in the URL) and its providers' webhooks,
    # and the signed open / click tracking links in e-mails written from the product
    "conversations:inbound_email",
    "conversations:inbound_sendgrid",
    "conversations:inbound_mailgun",
    "conversations:inbound_postmark",
    "conversations:track_open",
    "conversations:track_click",
    "demo:demo_host",  # the demo's stand-in for a customer's site, with the widget on it
    "conversations:slack_command",  # Slack's request signature (conversations.slack.verify)
    "conversations:slack_interactivity",
    # SAML single sign-on: how one signs in (the IdP's signed answer is the credential at the ACS)
    "saml:login",
    "saml:acs",
    "saml:metadata",
}
# POSTs a read-only user may make: their own preferences, language, notifications, API tokens,
# saved views; and routes that answer POST with 405 (the schema, the docs).
READER_POSTS = {
    "core:language_switch",
    "core:profile",
    "core:token_list",
    "core:token_revoke",
    "schema",
    "api-docs",
    "accounts:view_new",
    "accounts:view_edit",
    "accounts:view_delete",
    "accounts:view_count",
    "accounts-api:saved-view-list",
    "accounts-api:saved-view-detail",
    "accounts-api:saved-view-accounts",
    "notifications:read_all",
    "notifications:open",
    "notifications:settings",
    # each user's own mail and calendar connections and meeting prep
    "conversations:connected",
    "conversations:oauth_start",
    "conversations:oauth_callback",
    # one's own connected mailbox and calendar (h8): read-only users connect theirs too
    "conversations:caldav_connect",
    "conversations:connection_sync",
    "conversations:connection_mail",
    "conversations:connection_calendar",
    "conversations:connection_disconnect",
    "conversations:meeting_prep",
    # the account is looked up (404 for a made-up id) before the role: a reader gets 403 on a real one
    "conversations:compose",
    "conversations:slack",  # a user's own Slack link and choices
    "conversations:slack_link",
    "conversations:slack_unlink",
    "conversations:slack_choices",
}
ADMIN_ONLY_PREFIXES = (
    "conversations:email_",
    "conversations:imap_",
    "conversations:slack_settings",
    "conversations:teams",
    "core:apikey",
    "core:webhook",
    "core:user",
    "core:audit",
    "core:invitation_resend",
    "core:invitation_revoke",
    "health:scorecard",
    "playbooks:playbook",
    "accounts:custom_field",
    "connectors:",
)
