"""What a step left on the charger, in words; the heartbeat check's judge of the charger's other messages."""

from __future__ import annotations

from app.domain import model
from app.services import checks, leftovers


def test_what_is_left_on_the_charger_is_said_in_plain_words() -> None:
    assert leftovers.still_there({}) == ""
    assert leftovers.still_there({"settings": {"HeartbeatInterval": "300"}, "set_to": {"HeartbeatInterval": "3"},
                                  "transaction": {"id": "5", "connector": "1", "already": []}}) == (
        "HeartbeatInterval is still 3 (set for the check; it was 300); "
        "the test session (transaction 5 on connector 1) may still be running")
    assert leftovers.still_there({"settings": {"OCPPCommCtrlr.HeartbeatInterval": "60"},
                                  "transaction": {"id": "", "connector": "1/1"}}) == (
        "OCPPCommCtrlr.HeartbeatInterval may still be as the check set it (it was 60); "
        "the test session the check started on connector 1/1 may still be running")


def _call(frame_id: int, action: str, ts_ms: int) -> model.Frame:
    return model.Frame(id=frame_id, ts_ms=ts_ms, charger_id="CP", direction=model.Direction.IN, message_type=2,
                       action=action, unique_id=str(frame_id), payload="[]")


def test_the_longest_silence_counts_every_message_of_the_charger_from_the_mark() -> None:
    """Heartbeats skipped while StatusNotifications flowed every 2 s: the link never went quiet
    longer than that; one 6 s gap is the longest silence whatever the messages around it."""
    chatty = checks.Timed.of([_call(i, "StatusNotification", 1000 + 2000 * i) for i in range(1, 5)], 1000, 10_000)
    assert chatty.beats == [] and chatty.longest_silence() == 2.0
    gap = checks.Timed.of([_call(1, "MeterValues", 2000), _call(2, "Heartbeat", 8000)], 1000, 10_000)
    assert gap.longest_silence() == 6.0
    # Two beats: the window ends at the second, the messages after it do not count.
    two = checks.Timed.of([_call(1, "Heartbeat", 2000), _call(2, "StatusNotification", 3000),
                           _call(3, "Heartbeat", 9000), _call(4, "StatusNotification", 9500)], 1000, 12_000)
    assert [f.id for f in two.beats] == [1, 3] and two.to_ms == 9000 and two.longest_silence() == 6.0
    assert checks.Timed.of([], 1000, 10_000).longest_silence() == 9.0
