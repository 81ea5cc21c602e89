"""The websockets server: handshake policy, one RpcSession per charger, clean replacement.

Handshake rules (OCPP-J §3): the charger id is the last path segment, so both
ws://host:port/CP1 and ws://host:port/any/base/path/CP1 work. Subprotocols ocpp2.1,
ocpp2.0.1 and ocpp1.6 are negotiated per connection (newest shared one wins). Many real
chargers send no Sec-WebSocket-Protocol header: tolerant mode assumes 1.6 and records a
compliance warning, strict mode refuses the handshake.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import errno
import hmac
import http
import itertools
import json
import logging
import ssl
import urllib.parse
import weakref
from typing import Any, Callable, Protocol

from websockets import exceptions as ws_exceptions
from websockets.asyncio import server as ws_server
from websockets.http11 import Request, Response

from app.domain import csms_policy
from app.domain import display, errors, model
from app.ocpp import context as ocpp_context
from app.ocpp import rpc_session as ocpp_session
from app.ocpp import v16, v21, v201

log = logging.getLogger(__name__)

SUBPROTOCOLS = ("ocpp2.1", "ocpp2.0.1", "ocpp1.6")  # preference order: newest first
_HANDLERS = {"1.6": v16.CsmsHandlers, "2.0.1": v201.CsmsHandlers, "2.1": v21.CsmsHandlers}
WRITE_QUICK_BYTES = 32 * 1024  # below this much buffered, a send cannot block on a slow reader
NO_SUBPROTOCOL_WARNING = "no Sec-WebSocket-Protocol header: assumed OCPP 1.6"
OLD_PASSWORD_WARNING = ("connected without its new password (let in until it uses it): reboot it so it takes "
                        "the new one, or set the password again")
KEYRING_WAIT_S = 30.0  # a handshake waits this long for the chargers' passwords (a keyring prompt)
KEYRING_RETRY_S = 10.0  # a keyring that would not give them is asked again this often


class SessionFactory(Protocol):
    """Builds the session of one new connection (injected: proxy mode and tests swap it)."""

    def __call__(self, charger_id: str, version: str, send: Callable[[str], Any], *,
                 mode: model.Mode, record: Callable[[model.Frame], None]) -> ocpp_session.RpcSession: ...


# OCPP 2.0.1 Part 4 §3.1: the identity is at most 48 characters from RFC 3986's unreserved set.
MAX_ID_CHARS = 48
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def charger_id_from_path(path: str) -> str:
    segments = [s for s in urllib.parse.urlsplit(path).path.split("/") if s]
    return urllib.parse.unquote(segments[-1], errors="replace") if segments else ""


def charger_id_problem(path: str, charger_id: str) -> str:
    """Why the id in this path is not a spec identity ("" when it is one)."""
    if urllib.parse.urlsplit(path).path.endswith("/"):
        return (f"the URL ends with '/', so the charger id may be missing (read {display.quoted(charger_id)}); "
                "set the backend URL to ws://host:port/<base>/<ChargerId>")
    if len(charger_id) > MAX_ID_CHARS:
        return f"the charger id is {len(charger_id)} characters long; OCPP allows at most {MAX_ID_CHARS}"
    odd = sorted({c for c in charger_id if c not in _UNRESERVED})
    if odd:
        return (f"the charger id {display.quoted(charger_id)} contains characters OCPP does not allow in an "
                f"identity: {' '.join(display.quoted(c) for c in odd[:8])}")
    return ""


class _Link:
    """A live connection: the websocket and its session."""

    __slots__ = ("ws", "session", "replaced")

    def __init__(self, ws: ws_server.ServerConnection, session: ocpp_session.RpcSession) -> None:
        self.ws = ws
        self.session = session
        self.replaced = False


class CsmsServer:
    def __init__(
        self,
        config: csms_policy.CsmsConfig,
        record: Callable[[model.Frame], None] | None = None,
        emit: Callable[[model.Event], None] | None = None,
        clock: Callable[[], int] = ocpp_session.now_ms,
        *,
        deliver: Callable[[str, str, Any], None] | None = None,
        session_factory: SessionFactory | None = None,
        ssl_context: ssl.SSLContext | None = None,
        password_source: Callable[[], dict[str, str]] | None = None,
    ) -> None:
        """`deliver(charger_id, action, payload)` gets every accepted charger-initiated message;
        `session_factory` replaces the standard OCPP session; `ssl_context` makes it wss://;
        `password_source()` gives the chargers' own passwords (blocking: the OS keyring), read in a
        worker thread once listening; handshakes wait for it."""
        self.config = config
        self.password_source = password_source
        self._passwords_loaded: asyncio.Event | None = None
        self.passwords_error: str | None = None  # why the chargers' passwords cannot be read (a locked keyring)
        self._loading: asyncio.Future | None = None
        # During a password switch: the passwords each charger may still use (None: it needed
        # none), until it has connected once with the new one.
        self._previous_passwords: dict[str, list[str | None]] = {}
        self._switched: weakref.WeakSet[Any] = weakref.WeakSet()  # handshakes with the new password
        self._with_old: weakref.WeakSet[Any] = weakref.WeakSet()  # handshakes with a previous one
        self._record: Callable[[model.Frame], None] = record or (lambda frame: None)
        self._emit: Callable[[model.Event], None] = emit or (lambda event: None)
        self._clock = clock
        self._deliver = deliver
        self._session_factory = session_factory or self._standard_session
        self.ssl_context = ssl_context
        self._links: dict[str, _Link] = {}
        self._closing: set[asyncio.Task] = set()  # owned: closes of replaced connections
        # Handshake -> session: what the handshake found wrong but tolerated (e.g. an odd id).
        self._pending_warnings: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
        self._boots = ocpp_context.BootStates()  # each charger's last boot answer, across reconnects
        self.admit_always: set[str] = set()  # the app's own demo chargers, whatever the allow-list
        self._server: ws_server.Server | None = None
        self._transaction_ids = itertools.count(clock() // 1000 % 1_000_000_000)
        self.port = config.port

    def attach(self, record: Callable[[model.Frame], None], emit: Callable[[model.Event], None],
               deliver: Callable[[str, str, Any], None] | None) -> None:
        """Where frames, events and messages go: the engine that owns this server (before start)."""
        self._record, self._emit, self._deliver = record, emit, deliver

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        try:
            self._server = await ws_server.serve(
                self._handle,
                self.config.host,
                self.config.port,
                subprotocols=list(SUBPROTOCOLS),
                select_subprotocol=self._select_subprotocol,
                process_request=self._process_request,
                # permessage-deflate costs CPU on every frame and chargers rarely offer it.
                compression=None,
                # Frames above the OCPP limit are still read, so they can be answered with a
                # CallError instead of a dropped connection; only far larger ones are cut.
                max_size=max(16 * self.config.max_frame_bytes, 1 << 20),
                # The handshake may wait KEYRING_WAIT_S for the passwords: its 503 must get out first.
                open_timeout=KEYRING_WAIT_S + 10,
                ping_interval=30,
                ping_timeout=30,
                close_timeout=2,  # a charger that ignores the closing handshake must not hold up a stop
                server_header="Commissioner",
                backlog=4096,
                ssl=self.ssl_context,
            )
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise errors.PortInUseError(self.config.host, self.config.port) from exc
            raise errors.CsmsError(f"Cannot listen on {self.config.host}:{self.config.port}: {exc.strerror}.",
                                   hint="Check the host address in Settings.") from exc
        sockets = self._server.sockets
        if sockets:
            self.port = sockets[0].getsockname()[1]
        if self.password_source is not None and self._passwords_loaded is None:
            self._passwords_loaded = asyncio.Event()
            self._loading = asyncio.ensure_future(self._load_passwords())

    async def _load_passwords(self) -> None:
        """Read the chargers' own passwords; while the keyring will not give them (locked), ask again
        every KEYRING_RETRY_S, and meanwhile refuse the chargers with no password known here (503)."""
        while True:
            try:
                found = await asyncio.to_thread(self.password_source)
            except errors.StorageError as exc:
                if self.passwords_error is None:
                    log.warning("%s %s", exc.message, exc.hint)
                self.passwords_error = exc.message
            except Exception:  # a bug in the source: say so, and refuse as for a locked keyring
                log.exception("the chargers' passwords could not be loaded")
                self.passwords_error = "the chargers' passwords could not be loaded (see the log file)"
            else:
                self.config.passwords.update(found)
                if self.passwords_error is not None:
                    log.info("the chargers' passwords are loaded now")
                self.passwords_error = None
                self._passwords_loaded.set()
                return
            self._passwords_loaded.set()  # waiting handshakes go on: to the 503 below
            await asyncio.sleep(KEYRING_RETRY_S)

    async def stop(self) -> None:
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    # ------------------------------------------------------------ handshake

    async def _process_request(self, connection: ws_server.ServerConnection, request: Request) -> Response | None:
        """Admit or refuse a handshake. Every refusal is a 4xx (503 while the keyring has not answered)
        with one log line; nothing is kept."""
        charger_id = charger_id_from_path(request.path)
        peer = _peer(connection)
        if not charger_id:
            return self._refuse(connection, http.HTTPStatus.NOT_FOUND, peer, "?",
                                "no charger id in the URL: connect to ws://host:port/<ChargerId>")
        strict = self.config.mode_for(charger_id) is model.Mode.STRICT
        problem = charger_id_problem(request.path, charger_id)
        if problem and strict:
            return self._refuse(connection, http.HTTPStatus.NOT_FOUND, peer, charger_id, problem)
        # The demo chargers are admitted whatever the allow-list, but only from this laptop: a
        # device on the LAN that knows a demo id (they are predictable) is not.
        demo = charger_id in self.admit_always and _loopback(connection)
        if not demo and not self.config.admits(charger_id):
            # OCPP-J 1.6 §3.1.1: an unknown charger id is answered with 404.
            return self._refuse(connection, http.HTTPStatus.NOT_FOUND, peer, charger_id,
                                "not on the allow-list (Settings > Chargers)")
        refused = await self._check_password(connection, request, peer, charger_id)
        if refused is not None:
            return refused
        if problem:
            self._pending_warnings[connection] = problem
        if "Sec-WebSocket-Protocol" not in request.headers and strict:
            return self._refuse(connection, http.HTTPStatus.BAD_REQUEST, peer, charger_id,
                                "no Sec-WebSocket-Protocol header (strict mode requires ocpp1.6, "
                                "ocpp2.0.1 or ocpp2.1)")
        return None

    # ------------------------------------------------------------ passwords

    def expect_password(self, charger_id: str, password: str) -> None:
        """From now on the charger's basic-auth password is `password`. Until it has connected once
        with it, the one it used before is let in too: a charger that took the new key but comes
        back with the old one before applying it (or reverts it) is not locked out."""
        old = self.config.passwords.get(charger_id) or self.config.passwords.get("*")
        if old != password:
            previous = self._previous_passwords.setdefault(charger_id, [])
            if old not in previous:
                previous.append(old)
            if password in previous:
                previous.remove(password)
        self.config.passwords[charger_id] = password

    def forget_password(self, charger_id: str, instead: str | None = None) -> None:
        """Stop expecting the charger's own password: `instead` from now on, or none of its own."""
        self._previous_passwords.pop(charger_id, None)
        if instead:
            self.config.passwords[charger_id] = instead
        else:
            self.config.passwords.pop(charger_id, None)

    def previous_passwords(self, charger_id: str) -> int:
        """How many earlier passwords the charger may still connect with (during a switch)."""
        return len(self._previous_passwords.get(charger_id, ()))

    async def _check_password(self, connection: ws_server.ServerConnection, request: Request, peer: str,
                              charger_id: str) -> Response | None:
        loaded = self._passwords_loaded
        if loaded is not None and not loaded.is_set():
            try:
                await asyncio.wait_for(loaded.wait(), KEYRING_WAIT_S)
            except TimeoutError:
                return self._refuse(connection, http.HTTPStatus.SERVICE_UNAVAILABLE, peer, charger_id,
                                    "the chargers' passwords are not loaded yet: unlock this computer's keyring "
                                    "(the charger retries by itself)")
        password = self.config.passwords.get(charger_id) or self.config.passwords.get("*")
        if not password and self.passwords_error is not None:
            # Whether this charger has a password of its own is in the keyring we cannot read:
            # never let it in without one.
            return self._refuse(connection, http.HTTPStatus.SERVICE_UNAVAILABLE, peer, charger_id,
                                f"the chargers' passwords cannot be read ({self.passwords_error}): unlock this "
                                "computer's keyring (the charger retries by itself)")
        if not password:
            return None
        given = request.headers.get_all("Authorization")
        if len(given) > 1:
            return self._refuse(connection, http.HTTPStatus.BAD_REQUEST, peer, charger_id,
                                f"{len(given)} Authorization headers; send exactly one")
        header = given[0] if given else ""
        previous = self._previous_passwords.get(charger_id, [])
        if _basic_auth_ok(header, charger_id, password):
            if previous:
                self._switched.add(connection)
            return None
        if None in previous or any(old and _basic_auth_ok(header, charger_id, old) for old in previous):
            log.info("%s connected without its new password; let in until it uses it", display.quoted(charger_id))
            self._with_old.add(connection)
            return None
        response = self._refuse(connection, http.HTTPStatus.UNAUTHORIZED, peer, charger_id,
                                "missing or wrong HTTP basic-auth password")
        response.headers["WWW-Authenticate"] = 'Basic realm="Commissioner", charset="UTF-8"'
        return response

    def _select_subprotocol(self, connection: ws_server.ServerConnection, offered: Any) -> Any:
        if not offered:
            return None  # tolerant mode (strict was refused in _process_request)
        for subprotocol in SUBPROTOCOLS:
            if subprotocol in offered:
                return subprotocol
        log.warning("refused %s from %s: offered subprotocols %s, supported: %s",
                    charger_id_from_path(connection.request.path) if connection.request else "?",
                    _peer(connection), ", ".join(offered), ", ".join(SUBPROTOCOLS))
        raise ws_exceptions.NegotiationError("unsupported subprotocol; supported: " + ", ".join(SUBPROTOCOLS))

    def _refuse(self, connection: ws_server.ServerConnection, status: http.HTTPStatus, peer: str,
                charger_id: str, why: str) -> Response:
        self._pending_warnings.pop(connection, None)
        log.warning("refused connection of %s from %s: %s", display.quoted(charger_id), peer, why)
        # An event, not registry state: a refused id leaves nothing behind (3,000 refused ids
        # must not grow the registry); a charger already known gets it as a warning.
        self._emit(model.ConnectionRefused(charger_id, self._clock(), int(status), why))
        return connection.respond(status, f"{why}\n")

    # ------------------------------------------------------------ sessions

    async def _handle(self, ws: ws_server.ServerConnection) -> None:
        charger_id = charger_id_from_path(ws.request.path)
        version = model.OcppVersion.from_subprotocol(ws.subprotocol)
        warnings = []
        if ws in self._switched:  # connected with its new password: the old ones are done with
            self._switched.discard(ws)
            self._previous_passwords.pop(charger_id, None)
        if ws in self._with_old:
            self._with_old.discard(ws)
            warnings.append(OLD_PASSWORD_WARNING)
        problem = self._pending_warnings.pop(ws, None)
        if problem:
            warnings.append(problem)
        if version is None:
            version = model.OcppVersion.V16
            warnings.append(NO_SUBPROTOCOL_WARNING)
        session = self._session_factory(charger_id, version.value, self._sender(ws, charger_id),
                                        mode=self.config.mode_for(charger_id), record=self._record)
        link = _Link(ws, session)
        old = self._links.get(charger_id)
        self._links[charger_id] = link
        if old is not None:
            # A charger that reconnects with the same id replaces its old session cleanly, and
            # event consumers see the old one end before the new one starts.
            self._emit(model.Disconnected(charger_id, self._clock(), 1000, "replaced by a new connection",
                                          replaced=True))
            self._note(charger_id, "Disconnected", {"code": 1000, "reason": "replaced by a new connection"})
            old.replaced = True
            old.session.close()
            task = asyncio.ensure_future(old.ws.close(code=1000, reason="replaced by a new connection"))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        self._emit(model.Connected(charger_id, self._clock(), version.value, _peer(ws), warnings))
        self._note(charger_id, "Connected", {"ocppVersion": version.value, "remoteAddress": _peer(ws),
                                             "path": ws.request.path[:200]}, "; ".join(warnings))
        code, reason = None, ""
        try:
            async for raw in ws:
                await session.receive(raw)
        except ws_exceptions.ConnectionClosed:
            pass
        finally:
            session.close()
            if ws.close_code is not None:
                code, reason = ws.close_code, ws.close_reason or ""
            if self._links.get(charger_id) is link:
                del self._links[charger_id]
                self._emit(model.Disconnected(charger_id, self._clock(), code, reason))
                clean = code in (1000, 1001)
                self._note(charger_id, "Disconnected", {"code": code, "reason": reason},
                           "" if clean else f"the connection ended abnormally (close code {code})")

    def _note(self, charger_id: str, action: str, details: dict[str, Any], warnings: str = "") -> None:
        """Connections in the journal, among the frames: the log shows when a charger came and went."""
        self._record(model.Frame(charger_id, model.Direction.IN, self._clock(), model.MessageType.EVENT, action, "",
                                 json.dumps(details, ensure_ascii=False), warnings=warnings))

    def _sender(self, ws: ws_server.ServerConnection, charger_id: str) -> Callable[[str], Any]:
        """ws.send with a time limit: a charger that stops reading is closed, never waited on forever."""
        async def send(text: str) -> None:
            transport = ws.transport
            # len(text) * 4 bounds the UTF-8 size without encoding the frame a second time.
            if transport is not None and transport.get_write_buffer_size() + len(text) * 4 < WRITE_QUICK_BYTES:
                # The usual case: the frame goes into the socket's buffer without waiting, so
                # no timer is armed (one per frame cost a measurable share of throughput).
                await ws.send(text)
                return
            try:
                async with asyncio.timeout(self.config.write_timeout):
                    await ws.send(text)
            except TimeoutError:
                log.warning("%s stopped reading (nothing taken for %g s): closing the connection",
                            display.quoted(charger_id), self.config.write_timeout)
                ws.transport.abort()
                raise
        return send

    def _standard_session(self, charger_id: str, version: str, send: Callable[[str], Any], *,
                          mode: model.Mode, record: Callable[[model.Frame], None]) -> ocpp_session.RpcSession:
        ctx = ocpp_context.HandlerContext(charger_id, self.config, self._emit, self._clock, self._transaction_ids,
                                          self._boots)
        deliver = self._deliver
        return ocpp_session.RpcSession(
            charger_id, version, send, _HANDLERS[version](ctx),
            record=record, mode=mode, max_frame_bytes=self.config.max_frame_bytes,
            call_timeout=self.config.call_timeout, clock=self._clock,
            deliver=None if deliver is None else (lambda action, payload: deliver(charger_id, action, payload)),
            refusal=ctx.refusal, answered=ctx.answered,
        )

    @property
    def scheme(self) -> str:
        return "wss" if self.ssl_context is not None else "ws"

    def session(self, charger_id: str) -> ocpp_session.RpcSession:
        link = self._links.get(charger_id)
        if link is None:
            raise errors.ChargerNotConnectedError(charger_id)
        return link.session

    def apply_modes(self) -> None:
        """Live sessions take the (possibly changed) strict/tolerant mode of their charger."""
        for charger_id, link in self._links.items():
            link.session.mode = self.config.mode_for(charger_id)

    def connected(self) -> list[str]:
        return list(self._links)

    def local_host(self, charger_id: str) -> str | None:
        """The laptop's address on the interface this charger's websocket came in through: the
        host a URL given to this charger must name to be reachable from it (None: not connected)."""
        link = self._links.get(charger_id)
        if link is None:
            return None
        local = link.ws.local_address
        host = str(local[0]) if isinstance(local, tuple) and local else ""
        if host.startswith("::ffff:") and "." in host:  # an IPv4 charger on a dual-stack socket
            host = host[len("::ffff:"):]
        return host.split("%", 1)[0] or None

    async def disconnect(self, charger_id: str) -> None:
        link = self._links.get(charger_id)
        if link is not None:
            await link.ws.close(code=1000, reason="closed by the technician")


def _loopback(connection: ws_server.ServerConnection) -> bool:
    """From this computer: a loopback address, or our own address on the LAN."""
    remote, local = connection.remote_address, connection.local_address
    host = remote[0] if isinstance(remote, tuple) and remote else ""
    own = local[0] if isinstance(local, tuple) and local else None
    return host in ("::1", "::ffff:127.0.0.1") or str(host).startswith("127.") or host == own


def _peer(connection: ws_server.ServerConnection) -> str:
    address = connection.remote_address
    if isinstance(address, tuple) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return str(address or "")


def _basic_auth_ok(value: str, charger_id: str, password: str) -> bool:
    """RFC 7617 basic auth: the user must be the charger id. Compared as UTF-8 bytes, in constant
    time (hmac.compare_digest refuses non-ASCII str, which once answered 500)."""
    scheme, _, encoded = value.strip().partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    user, _, given = decoded.partition(b":")
    user_ok = hmac.compare_digest(user, charger_id.encode("utf-8", "surrogatepass"))
    password_ok = hmac.compare_digest(given, password.encode("utf-8", "surrogatepass"))
    return user_ok and password_ok
