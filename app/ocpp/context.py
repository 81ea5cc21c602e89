"""What the version handlers need from the CSMS: its policy, a clock, ids, and an event sink."""

from __future__ import annotations

import datetime
import itertools
from typing import Any, Awaitable, Callable

from app.domain import csms_policy
from app.domain import energy, metering, model


def iso_now(ms: int) -> str:
    stamp = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# What a charger may send, unasked, while its boot is Pending or Rejected: what the CSMS asked for.
# CSMS action -> the charger's follow-up messages it makes legitimate (OCPP 2.0.1 B02.FR.09, B03.FR.07).
FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "GetBaseReport": ("NotifyReport",), "GetReport": ("NotifyReport",),
    "GetMonitoringReport": ("NotifyMonitoringReport",), "CustomerInformation": ("NotifyCustomerInformation",),
    "GetDisplayMessages": ("NotifyDisplayMessages",), "UpdateFirmware": ("FirmwareStatusNotification",),
    "SignedUpdateFirmware": ("SignedFirmwareStatusNotification",), "PublishFirmware": ("PublishFirmwareStatusNotification",),
    "GetLog": ("LogStatusNotification",), "GetDiagnostics": ("DiagnosticsStatusNotification",),
    "GetChargingProfiles": ("ReportChargingProfiles",),
}
# TriggerMessage's requestedMessage -> the action the charger then sends.
TRIGGERED = {"SignChargingStationCertificate": "SignCertificate", "SignV2GCertificate": "SignCertificate",
             "SignCombinedCertificate": "SignCertificate", "ExtendedTriggerMessage": "",
             "DiagnosticsStatusNotification": "DiagnosticsStatusNotification"}
FOLLOW_UP_MS = 300_000  # how long a request of ours makes the charger's follow-ups legitimate


class BootStates:
    """The last BootNotification answer per charger id, across its connections (engine loop)."""

    def __init__(self) -> None:
        self.status: dict[str, str] = {}


class HandlerContext:
    """Shared by the handlers of one charger's session."""

    def __init__(
        self,
        charger_id: str,
        config: csms_policy.CsmsConfig,
        emit: Callable[[model.Event], None],
        clock: Callable[[], int],
        transaction_ids: itertools.count,
        boots: BootStates | None = None,
        certificates: Any = None,
    ) -> None:
        """`certificates`: the built-in CA's signer (csms.certificates.Signer: check(), issue()); None: no
        CA here, CSRs are refused."""
        self.charger_id = charger_id
        self.config = config
        self.emit = emit
        self.clock = clock
        self._transaction_ids = transaction_ids
        self._boots = boots if boots is not None else BootStates()
        self._allowed: dict[str, int] = {}  # action -> until when (ms) the CSMS's request allows it
        self.certificates = certificates
        self._csr_accepted: object = None  # the CSR answered Accepted, signed once the answer is out

    def now_iso(self) -> str:
        return iso_now(self.clock())

    def next_transaction_id(self) -> int:
        return next(self._transaction_ids)

    # -- boot semantics ---------------------------------------------------------------------

    def boot_interval(self, status: str) -> int:
        """Heartbeat interval when Accepted; the (shorter) retry interval when Pending/Rejected."""
        return self.config.heartbeat_interval if status == "Accepted" else self.config.pending_interval

    def refusal(self, action: str) -> str | None:
        """Why this unsolicited message is refused (SecurityError), or None to answer it.

        After a Pending or Rejected boot a charger may only send BootNotification and what the
        CSMS asked for. A charger never booted, or booted Accepted before (a reconnect without
        a new BootNotification), is served: BootNotification is never required.
        """
        status = self._boots.status.get(self.charger_id)
        if status in (None, "Accepted") or action == "BootNotification":
            return None
        until = self._allowed.get(action)
        if until is not None and self.clock() <= until:
            return None
        return (f"{action} is not allowed while the boot is {status}: only BootNotification and what the CSMS "
                "requests (OCPP 2.0.1 B02.FR.09 / B03.FR.07)")

    def answered(self, action: str, request: dict, result: dict) -> None:
        """A CSMS-initiated call of ours got a CALLRESULT: allow the follow-ups it asked for."""
        follow_ups: tuple[str, ...] = FOLLOW_UPS.get(action, ())
        if action in ("TriggerMessage", "ExtendedTriggerMessage") and result.get("status") == "Accepted":
            requested = text(request.get("requestedMessage"))
            follow_ups = (TRIGGERED.get(requested, requested),)
        until = self.clock() + FOLLOW_UP_MS
        for follow_up in follow_ups:
            if follow_up:
                self._allowed[follow_up] = until

    def booted(self, vendor: object, model_name: object, serial: object, firmware: object) -> str:
        status = self.config.boot_status.value
        self._boots.status[self.charger_id] = status
        self.emit(model.Booted(self.charger_id, self.clock(), text(vendor), text(model_name), text(serial),
                               text(firmware), status))
        return status

    def status(self, connector: object, status: object, error_code: object = "") -> None:
        self.emit(model.StatusChanged(self.charger_id, self.clock(), text(connector), text(status), text(error_code)))

    def report_part(self, request_id: object, seq_no: object, tbc: object, report_data: object) -> None:
        self.emit(model.ReportPart(self.charger_id, self.clock(), integer(request_id), integer(seq_no), tbc is True,
                                   len(report_data) if isinstance(report_data, list) else 0))

    def firmware_status(self, status: object, request_id: object = None) -> None:
        self.emit(model.FirmwareStatus(self.charger_id, self.clock(), text(status), integer(request_id)))

    def log_status(self, status: object, request_id: object = None) -> None:
        self.emit(model.LogStatus(self.charger_id, self.clock(), text(status), integer(request_id)))

    def transaction(self, connector: object, transaction_id: object, event: str, id_token: object = "",
                    meter_wh: object = None, reason: object = "") -> None:
        meter = float(meter_wh) if isinstance(meter_wh, (int, float)) and not isinstance(meter_wh, bool) else None
        self.emit(model.TransactionChanged(self.charger_id, self.clock(), text(connector), text(transaction_id),
                                           event, text(id_token), meter, text(reason)))

    def ev_charging_needs(self, evse_id: object, needs: object) -> None:
        """NotifyEVChargingNeeds (ISO 15118): what the car asks for, in a line a technician reads."""
        found = obj(needs)
        parts = [text(found.get("requested_energy_transfer"))]
        for key in ("ac_charging_parameters", "dc_charging_parameters"):
            params = obj(found.get(key))
            if params.get("energy_amount") is not None:
                parts.append(f"{params['energy_amount']} Wh")
            if params.get("ev_min_current") is not None or params.get("ev_max_current") is not None:
                parts.append(f"{params.get('ev_min_current', '?')}–{params.get('ev_max_current', '?')} A")
            if params.get("ev_max_power") is not None:
                parts.append(f"up to {params['ev_max_power']} W")
            if params.get("state_of_charge") is not None:
                parts.append(f"SoC {params['state_of_charge']} %")
        if found.get("departure_time"):
            parts.append(f"departure {text(found['departure_time'])}")
        self.emit(model.EvChargingNeeds(self.charger_id, self.clock(), text(evse_id),
                                        ", ".join(p for p in parts if p) or "no parameters"))

    def security_event(self, kind: object, tech_info: object, timestamp: object) -> None:
        self.emit(model.SecurityEventReceived(self.charger_id, self.clock(), text(kind), text(tech_info),
                                              text(timestamp)))

    def csr_refusal(self, csr: object, certificate_type: object = "") -> str | None:
        """Why this CSR is answered Rejected (said in the window and the journal), or None: Accepted, and
        signed once the answer is out (`csr_signed`)."""
        if self.certificates is None:
            why = "this CSMS has no CA to sign it (security profiles are off)"
        else:
            why = self.certificates.check(self.charger_id, text(csr), text(certificate_type))
        if why:
            self._csr_accepted = None
            self.emit(model.CertificateIssued(self.charger_id, self.clock(), False, why, text(certificate_type)))
            return why
        self._csr_accepted = csr
        return None

    def csr_signed(self, csr: object, certificate_type: object = "") -> Awaitable[None] | None:
        """After the Accepted answer: sign and send CertificateSigned (a task the session owns)."""
        if self.certificates is None or csr is None or csr != self._csr_accepted:
            return None
        self._csr_accepted = None
        return self.certificates.issue(self.charger_id, text(csr), text(certificate_type))

    def meter_values(self, connector: object, transaction_id: object, meter_value: object) -> None:
        samples = 0
        if isinstance(meter_value, list):
            for entry in meter_value:
                sampled = obj(entry).get("sampled_value")
                samples += len(sampled) if isinstance(sampled, list) else 0
        reading, lines = metering.read_all(meter_value)
        self.emit(model.MeterValuesReceived(self.charger_id, self.clock(), text(connector), text(transaction_id),
                                            samples, reading.power_w, reading.energy_wh, reading.current_a,
                                            reading.voltage_v, reading.soc, lines.current_l1_a, lines.current_l2_a,
                                            lines.current_l3_a, lines.current_offered_a, lines.power_offered_w,
                                            energy.timestamp_ms(lines.timestamp, None)))


def text(value: object) -> str:
    """A charger's field as text for the registry and the GUI, whatever type it sent (tolerant mode)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def integer(value: object) -> int | None:
    """An integer field, or None when the charger sent something else (tolerant mode)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def obj(value: object) -> dict:
    """A field that should be a JSON object; anything else (tolerant mode) reads as empty."""
    return value if isinstance(value, dict) else {}
