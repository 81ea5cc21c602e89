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


def follow_events(old, new, slot) -> None:
    """Move a page's `slot` from the old bridge's events to the new one's (either may be None)."""
    if old is not None:
        try:
            old.events.disconnect(slot)
        except (RuntimeError, TypeError):
            pass
    if new is not None:
        new.events.connect(slot)
