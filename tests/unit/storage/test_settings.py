"""Settings: versioned JSON, migrated from older versions, secrets never written."""

from __future__ import annotations

import json
import pathlib

import pytest

from app.domain import errors, model
from app.storage import paths, settings


def test_round_trip_without_secrets(tmp_path: pathlib.Path) -> None:
    s = settings.Settings()
    s.csms.port = 9100
    s.csms.mode = model.Mode.STRICT
    s.csms.boot_status = model.BootStatus.PENDING
    s.csms.charger_modes = {"CP9": model.Mode.TOLERANT}
    s.csms.passwords = {"*": "secret"}
    settings.save(tmp_path, s)
    raw = json.loads((tmp_path / settings.FILE_NAME).read_text())
    assert raw["schema_version"] == settings.SCHEMA_VERSION
    assert "secret" not in (tmp_path / settings.FILE_NAME).read_text()
    loaded = settings.load(tmp_path)
    assert loaded.csms.port == 9100 and loaded.csms.mode is model.Mode.STRICT
    assert loaded.csms.boot_status is model.BootStatus.PENDING
    assert loaded.csms.charger_modes == {"CP9": model.Mode.TOLERANT}


def test_unversioned_file_is_migrated(tmp_path: pathlib.Path) -> None:
    (tmp_path / settings.FILE_NAME).write_text(json.dumps({"port": 9200, "heartbeat_interval": 30}))
    loaded = settings.load(tmp_path)
    assert (loaded.csms.port, loaded.csms.heartbeat_interval) == (9200, 30)


def test_bad_files_raise_config_errors_that_say_what_to_do(tmp_path: pathlib.Path) -> None:
    (tmp_path / settings.FILE_NAME).write_text("{broken")
    with pytest.raises(errors.ConfigError) as caught:
        settings.load(tmp_path)
    assert "Delete the file" in str(caught.value)
    (tmp_path / settings.FILE_NAME).write_text(json.dumps({"schema_version": 99}))
    with pytest.raises(errors.ConfigError):
        settings.load(tmp_path)
    (tmp_path / settings.FILE_NAME).write_text(json.dumps({"schema_version": 1, "csms": {"mode": "lenient"}}))
    with pytest.raises(errors.ConfigError):
        settings.load(tmp_path)


def test_data_dir_override_order(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path / "env"))
    assert paths.data_dir() == tmp_path / "env"
    assert paths.data_dir(tmp_path / "flag") == tmp_path / "flag"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(errors.StorageError):
        paths.data_dir(blocker / "sub")


@pytest.mark.parametrize("csms", [{"port": "abc"}, {"port": True}, {"port": 70000}, {"heartbeat_interval": 0},
                                  {"allowed_chargers": "CP1"}, {"auto_accept": "yes"}])
def test_wrong_types_and_ranges_are_config_errors(tmp_path: pathlib.Path, csms: dict) -> None:
    (tmp_path / settings.FILE_NAME).write_text(json.dumps({"schema_version": 1, "csms": csms}))
    with pytest.raises(errors.ConfigError) as caught:
        settings.load(tmp_path)
    assert "invalid value for" in str(caught.value)


def test_damaged_structure_is_a_config_error(tmp_path: pathlib.Path) -> None:
    for text in ("[1]", '{"schema_version": 1, "csms": [1]}'):
        (tmp_path / settings.FILE_NAME).write_text(text)
        with pytest.raises(errors.ConfigError):
            settings.load(tmp_path)


def test_test_tags_and_data_transfer_answers_round_trip_and_bad_tags_are_refused(tmp_path: pathlib.Path) -> None:
    s = settings.Settings()
    s.csms.id_tags = {"CARD-1": {"status": "Blocked", "expiry": "", "group": "G"}}
    s.csms.data_transfer_vendors, s.csms.data_transfer_status = ["com.acme"], "Rejected"
    settings.save(tmp_path, s)
    loaded = settings.load(tmp_path)
    assert loaded.csms.id_tags == s.csms.id_tags and loaded.csms.data_transfer_vendors == ["com.acme"]
    assert loaded.csms.id_tag_info("CARD-1").status == "Blocked"
    for bad in ({"CARD-2": "Blocked"}, {"CARD-3": {"status": "Maybe"}}):
        (tmp_path / settings.FILE_NAME).write_text(json.dumps({"schema_version": 1, "csms": {"id_tags": bad}}))
        with pytest.raises(errors.ConfigError, match="invalid test tag"):
            settings.load(tmp_path)
