"""Start the test OpenID Connect provider (`oidc_provider/`, django-oauth-toolkit) as a real
server: its own SQLite file, an RS256 key made here, gunicorn on a free port. No mocks: Pulse
fetches its discovery document and keys, exchanges codes at its token endpoint and reads its
userinfo endpoint over HTTP, as it would at Okta, Entra ID or Keycloak."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[3]
CLIENT_ID = "pulse-cs"
CLIENT_SECRET = "pulse-cs-test-secret"
PASSWORD = "op-pass-1234!"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OIDCProvider:
    def __init__(self, workdir: Path):
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}/o"
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.core.identity.oidc_provider.settings",
            "OP_DATABASE": str(workdir / "provider.sqlite3"),
            "OP_RSA_PRIVATE_KEY": pem,
            "OP_ISSUER": self.issuer,
        }
        for name in ("DATABASE_URL", "REDIS_URL"):
            self.env.pop(name, None)
        self.redirect_uris: list[str] = []
        self.process: subprocess.Popen | None = None
        self.log = workdir / "provider.log"

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "tests.core.identity.oidc_provider.manage", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            timeout=120,
        )

    def allow_redirect(self, uri: str) -> None:
        if uri not in self.redirect_uris:
            self.redirect_uris.append(uri)
            self.manage("setup", " ".join(self.redirect_uris), CLIENT_ID, CLIENT_SECRET)

    def person(self, username: str, *groups: str) -> None:
        """Create or change a person at the provider: their groups are exactly `groups`."""
        self.manage("person", username, f"{username}@example.com", PASSWORD, *groups)

    def start(self) -> OIDCProvider:
        self.allow_redirect("http://testserver/sso/oidc/callback/")
        # Another test run may take the free port between our probe and gunicorn's bind: retry.
        for attempt in range(3):
            if attempt:
                self.port = _free_port()
                self.issuer = self.env["OP_ISSUER"] = f"http://127.0.0.1:{self.port}/o"
            if self._serve():
                return self
        raise RuntimeError(f"the test OIDC provider did not start: {self.log.read_text()[-2000:]}")

    def _serve(self) -> bool:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "tests.core.identity.oidc_provider.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "4",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=10).ok:
                    return True
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                return False
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
