"""What the version handlers need from the CSMS: its policy, a clock, ids, and an event sink."""

from __future__ import annotations

import datetime
import itertools
from typing import Callable

from app.domain import config as domain_config
from app.domain import model


def iso_now(ms: int) -> str:
    stamp = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class HandlerContext:
    """Shared by the handlers of one charger's session."""

    def __init__(
        self,
        charger_id: str,
        config: domain_config.CsmsConfig,
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

    def booted(self, vendor: str, model_name: str, serial: str, firmware: str) -> str:
        status = self.config.boot_status.value
        self.emit(model.Booted(self.charger_id, self.clock(), vendor or "", model_name or "", serial or "",
                               firmware or "", status))
        return status

    def status(self, connector: str, status: str, error_code: str = "") -> None:
        self.emit(model.StatusChanged(self.charger_id, self.clock(), connector, status or "", error_code or ""))
