"""A real IMAP server for the tests: Debian's Dovecot (package dovecot-imapd, installed by
.ci/run), started from a configuration in a temporary directory (no system files touched),
listening on 127.0.0.1 on a free port, plaintext login, Maildir storage in the temp dir.

As root, Dovecot's own service users run it (dovecot, dovenull) and mail belongs to "dovecot";
as anyone else, every service runs as that user."""

from __future__ import annotations

import getpass
import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    def __init__(self, users: dict[str, str]):
        self.users = users
        self.dir = Path(tempfile.mkdtemp(prefix="pulse-dovecot-"))
        self.port = _free_port()
        self.host = "127.0.0.1"
        self.process: subprocess.Popen | None = None

    def _config(self) -> Path:
        if os.geteuid() == 0:
            internal, login = "dovecot", "dovenull"
            mail = pwd.getpwnam("dovecot")
        else:
            internal = login = getpass.getuser()
            mail = pwd.getpwuid(os.geteuid())
        for sub in ("run", "state", "home"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        (self.dir / "passwd").write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in self.users.items()))
        if os.geteuid() == 0:
            os.chmod(self.dir, 0o755)
            for path in [self.dir / "home", self.dir / "state"]:
                os.chown(path, mail.pw_uid, mail.pw_gid)
            os.chmod(self.dir / "passwd", 0o644)
        config = self.dir / "dovecot.conf"
        config.write_text(
            f"""
protocols = imap
listen = 127.0.0.1
base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.dir}/dovecot.log
info_log_path = {self.dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name}
default_login_user = {login}
first_valid_uid = {mail.pw_uid}
first_valid_gid = {mail.pw_gid}
mail_location = maildir:{self.dir}/home/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.dir}/passwd
}}
userdb {{
  driver = static
  args = uid={mail.pw_uid} gid={mail.pw_gid} home={self.dir}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
        )
        return config

    def start(self) -> Dovecot:
        config = self._config()
        # -F: in the foreground, a child of this test run that stop() ends
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("Dovecot did not start: " + self.log())

    def log(self) -> str:
        path = self.dir / "dovecot.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            client.login(user, self.users[user])
            typ, data = client.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
            assert typ == "OK", data
        finally:
            client.logout()
