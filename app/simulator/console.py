"""The virtual charger's serial console: a small shell on a pseudo-terminal (Linux and macOS).

`commissioner simulate --console` opens it; the bundled vendor profile `virtual`
(resources/vendors/commissioner-virtual.toml, `[console]`) describes it, and this module must
keep to that file. The console really changes the charger: `set ocpp_url` and
`set charge_point_id` apply on the next connection, `reboot` makes that connection now.

    login: admin
    Password:                     (not echoed; default "virtual")
    virtual> get ocpp_url
    ocpp_url = ws://127.0.0.1:9000/ocpp
    virtual> set ocpp_url ws://10.0.0.5:9000/ocpp
    OK ocpp_url (applies after reboot)
    virtual> reboot
    Rebooting...

The pty's master side is read with `loop.add_reader` (no thread, no polling). The console runs at
`baud`: a client that opens the device at another speed reads garbage, as on a real UART, since
the pty keeps the speed the client set. `unplug()` closes the device; `plug()` opens a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pathlib
import random
import re
import sys
from typing import Any

from app.simulator import options as sim_options

LOGGER = sim_options.LOGGER
PROMPT = "virtual> "
NETWORK = ("wifi_ssid", "wifi_password", "apn", "ip_mode", "ip_address", "netmask", "gateway")
WRITE_ONLY = ("password", "wifi_password")
SETTINGS = ("ocpp_url", "charge_point_id", "password", "security_profile") + NETWORK
_ADDRESS = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_MAX_PENDING = 64 * 1024  # what a UART without flow control would have lost by now


class ConsoleServer:
    """One console for one VirtualCharger, on the charger's event loop."""

    def __init__(self, charger: Any, password: str = "virtual", user: str = "admin", baud: int = 115200,
                 link: pathlib.Path | None = None) -> None:
        self.charger = charger
        self.user = user
        self.password = password
        self.baud = baud
        self.link = link  # a stable name (symlink) for the device, kept across unplug/plug
        self.garble = False  # send noise instead of text (a fault, for tests)
        self.path: str | None = None
        self.network: dict[str, str] = {"wifi_ssid": "", "wifi_password": "", "apn": "", "ip_mode": "dhcp",
                                        "ip_address": "", "netmask": "", "gateway": ""}
        self._master: int | None = None
        self._slave: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending = bytearray()
        self._input = bytearray()
        self._state = "login"
        self._login_user = ""
        self._last_cr = False
        self._noise = random.Random(charger.config.charger_id)

    # -- the device ---------------------------------------------------------------------------

    def plug(self) -> str:
        """Open a new pty and serve it; returns the device path (e.g. /dev/pts/5). On the loop."""
        import termios
        import tty

        if sys.platform == "win32":
            raise OSError("the virtual console needs a pseudo-terminal (Linux or macOS)")
        self._loop = asyncio.get_running_loop()
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no line editing, no CR/LF translation: a UART's raw bytes
        attributes = termios.tcgetattr(slave)
        speed = getattr(termios, f"B{self.baud}", termios.B115200)
        attributes[4] = attributes[5] = speed
        termios.tcsetattr(slave, termios.TCSANOW, attributes)
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        self.path = os.ttyname(slave)
        self._state, self._input, self._pending = "login", bytearray(), bytearray()
        self._loop.add_reader(master, self._on_readable)
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()
            self.link.symlink_to(self.path)
        LOGGER.info("%s: console on %s", self.charger.config.charger_id, self.path)
        return self.path

    def unplug(self) -> None:
        """Close the device, as pulling the USB cable does: a client's next read or write fails."""
        if self._master is None:
            return
        assert self._loop is not None
        self._loop.remove_reader(self._master)
        self._loop.remove_writer(self._master)
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._master = self._slave = None
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()

    close = unplug

    def _client_speed_wrong(self) -> bool:
        import termios

        try:
            speed = termios.tcgetattr(self._slave)[5]
        except (OSError, termios.error):
            return False
        return speed != getattr(termios, f"B{self.baud}", termios.B115200)

    # -- bytes in and out ---------------------------------------------------------------------

    def _on_readable(self) -> None:
        try:
            data = os.read(self._master, 4096)
        except BlockingIOError:
            return
        except OSError:  # EIO: nobody has the device open (macOS); the next client brings it back
            return
        if self._client_speed_wrong():
            # Both ways garbled: the console cannot read the command and answers with what a
            # wrong baud rate makes of its banner and prompt.
            self._write_raw(bytes(self._noise.randrange(256) for _ in range(96)))
            return
        for byte in data:
            if byte in (0x0D, 0x0A):
                if byte == 0x0A and self._last_cr:
                    self._last_cr = False
                    continue
                self._last_cr = byte == 0x0D
                line, self._input = self._input.decode("utf-8", "replace"), bytearray()
                self._on_line(line)
            else:
                self._last_cr = False
                if byte in (0x08, 0x7F):
                    del self._input[-1:]
                else:
                    self._input.append(byte)

    def write(self, text: str) -> None:
        data = text.encode()
        if self.garble or self._client_speed_wrong():
            data = bytes(self._noise.randrange(256) for _ in data)
        self._write_raw(data)

    def _write_raw(self, data: bytes) -> None:
        if self._master is None:
            return
        self._pending += data
        del self._pending[:-_MAX_PENDING]
        self._flush()

    def _flush(self) -> None:
        if self._master is None:
            return
        try:
            written = os.write(self._master, self._pending) if self._pending else 0
        except BlockingIOError:
            written = 0
        except OSError:
            self._pending.clear()
            return
        del self._pending[:written]
        assert self._loop is not None
        if self._pending:
            self._loop.add_writer(self._master, self._flush)
        else:
            self._loop.remove_writer(self._master)

    # -- the shell ------------------------------------------------------------------------------

    def _on_line(self, line: str) -> None:
        if self._state == "login":
            self.write(line + "\r\n")
            if not line.strip():
                self.write("login: ")
                return
            self._login_user = line.strip()
            self._state = "password"
            self.write("Password: ")
        elif self._state == "password":
            self.write("\r\n")  # the password is not echoed
            if self._login_user == self.user and line == self.password:
                self._state = "shell"
                self.write(f"Welcome to the Commissioner virtual charger {self.charger.config.charger_id} console."
                           " Type help.\r\n" + PROMPT)
            else:
                self._state = "login"
                LOGGER.warning("%s: console login refused for %r", self.charger.config.charger_id, self._login_user)
                self.write("Login incorrect\r\nlogin: ")
        else:
            self.write(line + "\r\n")
            answer = self._command(line.strip())
            if answer is not None:
                self.write(answer + PROMPT)

    def _command(self, line: str) -> str | None:
        word, _, rest = line.partition(" ")
        if not word:
            return ""
        if word == "help":
            return ("get [KEY]        show a setting (all without KEY)\r\n"
                    "set KEY VALUE    change a setting (the connection ones apply after reboot)\r\n"
                    "reboot           restart, connecting with the new settings\r\n"
                    "exit             log out\r\n"
                    f"keys: {', '.join(SETTINGS)}\r\n")
        if word == "get":
            keys = [rest.strip()] if rest.strip() else list(SETTINGS)
            if keys[0] not in SETTINGS:
                return f"ERROR: unknown setting {keys[0]}\r\n"
            return "".join(f"{key} = {self._get(key)}\r\n" for key in keys)
        if word == "set":
            key, _, value = rest.strip().partition(" ")
            problem = self._set(key, value.strip())
            return f"ERROR: {problem}\r\n" if problem else f"OK {key}" + (
                " (applies after reboot)" if key in ("ocpp_url", "charge_point_id", "password") else "") + "\r\n"
        if word == "reboot":
            self.write("Rebooting...\r\n")
            self._state = "login"
            self.charger.reboot_now()
            self.write("\r\nlogin: ")
            return None
        if word in ("exit", "logout"):
            self._state = "login"
            self.write("Bye\r\n\r\nlogin: ")
            return None
        return f"ERROR: unknown command {word} (type help)\r\n"

    def _get(self, key: str) -> str:
        station = self.charger.station
        if key in WRITE_ONLY:
            return "(hidden)"
        if key == "ocpp_url":
            if station.config_keys is not None:
                return station.config_keys.get("CentralSystemUrl") or station.config.url
            return station.network_slots[station.priority()[0]]["ocpp_csms_url"]
        if key == "charge_point_id":
            return station.config.charger_id
        if key == "security_profile":
            return str(station.security_profile())
        return self.network[key]

    def _set(self, key: str, value: str) -> str:
        """Change a setting; returns what is wrong, "" when done."""
        station = self.charger.station
        if key not in SETTINGS:
            return f"unknown setting {key or '(none)'}"
        if not value and key not in ("wifi_password", "apn", "ip_address", "netmask", "gateway"):
            return f"{key} needs a value"
        if key == "ocpp_url":
            if not value.lower().startswith(("ws://", "wss://")):
                return "ocpp_url must start with ws:// or wss://"
            if station.config_keys is not None:
                station.config_keys.set("CentralSystemUrl", value)
            else:
                station.network_slots[station.priority()[0]]["ocpp_csms_url"] = value
        elif key == "charge_point_id":
            if ":" in value or "/" in value:
                return "charge_point_id cannot contain ':' or '/'"
            station.config.charger_id = value
        elif key == "password":
            if station.config_keys is not None:
                station.config_keys.set("AuthorizationKey", value)
            else:
                station.device_model.set_value("SecurityCtrlr", "BasicAuthPassword", value)
        elif key == "security_profile":
            return "security_profile is read-only here: the CSMS raises it over OCPP"
        elif key == "ip_mode" and value not in ("dhcp", "static"):
            return "ip_mode is dhcp or static"
        elif key in ("ip_address", "netmask", "gateway") and value and not _ADDRESS.match(value):
            return f"{key} must be an IPv4 address like 192.168.1.20"
        if key in NETWORK:
            self.network[key] = value
        station.note(f"console: {key} changed")
        return ""


async def run_with_console(config: sim_options.SimConfig, stop: asyncio.Event, *, password: str = "virtual",
                           link: pathlib.Path | None = None, on_open: Any = None) -> None:
    """Run one virtual charger with its console until `stop`; `on_open(path)` is told the device."""
    from app.simulator import charger as sim_charger

    charger = sim_charger.VirtualCharger(config)
    server = ConsoleServer(charger, password=password, link=link)
    path = server.plug()
    if on_open is not None:
        on_open(path)
    task = asyncio.create_task(charger.run(), name=f"{config.charger_id}:console-run")
    stopped = asyncio.create_task(stop.wait(), name=f"{config.charger_id}:console-stop")
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        charger.stop()
        stopped.cancel()
        await asyncio.wait({task, stopped})
        server.unplug()
    if task.exception() is not None:
        raise task.exception()
