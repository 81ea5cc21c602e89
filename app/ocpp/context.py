"""What the version handlers need from the CSMS: its policy, a clock, ids, and an event sink."""

from __future__ import annotations

import datetime
import itertools
from typing import Callable

from app.domain import csms_policy
from app.domain import model


def iso_now(ms: int) -> str:
    stamp = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class HandlerContext:
    """Shared by the handlers of one charger's session."""

    def __init__(
        self,
        charger_id: str,
        config: csms_policy.CsmsConfig,
        emit: Callable[[model.Event], None],
        clock: Callable[[], int],
        transaction_ids: itertools.count,
    ) -> None:
        self.charger_id = charger_id
        self.config = config
        self.emit = emit
        self.clock = clock
        self._transaction_ids = transaction_ids

    def now_iso(self) -> str:
        return iso_now(self.clock())

    def next_transaction_id(self) -> int:
        return next(self._transaction_ids)

    def booted(self, vendor: object, model_name: object, serial: object, firmware: object) -> str:
        status = self.config.boot_status.value
        self.emit(model.Booted(self.charger_id, self.clock(), text(vendor), text(model_name), text(serial),
                               text(firmware), status))
        return status

    def status(self, connector: object, status: object, error_code: object = "") -> None:
        self.emit(model.StatusChanged(self.charger_id, self.clock(), text(connector), text(status), text(error_code)))


def text(value: object) -> str:
    """A charger's field as text for the registry and the GUI, whatever type it sent (tolerant mode)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def obj(value: object) -> dict:
    """A field that should be a JSON object; anything else (tolerant mode) reads as empty."""
    return value if isinstance(value, dict) else {}
