"""Waiting for what a charger sends next: `watch()` and `expect()` on the engine loop.

Workflows send something and then wait for the charger's own messages: the NotifyReport parts
after GetBaseReport, FirmwareStatusNotification after UpdateFirmware, the BootNotification after
a Reset. The server hands every accepted charger-initiated message (CALL or SEND) to
`MessageHub.deliver` after journaling it; a watch registered *before* the request is sent sees
every match, so nothing can slip in between the request and the wait.

Keyed by charger id, not connection: a watch for the next BootNotification outlives the reset's
disconnect. Loop-thread only (like the registry): no locks. With no watches the per-message cost
is one dict lookup.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from typing import Any, Callable, Iterator

from app.domain import errors

Predicate = Callable[[dict[str, Any]], bool]


class Watch:
    """Matching messages of one charger and action, queued in arrival order until read."""

    def __init__(self, hub: MessageHub, charger_id: str, action: str, predicate: Predicate | None) -> None:
        self.charger_id = charger_id
        self.action = action
        self._hub = hub
        self._predicate = predicate
        self._queue: collections.deque[dict[str, Any]] = collections.deque()
        self._waiter: asyncio.Future | None = None
        self.closed = False

    def offer(self, payload: dict[str, Any]) -> None:
        if self._predicate is not None:
            try:
                if not self._predicate(payload):
                    return
            except Exception:  # a charger's odd payload (tolerant mode) is simply not a match
                return
        self._queue.append(payload)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next(self, timeout: float | None, hint: str = "") -> dict[str, Any]:
        """The next matching payload (camelCase, as sent). Raises ExpectTimeoutError."""
        if not self._queue:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(timeout):
                    await self._waiter
            except TimeoutError:
                raise errors.ExpectTimeoutError(self.charger_id, self.action, timeout or 0, hint) from None
            finally:
                self._waiter = None
        return self._queue.popleft()

    def pending(self) -> int:
        return len(self._queue)

    def take_all(self) -> list[dict[str, Any]]:
        """Every matching payload queued now, oldest first, without waiting (a job that polls)."""
        out = list(self._queue)
        self._queue.clear()
        return out

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._hub.remove(self)

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AnyWatch(Watch):
    """Several actions of one charger in one queue: `next` gives (action, payload, received ms by
    `clock`), in arrival order."""

    def __init__(self, hub: MessageHub, charger_id: str, actions: tuple[str, ...], clock: Callable[[], int]) -> None:
        super().__init__(hub, charger_id, "|".join(actions), None)
        self.actions = actions
        self._clock = clock

    def offer_from(self, action: str, payload: dict[str, Any]) -> None:
        self.offer((action, payload, self._clock()))  # type: ignore[arg-type]

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            for action in self.actions:
                self._hub.remove_from(self, action)


class MessageHub:
    def __init__(self) -> None:
        self._watches: dict[tuple[str, str], list[Watch]] = {}

    def deliver(self, charger_id: str, action: str, payload: Any) -> None:
        watches = self._watches.get((charger_id, action))
        if watches and isinstance(payload, dict):
            for watch in tuple(watches):
                if isinstance(watch, AnyWatch):
                    watch.offer_from(action, payload)
                else:
                    watch.offer(payload)

    def watch_any(self, charger_id: str, actions: tuple[str, ...], clock: Callable[[], int]) -> AnyWatch:
        watch = AnyWatch(self, charger_id, tuple(actions), clock)
        for action in watch.actions:
            self._watches.setdefault((charger_id, action), []).append(watch)
        return watch

    def remove_from(self, watch: Watch, action: str) -> None:
        key = (watch.charger_id, action)
        watches = self._watches.get(key)
        if watches is not None:
            with contextlib.suppress(ValueError):
                watches.remove(watch)
            if not watches:
                del self._watches[key]

    def watch(self, charger_id: str, action: str, predicate: Predicate | None = None) -> Watch:
        watch = Watch(self, charger_id, action, predicate)
        self._watches.setdefault((charger_id, action), []).append(watch)
        return watch

    def remove(self, watch: Watch) -> None:
        self.remove_from(watch, watch.action)

    async def expect(self, charger_id: str, action: str, predicate: Predicate | None = None,
                     timeout: float | None = 30.0, hint: str = "") -> dict[str, Any]:
        """The next matching message from now on (register first with `watch` to avoid a race)."""
        with self.watch(charger_id, action, predicate) as watch:
            return await watch.next(timeout, hint)

    def active(self) -> Iterator[tuple[str, str]]:
        return iter(list(self._watches))
