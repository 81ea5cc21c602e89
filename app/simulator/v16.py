"""The virtual charger speaking OCPP 1.6J: Core, FirmwareManagement, RemoteTrigger, SmartCharging
(its profiles limit the simulated EVs), and the security extension's SignedUpdateFirmware, GetLog
and ExtendedTriggerMessage.

Handlers answer at once and leave every message they cause (the triggered Heartbeat, the
StartTransaction after a remote start) to a follow-up task; see app.simulator.charger_session.
"""

from __future__ import annotations

import ocpp.v16
from ocpp import routing
from ocpp.v16 import call, call_result, enums

from app.ocpp import adapter
from app.simulator import keys_v16 as simkeys
from app.simulator import options as sim_options
from app.simulator import logs
from app.simulator import charger_session as session
from app.simulator import meter
from app.simulator import smart_charging as smart
from app.simulator import station as simstation
from app.simulator import updates

LOGGER = sim_options.LOGGER

TRIGGERABLE = (
    "BootNotification", "Heartbeat", "StatusNotification", "MeterValues",
    "DiagnosticsStatusNotification", "FirmwareStatusNotification",
)
# ExtendedTriggerMessage (security extension): FirmwareStatusNotification there means the signed one.
EXTENDED_TRIGGERABLE = (
    "BootNotification", "Heartbeat", "StatusNotification", "MeterValues",
    "FirmwareStatusNotification", "LogStatusNotification", "SignChargePointCertificate",
)


class ChargePoint16(session.Session, ocpp.v16.ChargePoint):
    def __init__(self, station: simstation.Station, connection) -> None:
        super().__init__(station, connection)
        self.keys: simkeys.ConfigKeys = station.config_keys

    # -- messages the charger sends ---------------------------------------------------------

    def boot_payload(self) -> call.BootNotification:
        cfg = self.station.config
        return call.BootNotification(
            charge_point_vendor=cfg.vendor[:20],
            charge_point_model=cfg.model[:20],
            charge_point_serial_number=cfg.serial_number,
            charge_box_serial_number=cfg.serial_number,
            firmware_version=self.station.firmware[:50],
            meter_type="SIM-3P-AC",
            meter_serial_number=f"M{cfg.serial_number}"[-25:],
        )

    def heartbeat_payload(self) -> call.Heartbeat:
        return call.Heartbeat()

    async def send_status(self, connector_id: int, status: str) -> None:
        await self.try_call(call.StatusNotification(
            connector_id=connector_id, error_code="NoError", status=status, timestamp=self.station.timestamp(),
        ))

    async def send_all_status(self) -> None:
        await self.send_status(0, simstation.AVAILABLE if self.station.operative else simstation.UNAVAILABLE)
        for connector in self.station.connectors:
            await self.send_status(connector.id, connector.status)

    async def set_status(self, connector: simstation.Connector, status: str) -> None:
        connector.status = status
        await self.send_status(connector.id, status)

    def _meter_value(self, connector: simstation.Connector, measurands_key: str, context: str) -> dict:
        """One meterValue entry sampling the measurands a configuration key lists."""
        self.station.apply_limits()  # a schedule's next period may have begun
        reading = connector.meter.read(self.station.monotonic())
        measurands = meter.measurand_list(self.keys.get(measurands_key))
        return {"timestamp": self.station.timestamp(),
                "sampled_value": meter.sampled_values_16(reading, measurands, context)}

    async def send_meter_values(self, connector: simstation.Connector, context: str) -> None:
        tx = connector.transaction
        value = self._meter_value(connector, "MeterValuesSampledData", context)
        if not value["sampled_value"]:
            return  # MeterValuesSampledData was set empty: nothing to sample, and the schema wants one
        await self.try_call(call.MeterValues(
            connector_id=connector.id,
            transaction_id=tx.id if tx is not None and isinstance(tx.id, int) else None,
            meter_value=[value],
        ))

    async def send_periodic_meter_values(self, connector: simstation.Connector) -> None:
        await self.send_meter_values(connector, "Sample.Periodic")

    # -- transactions -----------------------------------------------------------------------

    async def present_tag(self, id_tag: str, connector_id: int | None = None) -> str:
        """A card held at the reader: the card of a running session ends it (Local); any other is
        Authorized, and an Accepted one starts a session on a free connector: "Started", else the
        answer's status (Accepted with no connector free)."""
        for connector in self.station.connectors:
            if connector.transaction is not None and connector.transaction.id_tag == id_tag:
                await self.stop_transaction(connector, "Local")
                return "Stopped"
        answer = await self.try_call(call.Authorize(id_tag=id_tag))
        status = str(answer.id_tag_info.get("status", "")) if answer is not None else "no answer"
        connector = self.station.connector_for_start(connector_id) if status == "Accepted" else None
        if connector is not None:
            connector.transaction = simstation.Transaction(None, id_tag, 0.0, self.station.now())
            await self.start_transaction(connector, id_tag, authorized=True)
            return "Started"
        return status

    async def start_transaction(self, connector: simstation.Connector, id_tag: str, authorized: bool = False) -> None:
        """Remote start: (Authorize), Preparing, StartTransaction, Charging, then periodic MeterValues."""
        if not authorized and self.keys.get_bool("AuthorizeRemoteTxRequests"):
            answer = await self.try_call(call.Authorize(id_tag=id_tag))
            if answer is None or answer.id_tag_info["status"] != "Accepted":
                connector.transaction = None
                await self.set_status(connector, connector.idle_status())
                return
        tx = connector.transaction
        await self.set_status(connector, simstation.PREPARING)
        now = self.station.monotonic()
        connector.meter.start(now)
        start_wh = tx.meter_start_wh = connector.meter.read(now).energy_wh
        answer = await self.try_call(call.StartTransaction(
            connector_id=connector.id, id_tag=id_tag, meter_start=int(start_wh), timestamp=self.station.timestamp(),
        ))
        if answer is None:
            # The CSMS refused the CALL itself; give the connector back rather than charge unbilled.
            connector.meter.unplug(self.station.monotonic())
            connector.transaction = None
            await self.set_status(connector, connector.idle_status())
            return
        tx.id = answer.transaction_id
        await self.set_status(connector, simstation.CHARGING)
        if answer.id_tag_info["status"] != "Accepted" and self.keys.get_bool("StopTransactionOnInvalidId"):
            await self.stop_transaction(connector, "DeAuthorized")
            return
        self.start_meter_loop(connector)

    async def stop_transaction(self, connector: simstation.Connector, reason: str) -> None:
        tx = connector.transaction
        if tx is None:
            return
        self.stop_meter_loop(connector)
        connector.meter.stop(self.station.monotonic())
        await self.set_status(connector, simstation.FINISHING)
        if tx.id is not None:  # None: reset before the CSMS numbered it; nothing to stop there
            end = self._meter_value(connector, "StopTxnSampledData", "Transaction.End")
            await self.try_call(call.StopTransaction(
                meter_stop=int(connector.meter.energy_wh), timestamp=self.station.timestamp(),
                transaction_id=tx.id, reason=reason, id_tag=tx.id_tag,
                transaction_data=[end] if end["sampled_value"] else None,
            ))
        connector.transaction = None
        self.station.profiles.end_transaction(connector.id)
        # The simulated driver unplugs straight away, so Finishing is brief.
        connector.meter.unplug(self.station.monotonic())
        self.apply_scheduled_availability(connector)
        await self.set_status(connector, connector.idle_status())

    async def end_transactions_for_reset(self, reason: str) -> None:
        for connector in self.station.connectors:
            await self.stop_transaction(connector, "HardReset" if reason == "Hard" else "SoftReset")

    # -- Core profile handlers ----------------------------------------------------------------

    @routing.on(enums.Action.get_configuration)
    def on_get_configuration(self, key: list[str] | None = None, **kwargs) -> call_result.GetConfiguration:
        known, unknown = self.keys.report(key)
        return call_result.GetConfiguration(configuration_key=known, unknown_key=unknown or None)

    @routing.on(enums.Action.change_configuration)
    def on_change_configuration(self, key: str, value: str, call_unique_id: str,
                                **kwargs) -> call_result.ChangeConfiguration:
        if key.lower() == "securityprofile":
            return call_result.ChangeConfiguration(status=self._change_security_profile(value, call_unique_id))
        status = self.keys.change(key, value)
        if status in (simkeys.ACCEPTED, simkeys.REBOOT_REQUIRED):
            if key.lower() == "heartbeatinterval":
                self.heartbeat_ticker.poke()
            elif key.lower() == "metervaluesampleinterval":
                self.meter_ticker.poke()
        return call_result.ChangeConfiguration(status=status)

    def _change_security_profile(self, value: str, call_unique_id: str) -> str:
        """Security whitepaper ed.3, 2.4: only upwards, only with what the new profile needs; once
        accepted the charger reconnects with it (answered RebootRequired: the key applies to the next
        connection, which the charger opens at once, falling back to the old profile if it fails)."""
        before = self.keys.get_int("SecurityProfile")
        if not value.isdigit() or int(value) <= before:
            return simkeys.REJECTED if value != str(before) else simkeys.ACCEPTED
        url = self.keys.get("CentralSystemUrl") or self.station.config.url
        missing = self.station.profile_prerequisites(int(value), url)
        if missing is not None:
            LOGGER.warning("%s: SecurityProfile %s rejected: %s", self.charger_id, value, missing)
            return simkeys.REJECTED
        status = self.keys.change("SecurityProfile", value)
        if status in (simkeys.ACCEPTED, simkeys.REBOOT_REQUIRED):
            self.station.report_security("ReconfigurationOfSecurityParameters",
                                         f"security profile {before} -> {value}")
            self.follow_up(call_unique_id, "new-security-profile", self.reconnect)
        return status

    async def reconnect(self) -> None:
        """Close the websocket once our answer is out; the run loop reconnects with the new profile."""
        self.station.reconnect_requested = True
        async with adapter.call_lock(self):
            await adapter.connection(self).close()

    @routing.after(enums.Action.change_configuration)
    def after_change_configuration(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    # -- security extension: certificates ------------------------------------------------------

    def sign_certificate_payload(self, csr: str) -> call.SignCertificate:
        return call.SignCertificate(csr=csr)

    @routing.on(enums.Action.install_certificate)
    def on_install_certificate(self, certificate_type: str, certificate: str,
                               **kwargs) -> call_result.InstallCertificate:
        return call_result.InstallCertificate(status=self.install_certificate(certificate_type, certificate))

    @routing.on(enums.Action.get_installed_certificate_ids)
    def on_get_installed_certificate_ids(self, certificate_type: str,
                                         **kwargs) -> call_result.GetInstalledCertificateIds:
        found = [data for _, data in self.installed_hash_data([certificate_type])]
        if not found:
            return call_result.GetInstalledCertificateIds(status="NotFound")
        return call_result.GetInstalledCertificateIds(status="Accepted", certificate_hash_data=found)

    @routing.on(enums.Action.delete_certificate)
    def on_delete_certificate(self, certificate_hash_data: dict, **kwargs) -> call_result.DeleteCertificate:
        return call_result.DeleteCertificate(status=self.delete_certificate(certificate_hash_data))

    @routing.on(enums.Action.certificate_signed)
    def on_certificate_signed(self, certificate_chain: str, call_unique_id: str,
                              **kwargs) -> call_result.CertificateSigned:
        return call_result.CertificateSigned(status=self.certificate_signed(call_unique_id, certificate_chain))

    @routing.after(enums.Action.certificate_signed)
    def after_certificate_signed(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.send_local_list)
    def on_send_local_list(self, list_version: int, update_type: str, local_authorization_list: list | None = None,
                           **kwargs) -> call_result.SendLocalList:
        entries = {str(e.get("id_tag")): e.get("id_tag_info") for e in local_authorization_list or []}
        return call_result.SendLocalList(status=self.station.apply_local_list(list_version, update_type == "Full",
                                                                              entries))

    @routing.on(enums.Action.get_local_list_version)
    def on_get_local_list_version(self, **kwargs) -> call_result.GetLocalListVersion:
        return call_result.GetLocalListVersion(list_version=self.station.local_list_version)

    @routing.on(enums.Action.reset)
    def on_reset(self, call_unique_id: str, **kwargs) -> call_result.Reset:
        self.follow_up(call_unique_id, "reset", self.reboot, kwargs["type"])
        return call_result.Reset(status="Accepted")

    @routing.after(enums.Action.reset)
    def after_reset(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.remote_start_transaction)
    def on_remote_start_transaction(self, id_tag: str, call_unique_id: str, connector_id: int | None = None,
                                    **kwargs) -> call_result.RemoteStartTransaction:
        connector = None if connector_id == 0 else self.station.connector_for_start(connector_id)
        if connector is None:
            return call_result.RemoteStartTransaction(status="Rejected")
        # Claim the connector now, so a second remote start arriving meanwhile is refused.
        connector.transaction = simstation.Transaction(None, id_tag, 0.0, self.station.now())
        self.follow_up(call_unique_id, "remote-start", self.start_transaction, connector, id_tag)
        return call_result.RemoteStartTransaction(status="Accepted")

    @routing.after(enums.Action.remote_start_transaction)
    def after_remote_start_transaction(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.remote_stop_transaction)
    def on_remote_stop_transaction(self, transaction_id: int, call_unique_id: str,
                                   **kwargs) -> call_result.RemoteStopTransaction:
        connector = self.station.connector_with_transaction(transaction_id)
        if connector is None:
            return call_result.RemoteStopTransaction(status="Rejected")
        self.follow_up(call_unique_id, "remote-stop", self.stop_transaction, connector, "Remote")
        return call_result.RemoteStopTransaction(status="Accepted")

    @routing.after(enums.Action.remote_stop_transaction)
    def after_remote_stop_transaction(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.change_availability)
    def on_change_availability(self, connector_id: int, call_unique_id: str,
                               **kwargs) -> call_result.ChangeAvailability:
        operative = kwargs["type"] == "Operative"
        if connector_id == 0:
            targets = self.station.connectors
            self.station.operative = operative
        else:
            connector = self.station.connector(connector_id)
            if connector is None:
                return call_result.ChangeAvailability(status="Rejected")
            targets = [connector]
        scheduled = simstation.apply_availability(targets, operative)
        self.follow_up(call_unique_id, "availability", self.send_all_status)
        return call_result.ChangeAvailability(status="Scheduled" if scheduled else "Accepted")

    @routing.after(enums.Action.change_availability)
    def after_change_availability(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.unlock_connector)
    def on_unlock_connector(self, connector_id: int, call_unique_id: str, **kwargs) -> call_result.UnlockConnector:
        connector = self.station.connector(connector_id)
        if connector is None:
            return call_result.UnlockConnector(status="NotSupported")
        if connector.transaction is not None:
            # OCPP 1.6, 5.18 Unlock Connector: a transaction on it is stopped first.
            self.follow_up(call_unique_id, "unlock", self.stop_transaction, connector, "UnlockCommand")
        return call_result.UnlockConnector(status="Unlocked")

    @routing.after(enums.Action.unlock_connector)
    def after_unlock_connector(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.clear_cache)
    def on_clear_cache(self, **kwargs) -> call_result.ClearCache:
        return call_result.ClearCache(status="Accepted")

    @routing.on(enums.Action.data_transfer)
    def on_data_transfer(self, vendor_id: str, **kwargs) -> call_result.DataTransfer:
        return call_result.DataTransfer(status="UnknownVendorId")

    # -- RemoteTrigger ------------------------------------------------------------------------

    def _trigger_status(self, requested_message: str, connector_id: int | None) -> str:
        if requested_message not in TRIGGERABLE:
            return "NotImplemented"
        if connector_id not in (None, 0) and self.station.connector(connector_id) is None:
            return "Rejected"
        return "Accepted"

    @routing.on(enums.Action.trigger_message)
    def on_trigger_message(self, requested_message: str, call_unique_id: str, connector_id: int | None = None,
                           **kwargs) -> call_result.TriggerMessage:
        status = self._trigger_status(requested_message, connector_id)
        if status == "Accepted":
            self.follow_up(call_unique_id, f"trigger-{requested_message}", self.send_triggered,
                           requested_message, connector_id)
        return call_result.TriggerMessage(status=status)

    @routing.after(enums.Action.trigger_message)
    def after_trigger_message(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    async def send_triggered(self, requested_message: str, connector_id: int | None) -> None:
        connectors = self.station.connectors if not connector_id else [self.station.connector(connector_id)]
        if requested_message == "BootNotification":
            await self.boot()
        elif requested_message == "Heartbeat":
            await self.try_call(self.heartbeat_payload())
        elif requested_message == "StatusNotification":
            if connector_id is None:
                await self.send_all_status()
            elif connector_id == 0:
                await self.send_status(0, simstation.AVAILABLE if self.station.operative else simstation.UNAVAILABLE)
            else:
                await self.send_status(connector_id, connectors[0].status)
        elif requested_message == "MeterValues":
            for connector in connectors:
                await self.send_meter_values(connector, "Trigger")
        elif requested_message == "DiagnosticsStatusNotification":
            status, _ = self.station.jobs.upload_status(updates.DIAGNOSTICS)
            await self.try_call(call.DiagnosticsStatusNotification(status=status))
        elif requested_message == "FirmwareStatusNotification":
            status, _ = self.station.jobs.firmware_status(updates.PLAIN_16)
            await self.try_call(call.FirmwareStatusNotification(status=status))

    @routing.on(enums.Action.extended_trigger_message)
    def on_extended_trigger_message(self, requested_message: str, call_unique_id: str,
                                    connector_id: int | None = None, **kwargs) -> call_result.ExtendedTriggerMessage:
        if requested_message not in EXTENDED_TRIGGERABLE:
            return call_result.ExtendedTriggerMessage(status="NotImplemented")
        if connector_id not in (None, 0) and self.station.connector(connector_id) is None:
            return call_result.ExtendedTriggerMessage(status="Rejected")
        self.follow_up(call_unique_id, f"extended-trigger-{requested_message}", self.send_extended_triggered,
                       requested_message, connector_id)
        return call_result.ExtendedTriggerMessage(status="Accepted")

    @routing.after(enums.Action.extended_trigger_message)
    def after_extended_trigger_message(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    async def send_extended_triggered(self, requested_message: str, connector_id: int | None) -> None:
        jobs = self.station.jobs
        if requested_message == "FirmwareStatusNotification":
            status, request_id = jobs.firmware_status(updates.SIGNED_16)
            await self.try_call(call.SignedFirmwareStatusNotification(status=status, request_id=request_id))
        elif requested_message == "LogStatusNotification":
            status, request_id = jobs.upload_status(updates.LOG)
            await self.try_call(call.LogStatusNotification(status=status, request_id=request_id))
        elif requested_message == "SignChargePointCertificate":
            await self.send_sign_certificate()
        else:
            await self.send_triggered(requested_message, connector_id)

    # -- FirmwareManagement and its security-extension twins ---------------------------------
    # The handlers answer at once; the job starts from the @after hook (see app.simulator.updates).

    @routing.on(enums.Action.update_firmware)
    def on_update_firmware(self, location: str, retrieve_date: str, call_unique_id: str,
                           retries: int | None = None, retry_interval: int | None = None,
                           **kwargs) -> call_result.UpdateFirmware:
        request = updates.FirmwareRequest(location, logs.parse_time(retrieve_date), None, retries, retry_interval)
        self.start_job(call_unique_id, "update-firmware", self.station.jobs.start_firmware, updates.PLAIN_16, request)
        return call_result.UpdateFirmware()

    @routing.after(enums.Action.update_firmware)
    def after_update_firmware(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.signed_update_firmware)
    def on_signed_update_firmware(self, request_id: int, firmware: dict, call_unique_id: str,
                                  retries: int | None = None, retry_interval: int | None = None,
                                  **kwargs) -> call_result.SignedUpdateFirmware:
        request = updates.FirmwareRequest(
            firmware["location"], logs.parse_time(firmware.get("retrieve_date_time")),
            logs.parse_time(firmware.get("install_date_time")), retries, retry_interval, request_id,
            firmware.get("signature"), firmware.get("signing_certificate"))
        busy = self.station.jobs.firmware_busy()
        self.start_job(call_unique_id, "signed-update-firmware", self.station.jobs.start_firmware,
                        updates.SIGNED_16, request)
        return call_result.SignedUpdateFirmware(status="AcceptedCanceled" if busy else "Accepted")

    @routing.after(enums.Action.signed_update_firmware)
    def after_signed_update_firmware(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.get_diagnostics)
    def on_get_diagnostics(self, location: str, call_unique_id: str, retries: int | None = None,
                           retry_interval: int | None = None, start_time: str | None = None,
                           stop_time: str | None = None, **kwargs) -> call_result.GetDiagnostics:
        name = logs.file_name(self.charger_id, logs.DIAGNOSTICS, self.station.now())
        request = updates.UploadRequest(location, name, logs.DIAGNOSTICS, logs.parse_time(start_time),
                                        logs.parse_time(stop_time), retries, retry_interval)
        self.start_job(call_unique_id, "get-diagnostics", self.station.jobs.start_upload, updates.DIAGNOSTICS,
                        request)
        return call_result.GetDiagnostics(file_name=name)

    @routing.after(enums.Action.get_diagnostics)
    def after_get_diagnostics(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    @routing.on(enums.Action.get_log)
    def on_get_log(self, log: dict, log_type: str, request_id: int, call_unique_id: str,
                   retries: int | None = None, retry_interval: int | None = None, **kwargs) -> call_result.GetLog:
        name = logs.file_name(self.charger_id, log_type, self.station.now())
        request = updates.UploadRequest(log["remote_location"], name, log_type,
                                        logs.parse_time(log.get("oldest_timestamp")),
                                        logs.parse_time(log.get("latest_timestamp")), retries, retry_interval,
                                        request_id)
        busy = self.station.jobs.upload_busy(updates.LOG)
        self.start_job(call_unique_id, "get-log", self.station.jobs.start_upload, updates.LOG, request)
        return call_result.GetLog(status="AcceptedCanceled" if busy else "Accepted", filename=name)

    @routing.after(enums.Action.get_log)
    def after_get_log(self, call_unique_id: str, **kwargs) -> None:
        self.run_follow_up(call_unique_id)

    # -- SmartCharging: the profiles limit what the EVs draw (app.simulator.smart_charging) -------

    @routing.on(enums.Action.set_charging_profile)
    def on_set_charging_profile(self, connector_id: int, cs_charging_profiles: dict,
                                **kwargs) -> call_result.SetChargingProfile:
        profile = cs_charging_profiles
        connector = self.station.connector(connector_id)
        purpose = profile["charging_profile_purpose"]
        schedule = profile["charging_schedule"]
        too_high = profile["stack_level"] > self.keys.get_int("ChargeProfileMaxStackLevel")
        too_long = len(schedule.get("charging_schedule_period", [])) > self.keys.get_int("ChargingScheduleMaxPeriods")
        # OCPP 1.6, 5.16 Set Charging Profile: a TxProfile needs a transaction on that connector,
        # and ChargePointMaxProfile goes on connector 0 only (3.13.1).
        orphan_tx = purpose == "TxProfile" and (connector is None or connector.transaction is None or (
            profile.get("transaction_id") not in (None, connector.transaction.id)))
        misplaced = purpose == "ChargePointMaxProfile" and connector_id != 0
        full = (profile["charging_profile_id"] not in self.station.profiles.by_id
                and len(self.station.profiles) >= self.keys.get_int("MaxChargingProfilesInstalled"))
        if too_high or too_long or orphan_tx or misplaced or full or (connector_id != 0 and connector is None):
            return call_result.SetChargingProfile(status="Rejected")
        status = self.station.profiles.install(smart.Profile.from_16(connector_id, profile), replace_same_stack=True)
        self.station.apply_limits()
        return call_result.SetChargingProfile(status=status)

    @routing.on(enums.Action.clear_charging_profile)
    def on_clear_charging_profile(self, **kwargs) -> call_result.ClearChargingProfile:
        # Every field is an optional filter, an id alone picks one profile; the payload's "id"
        # arrives in kwargs so it does not shadow the built-in.
        cleared = self.station.profiles.clear(kwargs.get("id"), kwargs.get("connector_id"),
                                              kwargs.get("charging_profile_purpose"), kwargs.get("stack_level"))
        self.station.apply_limits()
        return call_result.ClearChargingProfile(status="Accepted" if cleared else "Unknown")

    @routing.on(enums.Action.get_composite_schedule)
    def on_get_composite_schedule(self, connector_id: int, duration: int, charging_rate_unit: str | None = None,
                                  **kwargs) -> call_result.GetCompositeSchedule:
        if connector_id != 0 and self.station.connector(connector_id) is None:
            return call_result.GetCompositeSchedule(status="Rejected")
        unit = charging_rate_unit or "A"
        periods = [{"start_period": start, "limit": round(smart.from_amps(amps, unit, None), 1),
                    **({"number_phases": meter.PHASES} if unit == "W" else {})}
                   for start, amps in self.station.composite(connector_id, duration)]
        start = self.station.timestamp()
        return call_result.GetCompositeSchedule(
            status="Accepted", connector_id=connector_id, schedule_start=start,
            charging_schedule={"duration": duration, "start_schedule": start, "charging_rate_unit": unit,
                               "charging_schedule_period": periods})
