"""OCPP 2.0.1: CSMS answers to every charger-initiated action.

Answers are what a test backend would give: accept and acknowledge, refuse only what this
CSMS cannot honour (no CA to sign CSRs, no OCSP responder, no smart-charging schedules).
OCPP 2.1 reuses these handlers with its own dataclasses (see v21).
"""

from __future__ import annotations

import logging
import types
from typing import Any

from cryptography import x509

from ocpp.routing import after, on
from ocpp.v201 import call_result

from app.ocpp import context as ocpp_context

VERSION = "2.0.1"
logger = logging.getLogger(__name__)


def certificate_status(certificate: object, hash_data: object, now_ms: int) -> str | None:
    """certificateStatus for an Authorize with an ISO 15118 contract certificate (C07), or None.

    This CSMS has no OCSP responder nor the eMobility roots, so it never says Accepted for a
    certificate it did not check: OCSP hash data alone is NoCertificateAvailable (no status could be
    had for it); a PEM certificate past its notAfter is CertificateExpired, any other CertChainError
    (its chain to a V2G or contract root was not verified). The id token's own answer stands.
    """
    if isinstance(certificate, str) and certificate.strip():
        try:
            parsed = x509.load_pem_x509_certificate(certificate.encode())
        except ValueError:
            return "CertChainError"
        if parsed.not_valid_after_utc.timestamp() * 1000 < now_ms:
            return "CertificateExpired"
        logger.info("Authorize with a contract certificate: not checked (no V2G/contract root here)")
        return "CertChainError"
    if isinstance(hash_data, list) and hash_data:
        logger.info("Authorize with ISO 15118 certificate hash data: not checked (no OCSP here)")
        return "NoCertificateAvailable"
    return None


class CsmsHandlers:
    result: types.ModuleType = call_result  # v21 swaps in its own call_result module

    def __init__(self, ctx: ocpp_context.HandlerContext) -> None:
        self.ctx = ctx

    def _id_token_info(self, id_token: object) -> dict[str, Any]:
        token = ocpp_context.obj(id_token).get("id_token")
        return self.ctx.config.id_tag_info(token if isinstance(token, str) else None, self.ctx.clock()).for_2x()

    @on("BootNotification")
    def on_boot_notification(self, **p: Any) -> Any:
        station = ocpp_context.obj(p.get("charging_station"))
        status = self.ctx.booted(station.get("vendor_name", ""), station.get("model", ""),
                                 station.get("serial_number", ""), station.get("firmware_version", ""))
        return self.result.BootNotification(current_time=self.ctx.now_iso(),
                                            interval=self.ctx.boot_interval(status), status=status)

    @on("Heartbeat")
    def on_heartbeat(self, **p: Any) -> Any:
        return self.result.Heartbeat(current_time=self.ctx.now_iso())

    @on("Authorize")
    def on_authorize(self, **p: Any) -> Any:
        info = self._id_token_info(p.get("id_token"))
        status = certificate_status(p.get("certificate"), p.get("iso15118_certificate_hash_data"), self.ctx.clock())
        if status is None:
            return self.result.Authorize(id_token_info=info)
        return self.result.Authorize(id_token_info=info, certificate_status=status)

    @on("StatusNotification")
    def on_status_notification(self, **p: Any) -> Any:
        self.ctx.status(f"{p.get('evse_id', '')}/{p.get('connector_id', '')}", p.get("connector_status", ""))
        return self.result.StatusNotification()

    @on("TransactionEvent")
    def on_transaction_event(self, **p: Any) -> Any:
        id_token = p.get("id_token")
        info = ocpp_context.obj(p.get("transaction_info"))
        evse = ocpp_context.obj(p.get("evse"))
        connector = f"{evse.get('id', '')}/{evse.get('connector_id', '')}" if evse else ""
        event = {"Started": "started", "Ended": "ended"}.get(ocpp_context.text(p.get("event_type")), "updated")
        # Meter values first: an Ended event's last reading still finds its (open) transaction's EVSE.
        if p.get("meter_value"):
            self.ctx.meter_values(connector, info.get("transaction_id", ""), p.get("meter_value"))
        self.ctx.transaction(connector, info.get("transaction_id", ""), event,
                             ocpp_context.obj(id_token).get("id_token", ""), None,
                             info.get("stopped_reason") or p.get("trigger_reason", ""))
        if id_token:
            return self.result.TransactionEvent(id_token_info=self._id_token_info(id_token))
        return self.result.TransactionEvent()

    @on("MeterValues")
    def on_meter_values(self, **p: Any) -> Any:
        self.ctx.meter_values(p.get("evse_id", ""), "", p.get("meter_value"))
        return self.result.MeterValues()

    @on("DataTransfer")
    def on_data_transfer(self, **p: Any) -> Any:
        return self.result.DataTransfer(status=self.ctx.config.data_transfer_answer(p.get("vendor_id")))

    @on("NotifyReport")
    def on_notify_report(self, **p: Any) -> Any:
        self.ctx.report_part(p.get("request_id"), p.get("seq_no"), p.get("tbc", False), p.get("report_data"))
        return self.result.NotifyReport()

    @on("NotifyEvent")
    def on_notify_event(self, **p: Any) -> Any:
        return self.result.NotifyEvent()

    @on("NotifyMonitoringReport")
    def on_notify_monitoring_report(self, **p: Any) -> Any:
        return self.result.NotifyMonitoringReport()

    @on("NotifyChargingLimit")
    def on_notify_charging_limit(self, **p: Any) -> Any:
        return self.result.NotifyChargingLimit()

    @on("ClearedChargingLimit")
    def on_cleared_charging_limit(self, **p: Any) -> Any:
        return self.result.ClearedChargingLimit()

    @on("NotifyCustomerInformation")
    def on_notify_customer_information(self, **p: Any) -> Any:
        return self.result.NotifyCustomerInformation()

    @on("NotifyDisplayMessages")
    def on_notify_display_messages(self, **p: Any) -> Any:
        return self.result.NotifyDisplayMessages()

    @on("NotifyEVChargingNeeds")
    def on_notify_ev_charging_needs(self, **p: Any) -> Any:
        # Accepted: the needs are taken (and shown); a schedule, if any, comes by SetChargingProfile.
        self.ctx.ev_charging_needs(p.get("evse_id"), p.get("charging_needs"))
        return self.result.NotifyEVChargingNeeds(status="Accepted")

    @on("NotifyEVChargingSchedule")
    def on_notify_ev_charging_schedule(self, **p: Any) -> Any:
        return self.result.NotifyEVChargingSchedule(status="Accepted")

    @on("ReportChargingProfiles")
    def on_report_charging_profiles(self, **p: Any) -> Any:
        return self.result.ReportChargingProfiles()

    @on("ReservationStatusUpdate")
    def on_reservation_status_update(self, **p: Any) -> Any:
        return self.result.ReservationStatusUpdate()

    @on("FirmwareStatusNotification")
    def on_firmware_status_notification(self, **p: Any) -> Any:
        self.ctx.firmware_status(p.get("status", ""), p.get("request_id"))
        return self.result.FirmwareStatusNotification()

    @on("PublishFirmwareStatusNotification")
    def on_publish_firmware_status_notification(self, **p: Any) -> Any:
        return self.result.PublishFirmwareStatusNotification()

    @on("LogStatusNotification")
    def on_log_status_notification(self, **p: Any) -> Any:
        self.ctx.log_status(p.get("status", ""), p.get("request_id"))
        return self.result.LogStatusNotification()

    @on("SecurityEventNotification")
    def on_security_event_notification(self, **p: Any) -> Any:
        self.ctx.security_event(p.get("type", ""), p.get("tech_info", ""), p.get("timestamp", ""))
        return self.result.SecurityEventNotification()

    @on("SignCertificate")
    def on_sign_certificate(self, **p: Any) -> Any:
        # Accepted only for a CSR the built-in CA will sign: Accepted promises a CertificateSigned.
        refused = self.ctx.csr_refusal(p.get("csr"), p.get("certificate_type", ""))
        if refused:
            return self.result.SignCertificate(status="Rejected",
                                               status_info={"reason_code": "InvalidCSR",
                                                            "additional_info": refused[:512]})
        return self.result.SignCertificate(status="Accepted")

    @after("SignCertificate")
    def after_sign_certificate(self, **p: Any) -> Any:
        return self.ctx.csr_signed(p.get("csr"), p.get("certificate_type", ""))

    @on("Get15118EVCertificate")
    def on_get_15118_ev_certificate(self, **p: Any) -> Any:
        return self.result.Get15118EVCertificate(status="Failed", exi_response="")

    @on("GetCertificateStatus")
    def on_get_certificate_status(self, **p: Any) -> Any:
        return self.result.GetCertificateStatus(status="Failed")
