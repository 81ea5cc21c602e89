"""What a firmware image says about itself, and the words of a firmware update (pure, no I/O).

An image may start with a small manifest, so a virtual charger (and the library's label) know
the version it installs without unpacking anything:

    COMMISSIONER-FW\\n{"version": "2.4.1"}\\n<the rest of the image>

Without one, the version is read from the file name (`wallbox-2.4.1.bin` -> "2.4.1").
Real images carry no manifest; their label is what the technician types, else the file name's.
"""

from __future__ import annotations

import json
import re

MAGIC = b"COMMISSIONER-FW\n"
MANIFEST_MAX = 4096  # the manifest line is read from at most this many leading bytes
_VERSION_IN_NAME = re.compile(r"(?<![0-9.])v?(\d+(?:\.\d+)+(?:[-+~][0-9A-Za-z.]+)?)")

# Statuses (1.6 FirmwareStatus, 1.6 security / 2.x FirmwareStatusEnumType), in the order of a good update.
PROGRESS_STATUSES = ("DownloadScheduled", "Downloading", "Downloaded", "SignatureVerified",
                     "InstallScheduled", "InstallRebooting", "Installing", "Installed")
FAILURE_STATUSES = ("DownloadFailed", "DownloadPaused", "InstallationFailed", "InstallVerificationFailed",
                    "InvalidSignature", "InvalidCertificate", "RevokedCertificate")
# 1.6 DiagnosticsStatus / LogStatusEnumType
LOG_PROGRESS = ("Uploading", "Uploaded", "AcceptedCanceled")
# 1.6 DiagnosticsStatus says UploadFailed; LogStatusNotification (1.6 security, 2.x) says UploadFailure.
LOG_FAILURES = ("UploadFailed", "UploadFailure", "PermissionDenied", "BadMessage", "NotSupportedOperation")


def manifest_header(version: str) -> bytes:
    """The leading bytes of an image that says it installs `version` (tests, demos, benchmarks)."""
    return MAGIC + json.dumps({"version": version}).encode() + b"\n"


def version_in_manifest(head: bytes) -> str:
    """The version of an image from its first bytes ("" without a manifest)."""
    if not head.startswith(MAGIC):
        return ""
    line = head[len(MAGIC):MANIFEST_MAX].split(b"\n", 1)[0]
    try:
        value = json.loads(line.decode("utf-8")).get("version", "")
    except (ValueError, AttributeError):
        return ""
    return str(value).strip()[:50] if value else ""


def version_in_name(name: str) -> str:
    """A version from a file name: the first dotted number, with a -rc1 style suffix ("" if none)."""
    stem = re.sub(r"\.(bin|img|tar|gz|tgz|zip|fw|hex|swu|raucb|signed)$", "", name.rsplit("/", 1)[-1], flags=re.I)
    stem = re.sub(r"\.(bin|img|tar|gz|tgz|zip|fw|hex|swu|raucb|signed)$", "", stem, flags=re.I)
    found = _VERSION_IN_NAME.search(stem)
    return found.group(1) if found else ""


def version_of(name: str, head: bytes) -> str:
    """The version an image installs: its manifest's, else its file name's ("" if neither says)."""
    return version_in_manifest(head) or version_in_name(name)


def is_failure(status: str) -> bool:
    return status in FAILURE_STATUSES or status in LOG_FAILURES
