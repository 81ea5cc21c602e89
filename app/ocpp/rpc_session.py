"""One charger's OCPP-J session: routes CALLs to handlers, correlates responses, journals frames.

Replaces `ocpp.ChargePoint.start/route_message/call` (the package's I/O loop) while keeping its
routing (`@on`/`@after` route maps), frame classes and schemas. Differences that matter:
- responses are matched by message id in a dict, so an unsolicited CALLRESULT is journaled with
  a warning and dropped instead of piling up in an unbounded queue;
- coroutine handlers run in their own task, so a handler that awaits `call()` cannot deadlock
  the reader; `@after` hooks are owned tasks too;
- unknown actions get NotImplemented, known-but-unhandled ones NotSupported (the package swaps
  them, and its 2.1 class answers neither);
- tolerant mode accepts schema violations and records them; strict mode answers the CallError;
- a bad frame is journaled and logged in one line, not with a traceback per frame.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import inspect
import logging
import sys
import threading
import time
import uuid

import orjson
from typing import Any, Awaitable, Callable, TypeVar

from ocpp.v16 import call_result as v16_call_result
from ocpp.v21 import call_result as v21_call_result
from ocpp.v201 import call_result as v201_call_result

from app.domain import errors as domain_errors
from app.domain import model
from app.ocpp import actions, adapter, rpc, schemas
from app.ocpp import error_codes as errors

log = logging.getLogger(__name__)
T = TypeVar("T")

OFFLOAD_BYTES = 32 * 1024  # decode, validate and convert frames larger than this in a worker thread
OVERSIZED_HEAD_CHARS = 4096  # of a frame over the size limit, what the journal keeps
_LOGGED_FAULTS = 5  # per session; later bad frames are only journaled
_CALL_RESULTS = {"1.6": v16_call_result, "2.0.1": v201_call_result, "2.1": v21_call_result}


# While a big frame is worked on in a worker thread, the GIL is handed back to the loop every
# 0.5 ms instead of CPython's 5 ms: otherwise the loop waits up to 5 ms each time it needs the GIL,
# several times per round trip, and one charger's big frame still slows everyone (measured:
# a bystander's p50 30 ms). Only then: a short interval all the time cost 25 % of throughput.
OFFLOAD_SWITCH_INTERVAL_S = 0.0005
_offload_lock = threading.Lock()
_offloads = 0
_default_switch_interval = sys.getswitchinterval()


async def offload(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(*args)` in a worker thread, with the loop kept responsive meanwhile."""
    global _offloads
    with _offload_lock:
        _offloads += 1
        if _offloads == 1:
            sys.setswitchinterval(OFFLOAD_SWITCH_INTERVAL_S)
    try:
        return await asyncio.to_thread(fn, *args, **kwargs)
    finally:
        with _offload_lock:
            _offloads -= 1
            if _offloads == 0:
                sys.setswitchinterval(_default_switch_interval)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@functools.lru_cache(maxsize=8192)
def _snake_key(key: str) -> str:
    return next(iter(adapter.camel_to_snake_case({key: None})))


@functools.lru_cache(maxsize=8192)
def _camel_key(key: str) -> str:
    return next(iter(adapter.snake_to_camel_case({key: None})))


def to_snake(data: Any) -> Any:
    """`ocpp`'s camelCase -> snake_case conversion, with its per-key result cached."""
    if isinstance(data, dict):
        return {_snake_key(k): to_snake(v) for k, v in data.items()}
    if isinstance(data, list):
        return [to_snake(v) for v in data]
    return data


def to_camel(data: Any) -> Any:
    if isinstance(data, dict):
        return {_camel_key(k): to_camel(v) for k, v in data.items()}
    if isinstance(data, list):
        return [to_camel(v) for v in data]
    return data


async def _sized(size: int, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)`: in a worker thread for a frame over OFFLOAD_BYTES, right here otherwise."""
    return await offload(fn, *args) if size > OFFLOAD_BYTES else fn(*args)


def handler_kwargs(version: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as a handler's keyword arguments: snake_case, and only the action's own fields.

    A tolerant-mode charger may send any key; an unknown one ("self", "p", a typo) must never
    reach the handler's signature (it is a compliance warning already, from the schema).
    """
    fields = schemas.properties(version, action)
    return {_snake_key(k): to_snake(v) for k, v in payload.items() if k in fields}


def dataclass_payload(obj: Any) -> dict[str, Any]:
    """An `ocpp` call/call_result dataclass -> the camelCase payload the wire carries."""
    return to_camel(adapter.remove_nones(adapter.serialize_as_dict(obj)))


@dataclasses.dataclass(slots=True)
class _Pending:
    action: str
    sent_ms: int
    future: asyncio.Future
    payload: dict[str, Any] = dataclasses.field(default_factory=dict)  # what we asked (follow-ups depend on it)


class RpcSession:
    """Drive one connection. `send` writes a text frame; `record` receives every journaled frame."""

    def __init__(
        self,
        charger_id: str,
        version: str,
        send: Callable[[str], Awaitable[None]],
        handlers: Any,
        *,
        record: Callable[[model.Frame], None],
        mode: model.Mode = model.Mode.TOLERANT,
        max_frame_bytes: int = 1 << 20,
        call_timeout: float = 30.0,
        clock: Callable[[], int] = now_ms,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        deliver: Callable[[str, Any], None] | None = None,
        refusal: Callable[[str], str | None] | None = None,
        answered: Callable[[str, dict[str, Any], dict[str, Any]], None] | None = None,
    ) -> None:
        self.charger_id = charger_id
        self.version = version
        self.mode = mode
        self.max_frame_bytes = max_frame_bytes
        self.call_timeout = call_timeout
        self._send = send
        self._record = record
        self._clock = clock
        self._new_id = new_id
        # Every accepted charger-initiated message (action, camelCase payload), after it is
        # journaled: the engine's watches (expect) see it there.
        self._deliver = deliver
        # refusal(action): why an unsolicited CALL is refused with SecurityError (boot Pending);
        # answered(action, request, result): each CALLRESULT to one of our calls.
        self._refusal = refusal
        self._answered = answered
        self._routes = adapter.route_map(handlers)
        self._pending: dict[str, _Pending] = {}
        self._call_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task] = set()
        self._faults_logged = 0
        self.closed = False

    # ---------------------------------------------------------------- incoming

    async def receive(self, raw: str | bytes) -> None:
        """Handle one frame from the charger. Never raises for bad input."""
        received = self._clock()
        # A large frame is parsed and checked in a worker thread: one charger's 1 MB frame
        # must not hold the loop (and every other charger) for hundreds of milliseconds.
        decoded = await _sized(len(raw), rpc.decode, raw, self.version, self.max_frame_bytes)
        text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
        if isinstance(decoded, rpc.Fault):
            await self._on_fault(decoded, text, received)
            return
        mtype = decoded.message_type
        if mtype == rpc.CALL:
            await self._on_call(decoded, text, received)
        elif mtype in (rpc.CALLRESULT, rpc.CALLERROR):
            await self._on_response(decoded, text, received)
        elif mtype == rpc.SEND:
            warnings = await self._check_send(decoded, len(text))
            self._journal(model.Direction.IN, received, mtype, decoded.action, decoded.unique_id, text,
                          warnings=warnings)
            if self._deliver is not None and actions.is_known(self.version, decoded.action):
                self._deliver(decoded.action, decoded.payload)
        else:  # CALLRESULTERROR: the charger could not use one of our results
            self._journal(model.Direction.IN, received, mtype, "", decoded.unique_id, text,
                          warnings=f"charger reports an error in our response: {decoded.error_code}")

    async def _on_fault(self, fault: rpc.Fault, text: str, received: int) -> None:
        self._log_fault(fault.message)
        warning = fault.message
        if fault.oversized:
            # A frame over the limit is not kept whole (a fuzzer grew the journal by 150 MB):
            # its head, its size and a hash say what it was.
            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            text = text[:OVERSIZED_HEAD_CHARS]
            warning += f"; only its first {OVERSIZED_HEAD_CHARS} characters are kept (sha256 {digest})"
        self._journal(model.Direction.IN, received, fault.message_type, fault.action, fault.unique_id,
                      text, warnings=warning)
        if fault.reply:
            await self._reply_error(fault.unique_id, fault.error_code, fault.message, fault.action, received)

    async def _on_call(self, msg: rpc.Message, text: str, received: int) -> None:
        action = msg.action
        if not actions.is_known(self.version, action):
            self._journal(model.Direction.IN, received, rpc.CALL, action, msg.unique_id, text,
                          warnings=f"unknown action {action!r} for OCPP {self.version}")
            await self._reply_error(msg.unique_id, errors.code(self.version, errors.NOT_IMPLEMENTED),
                                    f"{action} is not an OCPP {self.version} action", action, received)
            return
        route = self._routes.get(action)
        handler = adapter.route_handler(route)
        if route is None or handler is None:
            self._journal(model.Direction.IN, received, rpc.CALL, action, msg.unique_id, text,
                          warnings=f"{action} is not sent by a charger")
            await self._reply_error(msg.unique_id, errors.code(self.version, errors.NOT_SUPPORTED),
                                    f"this CSMS does not accept {action} from a charger", action, received)
            return
        refused = self._refusal(action) if self._refusal is not None else None
        if refused is not None:
            self._journal(model.Direction.IN, received, rpc.CALL, action, msg.unique_id, text, warnings=refused)
            await self._reply_error(msg.unique_id, errors.code(self.version, errors.SECURITY), refused, action,
                                    received)
            return
        violation = None
        if not adapter.route_skips_validation(route):
            violation = await self._validate(action, msg.payload, response=False, size=len(text))
        if violation is not None and self.mode is model.Mode.STRICT:
            self._journal(model.Direction.IN, received, rpc.CALL, action, msg.unique_id, text,
                          warnings=f"{violation.path}: {violation.message}")
            await self._reply_error(msg.unique_id, violation.code, f"{violation.path}: {violation.message}",
                                    action, received)
            return
        self._journal(model.Direction.IN, received, rpc.CALL, action, msg.unique_id, text,
                      warnings=f"{violation.path}: {violation.message}" if violation else "")
        await self._answer(route, msg, received, len(text))
        if self._deliver is not None:
            self._deliver(action, msg.payload)

    async def _answer(self, route: dict, msg: rpc.Message, received: int, size: int) -> None:
        kwargs = await _sized(size, handler_kwargs, self.version, msg.action, msg.payload)
        try:
            result = adapter.route_handler(route)(**kwargs)
        except Exception as exc:  # a handler bug must not take the session down
            await self._handler_failed(exc, msg, received)
            return
        if inspect.isawaitable(result):
            # A coroutine handler runs in its own task: if it awaits call(), the answer it waits
            # for must still get through this reader.
            self._spawn(self._answer_later(result, route, kwargs, msg, received))
            return
        await self._finish(result, route, kwargs, msg, received)

    async def _answer_later(self, pending: Awaitable[Any], route: dict, kwargs: dict, msg: rpc.Message,
                            received: int) -> None:
        try:
            result = await pending
        except Exception as exc:
            await self._handler_failed(exc, msg, received)
            return
        await self._finish(result, route, kwargs, msg, received)

    async def _finish(self, result: Any, route: dict, kwargs: dict, msg: rpc.Message, received: int) -> None:
        try:
            payload = dataclass_payload(result)
        except Exception as exc:
            await self._handler_failed(exc, msg, received)
            return
        text = rpc.encode_result(msg.unique_id, payload)
        await self._write(text)
        self._journal(model.Direction.OUT, self._clock(), rpc.CALLRESULT, msg.action, msg.unique_id, text,
                      latency=self._clock() - received)
        after = adapter.route_after(route)
        if after is not None:
            # An @after hook that raises must not end the reader loop (and the connection).
            try:
                outcome = after(**kwargs)
            except Exception as exc:
                self._after_failed(msg.action, exc)
                return
            if inspect.isawaitable(outcome):
                self._spawn(outcome)

    def _after_failed(self, action: str, exc: BaseException) -> None:
        self._faults_logged += 1
        if self._faults_logged <= _LOGGED_FAULTS:
            log.error("%s: @after hook for %s failed: %s: %s", self.charger_id, action, type(exc).__name__, exc,
                      exc_info=exc if self._faults_logged == 1 else None)

    async def _handler_failed(self, exc: Exception, msg: rpc.Message, received: int) -> None:
        # A bug of ours, but a charger could trigger it with every frame: a traceback once,
        # then one line each, then only the journal and the CallError.
        self._faults_logged += 1
        if self._faults_logged <= _LOGGED_FAULTS:
            log.error("%s: handler for %s failed: %s: %s", self.charger_id, msg.action, type(exc).__name__, exc,
                      exc_info=exc if self._faults_logged == 1 else None)
        await self._reply_error(msg.unique_id, errors.code(self.version, errors.INTERNAL),
                                f"{type(exc).__name__} while handling {msg.action}", msg.action, received)

    async def _on_response(self, msg: rpc.Message, text: str, received: int) -> None:
        pending = self._pending.pop(msg.unique_id, None)
        if pending is None:
            self._journal(model.Direction.IN, received, msg.message_type, "", msg.unique_id, text,
                          warnings="unsolicited response: no request with this id is pending")
            return
        latency = received - pending.sent_ms
        if msg.message_type == rpc.CALLERROR:
            self._journal(model.Direction.IN, received, rpc.CALLERROR, pending.action, msg.unique_id, text,
                          latency=latency)
            if not pending.future.done():
                pending.future.set_exception(domain_errors.CallErrorReceived(
                    pending.action, msg.error_code, msg.error_description, msg.payload))
            return
        violation = await self._validate(pending.action, msg.payload, response=True, size=len(text))
        self._journal(model.Direction.IN, received, rpc.CALLRESULT, pending.action, msg.unique_id, text,
                      latency=latency, warnings=f"{violation.path}: {violation.message}" if violation else "")
        if pending.future.done():
            return
        if violation is not None and self.mode is model.Mode.STRICT:
            pending.future.set_exception(domain_errors.ResponseInvalidError(
                pending.action, [f"{violation.path}: {violation.message}"]))
        else:
            # The follow-ups this answer allows (a Pending charger's triggered message) are allowed
            # now, before the reader takes the next frame: a charger sends them right behind it.
            if self._answered is not None:
                self._answered(pending.action, pending.payload, msg.payload)
            pending.future.set_result(msg.payload)

    async def _check_send(self, msg: rpc.Message, size: int) -> str:
        if not actions.is_known(self.version, msg.action) or not schemas.has_schema(self.version, msg.action):
            return f"unknown action {msg.action!r} for OCPP {self.version}"
        violation = await self._validate(msg.action, msg.payload, response=False, size=size)
        return f"{violation.path}: {violation.message}" if violation else ""

    # ---------------------------------------------------------------- outgoing

    async def call(self, action: str, payload: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """Send a CALL and return the charger's CALLRESULT payload.

        Raises PayloadInvalidError (nothing sent), CallTimeoutError, CallErrorReceived,
        ResponseInvalidError (strict mode) or ChargerNotConnectedError.
        """
        if action not in actions.csms_initiated(self.version):
            raise domain_errors.PayloadInvalidError(action, [f"{action} is not a CSMS-initiated OCPP {self.version} action"])
        violation = await self._validate(action, payload, response=False, size=0)
        if violation is not None:
            raise domain_errors.PayloadInvalidError(action, [f"{violation.path}: {violation.message}"])
        timeout = self.call_timeout if timeout is None else timeout
        # OCPP-J allows one outstanding CALL per direction: later calls wait their turn.
        async with self._call_lock:
            if self.closed:
                raise domain_errors.ChargerNotConnectedError(self.charger_id)
            unique_id = self._new_id()
            future = asyncio.get_running_loop().create_future()
            text = rpc.encode_call(unique_id, action, payload)
            sent = self._clock()
            self._pending[unique_id] = _Pending(action, sent, future, payload)
            try:
                await self._write(text)
                self._journal(model.Direction.OUT, sent, rpc.CALL, action, unique_id, text)
                return await asyncio.wait_for(future, timeout)
            except TimeoutError:
                # In the journal too, so the log's Problems view shows calls that got no answer.
                self.note(action, {"event": "timeout", "timeoutSeconds": timeout}, unique_id=unique_id,
                          warnings=f"no answer to {action} within {timeout:g} s")
                raise domain_errors.CallTimeoutError(action, self.charger_id, timeout) from None
            finally:
                self._pending.pop(unique_id, None)

    async def send(self, request: Any, timeout: float | None = None) -> Any:
        """Typed call: an `ocpp.vXX.call` dataclass in, the matching `call_result` dataclass out."""
        action = type(request).__name__
        payload = await self.call(action, dataclass_payload(request), timeout)
        result_cls = getattr(_CALL_RESULTS[self.version], action)
        fields = {f.name for f in dataclasses.fields(result_cls)}
        # Tolerant mode lets unknown keys through; the dataclass would refuse them.
        return result_cls(**{k: v for k, v in to_snake(payload).items() if k in fields})

    # ---------------------------------------------------------------- plumbing

    async def _validate(self, action: str, payload: Any, *, response: bool, size: int) -> schemas.Violation | None:
        if size > OFFLOAD_BYTES or not schemas.is_compiled(self.version, action, response):
            # Large payloads, and the first of an action (compiling its schema takes ~6-50 ms).
            return await offload(schemas.validate, self.version, action, payload, response=response)
        return schemas.validate(self.version, action, payload, response=response)

    async def _reply_error(self, unique_id: str, code: str, message: str, action: str, received: int) -> None:
        text = rpc.encode_error(unique_id, code, message)
        await self._write(text)
        self._journal(model.Direction.OUT, self._clock(), rpc.CALLERROR, action, unique_id, text,
                      latency=self._clock() - received)

    async def _write(self, text: str) -> None:
        try:
            await self._send(text)
        except Exception as exc:  # the connection went away; the reader loop will notice
            if not self.closed:
                log.info("%s: could not send (%s)", self.charger_id, type(exc).__name__)

    def _journal(self, direction: model.Direction, ts: int, mtype: int, action: str, unique_id: str,
                 text: str, *, latency: float | None = None, warnings: str = "") -> None:
        self._record(model.Frame(self.charger_id, direction, ts, mtype, action, unique_id, text,
                                 latency, warnings))

    def note(self, action: str, details: dict[str, Any], *, unique_id: str = "", warnings: str = "",
             direction: model.Direction = model.Direction.OUT) -> None:
        """A line of the CSMS's own in the journal (message type EVENT): connections, timeouts."""
        self._journal(direction, self._clock(), model.MessageType.EVENT, action, unique_id,
                      orjson.dumps(details).decode(), warnings=warnings)

    def _log_fault(self, message: str) -> None:
        self._faults_logged += 1
        if self._faults_logged <= _LOGGED_FAULTS:
            log.warning("%s: bad frame: %s", self.charger_id, message)
            if self._faults_logged == _LOGGED_FAULTS:
                log.warning("%s: further bad frames are only journaled", self.charger_id)

    def _spawn(self, awaitable: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(awaitable)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s: background task failed", self.charger_id, exc_info=task.exception())

    def close(self) -> None:
        """The connection is gone: fail pending calls, cancel owned tasks."""
        self.closed = True
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(domain_errors.ChargerNotConnectedError(self.charger_id))
        self._pending.clear()
        for task in list(self._tasks):
            task.cancel()
