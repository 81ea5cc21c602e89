"""services.console_links: the port and profile that reached a charger, kept in links.json."""

from __future__ import annotations

import json
import logging
import pathlib

import pytest

from app.domain import errors
from app.services import console_links


def test_remember_then_link_for(tmp_path: pathlib.Path) -> None:
    assert console_links.link_for(tmp_path, "CP1") is None  # no file yet
    console_links.remember(tmp_path, "CP1", "/dev/ttyUSB0", "virtual", now_ms=1000)
    console_links.remember(tmp_path, "CP2", "COM3", "generic", user="root", now_ms=2000)
    console_links.remember(tmp_path, "CP1", "/dev/ttyUSB1", "virtual", user="admin", now_ms=3000)  # the newest wins
    assert console_links.link_for(tmp_path, "CP1") == console_links.Link("CP1", "/dev/ttyUSB1", "virtual", "admin", 3000)
    assert console_links.link_for(tmp_path, "CP2") == console_links.Link("CP2", "COM3", "generic", "root", 2000)
    saved = json.loads(console_links.path_of(tmp_path).read_text())
    assert saved["version"] == 1 and set(saved["links"]["CP1"]) == {"port", "profile_id", "user", "time_ms"}
    assert not [p for p in console_links.path_of(tmp_path).parent.iterdir() if p.suffix == ".tmp"]


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"links": 3}', "\xff\xfe"])
def test_a_corrupt_file_is_empty_with_a_warning(tmp_path: pathlib.Path, text: str,
                                               caplog: pytest.LogCaptureFixture) -> None:
    path = console_links.path_of(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("latin-1"))
    with caplog.at_level(logging.WARNING, logger="app.services.console_links"):
        assert console_links.link_for(tmp_path, "CP1") is None
    assert "console links" in caplog.text
    console_links.remember(tmp_path, "CP1", "/dev/ttyACM0", "virtual", now_ms=5)  # and it is rewritten whole
    assert console_links.link_for(tmp_path, "CP1").port == "/dev/ttyACM0"


def test_a_bad_entry_is_left_out(tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture) -> None:
    path = console_links.path_of(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"version": 1, "links": {
        "BAD": {"port": 7}, "OK": {"port": "/dev/ttyS0", "profile_id": "virtual", "user": "", "time_ms": 1}}}))
    with caplog.at_level(logging.WARNING, logger="app.services.console_links"):
        assert console_links.link_for(tmp_path, "BAD") is None
    assert "'BAD'" in caplog.text
    assert console_links.link_for(tmp_path, "OK").profile_id == "virtual"


def test_a_link_needs_its_parts(tmp_path: pathlib.Path) -> None:
    with pytest.raises(errors.ConfigError):
        console_links.remember(tmp_path, "CP1", "", "virtual")
