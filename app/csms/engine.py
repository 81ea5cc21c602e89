"""The CSMS engine: owns one asyncio loop, the server, the registry and the journal.

Headless (`serve`, tests, bench) the loop runs in the main thread via `run()`; under the GUI,
`start_in_thread()` runs it in a worker thread so a busy bench never stalls the window.
Other threads talk to it only through `submit()` (thread-safe futures) and `subscribe()`
(listeners are called on the engine thread and must only hand the event over, e.g. to a queue).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import gc
import itertools
import logging
import pathlib
import signal
import threading
from typing import Any, Callable, Coroutine, TypeVar

from app.csms import expectations, tasks
from app.csms import registry as csms_registry
from app.csms import server as csms_server
from app.domain import csms_policy, errors, model, secrets
from app.ocpp import rpc_session as ocpp_session
from app.ocpp import schemas as ocpp_schemas
from app.storage import journal as storage_journal

log = logging.getLogger(__name__)
T = TypeVar("T")
Listener = Callable[[model.Event], None]
ADDRESS_CHECK_S = 60.0  # how often the wss:// port's certificates are checked against the LAN addresses
GC_THRESHOLD = 50_000  # allocations between young-generation collections (CPython's default: 700)


_frozen = False  # gc.freeze() done once per process, at the first engine start

class Engine:
    """Owns the loop, and on it the server, registry, watches and tasks; the journal is its sink.

    The journal and the server may be passed in (a file server, the CA and TLS contexts sit
    beside them); by default the engine builds both. `addresses()` lists the laptop's LAN
    addresses for the URLs it reports (injected by the composition root; none by default).
    """

    def __init__(self, config: csms_policy.CsmsConfig, data_dir: pathlib.Path,
                 clock: Callable[[], int] = ocpp_session.now_ms, *,
                 journal: storage_journal.Journal | None = None,
                 server: csms_server.CsmsServer | None = None,
                 addresses: Callable[[], list[str]] = list,
                 request_ids: Callable[[], int] | None = None,
                 files: Any = None, energy: Any = None) -> None:
        self.config = config
        self.data_dir = data_dir
        self.clock = clock
        self.journal = journal if journal is not None else storage_journal.Journal(data_dir)
        self.journal.on_error = self._journal_failed
        self.journal.on_written = self._journal_written
        self.registry = csms_registry.Registry()
        self.messages = expectations.MessageHub()
        self.tasks = tasks.TaskRunner(self._emit, clock)
        self.server = server if server is not None else csms_server.CsmsServer(config, clock=clock)
        self.server.attach(self._record, self._emit, self.messages.deliver)
        if self.server.certificates is not None:  # CertificateSigned goes out as any call of ours
            self.server.certificates.attach(self.call, self._emit, clock, profile_of=self._profile_of)
        self._address_watch: asyncio.Task | None = None
        self._addresses = addresses
        # The built-in file server (app.files.server.FileServer), started and stopped with the CSMS;
        # its events (Transfer) go out with the engine's.
        self.files = files
        if files is not None:
            files.attach(self._emit)
        # Sessions and meter samples (storage.energy.EnergyIndex), indexed from the journal as it writes.
        self.energy = energy
        # requestId of GetBaseReport, GetLog, UpdateFirmware...: distinct across restarts of the app.
        self.next_request_id = request_ids or itertools.count(clock() // 1000 % 1_000_000 * 10).__next__
        self._listeners: tuple[Listener, ...] = ()
        self._listeners_lock = threading.Lock()  # also guards _submitted
        self._loop_ending = False
        self._submitted: set[concurrent.futures.Future] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._starting: asyncio.Task | None = None  # worker-thread mode: the start still under way
        self._stopped: asyncio.Event | None = None
        self._stop_task: asyncio.Future | None = None
        self._warm_task: asyncio.Future | None = None
        self.urls: list[str] = []
        self.file_urls: list[str] = []  # the file server's, for the connection panel
        self.files_error: errors.CommissionerError | None = None  # why the file server is not running
        self.failure: errors.CommissionerError | None = None  # why the engine cannot go on (journal)
        self.stop_on_failure = False  # headless serve: a journal that cannot write ends the CSMS

    # ---------------------------------------------------------------- events

    def subscribe(self, listener: Listener) -> None:
        """Any thread. The listener runs on the engine thread and must only hand the event over."""
        with self._listeners_lock:
            self._listeners = (*self._listeners, listener)

    def unsubscribe(self, listener: Listener) -> None:
        with self._listeners_lock:
            # == , not is: a bound method is a new object at every attribute access
            self._listeners = tuple(x for x in self._listeners if x != listener)

    def _emit(self, event: model.Event) -> None:
        self.registry.apply(event)
        for listener in self._listeners:  # a snapshot: (un)subscribing from another thread is safe
            try:
                listener(event)
            except Exception:
                log.exception("event listener failed")

    def _record(self, frame: model.Frame) -> None:
        # A password or key the app (or a charger) sends is never stored or shown in the clear.
        payload = secrets.masked_payload(frame.payload)
        if payload is not frame.payload:
            frame = dataclasses.replace(frame, payload=payload)
        self.journal.append(frame)
        self.registry.frame(frame)

    def _journal_written(self, frames: list[model.Frame]) -> None:
        """From the journal's writer thread, per committed batch: announce the frames now durable."""
        if self.energy is not None:
            self.energy.poke()  # its own thread reads them from the journal: the writer never waits
        loop = self.loop
        if loop is None or loop.is_closed() or not self._listeners:
            return
        try:
            loop.call_soon_threadsafe(self._announce, frames)
        except RuntimeError:  # the loop closed meanwhile: nobody is listening any more
            pass

    def _announce(self, frames: list[model.Frame]) -> None:
        # Frame events only once the frame is on disk: what anyone was shown survives kill -9.
        for frame in frames:
            self._emit(model.FrameEvent(frame.charger_id, frame.ts_ms, frame.direction, frame.message_type,
                                        frame.action, frame.unique_id, frame.latency_ms, frame.warnings))

    def _journal_failed(self, error: errors.StorageError) -> None:
        """From the journal's writer thread, once: tell everyone, on the loop."""
        loop = self.loop
        if loop is None or loop.is_closed():
            self.failure = error
            return
        try:
            loop.call_soon_threadsafe(self._on_journal_failed, error)
        except RuntimeError:  # the loop closed meanwhile
            self.failure = error

    def _on_journal_failed(self, error: errors.StorageError) -> None:
        self.failure = error
        log.error("%s %s", error.message, error.hint)
        self._emit(model.JournalFailed("", self.clock(), error.message, error.hint))
        if self.stop_on_failure:
            self.request_stop()

    # ---------------------------------------------------------------- what workflows need (on the loop)

    def watch(self, charger_id: str, action: str,
              predicate: expectations.Predicate | None = None) -> expectations.Watch:
        """Queue every matching message the charger sends from now on (open it before sending)."""
        self._on_loop("watch()")
        return self.messages.watch(charger_id, action, predicate)

    def watch_any(self, charger_id: str, actions: tuple[str, ...]) -> expectations.AnyWatch:
        """One queue of (action, payload, received ms by the engine's clock) for every message of
        `actions` the charger sends from now on, in arrival order."""
        self._on_loop("watch_any()")
        return self.messages.watch_any(charger_id, actions, self.clock)

    def _on_loop(self, what: str) -> None:
        # Watches belong to the engine loop; from another thread their wake-ups would be lost.
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if self.loop is not None and running is not self.loop:
            raise RuntimeError(f"{what} runs on the engine loop: wrap the workflow in engine.submit()")

    async def expect(self, charger_id: str, action: str, predicate: expectations.Predicate | None = None,
                     timeout: float | None = 30.0) -> dict[str, Any]:
        """The next matching message of that charger (camelCase payload); ExpectTimeoutError."""
        self._on_loop("expect()")
        return await self.messages.expect(charger_id, action, predicate, timeout)

    # ---------------------------------------------------------------- lifecycle (on the loop)

    async def start(self) -> list[str]:
        """Start listening; returns the URLs chargers can use. Raises PortInUseError."""
        self.loop = asyncio.get_running_loop()
        if self.failure is not None:  # the journal failed before the loop existed
            raise self.failure
        # A big frame allocates hundreds of thousands of objects in its worker thread; each
        # cyclic-GC pass over them holds the GIL. Objects alive since start-up (modules,
        # schemas) are frozen out of the collector's way, and young collections run less often.
        # Only the first start freezes: a later one (a restart) would freeze its predecessor with
        # it, while the window still holds it, and a frozen cycle is never freed.
        global _frozen
        if not _frozen:
            gc.collect()
            gc.freeze()
            _frozen = True
        gc.set_threshold(max(gc.get_threshold()[0], GC_THRESHOLD), *gc.get_threshold()[1:])
        self._stopped = asyncio.Event()
        if self.energy is not None:
            self.energy.start()
        await self.server.start()
        # Compile the busiest validators after listening, off the loop: startup stays quick and
        # the first BootNotification does not pay the compile (~6 ms a schema).
        self._warm_task = asyncio.ensure_future(asyncio.to_thread(ocpp_schemas.warm))
        host, port = self.config.host, self.server.port
        hosts = ["127.0.0.1", *self._addresses()] if host in ("0.0.0.0", "", "::") else [host]
        self.urls = [f"{self.server.scheme}://{h}:{port}/" for h in hosts]
        if self.server.tls_port is not None:  # the wss:// listener beside ws://
            self.urls += [f"wss://{h}:{self.server.tls_port}/" for h in hosts]
            self._address_watch = asyncio.ensure_future(self._watch_addresses())
        if self.files is not None:
            # A file server that cannot listen (its port taken) leaves the CSMS up: firmware and logs
            # then say why they cannot be served (services.transfer_jobs), the window shows `files_error`.
            try:
                await self.files.start()
                self.file_urls = self.files.urls(hosts)
            except errors.CommissionerError as exc:
                self.files_error = exc
                log.warning("file server: %s %s", exc.message, exc.hint)
        self._emit(model.Listening("", self.clock(), self.urls, list(self.file_urls)))
        return self.urls

    async def _watch_addresses(self) -> None:
        """The laptop joined another network: the server certificates are issued again to cover its
        new addresses (new TLS connections get them; open ones keep theirs)."""
        signer = self.server.certificates
        while True:
            await asyncio.sleep(ADDRESS_CHECK_S)
            try:
                fresh = await asyncio.to_thread(signer.refresh_blocking)
            except errors.CommissionerError as exc:
                log.warning("the server certificates could not be issued again: %s %s", exc.message, exc.hint)
                continue
            except Exception:  # a full disk, a bad key file: said, and tried again at the next check
                log.exception("the server certificates could not be issued again")
                continue
            if fresh is not None:
                self.server.tls_context = fresh  # new handshakes get it; open connections keep theirs
                log.info("server certificates issued again (new addresses of this laptop, or near their end)")

    def _profile_of(self, charger_id: str) -> int:
        """The security profile of the charger's current connection (0 when it has none)."""
        info = self.registry.chargers.get(charger_id)
        return info.security_profile if info is not None and info.connected else 0

    async def stop(self) -> None:
        if self._address_watch is not None:
            self._address_watch.cancel()
            await asyncio.gather(self._address_watch, return_exceptions=True)
            self._address_watch = None
        await self.tasks.close()  # workflows and demo chargers first: they talk through the server
        await self.server.stop()
        if self.files is not None:
            await self.files.stop()
        gc.unfreeze()  # this engine is frozen with the start-up objects: once unreferenced it must be freed
        await asyncio.to_thread(self.journal.flush)
        if self.energy is not None:
            await asyncio.to_thread(self._energy_last)
        if self._stopped is not None:
            self._stopped.set()

    async def serve_forever(self, started: Callable[[list[str]], None] | None = None) -> None:
        """Headless: run until a signal or `request_stop`; raises what made the engine fail."""
        self.stop_on_failure = True
        urls = await self.start()
        if started is not None:
            started(urls)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self.request_stop)
        assert self._stopped is not None
        await self._stopped.wait()
        if self.failure is not None:
            raise self.failure

    def _energy_last(self) -> None:
        """Stop the index's thread and index what the journal wrote last (blocking)."""
        self.energy.stop()
        try:
            self.energy.catch_up()
        except errors.StorageError as exc:
            log.warning("%s %s", exc.message, exc.hint)

    def close(self) -> None:
        """Release the journal (after the loop has stopped)."""
        self.journal.close()
        if self.energy is not None:
            self.energy.close()

    # ---------------------------------------------------------------- worker-thread mode (GUI)

    def start_in_thread(self, timeout: float = 10.0) -> list[str]:
        """Run the engine on its own loop in a worker thread; returns once it listens.

        On failure (port busy, timeout) the thread is stopped before the error is raised.
        """
        ready: concurrent.futures.Future[list[str]] = concurrent.futures.Future()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)

            async def main() -> None:
                self._starting = asyncio.current_task()
                try:
                    urls = await self.start()
                except BaseException as exc:  # incl. the cancel of a start that timed out
                    if not ready.done():
                        ready.set_exception(exc)
                    return
                finally:
                    self._starting = None
                ready.set_result(urls)
                assert self._stopped is not None
                await self._stopped.wait()

            try:
                loop.run_until_complete(main())
                # From here the loop only winds down: a late stop request (a second stop_thread)
                # must not start a stop() that nothing would await.
                self._loop_ending = True
                _cancel_all(loop)
            finally:
                loop.close()
                self._fail_submissions()

        self._thread = threading.Thread(target=run, name="csms-engine", daemon=True)
        self._thread.start()
        try:
            return ready.result(timeout)
        except concurrent.futures.TimeoutError:
            loop = self.loop
            if loop is not None:
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._cancel_start)
            self.stop_thread()
            raise errors.CsmsError(f"The CSMS did not start within {timeout:g} s.",
                                   hint="Restart Commissioner; if it happens again, see the log file.") from None

    def _cancel_start(self) -> None:
        if self._starting is not None:
            self._starting.cancel()

    def stop_thread(self, timeout: float = 15.0) -> None:
        """Stop the worker-thread engine and release the journal; safe to call more than once."""
        thread, loop = self._thread, self.loop
        if thread is not None and loop is not None:
            try:
                # The coroutine is made on the loop itself, so a loop that is already closing
                # cannot leave a never-awaited stop() behind.
                loop.call_soon_threadsafe(self.request_stop)
            except RuntimeError:
                pass  # loop closed: the thread is ending on its own (e.g. start failed)
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                # Never close the journal under a thread that may still write to it.
                log.error("CSMS engine thread did not stop within %s s; journal left open", timeout)
                return
        self._thread = None
        self.close()

    def request_stop(self) -> None:
        """On the loop: start stopping (signals, other threads via call_soon_threadsafe); kept referenced."""
        if self._stop_task is None and not self._loop_ending:
            self._stop_task = asyncio.ensure_future(self.stop())

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run a coroutine on the engine loop from any thread.

        Raises CsmsError when the engine is not running (or already stopping): a caller racing
        a restart gets an answer instead of a future that never resolves.
        """
        loop = self.loop
        if loop is None or loop.is_closed() or self._stop_task is not None:
            coro.close()
            raise errors.CsmsError("The CSMS is not running.", hint="Wait until it has (re)started, then try again.")
        try:
            future = asyncio.run_coroutine_threadsafe(coro, loop)
        except RuntimeError:  # closed between the check and the call
            coro.close()
            raise errors.CsmsError("The CSMS is not running.",
                                   hint="Wait until it has (re)started, then try again.") from None
        with self._listeners_lock:
            self._submitted.add(future)
        future.add_done_callback(self._submission_done)
        return future

    def _submission_done(self, future: concurrent.futures.Future) -> None:
        with self._listeners_lock:
            self._submitted.discard(future)

    def _fail_submissions(self) -> None:
        """After the loop closed: whatever never ran is failed, so nobody waits for it forever."""
        with self._listeners_lock:
            left, self._submitted = self._submitted, set()
        for future in left:
            if not future.done():
                future.set_exception(errors.CsmsError("The CSMS stopped before this could run.",
                                                      hint="Try again once it is running."))

    # ---------------------------------------------------------------- operations (on the loop)

    async def reconfigure(self, config: csms_policy.CsmsConfig) -> None:
        """Apply new answers/policies live (host and port need a restart). On the loop: no races."""
        for field in dataclasses.fields(config):
            if field.name not in ("host", "port"):
                setattr(self.config, field.name, getattr(config, field.name))
        self.server.apply_modes()

    async def call(self, charger_id: str, action: str, payload: dict[str, Any],
                   timeout: float | None = None) -> dict[str, Any]:
        session = self.server.session(charger_id)
        result = await session.call(action, payload, timeout)
        # A password the charger took through this call is the one the CSMS expects from now on.
        self.server.call_answered(charger_id, session.version, action, payload, result)
        return result

    async def send(self, charger_id: str, request: Any, timeout: float | None = None) -> Any:
        return await self.server.session(charger_id).send(request, timeout)

    def local_host(self, charger_id: str) -> str | None:
        """The laptop's address as this charger reaches it (for URLs given to it); None: not connected."""
        return self.server.local_host(charger_id)

    def chargers(self) -> list[model.ChargerInfo]:
        return [dataclasses.replace(info, connectors=dict(info.connectors), warnings=list(info.warnings),
                                    transactions=dict(info.transactions), meters=dict(info.meters),
                                    security_events=list(info.security_events))
                for info in self.registry.chargers.values()]

    async def forget(self, charger_id: str) -> bool:
        """Remove a disconnected charger from the list (on the loop); False if it is connected."""
        return self.registry.forget(charger_id)


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    # One turn first: coroutines submitted just before the stop become tasks, and are cancelled
    # too, instead of staying queued on a closed loop.
    for _ in range(10):
        loop.run_until_complete(asyncio.sleep(0))
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        if not pending:
            break
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())


