"""The FTP side of the file server: pyftpdlib in a daemon thread of its own, one login per grant.

Every grant gets a user name and a random password, and a home folder of its own under
<data_dir>/ftp/<user>/: a download grant's home holds only its firmware image (a hard link, or
a symlink that `_GrantFS` lets through for that one file), an upload grant's home starts empty
and may only be written to ("elw"). What happens (logins, bytes sent, files received) is handed
to `report`, which the FileServer sets to post onto its loop (loop.call_soon_threadsafe); this
module never touches the FileServer's state. pyftpdlib's I/O loop is not thread-safe, so grants
change only the authorizer's table (under a lock), never the loop's channels.
"""

from __future__ import annotations

import logging
import os
import pathlib
import secrets
import shutil
import threading
import time
from typing import Any, Callable

from pyftpdlib import authorizers, filesystems, handlers, servers

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 0.25
DOWNLOAD_PERMS = "elr"
UPLOAD_PERMS = "elw"


class _Authorizer(authorizers.DummyAuthorizer):
    """DummyAuthorizer whose table the loop thread changes while the FTP thread reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def validate_authentication(self, username: str, password: str, handler: Any) -> None:
        with self.lock:
            super().validate_authentication(username, password, handler)

    def get_home_dir(self, username: str) -> str:
        with self.lock:
            return super().get_home_dir(username)

    def has_perm(self, username: str, perm: str, path: str | None = None) -> bool:
        with self.lock:
            return username in self.user_table and super().has_perm(username, perm, path)

    def get_perms(self, username: str) -> str:
        with self.lock:
            return self.user_table[username]["perm"] if username in self.user_table else ""


class _GrantFS(filesystems.AbstractedFS):
    """The user's home, plus the one file a download grant links to when only a symlink could be made."""

    def validpath(self, path: str) -> bool:
        if super().validpath(path):
            return True
        allowed = self.cmd_channel.service.allowed_target(self.cmd_channel.username)
        return allowed is not None and os.path.realpath(path) == allowed


class _CountingDTP(handlers.DTPHandler):
    """Reports bytes as they move (sendfile or plain send) so a grant's progress moves too."""

    _last_report = 0.0

    def _progress(self) -> None:
        now = time.monotonic()
        if now - self._last_report >= PROGRESS_EVERY_S:
            self._last_report = now
            self.cmd_channel.on_dtp_progress(self)

    def initiate_sendfile(self) -> None:
        super().initiate_sendfile()
        self._progress()

    def send(self, data: bytes) -> int:
        result = super().send(data)
        self._progress()
        return result

    def close(self) -> None:
        # on_file_sent / on_incomplete_file_sent run inside close(): leave them the count.
        self.cmd_channel.last_sent = self.tot_bytes_sent
        super().close()

    def handle_read(self) -> None:
        super().handle_read()
        limit = self.cmd_channel.service.max_upload_bytes
        if self.receive and self.tot_bytes_received > limit and not self._closed:
            self.cmd_channel.over_limit = True
            self._resp = ("552 The file is larger than this server accepts.", log.info)
            self.close()
            return
        self._progress()


class _Handler(handlers.FTPHandler):
    service: "FtpService"
    banner = "Commissioner"
    permit_foreign_addresses = False
    passive_ports = None  # the OS picks them
    dtp_handler = _CountingDTP
    abstracted_fs = _GrantFS
    over_limit = False
    last_sent = 0
    _retr_offset = 0

    def on_login(self, username: str) -> None:
        self.service.report("login", username, self.remote_ip)

    def on_login_failed(self, username: str, password: str) -> None:
        self.service.report("login_failed", username, self.remote_ip)

    def ftp_RETR(self, file: str) -> Any:
        self._retr_offset = self._restart_position
        result = super().ftp_RETR(file)
        if result is not None:
            self.service.report("retr", self.username, self._retr_offset)
        return result

    def ftp_STOR(self, file: str, mode: str = "w") -> Any:
        self.over_limit = False
        if not self.service.disk_ok():
            self.respond("452 Not enough free disk space on the server.")
            self.service.report("refused", self.username, "not enough free disk space on the laptop")
            return None
        return super().ftp_STOR(file, mode)

    def on_dtp_progress(self, dtp: _CountingDTP) -> None:
        if dtp.receive:
            self.service.report("received_bytes", self.username, dtp.tot_bytes_received)
        else:
            self.service.report("sent_bytes", self.username, self._retr_offset, dtp.tot_bytes_sent)

    def on_file_sent(self, file: str) -> None:
        self.service.report("sent", self.username, self._retr_offset, self.last_sent, True)

    def on_incomplete_file_sent(self, file: str) -> None:
        self.service.report("sent", self.username, self._retr_offset, self.last_sent, False)

    def on_file_received(self, file: str) -> None:
        self.service.report("received", self.username, file, True, "")

    def on_incomplete_file_received(self, file: str) -> None:
        why = ("the file is larger than the upload limit" if self.over_limit
               else "the connection ended before the file was complete")
        self.service.report("received", self.username, file, False, why)


class FtpService:
    """One FTPServer on (host, port) in a daemon thread; grants are logins."""

    def __init__(self, root: pathlib.Path, host: str, port: int, *, max_upload_bytes: int,
                 disk_ok: Callable[[], bool], report: Callable[..., None]) -> None:
        self.root = pathlib.Path(root)
        self.host = host
        self.port = port
        self.max_upload_bytes = max_upload_bytes
        self.disk_ok = disk_ok
        self.report = report  # report(what, user, *args): called in the FTP thread
        self._authorizer = _Authorizer()
        self._allowed: dict[str, str] = {}  # user -> real path of the one file a symlinked home may reach
        self._server: servers.FTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> int:
        """Bind and serve; the port bound (OSError when it is taken)."""
        self.root.mkdir(parents=True, exist_ok=True)
        # Homes left by a run that crashed (their logins died with it; their links would pin removed images).
        for stale in self.root.glob("u*"):
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
        handler = type("CommissionerFTPHandler", (_Handler,), {"service": self, "authorizer": self._authorizer})
        self._server = servers.FTPServer((self.host, self.port), handler)
        self.port = self._server.socket.getsockname()[1]
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"ftp-{self.port}", daemon=True)
        self._thread.start()
        return self.port

    def _run(self) -> None:
        server = self._server
        assert server is not None
        try:
            while not self._stop.is_set():
                # One round of the I/O loop at a time, so stop() is seen within the timeout.
                server.ioloop.loop(timeout=0.1, blocking=False)
        except Exception:  # noqa: BLE001 - a crash of the FTP thread must reach the log, not vanish
            log.exception("the FTP server stopped on an unexpected error")
        finally:
            server.close_all()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = None
        self._server = None

    # -- grants (called on the loop thread) -------------------------------------------------------

    def add_download(self, path: pathlib.Path, name: str) -> tuple[str, str]:
        """A login whose home holds only `path`, as `name`; (user, password)."""
        user, password, home = self._new_home()
        link = home / name
        try:
            os.link(path, link)
        except OSError:
            # No hard links here (another filesystem, FAT): a symlink, which _GrantFS lets through.
            os.symlink(path, link)
            self._allowed[user] = os.path.realpath(path)
        self._add_user(user, password, home, DOWNLOAD_PERMS)
        return user, password

    def add_upload(self) -> tuple[str, str]:
        user, password, home = self._new_home()
        self._add_user(user, password, home, UPLOAD_PERMS)
        return user, password

    def remove(self, user: str) -> None:
        with self._authorizer.lock:
            if self._authorizer.has_user(user):
                self._authorizer.remove_user(user)
        self._allowed.pop(user, None)
        shutil.rmtree(self.root / user, ignore_errors=True)

    def allowed_target(self, user: str) -> str | None:
        return self._allowed.get(user)

    def _new_home(self) -> tuple[str, str, pathlib.Path]:
        user = "u" + secrets.token_hex(6)
        home = self.root / user
        home.mkdir(parents=True)
        return user, secrets.token_urlsafe(12), home

    def _add_user(self, user: str, password: str, home: pathlib.Path, perms: str) -> None:
        with self._authorizer.lock:
            self._authorizer.add_user(user, password, str(home), perm=perms,
                                      msg_login="Welcome to Commissioner.", msg_quit="Goodbye.")
