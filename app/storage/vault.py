"""The chargers' passwords, kept in the operating system's keyring (Windows Credential Manager,
macOS Keychain, Secret Service on Linux) through `keyring`; never in a settings file.

One keyring item per charger and kind (`local:CP1`, the password this CSMS gave CP1;
`operator:CP1`, the operator's, which replaced it at the handover (1.6, 2.0.1: one password per
charger, so this CSMS expects it on a fallback); `operator-profile:CP1`, the operator's kept in
the operator's network profile only (2.1: the charger keeps its own for this CSMS)), because Windows
Credential Manager holds at most 2,560 bytes per secret: one item with every charger in it
overflows past a few dozen chargers. Keyring cannot list items, so a small index (pages of at
most INDEX_PAGE_CHARS characters: `charger-passwords-index`, `charger-passwords-index-1`, ...)
names them. The single JSON item of earlier versions (`charger-passwords`) is migrated on the
first load: its passwords are written as items of their own, then it is deleted.

Every call may block (Secret Service over D-Bus may prompt to unlock): callers on an event loop
use `asyncio.to_thread`. Where the machine has no keyring (a headless Linux bench without Secret
Service), the passwords live in memory for this run only and `persistent` says so.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from typing import Any

from app.domain import errors

log = logging.getLogger(__name__)

SERVICE = "Commissioner"
OLD_ITEM = "charger-passwords"  # before: one JSON object, charger id -> password
INDEX = "charger-passwords-index"
INDEX_PAGE_CHARS = 1000  # UTF-16 on Windows: 2,000 of its 2,560 bytes
LOCAL = "local"  # the password this CSMS gave the charger (and expects from it)
OPERATOR = "operator"  # the operator's password, given at the handover in place of the charger's own
OPERATOR_PROFILE = "operator-profile"  # the operator's password, in the operator's network profile only
KINDS = (LOCAL, OPERATOR, OPERATOR_PROFILE)
_UNLOCK = "Unlock the keyring (log in again), then retry."


@dataclasses.dataclass(frozen=True)
class Entry:
    charger_id: str
    kind: str  # LOCAL, OPERATOR or OPERATOR_PROFILE
    password: str = dataclasses.field(repr=False)
    expected: bool = False  # True: the one this CSMS checks when the charger connects

    @property
    def operator(self) -> bool:
        return self.kind != LOCAL


def item_name(kind: str, charger_id: str) -> str:
    return f"{kind}:{charger_id}"


def _secret_item(name: str) -> str:
    if not name:
        raise ValueError("a secret needs a name")
    return f"secret:{name}"


class Vault:
    def __init__(self, backend: Any | None = None) -> None:
        """`backend`: a keyring backend (tests pass an in-memory one); default: the system's."""
        self._backend = backend
        self._memory: dict[tuple[str, str], str] = {}  # (kind, charger id) -> password
        self._lock = threading.Lock()
        self._loaded = False
        self._pages = 0  # index pages in the keyring now (the extra ones are deleted on save)
        self._secrets: dict[str, str] = {}  # keyring item name -> value (secret(), set_secret())

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

    # ------------------------------------------------------------------ reading

    def passwords(self) -> dict[str, str]:
        """What this CSMS expects from each charger (charger id -> password): its local password,
        or, handed over with the operator's password and no local one left, the operator's."""
        return {e.charger_id: e.password for e in self.entries() if e.expected}

    def entries(self) -> list[Entry]:
        """Every stored password, by charger id then kind."""
        with self._lock:
            self._load()
            memory = dict(self._memory)
        return [Entry(charger_id, kind, password,
                      expected=kind == LOCAL or (kind == OPERATOR and (LOCAL, charger_id) not in memory))
                for (kind, charger_id), password in sorted(memory.items(), key=lambda kv: (kv[0][1], kv[0][0]))]

    def get(self, charger_id: str, kind: str = LOCAL) -> str | None:
        with self._lock:
            self._load()
            return self._memory.get((kind, charger_id))

    # ------------------------------------------------------------------ writing

    def set(self, charger_id: str, password: str, kind: str = LOCAL) -> None:
        self.change({(kind, charger_id): password})

    def forget(self, charger_id: str, kind: str | None = None) -> bool:
        """Drop the charger's password of `kind` (None: of every kind). True if there was one."""
        kinds = KINDS if kind is None else (kind,)
        with self._lock:
            self._load()
            gone = [(k, charger_id) for k in kinds if (k, charger_id) in self._memory]
        if gone:
            self.change({key: None for key in gone})
        return bool(gone)

    def change(self, changes: dict[tuple[str, str], str | None]) -> None:
        """Set ((kind, charger id) -> password) or delete (-> None) items, then update the index."""
        for kind, _charger_id in changes:
            if kind not in KINDS:
                raise ValueError(f"unknown password kind {kind!r}")
        with self._lock:
            self._load()
            before = set(self._memory)
            for key, password in changes.items():
                if password is None:
                    self._memory.pop(key, None)
                else:
                    self._memory[key] = password
            if not self.persistent:
                return
            now = set(self._memory)
            # The index names a new item before the item is written: a crash between the two leaves
            # an index entry without its item (read with a warning), never a stored password that no
            # index names (lost, while the charger already uses it).
            if now - before:
                self._write_index(before | now)
            for (kind, charger_id), password in changes.items():
                if password is None:
                    self._delete(item_name(kind, charger_id))
                else:
                    self._write(item_name(kind, charger_id), password)
            if before - now:
                self._write_index(now)

    # ------------------------------------------------------------------ other secrets

    def secret(self, name: str) -> str | None:
        """A named secret that is no charger password (e.g. the built-in CA's key passphrase), kept
        in a keyring item of its own (`secret:NAME`, named in no index); in memory when not persistent."""
        item = _secret_item(name)
        with self._lock:
            if item in self._secrets:
                return self._secrets[item]
            if not self.persistent:
                return None
            value = self._read(item)
            if value is not None:
                self._secrets[item] = value
            return value

    def set_secret(self, name: str, value: str) -> None:
        item = _secret_item(name)
        with self._lock:
            if self.persistent:
                self._write(item, value)
            self._secrets[item] = value

    # ------------------------------------------------------------------ keyring

    def _load(self) -> None:
        if self._loaded:
            return
        if not self.persistent:
            self._loaded = True
            return
        # Loaded only once the keyring answered: a locked keyring must never make a later set()
        # write an index with only the new charger in it (every other password lost).
        names = self._read_index()
        if names is None:
            self._migrate()
        else:
            for name in names:
                kind, _, charger_id = name.partition(":")
                if kind not in KINDS or not charger_id:
                    log.warning("the keyring index names %r, which is no password item; skipped", name)
                    continue
                password = self._read(name)
                if password is None:
                    log.warning("the keyring item %s/%s named in the index is gone", SERVICE, name)
                    continue
                self._memory[(kind, charger_id)] = password
        self._loaded = True

    def _read_index(self) -> list[str] | None:
        """The item names in the index (None: there is no index yet)."""
        names: list[str] = []
        pages = 0
        while True:
            text = self._read(INDEX if pages == 0 else f"{INDEX}-{pages}")
            if text is None:
                break
            pages += 1
            try:
                names.extend(str(n) for n in json.loads(text))
            except (ValueError, TypeError):
                log.warning("page %d of the keyring index %s/%s is not a JSON list; skipped", pages, SERVICE, INDEX)
        self._pages = pages
        return names if pages else None

    def _migrate(self) -> None:
        """The one JSON item of earlier versions -> an item per charger, then it is deleted."""
        text = self._read(OLD_ITEM)
        if not text:
            return
        try:
            data = dict(json.loads(text))
        except (ValueError, TypeError):
            log.warning("the keyring item %s/%s is not JSON; left as it is", SERVICE, OLD_ITEM)
            return
        self._memory.update({(LOCAL, str(k)): str(v) for k, v in data.items()})
        # Items first, the index next, the old item last: stopped half-way, the next load
        # finds no index and migrates again.
        for (kind, charger_id), password in self._memory.items():
            self._write(item_name(kind, charger_id), password)
        self._write_index()
        self._delete(OLD_ITEM)
        log.info("moved %d charger password(s) to a keyring item each", len(data))

    def _write_index(self, keys: set[tuple[str, str]] | None = None) -> None:
        pages: list[list[str]] = [[]]
        for kind, charger_id in sorted(self._memory if keys is None else keys, key=lambda k: (k[1], k[0])):
            name = item_name(kind, charger_id)
            if pages[-1] and len(json.dumps(pages[-1] + [name])) > INDEX_PAGE_CHARS:
                pages.append([])
            pages[-1].append(name)
        for number, names in enumerate(pages):
            self._write(INDEX if number == 0 else f"{INDEX}-{number}", json.dumps(names))
        for number in range(len(pages), self._pages):
            self._delete(f"{INDEX}-{number}")
        self._pages = len(pages)

    def _read(self, name: str) -> str | None:
        try:
            return self.backend.get_password(SERVICE, name)
        except Exception as exc:
            raise errors.StorageError(f"The keyring would not give the chargers' passwords: {exc}",
                                      hint=_UNLOCK) from exc

    def _write(self, name: str, password: str) -> None:
        try:
            self.backend.set_password(SERVICE, name, password)
        except Exception as exc:
            raise errors.StorageError(f"The keyring would not store the password: {exc}",
                                      hint="Unlock the keyring (log in again), then set the password again.") from exc

    def _delete(self, name: str) -> None:
        import keyring.errors
        try:
            self.backend.delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            pass  # not there: nothing to delete
        except Exception as exc:
            raise errors.StorageError(f"The keyring would not delete the password: {exc}", hint=_UNLOCK) from exc
