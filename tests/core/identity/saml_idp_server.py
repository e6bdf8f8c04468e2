"""A small but real SAML 2.0 identity provider for the tests, built on pysaml2's own
`saml2.server.Server` the way pysaml2's example idp2 is: it publishes its metadata, takes an
AuthnRequest by HTTP-Redirect, shows a sign-in form, and posts a signed assertion back to the
service provider's ACS by HTTP-POST (a page whose script submits the form, as real IdPs do).

Run by the tests in a subprocess (`python saml_idp_server.py PORT DIR SP_METADATA_URL`). DIR holds
its key and certificate (idp.key, idp.crt, made by the test) and state.json, read at every request
so a test can change people and behaviour between sign-ins:

    {"users": {"ana": {"password": "...", "subject": "ana-0001", "mail": "...",
                       "givenName": "...", "sn": "...", "groups": ["cs-team"]}},
     "mode": "signed" | "unsigned" | "tampered"}

`unsigned` sends the assertion without a signature; `tampered` signs it and then changes a group
in the signed XML (the signature no longer matches)."""

from __future__ import annotations

import html
import json
import shutil
import socketserver
import sys
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import AUTHN_PASSWORD, NAME_FORMAT_BASIC, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

PORT, DIR, SP_METADATA_URL = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
BASE = f"http://127.0.0.1:{PORT}"


def idp_config(with_sp: bool) -> IdPConfig:
    config = {
        "entityid": f"{BASE}/metadata",
        "service": {
            "idp": {
                "name": "Test IdP",
                "endpoints": {"single_sign_on_service": [(f"{BASE}/sso/redirect", BINDING_HTTP_REDIRECT)]},
                "policy": {
                    "default": {
                        "lifetime": {"minutes": 5},
                        "attribute_restrictions": None,
                        "name_form": NAME_FORMAT_BASIC,
                    }
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "want_authn_requests_signed": False,
            }
        },
        "key_file": str(DIR / "idp.key"),
        "cert_file": str(DIR / "idp.crt"),
        "xmlsec_binary": shutil.which("xmlsec1"),
        "allow_unknown_attributes": True,
    }
    if with_sp:
        config["metadata"] = {"remote": [{"url": SP_METADATA_URL}]}
    conf = IdPConfig()
    conf.load(config)
    return conf


def state() -> dict:
    return json.loads((DIR / "state.json").read_text())


def page(start_response, body: str, status: str = "200 OK"):
    start_response(status, [("Content-Type", "text/html; charset=utf-8")])
    return [body.encode()]


def login_form(saml_request: str, relay_state: str, error: str = "") -> str:
    return (
        "<!doctype html><title>Test IdP</title><h1>Test IdP sign-in</h1>"
        + (f'<p id="error">{html.escape(error)}</p>' if error else "")
        + '<form method="post" action="/sso/login">'
        + f'<input type="hidden" name="SAMLRequest" value="{html.escape(saml_request)}">'
        + f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
        + '<label>User <input id="idp-username" name="username"></label>'
        + '<label>Password <input id="idp-password" name="password" type="password"></label>'
        + '<button id="idp-submit" type="submit">Sign in</button></form>'
    )


def answer(saml_request: str, relay_state: str, username: str) -> str:
    current = state()
    person = current["users"][username]
    idp = Server(config=idp_config(with_sp=True))
    request = idp.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)
    resp_args = idp.response_args(request.message, [BINDING_HTTP_POST])
    identity = {
        "uid": [username],
        "mail": [person["mail"]],
        "givenName": [person.get("givenName", "")],
        "sn": [person.get("sn", "")],
        "groups": list(person.get("groups", [])),
    }
    mode = current.get("mode", "signed")
    response = idp.create_authn_response(
        identity,
        userid=username,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=person["subject"]),
        authn={"class_ref": AUTHN_PASSWORD, "authn_auth": BASE},
        sign_assertion=mode != "unsigned",
        sign_response=False,
        in_response_to=resp_args["in_response_to"],
        destination=resp_args["destination"],
        sp_entity_id=resp_args["sp_entity_id"],
        name_id_policy=resp_args.get("name_id_policy"),
    )
    xml = str(response)
    if mode == "tampered":
        groups = identity["groups"]
        assert groups and groups[0] in xml, "tampered mode needs a group to change"
        xml = xml.replace(f">{groups[0]}<", ">cs-admins<")
    http_args = idp.apply_binding(BINDING_HTTP_POST, xml, resp_args["destination"], relay_state, response=True)
    return http_args["data"]


def app(environ, start_response):
    path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
    if path == "/metadata":
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
        return [str(entity_descriptor(idp_config(with_sp=False))).encode()]
    if path == "/sso/redirect" and method == "GET":
        query = parse_qs(environ.get("QUERY_STRING", ""))
        return page(start_response, login_form(query["SAMLRequest"][0], query.get("RelayState", [""])[0]))
    if path == "/sso/login" and method == "POST":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
        saml_request, relay_state = form["SAMLRequest"], form.get("RelayState", "")
        person = state()["users"].get(form.get("username", ""))
        if person is None or person["password"] != form.get("password"):
            return page(
                start_response, login_form(saml_request, relay_state, "Wrong user or password"), "401 Unauthorized"
            )
        return page(start_response, answer(saml_request, relay_state, form["username"]))
    return page(start_response, "not found", "404 Not Found")


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


if __name__ == "__main__":
    with make_server("127.0.0.1", PORT, app, server_class=ThreadingServer, handler_class=QuietHandler) as server:
        server.serve_forever()
