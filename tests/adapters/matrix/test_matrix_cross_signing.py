"""The bot's cross-signing identity against the real Synapse: the chain as any client reads it
from `/keys/query` (checked here with signedjson, apart from the code under test), a restart that
changes nothing, a lost store that heals, an identity the bot does not hold, and keys shared with
residents' devices nobody cross-signed."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from matrix_support import Bot, Resident, Synapse, wait_until
from signedjson.key import decode_verify_key_bytes
from signedjson.sign import verify_signed_json
from unpaddedbase64 import decode_base64

from adapters.matrix.cross_signing import KEYS_FILE, Repair
from bot.messages import Incoming, Outgoing, Span


async def echo(incoming: Incoming, now: datetime) -> list[Outgoing]:
    return [Outgoing(spans=[Span(text=f"echo: {incoming.text}")])]


ROOT = Path(__file__).resolve().parents[3]


async def motsbot_matrix(bot: Bot, *args: str) -> subprocess.CompletedProcess[str]:
    """`motsbot matrix …` as the operator runs it, configured like the bot."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MATRIX_HOMESERVER": bot.config.homeserver,
        "MATRIX_USER": bot.config.user,
        "MATRIX_PASSWORD": bot.config.password,
        "MATRIX_STORE_PATH": str(bot.config.store_path),
        "MATRIX_PICKLE_KEY": bot.config.pickle_key,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", f"from motsbot.cli import main; raise SystemExit(main(['matrix', *{list(args)!r}]))",
        env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return subprocess.CompletedProcess(args, process.returncode, out.decode(), err.decode())


def query(synapse: Synapse, token: str, user_id: str) -> dict[str, Any]:
    answer: dict[str, Any] = synapse.request(
        "POST", "/_matrix/client/v3/keys/query", {"device_keys": {user_id: []}}, token
    )
    return answer


def verify_key(key_object: dict[str, Any]) -> tuple[str, Any]:
    ((key_id, key),) = key_object["keys"].items()
    algorithm, version = key_id.split(":", 1)
    assert algorithm == "ed25519" and version == key
    return key_id, decode_verify_key_bytes(key_id, decode_base64(key))


def check_chain(listing: dict[str, Any], user_id: str, device_id: str) -> str:
    """Master key -> self-signing key -> device, each Ed25519 signature verified over canonical
    JSON; returns the master key."""
    master = listing["master_keys"][user_id]
    self_signing = listing["self_signing_keys"][user_id]
    assert master["usage"] == ["master"] and self_signing["usage"] == ["self_signing"]
    master_id, master_key = verify_key(master)
    self_signing_id, self_signing_key = verify_key(self_signing)
    verify_signed_json(self_signing, user_id, master_key)
    device = listing["device_keys"][user_id][device_id]
    verify_signed_json(device, user_id, self_signing_key)
    assert set(device["signatures"][user_id]) == {f"ed25519:{device_id}", self_signing_id}
    return str(master_id.split(":", 1)[1])


async def test_the_chain_as_residents_read_it_and_a_restart_changes_nothing(
    bot: Bot, residents: Callable[[], Awaitable[Resident]], synapse: Synapse
) -> None:
    connector = await bot.start(echo)
    assert connector.session is not None and connector.identity is not None
    assert connector.identity.repairs == [Repair.KEYS_UPLOADED, Repair.DEVICE_SIGNED]
    alice = await residents()
    listing = query(synapse, alice.client.access_token, bot.user_id)
    master = check_chain(listing, bot.user_id, connector.session.device_id)
    assert list(listing["device_keys"][bot.user_id]) == [connector.session.device_id]
    keys_file = bot.config.store_path / KEYS_FILE
    assert oct(keys_file.stat().st_mode & 0o777) == "0o600"
    assert master in keys_file.read_text()  # the public half, for the operator to compare
    saved = keys_file.read_text()

    await bot.stop()
    connector = await bot.start(echo)
    assert connector.identity is not None and connector.identity.repairs == []
    assert keys_file.read_text() == saved
    assert (
        check_chain(query(synapse, alice.client.access_token, bot.user_id), bot.user_id, device_id(connector)) == master
    )


def device_id(connector: Any) -> str:
    return str(connector.session.device_id)


async def test_a_lost_store_gets_a_new_device_signed_by_the_same_identity_and_the_old_one_goes(
    bot: Bot, residents: Callable[[], Awaitable[Resident]], synapse: Synapse
) -> None:
    connector = await bot.start(echo)
    old_device = device_id(connector)
    alice = await residents()
    master = check_chain(query(synapse, alice.client.access_token, bot.user_id), bot.user_id, old_device)
    await bot.stop()

    # nio's store and session lost; the cross-signing keys put back from the backup.
    store = bot.config.store_path
    backup = (store / KEYS_FILE).read_bytes()
    shutil.rmtree(store)
    store.mkdir()
    (store / KEYS_FILE).write_bytes(backup)

    connector = await bot.start(echo)
    new_device = device_id(connector)
    assert new_device != old_device
    assert connector.identity is not None
    assert connector.identity.repairs == [Repair.DEVICE_SIGNED, Repair.STALE_DEVICES_DELETED]
    assert connector.identity.deleted_devices == [old_device]
    listing = query(synapse, alice.client.access_token, bot.user_id)
    assert check_chain(listing, bot.user_id, new_device) == master
    assert list(listing["device_keys"][bot.user_id]) == [new_device]

    room = await alice.open_dm(bot.user_id)
    await alice.wait_texts(bot.user_id, room, 1)  # the greeting: the resident knows the bot's device
    await alice.say(room, "hello")
    assert await alice.wait_texts(bot.user_id, room, 2) == ["echo: /start", "echo: hello"]


async def test_an_identity_the_bot_does_not_hold_is_kept_until_the_operator_resets_it(
    bot: Bot, residents: Callable[[], Awaitable[Resident]], synapse: Synapse, caplog: pytest.LogCaptureFixture
) -> None:
    connector = await bot.start(echo)
    old_device = device_id(connector)
    alice = await residents()
    master = check_chain(query(synapse, alice.client.access_token, bot.user_id), bot.user_id, old_device)
    await bot.stop()
    shutil.rmtree(bot.config.store_path)  # store and keys lost, no backup

    with caplog.at_level(logging.ERROR):
        connector = await bot.start(echo)
    assert connector.identity is None
    assert any("motsbot matrix reset-identity" in r.message and r.levelno == logging.ERROR for r in caplog.records)
    listing = query(synapse, alice.client.access_token, bot.user_id)
    assert verify_key(listing["master_keys"][bot.user_id])[0] == f"ed25519:{master}", "not replaced on its own"
    new_device = device_id(connector)
    assert (
        "signatures" not in listing["device_keys"][bot.user_id][new_device]
        or len(listing["device_keys"][bot.user_id][new_device]["signatures"][bot.user_id]) == 1
    )
    await bot.stop()

    # The operator's command: refused without a confirmation, done with --yes.
    refused = await motsbot_matrix(bot, "reset-identity")
    assert refused.returncode == 2 and "--yes" in refused.stderr, refused
    assert verify_key(query(synapse, alice.client.access_token, bot.user_id)["master_keys"][bot.user_id])[0] == (
        f"ed25519:{master}"
    )
    done = await motsbot_matrix(bot, "reset-identity", "--yes")
    assert done.returncode == 0, done
    assert "new cross-signing identity" in done.stdout and old_device in done.stdout, done
    listing = query(synapse, alice.client.access_token, bot.user_id)
    new_master = check_chain(listing, bot.user_id, new_device)
    assert new_master != master
    assert list(listing["device_keys"][bot.user_id]) == [new_device]

    connector = await bot.start(echo)
    assert connector.identity is not None and connector.identity.repairs == []


async def test_keys_are_shared_with_resident_devices_nobody_cross_signed(
    bot: Bot, residents: Callable[[], Awaitable[Resident]], synapse: Synapse
) -> None:
    """The choice in adapters/matrix/README.md: a resident whose client has no cross-signing
    (nio, older clients) still reads the bot."""
    await bot.start(echo)
    alice = await residents()
    listing = query(synapse, alice.client.access_token, alice.user_id)
    assert alice.user_id not in listing.get("master_keys", {}), "the resident has no cross-signing identity"
    room = await alice.open_dm(bot.user_id)
    await alice.wait_texts(bot.user_id, room, 1)
    await alice.say(room, "can you read me")
    assert await alice.wait_texts(bot.user_id, room, 2) == ["echo: /start", "echo: can you read me"]
    assert all(getattr(event, "decrypted", False) for event in alice.from_user(bot.user_id, room))


class FailingProxy:
    """Between the bot and Synapse: passes everything on, except that paths ending in one of
    `failing` are answered 502, as nginx does while Synapse restarts."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.failing: set[str] = set()
        self.refused = 0
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._http = aiohttp.ClientSession(auto_decompress=False)
        app = web.Application(client_max_size=2**26)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        if any(request.path.endswith(path) for path in self.failing):
            self.refused += 1
            return web.Response(status=502, text="Bad Gateway")
        assert self._http is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        async with self._http.request(
            request.method, self.upstream + request.path_qs, headers=headers, data=await request.read()
        ) as answer:
            body = await answer.read()
            keep = {k: v for k, v in answer.headers.items() if k.lower() in ("content-type", "content-encoding")}
            return web.Response(status=answer.status, body=body, headers=keep)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()


async def test_a_check_that_fails_on_the_way_is_tried_again_while_the_bot_runs(
    bot: Bot, residents: Callable[[], Awaitable[Resident]], synapse: Synapse, caplog: pytest.LogCaptureFixture
) -> None:
    proxy = FailingProxy(synapse.url)
    await proxy.start()
    try:
        bot.config = dataclasses.replace(bot.config, homeserver=proxy.url, identity_retry=0.2)
        proxy.failing = {"/keys/device_signing/upload"}
        with caplog.at_level(logging.ERROR):
            connector = await bot.start(echo)
        assert connector.identity is None and proxy.refused >= 1
        assert any("trying again" in r.message for r in caplog.records if r.levelno == logging.ERROR)
        alice = await residents()
        room = await alice.open_dm(bot.user_id)
        await alice.wait_texts(bot.user_id, room, 1)  # the bot runs meanwhile

        proxy.failing = set()
        await wait_until(lambda: connector.identity is not None, 30, what="the check tried again")
        assert connector.identity is not None
        assert Repair.DEVICE_SIGNED in connector.identity.repairs
        check_chain(query(synapse, alice.client.access_token, bot.user_id), bot.user_id, device_id(connector))
    finally:
        await bot.stop()
        await proxy.stop()
