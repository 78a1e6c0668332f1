"""A real Synapse for the Matrix adapter tests, started once per session, plus resident clients.

Synapse runs from the test venv (`matrix-synapse` is a test dependency) on a free loopback port
with SQLite, a shared registration secret and rate limits high enough that the many clients on
127.0.0.1 are never throttled, except where a test asks for it through the admin API.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import yaml

SERVER_NAME = "mots.test"
SHARED_SECRET = "test-registration-secret"
_RELAXED = {"per_second": 1000, "burst_count": 1000}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Synapse:
    """One homeserver process; `restart()` keeps its data and port (for reconnect tests)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.start_seconds = 0.0
        self._names = count(1)
        self.admin_token = ""
        config = {
            "server_name": SERVER_NAME,
            "pid_file": str(root / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(root / "homeserver.db")}},
            "media_store_path": str(root / "media"),
            "signing_key_path": str(root / "signing.key"),
            "log_config": str(root / "log.yaml"),
            "report_stats": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "registration_shared_secret": SHARED_SECRET,
            "bcrypt_rounds": 4,
            "enable_metrics": False,
            "presence": {"enabled": False},
            "rc_message": _RELAXED,
            "rc_login": {"address": _RELAXED, "account": _RELAXED, "failed_attempts": _RELAXED},
            "rc_joins": {"local": _RELAXED, "remote": _RELAXED},
            "rc_joins_per_room": _RELAXED,
            "rc_invites": {"per_room": _RELAXED, "per_user": _RELAXED, "per_issuer": _RELAXED},
            "rc_room_creation": _RELAXED,
            "rc_registration": _RELAXED,
            "rc_key_requests": _RELAXED,
            "rc_3pid_validation": _RELAXED,
        }
        (root / "homeserver.yaml").write_text(yaml.safe_dump(config))
        log_config = {
            "version": 1,
            "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "filename": str(root / "homeserver.log"),
                    "formatter": "plain",
                }
            },
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }
        (root / "log.yaml").write_text(yaml.safe_dump(log_config))

    def start(self) -> None:
        began = time.monotonic()
        # The interpreter itself, not a shell: SIGTERM must reach Synapse and not a wrapper.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.root / "homeserver.yaml")],
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=open(self.root / "stderr.log", "ab"),  # noqa: SIM115 - the child owns it
        )
        deadline = began + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Synapse exited: {(self.root / 'stderr.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_matrix/client/versions", timeout=1):
                    self.start_seconds = time.monotonic() - began
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        raise RuntimeError("Synapse did not answer within 60 s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"}
            | ({"Authorization": f"Bearer {token}"} if token else {}),
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")

    def register(self, localpart: str | None = None, *, admin: bool = False) -> tuple[str, str]:
        """Registers a user through the shared-secret admin API; returns (user id, password)."""
        name = localpart or f"user{next(self._names)}"
        password = f"pw-{name}"
        nonce = self.request("GET", "/_synapse/admin/v1/register")["nonce"]
        message = "\x00".join((nonce, name, password, "admin" if admin else "notadmin"))
        mac = hmac.new(SHARED_SECRET.encode(), message.encode(), hashlib.sha1)
        result = self.request(
            "POST",
            "/_synapse/admin/v1/register",
            {"nonce": nonce, "username": name, "password": password, "admin": admin, "mac": mac.hexdigest()},
        )
        if admin:
            self.admin_token = result["access_token"]
        return result["user_id"], password

    def override_ratelimit(self, user_id: str, messages_per_second: float, burst_count: int) -> None:
        self.request(
            "POST",
            f"/_synapse/admin/v1/users/{user_id}/override_ratelimit",
            {"messages_per_second": messages_per_second, "burst_count": burst_count},
            token=self.admin_token,
        )

    def clear_ratelimit(self, user_id: str) -> None:
        self.request(
            "DELETE", f"/_synapse/admin/v1/users/{user_id}/override_ratelimit", token=self.admin_token
        )


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    server = Synapse(tmp_path_factory.mktemp("synapse"))
    server.start()
    try:
        server.register("admin", admin=True)
        yield server
    finally:
        server.stop()


def pytest_report_header() -> list[str]:
    return [f"matrix tests: Synapse from {sys.executable} (pid of the interpreter, stopped by SIGTERM)"]

