"""Engine listeners: a bound method unsubscribes (a bound method is a new object at every access)."""

from app.csms import engine as csms_engine
from app.domain import csms_policy


class Listener:
    def __init__(self) -> None:
        self.seen: list = []

    def on_event(self, event) -> None:
        self.seen.append(event)


def test_a_bound_method_listener_unsubscribes(tmp_path) -> None:
    engine = csms_engine.Engine(csms_policy.CsmsConfig(host="127.0.0.1", port=0), tmp_path)
    try:
        listener = Listener()
        engine.subscribe(listener.on_event)
        engine.unsubscribe(listener.on_event)
        assert engine._listeners == ()
    finally:
        engine.close()
