"""The built-in virtual charger (OCPP 1.6J, 2.0.1 and 2.1), for demo mode and as the CSMS's test peer.

    config = simulator.SimConfig(url="ws://127.0.0.1:9000/ocpp", charger_id="CP-1")
    charger = simulator.VirtualCharger(config)
    await charger.run()              # until charger.stop()

    await simulator.run_fleet("ws://127.0.0.1:9000/ocpp", "SIM", "2.0.1", count=50, stop=event)

Modules: options (SimConfig, backoff), station (state kept across connections), charger_session
(version-neutral boot/heartbeat/tasks), v16 and v2x (the handlers), keys_v16 and
device_model (1.6 keys, 2.x variables), meter (plausible readings), smart_charging (charging
profiles and the composite schedule the meters obey), charger (the run loop),
updates (firmware updates and log uploads, owned by the charger across reboots), transfers
(the HTTP/FTP client side, also for benchmarks), logs (the charger's journals and log archive).
"""

from app.simulator.charger import VirtualCharger, fleet_ids, run_fleet
from app.simulator.options import SimConfig

__all__ = ["SimConfig", "VirtualCharger", "fleet_ids", "run_fleet"]
