"""The OCPP trace of a run: its charger's journal frames as JSONL, secrets masked, with a SHA-256.

Which frames: the run's own, its charger's from the run's start to its end (`Window`: the journal
ids marked when the run started and ended; a run the journal never marked, by the frames' times),
and each frame a step cites as evidence from outside that window, in id order. A check may prove
itself with a frame older than the run (the boot check reads the charger's last
BootNotification, which can be from hours before): that frame is in the trace, marked
``"outside_run": "before"`` (``"after"`` for one after the end) with ``"cited_by"``, the steps
that cite it. The trace does not start at the oldest cited frame: the frames between it and the
run's start are not the run's, they are left out. The report's first and last frame ids are
those of the first and last line of the file (`Written`).

Masked: anything named like a password, an authorization key or a private key, wherever it
appears (a ChangeConfiguration of AuthorizationKey, a SetVariables of BasicAuthPassword, a
GetConfiguration answer, a NotifyReport, a certificate's private key). A frame that is not JSON
is kept as text with the same patterns masked.
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import json
import pathlib
from typing import Any, Callable, Iterator, Mapping, Sequence

from app.domain import model, runs, secrets
from app.storage import journal as journal_store

# What a secret is, and masking it: one definition for the journal, the trace and the exports.
MASK, SECRET_NAMES, is_secret, mask = secrets.MASK, secrets.SECRET_NAMES, secrets.is_secret, secrets.mask
_TEXT_SECRET, _mask_text = secrets.TEXT_SECRET, secrets.mask_text


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


@dataclasses.dataclass(frozen=True)
class Window:
    """A run's own frames: its charger's, ids in (after_id, upto_id] (None: to the newest) and,
    when from_ms / to_ms are set, times in [from_ms, to_ms] (to_ms 0: no end)."""

    charger_id: str
    after_id: int = 0
    upto_id: int | None = None
    from_ms: int = 0
    to_ms: int = 0

    @classmethod
    def of(cls, run: runs.Run) -> Window:
        """The journal ids marked at the run's start and end; a run never marked, its start and end times.

        A run not finished yet (or cut off) has no end mark: its window is open to the newest frame.
        """
        if run.first_frame_id or run.last_frame_id:
            return cls(run.charger_id, run.first_frame_id, run.last_frame_id or None)
        return cls(run.charger_id, from_ms=run.started_ms, to_ms=run.ended_ms)

    def spans_id(self, frame_id: int) -> bool:
        """The id is in (after_id, upto_id]."""
        return frame_id > self.after_id and (self.upto_id is None or frame_id <= self.upto_id)

    @property
    def by_ids(self) -> bool:
        """Ids alone decide (no times): a frame of the charger with an id spanned is the window's."""
        return not (self.from_ms or self.to_ms)

    def holds(self, frame: model.Frame) -> bool:
        return (frame.charger_id == self.charger_id and self.spans_id(frame.id or 0)
                and frame.ts_ms >= self.from_ms and (not self.to_ms or frame.ts_ms <= self.to_ms))

    def side(self, frame: model.Frame) -> str:
        """Where a frame outside the window is: "before" the run or "after" it."""
        early = (frame.id or 0) <= self.after_id or frame.ts_ms < self.from_ms
        return "before" if early else "after"

    def frames(self, reader: journal_store.JournalReader, page: int = 2000) -> Iterator[model.Frame]:
        """The window's frames in id order, read in pages."""
        last = self.after_id
        while True:
            frames = reader.frames(charger_id=self.charger_id, after_id=last, upto_id=self.upto_id, limit=page)
            if not frames:
                return
            last = frames[-1].id or last
            yield from (f for f in frames if self.holds(f))


def citations(run: runs.Run) -> dict[int, list[str]]:
    """The frames the run's steps cite as evidence: {frame id: [step keys]}."""
    cited: dict[int, list[str]] = {}
    for step in run.steps:
        for frame_id in step.evidence:
            if frame_id > 0 and step.key not in cited.setdefault(frame_id, []):
                cited[frame_id].append(step.key)
    return cited


@dataclasses.dataclass(frozen=True)
class Written:
    """A trace file as written: its SHA-256 (hex), its frames, the ids of its first and last
    frame (0 when it has none), and how many of them are cited frames from outside the run."""

    sha256: str
    frames: int
    first_frame_id: int
    last_frame_id: int
    outside_run: int


def _outside(reader: journal_store.JournalReader, window: Window,
             cited: Mapping[int, Sequence[str]]) -> list[model.Frame]:
    """The cited frames the window does not hold (its charger's only), in id order."""
    found = []
    for frame_id in sorted(cited):
        if window.by_ids and window.spans_id(frame_id):
            continue  # the window's own (or another charger's): not read twice
        frame = reader.frame(frame_id)
        if frame is not None and frame.charger_id == window.charger_id and not window.holds(frame):
            found.append(frame)
    return found


def write(journal_path: pathlib.Path, window: Window, out: pathlib.Path,
          cited: Mapping[int, Sequence[str]] | None = None,
          progress: Callable[[int], None] | None = None) -> Written:
    """Write the JSONL trace: the window's frames and the cited ones outside it, in id order."""
    cited = cited or {}
    reader = journal_store.JournalReader(journal_path)
    digest = hashlib.sha256()
    count = outside = first = last = 0
    try:
        extra = _outside(reader, window, cited)
        with open(out, "wb") as sink:
            for frame in heapq.merge(extra, window.frames(reader), key=lambda f: f.id or 0):
                entry = line(frame)
                if not window.holds(frame):
                    entry["outside_run"] = window.side(frame)
                    entry["cited_by"] = list(cited.get(frame.id or 0, []))
                    outside += 1
                data = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
                sink.write(data)
                digest.update(data)
                count += 1
                first, last = first or frame.id or 0, frame.id or 0
                if progress is not None and count % 2000 == 0:
                    progress(count)
        if progress is not None:
            progress(count)
    finally:
        reader.close()
    return Written(digest.hexdigest(), count, first, last, outside)


def configuration_changes(journal_path: pathlib.Path, window: Window,
                          masked: Callable[[str], bool] = is_secret) -> list[dict[str, Any]]:
    """Every setting the run changed and the charger accepted: [{name, new, time_ms}], in order.

    From the run's own frames (its window): a ChangeConfiguration / SetVariables we sent, and its CALLRESULT.
    """
    reader = journal_store.JournalReader(journal_path)
    sent: dict[str, tuple[str, list[tuple[str, str]], int]] = {}
    changes: list[dict[str, Any]] = []
    try:
        for frame in window.frames(reader):
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
