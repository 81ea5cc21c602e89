"""The virtual charger speaking OCPP 2.0.1, and 2.1 through the same code.

The stock `ocpp.v21` messages used here carry the same fields as their 2.0.1 twins, so the
handlers build payloads from `self.calls` / `self.results` (the stock ChargePoint's
version modules) and one class body serves both versions. Each EVSE has one connector.
"""

from __future__ import annotations

import uuid

import ocpp.exceptions
import ocpp.v21
import ocpp.v21.enums
import ocpp.v201
from ocpp import routing
from ocpp.v201 import enums

from app.ocpp import adapter
from app.simulator import device_model as simmodel
from app.simulator import logs
from app.simulator import charger_session as session
from app.simulator import meter
from app.simulator import smart_charging as smart
from app.simulator import station as simstation
from app.simulator import updates

TRIGGERABLE = (
    "BootNotification", "Heartbeat", "StatusNotification", "MeterValues", "TransactionEvent",
    "FirmwareStatusNotification", "LogStatusNotification", "SignChargingStationCertificate",
)


class _ChargePoint2x(session.Session):
    """Handlers and senders shared by 2.0.1 and 2.1; the stock ChargePoint follows in the MRO."""

    # 2.0.1 keeps 1.6's misspelt "OccurenceConstraintViolation"; 2.1 fixed it.
    occurrence_error: type[ocpp.exceptions.OCPPError] = ocpp.exceptions.OccurenceConstraintViolationError

    def __init__(self, station: simstation.Station, connection) -> None:
        super().__init__(station, connection)
        self.model: simmodel.DeviceModel = station.device_model

    def _items_per_message(self, instance: str) -> int:
        return int(self.model.value("DeviceDataCtrlr", "ItemsPerMessage", variable_instance=instance))

    # -- messages the charger sends ---------------------------------------------------------

    def boot_payload(self):
        cfg = self.station.config
        return self.calls.BootNotification(
            charging_station={"model": cfg.model[:20], "vendor_name": cfg.vendor[:50],
                              "serial_number": cfg.serial_number, "firmware_version": self.station.firmware[:50]},
            reason=self.station.boot_reason,
        )

    def heartbeat_payload(self):
        return self.calls.Heartbeat()

    async def send_status(self, connector: simstation.Connector) -> None:
        await self.try_call(self.calls.StatusNotification(
            timestamp=self.station.timestamp(), connector_status=connector.status_2x,
            evse_id=connector.id, connector_id=1,
        ))

    async def send_all_status(self) -> None:
        for connector in self.station.connectors:
            await self.send_status(connector)

    async def set_status(self, connector: simstation.Connector, status: str) -> None:
        before = connector.status_2x
        connector.status = status
        if connector.status_2x != before:  # 2.x only reports the folded states
            await self.send_status(connector)

    def _meter_value(self, connector: simstation.Connector, variable: str, context: str) -> list[dict]:
        self.station.apply_limits()  # a schedule's next period may have begun
        reading = connector.meter.read(self.station.monotonic())
        measurands = meter.measurand_list(self.model.value("SampledDataCtrlr", variable))
        values = meter.sampled_values_2x(reading, measurands, context)
        return [{"timestamp": self.station.timestamp(), "sampled_value": values}] if values else []

    async def send_transaction_event(self, connector: simstation.Connector, event_type: str, trigger_reason: str,
                                     *, meter_value: list[dict], charging_state: str | None = None,
                                     stopped_reason: str | None = None, first: bool = False):
        tx = connector.transaction
        info = {"transaction_id": tx.id}
        if charging_state:
            info["charging_state"] = charging_state
        if stopped_reason:
            info["stopped_reason"] = stopped_reason
        if first and tx.remote_start_id is not None:
            info["remote_start_id"] = tx.remote_start_id
        return await self.try_call(self.calls.TransactionEvent(
            event_type=event_type, timestamp=self.station.timestamp(), trigger_reason=trigger_reason,
            seq_no=tx.next_seq_no(), transaction_info=info, meter_value=meter_value or None,
            # Token and EVSE are only required in a transaction's first event; later events
            # leave them out, as most stations do.
            id_token=self._id_token(tx) if first else None,
            evse={"id": connector.id, "connector_id": 1} if first else None,
        ))

    @staticmethod
    def _id_token(tx: simstation.Transaction) -> dict:
        return {"id_token": tx.id_tag, "type": tx.token_type or "Central"}

    async def send_periodic_meter_values(self, connector: simstation.Connector) -> None:
        if connector.transaction is None:  # it ended while the meter loop slept
            return
        await self.send_transaction_event(
            connector, "Updated", "MeterValuePeriodic", charging_state="Charging",
            meter_value=self._meter_value(connector, "TxUpdatedMeasurands", "Sample.Periodic"),
        )

    # -- transactions -----------------------------------------------------------------------

    async def present_tag(self, id_tag: str, connector_id: int | None = None) -> str:
        """A card held at the reader (ISO14443): the card of a running session ends it; any other is
        Authorized, and an Accepted one starts a session on a free EVSE: "Started", else the
        answer's status (Accepted with no EVSE free)."""
        for connector in self.station.connectors:
            if connector.transaction is not None and connector.transaction.id_tag == id_tag:
                await self.end_transaction(connector, "StopAuthorized", "Local")
                return "Stopped"
        token = {"id_token": id_tag, "type": "ISO14443"}
        answer = await self.try_call(self.calls.Authorize(id_token=token))
        status = str((getattr(answer, "id_token_info", None) or {}).get("status", "")) if answer is not None \
            else "no answer"
        connector = self.station.connector_for_start(connector_id) if status == "Accepted" else None
        if connector is not None:
            connector.transaction = simstation.Transaction(str(uuid.uuid4()), id_tag, 0.0, self.station.now(),
                                                           token_type="ISO14443")
            await self.start_transaction(connector, authorized=True)
            return "Started"
        return status

    async def start_transaction(self, connector: simstation.Connector, authorized: bool = False) -> None:
        """Remote start: (Authorize), Occupied, TransactionEvent Started, then Updated every TxUpdatedInterval."""
        tx = connector.transaction
        if not authorized and self.model.value("AuthCtrlr", "AuthorizeRemoteStart") == "true":
            answer = await self.try_call(self.calls.Authorize(id_token=self._id_token(tx)))
            if answer is None or answer.id_token_info["status"] != "Accepted":
                connector.transaction = None
                await self.set_status(connector, connector.idle_status())
                return
        now = self.station.monotonic()
        connector.meter.start(now)
        tx.meter_start_wh = connector.meter.read(now).energy_wh
        await self.set_status(connector, simstation.PREPARING)
        answer = await self.send_transaction_event(
            connector, "Started", "Authorized" if authorized else "RemoteStart", charging_state="Charging", first=True,
            meter_value=self._meter_value(connector, "TxStartedMeasurands", "Transaction.Begin"),
        )
        connector.status = simstation.CHARGING
        info = getattr(answer, "id_token_info", None) or {}
        if info.get("status", "Accepted") != "Accepted" and self.model.value("TxCtrlr", "StopTxOnInvalidId") == "true":
            await self.end_transaction(connector, "Deauthorized", "DeAuthorized")
            return
        self.start_meter_loop(connector)

    async def end_transaction(self, connector: simstation.Connector, trigger_reason: str, stopped_reason: str) -> None:
        if connector.transaction is None:
            return
        self.stop_meter_loop(connector)
        connector.meter.stop(self.station.monotonic())
        await self.send_transaction_event(
            connector, "Ended", trigger_reason, charging_state="EVConnected", stopped_reason=stopped_reason,
            meter_value=self._meter_value(connector, "TxEndedMeasurands", "Transaction.End"),
        )
        connector.transaction = None
        self.station.profiles.end_transaction(connector.id)
        connector.meter.unplug(self.station.monotonic())  # the simulated driver leaves at once
        self.apply_scheduled_availability(connector)
        await self.set_status(connector, connector.idle_status())
        if self.station.reset_on_idle and not self.station.has_transactions():
            self.station.reset_on_idle = False
            self.tasks.spawn(self.reboot("OnIdle"), "reset-on-idle")

    async def end_transactions_for_reset(self, reason: str) -> None:
        for connector in self.station.connectors:
            await self.end_transaction(connector, "ResetCommand", "ImmediateReset")

    # -- device model -------------------------------------------------------------------------

    @routing.on(enums.Action.get_variables)
    def on_get_variables(self, get_variable_data: list[dict], **kwargs):
        if len(get_variable_data) > self._items_per_message("GetVariables"):
            raise self.occurrence_error(description="more getVariableData than ItemsPerMessageGetVariables")
        results = []
        for item in get_variable_data:
            status, value = self.model.get(item["component"], item["variable"], item.get("attribute_type"))
            result = {"attribute_status": status, "component": item["component"], "variable": item["variable"]}
            if item.get("attribute_type"):
                result["attribute_type"] = item["attribute_type"]
            if value is not None:
                result["attribute_value"] = value
            results.append(result)
        return self.results.GetVariables(get_variable_result=results)

    @routing.on(enums.Action.set_variables)
    def on_set_variables(self, set_variable_data: list[dict], **kwargs):
        if len(set_variable_data) > self._items_per_message("SetVariables"):
            raise self.occurrence_error(description="more setVariableData than ItemsPerMessageSetVariables")
        results = []
        for item in set_variable_data:
            if item["variable"].get("name") == "NetworkConfigurationPriority" and not self._slots_filled(
                    item["attribute_value"]):
                status, changed = "Rejected", None  # a slot with no profile in it cannot be tried
            else:
                status, changed = self.model.set(
                    item["component"], item["variable"], item.get("attribute_type"), item["attribute_value"]
                )
            if changed is not None and changed.reboot_required:
                status = "RebootRequired"  # the new value applies from the next boot
            if changed is not None and changed.name == "HeartbeatInterval":
                self.heartbeat_ticker.poke()
            elif changed is not None and changed.name == "TxUpdatedInterval":
                self.meter_ticker.poke()
            result = {"attribute_status": status, "component": item["component"], "variable": item["variable"]}
            if item.get("attribute_type"):
                result["attribute_type"] = item["attribute_type"]
            results.append(result)
        return self.results.SetVariables(set_variable_result=results)

    @routing.on(enums.Action.set_network_profile)
    def on_set_network_profile(self, configuration_slot: int, connection_data: dict, **kwargs):
        """Store a connection profile in a free slot (B09). Never one below the security profile now."""
        slots = [int(s) for s in simmodel.NETWORK_SLOTS.split(",")]
        current = int(self.model.value("SecurityCtrlr", "SecurityProfile") or 0)
        in_use = self.station.network.active
        url = str(connection_data.get("ocpp_csms_url", ""))
        level = int(connection_data.get("security_profile", 0))
        if (configuration_slot not in slots or configuration_slot == in_use or level < current
                or not url.startswith(("ws://", "wss://"))):
            return self.results.SetNetworkProfile(status="Rejected")
        # Profiles 2 and 3 need TLS and a CSMS root to verify it with, 3 a charger certificate too
        # (A05.FR.02-04): refused now rather than failing at the next boot.
        if level >= 2 or url.startswith("wss://"):
            missing = self.station.profile_prerequisites(level, url)
            if missing is not None:
                session.LOGGER.warning("%s: SetNetworkProfile slot %s rejected: %s",
                                       self.charger_id, configuration_slot, missing)
                return self.results.SetNetworkProfile(status="Rejected")
        self.station.network_slots[configuration_slot] = dict(connection_data)
        return self.results.SetNetworkProfile(status="Accepted")

    def _slots_filled(self, priority: str) -> bool:
        slots = [p.strip() for p in priority.split(",")]
        return all(p.isdigit() and int(p) in self.station.network_slots for p in slots) and len(set(slots)) == len(slots)

    @routing.on(enums.Action.get_base_report)
    def on_get_base_report(self, request_id: int, report_base: str, call_unique_id: str, **kwargs):
        return self._answer_report(self.results.GetBaseReport, call_unique_id, request_id,
                                   self.model.report(report_base))

    @routing.after(enums.Action.get_base_report)
    def after_get_base_report(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.get_report)
    def on_get_report(self, request_id: int, call_unique_id: str, component_criteria: list[str] | None = None,
                      component_variable: list[dict] | None = None, **kwargs):
        return self._answer_report(self.results.GetReport, call_unique_id, request_id,
                                   self.model.query(list(component_criteria or []), list(component_variable or [])))

    @routing.after(enums.Action.get_report)
    def after_get_report(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    def _answer_report(self, result, call_unique_id: str, request_id: int, data: list[dict]):
        """GetBaseReport and GetReport alike (B07, B08): EmptyResultSet, or Accepted with the
        NotifyReport parts sent once the answer has gone out."""
        if not data:
            return result(status="EmptyResultSet")
        self.follow_up(call_unique_id, "notify-report", self.send_report, request_id, data)
        return result(status="Accepted")

    async def send_report(self, request_id: int, data: list[dict]) -> None:
        """NotifyReport frames of ItemsPerMessageGetReport entries: seqNo counts up, tbc on all but the last."""
        size = self._items_per_message("GetReport")
        parts = [data[i:i + size] for i in range(0, len(data), size)]
        generated_at = self.station.timestamp()
        for seq_no, part in enumerate(parts):
            await self.try_call(self.calls.NotifyReport(
                request_id=request_id, generated_at=generated_at, seq_no=seq_no,
                tbc=seq_no < len(parts) - 1, report_data=part,
            ))

    # -- provisioning and control ---------------------------------------------------------------

    @routing.on(enums.Action.reset)
    def on_reset(self, call_unique_id: str, evse_id: int | None = None, **kwargs):
        if evse_id is not None:
            # This charger only reboots as a whole; Rejected is a valid answer to an EVSE reset.
            return self.results.Reset(status="Rejected")
        if kwargs["type"] == "OnIdle" and self.station.has_transactions():
            self.station.reset_on_idle = True
            return self.results.Reset(status="Scheduled")
        self.follow_up(call_unique_id, "reset", self.reboot, kwargs["type"])
        return self.results.Reset(status="Accepted")

    @routing.after(enums.Action.reset)
    def after_reset(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.send_local_list)
    def on_send_local_list(self, version_number: int, update_type: str, local_authorization_list: list | None = None,
                           **kwargs):
        entries = {str((e.get("id_token") or {}).get("id_token")): e.get("id_token_info")
                   for e in local_authorization_list or []}
        return self.results.SendLocalList(status=self.station.apply_local_list(version_number, update_type == "Full",
                                                                               entries))

    @routing.on(enums.Action.get_local_list_version)
    def on_get_local_list_version(self, **kwargs):
        return self.results.GetLocalListVersion(version_number=self.station.local_list_version)

    @routing.on(enums.Action.request_start_transaction)
    def on_request_start_transaction(self, id_token: dict, remote_start_id: int, call_unique_id: str,
                                     evse_id: int | None = None, **kwargs):
        connector = self.station.connector_for_start(evse_id)
        if connector is None:
            return self.results.RequestStartTransaction(status="Rejected")
        # Claim the EVSE now. The CSMS learns the transaction id from TransactionEvent
        # Started, which carries its remoteStartId; the answer's transactionId is only for a
        # transaction that was already running ("cable plugged in first", part 2, F01).
        connector.transaction = simstation.Transaction(
            str(uuid.uuid4()), id_token["id_token"], 0.0, self.station.now(), remote_start_id=remote_start_id,
            token_type=id_token["type"],
        )
        self.follow_up(call_unique_id, "remote-start", self.start_transaction, connector)
        return self.results.RequestStartTransaction(status="Accepted")

    @routing.after(enums.Action.request_start_transaction)
    def after_request_start_transaction(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.request_stop_transaction)
    def on_request_stop_transaction(self, transaction_id: str, call_unique_id: str, **kwargs):
        connector = self.station.connector_with_transaction(transaction_id)
        if connector is None:
            return self.results.RequestStopTransaction(status="Rejected")
        self.follow_up(call_unique_id, "remote-stop", self.end_transaction, connector, "RemoteStop", "Remote")
        return self.results.RequestStopTransaction(status="Accepted")

    @routing.after(enums.Action.request_stop_transaction)
    def after_request_stop_transaction(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.change_availability)
    def on_change_availability(self, operational_status: str, call_unique_id: str, evse: dict | None = None,
                               **kwargs):
        operative = operational_status == "Operative"
        if evse is None or evse.get("id") == 0:
            targets = self.station.connectors
            self.station.operative = operative
        else:
            connector = self.station.connector(evse.get("id"))
            if connector is None or evse.get("connector_id", 1) != 1:
                return self.results.ChangeAvailability(status="Rejected")
            targets = [connector]
        scheduled = simstation.apply_availability(targets, operative)
        self.follow_up(call_unique_id, "availability", self.send_all_status)
        return self.results.ChangeAvailability(status="Scheduled" if scheduled else "Accepted")

    @routing.after(enums.Action.change_availability)
    def after_change_availability(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.unlock_connector)
    def on_unlock_connector(self, evse_id: int, connector_id: int, **kwargs):
        connector = self.station.connector(evse_id)
        if connector is None or connector_id != 1:
            return self.results.UnlockConnector(status="UnknownConnector")
        if connector.transaction is not None:
            return self.results.UnlockConnector(status="OngoingAuthorizedTransaction")
        return self.results.UnlockConnector(status="Unlocked")

    @routing.on(enums.Action.clear_cache)
    def on_clear_cache(self, **kwargs):
        return self.results.ClearCache(status="Accepted")

    @routing.on(enums.Action.data_transfer)
    def on_data_transfer(self, vendor_id: str, **kwargs):
        return self.results.DataTransfer(status="UnknownVendorId")

    # -- certificates (A02/A03, M03-M05) ---------------------------------------------------------

    def sign_certificate_payload(self, csr: str):
        return self.calls.SignCertificate(csr=csr, certificate_type="ChargingStationCertificate")

    def certificates_changed(self) -> None:
        self.model.set_value("SecurityCtrlr", "CertificateEntries", str(len(self.station.certificates.installed)))

    @routing.on(enums.Action.install_certificate)
    def on_install_certificate(self, certificate_type: str, certificate: str, **kwargs):
        return self.results.InstallCertificate(status=self.install_certificate(certificate_type, certificate))

    @routing.on(enums.Action.get_installed_certificate_ids)
    def on_get_installed_certificate_ids(self, certificate_type: list[str] | None = None, **kwargs):
        found = self.installed_hash_data(list(certificate_type or []))
        if not found:
            return self.results.GetInstalledCertificateIds(status="NotFound")
        return self.results.GetInstalledCertificateIds(status="Accepted", certificate_hash_data_chain=[
            {"certificate_type": kind, "certificate_hash_data": data} for kind, data in found])

    @routing.on(enums.Action.delete_certificate)
    def on_delete_certificate(self, certificate_hash_data: dict, **kwargs):
        return self.results.DeleteCertificate(status=self.delete_certificate(certificate_hash_data))

    @routing.on(enums.Action.certificate_signed)
    def on_certificate_signed(self, certificate_chain: str, call_unique_id: str,
                              certificate_type: str | None = None, **kwargs):
        if certificate_type not in (None, "ChargingStationCertificate"):
            return self.results.CertificateSigned(status="Rejected")  # no ISO 15118 (V2G) here
        return self.results.CertificateSigned(status=self.certificate_signed(call_unique_id, certificate_chain))

    @routing.after(enums.Action.certificate_signed)
    def after_certificate_signed(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    # -- TriggerMessage -----------------------------------------------------------------------

    def _trigger_targets(self, evse: dict | None) -> list[simstation.Connector] | None:
        if evse is None:
            return list(self.station.connectors)
        connector = self.station.connector(evse.get("id"))
        return None if connector is None else [connector]

    @routing.on(enums.Action.trigger_message)
    def on_trigger_message(self, requested_message: str, call_unique_id: str, evse: dict | None = None, **kwargs):
        targets = self._trigger_targets(evse)
        if requested_message not in TRIGGERABLE:
            status = "NotImplemented"
        elif targets is None:
            status = "Rejected"
        elif requested_message == "BootNotification" and self._accepted.is_set():
            status = "Rejected"  # F06.FR.17: no BootNotification once accepted
        elif requested_message == "TransactionEvent" and not any(c.transaction for c in targets):
            status = "Rejected"
        else:
            status = "Accepted"
            self.follow_up(call_unique_id, f"trigger-{requested_message}", self.send_triggered,
                           requested_message, targets)
        return self.results.TriggerMessage(status=status)

    @routing.after(enums.Action.trigger_message)
    def after_trigger_message(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    async def send_triggered(self, requested_message: str, targets: list[simstation.Connector]) -> None:
        if requested_message == "BootNotification":
            self.station.boot_reason = "Triggered"
            await self.boot()
        elif requested_message == "Heartbeat":
            await self.try_call(self.heartbeat_payload())
        elif requested_message == "StatusNotification":
            for connector in targets:
                await self.send_status(connector)
        elif requested_message == "MeterValues":
            for connector in targets:
                values = self._meter_value(connector, "TxUpdatedMeasurands", "Trigger")
                if values:  # the schema wants at least one meterValue
                    await self.try_call(self.calls.MeterValues(evse_id=connector.id, meter_value=values))
        elif requested_message == "TransactionEvent":
            for connector in targets:
                if connector.transaction is not None:
                    await self.send_transaction_event(
                        connector, "Updated", "Trigger", charging_state="Charging",
                        meter_value=self._meter_value(connector, "TxUpdatedMeasurands", "Trigger"),
                    )
        elif requested_message == "FirmwareStatusNotification":
            status, request_id = self.station.jobs.firmware_status(updates.V2X)
            await self.try_call(self.calls.FirmwareStatusNotification(status=status, request_id=request_id))
        elif requested_message == "LogStatusNotification":
            status, request_id = self.station.jobs.upload_status(updates.LOG)
            await self.try_call(self.calls.LogStatusNotification(status=status, request_id=request_id))
        elif requested_message == "SignChargingStationCertificate":
            await self.send_sign_certificate()

    # -- smart charging (K01, K08, K09, K10): the profiles limit what the EVs draw ----------------

    @routing.on(enums.Action.set_charging_profile)
    def on_set_charging_profile(self, evse_id: int, charging_profile: dict, **kwargs):
        purpose = charging_profile["charging_profile_purpose"]
        connector = self.station.connector(evse_id)
        schedules = charging_profile.get("charging_schedule") or []
        tx = connector.transaction if connector is not None else None
        refused = (
            (evse_id != 0 and connector is None) or not schedules
            or charging_profile["stack_level"] > simmodel.PROFILE_STACK_LEVELS
            or any(len(s.get("charging_schedule_period", [])) > simmodel.PERIODS_PER_SCHEDULE for s in schedules)
            # K01: the station maximum on EVSE 0 only; external constraints are the station's own.
            or (purpose == "ChargingStationMaxProfile" and evse_id != 0)
            or purpose == "ChargingStationExternalConstraints"
            # A TxProfile belongs to a transaction running on that EVSE (K01).
            or (purpose == "TxProfile" and (tx is None or charging_profile.get("transaction_id") not in (None, tx.id)))
        )
        if refused:
            return self.results.SetChargingProfile(status="Rejected")
        status = self.station.profiles.install(smart.Profile.from_2x(evse_id, charging_profile),
                                               replace_same_stack=False)
        self.station.apply_limits()
        return self.results.SetChargingProfile(status=status)

    @routing.on(enums.Action.clear_charging_profile)
    def on_clear_charging_profile(self, charging_profile_id: int | None = None,
                                  charging_profile_criteria: dict | None = None, **kwargs):
        criteria = charging_profile_criteria or {}
        cleared = self.station.profiles.clear(charging_profile_id, criteria.get("evse_id"),
                                              criteria.get("charging_profile_purpose"), criteria.get("stack_level"))
        self.station.apply_limits()
        return self.results.ClearChargingProfile(status="Accepted" if cleared else "Unknown")

    @routing.on(enums.Action.get_composite_schedule)
    def on_get_composite_schedule(self, duration: int, evse_id: int, charging_rate_unit: str | None = None,
                                  **kwargs):
        if evse_id != 0 and self.station.connector(evse_id) is None:
            return self.results.GetCompositeSchedule(status="Rejected")
        unit = charging_rate_unit or "A"
        periods = [{"start_period": start, "limit": round(smart.from_amps(amps, unit, None), 1),
                    "number_phases": meter.PHASES}
                   for start, amps in self.station.composite(evse_id, duration)]
        return self.results.GetCompositeSchedule(status="Accepted", schedule={
            "evse_id": evse_id, "duration": duration, "schedule_start": self.station.timestamp(),
            "charging_rate_unit": unit, "charging_schedule_period": periods})

    @routing.on(enums.Action.get_charging_profiles)
    def on_get_charging_profiles(self, request_id: int, charging_profile: dict, call_unique_id: str,
                                 evse_id: int | None = None, **kwargs):
        found = self.station.profiles.matching(
            evse_id, charging_profile.get("charging_profile_purpose"), charging_profile.get("stack_level"),
            charging_profile.get("charging_profile_id"), charging_profile.get("charging_limit_source"))
        if not found:
            return self.results.GetChargingProfiles(status="NoProfiles")
        self.follow_up(call_unique_id, "report-charging-profiles", self.send_charging_profiles, request_id, found)
        return self.results.GetChargingProfiles(status="Accepted")

    @routing.after(enums.Action.get_charging_profiles)
    def after_get_charging_profiles(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    async def send_charging_profiles(self, request_id: int, found: list[smart.Profile]) -> None:
        """K09: one ReportChargingProfiles per EVSE, tbc on all but the last."""
        by_evse: dict[int, list[dict]] = {}
        for profile in found:
            by_evse.setdefault(profile.connector, []).append(profile.raw)
        for n, (evse_id, profiles) in enumerate(sorted(by_evse.items())):
            await self.try_call(self.calls.ReportChargingProfiles(
                request_id=request_id, charging_limit_source="CSO", evse_id=evse_id, charging_profile=profiles,
                tbc=n < len(by_evse) - 1))

    # -- firmware and logs (L01, N01): answered at once, the job starts from the @after hook -----

    @routing.on(enums.Action.update_firmware)
    def on_update_firmware(self, request_id: int, firmware: dict, call_unique_id: str,
                           retries: int | None = None, retry_interval: int | None = None, **kwargs):
        request = updates.FirmwareRequest(
            firmware["location"], logs.parse_time(firmware.get("retrieve_date_time")),
            logs.parse_time(firmware.get("install_date_time")), retries, retry_interval, request_id,
            firmware.get("signature"), firmware.get("signing_certificate"))
        busy = self.station.jobs.firmware_busy()
        self.start_job(call_unique_id, "update-firmware", self.station.jobs.start_firmware, updates.V2X, request)
        return self.results.UpdateFirmware(status="AcceptedCanceled" if busy else "Accepted")

    @routing.after(enums.Action.update_firmware)
    def after_update_firmware(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.get_log)
    def on_get_log(self, log: dict, log_type: str, request_id: int, call_unique_id: str,
                   retries: int | None = None, retry_interval: int | None = None, **kwargs):
        if log_type not in (logs.DIAGNOSTICS, logs.SECURITY):
            return self.results.GetLog(status="Rejected")  # 2.1's DataCollectorLog: nothing collected here
        name = logs.file_name(self.charger_id, log_type, self.station.now())
        request = updates.UploadRequest(log["remote_location"], name, log_type,
                                        logs.parse_time(log.get("oldest_timestamp")),
                                        logs.parse_time(log.get("latest_timestamp")), retries, retry_interval,
                                        request_id)
        busy = self.station.jobs.upload_busy(updates.LOG)
        self.start_job(call_unique_id, "get-log", self.station.jobs.start_upload, updates.LOG, request)
        return self.results.GetLog(status="AcceptedCanceled" if busy else "Accepted", filename=name)

    @routing.after(enums.Action.get_log)
    def after_get_log(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)


class ChargePoint201(_ChargePoint2x, ocpp.v201.ChargePoint):
    pass


class ChargePoint21(_ChargePoint2x, ocpp.v21.ChargePoint):
    occurrence_error = ocpp.exceptions.OccurrenceConstraintViolationError

    async def _handle_call(self, msg):
        # ocpp 2.1.0's _raise_key_error knows only 1.6 and 2.0.1, so a 2.1 CALL without a
        # handler gets no answer at all and the CSMS waits out its timeout. Answer it the
        # way the library does for the other versions.
        if adapter.route_handler(self.route_map.get(msg.action)) is None:
            cause = {"cause": f"No handler for {msg.action} registered."}
            try:
                ocpp.v21.enums.Action(msg.action)
            except ValueError:
                raise ocpp.exceptions.NotSupportedError(details=cause) from None
            raise ocpp.exceptions.NotImplementedError(details=cause)
        return await super()._handle_call(msg)
