"""A real pysaml2 identity provider (saml_idp_server.py) run in a subprocess on a free port, with
its own key and certificate made here, and Pulse's SAML settings pointed at it."""

from __future__ import annotations

import datetime
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from core.identity.saml import sp_config_forget

IDP_SCRIPT = Path(__file__).with_name("saml_idp_server.py")
GROUP_ROLES = {"cs-admins": "admin", "cs-managers": "manager", "cs-team": "csm", "cs-readers": "readonly"}


def write_key_and_cert(directory: Path, name: str, common_name: str) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalIdP:
    """The running IdP: `set_user(...)` and `mode` change what it says at the next sign-in."""

    def __init__(self, directory: Path, port: int):
        self.directory, self.port = directory, port
        self.url = f"http://127.0.0.1:{port}"
        self.users: dict[str, dict] = {}
        self.mode = "signed"
        self.save()

    def set_user(self, username: str, *, groups: list[str], subject: str | None = None, **attrs) -> None:
        self.users[username] = {
            "password": "idp-pass",
            "subject": subject or f"{username}-0001",
            "mail": attrs.get("mail", f"{username}@example.com"),
            "givenName": attrs.get("givenName", username.title()),
            "sn": attrs.get("sn", "Tester"),
            "groups": groups,
        }
        self.save()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.save()

    def save(self) -> None:
        (self.directory / "state.json").write_text(json.dumps({"users": self.users, "mode": self.mode}))


@pytest.fixture
def saml_idp(tmp_path, live_server, settings):
    write_key_and_cert(tmp_path, "idp", "Test IdP")
    port = free_port()
    idp = LocalIdP(tmp_path, port)
    process = subprocess.Popen(
        [sys.executable, str(IDP_SCRIPT), str(port), str(tmp_path), f"{live_server.url}/sso/saml/metadata/"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{idp.url}/metadata", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"the test IdP did not start:\n{output}")
                time.sleep(0.1)
        settings.SITE_URL = live_server.url
        settings.PULSE_SAML_IDP_METADATA_URL = f"{idp.url}/metadata"
        settings.PULSE_SAML_IDP_METADATA_FILE = ""
        settings.PULSE_SSO_GROUP_ROLES = GROUP_ROLES
        settings.PULSE_SSO_DEFAULT_ROLE = ""
        # The IdP (127.0.0.1) and Pulse (localhost) are different sites, as in production: the
        # IdP's posted answer carries djangosaml2's session cookie only as SameSite=None; Secure
        # (what production's HTTPS settings give; Chromium keeps Secure cookies on http://localhost).
        settings.SESSION_COOKIE_SECURE = True
        settings.SAML_SESSION_COOKIE_SAMESITE = "None"
        sp_config_forget()
        yield idp
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        sp_config_forget()
