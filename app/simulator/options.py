"""What a virtual charger is told at start-up, and the small pure helpers every session shares.

Nothing here does I/O: the reconnect policy and the timestamps are plain functions of their
inputs, so tests drive them with a seeded random generator and a fixed clock.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import os
import random
import sys
from collections.abc import Callable

import websockets.exceptions
import websockets.uri

from app.domain import errors

VERSIONS = ("1.6", "2.0.1", "2.1")

# The stock ocpp.ChargePoint logs every frame in and out at INFO. A fleet of a hundred
# simulated chargers would drown the technician's console, so sessions get this logger,
# which stays at WARNING unless someone lowers it on purpose to watch the frames.
_FRAMES = logging.getLogger("app.simulator.frames")
_FRAMES.setLevel(logging.WARNING)


class _OneLineErrors(logging.LoggerAdapter):
    """The stock ChargePoint logs every CALL it answers with a CallError (an action the virtual
    charger does not implement, a refused payload) with `logger.exception`: a full traceback at
    ERROR. That is the charger's normal answer, not a fault: one warning line says it."""

    def exception(self, msg: object, *args: object, exc_info: object = True, **kwargs: object) -> None:
        error = sys.exc_info()[1]
        text = (msg % args) if args else str(msg)
        self.warning("%s: %s", text[:300], f"{type(error).__name__}: {error}" if error else "error")


FRAME_LOGGER = _OneLineErrors(_FRAMES, {})

LOGGER = logging.getLogger("app.simulator")


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


@dataclasses.dataclass
class SimConfig:
    """One virtual charger. The first block is the public contract; the rest tune timing.

    `meter_interval` overrides MeterValueSampleInterval (1.6) / TxUpdatedInterval (2.x) when set,
    so a demo shows a moving meter without the CSMS having to configure it.
    """

    url: str
    charger_id: str
    ocpp_version: str = "1.6"
    password: str | None = None
    vendor: str = "Commissioner"
    model: str = "VirtualCharger"
    serial: str = ""  # empty: derived from charger_id, see serial_number
    firmware: str = "1.0.0"
    connectors: int = 2
    backoff_min: float = 1.0
    backoff_max: float = 30.0
    meter_interval: float | None = None

    # How long a Reset keeps the charger off the network, as a real reboot does.
    reboot_delay: float = 3.0
    # Floor for the wait between BootNotifications answered Pending/Rejected (also used
    # when the CSMS answers interval 0, which leaves the choice to the charger).
    boot_retry_min: float = 1.0
    # Seconds to wait for the CSMS to answer one of our CALLs.
    response_timeout: float = 30.0
    # Wall clock for every timestamp the charger sends; tests pin it.
    clock: Callable[[], datetime.datetime] = utc_now

    # Firmware updates and log uploads (app.simulator.updates). The faults are read when the
    # step they spoil comes, so a test may also set them on a running charger's config.
    download_fails: bool = False  # every download attempt fails: DownloadFailed
    install_fails: bool = False  # the install fails: InstallationFailed, the old version stays
    slow_download: float | None = None  # bytes/s limit on downloads, to watch progress mid-way
    disconnect_midway: bool = False  # drop the websocket once Downloading is sent, back after reboot_delay
    upload_fails: bool = False  # uploads fail without contacting the server: UploadFailed / UploadFailure
    invalid_signature: bool = False  # a signed update's signature does not verify: InvalidSignature
    upload_via_post: bool = False  # HTTP uploads as a multipart POST to the location, not PUT location/name
    # Cap on every wait of an update or upload (retrieveDate, installDateTime, retryInterval), for tests.
    transfer_wait_max: float | None = None
    transfer_verify_tls: bool = True  # https:// downloads and uploads check the server's certificate

    # Smart charging: take charging profiles, report them in the composite schedule, and let the
    # EV draw its full current all the same (a charger that does not apply its limits).
    ignore_limits: bool = False

    # Security profiles (app.simulator.security). None: 2 (3 with a client certificate) for a wss:// URL,
    # 1 with a password, else 0. 2 and 3 need a wss:// URL and a CA to trust: ca_file (PEM, besides the
    # CSMS roots installed later by InstallCertificate); 3 also a charger certificate, client_cert with
    # client_key (PEM files) or one the CSMS signs later.
    security_profile: int | None = None
    ca_file: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    # Send the critical security events (StartupOfTheDevice, ResetOrReboot,
    # ReconfigurationOfSecurityParameters) in SecurityEventNotification? None: when connected at
    # security profile 2 or 3, so chargers on plain ws:// keep the frame sequence CSMS tests know.
    # Events on failures (certificates, fallbacks) are always sent.
    security_events: bool | None = None

    def __post_init__(self) -> None:
        if self.ocpp_version not in VERSIONS:
            raise errors.ConfigError(f"OCPP version {self.ocpp_version!r} is not supported.",
                                     hint=f"Choose one of {', '.join(VERSIONS)}.")
        if self.slow_download is not None and self.slow_download <= 0:
            raise errors.ConfigError("A slow download needs a positive rate in bytes per second.")
        if self.connectors < 1:
            raise errors.ConfigError("A charger needs at least one connector.")
        if not 0 < self.backoff_min <= self.backoff_max:
            raise errors.ConfigError("The reconnect backoff must be positive, its minimum not above its maximum.")
        if not self.charger_id or ":" in self.charger_id or "/" in self.charger_id:
            # ':' breaks basic auth (RFC 7617) and '/' the URL path; the 1.6 security
            # whitepaper forbids ':' in charger identities for the same reason.
            raise errors.ConfigError(f"Charger id {self.charger_id!r} cannot be used.",
                                     hint="Use a non-empty id without ':' or '/'.")
        self._check_security()
        try:
            websockets.uri.parse_uri(self.endpoint)
        except websockets.exceptions.InvalidURI as error:
            raise errors.ConfigError(f"{self.url!r} is not a CSMS address.",
                                     hint="Use a ws:// or wss:// URL, e.g. ws://192.168.1.10:9000/ocpp.") from error

    def _check_security(self) -> None:
        tls = self.url.lower().startswith("wss://")
        if (self.client_cert is None) != (self.client_key is None):
            raise errors.ConfigError("A client certificate needs its key, and a key its certificate.",
                                     hint="Give both --client-cert and --client-key, or neither.")
        if self.security_profile is None:
            self.security_profile = (3 if self.client_cert else 2) if tls else (1 if self.password else 0)
        profile = self.security_profile
        if profile not in (0, 1, 2, 3):
            raise errors.ConfigError(f"Security profile {profile} does not exist.", hint="Choose 0, 1, 2 or 3.")
        if profile >= 2 and not tls:
            raise errors.ConfigError(f"Security profile {profile} needs TLS: a wss:// URL.",
                                     hint="Use wss://host:port/path, or security profile 0 or 1 for ws://.")
        if profile < 2 and tls:
            raise errors.ConfigError(f"A wss:// URL means security profile 2 or 3, not {profile}.",
                                     hint="Give --security-profile 2 or 3, or a ws:// URL.")
        if profile == 3 and not self.client_cert:
            raise errors.ConfigError("Security profile 3 needs the charger's certificate and key.",
                                     hint="Give --client-cert PEM and --client-key PEM.")
        if profile == 1 and not self.password:
            raise errors.ConfigError("Security profile 1 needs a basic-auth password.",
                                     hint="Give a password (--password-file or $COMMISSIONER_PASSWORD).")
        for path in (self.ca_file, self.client_cert, self.client_key):
            if path is not None and not os.path.isfile(path):
                raise errors.ConfigError(f"Cannot read the PEM file {path}.", hint="Give the path of a PEM file.")

    @property
    def serial_number(self) -> str:
        # Boot fields are CiString25 in 1.6 (chargePointSerialNumber), so keep the tail,
        # which is where fleet ids differ (CP-0001, CP-0002 ...).
        return self.serial or f"SIM-{self.charger_id}"[-25:]

    @property
    def subprotocol(self) -> str:
        return "ocpp" + self.ocpp_version

    @property
    def endpoint(self) -> str:
        return f"{self.url.rstrip('/')}/{self.charger_id}"


def iso(moment: datetime.datetime) -> str:
    """RFC 3339 in UTC with milliseconds and a Z, the form every CSMS parses."""
    moment = moment.astimezone(datetime.timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Backoff:
    """Exponential reconnect delays with jitter, so a fleet does not reconnect in lockstep.

    Delay n is min * 2**n stretched by up to `jitter` (25 %) and capped at max; it never
    drops below min. OCPP 2.0.1's RetryBackOff* variables describe the same shape.
    """

    def __init__(self, minimum: float, maximum: float, rng: random.Random, jitter: float = 0.25) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.jitter = jitter
        self._rng = rng
        self._attempt = 0

    def next_delay(self) -> float:
        base = min(self.maximum, self.minimum * 2 ** min(self._attempt, 30))
        self._attempt += 1
        return min(self.maximum, base * (1 + self._rng.uniform(0, self.jitter)))

    def reset(self) -> None:
        self._attempt = 0
