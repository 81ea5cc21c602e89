"""Core records: frames, chargers and the events the CSMS engine emits."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from app.domain import metering


class OcppVersion(str, enum.Enum):
    V16 = "1.6"
    V201 = "2.0.1"
    V21 = "2.1"

    @property
    def subprotocol(self) -> str:
        return "ocpp" + self.value

    @classmethod
    def from_subprotocol(cls, subprotocol: str | None) -> OcppVersion | None:
        for version in cls:
            if version.subprotocol == subprotocol:
                return version
        return None


class Direction(str, enum.Enum):
    IN = "in"  # charger -> CSMS
    OUT = "out"  # CSMS -> charger


class MessageType(enum.IntEnum):
    EVENT = 1  # not OCPP: the CSMS's own note in the journal (connected, disconnected, timeout)
    CALL = 2
    CALLRESULT = 3
    CALLERROR = 4
    CALLRESULTERROR = 5  # OCPP 2.1
    SEND = 6  # OCPP 2.1

    @property
    def label(self) -> str:
        return {1: "EVENT", 2: "CALL", 3: "CALLRESULT", 4: "CALLERROR", 5: "CALLRESULTERROR", 6: "SEND"}[self.value]


class Mode(str, enum.Enum):
    """How the CSMS treats a charger's schema violations."""

    TOLERANT = "tolerant"  # accept, record a compliance warning
    STRICT = "strict"  # answer with the spec's CALLERROR


class BootStatus(str, enum.Enum):
    ACCEPTED = "Accepted"
    PENDING = "Pending"
    REJECTED = "Rejected"


@dataclasses.dataclass(slots=True)
class Frame:
    """One OCPP-J frame as it crossed the wire, as stored in the journal."""

    charger_id: str
    direction: Direction
    ts_ms: int
    message_type: int  # MessageType value; 0 for a frame that could not be parsed
    action: str
    unique_id: str
    payload: str  # the raw frame text (never re-serialised; only a frame with a secret in it is masked)
    latency_ms: float | None = None
    warnings: str = ""  # compliance warnings, "; "-separated
    id: int | None = None


@dataclasses.dataclass
class ConnectorState:
    connector_id: int  # 1.6 connectorId; 2.x "evse/connector"
    status: str
    error_code: str = ""
    evse_id: int | None = None
    updated_ms: int = 0


@dataclasses.dataclass(frozen=True)
class MeterState:
    """The live meter of one connector (1.6) or EVSE (2.x): the newest values of each measurand."""

    reading: metering.Reading
    updated_ms: int
    transaction_id: str = ""
    start_wh: float | None = None  # the energy register when the session began (None: no session)

    @property
    def session_wh(self) -> float | None:
        """Energy delivered in the running (or last) session."""
        energy = self.reading.energy_wh
        return None if energy is None or self.start_wh is None else max(0.0, energy - self.start_wh)


@dataclasses.dataclass
class ChargerInfo:
    charger_id: str
    ocpp_version: str = ""
    connected: bool = False
    vendor: str = ""
    model: str = ""
    serial: str = ""
    firmware: str = ""
    remote_address: str = ""
    connected_ms: int = 0
    last_message_ms: int = 0
    boot_status: str = ""
    connectors: dict[str, ConnectorState] = dataclasses.field(default_factory=dict)
    warnings: list[str] = dataclasses.field(default_factory=list)
    # Open transactions: transaction id -> connector ("1", "1/1", or "" when the charger did not say).
    transactions: dict[str, str] = dataclasses.field(default_factory=dict)
    # Live meters: 1.6 connector id, or 2.x EVSE id -> MeterState.
    meters: dict[str, MeterState] = dataclasses.field(default_factory=dict)
    security_profile: int = 0  # the profile of its current (or last) connection
    security_events: list[SecurityEventReceived] = dataclasses.field(default_factory=list)  # newest last, bounded

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# ---- events emitted by the CSMS engine (consumed by CLI --json, the GUI bridge, services)


@dataclasses.dataclass(slots=True)
class Event:
    charger_id: str
    ts_ms: int

    @property
    def kind(self) -> str:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        data = {"event": self.kind}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            data[field.name] = value.value if isinstance(value, enum.Enum) else value
        return data


@dataclasses.dataclass(slots=True)
class Connected(Event):
    ocpp_version: str
    remote_address: str
    warnings: list[str] = dataclasses.field(default_factory=list)
    security_profile: int = 0  # 0 plain, 1 basic auth, 2 TLS + basic auth, 3 TLS client certificate

    kind = "connected"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class Disconnected(Event):
    code: int | None = None
    reason: str = ""
    replaced: bool = False  # a new connection with the same id took over this one

    kind = "disconnected"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class FrameEvent(Event):
    direction: Direction
    message_type: int
    action: str
    unique_id: str
    latency_ms: float | None = None
    warnings: str = ""

    kind = "frame"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class Booted(Event):
    vendor: str
    model: str
    serial: str
    firmware: str
    status: str

    kind = "boot"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class StatusChanged(Event):
    connector: str  # "1" (1.6) or "1/1" (2.x evse/connector)
    status: str
    error_code: str = ""

    kind = "status"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class ComplianceWarning(Event):
    message: str

    kind = "warning"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class ConnectionRefused(Event):
    """A handshake answered with an HTTP error (unknown id, wrong password, no subprotocol...)."""

    status: int
    reason: str

    kind = "refused"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class TlsFailed(Event):
    """A TLS handshake that failed (or TLS spoken to the plain port): no charger id is known yet, so it
    is told by address (charger_id "")."""

    remote_address: str
    port: int
    reason: str

    kind = "tls_failed"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class SecurityEventReceived(Event):
    """A charger's SecurityEventNotification (1.6 security extension, 2.0.1/2.1)."""

    type: str
    tech_info: str = ""
    timestamp: str = ""

    kind = "security_event"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class EvChargingNeeds(Event):
    """A car's charging needs (NotifyEVChargingNeeds, ISO 15118 through OCPP 2.x), summarised."""

    evse_id: str
    summary: str

    kind = "ev_charging_needs"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class CertificateIssued(Event):
    """The built-in CA's answer to a charger's CSR: signed and sent (the charger's status), or refused (why)."""

    accepted: bool
    detail: str
    certificate_type: str = ""

    kind = "certificate"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class Listening(Event):
    urls: list[str]
    file_urls: list[str] = dataclasses.field(default_factory=list)  # the built-in file server (HTTP, FTP)

    kind = "listening"  # type: ignore[assignment]


# ---- what chargers report about work the CSMS asked for (emitted by the version handlers)


@dataclasses.dataclass(slots=True)
class ReportPart(Event):
    """One NotifyReport (2.x) part: the answer to GetBaseReport/GetReport comes in seqNo order."""

    request_id: int | None
    seq_no: int | None
    tbc: bool
    items: int  # reportData entries in this part

    kind = "report"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class FirmwareStatus(Event):
    """FirmwareStatusNotification (1.6, 2.x) and SignedFirmwareStatusNotification (1.6 security)."""

    status: str
    request_id: int | None = None

    kind = "firmware_status"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class LogStatus(Event):
    """DiagnosticsStatusNotification (1.6) and LogStatusNotification (1.6 security, 2.x)."""

    status: str
    request_id: int | None = None

    kind = "log_status"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class Transfer(Event):
    """The built-in file server saw a charger fetch firmware or send a file (app/files).

    `grant`: the token of the URL the charger was given (one per request). `state`: "connected"
    (a request or login arrived), "progress", "complete", "partial" (the connection ended early:
    what arrived is kept as partial), "refused" (a wrong token, credentials, size or disk full).
    `total` 0: not known. Progress events are at most a few per second per transfer.
    """

    direction: str  # "download" (the charger fetches firmware) | "upload" (the charger sends a file)
    grant: str
    request_id: int | None
    name: str
    done: int
    total: int
    state: str
    via: str = "http"  # "http" | "ftp"
    message: str = ""
    path: str = ""  # upload: where the file landed (data folder), once it is complete or partial

    kind = "transfer"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class TransactionChanged(Event):
    """1.6 StartTransaction/StopTransaction, 2.x TransactionEvent."""

    connector: str  # "1" (1.6) or "1/1" (2.x evse/connector); "" when the charger did not say
    transaction_id: str
    event: str  # "started" | "updated" | "ended"
    id_token: str = ""
    meter_wh: float | None = None  # 1.6 meterStart/meterStop
    reason: str = ""  # stop reason (1.6) or triggerReason / stoppedReason (2.x)

    kind = "transaction"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class MeterValuesReceived(Event):
    connector: str
    transaction_id: str
    samples: int  # sampledValue entries over all meterValue elements
    # The newest reading, in base units (W, Wh, A, V, %); None where the charger did not send it.
    power_w: float | None = None
    energy_wh: float | None = None
    current_a: float | None = None
    voltage_v: float | None = None
    soc: float | None = None
    # For the live plot: the current of each line, what the charger offers (a current limit shows
    # there) and when the newest meterValue was sampled (ms since the epoch, the charger's clock; None
    # when it sent no readable timestamp). None where the charger did not send it.
    current_l1_a: float | None = None
    current_l2_a: float | None = None
    current_l3_a: float | None = None
    current_offered_a: float | None = None
    power_offered_w: float | None = None
    sampled_ms: int | None = None

    @property
    def reading(self) -> metering.Reading:
        return metering.Reading(self.power_w, self.energy_wh, self.current_a, self.voltage_v, self.soc)

    kind = "meter_values"  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class JournalFailed(Event):
    """The journal can no longer write: frames from now on are not on disk."""

    message: str
    hint: str = ""

    kind = "journal_error"  # type: ignore[assignment]


class TaskState(str, enum.Enum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"


@dataclasses.dataclass(slots=True)
class Progress(Event):
    """How far a long piece of work (a task) has got. `total` 0: no known end (a busy bar)."""

    task_id: int
    name: str
    state: TaskState = TaskState.RUNNING
    done: int = 0
    total: int = 0
    message: str = ""

    kind = "progress"  # type: ignore[assignment]
