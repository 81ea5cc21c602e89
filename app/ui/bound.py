"""The habit of every panel that works on the selected charger: it keeps the bridge and the
charger it was given, and redraws its state (`_update`) when either changes."""

from __future__ import annotations

from app.domain import model


class ChargerBound:
    bridge = None
    info: model.ChargerInfo | None = None

    def set_bridge(self, bridge) -> None:
        self.bridge = bridge
        self._update()

    def set_charger(self, info: model.ChargerInfo | None) -> None:
        self.info = info
        self._update()

    def _update(self) -> None:  # pragma: no cover (each panel says what it shows)
        raise NotImplementedError
