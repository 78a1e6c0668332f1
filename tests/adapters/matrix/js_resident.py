"""A resident on matrix-js-sdk with its Rust crypto (`jsresident/resident.mjs`), driven over
JSON lines: the client Element Web is built on, its own device cross-signed and excluding
devices their owner has not cross-signed, as Element does since 2026.

The npm packages come from `jsresident/package-lock.json` (`npm ci`, run by `install_modules`
when the lock changed); Node comes from Debian (scripts/test installs it when missing).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import shutil
import subprocess
from itertools import count
from pathlib import Path
from typing import Any

from matrix_support import Synapse, wait_until

HERE = Path(__file__).parent / "jsresident"
STAMP = HERE / "node_modules" / ".motsbot-lock-sha256"


def install_modules() -> None:
    """`npm ci` from the committed lock file, once per lock file version."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise RuntimeError("Node and npm are needed (scripts/test installs Debian's nodejs and npm)")
    want = hashlib.sha256((HERE / "package-lock.json").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want:
        return
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--engine-strict=false", "--loglevel=error"],
        cwd=HERE,
        check=True,
        timeout=600,
    )
    STAMP.write_text(want)


class JsResident:
    def __init__(self, synapse: Synapse) -> None:
        self.synapse = synapse
        self.user_id, self.password = synapse.register()
        self.device_id = ""
        self.process: asyncio.subprocess.Process | None = None
        self.events: dict[str, dict[str, Any]] = {}
        """Room events from others by event id, as last reported (a late key re-reports one)."""
        self.order: list[str] = []
        self.logs: list[str] = []
        self._answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ids = count(1)
        self._reading: asyncio.Task[None] | None = None
        self._stderr: asyncio.Task[None] | None = None

    async def start(self) -> dict[str, Any]:
        self.process = await asyncio.create_subprocess_exec(
            "node",
            str(HERE / "resident.mjs"),
            cwd=HERE,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=2**24,
        )
        self._reading = asyncio.create_task(self._read())
        self._stderr = asyncio.create_task(self._read_stderr())
        started = await self.call("start", homeserver=self.synapse.url, user=self.user_id, password=self.password)
        self.device_id = started["device_id"]
        return started

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for line in self.process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                self.logs.append(line.decode(errors="replace"))
                continue
            if "event" in message:
                event = message["event"]
                if event["event_id"] not in self.events:
                    self.order.append(event["event_id"])
                self.events[event["event_id"]] = event
            elif "id" in message:
                self._answers.pop(message["id"]).set_result(message)
            else:
                self.logs.append(f"{message}\n")
        for future in self._answers.values():
            future.set_exception(RuntimeError(f"the js resident ended: {''.join(self.logs)[-3000:]}"))

    async def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        async for line in self.process.stderr:
            self.logs.append(line.decode(errors="replace"))

    async def call(self, cmd: str, within: float = 60.0, **args: Any) -> dict[str, Any]:
        assert self.process is not None and self.process.stdin is not None
        request_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._answers[request_id] = future
        self.process.stdin.write((json.dumps({"id": request_id, "cmd": cmd, **args}) + "\n").encode())
        await self.process.stdin.drain()
        try:
            answer = await asyncio.wait_for(future, within)
        except TimeoutError:
            raise AssertionError(f"js resident {cmd}: no answer in {within} s; {''.join(self.logs)[-3000:]}") from None
        if "error" in answer:
            raise AssertionError(f"js resident {cmd} failed: {answer['error']}")
        return answer

    async def stop(self) -> None:
        if self.process is None:
            return
        if self.process.returncode is None:
            with contextlib.suppress(Exception):
                await self.call("stop", within=5)
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        for task in (self._reading, self._stderr):
            if task is not None:
                with contextlib.suppress(BaseException):
                    await task
        self.process = None

    async def open_dm(self, bot_id: str) -> str:
        return str((await self.call("open_dm", bot=bot_id))["room_id"])

    async def say(self, room_id: str, text: str) -> str:
        return await self.send(room_id, "m.room.message", {"msgtype": "m.text", "body": text})

    async def send(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        return str((await self.call("send", room=room_id, type=event_type, content=content))["event_id"])

    async def devices(self, user_id: str) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = (await self.call("devices", user=user_id))["devices"]
        return answer

    def from_user(self, user_id: str, room_id: str) -> list[dict[str, Any]]:
        """Every event of `user_id` in the room, in arrival order, as last reported."""
        return [
            self.events[event_id]
            for event_id in self.order
            if self.events[event_id]["sender"] == user_id and self.events[event_id]["room_id"] == room_id
        ]

    def readable(self, user_id: str, room_id: str) -> list[dict[str, Any]]:
        """Messages and polls that decrypted, with a body."""
        return [
            event
            for event in self.from_user(user_id, room_id)
            if event["decryption_failure"] is None and "body" in event["content"]
        ]

    def texts_from(self, user_id: str, room_id: str) -> list[str]:
        return [str(event["content"]["body"]) for event in self.readable(user_id, room_id)]

    async def wait_texts(self, user_id: str, room_id: str, count: int, within: float = 60.0) -> list[str]:
        await wait_until(
            lambda: len(self.texts_from(user_id, room_id)) >= count,
            within,
            what=f"{count} readable messages from {user_id} (events: {self.from_user(user_id, room_id)})",
        )
        return self.texts_from(user_id, room_id)
