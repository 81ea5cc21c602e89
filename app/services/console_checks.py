"""The serial-console commissioning check: the backend URL and charger id, read back over the
charger's console, point at this CSMS and name this charger.

What the charger says over OCPP only proves it reached us once; its console shows what it will
use after the next reboot (a URL typed wrong on the console stays hidden until then). The port
and profile come from the last console session that reached this charger (services.console_links);
the password is the profile's default (a vault password for the console is not kept yet).
Registered in services.checks.CHECKS when services.checks imports this module.
"""

from __future__ import annotations

import asyncio
import pathlib
import urllib.parse

from app.csms import engine as csms_engine
from app.domain import errors, runs
from app.services import checking, checks, console_links, serial_console, vendors
from app.services import runs as run_service

NO_LINK = ("no serial console was used for this charger: open the Console page, pick its port and profile, "
           "and Read settings")
LOG_KIND = "console_log"


@checks.check("console")
async def console(ctx: checking.Context) -> list[runs.Value]:
    """Read the settings over the console; fail when charge_point_id is not this charger's id or
    ocpp_url does not lead to this CSMS (port, and the id at its end when the profile's URL holds it).
    The session log goes into the run's evidence, passed or failed."""
    data_dir = pathlib.Path(ctx.engine.data_dir)
    link = await asyncio.to_thread(console_links.link_for, data_dir, ctx.charger_id)
    if link is None:
        raise checking.NotApplicable(NO_LINK)
    try:
        profile = await asyncio.to_thread(vendors.find, link.profile_id, data_dir)
        session = serial_console.ConsoleSession(link.port, profile, user=link.user or None, data_dir=data_dir)
    except errors.CommissionerError as exc:  # the profile was removed or lost its [console] section
        raise checking.Failed(f"{exc.message} {exc.hint}".strip()) from exc
    values = [runs.Value("port", link.port), runs.Value("profile", profile.id)]
    try:
        try:
            settings = await asyncio.to_thread(session.read_settings)
        except errors.ConsoleError as exc:
            raise checking.Failed(f"{exc.message} {exc.hint}".strip()) from exc
        # Write-only secrets never reach a report, even from a profile that could read them.
        values += [runs.Value(name, value) for name, value in settings.items() if name not in vendors.SECRET_SETTINGS]
        ctx.step.values = values  # a failure below still shows what was read
        problems = wrong_id(settings, ctx.charger_id) + wrong_url(settings, ctx.engine, ctx.charger_id, profile)
        if problems:
            raise checking.Failed("; ".join(problems))
        return values
    finally:
        values += keep_log(ctx, data_dir, session)


def wrong_id(settings: dict[str, str], charger_id: str) -> list[str]:
    said = settings.get("charge_point_id")
    if said is None or said == charger_id:  # not readable on this console: judged by the URL alone
        return []
    return [f"the console reads charge_point_id = {said!r}; this charger connected as {charger_id!r}"]


def wrong_url(settings: dict[str, str], engine: csms_engine.Engine, charger_id: str,
              profile: vendors.VendorProfile) -> list[str]:
    """What in the console's ocpp_url does not lead here: the scheme and port this CSMS listens on,
    and (a profile whose URL includes the id) the charger id as its last path segment. The host is
    not judged: the charger may know this laptop by another address (NAT, a name, another interface)."""
    url = settings.get("ocpp_url")
    if url is None:
        return []
    listening = listening_ports(engine)
    expected = ", ".join(f"{scheme}://<this laptop>:{port}/" for scheme, ports in sorted(listening.items())
                         for port in sorted(ports))
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port or {"ws": 80, "wss": 443}.get(parts.scheme)
    except ValueError:
        return [f"the console reads ocpp_url = {url!r}, not a URL; expected {expected}"]
    if port is None or port not in listening.get(parts.scheme, set()):
        return [f"the console reads ocpp_url = {url!r}; this CSMS listens on {expected}"]
    includes_id = profile.settings.get("ocpp_url", vendors.Setting("")).includes_id
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if includes_id and last != charger_id:
        return [f"the console reads ocpp_url = {url!r}, which ends in {last!r}; the profile {profile.id} puts the "
                f"charger id at its end, expected .../{charger_id}"]
    return []


def listening_ports(engine: csms_engine.Engine) -> dict[str, set[int]]:
    """Scheme -> the ports this CSMS accepts chargers on (ws:// and, with TLS, wss:// beside it)."""
    server = engine.server
    ports: dict[str, set[int]] = {server.scheme: {server.port}}
    if server.tls_port is not None:
        ports.setdefault("wss", set()).add(server.tls_port)
    return ports


def keep_log(ctx: checking.Context, data_dir: pathlib.Path, session: serial_console.ConsoleSession) -> list[runs.Value]:
    """The session log as the run's evidence (copied in with the run's files); without a run store
    (a check driven on its own) its path is named as a value instead."""
    log_path = session.log_path
    if log_path is None or not log_path.exists():
        return []  # the port never opened: nothing was said
    if ctx.store is None:
        return [runs.Value("console log", str(log_path))]
    try:
        run_service.attach(ctx.store, data_dir, ctx.run, LOG_KIND, f"Serial console session ({session.port})",
                           source=log_path)
    except errors.StorageError as exc:  # the verdict stands; the note says the log is only where it was written
        ctx.step.note = " ".join(filter(None, (ctx.step.note, f"Console log not kept with the run ({exc.message}); "
                                                              f"it is in {log_path}.")))
    return []
