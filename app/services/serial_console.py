"""Reach a charger over its serial/USB console: list ports, read and write settings, reboot.

The vendor profile's `[console]` section says how the console talks; app.domain.console's
Conversation decides what to send; this module only moves bytes with pyserial. The pyserial I/O
blocks, so it never runs on an event loop: the CLI calls `ConsoleSession` directly, async callers
use `AsyncConsoleSession` (each call in `asyncio.to_thread`). Every call opens the port, logs in,
does its commands, logs out and closes it again, so a charger unplugged and plugged back in (or
a console that came back) simply works on the next call. The whole exchange is written to
<data>/console/<port>-<time>.log, passwords masked. Qt-free.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import errno
import logging
import os
import pathlib
import re
import time
from collections.abc import Callable
from typing import Any

import serial
import serial.tools.list_ports

from app.domain import console as console_model
from app.domain import errors
from app.services import vendors

log = logging.getLogger(__name__)

_PARITY = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD,
           "M": serial.PARITY_MARK, "S": serial.PARITY_SPACE}
_STOPBITS = {1: serial.STOPBITS_ONE, 1.5: serial.STOPBITS_ONE_POINT_FIVE, 2: serial.STOPBITS_TWO}
READ_SLICE = 0.2  # seconds one blocking read may wait; the deadline is the profile's timeout


@dataclasses.dataclass(frozen=True)
class PortInfo:
    device: str
    description: str
    vid_pid: str  # "0403:6001", "" when not USB
    serial_number: str

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


def list_ports() -> list[PortInfo]:
    """The serial ports the system knows now (USB adapters, built-in UARTs), sorted by device."""
    found = []
    for port in serial.tools.list_ports.comports():
        vid_pid = f"{port.vid:04X}:{port.pid:04X}" if port.vid is not None and port.pid is not None else ""
        description = port.description if port.description and port.description != "n/a" else ""
        found.append(PortInfo(port.device, description, vid_pid, port.serial_number or ""))
    return sorted(found, key=lambda p: p.device)


@dataclasses.dataclass(frozen=True)
class LineSettings:
    baud: int
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1
    flow_control: str = "none"

    @classmethod
    def of(cls, profile: console_model.ConsoleProfile, baud: int | None = None) -> LineSettings:
        return cls(baud or profile.baud, profile.bytesize, profile.parity, profile.stopbits, profile.flow_control)

    def describe(self) -> str:
        return f"{self.baud} {self.bytesize}{self.parity}{self.stopbits:g}, flow control {self.flow_control}"


def _open_serial(port: str, line: LineSettings, timeout: float = READ_SLICE) -> Any:
    return serial.Serial(port=port, baudrate=line.baud, bytesize=line.bytesize, parity=_PARITY[line.parity],
                         stopbits=_STOPBITS[line.stopbits], timeout=timeout, write_timeout=5,
                         rtscts=line.flow_control == "rtscts", xonxoff=line.flow_control == "xonxoff",
                         dsrdtr=line.flow_control == "dsrdtr", exclusive=True)


def open_port(port: str, line: LineSettings, opener: Callable[..., Any] = _open_serial, **options: Any) -> Any:
    """pyserial's open, its failures said as domain errors with what to try."""
    try:
        return opener(port, line, **options)
    except (serial.SerialException, OSError) as exc:
        code = getattr(exc, "errno", None)
        if code == errno.ENOENT or not os.path.exists(port) and not port.upper().startswith("COM"):
            raise errors.PortNotFoundError(
                f"There is no serial port {port}.", port=port,
                hint="Plug in the USB adapter and check the name: `commissioner serial list` shows the ports.") from exc
        if code in (errno.EACCES, errno.EPERM):
            raise errors.PortNotFoundError(
                f"No permission to open {port}.", port=port,
                hint="On Linux add yourself to the dialout group (then log in again); close other programs "
                     "using the port.") from exc
        raise errors.PortGoneError(f"Cannot open {port}: {exc}.", port=port,
                                   hint="Close any other program using the port (a terminal, a modem manager) "
                                        "and plug the adapter in again.") from exc


def log_file(data_dir: pathlib.Path, port: str, suffix: str = "") -> pathlib.Path:
    """<data>/console/<port>-<time><suffix>.log: one file per session, never over an older one."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", port.strip("/\\")) or "port"
    return data_dir / "console" / f"{name}-{stamp}{suffix}.log"


def append_log(path: pathlib.Path, line: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(f"{datetime.datetime.now().isoformat(timespec='milliseconds')} {line}\n")
    except OSError as exc:
        raise errors.StorageError(f"Cannot write the console log {path}: {exc.strerror or exc}.",
                                  hint="Check that the data folder is writable.") from exc


class ConsoleSession:
    """One charger's console on one port. Blocking: call it from a worker thread (or the CLI)."""

    def __init__(self, port: str, profile: vendors.VendorProfile, *, password: str | None = None,
                 user: str | None = None, baud: int | None = None, data_dir: pathlib.Path | None = None,
                 timeout: float | None = None, opener: Callable[..., Any] = _open_serial,
                 clock: Callable[[], float] = time.monotonic, on_line: Callable[[str], None] | None = None) -> None:
        if profile.console is None:
            raise errors.ConfigError(f"The vendor profile {profile.id} describes no serial console.",
                                     hint="Choose a profile with a [console] section, or add one to it.")
        self.port = port
        self.profile = profile
        self.console = profile.console
        self.password = profile.console.default_password if password is None else password
        self.user = user
        self.line = LineSettings.of(profile.console, baud)
        self.timeout = timeout or profile.console.timeout
        self._opener = opener
        self._clock = clock
        self.on_line = on_line  # each line of the exchange as logged (secrets masked), from the I/O thread
        self.log_path = log_file(data_dir, port) if data_dir is not None else None

    # -- what callers ask for -------------------------------------------------------------------

    def read_settings(self, keys: list[str] | None = None) -> dict[str, str]:
        """The mapped settings the console can show (all readable ones without `keys`)."""
        wanted = keys or [k for k, spec in self.console.settings.items() if spec.get]
        for key in wanted:
            self._check_key(key, "get")
        results = self._run(lambda conversation: [conversation.get(key) for key in wanted])
        return {event.setting: event.value or "" for event in results if isinstance(event, console_model.Result)}

    def set_settings(self, values: dict[str, str]) -> None:
        for key in values:
            self._check_key(key, "set")
        self._run(lambda conversation: [conversation.set(key, value) for key, value in values.items()])

    def reboot(self) -> str:
        """Send the reboot command; returns the charger's answer."""
        events = self._run(lambda conversation: conversation.reboot())
        return next((e.text for e in events if isinstance(e, console_model.Rebooted)), "")

    def _check_key(self, key: str, verb: str) -> None:
        spec = self.console.settings.get(key)
        if spec is None or not (spec.get if verb == "get" else spec.set):
            can = [k for k, s in self.console.settings.items() if (s.get if verb == "get" else s.set)]
            raise errors.ConfigError(f"The profile {self.profile.id} cannot {verb} {key!r} over the console.",
                                     hint=f"It can {verb}: {', '.join(can) or 'nothing'}.")

    # -- the exchange ---------------------------------------------------------------------------

    def _run(self, prepare: Callable[[console_model.Conversation], Any]) -> list[console_model.Event]:
        conversation = console_model.Conversation(self.console, self.password, self.user)
        prepare(conversation)
        link = self._open()
        self._log(f"-- open {self.port} at {self.line.describe()} (profile {self.profile.id})")
        outcomes: list[console_model.Event] = []
        try:
            deadline = self._clock() + self.timeout
            while True:
                self._write(link, conversation.outgoing())
                self._log_conversation(conversation)
                if conversation.state == "rebooted" or conversation.idle:
                    break
                if self._clock() > deadline:
                    suspect = conversation.parser.suspect()
                    if suspect is not None:
                        self._raise_for(suspect, conversation)
                    raise errors.ConsoleTimeoutError(
                        f"The console on {self.port} did not answer: waited {self.timeout:g} s for "
                        f"{conversation.waiting_for}.", port=self.port,
                        hint=f"Check the cable and that the charger is on; check the line settings "
                             f"({self.line.describe()}) and the profile's prompt pattern against the session log.")
                for event in conversation.receive(self._read(link)):
                    if isinstance(event, (console_model.Prompt, console_model.LoggedIn, console_model.Result)):
                        deadline = self._clock() + self.timeout  # progress: the next answer gets its own time
                    self._raise_for(event, conversation)
                    if isinstance(event, (console_model.Result, console_model.Rebooted)):
                        outcomes.append(event)
            if conversation.state == "ready" and self.console.logout:
                self._write(link, (self.console.logout + self.console.line_ending).encode())
                self._log(f">> {self.console.logout}")
            return outcomes
        finally:
            self._log_conversation(conversation)
            self._log(f"-- close {self.port}")
            try:
                link.close()
            except (OSError, serial.SerialException):
                pass

    def _raise_for(self, event: console_model.Event, conversation: console_model.Conversation) -> None:
        if isinstance(event, console_model.Garbage):
            raise errors.GarbageError(
                f"The console on {self.port} sends unreadable bytes ({event.ratio:.0%} not text) at {self.line.describe()}.",
                port=self.port,
                hint=f"The baud rate or line settings are probably wrong: try the profile's {self.console.baud} baud "
                     "or the one in the charger's manual (--baud), and check the adapter's wiring (TX/RX, GND).")
        if isinstance(event, console_model.LoginFailed):
            raise errors.LoginRefusedError(
                f"The console on {self.port} refused the login ({event.text}).", port=self.port,
                hint="Check the user and the password (--password); the charger's manual or sticker has the default.")
        if isinstance(event, console_model.Rejected):
            raise errors.CommandRejectedError(self.port, event.setting, event.command, event.text)

    # -- pyserial, with its failures said -------------------------------------------------------

    def _open(self) -> Any:
        return open_port(self.port, self.line, self._opener)

    def _gone(self, exc: Exception, doing: str) -> errors.PortGoneError:
        vanished = not os.path.exists(self.port)
        return errors.PortGoneError(
            f"The serial port {self.port} " + ("disappeared" if vanished else "failed") + f" while {doing}: {exc}.",
            port=self.port,
            hint="Check the cable and the adapter (was it unplugged?), plug it back in and try again; "
                 "the next command opens the port afresh.")

    def _write(self, link: Any, data: bytes) -> None:
        if not data:
            return
        try:
            link.write(data)
            link.flush()
        except (serial.SerialException, OSError) as exc:
            raise self._gone(exc, "sending") from exc

    def _read(self, link: Any) -> bytes:
        try:
            waiting = link.in_waiting
            return link.read(max(1, min(waiting, 4096)))
        except (serial.SerialException, OSError, TypeError) as exc:
            # TypeError: pyserial reading a port closed under it (fd None) on some versions
            raise self._gone(exc, "waiting for the answer") from exc

    # -- the session log ------------------------------------------------------------------------

    def _log_conversation(self, conversation: console_model.Conversation) -> None:
        for line in conversation.log_lines():
            self._log(line)

    def _log(self, line: str) -> None:
        log.debug("%s %s", self.port, line)
        if self.on_line is not None:
            self.on_line(line)
        if self.log_path is not None:
            append_log(self.log_path, line)


class AsyncConsoleSession:
    """The same calls for an event loop: the blocking I/O goes to a worker thread."""

    def __init__(self, session: ConsoleSession) -> None:
        self.session = session

    async def read_settings(self, keys: list[str] | None = None) -> dict[str, str]:
        return await asyncio.to_thread(self.session.read_settings, keys)

    async def set_settings(self, values: dict[str, str]) -> None:
        await asyncio.to_thread(self.session.set_settings, values)

    async def reboot(self) -> str:
        return await asyncio.to_thread(self.session.reboot)


# -- the technician's terminal -----------------------------------------------------------------

TERMINAL_SLICE = 0.05  # seconds a read may block: what a typed line waits at most to go out
RECONNECT_S = 1.0  # how often a port that went away is tried again


class Terminal:
    """A console held open for a person typing. One thread owns the port: it reads (bytes to
    `on_data`), sends what `send` queued, and when the port goes away (cable out, adapter
    unplugged) says so through `on_state` and opens it again as soon as it is back. The whole
    session goes to `log_path` (serial_console.log_file); a line typed after a password
    prompt of the profile is logged masked. Callbacks come from the I/O thread."""

    def __init__(self, port: str, line: LineSettings, *, on_data: Callable[[bytes], None],
                 on_state: Callable[[str, str, str], None], log_path: pathlib.Path | None = None,
                 secret_prompts: tuple[re.Pattern[str], ...] = (), opener: Callable[..., Any] = _open_serial,
                 reconnect_s: float = RECONNECT_S) -> None:
        import queue
        import threading
        self.port, self.line = port, line
        self._on_data, self._on_state = on_data, on_state
        self._secret_prompts = secret_prompts
        self._opener, self._reconnect_s = opener, reconnect_s
        self.log_path = log_path  # the page's session log (its profile actions write there too)
        self._outgoing: queue.Queue[bytes] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"terminal {port}", daemon=True)
        self._tail = ""  # the received text since the last line end: a prompt is there
        self._received = ""  # received text not yet logged as a whole line
        self.state = "closed"

    def start(self) -> None:
        self._thread.start()

    def send(self, text: str, line_ending: str = "\r\n") -> None:
        """Queue a line (or raw text with line_ending=""); it is logged masked after a password prompt."""
        secret = any(p.search(self._tail) for p in self._secret_prompts)
        self._log(">> " + ("********" if secret and text else text))
        self._outgoing.put((text + line_ending).encode())

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread and close the port (blocking up to `timeout`: call it off the GUI thread)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    # -- the I/O thread -------------------------------------------------------------------------

    def _say(self, state: str, message: str, hint: str = "") -> None:
        self.state = state
        self._log(f"-- {message}")
        self._on_state(state, message, hint)

    def _serve(self) -> None:
        link = None
        announced = False
        try:
            while not self._stop.is_set():
                if link is None:
                    try:
                        link = open_port(self.port, self.line, self._opener, timeout=TERMINAL_SLICE)
                    except errors.ConsoleError as exc:
                        if not announced:
                            self._say("waiting", exc.message, exc.hint + " Commissioner opens it as soon as it is there.")
                            announced = True
                        self._stop.wait(self._reconnect_s)
                        continue
                    announced = False
                    self._say("open", f"Connected to {self.port} at {self.line.describe()}.")
                try:
                    while not self._outgoing.empty():
                        link.write(self._outgoing.get_nowait())
                        link.flush()
                    data = link.read(max(1, min(link.in_waiting, 4096)))
                except (serial.SerialException, OSError, TypeError) as exc:
                    self._drop(link)
                    link = None
                    self._say("waiting", f"The serial port {self.port} went away ({exc}).",
                              "Check the cable and the adapter and plug it back in: the terminal reconnects by itself.")
                    announced = True
                    continue
                if data:
                    self._received_bytes(data)
        finally:
            self._drop(link)
            self._flush_received()
            self._say("closed", f"Disconnected from {self.port}.")

    @staticmethod
    def _drop(link: Any) -> None:
        if link is not None:
            try:
                link.close()
            except (OSError, serial.SerialException):
                pass

    def _received_bytes(self, data: bytes) -> None:
        text = data.decode("utf-8", errors="replace")
        *lines, rest = (self._received + text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for line in lines:
            self._log("<< " + line)
        self._received = rest
        self._tail = rest
        self._on_data(data)

    def _flush_received(self) -> None:
        if self._received:
            self._log("<< " + self._received)
            self._received = ""

    def _log(self, line: str) -> None:
        if self.log_path is not None:
            try:
                append_log(self.log_path, line)
            except errors.StorageError as exc:  # the terminal keeps working; the log says it once
                log.warning("%s", exc.message)
                self.log_path = None


def secret_prompts(profile: vendors.VendorProfile | None) -> tuple[re.Pattern[str], ...]:
    """What a console shows before it asks for a password (the profile's secret login steps)."""
    if profile is None or profile.console is None:
        return (re.compile(r"(?i)password: ?$"),)
    return tuple(step.expect for step in profile.console.login if step.secret) or (re.compile(r"(?i)password: ?$"),)


def can(profile: vendors.VendorProfile, verb: str) -> list[str]:
    """The mapped settings the profile's console can read ("get") or write ("set")."""
    if profile.console is None:
        return []
    return [k for k, spec in profile.console.settings.items() if (spec.get if verb == "get" else spec.set)]


def backend_url(profile: vendors.VendorProfile, base_url: str, charger_id: str) -> str:
    """The backend URL as this charger writes it: with its id at the end, or without (it adds it)."""
    spec = profile.settings.get("ocpp_url")
    base = base_url.rstrip("/")
    return f"{base}/{charger_id}" if spec is not None and spec.includes_id else base


def point_at(session: ConsoleSession, base_url: str, charger_id: str, *, reboot: bool = True) -> dict[str, str]:
    """Set the charger's backend URL (and id, where the console can) to `base_url`, then reboot it
    so it connects there now. Returns what was set."""
    charger_id = charger_id.strip()
    if not charger_id or any(c in charger_id for c in "/:# ?"):
        raise errors.ConfigError(f"{charger_id!r} is not a usable charger id.",
                                 hint="Read the settings first, or type the id the charger should use (no / : # ? or spaces).")
    if not base_url.startswith(("ws://", "wss://")):
        raise errors.ConfigError(f"{base_url!r} is not a ws:// or wss:// URL.",
                                 hint="The CSMS address is on the Connect panel (e.g. ws://192.168.1.10:9000/).")
    writable = can(session.profile, "set")
    if "ocpp_url" not in writable:
        raise errors.ConfigError(f"The profile {session.profile.id} cannot set the backend URL over the console.",
                                 hint=f"It can set: {', '.join(writable) or 'nothing'}.")
    values = {"ocpp_url": backend_url(session.profile, base_url, charger_id)}
    if "charge_point_id" in writable:
        values["charge_point_id"] = charger_id
    session.set_settings(values)
    if reboot:
        session.reboot()
    return values
