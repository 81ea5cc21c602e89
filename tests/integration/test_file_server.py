"""The file server over real sockets: HTTP downloads (Range, HEAD, 404, 416), uploads (PUT,
multipart, cut short, too big), FTP download and upload with grant credentials, memory."""

from __future__ import annotations

import asyncio
import ftplib
import hashlib
import io
import json
import os

import aiohttp
import psutil
import pytest

from app.domain import errors, firmware
from app.files import library, server, uploads


class Events(list):
    """Collects Transfer events; `wait` returns once one matches (no sleeps)."""

    def __init__(self):
        super().__init__()
        self.changed = asyncio.Event()

    def __call__(self, event):
        self.append(event)
        self.changed.set()

    async def wait(self, pred, timeout=10):
        async def _wait():
            while True:
                for e in self:
                    if pred(e):
                        return e
                self.changed.clear()
                await self.changed.wait()
        return await asyncio.wait_for(_wait(), timeout)


@pytest.fixture
async def fs(tmp_path):
    data = tmp_path / "data"
    events = Events()
    srv = server.FileServer(data, library.Library(data), host="127.0.0.1", max_upload_bytes=2 << 20,
                            min_free_bytes=0, emit=events)
    srv.events = events
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


def _image(tmp_path, size=3 << 20, name="wallbox-2.0.bin"):
    path = tmp_path / name
    path.write_bytes(firmware.manifest_header("2.0.0") + os.urandom(size))
    return path


async def test_http_download_whole_range_head_404_416(fs, tmp_path):
    fw = fs.library.add(_image(tmp_path))
    data = fw.path.read_bytes()
    dl = fs.grant_download("CP1", fw, "127.0.0.1", request_id=7)
    assert dl.url.startswith(f"http://127.0.0.1:{fs.http_port}/firmware/{dl.token}/")
    async with aiohttp.ClientSession() as http:
        async with http.get(dl.url) as resp:
            assert resp.status == 200 and resp.headers["Accept-Ranges"] == "bytes"
            assert resp.headers["ETag"] == f'"{fw.sha256}"' and "Last-Modified" in resp.headers
            body = await resp.read()
        assert hashlib.sha256(body).hexdigest() == fw.sha256
        await fs.events.wait(lambda e: e.state == "complete")
        assert dl.complete and dl.served == dl.total == len(data) and dl.requests == 1
        async with http.get(dl.url, headers={"Range": "bytes=100-1099"}) as resp:
            assert resp.status == 206 and resp.headers["Content-Range"] == f"bytes 100-1099/{len(data)}"
            assert await resp.read() == data[100:1100]
        async with http.get(dl.url, headers={"Range": "bytes=-10"}) as resp:
            assert resp.status == 206 and await resp.read() == data[-10:]
        async with http.get(dl.url, headers={"Range": f"bytes={len(data)}-"}) as resp:
            assert resp.status == 416 and resp.headers["Content-Range"] == f"bytes */{len(data)}"
        async with http.head(dl.url) as resp:
            assert resp.status == 200 and int(resp.headers["Content-Length"]) == len(data)
        bad = dl.url.replace(dl.token, "wrong-token")
        async with http.get(bad) as resp:
            assert resp.status == 404 and "token" in await resp.text()
        refused = await fs.events.wait(lambda e: e.state == "refused")
        assert refused.direction == "download" and "wrong" in refused.message
        fs.revoke(dl.token)
        async with http.get(dl.url) as resp:
            assert resp.status == 404
        late = await fs.events.wait(lambda e: e.state == "refused" and e.charger_id == "CP1")
        assert "revoked" in late.message
    states = [e.state for e in fs.events if e.grant == dl.token and e.state != "progress"]
    assert states[:2] == ["connected", "complete"]


async def test_resumed_download_counts_union(fs, tmp_path):
    fw = fs.library.add(_image(tmp_path, size=1 << 20))
    dl = fs.grant_download("CP1", fw, "127.0.0.1")
    async with aiohttp.ClientSession() as http:
        async with http.get(dl.url, headers={"Range": "bytes=0-999"}) as resp:
            await resp.read()
        await fs.events.wait(lambda e: e.done == 1000 and e.message)  # the handler's own end of it
        assert dl.served == 1000 and not dl.complete
        async with http.get(dl.url, headers={"Range": "bytes=500-"}) as resp:
            await resp.read()
        await fs.events.wait(lambda e: e.state == "complete")
    assert dl.complete and dl.served == dl.total and dl.requests == 2


async def test_put_and_multipart_post_land_in_uploads(fs, tmp_path):
    up = fs.grant_upload("CP/1", 12, "127.0.0.1", via="http")
    assert up.location == f"http://127.0.0.1:{fs.http_port}/upload/{up.token}/"
    a, b = os.urandom(300_000), os.urandom(200_000)
    async with aiohttp.ClientSession() as http:
        async with http.put(up.location + "diag.tar.gz", data=a) as resp:
            assert resp.status == 201
            answer = await resp.json()
        assert answer["bytes"] == len(a) and answer["stored"].endswith("-r12-diag.tar.gz")
        form = aiohttp.FormData()
        form.add_field("note", "x")
        form.add_field("file", io.BytesIO(b), filename="../../evil.log", content_type="application/octet-stream")
        async with http.post(up.location, data=form) as resp:
            assert resp.status == 201
    got = {r.name: r for r in uploads.list_received(fs.data_dir, "CP/1")}
    assert got["diag.tar.gz"].path.read_bytes() == a and got["evil.log"].path.read_bytes() == b
    assert all(r.path.parent == fs.data_dir / "uploads" / "CP_1" and r.complete for r in got.values())
    assert up.connections == 2 and [f.name for f in up.files] == ["diag.tar.gz", "evil.log"]
    done = [e for e in fs.events if e.state == "complete"]
    assert [e.name for e in done] == ["diag.tar.gz", "evil.log"] and done[0].path == str(got["diag.tar.gz"].path)


async def test_upload_cut_short_is_partial(fs):
    up = fs.grant_upload("CP1", 3, "127.0.0.1", via="http")
    reader, writer = await asyncio.open_connection("127.0.0.1", fs.http_port)
    writer.write(f"PUT /upload/{up.token}/log.txt HTTP/1.1\r\nHost: x\r\nContent-Length: {1 << 20}\r\n\r\n".encode())
    writer.write(b"z" * 100_000)
    await writer.drain()
    await fs.events.wait(lambda e: e.state == "connected")
    writer.close()
    await writer.wait_closed()
    event = await fs.events.wait(lambda e: e.state == "partial")
    assert event.direction == "upload" and event.done == 100_000 and "ended" in event.message
    assert event.path.endswith("-r3-log.txt.partial")
    (item,) = uploads.list_received(fs.data_dir, "CP1")
    assert not item.complete and item.size == 100_000 and up.files[0].complete is False


async def test_upload_too_big_and_wrong_token(fs):
    up = fs.grant_upload("CP1", 4, "127.0.0.1", via="http")
    async with aiohttp.ClientSession() as http:
        async with http.put(up.location + "big.bin", data=b"x" * (3 << 20)) as resp:
            assert resp.status == 413
        async with http.put(up.location.replace(up.token, "nope") + "a.txt", data=b"x") as resp:
            assert resp.status == 404
    assert [e.state for e in fs.events if e.state == "refused"] == ["refused", "refused"]
    assert uploads.list_received(fs.data_dir) == []


async def test_ftp_download_and_upload(fs, tmp_path):
    fw = fs.library.add(_image(tmp_path, size=2 << 20))
    other = fs.library.add(_image(tmp_path, size=1000, name="secret.bin"))
    dl = fs.grant_download("CP1", fw, "127.0.0.1", via="ftp", request_id=5)
    assert dl.url.startswith("ftp://u") and f"@127.0.0.1:{fs.ftp_port}/" in dl.url
    user, password = dl.url[len("ftp://"):].split("@")[0].split(":")
    name = dl.url.rsplit("/", 1)[1]

    def fetch(pw):
        with ftplib.FTP() as ftp:
            ftp.connect("127.0.0.1", fs.ftp_port, timeout=10)
            assert "Commissioner" in ftp.getwelcome()
            ftp.login(user, pw)
            buf = io.BytesIO()
            ftp.retrbinary(f"RETR {name}", buf.write)
            listing = ftp.nlst()
            with pytest.raises(ftplib.error_perm):
                ftp.retrbinary(f"RETR {other.path}", io.BytesIO().write)
            with pytest.raises(ftplib.error_perm):
                ftp.retrbinary("RETR ../../firmware/library.json", io.BytesIO().write)
            with pytest.raises(ftplib.error_perm):
                ftp.storbinary("STOR x.bin", io.BytesIO(b"no"))
            return buf.getvalue(), listing

    body, listing = await asyncio.to_thread(fetch, password)
    assert hashlib.sha256(body).hexdigest() == fw.sha256 and listing == [name]
    with pytest.raises(ftplib.error_perm):
        await asyncio.to_thread(fetch, "wrong")
    await fs.events.wait(lambda e: e.state == "complete" and e.via == "ftp")
    assert dl.complete and dl.served == dl.total and dl.requests == 1
    await fs.events.wait(lambda e: e.state == "refused" and e.via == "ftp")

    up = fs.grant_upload("CP1", 9, "127.0.0.1", via="ftp")
    up_user, up_pw = up.location[len("ftp://"):].split("@")[0].split(":")
    payload = os.urandom(500_000)

    def send():
        with ftplib.FTP() as ftp:
            ftp.connect("127.0.0.1", fs.ftp_port, timeout=10)
            ftp.login(up_user, up_pw)
            ftp.storbinary("STOR diag.zip", io.BytesIO(payload))

    await asyncio.to_thread(send)
    event = await fs.events.wait(lambda e: e.direction == "upload" and e.state == "complete")
    assert event.via == "ftp" and event.path.endswith("-r9-diag.zip")
    (item,) = uploads.list_received(fs.data_dir, "CP1")
    assert item.path.read_bytes() == payload and up.connections == 1 and up.files[0].via == "ftp"
    fs.revoke(dl.token)
    with pytest.raises(ftplib.error_perm):
        await asyncio.to_thread(fetch, password)


async def test_busy_port_named(fs, tmp_path):
    other = server.FileServer(tmp_path / "d2", library.Library(tmp_path / "d2"), host="127.0.0.1",
                              http_port=fs.http_port, ftp=False)
    with pytest.raises(errors.PortInUseError) as err:
        await other.start()
    assert str(fs.http_port) in err.value.message and "Settings" in err.value.hint
    assert not other.running
    assert fs.urls(["127.0.0.1", "fe80::1"]) == [
        f"http://127.0.0.1:{fs.http_port}/", f"ftp://127.0.0.1:{fs.ftp_port}/",
        f"http://[fe80::1]:{fs.http_port}/", f"ftp://[fe80::1]:{fs.ftp_port}/"]


async def test_download_memory_flat(fs, tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        for _ in range(64):
            f.write(os.urandom(1 << 20))
    fw = await asyncio.to_thread(fs.library.add, big)
    dl = fs.grant_download("CP1", fw, "127.0.0.1")
    proc = psutil.Process()
    before = proc.memory_info().rss
    digest = hashlib.sha256()
    async with aiohttp.ClientSession() as http:
        async with http.get(dl.url) as resp:
            async for chunk in resp.content.iter_chunked(1 << 16):
                digest.update(chunk)
    grown = proc.memory_info().rss - before
    assert digest.hexdigest() == fw.sha256 and dl.complete
    assert grown < 32 << 20, f"RSS grew by {grown >> 20} MB serving a 64 MB file"
