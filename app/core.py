"""Composition root, Qt-free: builds settings, journal and the CSMS engine for any front end."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import logging
import logging.handlers
import pathlib
import sys
from typing import Any

from app.csms import certificates as csms_certificates
from app.csms import engine as csms_engine
from app.csms import pki, security
from app.csms import server as csms_server
from app.domain import csms_policy, errors, model
from app.files import library as files_library
from app.files import server as files_server
from app.services import demo, network, serial_console
from app.storage import journal as storage_journal
from app.storage import paths, settings
from app.storage import runs as storage_runs
from app.storage import energy as energy_store
from app.storage import vault


Settings = settings.Settings  # what the window's settings dialog edits
_HANDLER_TAG = "_commissioner_handler"


def setup_logging(data_dir: pathlib.Path | None, verbose: bool = False) -> None:
    """Console (stderr) and, with a data dir, a rotating log file. Calling it again replaces
    the handlers it added before (a restart, tests), it never stacks them."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in [h for h in root.handlers if getattr(h, _HANDLER_TAG, False)]:
        root.removeHandler(handler)
        handler.close()
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if data_dir is not None:
        handlers.append(logging.handlers.RotatingFileHandler(log_path(data_dir), maxBytes=5 << 20, backupCount=3,
                                                             encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
        setattr(handler, _HANDLER_TAG, True)
        root.addHandler(handler)
    # websockets logs every failed handshake with a traceback at ERROR/INFO; our own line says it.
    logging.getLogger("websockets").setLevel(logging.WARNING)


def log_path(data_dir: pathlib.Path) -> pathlib.Path:
    return paths.log_dir(data_dir) / "commissioner.log"


def resolve_data_dir(override: str | None, *, create: bool = True) -> pathlib.Path:
    return paths.data_dir(override, create=create)


def csms_config(data_dir: pathlib.Path, *, strict: bool = False, boot_status: str | None = None,
                allow: str | None = None, password: str | None = None, strict_for: str | None = None,
                tolerant_for: str | None = None, **overrides: Any) -> csms_policy.CsmsConfig:
    """Settings from disk, with command-line overrides on top.

    `strict_for` / `tolerant_for`: comma-separated charger ids whose mode differs from the default.
    """
    config = settings.load(data_dir).csms
    if overrides:
        config = dataclasses.replace(config, **overrides)
    if strict:
        config.mode = model.Mode.STRICT
    if boot_status:
        config.boot_status = model.BootStatus(boot_status)
    if allow:
        config.auto_accept = False
        config.allowed_chargers = [c.strip() for c in allow.split(",") if c.strip()]
    if password:
        config.passwords = {"*": password}
    for ids, mode in ((strict_for, model.Mode.STRICT), (tolerant_for, model.Mode.TOLERANT)):
        for charger_id in (ids or "").split(","):
            if charger_id.strip():
                config.charger_modes[charger_id.strip()] = mode
    if not 0 <= config.port <= 65535:
        raise errors.ConfigError(f"Port {config.port} is not a valid port.", hint="Use a number from 1 to 65535.")
    return config


def charger_passwords(store: vault.Vault) -> dict[str, str]:
    """The passwords Commissioner gave chargers, for the CSMS to expect. A locked keyring raises
    StorageError: the server then refuses (503) the chargers it has no password for, and asks again,
    rather than letting a charger with a password of its own in without one."""
    return store.passwords()


def build_engine(config: csms_policy.CsmsConfig, data_dir: pathlib.Path,
                 store: vault.Vault | None = None) -> csms_engine.Engine:
    """The CSMS engine with its journal and server, and the laptop's addresses for its URLs.

    `store`: the chargers' own passwords, read by the server in a worker thread once it listens
    (the keyring may block, even prompt); handshakes wait for them."""
    signer = certificate_signer(config, data_dir, store)
    # The wss:// listener's context (the CA made on first use): blocking, so build_engine runs off the GUI thread.
    tls_context = signer.tls_context_blocking() if tls_wanted(config) else None
    journal = storage_journal.Journal(data_dir)
    server = csms_server.CsmsServer(
        config, password_source=(lambda: charger_passwords(store)) if store else None, tls_context=tls_context,
        profiles=security.ProfileStore(data_dir / "security"),
        password_sink=(lambda charger_id, password: store.set(charger_id, password)) if store else None,
        certificates=signer)
    return csms_engine.Engine(config, data_dir, journal=journal, server=server, addresses=network.lan_addresses,
                              files=file_server(config, data_dir), energy=energy_store.EnergyIndex(data_dir))


def tls_wanted(config: csms_policy.CsmsConfig) -> bool:
    """A wss:// listener: asked for, or needed by the lowest profile admitted (2 and 3 are TLS)."""
    return config.tls or config.security_profile >= 2


def certificate_signer(config: csms_policy.CsmsConfig, data_dir: pathlib.Path,
                       store: vault.Vault | None) -> csms_certificates.Signer:
    """The built-in CA (opened on first use; its key's passphrase in the OS keyring) for TLS and CSRs."""
    directory = csms_certificates.ca_directory(config, data_dir)
    return csms_certificates.Signer(config, directory, pki.keyring_passphrase(directory, store),
                                    hosts=lambda: ["127.0.0.1", *network.lan_addresses(), config.host])


def file_server(config: csms_policy.CsmsConfig, data_dir: pathlib.Path) -> files_server.FileServer | None:
    """The built-in HTTP/FTP file server on the CSMS's host (None when turned off in Settings)."""
    if not config.file_server:
        return None
    return files_server.FileServer(data_dir, files_library.Library(data_dir), host=config.host,
                                   http_port=config.http_port, ftp_port=config.ftp_port)


class Core:
    """What a front end needs: data dir, settings, the engine (restartable), demo chargers.

    Owned by one thread, the one that made it (the GUI thread, or main headless): its state
    changes only there. Blocking work (stopping and starting engines, writing settings) runs in
    worker threads that touch no Core state; the results are applied back on the owning thread.
    The `async` methods run on that thread's event loop (qasync in the window).
    """

    def __init__(self, data_dir: pathlib.Path, port_override: int | None = None) -> None:
        self.data_dir = data_dir
        self.settings_error: errors.CommissionerError | None = None
        try:
            self.settings = settings.load(data_dir)
        except errors.ConfigError as exc:
            # The app still opens, with defaults, and says so; the file is left for the technician.
            self.settings = settings.Settings()
            self.settings_error = exc
        self.port_override = port_override  # for this run only (benchmarks, tests): never saved
        self.engine: csms_engine.Engine | None = None
        self.demo: demo.DemoChargers | None = None
        self.start_error: errors.CommissionerError | None = None
        self._changing: asyncio.Lock | None = None  # one settings change or restart at a time
        self._runs: storage_runs.RunStore | None = None
        self.vault = vault.Vault()  # the chargers' own passwords, in the OS keyring (blocking: worker threads only)

    @property
    def runs(self) -> storage_runs.RunStore:
        """The commissioning runs (opened on first use; StorageError says why it cannot be)."""
        if self._runs is None:
            self._runs = storage_runs.RunStore(self.data_dir)
        return self._runs

    @property
    def journal_path(self) -> pathlib.Path:
        return self.data_dir / storage_journal.FILE_NAME

    @property
    def log_path(self) -> pathlib.Path:
        return log_path(self.data_dir)

    def _engine_config(self) -> csms_policy.CsmsConfig:
        config = copy.deepcopy(self.settings.csms)
        if self.port_override is not None:  # tests and benchmarks: the file server takes free ports too
            config.port = self.port_override
            config.http_port = config.ftp_port = config.tls_port = 0
        return config

    def start(self) -> list[str]:
        """Start the CSMS in its worker thread (blocking: at start-up). On failure `start_error` says why."""
        self.start_error = None
        try:
            engine, urls = _start_engine(self._engine_config(), self.data_dir, self.vault)
        except errors.CommissionerError as exc:
            self.start_error = exc
            raise
        self.engine = engine
        self.demo = demo.DemoChargers(engine)
        return urls

    async def restart(self) -> None:
        """Stop the CSMS and start it with the current settings, off this thread."""
        async with self._lock():
            await self._restart()

    async def _restart(self) -> None:
        old, self.engine, self.demo = self.engine, None, None
        self.start_error = None
        if old is not None:
            await asyncio.to_thread(old.stop_thread)  # waits for connections to close
        try:
            engine, _urls = await asyncio.to_thread(_start_engine, self._engine_config(), self.data_dir,
                                                      self.vault)
        except errors.CommissionerError as exc:
            self.start_error = exc
            raise
        self.engine = engine
        self.demo = demo.DemoChargers(engine)

    async def apply_settings(self, new: settings.Settings) -> bool:
        """Save new settings and apply them. Returns True if the CSMS had to restart.

        Only new listeners (host, ports, TLS) need a restart (which drops every connection); everything else
        is read live by the handlers and sessions, so connected chargers stay connected.
        """
        async with self._lock():
            await asyncio.to_thread(settings.save, self.data_dir, copy.deepcopy(new))
            old = self.settings.csms
            self.settings = new
            self.settings_error = None
            if self.engine is not None and _listeners(new.csms) == _listeners(old):
                await self._reconfigure()
                return False
            await self._restart()
            return True

    async def set_charger_mode(self, charger_id: str, mode: model.Mode) -> None:
        """Strict or tolerant for one charger, now and in the saved settings."""
        async with self._lock():
            self.settings.csms.charger_modes[charger_id] = mode
            await asyncio.to_thread(settings.save, self.data_dir, copy.deepcopy(self.settings))
            await self._reconfigure()

    async def set_test_tags(self, tags: dict[str, dict[str, str]]) -> None:
        """The test tags (RFID cards) the CSMS answers from, now and in the saved settings; checked first."""
        for token, entry in tags.items():
            problem = csms_policy.tag_problem(token, entry)
            if problem:
                raise errors.ConfigError(f"Not saved: {problem}.", hint="Correct the tag and save again.")
        async with self._lock():
            new = copy.deepcopy(self.settings)
            new.csms.id_tags = {token: dict(entry) for token, entry in tags.items()}
            await asyncio.to_thread(settings.save, self.data_dir, copy.deepcopy(new))  # saved, then in force
            self.settings.csms.id_tags = new.csms.id_tags
            await self._reconfigure()

    async def _reconfigure(self) -> None:
        engine = self.engine
        if engine is not None:
            await asyncio.wrap_future(engine.submit(engine.reconfigure(self._engine_config())))

    async def start_demo(self, version: str) -> str:
        """Start a demo charger on the running CSMS; returns its id."""
        engine, chargers = self.engine, self.demo
        if engine is None or chargers is None:
            raise errors.CsmsError("Demo chargers need the CSMS to be running.", hint="Fix the port in Settings first.")
        return await asyncio.wrap_future(engine.submit(chargers.start(version)))

    def demo_consoles(self) -> list[serial_console.PortInfo]:
        """The demo chargers' serial consoles, as ports the Console page lists beside the real ones."""
        chargers = self.demo
        if self.engine is None or chargers is None:
            return []
        return [serial_console.PortInfo(path, f"Demo charger {charger_id} (virtual console)", "", "")
                for charger_id, path in sorted(chargers.consoles().items())]

    async def stop_demos(self) -> int:
        engine, chargers = self.engine, self.demo
        if engine is None or chargers is None:
            return 0
        return await asyncio.wrap_future(engine.submit(chargers.stop_all()))

    def _lock(self) -> asyncio.Lock:
        if self._changing is None:
            self._changing = asyncio.Lock()
        return self._changing

    def shutdown(self) -> None:
        """Stop everything (blocking: at exit). The engine's stop ends the demo chargers too."""
        self.demo = None
        if self.engine is not None:
            self.engine.stop_thread()
            self.engine = None
        if self._runs is not None:
            self._runs.close()
            self._runs = None


def _listeners(config: csms_policy.CsmsConfig) -> tuple:
    """What only a restart applies: the sockets, and the TLS context (CA folder, expired certificates)."""
    return (config.host, config.port, tls_wanted(config), config.tls_port, config.ca_dir, config.renew_expired)


def _start_engine(config: csms_policy.CsmsConfig, data_dir: pathlib.Path,
                  store: vault.Vault) -> tuple[csms_engine.Engine, list[str]]:
    """Build and start an engine in its thread (any thread: touches no Core state but the thread-safe vault)."""
    engine = build_engine(config, data_dir, store)
    try:
        urls = engine.start_in_thread()
    except BaseException:
        engine.stop_thread()  # also closes its journal
        raise
    return engine, urls
