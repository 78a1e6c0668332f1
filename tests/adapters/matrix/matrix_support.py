"""Helpers for the Matrix adapter tests: a real Synapse, residents (nio clients) and the bot.

Synapse runs from the test venv (`matrix-synapse` is a test dependency) on a free loopback port
with SQLite, a shared registration secret and rate limits high enough that the many clients on
127.0.0.1 are never throttled, except where a test asks for it through the admin API.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import yaml
from nio import Event, LoginResponse, MegolmEvent, RoomCreateResponse, RoomSendResponse
from nio.api import RoomPreset
from nio.client.async_client import AsyncClient, AsyncClientConfig

from adapters.base import Clock, Handler, Hub
from adapters.matrix import MatrixConfig, MatrixConnector
from bot.store import Store
from scheduler import Scheduler, SchedulerConfig, connect

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
            stderr=open(self.root / "stderr.log", "ab"),
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
            headers={"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {}),
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
        self.request("DELETE", f"/_synapse/admin/v1/users/{user_id}/override_ratelimit", token=self.admin_token)


ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


def number_of(texts: list[str], label_part: str) -> str:
    """The number a numbered choice whose label contains `label_part` has in the newest text shown."""
    for text in reversed(texts):
        for line in text.splitlines():
            match = re.match(r"^(\d+)\. (.*)$", line)
            if match and label_part in match.group(2):
                return match.group(1)
    raise AssertionError(f"no numbered choice with {label_part!r} in {texts}")


async def wait_until(check: Callable[[], Any], within: float = 20.0, what: str = "condition") -> Any:
    """Bounded polling for something that Synapse and a sync must deliver."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


class Resident:
    """A person in Element, played by a second nio client with encryption."""

    def __init__(self, synapse: Synapse, root: Path) -> None:
        self.synapse = synapse
        self.user_id, self.password = synapse.register()
        root.mkdir(parents=True, exist_ok=True)
        config = AsyncClientConfig(encryption_enabled=True, pickle_key="resident-key", store_sync_tokens=True)
        self.client = AsyncClient(synapse.url, self.user_id, store_path=str(root), config=config)
        self.events: list[tuple[str, Event]] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        response = await self.client.login(self.password, device_name="element")
        assert isinstance(response, LoginResponse), response

        async def collect(room: Any, event: Event) -> None:
            self.events.append((room.room_id, event))

        self.client.add_event_callback(collect, Event)  # type: ignore[arg-type]
        await self.client.sync(timeout=0, full_state=True)
        self._task = asyncio.create_task(self.client.sync_forever(timeout=500))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except BaseException:
                pass
        await self.client.close()

    async def open_dm(self, bot_id: str, *, encrypted: bool = True) -> str:
        response = await self.client.room_create(
            is_direct=True,
            invite=[bot_id],
            preset=RoomPreset.trusted_private_chat,
            initial_state=[ENCRYPTION] if encrypted else [],
        )
        assert isinstance(response, RoomCreateResponse), response
        room_id: str = response.room_id
        await wait_until(lambda: room_id in self.client.rooms, what="the new room in the resident's sync")
        return room_id

    async def say(self, room_id: str, text: str, **extra: Any) -> str:
        await self._wait_members(room_id)
        content = {"msgtype": "m.text", "body": text, **extra}
        return await self.send(room_id, "m.room.message", content)

    async def send(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        await self._wait_members(room_id)
        response = await self.client.room_send(room_id, event_type, content, ignore_unverified_devices=True)
        assert isinstance(response, RoomSendResponse), response
        return str(response.event_id)

    async def _wait_members(self, room_id: str) -> None:
        # Keys go only to members the resident's client knows have joined.
        await wait_until(
            lambda: room_id in self.client.rooms and not self.client.rooms[room_id].invited_users,
            what="everyone invited to have joined",
        )

    def from_user(self, user_id: str, room_id: str | None = None) -> list[Event]:
        """Messages, polls and poll ends (decrypted where they were encrypted), in order."""
        return [
            event
            for room, event in self.events
            if event.sender == user_id
            and (room_id is None or room == room_id)
            and "body" in event.source.get("content", {})
        ]

    def undecryptable_from(self, user_id: str, room_id: str | None = None) -> list[MegolmEvent]:
        """What this resident's device got from `user_id` and could not decrypt."""
        return [
            event
            for room, event in self.events
            if isinstance(event, MegolmEvent) and event.sender == user_id and (room_id is None or room == room_id)
        ]

    def texts_from(self, user_id: str, room_id: str | None = None) -> list[str]:
        return [str(event.source["content"]["body"]) for event in self.from_user(user_id, room_id)]

    async def wait_texts(self, user_id: str, room_id: str, count: int, within: float = 20.0) -> list[str]:
        await wait_until(
            lambda: len(self.texts_from(user_id, room_id)) >= count,
            within,
            what=f"{count} messages from {user_id}",
        )
        return self.texts_from(user_id, room_id)


HELD_UP = SchedulerConfig(
    reply_retry=timedelta(seconds=0.5), retry_first=timedelta(seconds=0.5), retry_max=timedelta(seconds=1)
)
"""The outbox of a test: held-up answers tried again every second at most (not 5-30 s)."""


class Bot:
    """The bot account and its connector, which tests stop and start again like a process."""

    def __init__(self, synapse: Synapse, store: Store, root: Path, homeserver: str | None = None) -> None:
        user_id, password = synapse.register()
        self.user_id = user_id
        self.store = store
        self.scheduler: Scheduler | None = None
        self.config = MatrixConfig(
            homeserver=homeserver or synapse.url,
            user=user_id,
            password=password,
            store_path=root / "matrix-store",
            pickle_key="a real pickle key for tests",
            sync_timeout_ms=500,
            max_reconnect_wait=0.5,
            key_wait=2.0,
        )
        self.connector: MatrixConnector | None = None
        self.handler: Handler | None = None

    async def start(self, handler: Handler, clock: Clock | None = None, *, outbox: bool = False) -> MatrixConnector:
        """Starts the connector; with `outbox`, a scheduler as `motsbot run` has, which sends what
        the connector could not. Its clock is the real one (APScheduler wakes it by the wall
        clock), whatever moment the engine is told it is."""
        self.handler = handler
        self.connector = MatrixConnector(self.config, self.store)
        hub = Hub(handler, clock or (lambda: datetime.now(UTC)))
        hub.add(self.connector)
        if outbox:
            self.scheduler = Scheduler(self.store, hub.connectors, HELD_UP, clock=lambda: datetime.now(UTC))
            connect(self.scheduler, hub)
            await self.scheduler.start()
        await self.connector.start(hub)
        await asyncio.wait_for(self.connector.ready.wait(), 30)
        return self.connector

    async def stop(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
            self.scheduler = None
        if self.connector is not None:
            await self.connector.stop()
            self.connector = None
