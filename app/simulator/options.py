"""What a virtual charger is told at start-up, and the small pure helpers every session shares.

Nothing here does I/O: the reconnect policy and the timestamps are plain functions of their
inputs, so tests drive them with a seeded random generator and a fixed clock.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
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
        try:
            websockets.uri.parse_uri(self.endpoint)
        except websockets.exceptions.InvalidURI as error:
            raise errors.ConfigError(f"{self.url!r} is not a CSMS address.",
                                     hint="Use a ws:// or wss:// URL, e.g. ws://192.168.1.10:9000/ocpp.") from error

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
