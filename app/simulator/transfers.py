"""The virtual charger's side of a file transfer: download firmware, upload a log archive.

    size, sha256 = await transfers.download("http://host/fw/wallbox-2.4.1.bin", path)
    await transfers.upload("ftp://user:secret@host:2121/logs/", "diag.tar.gz", data)

HTTP(S) with aiohttp, streamed in chunks to a file (or nowhere, only counted and hashed), so
memory stays flat for a 50 MB image; FTP with ftplib in a worker thread (passive mode,
credentials from the URL). Every failure (refused, reset, timed out, HTTP 4xx/5xx, a size that
does not match Content-Length) is a `TransferError`, which the charger turns into its failure
status. The benchmark drives `download` and `upload` directly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ftplib
import hashlib
import io
import os
import pathlib
import threading
import time
import urllib.parse
from typing import BinaryIO

import aiohttp

from app.domain import firmware

CHUNK = 64 * 1024
FLUSH = 1024 * 1024  # bytes gathered before a write to disk, which goes to a worker thread
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0  # the longest silence mid-transfer before the charger gives up
SCHEMES = ("http", "https", "ftp")


class TransferError(Exception):
    """A download or upload did not complete; the text says why (shown in the charger's log)."""


@dataclasses.dataclass
class Fetched:
    """What the charger knows after a download."""

    size: int
    sha256: str
    head: bytes  # the leading bytes, where a manifest would be
    expected: int | None  # the size the server announced (Content-Length / FTP SIZE), None if it did not


class _Sink:
    """Counts, hashes and (optionally) writes the bytes of a download; keeps the head."""

    def __init__(self, out: BinaryIO | None) -> None:
        self.out = out
        self.size = 0
        self.digest = hashlib.sha256()
        self.head = b""
        self._pending: list[bytes] = []
        self._pending_size = 0

    def write(self, chunk: bytes) -> None:
        """Count and hash `chunk`, and keep it for the file (written now from a worker thread,
        by `flush` from the loop)."""
        if len(self.head) < firmware.MANIFEST_MAX:
            self.head += chunk[:firmware.MANIFEST_MAX - len(self.head)]
        self.size += len(chunk)
        self.digest.update(chunk)
        if self.out is not None:
            self._pending.append(chunk)
            self._pending_size += len(chunk)

    def write_pending(self) -> None:
        if self.out is not None and self._pending:
            self.out.write(b"".join(self._pending))
        self._pending, self._pending_size = [], 0

    async def flush(self, force: bool = False) -> None:
        """From the loop: write what has gathered once it is FLUSH bytes (or `force`), off the loop."""
        if self._pending and (force or self._pending_size >= FLUSH):
            pending, self._pending, self._pending_size = self._pending, [], 0
            await asyncio.to_thread(self.out.write, b"".join(pending))


class _Pace:
    """Keeps a transfer at or under `rate` bytes/s (None: as fast as it goes)."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate if rate and rate > 0 else None
        self.start = time.monotonic()

    def chunk_size(self) -> int:
        return CHUNK if self.rate is None else max(1024, min(CHUNK, int(self.rate / 10)))

    def delay(self, done: int) -> float:
        if self.rate is None:
            return 0.0
        return max(0.0, done / self.rate - (time.monotonic() - self.start))


def scheme_of(url: str) -> str:
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        raise TransferError(f"{scheme or 'no'} scheme in {redact(url)}: only http, https and ftp are supported")
    return scheme


def redact(url: str) -> str:
    """The URL without its password, for log lines."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _timeout() -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=None, connect=CONNECT_TIMEOUT, sock_connect=CONNECT_TIMEOUT,
                                 sock_read=READ_TIMEOUT)


# -- download ---------------------------------------------------------------------------------

async def fetch(url: str, dest: pathlib.Path | None, *, rate_limit: float | None = None,
                verify_tls: bool = True) -> Fetched:
    """Download `url` into `dest` (None: count and hash only). Raises TransferError."""
    out = open(dest, "wb") if dest is not None else None  # noqa: SIM115 - closed below
    try:
        sink = _Sink(out)
        if scheme_of(url) == "ftp":
            expected = await _ftp_retrieve(url, sink, rate_limit)
        else:
            expected = await _http_get(url, sink, rate_limit, verify_tls)
    finally:
        if out is not None:
            out.close()
    if expected is not None and sink.size != expected:
        raise TransferError(f"{redact(url)}: got {sink.size} bytes, the server announced {expected}")
    return Fetched(sink.size, sink.digest.hexdigest(), sink.head, expected)


async def download(url: str, dest: pathlib.Path | str | None, *, rate_limit: float | None = None,
                   verify_tls: bool = True) -> tuple[int, str]:
    """(bytes received, sha256 hex) of `url`, written to `dest` when given. Raises TransferError."""
    got = await fetch(url, pathlib.Path(dest) if dest is not None else None, rate_limit=rate_limit,
                      verify_tls=verify_tls)
    return got.size, got.sha256


async def _http_get(url: str, sink: _Sink, rate_limit: float | None, verify_tls: bool) -> int | None:
    pace = _Pace(rate_limit)
    try:
        # trust_env False: a proxy in the laptop's environment cannot reach a charger's LAN, and
        # chargers use none. auto_decompress False: count the bytes Content-Length speaks of.
        async with aiohttp.ClientSession(timeout=_timeout(), trust_env=False, auto_decompress=False) as client:
            async with client.get(url, ssl=None if verify_tls else False) as response:
                if response.status != 200:
                    raise TransferError(f"{redact(url)}: HTTP {response.status} {response.reason or ''}".strip())
                expected = response.content_length
                while True:
                    chunk = await response.content.read(pace.chunk_size())
                    if not chunk:
                        break
                    sink.write(chunk)
                    await sink.flush()
                    delay = pace.delay(sink.size)
                    if delay:
                        await asyncio.sleep(delay)
                await sink.flush(force=True)
                return expected
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as error:
        raise TransferError(f"{redact(url)}: {type(error).__name__}: {error}") from error


def _ftp_login(url: str) -> tuple[ftplib.FTP, str]:
    """A logged-in passive-mode FTP connection and the URL's path (unquoted)."""
    parts = urllib.parse.urlsplit(url)
    ftp = ftplib.FTP(timeout=READ_TIMEOUT)
    try:
        ftp.connect(parts.hostname or "", parts.port or 21, timeout=CONNECT_TIMEOUT)
        user = urllib.parse.unquote(parts.username) if parts.username else "anonymous"
        password = urllib.parse.unquote(parts.password) if parts.password else "charger@"
        ftp.login(user, password)
        ftp.set_pasv(True)
    except BaseException:
        ftp.close()
        raise
    return ftp, urllib.parse.unquote(parts.path)


def _ftp_error(url: str, error: BaseException) -> TransferError:
    return TransferError(f"{redact(url)}: {type(error).__name__}: {error}".strip())


async def _ftp_retrieve(url: str, sink: _Sink, rate_limit: float | None) -> int | None:
    stop = threading.Event()  # set when the charger gives up (cancelled): the thread stops at its next block

    def run() -> int | None:
        pace = _Pace(rate_limit)
        ftp, path = _ftp_login(url)
        try:
            ftp.voidcmd("TYPE I")
            try:
                expected = ftp.size(path)
            except ftplib.error_perm:
                expected = None  # SIZE is an extension; without it only the transfer's end tells

            def block(chunk: bytes) -> None:
                if stop.is_set():
                    raise TransferError("cancelled")
                sink.write(chunk)
                sink.write_pending()  # already in a worker thread
                delay = pace.delay(sink.size)
                if delay:
                    time.sleep(delay)

            ftp.retrbinary(f"RETR {path}", block, blocksize=pace.chunk_size())
            return expected
        finally:
            ftp.close()

    try:
        return await asyncio.to_thread(run)
    except asyncio.CancelledError:
        stop.set()
        raise
    except TransferError:
        raise
    except (ftplib.Error, OSError, EOFError, TimeoutError) as error:
        raise _ftp_error(url, error) from error


# -- upload -----------------------------------------------------------------------------------

def target_url(location: str, name: str) -> str:
    """`location` + `name` as a path segment; a query (a grant token) stays where it is."""
    parts = urllib.parse.urlsplit(location)
    path = parts.path.rstrip("/") + "/" + urllib.parse.quote(name)
    return urllib.parse.urlunsplit(parts._replace(path=path))


async def upload(location: str, name: str, data: bytes | pathlib.Path | str, *, post: bool = False,
                 verify_tls: bool = True) -> int:
    """Send `data` (bytes, or a file's path) as `name` to `location`; returns the bytes sent.

    ftp://: STOR name in the URL's directory. http(s)://: PUT location/name, or with `post` a
    multipart POST to `location` itself (field "file", filename `name`). Raises TransferError.
    """
    if isinstance(data, (str, os.PathLike)):
        payload = await asyncio.to_thread(pathlib.Path(data).read_bytes)
    else:
        payload = bytes(data)
    if scheme_of(location) == "ftp":
        await _ftp_store(location, name, payload)
    else:
        await _http_send(location, name, payload, post, verify_tls)
    return len(payload)


async def _http_send(location: str, name: str, payload: bytes, post: bool, verify_tls: bool) -> None:
    try:
        async with aiohttp.ClientSession(timeout=_timeout(), trust_env=False) as client:
            if post:
                form = aiohttp.FormData()
                form.add_field("file", payload, filename=name, content_type="application/gzip")
                request = client.post(location, data=form, ssl=None if verify_tls else False)
                where = location
            else:
                where = target_url(location, name)
                request = client.put(where, data=payload, ssl=None if verify_tls else False,
                                     headers={"Content-Type": "application/gzip"})
            async with request as response:
                await response.read()
                if not 200 <= response.status < 300:
                    raise TransferError(f"{redact(where)}: HTTP {response.status} {response.reason or ''}".strip())
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as error:
        raise TransferError(f"{redact(location)}: {type(error).__name__}: {error}") from error


async def _ftp_store(location: str, name: str, payload: bytes) -> None:
    def run() -> None:
        ftp, path = _ftp_login(location)
        try:
            if path.strip("/"):
                ftp.cwd(path)
            ftp.storbinary(f"STOR {name}", io.BytesIO(payload))
        finally:
            ftp.close()

    try:
        await asyncio.to_thread(run)
    except (ftplib.Error, OSError, EOFError, TimeoutError) as error:
        raise _ftp_error(location, error) from error
