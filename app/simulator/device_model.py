"""The OCPP 2.0.1/2.1 device model of the virtual charger (part 2, appendix 3), sans-I/O.

Every variable carries only the Actual attribute, as most real stations do. Names and
mutabilities follow the standardized components; component and variable names compare
case-insensitively (the spec says so for component names, and CSMSs differ in casing).
Live values (AvailabilityState, EVSE.Power, ClockCtrlr.DateTime) are read through callables
the charger installs, so a report always shows the present state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from app.simulator import meter

ACTUAL = "Actual"
READ_ONLY = "ReadOnly"
READ_WRITE = "ReadWrite"
WRITE_ONLY = "WriteOnly"

STATES = "Available,Occupied,Reserved,Unavailable,Faulted"
MEASURANDS = ",".join(meter.MEASURANDS)


@dataclasses.dataclass
class Variable:
    component: str
    name: str
    value: str = ""
    mutability: str = READ_WRITE
    data_type: str = "string"  # DataEnumType
    unit: str | None = None
    values_list: str | None = None
    component_instance: str | None = None
    variable_instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None
    min_limit: float | None = None
    max_limit: float | None = None
    # The spec types BasicAuthPassword as passwordString, but the 2.0.1 JSON schema's
    # DataEnumType lacks that value, so it is reported as a string and checked here.
    password: bool = False
    # Taken, but applied from the next boot: SetVariables answers RebootRequired for it (B05).
    reboot_required: bool = False
    live: Callable[[], str] | None = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def address(self) -> tuple:
        return _address(self.component, self.component_instance, self.evse_id, self.connector_id) + (
            self.name.lower(),
            self.variable_instance,
        )

    def actual(self) -> str:
        return self.live() if self.live is not None else self.value

    def valid(self, value: str) -> bool:
        if self.data_type == "integer":
            try:
                number = int(value)
            except ValueError:
                return False
            return _within(number, self.min_limit, self.max_limit)
        if self.data_type == "decimal":
            try:
                return _within(float(value), self.min_limit, self.max_limit)
            except ValueError:
                return False
        if self.data_type == "boolean":
            return value.lower() in ("true", "false")
        allowed = (self.values_list or "").split(",")
        if self.data_type == "OptionList":
            return value in allowed
        if self.data_type in ("MemberList", "SequenceList"):
            return all(item in allowed for item in meter.measurand_list(value))
        if self.password:
            # OCPP 2.0.1 part 2, BasicAuthPassword: 16 to 40 characters.
            return 16 <= len(value) <= 40
        return len(value) <= (int(self.max_limit) if self.max_limit else 1000)

    def report_data(self) -> dict:
        """One NotifyReport reportData entry (snake_case; the ocpp library camel-cases it)."""
        attribute = {"type": ACTUAL, "mutability": self.mutability}
        if self.mutability != WRITE_ONLY:
            attribute["value"] = self.actual()
        characteristics = {"data_type": self.data_type, "supports_monitoring": False}
        for name in ("unit", "values_list", "min_limit", "max_limit"):
            if getattr(self, name) is not None:
                characteristics[name] = getattr(self, name)
        return {
            "component": component_dict(self.component, self.component_instance, self.evse_id, self.connector_id),
            "variable": {"name": self.name, **({"instance": self.variable_instance} if self.variable_instance else {})},
            "variable_attribute": [attribute],
            "variable_characteristics": characteristics,
        }


def _within(number: float, low: float | None, high: float | None) -> bool:
    return (low is None or number >= low) and (high is None or number <= high)


def _address(component: str, instance: str | None, evse_id: int | None, connector_id: int | None) -> tuple:
    return (component.lower(), instance, evse_id, connector_id)


def component_dict(name: str, instance: str | None, evse_id: int | None, connector_id: int | None) -> dict:
    out: dict = {"name": name}
    if instance:
        out["instance"] = instance
    if evse_id is not None:
        out["evse"] = {"id": evse_id, **({"connector_id": connector_id} if connector_id is not None else {})}
    return out


def request_address(component: dict, variable: dict) -> tuple[tuple, tuple]:
    """(component address, variable address) of a GetVariableData/SetVariableData entry."""
    evse = component.get("evse") or {}
    comp = _address(component["name"], component.get("instance"), evse.get("id"), evse.get("connector_id"))
    return comp, comp + (variable["name"].lower(), variable.get("instance"))


class DeviceModel:
    def __init__(self, variables: list[Variable]) -> None:
        self._variables = {variable.address: variable for variable in variables}
        self._components = {variable.address[:4] for variable in variables}

    def __len__(self) -> int:
        return len(self._variables)

    def variables(self) -> list[Variable]:
        return list(self._variables.values())

    def find(self, component: str, name: str, *, component_instance: str | None = None,
             variable_instance: str | None = None, evse_id: int | None = None,
             connector_id: int | None = None) -> Variable | None:
        comp = _address(component, component_instance, evse_id, connector_id)
        return self._variables.get(comp + (name.lower(), variable_instance))

    def value(self, component: str, name: str, **where) -> str:
        variable = self.find(component, name, **where)
        if variable is None:
            raise KeyError(f"{component}.{name}")
        return variable.actual()

    def set_value(self, component: str, name: str, value: str, **where) -> None:
        """Set by the charger itself, whatever the mutability (e.g. HeartbeatInterval after boot)."""
        variable = self.find(component, name, **where)
        if variable is None:
            raise KeyError(f"{component}.{name}")
        variable.value = value

    def _address(self, component: dict, variable: dict, attribute_type: str | None) -> tuple[str, Variable | None]:
        """The requested variable, or the attributeStatus saying why it cannot be had."""
        comp, address = request_address(component, variable)
        if comp not in self._components:
            return "UnknownComponent", None
        found = self._variables.get(address)
        if found is None:
            return "UnknownVariable", None
        if (attribute_type or ACTUAL) != ACTUAL:
            return "NotSupportedAttributeType", None
        return "Accepted", found

    def get(self, component: dict, variable: dict, attribute_type: str | None) -> tuple[str, str | None]:
        """GetVariables: (attributeStatus, attributeValue) for one requested variable."""
        status, found = self._address(component, variable, attribute_type)
        if found is None:
            return status, None
        if found.mutability == WRITE_ONLY:
            return "Rejected", None
        return "Accepted", found.actual()

    def set(self, component: dict, variable: dict, attribute_type: str | None, value: str) -> tuple[str, Variable | None]:
        """SetVariables: (attributeStatus, the variable changed or None) for one requested variable."""
        status, found = self._address(component, variable, attribute_type)
        if found is None:
            return status, None
        if found.mutability == READ_ONLY or found.live is not None or not found.valid(value):
            return "Rejected", None
        found.value = value.lower() if found.data_type == "boolean" else value
        return "Accepted", found

    def report(self, base: str) -> list[dict]:
        """GetBaseReport: reportData entries for FullInventory, ConfigurationInventory or SummaryInventory."""
        if base == "ConfigurationInventory":
            chosen = [v for v in self._variables.values() if v.mutability != READ_ONLY]
        elif base == "SummaryInventory":
            # Availability and problem conditions only (OCPP 2.0.1 part 2, B07).
            chosen = [v for v in self._variables.values() if v.name in ("AvailabilityState", "Available", "Problem")]
        else:
            chosen = list(self._variables.values())
        return [variable.report_data() for variable in chosen]

    def query(self, criteria: list[str], wanted: list[dict]) -> list[dict]:
        """GetReport (B08): the variables of the components asked for (componentVariable: a component,
        optionally one variable of it) whose component meets every criterion (Active, Available,
        Enabled: that variable true; Problem: its Problem variable true)."""
        chosen = []
        for variable in self._variables.values():
            if wanted and not any(_asked(variable, w) for w in wanted):
                continue
            if criteria and not all(self._meets(variable, c) for c in criteria):
                continue
            chosen.append(variable)
        return [variable.report_data() for variable in chosen]

    def _meets(self, variable: Variable, criterion: str) -> bool:
        flag = self._variables.get(_address(variable.component, variable.component_instance, variable.evse_id,
                                            variable.connector_id) + (criterion.lower(), None))
        return flag is not None and flag.actual().lower() == "true"


def _asked(variable: Variable, wanted: dict) -> bool:
    component = wanted.get("component", {})
    if str(component.get("name", "")).lower() != variable.component.lower():
        return False
    if component.get("instance") and component["instance"] != variable.component_instance:
        return False
    evse = component.get("evse")
    if evse and (evse.get("id") != variable.evse_id
                 or ("connector_id" in evse and evse["connector_id"] != variable.connector_id)):
        return False
    asked = wanted.get("variable")
    if asked and (str(asked.get("name", "")).lower() != variable.name.lower()
                  or (asked.get("instance") and asked["instance"] != variable.variable_instance)):
        return False
    return True


NETWORK_SLOTS = "0,1,2,3"  # the configuration slots SetNetworkProfile may fill
# SmartChargingCtrlr: deeper stacks or longer schedules are Rejected (app.simulator.v2x).
PROFILE_STACK_LEVELS = 8
PERIODS_PER_SCHEDULE = 24


def default_variables(*, vendor: str, model: str, serial: str, charger_id: str, evses: int,
                      password: str | None, items_per_message: int = 20) -> list[Variable]:
    V = Variable
    sampled = ",".join(meter.DEFAULT_SAMPLED)
    out = [
        V("ChargingStation", "AvailabilityState", "Available", READ_ONLY, "OptionList", values_list=STATES),
        V("ChargingStation", "Available", "true", READ_ONLY, "boolean"),
        V("ChargingStation", "Model", model, READ_ONLY),
        V("ChargingStation", "VendorName", vendor, READ_ONLY),
        V("ChargingStation", "SerialNumber", serial, READ_ONLY),
        V("ChargingStation", "SupplyPhases", str(meter.PHASES), READ_ONLY, "integer"),
        V("OCPPCommCtrlr", "HeartbeatInterval", "300", data_type="integer", unit="s", min_limit=0),
        V("OCPPCommCtrlr", "ActiveNetworkProfile", "0", READ_ONLY, "integer"),
        V("OCPPCommCtrlr", "NetworkConfigurationPriority", "0", data_type="SequenceList", values_list=NETWORK_SLOTS,
          reboot_required=True),  # B10: the new order applies from the next boot
        V("OCPPCommCtrlr", "NetworkProfileConnectionAttempts", "3", data_type="integer", min_limit=1),
        V("OCPPCommCtrlr", "OfflineThreshold", "60", data_type="integer", unit="s", min_limit=0),
        V("OCPPCommCtrlr", "MessageTimeout", "30", READ_ONLY, "integer", unit="s", variable_instance="Default"),
        V("OCPPCommCtrlr", "MessageAttempts", "3", data_type="integer", variable_instance="TransactionEvent"),
        V("OCPPCommCtrlr", "MessageAttemptInterval", "60", data_type="integer", unit="s",
          variable_instance="TransactionEvent"),
        V("OCPPCommCtrlr", "ResetRetries", "2", data_type="integer", min_limit=0),
        V("OCPPCommCtrlr", "RetryBackOffRepeatTimes", "5", data_type="integer", min_limit=0),
        V("OCPPCommCtrlr", "RetryBackOffRandomRange", "10", data_type="integer", unit="s", min_limit=0),
        V("OCPPCommCtrlr", "RetryBackOffWaitMinimum", "1", data_type="integer", unit="s", min_limit=0),
        V("OCPPCommCtrlr", "UnlockOnEVSideDisconnect", "true", data_type="boolean"),
        V("OCPPCommCtrlr", "WebSocketPingInterval", "20", data_type="integer", unit="s", min_limit=0,
          reboot_required=True),  # the ping is set up when the connection opens (station.py), as in 1.6
        V("OCPPCommCtrlr", "FileTransferProtocols", "HTTPS,FTPS", READ_ONLY, "MemberList", values_list="HTTP,HTTPS,FTP,FTPS"),
        V("DeviceDataCtrlr", "ItemsPerMessage", str(items_per_message), READ_ONLY, "integer", variable_instance="GetReport"),
        V("DeviceDataCtrlr", "ItemsPerMessage", str(items_per_message), READ_ONLY, "integer", variable_instance="GetVariables"),
        V("DeviceDataCtrlr", "ItemsPerMessage", str(items_per_message), READ_ONLY, "integer", variable_instance="SetVariables"),
        V("DeviceDataCtrlr", "BytesPerMessage", "65000", READ_ONLY, "integer", variable_instance="GetReport"),
        V("DeviceDataCtrlr", "BytesPerMessage", "65000", READ_ONLY, "integer", variable_instance="GetVariables"),
        V("DeviceDataCtrlr", "BytesPerMessage", "65000", READ_ONLY, "integer", variable_instance="SetVariables"),
        V("DeviceDataCtrlr", "ConfigurationValueSize", "1000", READ_ONLY, "integer"),
        V("DeviceDataCtrlr", "ReportingValueSize", "2500", READ_ONLY, "integer"),
        V("DeviceDataCtrlr", "ValueSize", "2500", READ_ONLY, "integer"),
        V("ClockCtrlr", "DateTime", "", READ_ONLY, "dateTime"),
        V("ClockCtrlr", "TimeSource", "Heartbeat", data_type="SequenceList", values_list="Heartbeat,NTP,RealTimeClock"),
        V("SampledDataCtrlr", "Enabled", "true", data_type="boolean"),
        V("SampledDataCtrlr", "TxStartedMeasurands", meter.ENERGY, data_type="MemberList", values_list=MEASURANDS),
        V("SampledDataCtrlr", "TxUpdatedMeasurands", sampled, data_type="MemberList", values_list=MEASURANDS),
        V("SampledDataCtrlr", "TxUpdatedInterval", "60", data_type="integer", unit="s", min_limit=0),
        V("SampledDataCtrlr", "TxEndedMeasurands", meter.ENERGY, data_type="MemberList", values_list=MEASURANDS),
        V("SampledDataCtrlr", "TxEndedInterval", "0", data_type="integer", unit="s", min_limit=0),
        V("AlignedDataCtrlr", "Enabled", "false", data_type="boolean"),
        V("AlignedDataCtrlr", "Measurands", meter.ENERGY, data_type="MemberList", values_list=MEASURANDS),
        V("AlignedDataCtrlr", "Interval", "900", data_type="integer", unit="s", min_limit=0),
        V("AuthCtrlr", "Enabled", "true", data_type="boolean"),
        V("AuthCtrlr", "AuthorizeRemoteStart", "false", data_type="boolean"),
        V("AuthCtrlr", "LocalAuthorizeOffline", "true", data_type="boolean"),
        V("AuthCtrlr", "LocalPreAuthorize", "false", data_type="boolean"),
        V("AuthCacheCtrlr", "Enabled", "true", data_type="boolean"),
        V("TxCtrlr", "EVConnectionTimeOut", "60", data_type="integer", unit="s", min_limit=0),
        V("TxCtrlr", "StopTxOnEVSideDisconnect", "true", data_type="boolean"),
        V("TxCtrlr", "StopTxOnInvalidId", "true", data_type="boolean"),
        V("TxCtrlr", "TxStartPoint", "PowerPathClosed", data_type="MemberList",
          values_list="ParkingBayOccupancy,EVConnected,Authorized,DataSigned,PowerPathClosed,EnergyTransfer"),
        V("TxCtrlr", "TxStopPoint", "EVConnected,Authorized", data_type="MemberList",
          values_list="ParkingBayOccupancy,EVConnected,Authorized,DataSigned,PowerPathClosed,EnergyTransfer"),
        V("SmartChargingCtrlr", "Enabled", "true", data_type="boolean"),
        V("SmartChargingCtrlr", "ProfileStackLevel", str(PROFILE_STACK_LEVELS), READ_ONLY, "integer"),
        V("SmartChargingCtrlr", "PeriodsPerSchedule", str(PERIODS_PER_SCHEDULE), READ_ONLY, "integer"),
        V("SmartChargingCtrlr", "RateUnit", "A,W", READ_ONLY, "MemberList", values_list="A,W"),
        # SecurityProfile is ReadOnly in 2.0.1: it changes through SetNetworkProfile only.
        V("SecurityCtrlr", "SecurityProfile", "1" if password else "0", READ_ONLY, "integer"),
        V("SecurityCtrlr", "Identity", charger_id, READ_ONLY, max_limit=48),
        V("SecurityCtrlr", "OrganizationName", "Commissioner"),
        V("SecurityCtrlr", "CertificateEntries", "0", READ_ONLY, "integer"),
        V("SecurityCtrlr", "BasicAuthPassword", password or "", WRITE_ONLY, max_limit=40, password=True),
    ]
    for evse in range(1, evses + 1):
        out += [
            V("EVSE", "AvailabilityState", "Available", READ_ONLY, "OptionList", values_list=STATES, evse_id=evse),
            V("EVSE", "Available", "true", READ_ONLY, "boolean", evse_id=evse),
            V("EVSE", "Power", "0", READ_ONLY, "decimal", unit="W", max_limit=11040, evse_id=evse),
            V("EVSE", "SupplyPhases", str(meter.PHASES), READ_ONLY, "integer", evse_id=evse),
            V("Connector", "AvailabilityState", "Available", READ_ONLY, "OptionList", values_list=STATES,
              evse_id=evse, connector_id=1),
            V("Connector", "Available", "true", READ_ONLY, "boolean", evse_id=evse, connector_id=1),
            V("Connector", "ConnectorType", "cType2", READ_ONLY, evse_id=evse, connector_id=1),
            V("Connector", "SupplyPhases", str(meter.PHASES), READ_ONLY, "integer", evse_id=evse, connector_id=1),
        ]
    return out
