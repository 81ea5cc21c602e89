"""OCPP 1.6J (with the security extension): CSMS answers to every charger-initiated action.

Handlers take `**payload` (snake_case) and read it with .get(): in tolerant mode a
non-compliant charger's frame reaches them with fields missing or extra.
"""

from __future__ import annotations

from typing import Any

from ocpp.routing import after, on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from app.ocpp import context as ocpp_context

VERSION = "1.6"


class CsmsHandlers:
    def __init__(self, ctx: ocpp_context.HandlerContext) -> None:
        self.ctx = ctx

    def _id_tag_info(self, id_tag: object) -> dict[str, Any]:
        return self.ctx.config.id_tag_info(id_tag if isinstance(id_tag, str) else None, self.ctx.clock()).for_16()

    @on(Action.boot_notification)
    def on_boot_notification(self, **p: Any) -> call_result.BootNotification:
        status = self.ctx.booted(p.get("charge_point_vendor", ""), p.get("charge_point_model", ""),
                                 p.get("charge_point_serial_number") or p.get("charge_box_serial_number", ""),
                                 p.get("firmware_version", ""))
        return call_result.BootNotification(current_time=self.ctx.now_iso(),
                                             interval=self.ctx.boot_interval(status), status=status)

    @on(Action.heartbeat)
    def on_heartbeat(self, **p: Any) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=self.ctx.now_iso())

    @on(Action.authorize)
    def on_authorize(self, **p: Any) -> call_result.Authorize:
        return call_result.Authorize(id_tag_info=self._id_tag_info(p.get("id_tag")))

    @on(Action.status_notification)
    def on_status_notification(self, **p: Any) -> call_result.StatusNotification:
        self.ctx.status(p.get("connector_id", ""), p.get("status", ""), p.get("error_code", ""))
        return call_result.StatusNotification()

    @on(Action.meter_values)
    def on_meter_values(self, **p: Any) -> call_result.MeterValues:
        self.ctx.meter_values(p.get("connector_id", ""), p.get("transaction_id", ""), p.get("meter_value"))
        return call_result.MeterValues()

    @on(Action.start_transaction)
    def on_start_transaction(self, **p: Any) -> call_result.StartTransaction:
        transaction_id = self.ctx.next_transaction_id()
        self.ctx.transaction(p.get("connector_id", ""), transaction_id, "started", p.get("id_tag", ""),
                             p.get("meter_start"))
        return call_result.StartTransaction(transaction_id=transaction_id,
                                            id_tag_info=self._id_tag_info(p.get("id_tag")))

    @on(Action.stop_transaction)
    def on_stop_transaction(self, **p: Any) -> call_result.StopTransaction:
        id_tag = p.get("id_tag")
        self.ctx.transaction("", p.get("transaction_id", ""), "ended", id_tag or "", p.get("meter_stop"),
                             p.get("reason", ""))
        return call_result.StopTransaction(id_tag_info=self._id_tag_info(id_tag) if id_tag else None)

    @on(Action.data_transfer)
    def on_data_transfer(self, **p: Any) -> call_result.DataTransfer:
        return call_result.DataTransfer(status=self.ctx.config.data_transfer_answer(p.get("vendor_id")))

    @on(Action.diagnostics_status_notification)
    def on_diagnostics_status_notification(self, **p: Any) -> call_result.DiagnosticsStatusNotification:
        self.ctx.log_status(p.get("status", ""))
        return call_result.DiagnosticsStatusNotification()

    @on(Action.firmware_status_notification)
    def on_firmware_status_notification(self, **p: Any) -> call_result.FirmwareStatusNotification:
        self.ctx.firmware_status(p.get("status", ""))
        return call_result.FirmwareStatusNotification()

    # -- security extension

    @on(Action.security_event_notification)
    def on_security_event_notification(self, **p: Any) -> call_result.SecurityEventNotification:
        self.ctx.security_event(p.get("type", ""), p.get("tech_info", ""), p.get("timestamp", ""))
        return call_result.SecurityEventNotification()

    @on(Action.sign_certificate)
    def on_sign_certificate(self, **p: Any) -> call_result.SignCertificate:
        # Accepted only for a CSR the built-in CA will sign: Accepted promises a CertificateSigned.
        refused = self.ctx.csr_refusal(p.get("csr"))
        return call_result.SignCertificate(status="Rejected" if refused else "Accepted")

    @after(Action.sign_certificate)
    def after_sign_certificate(self, **p: Any) -> Any:
        return self.ctx.csr_signed(p.get("csr"))

    @on(Action.signed_firmware_status_notification)
    def on_signed_firmware_status_notification(self, **p: Any) -> call_result.SignedFirmwareStatusNotification:
        self.ctx.firmware_status(p.get("status", ""), p.get("request_id"))
        return call_result.SignedFirmwareStatusNotification()

    @on(Action.log_status_notification)
    def on_log_status_notification(self, **p: Any) -> call_result.LogStatusNotification:
        self.ctx.log_status(p.get("status", ""), p.get("request_id"))
        return call_result.LogStatusNotification()
