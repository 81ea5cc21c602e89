"""The OCPP 1.6 configuration keys of the virtual charger (OCPP 1.6 section 9), sans-I/O.

Keys are case-insensitive (CiString50) but always reported with their canonical spelling.
Values are strings on the wire; `kind` says how ChangeConfiguration validates them, the way a
real charger refuses "abc" for HeartbeatInterval.
"""

from __future__ import annotations

import dataclasses

from app.simulator import meter

ACCEPTED = "Accepted"
REJECTED = "Rejected"
REBOOT_REQUIRED = "RebootRequired"
NOT_SUPPORTED = "NotSupported"

# Measurands a 1.6 charger may be asked to sample (MeterValuesSampledData and friends).
SAMPLEABLE = tuple(meter.MEASURANDS)
SUPPORTED_PROFILES = "Core,RemoteTrigger,SmartCharging"


@dataclasses.dataclass
class Key:
    name: str
    value: str
    readonly: bool = False
    kind: str = "string"  # string | int | bool | csl (comma-separated list) | secret
    choices: tuple[str, ...] = ()  # allowed members of a csl
    minimum: int | None = None
    maximum: int | None = None
    # Accepted but only effective after the next reconnect (the websocket is already open).
    reboot_required: bool = False

    def valid(self, value: str) -> bool:
        if self.kind == "int":
            try:
                number = int(value)
            except ValueError:
                return False
            return (self.minimum is None or number >= self.minimum) and (
                self.maximum is None or number <= self.maximum
            )
        if self.kind == "bool":
            return value.lower() in ("true", "false")
        if self.kind == "csl":
            members = meter.measurand_list(value)
            return all(member in self.choices for member in members) if self.choices else True
        if self.kind == "url":
            return value.startswith(("ws://", "wss://")) and len(value) <= 500
        if self.kind == "secret":
            # Security whitepaper: the basic-auth password is 16 to 40 characters.
            return 16 <= len(value) <= 40
        return len(value) <= 500


def default_keys(connectors: int, password: str | None, url: str = "") -> list[Key]:
    measurands = ",".join(meter.DEFAULT_SAMPLED)
    rotation = ",".join(f"{i}.RST" for i in range(connectors + 1))
    return [
        Key("AllowOfflineTxForUnknownId", "false", kind="bool"),
        Key("AuthorizationCacheEnabled", "true", kind="bool"),
        Key("AuthorizeRemoteTxRequests", "false", kind="bool"),
        Key("ClockAlignedDataInterval", "0", kind="int", minimum=0),
        Key("ConnectionTimeOut", "60", kind="int", minimum=0),
        Key("ConnectorPhaseRotation", rotation),
        Key("GetConfigurationMaxKeys", "64", readonly=True, kind="int"),
        Key("HeartbeatInterval", "300", kind="int", minimum=0),
        Key("LocalAuthorizeOffline", "true", kind="bool"),
        Key("LocalPreAuthorize", "false", kind="bool"),
        Key("MeterValuesAlignedData", meter.ENERGY, kind="csl", choices=SAMPLEABLE),
        Key("MeterValuesSampledData", measurands, kind="csl", choices=SAMPLEABLE),
        Key("MeterValuesSampledDataMaxLength", str(len(SAMPLEABLE)), readonly=True, kind="int"),
        Key("MeterValueSampleInterval", "60", kind="int", minimum=0),
        Key("MinimumStatusDuration", "0", kind="int", minimum=0),
        Key("NumberOfConnectors", str(connectors), readonly=True, kind="int"),
        Key("ResetRetries", "3", kind="int", minimum=0),
        Key("StopTransactionOnEVSideDisconnect", "true", kind="bool"),
        Key("StopTransactionOnInvalidId", "true", kind="bool"),
        Key("StopTxnAlignedData", meter.ENERGY, kind="csl", choices=SAMPLEABLE),
        Key("StopTxnSampledData", meter.ENERGY, kind="csl", choices=SAMPLEABLE),
        Key("SupportedFeatureProfiles", SUPPORTED_PROFILES, readonly=True, kind="csl"),
        Key("TransactionMessageAttempts", "3", kind="int", minimum=0),
        Key("TransactionMessageRetryInterval", "60", kind="int", minimum=0),
        Key("UnlockConnectorOnEVSideDisconnect", "true", kind="bool"),
        Key("WebSocketPingInterval", "20", kind="int", minimum=0, reboot_required=True),
        # Smart Charging profile
        Key("ChargeProfileMaxStackLevel", "8", readonly=True, kind="int"),
        Key("ChargingScheduleAllowedChargingRateUnit", "Current,Power", readonly=True, kind="csl"),
        Key("ChargingScheduleMaxPeriods", "24", readonly=True, kind="int"),
        Key("MaxChargingProfilesInstalled", "16", readonly=True, kind="int"),
        # Security whitepaper (edition 3): profiles 0-3; the charger checks what a new one needs (v16.py).
        Key("SecurityProfile", "1" if password else "0", kind="int", minimum=0, maximum=3,
            reboot_required=True),
        Key("CertificateStoreMaxLength", "10", readonly=True, kind="int"),
        Key("AdditionalRootCertificateCheck", "false", readonly=True, kind="bool"),
        Key("AuthorizationKey", password or "", kind="secret", reboot_required=True),
        Key("CpoName", ""),
        # Vendor key (1.6 has no standard one for the backend): where the charger connects after
        # its next reboot, falling back to the address it has now if that fails
        # (resources/vendors/commissioner-virtual.toml maps it).
        Key("CentralSystemUrl", url, kind="url", reboot_required=True),
    ]


class ConfigKeys:
    def __init__(self, keys: list[Key]) -> None:
        self._keys = {key.name.lower(): key for key in keys}

    @classmethod
    def default(cls, connectors: int, password: str | None, url: str = "") -> ConfigKeys:
        return cls(default_keys(connectors, password, url))

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._keys

    def key(self, name: str) -> Key:
        return self._keys[name.lower()]

    def get(self, name: str) -> str | None:
        key = self._keys.get(name.lower())
        return None if key is None else key.value

    def get_int(self, name: str) -> int:
        return int(self.key(name).value)

    def get_bool(self, name: str) -> bool:
        return self.key(name).value.lower() == "true"

    def keys(self) -> list[Key]:
        return list(self._keys.values())

    def report(self, names: list[str] | None) -> tuple[list[dict], list[str]]:
        """GetConfiguration: (configurationKey entries, unknownKey names)."""
        if not names:
            return [self._entry(key) for key in self._keys.values()], []
        known, unknown = [], []
        for name in names:
            key = self._keys.get(name.lower())
            if key is None:
                unknown.append(name)
            else:
                known.append(self._entry(key))
        return known, unknown

    @staticmethod
    def _entry(key: Key) -> dict:
        entry = {"key": key.name, "readonly": key.readonly}
        # A secret is reported without its value, as the security whitepaper requires.
        if key.kind != "secret":
            entry["value"] = key.value
        return entry

    def change(self, name: str, value: str) -> str:
        """ChangeConfiguration: the status a real charger answers, applying the value if allowed."""
        key = self._keys.get(name.lower())
        if key is None:
            return NOT_SUPPORTED
        if key.readonly or not key.valid(value):
            return REJECTED
        if key.name == "SecurityProfile" and int(value) < int(key.value or 0):
            # Whitepaper: a charger never lowers its security profile on request.
            return REJECTED
        key.value = value.lower() if key.kind == "bool" else value
        return REBOOT_REQUIRED if key.reboot_required else ACCEPTED

    def set(self, name: str, value: str) -> None:
        """Set by the charger itself (e.g. the heartbeat interval from a BootNotification answer)."""
        self.key(name).value = value
