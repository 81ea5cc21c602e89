"""OCPP-J framing, sans-I/O: text in, a `Message` or a `Fault` out; frames out as text.

Built on `ocpp.messages` (Call, CallResult, CallError) but closes the package's gaps on bad
input, measured on ocpp 2.1.0:
- an unparseable frame got no reply at all: here it earns a CallError with message id "-1";
- message ids were not checked (must be a non-empty string of at most 36 characters); an
  invalid id is never echoed: the answer carries "-1";
- a malformed CALLRESULT/CALLERROR is a response, and a response is never answered;
- deeply nested arrays raised RecursionError and dropped the connection: depth is bounded;
- oversized frames are refused by size before they are parsed;
- OCPP 2.1's CALLRESULTERROR (5) and SEND (6) message types were unknown.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import orjson
from ocpp import messages

from app.ocpp import error_codes as errors

CALL, CALLRESULT, CALLERROR, CALLRESULTERROR, SEND = 2, 3, 4, 5, 6
MAX_UNIQUE_ID = 36
MAX_DEPTH = 64  # far above any OCPP schema's nesting, far below the recursion limit
# JSON arrays + objects one frame may hold. Parsing costs per container (250,000 empty lists in
# 750 KB: ~35-100 ms in one C call that holds the GIL, so no thread can hide it); a legitimate
# 1 MiB NotifyReport holds ~25,000-40,000.
MAX_CONTAINERS = 60_000
UNKNOWN_ID = "-1"  # OCPP-J 2.0.1 §4.2.3: the id to answer with when the frame's cannot be read

_ID_PREFIX = re.compile(r'^\s*\[\s*(\d+)\s*,\s*"([^"\\]{1,36})"')


@dataclasses.dataclass(slots=True)
class Message:
    """A well-formed frame. `payload` is the CALL/CALLRESULT/SEND payload or the error details."""

    message_type: int
    unique_id: str
    action: str = ""
    payload: Any = None
    error_code: str = ""
    error_description: str = ""


@dataclasses.dataclass(slots=True)
class Fault:
    """A frame that is not valid OCPP-J; `reply` says whether it earns a CallError."""

    unique_id: str
    error_code: str
    message: str
    message_type: int = 0
    action: str = ""
    reply: bool = True
    oversized: int = 0  # the frame's size in bytes when it was over the limit (it is not parsed)


def types_for(version: str) -> frozenset[int]:
    if version == "2.1":
        return frozenset((CALL, CALLRESULT, CALLERROR, CALLRESULTERROR, SEND))
    return frozenset((CALL, CALLRESULT, CALLERROR))


def _too_deep(node: Any, limit: int) -> bool:
    # Iterative on purpose: a recursive walk is exactly what a hostile frame would overflow.
    stack = [(node, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


def peek_id(raw: str | bytes) -> tuple[int, str]:
    """Message type and id from the start of a frame too large (or too broken) to parse."""
    head = raw[:128].decode("utf-8", "replace") if isinstance(raw, bytes) else raw[:128]
    match = _ID_PREFIX.match(head)
    if match is None:
        return 0, UNKNOWN_ID
    return int(match.group(1)), match.group(2)


def decode(raw: str | bytes, version: str, max_bytes: int) -> Message | Fault:  # noqa: C901
    """Classify one frame. Never raises for any input."""
    if isinstance(raw, bytes):
        # OCPP-J is text frames only; a binary frame is still read if it is UTF-8 JSON.
        raw = raw.decode("utf-8", "replace")
    size = len(raw)
    if size * 4 > max_bytes:
        # Only frames that could be over the limit pay for the exact UTF-8 size (a character
        # is at most 4 bytes).
        size = len(raw.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        mtype, uid = peek_id(raw)
        return Fault(
            uid,
            errors.code(version, errors.FORMAT),
            f"frame of {size} bytes exceeds the limit of {max_bytes} bytes",
            message_type=mtype,
            reply=mtype in (0, CALL),
            oversized=size,
        )
    containers = raw.count("[") + raw.count("{")  # an upper bound: brackets in strings count too
    if containers > MAX_CONTAINERS:
        mtype, uid = peek_id(raw)
        return Fault(uid, errors.code(version, errors.FORMAT),
                     f"frame holds up to {containers} JSON arrays/objects; at most {MAX_CONTAINERS} are read",
                     message_type=mtype, reply=mtype in (0, CALL))
    try:
        frame = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if str(exc).startswith("depth limit"):
            # Valid JSON, only deeper than the parser goes: the id is still readable.
            mtype, uid = peek_id(raw)
            return Fault(uid, errors.code(version, errors.FORMAT), f"frame nests deeper than {MAX_DEPTH} levels",
                         message_type=mtype, reply=mtype in (0, CALL))
        # The 2.0.1 spec names RpcFrameworkError for a frame whose message id cannot be read.
        return Fault(UNKNOWN_ID, errors.code(version, errors.RPC), f"not valid JSON: {exc}")
    if not isinstance(frame, list) or not frame:
        return Fault(UNKNOWN_ID, errors.code(version, errors.RPC), "frame is not a non-empty JSON array")
    mtype = frame[0]
    known_type = mtype if type(mtype) is int else 0
    # Responses (and what claims to be one) are never answered: only a CALL or an unreadable frame is.
    answerable = known_type not in (CALLRESULT, CALLERROR, CALLRESULTERROR, SEND)
    uid = frame[1] if len(frame) > 1 else None
    if not isinstance(uid, str):
        return Fault(UNKNOWN_ID, errors.code(version, errors.RPC), "message id is missing or not a string",
                     message_type=known_type, reply=answerable)
    if not uid or len(uid) > MAX_UNIQUE_ID:
        # Never echo an invalid id (a 100,000-character one would come back whole).
        return Fault(UNKNOWN_ID, errors.code(version, errors.RPC),
                     f"message id is {len(uid)} characters long; it must be 1 to {MAX_UNIQUE_ID}",
                     message_type=known_type, reply=answerable)
    if type(mtype) is not int or mtype not in types_for(version):
        return Fault(uid, errors.code(version, errors.MESSAGE_TYPE), f"message type {mtype!r} is not supported",
                     message_type=known_type)
    if containers > MAX_DEPTH and _too_deep(frame, MAX_DEPTH):
        return Fault(uid, errors.code(version, errors.FORMAT), f"frame nests deeper than {MAX_DEPTH} levels",
                     message_type=mtype, reply=mtype == CALL)
    if mtype in (CALL, SEND):
        if len(frame) != 4 or not isinstance(frame[2], str):
            return Fault(uid, errors.code(version, errors.RPC), "a CALL is [2, id, action, payload]",
                         message_type=mtype, reply=mtype == CALL)
        if not isinstance(frame[3], dict):
            return Fault(uid, errors.code(version, errors.FORMAT), "the payload is not a JSON object",
                         message_type=mtype, action=frame[2], reply=mtype == CALL)
        return Message(mtype, uid, frame[2], frame[3])
    if mtype == CALLRESULT:
        if len(frame) != 3 or not isinstance(frame[2], dict):
            return Fault(uid, errors.code(version, errors.FORMAT), "a CALLRESULT is [3, id, {payload}]",
                         message_type=mtype, reply=False)
        return Message(mtype, uid, payload=frame[2])
    # CALLERROR / CALLRESULTERROR: [4, id, code, description, details]
    if len(frame) != 5 or not isinstance(frame[2], str) or not isinstance(frame[3], str):
        return Fault(uid, errors.code(version, errors.FORMAT),
                     "a CALLERROR is [4, id, errorCode, errorDescription, {errorDetails}]",
                     message_type=mtype, reply=False)
    return Message(mtype, uid, payload=frame[4], error_code=frame[2], error_description=frame[3])


def encode_call(unique_id: str, action: str, payload: dict[str, Any]) -> str:
    return messages.Call(unique_id, action, payload).to_json()


def encode_result(unique_id: str, payload: dict[str, Any]) -> str:
    return messages.CallResult(unique_id, payload).to_json()


def encode_error(unique_id: str, error_code: str, description: str, details: dict[str, Any] | None = None) -> str:
    # Descriptions are bounded (255 in 2.x) and details must be an object.
    return messages.CallError(unique_id, error_code, description[:255], details or {}).to_json()
