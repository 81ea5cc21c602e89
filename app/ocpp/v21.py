"""OCPP 2.1: the 2.0.1 handlers with 2.1's dataclasses, plus the actions 2.1 adds.

The `ocpp` package's own 2.1 class answers nothing to an unknown or unhandled action, so the
charger times out; the session (app.ocpp.rpc_session) answers NotImplemented/NotSupported instead.
NotifyPeriodicEventStream is a SEND (message type 6): journaled, never answered.
"""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v21 import call_result

from app.ocpp import context as ocpp_context
from app.ocpp import v201

VERSION = "2.1"


class CsmsHandlers(v201.CsmsHandlers):
    result = call_result

    @on("BatterySwap")
    def on_battery_swap(self, **p: Any) -> Any:
        return call_result.BatterySwap()

    @on("OpenPeriodicEventStream")
    def on_open_periodic_event_stream(self, **p: Any) -> Any:
        return call_result.OpenPeriodicEventStream(status="Accepted")

    @on("ClosePeriodicEventStream")
    def on_close_periodic_event_stream(self, **p: Any) -> Any:
        return call_result.ClosePeriodicEventStream()

    @on("GetCertificateChainStatus")
    def on_get_certificate_chain_status(self, **p: Any) -> Any:
        # No OCSP responder here: every certificate's status is reported as Failed.
        requests = p.get("certificate_status_requests")
        requests = [ocpp_context.obj(r) for r in requests] if isinstance(requests, list) and requests else [{}]
        return call_result.GetCertificateChainStatus(certificate_status=[
            {"certificate_hash_data": r.get("certificate_hash_data", {}), "source": r.get("source", "OCSP"),
             "status": "Failed", "next_update": self.ctx.now_iso()}
            for r in requests[:4]
        ])

    @on("NotifyDERAlarm")
    def on_notify_der_alarm(self, **p: Any) -> Any:
        return call_result.NotifyDERAlarm()

    @on("NotifyDERStartStop")
    def on_notify_der_start_stop(self, **p: Any) -> Any:
        return call_result.NotifyDERStartStop()

    @on("ReportDERControl")
    def on_report_der_control(self, **p: Any) -> Any:
        return call_result.ReportDERControl()

    @on("NotifyPriorityCharging")
    def on_notify_priority_charging(self, **p: Any) -> Any:
        return call_result.NotifyPriorityCharging()

    @on("NotifySettlement")
    def on_notify_settlement(self, **p: Any) -> Any:
        return call_result.NotifySettlement()

    @on("PullDynamicScheduleUpdate")
    def on_pull_dynamic_schedule_update(self, **p: Any) -> Any:
        # No dynamic schedule is managed by this backend.
        return call_result.PullDynamicScheduleUpdate(status="Rejected")

    @on("VatNumberValidation")
    def on_vat_number_validation(self, **p: Any) -> Any:
        # No VAT registry to check against: say so rather than pretend it is valid.
        return call_result.VatNumberValidation(status="Rejected", vat_number=p.get("vat_number", ""))
