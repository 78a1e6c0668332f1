"""`motsbot run`: opens the store, loads a programme if there is none, starts the channels."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import importlib
import logging
import signal
import sys
from collections.abc import Callable
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
        if report.conflicts:
            log.warning(
                "%s would change back events changed in the admin since; kept as the admin has them: %s "
                "(import the file in the admin to choose its version)",
                path.name,
                ", ".join(report.conflicts),
            )


async def import_changed_files(store: Store, files: list[Path]) -> None:
    """The files given at start, each imported only when its content changed since its last
    import: a restart (routine with a standby) must not undo what organisers changed in the
    admin meanwhile, nor tell residents of "moves" back."""
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        name = str(path.resolve())
        if await store.programme.imported_hash(name) == digest:
            log.info("%s is unchanged since its last import; not imported again", path.name)
            continue
        await import_files(store, [path])
        await store.programme.remember_import(name, digest, utc_now())


async def load_programme(settings: Settings, store: Store) -> None:
    """The configured programme and FAQ files, or the demo festival into an empty store."""
    configured = [Path(p) for p in (settings.motsbot_programme, settings.motsbot_faq) if p]
    if configured:
        await import_changed_files(store, configured)
    elif await store.programme.revision() is None:
        log.info("no programme configured: loading the demo festival")
        await import_files(store, demo_files())


START_WAIT = 15.0
"""How long `motsbot run` waits for its channels to start before it goes on without them."""


async def start_channel(connector: Connector, hub: Hub) -> None:
    """Starts one channel; one that cannot start at all (a wrong token or password) is lost,
    and motsbot exits non-zero rather than run without it unnoticed."""
    try:
        await connector.start(hub)
    except Exception:
        log.exception("the %s channel could not start", connector.channel)
        hub.channel_lost(connector.channel)
        return
    log.info("%s channel started", connector.channel)


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
    """The language models, and the imports `run` leaves for later (connectors, the admin)."""
    load_language_models()
    for name in (*CONNECTOR_MODULES, "admin.serve"):
        try:
            importlib.import_module(name)
        except ImportError as error:
            log.debug("%s not available: %s", name, error)


class Standby:
    """What a standby (motsbot/serving.py) has ready before it waits: all of a start that
    changes nothing in the database. In the short rehearsal that took a kill's downtime from
    0.49-0.58 s to 0.16-0.27 s: the programme's index (~250 ms) and the collection before
    `gc.freeze` (~120 ms) had run after the takeover. The engine is made only if the schema is
    current: a migration the new version brings runs after the takeover, and the programme is
    read after it. Without a standby, `run` uses this too: `prepare` is then never called."""

    def __init__(self, db: str, make_engine: Callable[[Store], Engine]) -> None:
        self.db = db
        self.make_engine = make_engine
        self.store: Store | None = None
        self.engine: Engine | None = None

    async def prepare(self) -> None:
        load_for_serving()
        self.store = await Store.open(self.db, migrate=False)
        if await self.store.database.schema_is_current():
            self.engine = self.make_engine(self.store)
            await self.engine.warm_up()
        freeze_startup_heap()

    async def open_store(self) -> Store:
        """The store, prepared or opened now, at the newest schema."""
        store = self.store or await Store.open(self.db, migrate=False)
        await store.database.migrate()
        return store


async def run(settings: Settings, db: str | None) -> int:
    target = db or settings.motsbot_db
    checkin_url = f"{settings.motsbot_public_url.rstrip('/')}/checkin/{{code}}" if settings.motsbot_public_url else None
    standby = Standby(target, lambda store: Engine(store, checkin_url=checkin_url))
    turn = ServingTurn(database_url(target))
    await turn.take(while_waiting=standby.prepare)
    try:
        return await serve(settings, standby)
    finally:
        await turn.give_back()


async def serve(settings: Settings, standby: Standby) -> int:
    store = await standby.open_store()
    await load_programme(settings, store)
    engine = standby.engine or standby.make_engine(store)
    await engine.warm_up()
    metrics = Metrics()
    hub = Hub(metrics.metered(engine.handle), utc_now)
    connectors = configured_connectors(settings, store)
    stop = asyncio.Event()
    lost: list[str] = []

    def channel_lost(channel: str) -> None:
        # Deaf but "running" helps nobody: exit non-zero, for systemd to restart motsbot or
        # the standby to take over.
        log.critical("the %s channel could not be brought back; motsbot stops", channel)
        lost.append(channel)
        stop.set()

    hub.channel_lost = channel_lost
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    scheduler: Scheduler | None = None
    web: AdminServer | None = None
    starting: set[asyncio.Task[None]] = set()
    try:
        for connector in connectors:
            hub.add(connector)
        starting = {asyncio.create_task(start_channel(connector, hub)) for connector in connectors}
        if starting:
            # Channels first, but a platform that keeps motsbot waiting (a homeserver down:
            # nio retries its login for as long as it takes) does not hold up the others, the
            # admin (whose /readiness then tells) or the scheduler.
            await asyncio.wait(starting, timeout=START_WAIT)
        # The admin web (and its framework, a fifth of the imports) comes after the channels:
        # after a crash residents are answered again that much sooner.
        from admin.serve import start_web

        web = await start_web(store, hub, connectors, metrics)
        scheduler = await start_scheduler(settings, store, hub)
        if web is not None and scheduler is not None:
            web.attach_scheduler(scheduler)
        freeze_startup_heap()
        if not connectors:
            where = standby.db
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
        return 1 if lost else 0
    finally:
        for task in starting:
            task.cancel()
        if starting:
            await asyncio.wait(starting)
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
