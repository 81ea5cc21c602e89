"""The OCPP trace of a run: its charger's journal frames as JSONL, secrets masked, with a SHA-256.

Masked: anything named like a password, an authorization key or a private key, wherever it
appears (a ChangeConfiguration of AuthorizationKey, a SetVariables of BasicAuthPassword, a
GetConfiguration answer, a NotifyReport, a certificate's private key). A frame that is not JSON
is kept as text with the same patterns masked.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import re
from typing import Any, Callable

from app.domain import model
from app.storage import journal as journal_store

MASK = "***"
SECRET_NAMES = ("password", "authorizationkey", "privatekey", "secret", "passphrase")
_TEXT_SECRET = re.compile(r'("(?:[^"]*(?:password|authorizationkey|privatekey|secret|passphrase)[^"]*)"\s*:\s*)"[^"]*"',
                          re.IGNORECASE)


def is_secret(name: Any) -> bool:
    """A key, variable or field named like a password, an authorization key or a private key."""
    return isinstance(name, str) and any(s in name.lower().replace("_", "") for s in SECRET_NAMES)


_URL_PASSWORD = re.compile(r"(\w+://[^/@\s:]+):([^/@\s]+)@")


def _mask_text(text: str) -> str:
    """Secrets inside a string: a PEM private key, a password in a URL (ws://user:pw@host)."""
    if "PRIVATE KEY-----" in text:
        return MASK
    return _URL_PASSWORD.sub(lambda m: f"{m.group(1)}:{MASK}@", text)


def mask(value: Any) -> Any:
    """A copy of a parsed frame with every secret replaced by ***."""
    if isinstance(value, str):
        return _mask_text(value)
    if isinstance(value, list):
        return [mask(v) for v in value]
    if not isinstance(value, dict):
        return value
    variable = value.get("variable")
    named = value.get("key") or value.get("name") or (variable.get("name") if isinstance(variable, dict) else None)
    secret_here = is_secret(named)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if is_secret(key) and not isinstance(item, (dict, list)):
            out[key] = MASK
        elif secret_here and key in ("value", "attributeValue"):
            out[key] = MASK
        elif secret_here and key == "variableAttribute" and isinstance(item, list):
            out[key] = [{**a, "value": MASK} if isinstance(a, dict) and "value" in a else a for a in item]
        else:
            out[key] = mask(item)
    return out


def line(frame: model.Frame) -> dict[str, Any]:
    try:
        parsed: Any = mask(json.loads(frame.payload))
        text = None
    except ValueError:  # not JSON: the same patterns, as text
        parsed, text = None, _mask_text(_TEXT_SECRET.sub(lambda m: m.group(1) + f'"{MASK}"', frame.payload))
    entry: dict[str, Any] = {"id": frame.id, "ts_ms": frame.ts_ms, "direction": frame.direction.value,
                             "message_type": frame.message_type, "action": frame.action, "unique_id": frame.unique_id}
    if parsed is not None:
        entry["frame"] = parsed
    else:
        entry["text"] = text
    if frame.warnings:
        entry["warnings"] = frame.warnings
    return entry


def write(journal_path: pathlib.Path, charger_id: str, after_id: int, upto_id: int | None, out: pathlib.Path,
          progress: Callable[[int], None] | None = None) -> tuple[str, int]:
    """Write the JSONL trace; (its SHA-256 hex, frames written). Reads the journal in pages."""
    reader = journal_store.JournalReader(journal_path)
    digest = hashlib.sha256()
    count = 0
    try:
        with open(out, "wb") as sink:
            last = after_id
            while True:
                frames = reader.frames(charger_id=charger_id, after_id=last, upto_id=upto_id, limit=2000)
                if not frames:
                    break
                for frame in frames:
                    data = (json.dumps(line(frame), ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
                    sink.write(data)
                    digest.update(data)
                count += len(frames)
                last = frames[-1].id or last
                if progress is not None:
                    progress(count)
    finally:
        reader.close()
    return digest.hexdigest(), count


def frames_of(journal_path: pathlib.Path, ids: list[int]) -> dict[int, model.Frame]:
    reader = journal_store.JournalReader(journal_path)
    try:
        return {i: f for i in ids if (f := reader.frame(i)) is not None}
    finally:
        reader.close()


def configuration_changes(journal_path: pathlib.Path, charger_id: str, after_id: int, upto_id: int | None,
                          masked: Callable[[str], bool] = is_secret) -> list[dict[str, Any]]:
    """Every setting the run changed and the charger accepted: [{name, new, time_ms}], in order.

    From the trace itself: a ChangeConfiguration / SetVariables we sent, and its CALLRESULT.
    """
    reader = journal_store.JournalReader(journal_path)
    sent: dict[str, tuple[str, list[tuple[str, str]], int]] = {}
    changes: list[dict[str, Any]] = []
    try:
        last = after_id
        while True:
            frames = reader.frames(charger_id=charger_id, after_id=last, upto_id=upto_id, limit=2000)
            if not frames:
                break
            last = frames[-1].id or last
            for frame in frames:
                if frame.action not in ("ChangeConfiguration", "SetVariables"):
                    continue
                try:
                    message = json.loads(frame.payload)
                except ValueError:
                    continue
                if frame.message_type == 2 and frame.direction is model.Direction.OUT and len(message) == 4:
                    payload = message[3]
                    if frame.action == "ChangeConfiguration":
                        items = [(str(payload.get("key", "")), str(payload.get("value", "")))]
                    else:
                        items = [(f"{i.get('component', {}).get('name', '')}.{i.get('variable', {}).get('name', '')}",
                                  str(i.get("attributeValue", ""))) for i in payload.get("setVariableData", [])]
                    sent[frame.unique_id] = (frame.action, items, frame.ts_ms)
                elif frame.message_type == 3 and frame.unique_id in sent and len(message) == 3:
                    action, items, when = sent.pop(frame.unique_id)
                    result = message[2] if isinstance(message[2], dict) else {}
                    if action == "ChangeConfiguration":
                        accepted = [result.get("status") in ("Accepted", "RebootRequired")]
                    else:
                        accepted = [r.get("attributeStatus") in ("Accepted", "RebootRequired")
                                    for r in result.get("setVariableResult", [])]
                    for (name, value), ok in zip(items, accepted):
                        if ok:
                            changes.append({"name": name, "new": MASK if masked(name) else value, "time_ms": when})
    finally:
        reader.close()
    return changes
