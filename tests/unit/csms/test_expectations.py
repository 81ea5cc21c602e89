"""watch()/expect(): what a workflow waits for after it sent something (sans sockets)."""

from __future__ import annotations

import asyncio

import pytest

from app.csms import expectations
from app.domain import errors


async def test_a_watch_opened_before_sending_sees_every_match_in_order() -> None:
    hub = expectations.MessageHub()
    with hub.watch("CP1", "NotifyReport", lambda p: p["requestId"] == 7) as watch:
        hub.deliver("CP1", "NotifyReport", {"requestId": 7, "seqNo": 0})
        hub.deliver("CP1", "NotifyReport", {"requestId": 8, "seqNo": 0})  # another request
        hub.deliver("CP2", "NotifyReport", {"requestId": 7, "seqNo": 0})  # another charger
        hub.deliver("CP1", "Heartbeat", {})  # another action
        hub.deliver("CP1", "NotifyReport", {"requestId": 7, "seqNo": 1})
        assert watch.pending() == 2
        assert (await watch.next(1))["seqNo"] == 0
        assert (await watch.next(1))["seqNo"] == 1
    assert list(hub.active()) == []  # closed: nothing left behind


async def test_next_waits_for_a_later_message_and_times_out_with_a_domain_error() -> None:
    hub = expectations.MessageHub()
    with hub.watch("CP1", "BootNotification") as watch:
        asyncio.get_running_loop().call_soon(hub.deliver, "CP1", "BootNotification", {"reason": "RemoteReset"})
        assert (await watch.next(5)) == {"reason": "RemoteReset"}
        with pytest.raises(errors.ExpectTimeoutError) as caught:
            await watch.next(0.01)
    assert "CP1 sent no BootNotification" in str(caught.value)


async def test_expect_returns_the_first_match_and_unregisters() -> None:
    hub = expectations.MessageHub()
    waiting = asyncio.ensure_future(hub.expect("CP1", "FirmwareStatusNotification",
                                               lambda p: p.get("status") == "Installed", timeout=5))
    await asyncio.sleep(0)
    hub.deliver("CP1", "FirmwareStatusNotification", {"status": "Downloading"})
    hub.deliver("CP1", "FirmwareStatusNotification", {"status": "Installed"})
    assert (await waiting) == {"status": "Installed"}
    assert list(hub.active()) == []


async def test_odd_payloads_never_break_a_watch() -> None:
    hub = expectations.MessageHub()
    with hub.watch("CP1", "NotifyReport", lambda p: p["requestId"] == 1) as watch:
        hub.deliver("CP1", "NotifyReport", {"no": "requestId"})  # predicate raises: not a match
        hub.deliver("CP1", "NotifyReport", ["not", "an", "object"])  # tolerant mode lets it through
        hub.deliver("CP1", "NotifyReport", {"requestId": 1})
        assert watch.pending() == 1
