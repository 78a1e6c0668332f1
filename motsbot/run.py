"""`motsbot run`: opens the store, loads a programme if there is none, starts the channels."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.base import Connector, Hub
from admin.metrics import Metrics
from bot.engine import Engine
from bot.programme.demo import demo_files
from bot.programme.loader import load_programme_file
from bot.store import Store
from bot.store.database import database_url
from bot.understand.language import load_language_models
from motsbot.serving import ServingTurn
from motsbot.settings import Settings
from scheduler import Scheduler, start_scheduler

if TYPE_CHECKING:
    from admin.serve import AdminServer

log = logging.getLogger(__name__)

CONNECTOR_MODULES = ("adapters.telegram", "adapters.matrix")
"""Each has `from_settings(settings, store) -> Connector | None` (None: not configured)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def freeze_startup_heap() -> None:
    """Takes what starting loaded (modules, catalogs, the programme's index: ~220,000 objects)
    out of the garbage collector's sight. Each full collection walked all of it and held the
    event loop 100-150 ms, every few seconds under load (measured in the rehearsal); now it
    walks only what answering creates."""
    gc.collect()
    gc.freeze()


async def import_files(store: Store, files: list[Path]) -> None:
    for path in files:
        report = await store.programme.apply(load_programme_file(path), utc_now())
        log.info("imported %s: %s", path.name, report.summary())


async def prepare_store(settings: Settings, db: str | None) -> Store:
    store = await Store.open(db or settings.motsbot_db)
    configured = [Path(p) for p in (settings.motsbot_programme, settings.motsbot_faq) if p]
    if configured:
        await import_files(store, configured)
    elif await store.programme.revision() is None:
        log.info("no programme configured: loading the demo festival")
        await import_files(store, demo_files())
    return store


def configured_connectors(settings: Settings, store: Store) -> list[Connector]:
    connectors: list[Connector] = []
    for name in CONNECTOR_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            log.debug("channel %s not available: %s", name, error)
            continue
        factory = getattr(module, "from_settings", None)
        connector = factory(settings, store) if factory is not None else None
        if connector is not None:
            connectors.append(connector)
    return connectors


def load_for_serving() -> None:
    """What a start spends most of its time on besides imports, and the imports `run` leaves
    for later: loaded by a standby before it waits (motsbot/serving.py)."""
    load_language_models()
    for name in (*CONNECTOR_MODULES, "admin.serve"):
        try:
            importlib.import_module(name)
        except ImportError as error:
            log.debug("%s not available: %s", name, error)


async def run(settings: Settings, db: str | None) -> int:
    turn = ServingTurn(database_url(db or settings.motsbot_db))
    await turn.take(while_waiting=load_for_serving)
    try:
        return await serve(settings, db)
    finally:
        await turn.give_back()


async def serve(settings: Settings, db: str | None) -> int:
    store = await prepare_store(settings, db)
    checkin_url = f"{settings.motsbot_public_url.rstrip('/')}/checkin/{{code}}" if settings.motsbot_public_url else None
    engine = Engine(store, checkin_url=checkin_url)
    await engine.warm_up()
    metrics = Metrics()
    hub = Hub(metrics.metered(engine.handle), utc_now)
    connectors = configured_connectors(settings, store)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    scheduler: Scheduler | None = None
    web: AdminServer | None = None
    try:
        for connector in connectors:
            hub.add(connector)
            await connector.start(hub)
            log.info("%s channel started", connector.channel)
        # The admin web (and its framework, a fifth of the imports) comes after the channels:
        # after a crash residents are answered again that much sooner.
        from admin.serve import start_web

        web = await start_web(store, hub, connectors, metrics)
        scheduler = await start_scheduler(settings, store, hub)
        if web is not None and scheduler is not None:
            web.attach_scheduler(scheduler)
        freeze_startup_heap()
        if not connectors:
            where = db or settings.motsbot_db
            admin = f"The admin is at http://{web.server.host}:{web.server.port}/. " if web is not None else ""
            print(
                "motsbot is ready, with no chat channel configured (set TELEGRAM_TOKEN or the MATRIX_* "
                f"settings). {admin}\nChat with it in this terminal: motsbot chat --db {where}",
                file=sys.stderr,
            )
            if sys.stdin.isatty():
                from adapters.console.interactive import chat

                # Log lines would interleave with the chat; warnings and errors still show.
                logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))
                # The terminal chat ends with Ctrl-D; a signal ends it (and motsbot) as well.
                chatting = asyncio.create_task(chat(hub, user="local", lang=None))
                stopping = asyncio.create_task(stop.wait())
                await asyncio.wait({chatting, stopping}, return_when=asyncio.FIRST_COMPLETED)
                for task in (chatting, stopping):
                    task.cancel()
                return 0
        await stop.wait()
        return 0
    finally:
        if web is not None:
            await web.stop()
        if scheduler is not None:
            await scheduler.stop()
        for connector in reversed(connectors):
            try:
                await connector.stop()
            except Exception:
                log.exception("stopping %s failed", connector.channel)
        await store.close()
