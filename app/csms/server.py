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
from asyncio import sslproto
from typing import Any, Callable, Protocol

from websockets import exceptions as ws_exceptions
from websockets.asyncio import server as ws_server
from websockets.http11 import Request, Response

from app.csms import security
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
TLS_HANDSHAKE_S = 20.0  # a TLS handshake that takes longer is given up (and said)


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
        tls_context: ssl.SSLContext | None = None,
        profiles: security.ProfileStore | None = None,
        password_sink: Callable[[str, str], None] | None = None,
        certificates: Any = None,
    ) -> None:
        """`deliver(charger_id, action, payload)` gets every accepted charger-initiated message;
        `session_factory` replaces the standard OCPP session; `ssl_context` makes the one listener
        wss:// (tests); `tls_context` adds a wss:// listener on `config.tls_port` beside the ws:// one;
        `password_source()` gives the chargers' own passwords (blocking: the OS keyring), read in a
        worker thread once listening; handshakes wait for it. `profiles`: each charger's lowest
        admitted security profile (no downgrade). `password_sink(charger_id, password)` keeps a
        password the CSMS gave a charger through any call (blocking: run in a worker thread).
        `certificates`: the built-in CA's signer (csms.certificates.Signer) for SignCertificate."""
        self.config = config
        self.tls_context = tls_context
        self.profiles = profiles if profiles is not None else security.ProfileStore(None)
        self.password_sink = password_sink
        self.certificates = certificates
        self._tls_server: ws_server.Server | None = None
        self.tls_port: int | None = None
        self._handshakes: set[asyncio.Task] = set()  # owned: TLS handshakes under way
        self._saving: set[asyncio.Future] = set()  # owned: writes of the profile record and passwords
        # Handshake -> the security profile it came with (for the session, the record and the window).
        self._profiles_seen: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self._also: dict[str, str] = {}  # charger id -> a second spelling of its password (1.6 raw hex key)
        self.password_source = password_source
        self._passwords_loaded: asyncio.Event | None = None
        self.passwords_error: str | None = None  # why the chargers' passwords cannot be read (a locked keyring)
        self._loading: asyncio.Future | None = None
        # During a password switch: the passwords each charger may still use (None: it needed
        # none), until it has connected once with the new one.
        self._previous_passwords: dict[str, list[str | None]] = {}
        self._switched: weakref.WeakSet[Any] = weakref.WeakSet()  # handshakes with the new password
        self._with_old: weakref.WeakSet[Any] = weakref.WeakSet()  # handshakes with a previous one
        self._authenticated: weakref.WeakSet[Any] = weakref.WeakSet()  # handshakes whose password was checked
        self._renewing: weakref.WeakSet[Any] = weakref.WeakSet()  # with an expired certificate (renew_expired)
        self._profiles_dirty = False  # a save of the profile records is due (one at a time)
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
                create_connection=_plain_connection(self) if self.ssl_context is None else None,
            )
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise errors.PortInUseError(self.config.host, self.config.port) from exc
            raise errors.CsmsError(f"Cannot listen on {self.config.host}:{self.config.port}: {exc.strerror}.",
                                   hint="Check the host address in Settings.") from exc
        sockets = self._server.sockets
        if sockets:
            self.port = sockets[0].getsockname()[1]
        if self.tls_context is not None:
            try:
                self._tls_server = await ws_server.serve(
                    self._handle, self.config.host, self.config.tls_port,
                    **self._serve_options(), create_connection=_tls_connection(self))
            except OSError as exc:
                self._server.close()
                await self._server.wait_closed()
                self._server = None
                if exc.errno == errno.EADDRINUSE:
                    raise errors.PortInUseError(self.config.host, self.config.tls_port) from exc
                raise errors.CsmsError(f"Cannot listen on {self.config.host}:{self.config.tls_port} (wss://): "
                                       f"{exc.strerror}.", hint="Check the TLS port in Settings.") from exc
            tls_sockets = self._tls_server.sockets
            self.tls_port = tls_sockets[0].getsockname()[1] if tls_sockets else self.config.tls_port
        if self.password_source is not None and self._passwords_loaded is None:
            self._passwords_loaded = asyncio.Event()
            self._loading = asyncio.ensure_future(self._load_passwords())

    def _serve_options(self) -> dict[str, Any]:
        """What both listeners share (see start() for why each is set)."""
        return dict(subprotocols=list(SUBPROTOCOLS), select_subprotocol=self._select_subprotocol,
                    process_request=self._process_request, compression=None,
                    max_size=max(16 * self.config.max_frame_bytes, 1 << 20), open_timeout=KEYRING_WAIT_S + 10,
                    ping_interval=30, ping_timeout=30, close_timeout=2, server_header="Commissioner", backlog=4096)

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
        for task in list(self._handshakes):
            task.cancel()
        for server in (self._server, self._tls_server):
            if server is not None:
                server.close()
                await server.wait_closed()
        self._server = self._tls_server = None
        if self._saving:
            await asyncio.gather(*self._saving, return_exceptions=True)

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
        tls, certificate = _tls_of(connection)
        certificate_ok = False
        if certificate is not None:
            problem_with_cert = (self.certificates.client_problem(certificate, charger_id)
                                 if self.certificates is not None else "no CA here to judge client certificates")
            if problem_with_cert:
                return self._refuse(connection, http.HTTPStatus.FORBIDDEN, peer, charger_id,
                                    f"client certificate refused: {problem_with_cert}")
            certificate_ok = True
            expired = self.certificates.client_warning(certificate) if self.certificates is not None else ""
            if expired:  # renew_expired: let in, and said, on the connection and in the log
                log.warning("%s from %s: %s", display.quoted(charger_id), peer, expired)
                problem = f"{problem}; {expired}" if problem else expired
                self._renewing.add(connection)  # and only to renew it: its profile record is not raised
        if not certificate_ok:  # profile 3 authenticates with the certificate, not a password
            refused = await self._check_password(connection, request, peer, charger_id)
            if refused is not None:
                return refused
        profile = security.connection_profile(tls, certificate_ok, connection in self._authenticated)
        if not demo:
            refused = self._check_profile(connection, peer, charger_id, profile)
            if refused is not None:
                return refused
        self._profiles_seen[connection] = profile
        if problem:
            self._pending_warnings[connection] = problem
        if "Sec-WebSocket-Protocol" not in request.headers and strict:
            return self._refuse(connection, http.HTTPStatus.BAD_REQUEST, peer, charger_id,
                                "no Sec-WebSocket-Protocol header (strict mode requires ocpp1.6, "
                                "ocpp2.0.1 or ocpp2.1)")
        return None

    def _check_profile(self, connection: ws_server.ServerConnection, peer: str, charger_id: str,
                       profile: int) -> Response | None:
        """The CSMS's own minimum, then the charger's record: once upgraded, never lower."""
        wanted = self.config.security_profile
        tls, _ = _tls_of(connection)
        if profile < wanted:
            if tls and wanted <= 2:
                how = ("no password was checked: give the charger a password of its own (Configure > New "
                       "password…, or serve --password-file) and have it send it as HTTP basic auth")
            elif wanted >= 2 and profile < 2:
                port = self.tls_port or self.config.tls_port
                how = (f"connect with wss:// to port {port}" if self.tls_context is not None or self.ssl_context
                       else "turn on the wss:// listener (Settings > Security, or serve --tls-port)")
            elif wanted == 3:
                how = "present a client certificate signed by the built-in CA (Security page: Upgrade to profile 3)"
            else:
                how = ("send HTTP basic auth with its password (Configure > New password…, or serve --password)")
            status = http.HTTPStatus.UNAUTHORIZED if wanted == 1 else http.HTTPStatus.FORBIDDEN
            response = self._refuse(connection, status, peer, charger_id,
                                    f"the CSMS requires security profile {security.name(wanted)}, this connection "
                                    f"is profile {security.name(profile)}: {how}")
            if status is http.HTTPStatus.UNAUTHORIZED:
                response.headers["WWW-Authenticate"] = 'Basic realm="Commissioner", charset="UTF-8"'
            return response
        lowest = self.profiles.minimum(charger_id)
        if profile < lowest:
            since = ocpp_context.iso_now(self.profiles.since_ms(charger_id))[:16].replace("T", " ")
            return self._refuse(connection, http.HTTPStatus.FORBIDDEN, peer, charger_id,
                                f"it connected with security profile {security.name(lowest)} before (since {since} "
                                f"UTC) and now with {security.name(profile)}: a lower profile is refused (no "
                                "downgrade); to allow it for a re-test, use its Security page > Allow a lower profile, "
                                f"or serve --allow-lower {charger_id}")
        return None

    def allow_lower_profile(self, charger_id: str) -> bool:
        """The technician lets the charger connect with a lower profile again (on the loop)."""
        if not self.profiles.allow_lower(charger_id):
            return False
        self._save_profiles()
        return True

    def _save_profiles(self) -> None:
        """Write the records in a worker thread; records raised meanwhile (1,000 chargers arriving at
        once) are written together by the next save, one at a time."""
        if self._profiles_dirty:
            return  # a save is queued already and will write this too
        self._profiles_dirty = True

        def save() -> None:
            self._profiles_dirty = False  # what is raised from here on gets its own save
            self.profiles.save()

        future = asyncio.ensure_future(asyncio.to_thread(save))
        self._saving.add(future)
        future.add_done_callback(self._saved)

    def _saved(self, future: asyncio.Future) -> None:
        self._saving.discard(future)
        if not future.cancelled() and future.exception() is not None:
            error = future.exception()
            log.error("%s", error)

    # ------------------------------------------------------------ passwords

    def expect_password(self, charger_id: str, password: str, *, also: str | None = None) -> None:
        """From now on the charger's basic-auth password is `password` (or `also`: the same key spelt
        otherwise, a 1.6 AuthorizationKey as the hex text itself). Until it has connected once with
        it, the one it used before is let in too: a charger that took the new key but comes back
        with the old one before applying it (or reverts it) is not locked out."""
        if also and also != password:
            self._also[charger_id] = also
        else:
            self._also.pop(charger_id, None)
        old = self.config.passwords.get(charger_id) or self.config.passwords.get("*")
        if old != password:
            previous = self._previous_passwords.setdefault(charger_id, [])
            if old not in previous:
                previous.append(old)
            if password in previous:
                previous.remove(password)
        self.config.passwords[charger_id] = password

    def forget_password(self, charger_id: str, instead: str | None = None) -> None:
        """Stop expecting the charger's own password: `instead` from now on, or none of its own (the
        technician's choice, so the profile it last reached no longer binds it: a lower one is let in)."""
        self._previous_passwords.pop(charger_id, None)
        self._also.pop(charger_id, None)
        if instead:
            self.config.passwords[charger_id] = instead
        else:
            self.config.passwords.pop(charger_id, None)
            if self.profiles.minimum(charger_id) <= 2:  # profile 3 uses its certificate, not a password
                self.allow_lower_profile(charger_id)

    def call_answered(self, charger_id: str, version: str, action: str, payload: dict[str, Any],
                      result: dict[str, Any]) -> None:
        """Every answered call of ours (engine.call): a password the charger took through it is the one
        to expect from then on, whoever sent it (a raw operation too; OCTT TC_073), and is kept."""
        password = security.password_set_by_call(version, action, payload, result)
        if password is None:
            return
        raw = payload.get("value") if action == "ChangeConfiguration" else None
        current = self.config.passwords.get(charger_id)
        if current == password and self._also.get(charger_id, raw) == raw:
            return  # the passwords service set it already
        log.info("%s took a new basic-auth password (%s): expected from now on", display.quoted(charger_id), action)
        self.expect_password(charger_id, password, also=raw if isinstance(raw, str) else None)
        if self.password_sink is not None:
            sink = self.password_sink
            future = asyncio.ensure_future(asyncio.to_thread(sink, charger_id, password))
            self._saving.add(future)
            future.add_done_callback(self._saved)

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
        also = self._also.get(charger_id)
        if _basic_auth_ok(header, charger_id, password) or (also and _basic_auth_ok(header, charger_id, also)):
            if previous:
                self._switched.add(connection)
            self._authenticated.add(connection)
            return None
        if any(old and _basic_auth_ok(header, charger_id, old) for old in previous):
            log.info("%s connected without its new password; let in until it uses it", display.quoted(charger_id))
            self._with_old.add(connection)
            self._authenticated.add(connection)
            return None
        if None in previous and _basic_auth_user_ok(header, charger_id):
            # It needed none before: still without one, or with what it sent then (never checked here);
            # but never under another charger's name.
            log.info("%s connected without its new password; let in until it uses it", display.quoted(charger_id))
            self._with_old.add(connection)
            return None
        response = self._refuse(connection, http.HTTPStatus.UNAUTHORIZED, peer, charger_id,
                                _basic_auth_problem(header, charger_id))
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
        profile = self._profiles_seen.pop(ws, 0)
        demo = charger_id in self.admit_always and _loopback(ws)
        if not demo and ws not in self._renewing and self.profiles.raise_to(charger_id, profile, self._clock()):
            self._save_profiles()  # from now on, never lower (a charger upgraded here)
        self._emit(model.Connected(charger_id, self._clock(), version.value, _peer(ws), warnings, profile))
        self._note(charger_id, "Connected", {"ocppVersion": version.value, "remoteAddress": _peer(ws),
                                             "path": ws.request.path[:200], "securityProfile": profile},
                   "; ".join(warnings))
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
                                          self._boots, self.certificates)
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

    # ------------------------------------------------------------ TLS handshakes

    def tls_failed(self, peer: str, port: int, exc: BaseException) -> None:
        """A TLS handshake on the wss:// port failed: said for that address, with the reason (on site a
        silent failure looks like "no charger")."""
        reason = self.certificates.describe_failure(exc) if self.certificates is not None else str(exc)
        self._tls_refused(peer, port, reason)

    def tls_on_plain_port(self, peer: str) -> None:
        port = self.tls_port
        where = f"use port {port} for wss://" if port else "turn on the wss:// listener (Settings > Security)"
        self._tls_refused(peer, self.port, f"the charger speaks TLS (wss://) to the plain ws:// port {self.port}: "
                                           f"{where}, or set the charger's URL to ws://")

    def _tls_refused(self, peer: str, port: int, reason: str) -> None:
        log.warning("TLS connection from %s to port %s failed: %s", peer, port, reason)
        self._emit(model.TlsFailed("", self._clock(), peer, port, reason))

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

    def base_path(self, charger_id: str) -> str | None:
        """The path this charger connected on without its id ("/ocpp/" of "/ocpp/CP1"): what a URL
        given to it must carry, since it appends its id (None: not connected)."""
        link = self._links.get(charger_id)
        if link is None or link.ws.request is None:
            return None
        path = urllib.parse.urlsplit(link.ws.request.path).path
        head, _, _ = path.rstrip("/").rpartition("/")
        return head + "/"

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


def _basic_auth_user_ok(value: str, charger_id: str) -> bool:
    """No Authorization header, or basic auth whose user is the charger id (whatever the password)."""
    if not value.strip():
        return True
    scheme, _, encoded = value.strip().partition(" ")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    user = decoded.partition(b":")[0]
    return scheme.lower() == "basic" and hmac.compare_digest(user, charger_id.encode("utf-8", "surrogatepass"))


def _basic_auth_problem(value: str, charger_id: str) -> str:
    """Why a refused Authorization header was refused, for the technician (never the password)."""
    if not value.strip():
        return "no HTTP basic-auth password sent (security profile 1 and 2 need one)"
    scheme, _, encoded = value.strip().partition(" ")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True) if scheme.lower() == "basic" else None
    except (binascii.Error, ValueError):
        decoded = None
    if decoded is None or b":" not in decoded:
        return "the Authorization header is not HTTP basic auth (Basic base64(<charger id>:<password>))"
    user = decoded.partition(b":")[0].decode("utf-8", "replace")
    if user != charger_id:
        return (f"the basic-auth user name {display.quoted(user)} is not the charger id {display.quoted(charger_id)}"
                " (OCPP: the user name is the charger id from the URL)")
    return "wrong HTTP basic-auth password"


def _tls_of(connection: ws_server.ServerConnection) -> tuple[bool, bytes | None]:
    """(came over TLS, the client certificate it presented as DER, if any)."""
    transport = connection.transport
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    if ssl_object is None:
        return False, None
    return True, ssl_object.getpeercert(binary_form=True)


def _address(transport: Any) -> str:
    address = transport.get_extra_info("peername") if transport is not None else None
    if isinstance(address, tuple) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return str(address or "?")


TLS_RECORD = 0x16  # the first byte of a TLS ClientHello (a handshake record)


def _plain_connection(owner: CsmsServer) -> Callable[..., ws_server.ServerConnection]:
    """ws:// connections that notice a charger speaking TLS to them (its URL says wss://) and say so."""

    class PlainConnection(ws_server.ServerConnection):
        _first = True

        def data_received(self, data: bytes) -> None:
            if self._first:
                self._first = False
                if data[:1] == bytes([TLS_RECORD]) and data[1:2] == b"\x03":
                    owner.tls_on_plain_port(_address(self.transport))
                    self.transport.abort()
                    return
            super().data_received(data)

    return PlainConnection


TLS_READ_BUFFER = 32 * 1024  # per wss:// connection; asyncio's default is 256 KiB


class _SslProtocol(sslproto.SSLProtocol):
    # asyncio allocates max_size bytes per TLS connection up front. 256 KiB is above malloc's mmap
    # threshold: each connection then costs a fresh mapping (page faults, and a TLB shootdown when it
    # is unmapped), 0.5-0.8 ms of CPU in a storm of 1,000 (benchmarks/tls_connect.py) and 256 MB of
    # RSS. OCPP frames are small; a TLS record is at most 16 KiB.
    max_size = TLS_READ_BUFFER


async def _start_tls(transport: Any, protocol: asyncio.BaseProtocol, context: ssl.SSLContext) -> Any:
    """loop.start_tls(transport, protocol, context, server_side=True), with _SslProtocol's read buffer
    (start_tls has no way to choose it); the same steps as asyncio's own (Python 3.11-3.13)."""
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()
    tls = _SslProtocol(loop, protocol, context, waiter, server_side=True, call_connection_made=False,
                       ssl_handshake_timeout=TLS_HANDSHAKE_S)
    transport.pause_reading()  # so tls.data_received cannot come before tls.connection_made
    transport.set_protocol(tls)
    made = loop.call_soon(tls.connection_made, transport)
    resumed = loop.call_soon(transport.resume_reading)
    try:
        await waiter
    except BaseException:
        transport.close()
        made.cancel()
        resumed.cancel()
        raise
    return tls._app_transport


def _tls_connection(owner: CsmsServer) -> Callable[..., ws_server.ServerConnection]:
    """wss:// connections whose TLS handshake is done here (loop.start_tls) rather than by asyncio's
    server: a failure is then known with the charger's address and OpenSSL's reason, which asyncio
    only logs in debug mode. The websocket starts once TLS is up."""

    class TlsConnection(ws_server.ServerConnection):
        _tls_up = False
        _early: list[bytes] | None = None  # decrypted bytes that came before start_tls returned
        _early_eof = False

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            # asyncio's SSLProtocol hands over the application data that came with the client's last
            # handshake flight (TLS 1.3: Finished + the HTTP upgrade request) in the same turn that it
            # completes the handshake, before start_tls() returns here: kept, then given to the websocket.
            self._early: list[bytes] = []
            self._early_eof = False
            transport.pause_reading()  # nothing reaches the websocket before TLS
            task = asyncio.get_running_loop().create_task(self._start_tls(transport))
            owner._handshakes.add(task)
            task.add_done_callback(owner._handshakes.discard)

        async def _start_tls(self, transport: Any) -> None:
            peer = _address(transport)
            port = owner.tls_port or 0
            try:
                # The context of now: it is replaced when the server certificates are issued again.
                tls = await _start_tls(transport, self, owner.tls_context)
            except asyncio.CancelledError:
                transport.abort()
                raise
            except (OSError, TimeoutError, EOFError) as exc:  # ssl.SSLError is an OSError
                transport.abort()
                owner.tls_failed(peer, port, exc)
                return
            if tls is None or tls.is_closing():
                return
            self._tls_up = True
            super().connection_made(tls)
            early, self._early = self._early, []
            for data in early:
                super().data_received(data)
            if self._early_eof:
                super().eof_received()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._tls_up:  # before TLS the websocket never started: nothing to end
                super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._tls_up:
                super().data_received(data)
            else:  # decrypted, but start_tls() has not returned yet (see connection_made)
                self._early.append(data)

        def eof_received(self) -> bool | None:
            if self._tls_up:
                return super().eof_received()
            self._early_eof = True
            return None

    return TlsConnection
