"""Which actions each OCPP version knows, and who initiates them.

The `ocpp` package lists the actions of each version (its `Action` enums) but not their
direction; the direction comes from the specifications (1.6 + security whitepaper, 2.0.1, 2.1).
"""

from __future__ import annotations

import functools

from ocpp.v16 import enums as v16_enums
from ocpp.v201 import enums as v201_enums
from ocpp.v21 import enums as v21_enums

_ENUMS = {"1.6": v16_enums.Action, "2.0.1": v201_enums.Action, "2.1": v21_enums.Action}

VERSIONS = ("1.6", "2.0.1", "2.1")

_CHARGER_16 = {
    "Authorize", "BootNotification", "DataTransfer", "DiagnosticsStatusNotification",
    "FirmwareStatusNotification", "Heartbeat", "MeterValues", "StartTransaction",
    "StatusNotification", "StopTransaction",
    # security extension
    "LogStatusNotification", "SecurityEventNotification", "SignCertificate",
    "SignedFirmwareStatusNotification",
}

_CHARGER_201 = {
    "Authorize", "BootNotification", "ClearedChargingLimit", "DataTransfer",
    "FirmwareStatusNotification", "Get15118EVCertificate", "GetCertificateStatus", "Heartbeat",
    "LogStatusNotification", "MeterValues", "NotifyChargingLimit", "NotifyCustomerInformation",
    "NotifyDisplayMessages", "NotifyEVChargingNeeds", "NotifyEVChargingSchedule", "NotifyEvent",
    "NotifyMonitoringReport", "NotifyReport", "PublishFirmwareStatusNotification",
    "ReportChargingProfiles", "ReservationStatusUpdate", "SecurityEventNotification",
    "SignCertificate", "StatusNotification", "TransactionEvent",
}

_CHARGER_21 = _CHARGER_201 | {
    "BatterySwap", "ClosePeriodicEventStream", "GetCertificateChainStatus", "NotifyDERAlarm",
    "NotifyDERStartStop", "NotifyPriorityCharging", "NotifySettlement", "OpenPeriodicEventStream",
    "PullDynamicScheduleUpdate", "ReportDERControl", "VatNumberValidation",
}

# OCPP 2.1 sends this one as a SEND (message type 6): no response.
SEND_ONLY_21 = {"NotifyPeriodicEventStream"}

_CHARGER = {"1.6": _CHARGER_16, "2.0.1": _CHARGER_201, "2.1": _CHARGER_21}

# Both sides may initiate these.
BIDIRECTIONAL = {"DataTransfer"}


@functools.cache
def known(version: str) -> frozenset[str]:
    """Every action the version defines (the package's 2.1 enum lacks the SEND-only one)."""
    names = {action.value for action in _ENUMS[version]}
    return frozenset(names | SEND_ONLY_21 if version == "2.1" else names)


@functools.cache
def charger_initiated(version: str) -> tuple[str, ...]:
    return tuple(sorted(_CHARGER[version]))


@functools.cache
def csms_initiated(version: str) -> tuple[str, ...]:
    exclusive = known(version) - _CHARGER[version] - (SEND_ONLY_21 if version == "2.1" else set())
    return tuple(sorted(exclusive | BIDIRECTIONAL))


def is_known(version: str, action: str) -> bool:
    return action in known(version)
