"""The chargers' passwords, kept in the operating system's keyring (Windows Credential Manager,
macOS Keychain, Secret Service on Linux) through `keyring`; never in a settings file.

One keyring item holds every charger's password (a JSON object, charger id -> password), so the
app can load them all when the CSMS starts (keyring cannot list items). Where the machine has no
keyring (a headless Linux bench without Secret Service), the passwords live in memory for this run
only and `persistent` says so; the window and `serve` tell the technician.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from app.domain import errors

log = logging.getLogger(__name__)

SERVICE = "Commissioner"
ITEM = "charger-passwords"


class Vault:
    def __init__(self, backend: Any | None = None, item: str = ITEM) -> None:
        """`backend`: a keyring backend (tests pass an in-memory one); default: the system's."""
        self._backend = backend
        self._item = item
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()
        self._loaded = False

    @property
    def backend(self) -> Any | None:
        if self._backend is None:
            try:
                import keyring
                self._backend = keyring.get_keyring()
            except Exception as exc:  # keyring's backend discovery can fail in odd ways
                log.warning("no keyring: %s", exc)
                return None
        return self._backend

    @property
    def persistent(self) -> bool:
        """True when the passwords survive the app (a real keyring), False when only in memory."""
        backend = self.backend
        if backend is None:
            return False
        priority = getattr(backend, "priority", 1)
        return not type(backend).__module__.startswith("keyring.backends.fail") and priority > 0

    def passwords(self) -> dict[str, str]:
        """Every charger's password (charger id -> password)."""
        with self._lock:
            self._load()
            return dict(self._memory)

    def get(self, charger_id: str) -> str | None:
        return self.passwords().get(charger_id)

    def set(self, charger_id: str, password: str) -> None:
        with self._lock:
            self._load()
            self._memory[charger_id] = password
            self._save()

    def forget(self, charger_id: str) -> None:
        with self._lock:
            self._load()
            if self._memory.pop(charger_id, None) is not None:
                self._save()

    def _load(self) -> None:
        if self._loaded:
            return
        if not self.persistent:
            self._loaded = True
            return
        # Loaded only once the keyring answered: a locked keyring must never make a later set()
        # write an item with only the new charger in it (every other password lost).
        try:
            text = self.backend.get_password(SERVICE, self._item)
        except Exception as exc:
            raise errors.StorageError(f"The keyring would not give the chargers' passwords: {exc}",
                                      hint="Unlock the keyring (log in again), then retry.") from exc
        if text:
            try:
                data = json.loads(text)
            except ValueError:
                log.warning("the keyring item %s/%s is not JSON; starting afresh", SERVICE, self._item)
                data = {}
            self._memory.update({str(k): str(v) for k, v in dict(data).items()})
        self._loaded = True

    def _save(self) -> None:
        if not self.persistent:
            return
        try:
            self.backend.set_password(SERVICE, self._item, json.dumps(self._memory, sort_keys=True))
        except Exception as exc:
            raise errors.StorageError(f"The keyring would not store the password: {exc}",
                                      hint="Unlock the keyring (log in again), then set the password again.") from exc
