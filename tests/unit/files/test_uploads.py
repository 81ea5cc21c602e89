"""Received files: the name scheme, archive listings, damaged archives."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zipfile

import pytest

from app.domain import errors
from app.files import uploads


def test_target_and_parse_round_trip(tmp_path):
    when = 1_700_000_000_000
    path = uploads.target_path(tmp_path, "CP/../1 x", 42, "../../etc/passwd", when)
    assert path.parent == tmp_path / "uploads" / "CP_.._1_x"
    assert path.name.endswith("-r42-passwd") and ".." not in path.name
    path.parent.mkdir(parents=True)
    path.write_bytes(b"abc")
    partial = uploads.target_path(tmp_path, "CP/../1 x", None, "log.tgz", when + 5000)
    partial = partial.with_name(partial.name + uploads.PARTIAL)
    partial.write_bytes(b"x")
    got = uploads.list_received(tmp_path)
    assert [r.name for r in got] == ["log.tgz", "passwd"]  # newest first
    assert got[0].complete is False and got[0].request_id is None and got[0].size == 1
    assert got[1].complete is True and got[1].request_id == 42 and got[1].received_ms == when
    assert uploads.list_received(tmp_path, "CP/../1 x") == got
    assert uploads.list_received(tmp_path, "other") == []
    (path.parent / "junk.txt").write_text("not ours")
    assert len(uploads.list_received(tmp_path)) == 2


def test_names_are_made_safe():
    assert uploads.safe_part("..%2F..%2Fetc%2Fpasswd") == "passwd"
    assert uploads.safe_part("C:\\logs\\a b.txt") == "a_b.txt"
    assert uploads.safe_part("..") == "file"
    assert uploads.safe_part("site/CP1", basename=False) == "site_CP1"


def test_same_second_gets_a_free_name(tmp_path):
    a = uploads.target_path(tmp_path, "CP1", 1, "log.txt", 0)
    a.parent.mkdir(parents=True)
    a.write_text("1")
    b = uploads.target_path(tmp_path, "CP1", 1, "log.txt", 0)
    assert b != a
    b.write_text("2")
    assert {r.path for r in uploads.list_received(tmp_path)} == {a, b}


def test_archive_members(tmp_path):
    payload = os.urandom(5000)
    tgz = tmp_path / "logs.tar.gz"
    with tarfile.open(tgz, "w:gz") as tf:
        info = tarfile.TarInfo("var/log/charger.log")
        info.size = len(payload)
        tf.addfile(info, io.BytesIO(payload))
    assert uploads.archive_members(tgz) == [("var/log/charger.log", 5000)]
    zp = tmp_path / "logs.zip"
    with zipfile.ZipFile(zp, "w") as zf:
        zf.writestr("a.txt", b"hello")
        zf.writestr("b/c.txt", b"x" * 100)
    assert uploads.archive_members(zp) == [("a.txt", 5), ("b/c.txt", 100)]
    gz = tmp_path / "boot.log.gz"
    gz.write_bytes(gzip.compress(b"y" * 12345))
    assert uploads.archive_members(gz) == [("boot.log", 12345)]


def test_damaged_archive_raises_clearly(tmp_path):
    tgz = tmp_path / "cut.tar.gz"
    with tarfile.open(tgz, "w:gz") as tf:
        data = os.urandom(100_000)
        info = tarfile.TarInfo("big.bin")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    tgz.write_bytes(tgz.read_bytes()[:5000])
    with pytest.raises(errors.ArchiveError) as err:
        uploads.archive_members(tgz)
    assert "cut.tar.gz" in err.value.message and err.value.hint
    bad_zip = tmp_path / "x.zip"
    bad_zip.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(errors.ArchiveError):
        uploads.archive_members(bad_zip)
    plain = tmp_path / "notes.txt"
    plain.write_text("hello")
    with pytest.raises(errors.ArchiveError):
        uploads.archive_members(plain)
