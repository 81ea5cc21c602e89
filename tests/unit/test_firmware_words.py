"""The version a firmware image installs: its manifest, else its file name (domain.firmware)."""

from __future__ import annotations

import pytest

from app.domain import firmware


def test_the_manifest_says_the_version() -> None:
    head = firmware.manifest_header("2.4.1-rc2") + b"\x00" * 100
    assert firmware.version_in_manifest(head) == "2.4.1-rc2"
    assert firmware.version_of("whatever.bin", head) == "2.4.1-rc2"


@pytest.mark.parametrize("name, version", [
    ("wallbox-2.4.1.bin", "2.4.1"), ("FW_v3.10.0.tar.gz", "3.10.0"), ("charger-1.2.3-rc1.img", "1.2.3-rc1"),
    ("image.bin", ""), ("release2024.zip", ""),
])
def test_without_a_manifest_the_file_name_says_it(name, version) -> None:
    assert firmware.version_of(name, b"\x7fELF...") == version


def test_a_damaged_manifest_is_no_version() -> None:
    assert firmware.version_in_manifest(firmware.MAGIC + b"{not json\n") == ""
    assert firmware.version_in_manifest(b"") == ""


def test_failure_words() -> None:
    assert firmware.is_failure("DownloadFailed") and firmware.is_failure("UploadFailed")
    assert not firmware.is_failure("Installed") and not firmware.is_failure("Uploaded")
