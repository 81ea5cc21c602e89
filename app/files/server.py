"""The file server: HTTP (aiohttp) on the caller's loop, FTP (ftp.FtpService) in its own thread.

A charger is given a URL per request (a *grant*): GET /firmware/<token>/<name> serves one library
image, /upload/<token>/ receives one charger's files. Downloads go out with loop.sendfile in
chunks (zero-copy on plain TCP, asyncio's own read/write fallback under TLS), so the count of
bytes served moves between chunks and memory does not grow with the image. Uploads stream to
disk as `<name>.partial` and are renamed when complete. What happens is emitted as
model.Transfer events. All state here is touched on the loop only; the FTP thread posts to it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import errno
import logging
import os
import pathlib
import secrets
import shutil
import time
import urllib.parse
from typing import Any, Awaitable, Callable

from aiohttp import multipart, web

from app.domain import errors, model
from app.files import ftp as ftp_mod
from app.files import library as library_mod
from app.files import uploads

log = logging.getLogger(__name__)

SEND_CHUNK = 4 << 20  # bytes per loop.sendfile call: progress is counted between calls
READ_CHUNK = 256 << 10
PROGRESS_EVERY_MS = 250  # at most ~4 progress events a second per transfer
DISK_CHECK_EVERY = 32 << 20  # an upload re-checks the free disk after this many bytes
MULTIPART_SLACK = 64 << 10  # boundaries and part headers on top of the file in a multipart body


def _now_ms() -> int:
    return int(time.time() * 1000)


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@dataclasses.dataclass(eq=False)
class Download:
    token: str
    charger_id: str
    firmware: library_mod.Firmware
    host: str
    via: str
    request_id: int | None
    url: str
    total: int
    served: int = 0  # bytes of the image sent at least once (the union of what every attempt sent)
    requests: int = 0  # GET / RETR seen
    complete: bool = False  # every byte was sent at least once
    last_error: str = ""
    ftp_user: str = ""
    _ranges: list[list[int]] = dataclasses.field(default_factory=list, repr=False)

    def _sent(self, start: int, end: int) -> None:
        if end <= start:
            return
        merged: list[list[int]] = []
        for s, e in sorted([*self._ranges, [start, end]]):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self._ranges = merged
        self.served = sum(e - s for s, e in merged)
        self.complete = self.complete or (len(merged) == 1 and merged[0][0] == 0 and merged[0][1] >= self.total)


@dataclasses.dataclass(eq=False)
class Upload:
    token: str
    charger_id: str
    request_id: int | None
    host: str
    via: str
    location: str
    connections: int = 0  # HTTP requests / FTP logins seen
    files: list[uploads.Received] = dataclasses.field(default_factory=list)
    last_error: str = ""
    ftp_user: str = ""


Grant = Download | Upload


class FileServer:
    def __init__(self, data_dir: pathlib.Path | str, library: library_mod.Library, *, host: str = "0.0.0.0",
                 http_port: int = 0, ftp_port: int = 0, ftp: bool = True, max_upload_bytes: int = 4 << 30,
                 min_free_bytes: int = 256 << 20, emit: Callable[[model.Event], None] = lambda event: None,
                 clock: Callable[[], int] = _now_ms) -> None:
        self.data_dir = pathlib.Path(data_dir)
        self.library = library
        self.host = host
        self.http_port = http_port
        self.ftp_port = ftp_port
        self.ftp_enabled = ftp
        self.max_upload_bytes = max_upload_bytes
        self.min_free_bytes = min_free_bytes
        self._emit = emit
        self._clock = clock
        self._grants: dict[str, Grant] = {}
        self._revoked: dict[str, Grant] = {}  # so a late request names its charger
        self._by_ftp_user: dict[str, str] = {}
        self._runner: web.AppRunner | None = None
        self._ftp: ftp_mod.FtpService | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.running = False

    def attach(self, emit: Callable[[model.Event], None]) -> None:
        """Where the Transfer events go: the engine that owns this server (before start)."""
        self._emit = emit

    # -- life ---------------------------------------------------------------------------------------

    async def start(self) -> None:
        if self.running:
            return
        self._loop = asyncio.get_running_loop()
        app = web.Application(client_max_size=self.max_upload_bytes + MULTIPART_SLACK)
        app.router.add_get("/firmware/{token}/{name}", self._on_firmware)  # and HEAD
        for path in ("/upload/{token}", "/upload/{token}/", "/upload/{token}/{name}"):
            app.router.add_route("PUT", path, self._on_upload)
            app.router.add_route("POST", path, self._on_upload)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.http_port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise self._port_error(exc, self.http_port, "HTTP") from exc
        self._runner = runner
        self.http_port = runner.addresses[0][1]
        if self.ftp_enabled:
            service = ftp_mod.FtpService(self.data_dir / "ftp", self.host, self.ftp_port,
                                         max_upload_bytes=self.max_upload_bytes, disk_ok=self._disk_ok,
                                         report=self._from_ftp_thread)
            try:
                self.ftp_port = await asyncio.to_thread(service.start)
            except OSError as exc:
                await runner.cleanup()
                self._runner = None
                raise self._port_error(exc, self.ftp_port, "FTP") from exc
            self._ftp = service
        self.running = True
        log.info("file server on %s: HTTP %d, FTP %s", self.host, self.http_port,
                 self.ftp_port if self._ftp else "off")

    async def stop(self) -> None:
        if not self.running:
            return
        self.running = False
        if self._runner is not None:
            await self._runner.cleanup()  # open transfers are cancelled and end as "partial"
            self._runner = None
        if self._ftp is not None:
            service, self._ftp = self._ftp, None
            await asyncio.to_thread(service.stop)
            await asyncio.sleep(0)  # what the FTP thread posted while closing runs now
            for grant in list(self._grants.values()):
                if grant.ftp_user:
                    service.remove(grant.ftp_user)

    def _port_error(self, exc: OSError, port: int, service: str) -> errors.CommissionerError:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES, getattr(errno, "WSAEADDRINUSE", -1)):
            return errors.FileServerPortInUseError(self.host, port, service)
        return errors.FileServerError(f"The file server cannot listen on {self.host}:{port} ({service}): "
                                      f"{exc.strerror or exc}.",
                                      hint="Check the file server's address and port in Settings.")

    def urls(self, hosts: list[str]) -> list[str]:
        """The server's base URLs on each of `hosts` (for the connection panel)."""
        out = []
        for host in hosts:
            out.append(f"http://{url_host(host)}:{self.http_port}/")
            if self._ftp is not None:
                out.append(f"ftp://{url_host(host)}:{self.ftp_port}/")
        return out

    # -- grants -------------------------------------------------------------------------------------

    def grant_download(self, charger_id: str, firmware: library_mod.Firmware, host: str, *, via: str = "http",
                       request_id: int | None = None) -> Download:
        self._check_running(via)
        token = secrets.token_urlsafe(12)
        name = uploads.safe_part(firmware.name, "firmware.bin")
        user = ""
        if via == "ftp":
            assert self._ftp is not None
            user, password = self._ftp.add_download(firmware.path, name)
            url = f"ftp://{user}:{password}@{url_host(host)}:{self.ftp_port}/{urllib.parse.quote(name)}"
            self._by_ftp_user[user] = token
        else:
            url = f"http://{url_host(host)}:{self.http_port}/firmware/{token}/{urllib.parse.quote(firmware.name)}"
        grant = Download(token=token, charger_id=charger_id, firmware=firmware, host=host, via=via,
                         request_id=request_id, url=url, total=firmware.size, ftp_user=user)
        self._grants[token] = grant
        return grant

    def grant_upload(self, charger_id: str, request_id: int | None, host: str, *, via: str = "ftp") -> Upload:
        self._check_running(via)
        token = secrets.token_urlsafe(12)
        user = ""
        if via == "ftp":
            assert self._ftp is not None
            user, password = self._ftp.add_upload()
            location = f"ftp://{user}:{password}@{url_host(host)}:{self.ftp_port}/"
            self._by_ftp_user[user] = token
        else:
            location = f"http://{url_host(host)}:{self.http_port}/upload/{token}/"
        grant = Upload(token=token, charger_id=charger_id, request_id=request_id, host=host, via=via,
                       location=location, ftp_user=user)
        self._grants[token] = grant
        return grant

    def grant(self, token: str) -> Grant | None:
        return self._grants.get(token)

    def revoke(self, token: str) -> None:
        grant = self._grants.pop(token, None)
        if grant is None:
            return
        self._revoked[token] = grant
        if grant.ftp_user:
            self._by_ftp_user.pop(grant.ftp_user, None)
            if self._ftp is not None:
                if isinstance(grant, Upload):
                    self._keep_interrupted(grant, self._ftp.root / grant.ftp_user)
                self._ftp.remove(grant.ftp_user)

    def _keep_interrupted(self, grant: Upload, home: pathlib.Path) -> None:
        """An upload still under way when its grant ends (the job failed or timed out mid-STOR): what
        arrived is kept under uploads/ as partial, never deleted with the FTP home."""
        try:
            files = [f for f in home.iterdir() if f.is_file()]
        except OSError:
            return
        for src in files:
            target = uploads.target_path(self.data_dir, grant.charger_id, grant.request_id, src.name, self._clock())
            final = target.with_name(target.name + uploads.PARTIAL)
            try:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, final)
            except OSError as exc:
                log.warning("an interrupted FTP upload %s could not be kept: %s", src, exc.strerror)
                continue
            log.info("kept the interrupted FTP upload of %s as %s", grant.charger_id, final)

    def _check_running(self, via: str) -> None:
        if via not in ("http", "ftp"):
            raise errors.ConfigError(f"Unknown transfer protocol {via!r}.", hint='Use "http" or "ftp".')
        if not self.running:
            raise errors.FileServerError("The built-in file server is not running.",
                                         hint="Start the CSMS (the file server starts with it) and try again.")
        if via == "ftp" and self._ftp is None:
            raise errors.FileServerError("The built-in FTP server is off.",
                                         hint="Turn FTP on in Settings, or use HTTP for this charger.")

    # -- events -------------------------------------------------------------------------------------

    def _transfer(self, grant: Grant | None, direction: str, state: str, *, token: str = "", name: str = "",
                  done: int = 0, total: int = 0, via: str = "http", message: str = "", path: str = "") -> None:
        self._emit(model.Transfer(
            charger_id=grant.charger_id if grant else "", ts_ms=self._clock(), direction=direction,
            grant=grant.token if grant else token, request_id=grant.request_id if grant else None,
            name=name, done=done, total=total, state=state, via=via, message=message, path=path))

    def _refuse(self, request: web.Request, direction: str) -> web.Response:
        token = request.match_info.get("token", "")
        late = self._revoked.get(token)
        why = ("this URL was revoked (the request it was given for is over)" if late else
               "the URL's token is wrong or has expired")
        message = f"{request.remote or 'a client'} reached the file server but {why}: {request.method} {request.path}"
        self._transfer(late, direction, "refused", token=token, name=request.match_info.get("name", ""),
                       message=message)
        return web.Response(status=404, text=f"Not found: {why}.\n")

    # -- downloads ------------------------------------------------------------------------------------

    async def _on_firmware(self, request: web.Request) -> web.StreamResponse:
        grant = self._grants.get(request.match_info["token"])
        if not isinstance(grant, Download) or grant.via != "http":
            return self._refuse(request, "download")
        fw = grant.firmware
        grant.requests += 1
        try:
            fobj = open(fw.path, "rb")  # noqa: SIM115 - closed in the finally below
        except OSError as exc:
            grant.last_error = f"the image {fw.path} cannot be read: {exc.strerror}"
            self._transfer(grant, "download", "refused", name=fw.name, total=fw.size, message=grant.last_error)
            return web.Response(status=410, text=f"Gone: {grant.last_error}.\n")
        try:
            return await self._send(request, grant, fobj)
        finally:
            fobj.close()

    async def _send(self, request: web.Request, grant: Download, fobj: Any) -> web.StreamResponse:
        fw = grant.firmware
        st = os.fstat(fobj.fileno())
        size = st.st_size
        etag = f'"{fw.sha256}"'
        rng = _parse_range(request.headers.get("Range"), size)
        if rng is not None and request.headers.get("If-Range", etag) != etag:
            rng = None  # the charger holds another version: send it all
        if rng == "bad":
            return web.Response(status=416, headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"},
                                text="Range not satisfiable.\n")
        start, end = rng if isinstance(rng, tuple) else (0, size)
        headers = {"Accept-Ranges": "bytes", "ETag": etag, "Content-Type": "application/octet-stream",
                   "Last-Modified": email.utils.formatdate(st.st_mtime, usegmt=True)}
        if isinstance(rng, tuple):
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        resp = web.StreamResponse(status=206 if isinstance(rng, tuple) else 200, headers=headers)
        resp.content_length = end - start
        await resp.prepare(request)
        if request.method == "HEAD":
            return resp
        self._transfer(grant, "download", "connected", name=fw.name, done=grant.served, total=size,
                       message=f"{request.method} bytes {start}-{end - 1} from {request.remote}")
        loop = asyncio.get_running_loop()
        pos, last = start, self._clock()
        try:
            while pos < end:
                transport = request.transport
                if transport is None or transport.is_closing():
                    raise ConnectionResetError("the charger closed the connection")
                n = min(SEND_CHUNK, end - pos)
                await loop.sendfile(transport, fobj, pos, n)  # fallback=True: TLS reads and writes instead
                pos += n
                grant._sent(start, pos)
                now = self._clock()
                if now - last >= PROGRESS_EVERY_MS and pos < end:
                    last = now
                    self._transfer(grant, "download", "progress", name=fw.name, done=grant.served, total=size)
            await resp.write_eof()
        except (OSError, RuntimeError, asyncio.CancelledError) as exc:  # RuntimeError: "Transport is closing"
            grant._sent(start, pos)
            grant.last_error = (f"the connection ended after {pos - start} of {end - start} bytes"
                                + ("" if not isinstance(exc, asyncio.CancelledError) else " (the file server stopped)"))
            self._transfer(grant, "download", "partial", name=fw.name, done=grant.served, total=size,
                           message=grant.last_error)
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise ConnectionResetError(grant.last_error) from None
        self._transfer(grant, "download", "complete" if grant.complete else "progress", name=fw.name,
                       done=grant.served, total=size,
                       message="" if grant.complete else f"bytes {start}-{end - 1} sent")
        return resp

    # -- uploads ------------------------------------------------------------------------------------

    async def _on_upload(self, request: web.Request) -> web.StreamResponse:
        grant = self._grants.get(request.match_info["token"])
        if not isinstance(grant, Upload) or grant.via != "http":
            return self._refuse(request, "upload")
        grant.connections += 1
        declared = request.content_length
        is_multipart = request.method == "POST" and request.content_type.startswith("multipart/")
        name = request.match_info.get("name", "") or request.query.get("name", "")
        self._transfer(grant, "upload", "connected", name=name, total=declared or 0,
                       message=f"{request.method} from {request.remote}")
        limit = self.max_upload_bytes + (MULTIPART_SLACK if is_multipart else 0)
        if declared is not None and declared > limit:
            return self._upload_refused(grant, name, 413, f"the file ({declared} bytes) is larger than the "
                                        f"upload limit ({self.max_upload_bytes} bytes)")
        if not self._disk_ok(0 if is_multipart else (declared or 0)):
            return self._upload_refused(grant, name, 507, "not enough free disk space on the laptop")
        read: Callable[[], Awaitable[bytes]]
        if is_multipart:
            reader = await request.multipart()
            part = await reader.next()
            while part is not None and not (isinstance(part, multipart.BodyPartReader) and part.filename):
                await part.release()
                part = await reader.next()
            if part is None:
                return self._upload_refused(grant, name, 400, "the form holds no file part")
            name = part.filename or name
            body = part
            read = lambda: body.read_chunk(READ_CHUNK)  # noqa: E731
            declared = None
        else:
            if not name and "Content-Disposition" in request.headers:
                _, params = multipart.parse_content_disposition(request.headers["Content-Disposition"])
                name = multipart.content_disposition_filename(params, "filename") or ""
            read = request.content.readany
        return await self._receive(grant, name or "upload.bin", read, declared)

    def _upload_refused(self, grant: Upload, name: str, status: int, why: str) -> web.Response:
        grant.last_error = why
        self._transfer(grant, "upload", "refused", name=name, message=why)
        return web.json_response({"error": why}, status=status)

    async def _receive(self, grant: Upload, name: str, read: Callable[[], Awaitable[bytes]],
                       declared: int | None) -> web.StreamResponse:
        target = uploads.target_path(self.data_dir, grant.charger_id, grant.request_id, name, self._clock())
        partial = target.with_name(target.name + uploads.PARTIAL)
        target.parent.mkdir(parents=True, exist_ok=True)
        received, since_check, last = 0, 0, self._clock()
        why, status = "", 201
        # Plain writes on the loop: they land in the page cache in microseconds, less than a
        # to_thread round trip per chunk would cost; the disk check keeps a full disk from stalling.
        with open(partial, "xb") as out:
            try:
                while chunk := await read():
                    received += len(chunk)
                    if received > self.max_upload_bytes:
                        why, status = f"the file is larger than the upload limit ({self.max_upload_bytes} bytes)", 413
                        break
                    out.write(chunk)
                    since_check += len(chunk)
                    if since_check >= DISK_CHECK_EVERY:
                        since_check = 0
                        if not self._disk_ok():
                            why, status = "the laptop's disk is nearly full", 507
                            break
                    now = self._clock()
                    if now - last >= PROGRESS_EVERY_MS:
                        last = now
                        self._transfer(grant, "upload", "progress", name=name, done=received, total=declared or 0)
            except asyncio.CancelledError:
                why = "the file server stopped before the file was complete"
                self._finish_upload(grant, name, partial, partial, received, declared, why)
                raise
            except Exception as exc:  # noqa: BLE001 - aiohttp's payload errors differ by version; all mean "cut short"
                why, status = f"the connection ended after {received} bytes ({exc.__class__.__name__})", 400
        if not why and declared is not None and received < declared:
            why, status = f"the connection ended after {received} of {declared} bytes", 400
        final = partial if why else target
        if not why:
            os.replace(partial, target)
        item = self._finish_upload(grant, name, partial, final, received, declared, why)
        if why:
            return web.json_response({"error": why, "stored": final.name, "bytes": received}, status=status)
        return web.json_response({"stored": item.path.name, "bytes": received}, status=201)

    def _finish_upload(self, grant: Upload, name: str, partial: pathlib.Path, final: pathlib.Path, received: int,
                       declared: int | None, why: str, via: str = "http") -> uploads.Received:
        item = uploads.Received(charger_id=grant.charger_id, request_id=grant.request_id, path=final,
                                name=uploads.safe_part(name, "upload.bin"), size=received,
                                received_ms=self._clock(), complete=not why, via=via)
        grant.files.append(item)
        if why:
            grant.last_error = why
        self._transfer(grant, "upload", "partial" if why else "complete", name=item.name, done=received,
                       total=declared or (0 if why else received), via=via, message=why, path=str(final))
        return item

    def _disk_ok(self, need: int = 0) -> bool:
        try:
            free = shutil.disk_usage(self.data_dir).free
        except OSError:
            return True  # cannot tell: let the write itself fail
        return free - need >= self.min_free_bytes

    # -- FTP (events come from its thread) ---------------------------------------------------------

    def _from_ftp_thread(self, what: str, user: str, *args: Any) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._on_ftp, what, user, args)

    def _on_ftp(self, what: str, user: str, args: tuple[Any, ...]) -> None:
        token = self._by_ftp_user.get(user, "")
        grant = self._grants.get(token)
        if what == "login_failed":
            self._transfer(grant, "upload" if isinstance(grant, Upload) else "download", "refused", via="ftp",
                           token=token, message=f"{args[0]} tried to log in to FTP as {user!r} with a wrong "
                           "password" if grant else f"{args[0]} tried to log in to FTP as an unknown user {user!r}")
            return
        if grant is None:
            return
        if isinstance(grant, Upload):
            self._on_ftp_upload(grant, what, args)
            return
        fw = grant.firmware
        if what == "retr":
            grant.requests += 1
            self._transfer(grant, "download", "connected", name=fw.name, done=grant.served, total=grant.total,
                           via="ftp", message=f"RETR from byte {args[0]}")
        elif what == "sent_bytes":
            offset, sent = args
            grant._sent(offset, offset + sent)
            self._transfer(grant, "download", "progress", name=fw.name, done=grant.served, total=grant.total, via="ftp")
        elif what == "sent":
            offset, sent, ok = args
            grant._sent(offset, offset + sent)
            if not ok:
                grant.last_error = f"the FTP transfer ended after {sent} bytes"
            state = "complete" if ok and grant.complete else ("progress" if ok else "partial")
            self._transfer(grant, "download", state, name=fw.name, done=grant.served, total=grant.total, via="ftp",
                           message="" if ok else grant.last_error)

    def _on_ftp_upload(self, grant: Upload, what: str, args: tuple[Any, ...]) -> None:
        if what == "login":
            grant.connections += 1
            self._transfer(grant, "upload", "connected", via="ftp", message=f"FTP login from {args[0]}")
        elif what == "received_bytes":
            self._transfer(grant, "upload", "progress", via="ftp", done=args[0])
        elif what == "refused":
            grant.last_error = args[0]
            self._transfer(grant, "upload", "refused", via="ftp", message=args[0])
        elif what == "received":
            file, ok, why = args
            src = pathlib.Path(file)
            name = src.name
            target = uploads.target_path(self.data_dir, grant.charger_id, grant.request_id, name, self._clock())
            final = target if ok else target.with_name(target.name + uploads.PARTIAL)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                size = src.stat().st_size
                os.replace(src, final)  # same data folder: a rename
            except OSError as exc:
                grant.last_error = f"the received file {name} could not be stored: {exc.strerror}"
                self._transfer(grant, "upload", "partial", name=name, via="ftp", message=grant.last_error)
                return
            self._finish_upload(grant, name, final, final, size, None, why, via="ftp")


def _parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(start, end exclusive) of a single `bytes=` range; None: no (usable) range, send it all;
    "bad": 416. Several ranges are answered with the whole file (RFC 9110 allows it)."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return "bad"
    try:
        if not first:  # the last N bytes
            n = int(last)
            if n <= 0:
                return "bad"
            return (max(0, size - n), size) if size else "bad"
        start = int(first)
        end = int(last) + 1 if last else size
    except ValueError:
        return "bad"
    if start < 0 or start >= size or end <= start:
        return "bad"
    return start, min(end, size)
