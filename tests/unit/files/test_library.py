"""The firmware library: streamed copy and hash, version labels, the index and its damage."""

from __future__ import annotations

import hashlib
import json
import logging
import os

import pytest

from app.domain import errors, firmware
from app.files import library


def _image(path, version="", size=3 << 20):
    head = firmware.manifest_header(version) if version else b""
    path.write_bytes(head + os.urandom(size))
    return path


def test_add_hashes_and_copies(tmp_path):
    src = _image(tmp_path / "wallbox.bin", size=5 << 20)
    lib = library.Library(tmp_path / "data")
    fw = lib.add(src)
    data = src.read_bytes()
    assert fw.sha256 == hashlib.sha256(data).hexdigest()
    assert fw.id == fw.sha256[:16] and fw.size == len(data) and fw.name == "wallbox.bin"
    assert fw.path.parent == tmp_path / "data" / "firmware" and fw.path.read_bytes() == data
    assert lib.get(fw.id) == fw and lib.list() == [fw]
    assert not list(fw.path.parent.glob("*.tmp"))


def test_version_from_manifest_then_name(tmp_path):
    lib = library.Library(tmp_path / "data")
    assert lib.add(_image(tmp_path / "x-9.9.9.bin", "2.4.1", 1000)).version == "2.4.1"
    assert lib.add(_image(tmp_path / "wallbox-3.1.0.bin", size=1000)).version == "3.1.0"
    assert lib.add(_image(tmp_path / "plain.bin", size=1000)).version == ""
    assert lib.add(_image(tmp_path / "y.bin", size=10), version="7").version == "7"


def test_same_content_twice_is_one_entry_label_updated(tmp_path):
    lib = library.Library(tmp_path / "data")
    src = _image(tmp_path / "a-1.0.bin", size=2000)
    first = lib.add(src)
    copy = tmp_path / "b.bin"
    copy.write_bytes(src.read_bytes())
    again = lib.add(copy, version="1.0-final", signature="c2ln")
    assert again.id == first.id and again.path == first.path
    assert again.version == "1.0-final" and again.signature == "c2ln"
    assert len(lib.list()) == 1 and lib.get(first.id).version == "1.0-final"
    assert lib.add(copy).version == "1.0-final"  # no label given: kept


def test_unknown_id_remove_set_version(tmp_path):
    lib = library.Library(tmp_path / "data")
    with pytest.raises(errors.ConfigError) as err:
        lib.get("nope")
    assert err.value.hint
    fw = lib.add(_image(tmp_path / "a.bin", size=100))
    assert lib.set_version(fw.id, " 5.0 ").version == "5.0"
    assert library.Library(tmp_path / "data").get(fw.id).version == "5.0"  # persisted
    lib.remove(fw.id)
    assert lib.list() == [] and not fw.path.exists()


def test_damaged_index_said_clearly(tmp_path):
    lib = library.Library(tmp_path / "data")
    lib.add(_image(tmp_path / "a.bin", size=100))
    (tmp_path / "data" / "firmware" / "library.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(errors.StorageError) as err:
        lib.list()
    assert "damaged" in err.value.message and "library.json" in err.value.hint


def test_missing_file_dropped_with_warning(tmp_path, caplog):
    lib = library.Library(tmp_path / "data")
    keep = lib.add(_image(tmp_path / "a.bin", size=100))
    gone = lib.add(_image(tmp_path / "b.bin", size=100))
    gone.path.unlink()
    with caplog.at_level(logging.WARNING, logger="app.files.library"):
        assert lib.list() == [keep]
    assert "b.bin" in caplog.text
    index = json.loads((tmp_path / "data" / "firmware" / "library.json").read_text())
    assert [e["id"] for e in index["firmware"]] == [keep.id]


@pytest.mark.parametrize("certificate, signature, words", [
    ("hi", "", "not a PEM certificate"),
    ("", "not base64!!", "not base64"),
    ("", "A" * 804, "at most 800"),
    ("-----BEGIN CERTIFICATE-----\n" + "A" * 5600 + "\n-----END CERTIFICATE-----", "", "at most 5500"),
])
def test_a_signing_certificate_or_signature_that_no_charger_would_take_is_refused_when_added(
        tmp_path, certificate, signature, words):
    lib = library.Library(tmp_path / "data")
    with pytest.raises(errors.ConfigError, match=words):
        lib.add(_image(tmp_path / "a.bin", size=10), signing_certificate=certificate, signature=signature)
    assert lib.list() == []


def test_removing_an_unknown_image_says_so(tmp_path):
    with pytest.raises(errors.ConfigError, match="no firmware 'nope'"):
        library.Library(tmp_path / "data").remove("nope")


def test_a_folder_is_not_an_image(tmp_path):
    with pytest.raises(errors.ConfigError, match="is a folder"):
        library.Library(tmp_path / "data").add(tmp_path)
