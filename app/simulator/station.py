"""What the virtual charger remembers across connections: connectors, meters, transactions, settings.

A session (one websocket connection) comes and goes; the Station stays, so a transaction that
was charging when the network dropped is still charging, with a meter that kept counting,
when the charger comes back.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import random
import time
from typing import Any

from app.simulator import options as sim_options
from app.simulator import keys_v16 as simkeys
from app.simulator import device_model as simmodel
from app.simulator import logs
from app.simulator import meter
from app.simulator import security
from app.simulator import smart_charging

# Connector states in OCPP 1.6 words (ChargePointStatus); 2.x folds them into fewer.
AVAILABLE = "Available"
PREPARING = "Preparing"
CHARGING = "Charging"
SUSPENDED_EV = "SuspendedEV"
FINISHING = "Finishing"
UNAVAILABLE = "Unavailable"
FAULTED = "Faulted"

_STATUS_2X = {
    AVAILABLE: "Available",
    PREPARING: "Occupied",
    CHARGING: "Occupied",
    SUSPENDED_EV: "Occupied",
    FINISHING: "Occupied",
    UNAVAILABLE: "Unavailable",
    FAULTED: "Faulted",
}


@dataclasses.dataclass
class Transaction:
    # 1.6: assigned by the CSMS in the StartTransaction answer; 2.x: a UUID the charger makes.
    id: int | str | None
    id_tag: str
    meter_start_wh: float
    started_at: datetime.datetime
    remote_start_id: int | None = None
    token_type: str | None = None  # 2.x IdTokenType.type as the CSMS gave it (ISO14443, Central ...)
    seq_no: int = 0  # 2.x TransactionEvent sequence, per transaction

    def next_seq_no(self) -> int:
        seq_no = self.seq_no
        self.seq_no += 1
        return seq_no


@dataclasses.dataclass
class Connector:
    """A 1.6 connector, or a 2.x EVSE with its single connector (connector id 1)."""

    id: int
    meter: meter.Meter
    status: str = AVAILABLE
    operative: bool = True
    # ChangeAvailability received during a transaction: applied when it ends (answered Scheduled).
    scheduled_operative: bool | None = None
    transaction: Transaction | None = None

    @property
    def status_2x(self) -> str:
        return _STATUS_2X[self.status]

    def idle_status(self) -> str:
        return AVAILABLE if self.operative else UNAVAILABLE


def apply_availability(targets: list[Connector], operative: bool) -> bool:
    """ChangeAvailability on some connectors. Returns True if any change waits for a transaction.

    A connector whose availability does not change keeps its status (e.g. Faulted or Reserved).
    """
    scheduled = False
    for connector in targets:
        if connector.transaction is not None:
            connector.scheduled_operative = operative
            scheduled = True
        elif connector.operative != operative:
            connector.operative = operative
            connector.status = connector.idle_status()
    return scheduled


@dataclasses.dataclass
class NetworkState:
    index: int = 0  # position in the priority list being tried
    attempts: int = 0  # failed attempts on it
    active: int = 0  # the slot of the connection now (ActiveNetworkProfile)
    failures: dict[int, str] = dataclasses.field(default_factory=dict)
    # What the connection now up gave up on to get here: (slot, why), taken when it connected,
    # so a setting changed later in the session cannot make it report a fallback it never made.
    fallback: list[tuple[int, str]] = dataclasses.field(default_factory=list)


def _key_password(key: str | None) -> str | None:
    """1.6 security whitepaper: AuthorizationKey is 16-20 bytes sent as hex; the basic-auth password
    is those bytes. A value that is not such hex is used as it is (chargers in the field do both)."""
    if key and len(key) % 2 == 0 and 32 <= len(key) <= 40 and all(c in "0123456789abcdefABCDEF" for c in key):
        try:
            return bytes.fromhex(key).decode("utf-8")
        except UnicodeDecodeError:
            return key
    return key


class Station:
    def __init__(self, config: sim_options.SimConfig) -> None:
        self.config = config
        self.local_list: dict[str, dict] = {}  # SendLocalList: token -> its info (status, expiry, group)
        self.local_list_version = 0
        # Seeded from the id: the same charger shows the same meter registers on every run,
        # and chargers of a fleet still differ in their reconnect jitter.
        self.rng = random.Random(config.charger_id)
        self.connectors = [meter_connector(i, self.rng) for i in range(1, config.connectors + 1)]
        self.booted = asyncio.Event()
        self.boot_reason = "PowerUp"
        self.reboot_requested = False
        self.reset_on_idle = False  # 2.x Reset OnIdle answered Scheduled: reboot when the last transaction ends
        self.operative = True  # connector 0 / the whole station
        # SetChargingProfile, by profile id; the meters draw what they allow (`apply_limits`).
        self.profiles = smart_charging.Profiles(meter.MAX_CURRENT)
        self.config_keys: simkeys.ConfigKeys | None = None
        self.device_model: simmodel.DeviceModel | None = None
        # Network connection profiles by configuration slot (2.x SetNetworkProfile; 1.6: the
        # vendor key CentralSystemUrl becomes slot 1 on the next reboot, slot 0 the fallback).
        self.network_slots: dict[int, dict[str, Any]] = {
            0: {"ocpp_csms_url": config.url, "security_profile": config.security_profile}}
        self.network = NetworkState()
        # Certificates and keys (InstallCertificate, the CSR flow), kept across reboots as on real hardware.
        self.certificates = security.Certificates()
        if config.ca_file:
            self.certificates.ca_file_pem = security.read_pem(config.ca_file, "CA file")
        if config.client_cert and config.client_key:
            self.certificates.client_chain_pem = security.read_pem(config.client_cert, "client certificate")
            self.certificates.client_key_pem = security.read_pem(config.client_key, "client key")
        # Security events waiting for a connection to be sent on (StartupOfTheDevice, ResetOrReboot ...).
        self.security_outbox: list[tuple[str, str]] = []
        # Set by a session that changed the security profile (1.6): close and reconnect at once, no reboot.
        self.reconnect_requested = False
        # The version the charger runs: a firmware update changes it, and it survives reconnects.
        self.firmware = config.firmware
        self.log = logs.Journal()  # the charger's own log (GetDiagnostics, GetLog DiagnosticsLog)
        self.security_log = logs.Journal()  # security events (GetLog SecurityLog)
        # Firmware and upload jobs (app.simulator.updates.Jobs), set by the VirtualCharger that owns them.
        self.jobs: Any = None
        if config.ocpp_version == "1.6":
            self.config_keys = simkeys.ConfigKeys.default(config.connectors, config.password, config.url)
            self.config_keys.set("SecurityProfile", str(config.security_profile))
        else:
            self.device_model = simmodel.DeviceModel(
                simmodel.default_variables(
                    vendor=config.vendor, model=config.model, serial=config.serial_number,
                    charger_id=config.charger_id, evses=config.connectors, password=config.password,
                )
            )
            self._wire_live_variables(self.device_model)
            self.device_model.set_value("SecurityCtrlr", "SecurityProfile", str(config.security_profile))
        self.report_security("StartupOfTheDevice", f"power up, firmware {self.firmware}")

    def note(self, text: str, security: str | None = None) -> None:
        """Write one line in the charger's log; with `security` (an OCPP security event type), in its
        security log too."""
        now = self.now()
        self.log.add(now, text)
        if security is not None:
            self.security_log.add(now, f"{security}: {text}")

    def report_security(self, kind: str, text: str) -> None:
        """A security event the CSMS must hear of (a critical one): logged now, sent once connected."""
        self.note(text, security=kind)
        self.security_outbox.append((kind, text))

    def take_security_events(self) -> list[tuple[str, str]]:
        events, self.security_outbox = self.security_outbox, []
        return events

    def security_profile(self) -> int:
        """The security profile configured now (1.6: the SecurityProfile key; 2.x: the connection's)."""
        if self.config_keys is not None:
            return self.config_keys.get_int("SecurityProfile")
        return int(self.device_model.value("SecurityCtrlr", "SecurityProfile") or 0)

    def active_security_profile(self) -> int:
        """The security profile of the connection up now (its network slot's)."""
        level = self.network_slots.get(self.network.active, {}).get("security_profile")
        return int(level) if level is not None else self.security_profile()

    def organization(self) -> str | None:
        """The O of the charger's CSR: CpoName (1.6) / SecurityCtrlr.OrganizationName (2.x), when set."""
        if self.config_keys is not None:
            return self.config_keys.get("CpoName") or None
        return self.device_model.value("SecurityCtrlr", "OrganizationName") or None

    def profile_prerequisites(self, profile: int, url: str | None) -> str | None:
        """Why the charger cannot connect at `profile` to `url`, or None when it can."""
        if profile >= 2:
            if not url or not url.lower().startswith("wss://"):
                return f"security profile {profile} needs a wss:// URL"
            if not self.certificates.can_verify_csms():
                return f"security profile {profile} needs a CSMS root certificate installed"
        elif url and url.lower().startswith("wss://"):
            return f"a wss:// URL needs security profile 2 or 3, not {profile}"
        if profile == 3 and not self.certificates.has_client_certificate():
            return "security profile 3 needs a charger certificate"
        # Profile 1 is not checked for a password: a CSMS may send SecurityProfile before AuthorizationKey.
        return None

    def configuration(self) -> list[dict]:
        """Every configuration key (1.6) or device model variable (2.x), for a diagnostics archive."""
        if self.config_keys is not None:
            return self.config_keys.report(None)[0]
        return self.device_model.report("FullInventory")

    def _wire_live_variables(self, model: simmodel.DeviceModel) -> None:
        def station_state() -> str:
            # The station is Available while any EVSE can take a car.
            if not self.operative:
                return "Unavailable"
            states = [c.status_2x for c in self.connectors]
            return "Available" if "Available" in states else states[0]

        model.find("ChargingStation", "AvailabilityState").live = station_state
        model.find("ChargingStation", "Available").live = lambda: str(self.operative).lower()
        model.find("ClockCtrlr", "DateTime").live = self.timestamp
        for c in self.connectors:
            for where in ({"evse_id": c.id}, {"evse_id": c.id, "connector_id": 1}):
                component = "EVSE" if len(where) == 1 else "Connector"
                model.find(component, "AvailabilityState", **where).live = lambda c=c: c.status_2x
                model.find(component, "Available", **where).live = lambda c=c: str(c.operative).lower()
            model.find("EVSE", "Power", evse_id=c.id).live = lambda c=c: f"{c.meter.power_w():.0f}"

    # -- time -------------------------------------------------------------------------------

    def now(self) -> datetime.datetime:
        return self.config.clock()

    def timestamp(self) -> str:
        return sim_options.iso(self.now())

    @staticmethod
    def monotonic() -> float:
        return time.monotonic()

    # -- connectors ---------------------------------------------------------------------------

    def connector(self, connector_id: int | None) -> Connector | None:
        if connector_id is None or not 1 <= connector_id <= len(self.connectors):
            return None
        return self.connectors[connector_id - 1]

    def connector_for_start(self, requested: int | None) -> Connector | None:
        """The connector a remote start goes to, or None when it must be refused."""
        if not self.operative:
            return None
        candidates = self.connectors if requested is None else [self.connector(requested)]
        for c in candidates:
            if c is not None and c.operative and c.transaction is None and c.status != FAULTED:
                return c
        return None

    def connector_with_transaction(self, transaction_id: int | str) -> Connector | None:
        for c in self.connectors:
            if c.transaction is not None and c.transaction.id == transaction_id:
                return c
        return None

    # -- charging profiles ----------------------------------------------------------------------

    @staticmethod
    def _tx(connector: Connector | None) -> smart_charging.Transaction | None:
        tx = connector.transaction if connector is not None else None
        return None if tx is None else smart_charging.Transaction(tx.id, tx.started_at)

    def limit_a(self, connector_id: int) -> float:
        """Amperes per phase the profiles allow on a connector now (0: the station's cap)."""
        return self.profiles.limit_at(connector_id, self.now(), self._tx(self.connector(connector_id)))

    def composite(self, connector_id: int, duration: int) -> list[tuple[int, float]]:
        """(startPeriod, A per phase) over the next `duration` s (GetCompositeSchedule)."""
        return self.profiles.composite(connector_id, self.now(), duration, self._tx(self.connector(connector_id)))

    def apply_limits(self) -> None:
        """Offer each EV what the profiles allow now. With the ignore_limits fault the charger
        takes and reports the profiles, and its EVs keep drawing their full current."""
        now = self.monotonic()
        for c in self.connectors:
            c.meter.obeys = not self.config.ignore_limits
            c.meter.set_offered(now, self.limit_a(c.id))

    def has_transactions(self) -> bool:
        return any(c.transaction is not None for c in self.connectors)

    # -- settings that live in the version's own configuration store ---------------------------

    def password(self) -> str | None:
        """The basic-auth password for the next connection: a CSMS may have changed it."""
        if self.config_keys is not None:
            return _key_password(self.config_keys.get("AuthorizationKey")) or self.config.password
        value = self.device_model.value("SecurityCtrlr", "BasicAuthPassword")
        return value or self.config.password

    # -- network connection profiles ----------------------------------------------------------

    def priority(self) -> list[int]:
        """The configuration slots to try, best first (NetworkConfigurationPriority)."""
        if self.config_keys is not None:
            # 1.6: slot 1 is what the keys ask for now (CentralSystemUrl, SecurityProfile), slot 0 what
            # worked last, the fallback (whitepaper: a charger that cannot connect with the new profile
            # reverts to the previous one).
            url = self.config_keys.get("CentralSystemUrl") or self.config.url
            profile = self.config_keys.get_int("SecurityProfile")
            now = self.network_slots[0]
            if url != now["ocpp_csms_url"] or profile != now.get("security_profile"):
                self.network_slots[1] = {**now, "ocpp_csms_url": url, "security_profile": profile}
                return [1, 0]
            return [0]
        text = self.device_model.value("OCPPCommCtrlr", "NetworkConfigurationPriority") or "0"
        slots = [int(p) for p in text.split(",") if p.strip().isdigit() and int(p) in self.network_slots]
        return slots or [0]

    def endpoint(self) -> tuple[int, str, str]:
        """(slot, websocket URL with the charger's identity, identity) of the next connection attempt."""
        order = self.priority()
        slot = order[min(self.network.index, len(order) - 1)]
        profile = self.network_slots[slot]
        identity = profile.get("identity") or self.config.charger_id
        return slot, f"{profile['ocpp_csms_url'].rstrip('/')}/{identity}", identity

    def connection_failed(self, reason: str) -> None:
        """One failed attempt on the current slot; after NetworkProfileConnectionAttempts, the next slot."""
        self.network.failures[self.endpoint()[0]] = reason
        self.network.attempts += 1
        attempts = 1 if self.config_keys is not None else int(
            self.device_model.value("OCPPCommCtrlr", "NetworkProfileConnectionAttempts") or 3)
        if self.network.attempts >= attempts and self.network.index < len(self.priority()) - 1:
            self.network.index += 1
            self.network.attempts = 0

    def connected_on(self, slot: int) -> None:
        order = self.priority()
        better = order[:order.index(slot)] if slot in order else []
        self.network.fallback = [(s, self.network.failures[s]) for s in better if s in self.network.failures]
        self.network.failures.clear()
        self.network.attempts = 0
        self.network.active = slot
        if self.config_keys is not None and slot == 1:
            # The new URL / profile works: it is the one to fall back to from now on, so the charger
            # never drops back to a lower security profile later.
            self.network_slots[0] = dict(self.network_slots[1])
            self.network.index = 0
            self.network.active = 0
        if self.device_model is not None:
            self.device_model.find("OCPPCommCtrlr", "ActiveNetworkProfile").value = str(slot)
            level = self.network_slots[slot].get("security_profile")
            if level is not None:
                self.device_model.find("SecurityCtrlr", "SecurityProfile").value = str(level)

    def apply_local_list(self, version: int, full: bool, entries: dict[str, dict | None]) -> str:
        """SendLocalList (1.6 and 2.x D01): Full replaces the list, Differential adds, changes and (an
        entry without info) removes; a differential update older than the list is VersionMismatch."""
        if not full and version <= self.local_list_version:
            return "VersionMismatch"
        if full:
            self.local_list = {}
        for token, info in entries.items():
            if info is None:
                self.local_list.pop(token, None)
            else:
                self.local_list[token] = info
        self.local_list_version = version
        self.note(f"local authorization list version {version}: {len(self.local_list)} tag(s)")
        return "Accepted"

    def fell_back(self) -> list[tuple[int, str]]:
        """Once per connection: the better slots that failed before the one connected now, (slot, why)."""
        fallback, self.network.fallback = self.network.fallback, []
        return fallback

    def rebooted(self) -> None:
        """A reboot starts again from the best slot."""
        self.network.index = 0
        self.network.attempts = 0
        self.network.failures.clear()

    def ping_interval(self) -> float | None:
        if self.config_keys is not None:
            seconds = self.config_keys.get_int("WebSocketPingInterval")
        else:
            seconds = int(self.device_model.value("OCPPCommCtrlr", "WebSocketPingInterval"))
        return seconds or None  # 0 switches websocket pings off

    def heartbeat_interval(self) -> int:
        if self.config_keys is not None:
            return self.config_keys.get_int("HeartbeatInterval")
        return int(self.device_model.value("OCPPCommCtrlr", "HeartbeatInterval"))

    def set_heartbeat_interval(self, seconds: int) -> None:
        if self.config_keys is not None:
            self.config_keys.set("HeartbeatInterval", str(seconds))
        else:
            self.device_model.set_value("OCPPCommCtrlr", "HeartbeatInterval", str(seconds))

    def meter_interval(self) -> float:
        if self.config.meter_interval is not None:
            return self.config.meter_interval
        if self.config_keys is not None:
            return float(self.config_keys.get_int("MeterValueSampleInterval"))
        return float(self.device_model.value("SampledDataCtrlr", "TxUpdatedInterval"))


def meter_connector(connector_id: int, rng: random.Random) -> Connector:
    return Connector(connector_id, meter.Meter(rng))
