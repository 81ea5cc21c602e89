"""What Commissioner sends for a firmware update or a log upload, per OCPP version, and the words
of a failure (pure parts of services.firmware / services.diagnostics)."""

from __future__ import annotations

import datetime
import pathlib

import pytest

from app.domain import errors, jobs
from app.files import library as fw_library
from app.ocpp import schemas as ocpp_schemas
from app.services import diagnostics, firmware, transfer_jobs

WHEN = datetime.datetime(2026, 12, 4, 8, 30, tzinfo=datetime.timezone.utc)


def image(**fields: str) -> fw_library.Firmware:
    base = dict(id="abc", name="fw-2.0.bin", path=pathlib.Path("/x"), size=10, sha256="00", version="2.0",
                added_ms=0, signing_certificate="", signature="")
    base.update(fields)
    return fw_library.Firmware(**base)


def test_1_6_gets_update_firmware_with_its_retrieve_date_and_retries() -> None:
    request = firmware.request_for("1.6", image(), "http://h/f", 7,
                                   firmware.Options(retrieve_at=WHEN, retries=3, retry_interval=60))
    assert request.action == "UpdateFirmware"
    assert request.payload == {"location": "http://h/f", "retrieveDate": "2026-12-04T08:30:00Z", "retries": 3,
                               "retryInterval": 60}


def test_1_6_with_a_signed_image_gets_signed_update_firmware() -> None:
    request = firmware.request_for("1.6", image(signing_certificate="PEM", signature="c2ln"), "http://h/f", 7,
                                   firmware.Options(retrieve_at=WHEN))
    assert request.action == "SignedUpdateFirmware"
    assert request.payload["requestId"] == 7
    assert request.payload["firmware"] == {"location": "http://h/f", "retrieveDateTime": "2026-12-04T08:30:00Z",
                                           "signingCertificate": "PEM", "signature": "c2ln"}
    assert firmware.status_action(request) == "SignedFirmwareStatusNotification"
    trigger = firmware.trigger_for(request)
    assert trigger.action == "ExtendedTriggerMessage"
    # The review found "SignedFirmwareStatusNotification" here: the schema has no such value.
    assert trigger.payload == {"requestedMessage": "FirmwareStatusNotification"}
    assert ocpp_schemas.validate("1.6", trigger.action, trigger.payload) is None


def test_a_signed_1_6_update_without_the_certificate_is_refused_before_sending() -> None:
    with pytest.raises(errors.ConfigError):
        firmware.request_for("1.6", image(), "http://h/f", 7, firmware.Options(signed=True))


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
def test_2_x_gets_update_firmware_with_a_request_id_and_signature_fields_only_when_given(version) -> None:
    plain = firmware.request_for(version, image(), "ftp://u:p@h/f", 9, firmware.Options(retrieve_at=WHEN))
    assert plain.payload == {"requestId": 9, "firmware": {"location": "ftp://u:p@h/f",
                                                          "retrieveDateTime": "2026-12-04T08:30:00Z"}}
    signed = firmware.request_for(version, image(signing_certificate="PEM", signature="c2ln"), "http://h/f", 9,
                                  firmware.Options(retrieve_at=WHEN, install_at=WHEN))
    assert signed.payload["firmware"]["signature"] == "c2ln"
    assert signed.payload["firmware"]["installDateTime"] == "2026-12-04T08:30:00Z"
    assert firmware.trigger_for(signed).payload == {"requestedMessage": "FirmwareStatusNotification"}


def test_log_requests_per_version_and_kind() -> None:
    options = diagnostics.Options(since=WHEN, until=WHEN, retries=2)
    v16 = diagnostics.request_for("1.6", jobs.Kind.DIAGNOSTICS, "ftp://u:p@h/", 5, options)
    assert v16.action == "GetDiagnostics"
    assert v16.payload == {"location": "ftp://u:p@h/", "retries": 2, "startTime": "2026-12-04T08:30:00Z",
                           "stopTime": "2026-12-04T08:30:00Z"}
    security = diagnostics.request_for("1.6", jobs.Kind.SECURITY_LOG, "ftp://u:p@h/", 5, options)
    assert security.action == "GetLog" and security.payload["logType"] == "SecurityLog"
    v201 = diagnostics.request_for("2.0.1", jobs.Kind.DIAGNOSTICS, "http://h/u/t/", 5, options)
    assert v201.payload == {"logType": "DiagnosticsLog", "requestId": 5, "retries": 2,
                            "log": {"remoteLocation": "http://h/u/t/", "oldestTimestamp": "2026-12-04T08:30:00Z",
                                    "latestTimestamp": "2026-12-04T08:30:00Z"}}
    assert diagnostics.status_action(v16) == "DiagnosticsStatusNotification"
    assert diagnostics.status_action(v201) == "LogStatusNotification"


def test_a_failed_upload_is_explained_by_what_the_file_server_saw() -> None:
    nothing = diagnostics.hint_for("UploadFailed", "ftp", 0, False, "192.168.1.5:9021")
    assert "no connection" in nothing and "192.168.1.5:9021" in nothing and "try HTTP" in nothing
    login_only = diagnostics.hint_for("UploadFailed", "ftp", 1, False, "h:1")
    assert "data connection" in login_only and "Try HTTP" in login_only
    assert "partial" in diagnostics.hint_for("UploadFailed", "http", 1, True, "h:1")
    assert "login" in diagnostics.hint_for("PermissionDenied", "ftp", 1, False, "h:1")


def test_an_ftp_password_in_a_url_is_masked_for_the_record() -> None:
    assert transfer_jobs.masked_url("ftp://u1:s3cret@10.0.0.2:9021/") == "ftp://u1:***@10.0.0.2:9021/"
    assert transfer_jobs.masked_url("http://10.0.0.2:9080/upload/t/") == "http://10.0.0.2:9080/upload/t/"


def _library(tmp_path: pathlib.Path, *names: str) -> fw_library.Library:
    lib = fw_library.Library(tmp_path / "data")
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name in names:
        (tmp_path / name).write_bytes(name.encode())
        lib.add(tmp_path / name)
    return lib


def test_a_step_naming_no_image_never_takes_another_models_newest_image(tmp_path: pathlib.Path) -> None:
    from app.services import transfer_checks
    one = _library(tmp_path / "one", "wallbox-3.1.0.bin")
    assert transfer_checks.pick_image(one, "").name == "wallbox-3.1.0.bin"  # the only image: the one brought
    several = _library(tmp_path / "several", "ACME-Pro22-3.1.bin", "Other-DC50-9.0.bin")
    assert transfer_checks.pick_image(several, "", model="Pro22", vendor="ACME").name == "ACME-Pro22-3.1.bin"
    assert transfer_checks.pick_image(several, "", model="Unknown", vendor="Nobody") is None
    assert transfer_checks.pick_image(several, "Other-DC50-9.0.bin").name == "Other-DC50-9.0.bin"
