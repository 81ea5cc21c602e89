"""Command line: `commissioner` (GUI), `serve`, `simulate`. Flags here are a stable contract."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import pathlib
import queue
import signal
import sys
import threading
import time
from typing import Any, Callable, Iterator, TextIO

from app import __version__
from app import core as app_core
from app.domain import display, errors, model
from app.services import plans
from app.storage import runs as run_store
from app.storage import vault

log = logging.getLogger(__name__)


DEFAULT_OUT = "reports"  # serve --plan without --out: the reports go here, under the current folder


def _add_data_dir(parser: argparse.ArgumentParser, top: bool = False) -> None:
    # On subcommands SUPPRESS keeps `commissioner --data-dir X serve` from being reset to None.
    parser.add_argument("--data-dir", default=None if top else argparse.SUPPRESS, help="where the journal, settings and logs live "
                        "(default: $COMMISSIONER_DATA_DIR or the platform's user data folder)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="commissioner",
                                     description="Bring EV chargers into service over OCPP.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check headless that the CSMS, both OCPP versions and the journal work; exit 0 if so")
    _add_data_dir(parser, top=True)
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="run the mini CSMS without a window")
    _add_data_dir(serve)
    serve.add_argument("--host", default=None, help="address to listen on (default: settings, 0.0.0.0)")
    serve.add_argument("--port", type=int, default=None, help="port to listen on (default: settings, 9000)")
    serve.add_argument("--strict", action="store_true",
                       help="answer schema violations with CallErrors and refuse chargers without a subprotocol")
    serve.add_argument("--strict-for", default=None, metavar="ID[,ID...]",
                       help="strict mode for these charger ids, whatever the default")
    serve.add_argument("--tolerant-for", default=None, metavar="ID[,ID...]",
                       help="tolerant mode for these charger ids, even with --strict")
    serve.add_argument("--json", action="store_true", help="print one JSON object per line for every event")
    serve.add_argument("--boot-status", choices=["Accepted", "Pending", "Rejected"], default=None)
    serve.add_argument("--heartbeat-interval", type=int, default=None, metavar="SECONDS",
                       help="the interval a BootNotification is Accepted with (default: settings, 300)")
    serve.add_argument("--pending-interval", type=int, default=None, metavar="SECONDS",
                       help="the retry interval a Pending or Rejected BootNotification gets (default: settings, 30)")
    serve.add_argument("--allow", default=None, metavar="ID[,ID...]",
                       help="only these charger ids may connect (default: accept every charger)")
    serve.add_argument("--password", default=None,
                       help="require this HTTP basic-auth password from every charger (security profile 1); "
                            "visible in the process list: prefer --password-file or $COMMISSIONER_PASSWORD")
    serve.add_argument("--password-file", default=None, metavar="PATH",
                       help="read the basic-auth password from the first line of this file")
    serve.add_argument("--max-frame-bytes", type=int, default=None)
    serve.add_argument("--plan", default=None, metavar="PLAN.toml",
                       help="run this commissioning plan on every charger that connects (see resources/plans/)")
    serve.add_argument("--out", default=None, metavar="DIR",
                       help="with --plan: where each run's report goes (DIR/<charger id>/<run id>.pdf/.json/.trace.jsonl; "
                            f"default: {DEFAULT_OUT}, in the current folder)")
    serve.add_argument("--once", type=int, default=None, metavar="N",
                       help="with --plan: exit after N runs have finished; exit code 0 only if all passed")
    serve.add_argument("--http-port", type=int, default=None, metavar="PORT",
                       help="the built-in file server's HTTP port, for firmware and log uploads (default: settings, 9080)")
    serve.add_argument("--ftp-port", type=int, default=None, metavar="PORT",
                       help="the built-in file server's FTP port (default: settings, 9021)")
    serve.add_argument("--no-file-server", action="store_true", help="do not start the built-in HTTP/FTP file server")
    serve.add_argument("--tls-port", type=int, default=None, metavar="PORT",
                       help="also listen on wss:// (TLS 1.2/1.3, security profiles 2 and 3) on this port, with a server "
                            "certificate from the built-in CA (default with --security-profile 2/3: settings, 9443)")
    serve.add_argument("--security-profile", type=int, choices=[0, 1, 2, 3], default=None, metavar="N",
                       help="the lowest security profile a charger may connect with: 0 none, 1 basic auth, "
                            "2 TLS + basic auth, 3 TLS client certificate (default: settings, 0)")
    serve.add_argument("--ca-dir", default=None, metavar="DIR",
                       help="the built-in CA's folder, made on first use; its certificate is DIR/ca.pem, to install "
                            "on chargers (default: settings, <data folder>/ca)")
    serve.add_argument("--operator-name", default=None, metavar="NAME",
                       help="profile 3: the organization (O) charger certificates and CSRs must carry")
    serve.add_argument("--operator-ca", metavar="PEM", action="append", default=[],
                       help="profile 3: also trust client certificates issued by this operator CA (PEM or DER; "
                            "kept in the CA folder from then on; may be given more than once)")
    serve.add_argument("--allow-lower", metavar="ID[,ID...]", default=None,
                       help="let these chargers connect with a lower security profile than they reached "
                            "before (the no-downgrade record is cleared for them, for a re-test)")
    serve.add_argument("--renew-expired", action="store_true",
                       help="profile 3: let a charger with an expired certificate connect, only to renew it (off by default)")
    serve.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")

    sessions_cmd = sub.add_parser("sessions", help="list charging sessions, or export them and their meter values")
    _add_data_dir(sessions_cmd)
    sessions_cmd.add_argument("--charger", metavar="ID", default=None, help="only this charger's")
    sessions_cmd.add_argument("--since", metavar="TIME", default=None,
                              help="from this time on (ISO 8601, e.g. 2026-12-01T08:00Z; UTC when no zone)")
    sessions_cmd.add_argument("--until", metavar="TIME", default=None, help="up to this time (ISO 8601)")
    sessions_cmd.add_argument("--export", metavar="DIR", default=None,
                              help="write sessions.csv, meter-values.csv and a JSON of both into DIR")
    sessions_cmd.add_argument("--json", action="store_true", help="one JSON object per session")

    runs_cmd = sub.add_parser("runs", help="list the commissioning runs")
    _add_data_dir(runs_cmd)
    runs_cmd.add_argument("--json", action="store_true", help="one JSON object per run")

    report_cmd = sub.add_parser("report", help="write a run's PDF, JSON and OCPP trace again")
    _add_data_dir(report_cmd)
    report_cmd.add_argument("run_id", metavar="RUN_ID")
    report_cmd.add_argument("--out", required=True, metavar="DIR")

    firmware_cmd = sub.add_parser("firmware", help="the firmware library the file server offers chargers")
    _add_data_dir(firmware_cmd)
    firmware_sub = firmware_cmd.add_subparsers(dest="firmware_command", required=True)
    fw_add = firmware_sub.add_parser("add", help="add an image (its SHA-256 and size are computed)")
    _add_data_dir(fw_add)
    fw_add.add_argument("file", metavar="FILE")
    fw_add.add_argument("--version", dest="fw_version", default="", metavar="LABEL",
                        help="the version it installs (default: from the image's manifest or file name)")
    fw_add.add_argument("--certificate", default=None, metavar="PEM_FILE", help="signing certificate (signed updates)")
    fw_add.add_argument("--signature", default=None, metavar="FILE_OR_BASE64", help="the image's signature (base64)")
    fw_list = firmware_sub.add_parser("list", help="list the images")
    _add_data_dir(fw_list)
    fw_list.add_argument("--json", action="store_true", help="one JSON object per image")
    fw_remove = firmware_sub.add_parser("remove", help="remove an image")
    _add_data_dir(fw_remove)
    fw_remove.add_argument("firmware_id", metavar="ID")

    simulate = sub.add_parser("simulate", help="run built-in virtual chargers against a CSMS")
    simulate.add_argument("--url", required=True, help="CSMS URL without the charger id, e.g. ws://127.0.0.1:9000/")
    simulate.add_argument("--id", required=True, dest="charger_id", help="charger id (with --count: the prefix)")
    simulate.add_argument("--ocpp", choices=["1.6", "2.0.1", "2.1"], default="1.6")
    simulate.add_argument("--count", type=int, default=None, help="run N chargers: ID-0001 ... ID-N")
    simulate.add_argument("--password", default=None,
                          help="HTTP basic-auth password; visible in the process list: prefer --password-file "
                               "or $COMMISSIONER_PASSWORD")
    simulate.add_argument("--password-file", default=None, metavar="PATH",
                          help="read the basic-auth password from the first line of this file")
    simulate.add_argument("--fault", action="append", default=[], choices=sorted(SIMULATOR_FAULTS),
                          help="make firmware updates or log uploads fail this way, or ignore charging profiles' limits "
                               "(repeatable)")
    simulate.add_argument("--slow-download", type=float, default=None, metavar="BYTES_PER_S",
                          help="limit firmware downloads to this rate, to watch their progress")
    simulate.add_argument("--upload-via-post", action="store_true",
                          help="upload logs over HTTP as a multipart POST to the location (default: PUT location/name)")
    simulate.add_argument("--security-profile", type=int, choices=[0, 1, 2, 3], default=None, metavar="N",
                          help="initial OCPP security profile: 0 ws://, 1 ws:// + password, 2 wss:// + password, "
                               "3 wss:// + client certificate (default: 2 or 3 for a wss:// --url, 1 with a "
                               "password, else 0); 2 and 3 need a wss:// --url")
    simulate.add_argument("--ca-file", default=None, metavar="PEM",
                          help="CA certificate(s) to verify a wss:// CSMS with, besides the CSMS root "
                               "certificates the CSMS installs later (InstallCertificate)")
    simulate.add_argument("--client-cert", default=None, metavar="PEM",
                          help="the charger's certificate (chain, leaf first; CN = the charger id) for "
                               "security profile 3; with --client-key")
    simulate.add_argument("--client-key", default=None, metavar="PEM", help="the private key of --client-cert")
    simulate.add_argument("--console", action="store_true",
                          help="also open a serial console on a pseudo-terminal (Linux, macOS) and print "
                               "'console on DEVICE'; reach it with `commissioner serial --port DEVICE --profile virtual`")
    simulate.add_argument("--console-password", default="virtual", metavar="TEXT",
                          help="the console's login password (user admin; default: virtual)")
    simulate.add_argument("--console-link", default=None, metavar="PATH",
                          help="with --console: also make PATH a symlink to the console device")

    serial_cmd = sub.add_parser(
        "serial", help="a charger's serial/USB console: list ports, get or set settings, reboot",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Reach a charger over its serial/USB console, as the vendor profile's [console] section says.",
        epilog="examples:\n"
               "  commissioner serial list\n"
               "  commissioner serial --port /dev/ttyUSB0 --profile virtual get\n"
               "  commissioner serial --port /dev/ttyUSB0 --profile virtual set ocpp_url=ws://192.168.1.10:9000/ocpp\n"
               "  commissioner serial --port /dev/ttyUSB0 --profile virtual reboot\n\n"
               "exit codes:\n"
               "  0  done\n"
               "  2  bad input: unknown profile or setting, malformed KEY=VALUE\n"
               "  3  port or console failure: no such port, unplugged, garbage (wrong baud rate), no prompt\n"
               "  4  the charger said no: login refused, a command rejected\n\n"
               "Each session is logged to <data folder>/console/<port>-<time>.log (passwords masked).")
    _add_data_dir(serial_cmd)
    serial_cmd.add_argument("--port", default=None, metavar="DEV", help="the serial port, e.g. /dev/ttyUSB0 or COM3")
    serial_cmd.add_argument("--profile", default=None, metavar="NAME",
                            help="the vendor profile (resources/vendors/ or <data folder>/vendors/), e.g. virtual")
    serial_cmd.add_argument("--password", default=None, help="the console password (default: the profile's); "
                            "visible in the process list: prefer --password-file")
    serial_cmd.add_argument("--password-file", default=None, metavar="PATH",
                            help="read the console password from the first line of this file")
    serial_cmd.add_argument("--user", default=None, help="the console user (default: the profile's)")
    serial_cmd.add_argument("--baud", type=int, default=None, help="override the profile's baud rate")
    serial_cmd.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                            help="how long to wait for each answer (default: the profile's)")
    serial_cmd.add_argument("--json", action="store_true", help="print JSON (one object per port or setting)")
    serial_sub = serial_cmd.add_subparsers(dest="serial_command", required=True)
    serial_sub.add_parser("list", help="the serial ports: device, description, VID:PID, serial number")
    serial_sub.add_parser("get", help="print the profile's mapped settings as KEY=VALUE lines")
    serial_set = serial_sub.add_parser("set", help="change settings: KEY=VALUE ...")
    serial_set.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    serial_sub.add_parser("reboot", help="reboot the charger (new connection settings apply)")
    return parser


# `simulate --fault` words -> SimConfig fields (app.simulator.options).
SIMULATOR_FAULTS = {"download-fails": "download_fails", "install-fails": "install_fails",
                    "disconnect-midway": "disconnect_midway", "upload-fails": "upload_fails",
                    "invalid-signature": "invalid_signature", "ignore-limits": "ignore_limits"}


class _LineWriter:
    """Writes lines to a stream from its own thread, in the order they were handed over.

    The engine loop only enqueues: a reader that stops reading (a paused terminal, a consumer
    that fills the pipe) then blocks this thread, never the loop and every charger on it.
    """

    BATCH = 512  # lines per write+flush when events arrive faster than the reader takes them

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="cli-writer", daemon=True)
        self._thread.start()

    def put(self, line: str) -> None:
        """Any thread; never blocks."""
        self._lines.put(line)

    def close(self) -> None:
        """Write out everything handed over so far, then end the thread."""
        self._lines.put(None)
        self._thread.join()

    def _run(self) -> None:
        broken = False
        while True:
            batch = [self._lines.get()]
            with contextlib.suppress(queue.Empty):
                while batch[-1] is not None and len(batch) < self.BATCH:
                    batch.append(self._lines.get_nowait())
            closing = batch[-1] is None
            if not broken:
                try:
                    self._out.write("".join(line for line in batch if line is not None))
                    self._out.flush()
                except (OSError, ValueError):  # the reader went away (EPIPE) or stdout was closed
                    broken = True
                    log.warning("stdout was closed; no longer printing events")
                    _silence(self._out)
            if closing:
                return


def _silence(out: TextIO) -> None:
    # What the Python docs advise on SIGPIPE: point the descriptor at devnull, so the flush at
    # interpreter exit does not fail a second time (https://docs.python.org/3/library/signal.html#note-on-sigpipe).
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
        os.close(devnull)


@contextlib.contextmanager
def _on_console_break(action: Callable[[Any, Any], None]) -> Iterator[None]:
    """On Windows, run `action(signum, frame)` for Ctrl+Break (SIGBREAK); elsewhere do nothing.

    Windows has no SIGTERM a process can catch and asyncio adds no signal handlers there, so a
    supervisor (and the tests) stop a console process with CTRL_BREAK_EVENT to its process group.
    """
    signum = getattr(signal, "SIGBREAK", None)
    if signum is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signum, action)
    try:
        yield
    finally:
        signal.signal(signum, previous)


PASSWORD_ENV = "COMMISSIONER_PASSWORD"


def _password(args: argparse.Namespace) -> str | None:
    """--password-file, then --password (with a warning), then $COMMISSIONER_PASSWORD."""
    if args.password_file:
        try:
            with open(args.password_file, encoding="utf-8") as source:
                password = source.readline().rstrip("\r\n")
        except OSError as exc:
            raise errors.ConfigError(f"Cannot read the password file {args.password_file}: {exc.strerror}.",
                                     hint="Give a readable file whose first line is the password.") from exc
        if not password:
            raise errors.ConfigError(f"The password file {args.password_file} is empty.",
                                     hint="Write the password on its first line.")
        return password
    if args.password:
        print("commissioner: warning: --password is visible to every user of this computer in the process list; "
              f"use --password-file or ${PASSWORD_ENV} instead.", file=sys.stderr)
        return args.password
    return os.environ.get(PASSWORD_ENV) or None


def _serve(args: argparse.Namespace) -> int:
    data_dir = app_core.resolve_data_dir(args.data_dir)
    app_core.setup_logging(data_dir, args.verbose)
    overrides: dict[str, Any] = {
        "host": args.host, "port": args.port, "heartbeat_interval": args.heartbeat_interval,
        "pending_interval": args.pending_interval,
        "max_frame_bytes": args.max_frame_bytes, "http_port": args.http_port, "ftp_port": args.ftp_port,
        "file_server": False if args.no_file_server else None,
        "tls": True if args.tls_port is not None else None, "tls_port": args.tls_port,
        "security_profile": args.security_profile, "ca_dir": args.ca_dir, "operator_name": args.operator_name,
        "renew_expired": True if args.renew_expired else None,
    }
    config = app_core.csms_config(data_dir, strict=args.strict, boot_status=args.boot_status,
                                  allow=args.allow, password=_password(args), strict_for=args.strict_for,
                                  tolerant_for=args.tolerant_for,
                                  **{k: v for k, v in overrides.items() if v is not None})
    plan_runner = None
    if args.plan is not None:
        plan, store, out_dir = _plan_setup(args, data_dir)
    elif args.out is not None or args.once is not None:
        raise errors.ConfigError("--out and --once go with --plan.", hint="Add --plan PLAN.toml.")
    if config.security_profile in (1, 2) and "*" not in config.passwords:
        print(f"security profile {config.security_profile} needs HTTP basic auth: only chargers this CSMS gave a "
              "password of their own get in; give every charger one with --password-file (or "
              f"${PASSWORD_ENV})", file=sys.stderr)
    secrets_store = vault.Vault()  # the passwords this CSMS gave chargers, and the CA key's passphrase
    for path in args.operator_ca:  # before the engine: its TLS context trusts what the CA folder holds
        try:
            data = pathlib.Path(path).read_bytes()
        except OSError as exc:
            raise errors.ConfigError(f"Cannot read the operator CA {path}: {exc.strerror or exc}.",
                                     hint="Give the path of the operator's CA certificate (.pem, .crt or .der).") from exc
        imported = app_core.certificate_signer(config, data_dir, secrets_store).ca_blocking().import_operator_ca(data)
        print(f"trusting client certificates of the operator CA {imported.subject.rfc4514_string()}", file=sys.stderr)
    engine = app_core.build_engine(config, data_dir, secrets_store)
    if args.allow_lower:
        for charger_id in (c.strip() for c in args.allow_lower.split(",") if c.strip()):
            if engine.server.profiles.allow_lower(charger_id):
                print(f"{charger_id} may connect with a lower security profile again", file=sys.stderr)
        engine.server.profiles.save()
    out = sys.stdout
    writer = _LineWriter(out)
    put = writer.put
    if args.plan is not None:
        def say(text: str) -> None:
            put((json.dumps({"event": "plan", "message": text}, ensure_ascii=False) if args.json else text) + "\n")
        plan_runner = plans.PlanRunner(engine, plan, store, out_dir, say, once=args.once)
    if args.json:
        def print_event(event: Any) -> None:
            put(json.dumps(event.to_dict(), separators=(",", ":")) + "\n")
    else:
        def print_event(event: Any) -> None:
            line = _event_line(event)  # who came, booted, left or was refused: one line each
            if line:
                put(line + "\n")
    engine.subscribe(print_event)

    def started(urls: list[str]) -> None:
        if not args.json:  # through the writer: in order with the connection lines after it
            put(f"Commissioner CSMS listening on {' '.join(urls)} (journal: {engine.journal.path})\n")

    def on_break(signum: Any, frame: Any) -> None:
        loop = engine.loop
        if loop is None or loop.is_closed():
            raise KeyboardInterrupt
        # The same owned stop as SIGINT/SIGTERM, scheduled from the signal onto the loop.
        loop.call_soon_threadsafe(engine.request_stop)

    try:
        with _on_console_break(on_break):
            asyncio.run(engine.serve_forever(started))
    finally:
        engine.close()
        writer.close()
        if plan_runner is not None:
            plan_runner.store.close()
    if engine.journal.error is not None:
        # Frames were lost on the way to disk: the run did not do what it promised.
        print(f"commissioner serve: {engine.journal.error}", file=sys.stderr)
        return 2
    if plan_runner is not None and args.once is not None:
        return 0 if len(plan_runner.finished) >= args.once and plan_runner.all_passed else 1
    return 0


def _plan_setup(args: argparse.Namespace, data_dir: Any) -> tuple[Any, Any, Any]:
    import pathlib

    from app.report import pdf

    if args.once is not None and args.once < 1:
        raise errors.ConfigError("--once takes a number of runs from 1.")
    plan = plans.load(pathlib.Path(args.plan), data_dir)
    out_dir = pathlib.Path(args.out or DEFAULT_OUT)
    try:  # a report folder that cannot be written is said now, not after the first run
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".commissioner-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise errors.ConfigError(f"The report folder {out_dir} cannot be written: {exc.strerror or exc}.",
                                 hint="Choose a writable folder with --out DIR.") from exc
    pdf.ensure_application()  # the reports are laid out by Qt, offscreen: its application lives here
    return plan, run_store.RunStore(data_dir), out_dir


def _stored_runs(args: argparse.Namespace) -> tuple[Any, run_store.RunStore]:
    """The data folder and its runs database, opened read-only: listing or reporting creates
    nothing, so a mistyped --data-dir is said, not answered with an empty database."""
    data_dir = app_core.resolve_data_dir(args.data_dir, create=False)
    if not run_store.RunStore.exists(data_dir):
        raise errors.ConfigError(
            f"No runs in {data_dir / run_store.FILE_NAME}: there is no such file.",
            hint="Check --data-dir (or $COMMISSIONER_DATA_DIR): runs are stored in the data folder "
                 "`commissioner serve` or the window uses.")
    return data_dir, run_store.RunStore(data_dir, read_only=True)


def _time_ms(text: str | None, flag: str) -> int | None:
    if text is None:
        return None
    from app.domain import energy

    value = energy.timestamp_ms(text, -1)
    if value < 0:
        raise errors.ConfigError(f"{flag} {text!r} is not a time.", hint="Use ISO 8601, e.g. 2026-12-01T08:00Z.")
    return value


def _sessions(args: argparse.Namespace) -> int:
    from app.services import sessions
    from app.storage import energy as energy_store
    from app.storage import journal as journal_store

    data_dir = app_core.resolve_data_dir(args.data_dir, create=False)
    if not (data_dir / journal_store.FILE_NAME).is_file():
        raise errors.ConfigError(f"No journal in {data_dir}: there are no sessions to show.",
                                 hint="Check --data-dir (or $COMMISSIONER_DATA_DIR): the folder `commissioner "
                                      "serve` or the window uses.")
    since, until = _time_ms(args.since, "--since"), _time_ms(args.until, "--until")
    index = energy_store.EnergyIndex(data_dir)  # brought up to date with the journal first
    try:
        found = sessions.collect(index, charger_id=args.charger, since_ms=since, until_ms=until)
    finally:
        index.close()
    if args.export:
        written = sessions.export(found, pathlib.Path(args.export), stem=args.charger or "energy")
        print(f"{len(found.sessions)} session(s), {len(found.samples)} meter value(s) -> "
              + ", ".join(str(p) for p in written), file=sys.stderr)
        return 0
    for session in found.sessions:
        row = sessions.session_row(session)
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            energy_text = f"{row['energy_wh'] / 1000:.3f} kWh" if row["energy_wh"] != "" else "— kWh"
            print(f"{row['started'] or '?'}  {display.safe(session.charger_id)}  connector {row['connector'] or '?'}"
                  f"  tx {display.safe(session.transaction_id)}  {energy_text}  {row['stop_reason'] or 'running'}")
    if not found.sessions and not args.json:
        print("No charging sessions in that range.", file=sys.stderr)
    return 0


def _runs(args: argparse.Namespace) -> int:
    _, store = _stored_runs(args)
    try:
        found = store.list()
    finally:
        store.close()
    for run in found:
        if args.json:
            print(json.dumps({"id": run.id, "charger_id": run.charger_id, "template": run.template,
                              "started_ms": run.started_ms, "ended_ms": run.ended_ms,
                              "outcome": run.outcome.value}, ensure_ascii=False))
        else:
            # UTC, said: the report (PDF and JSON) gives its times in UTC too, so the two agree.
            started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(run.started_ms / 1000))
            state = run.outcome.value if run.ended_ms else "unfinished"
            print(f"{run.id}  {started}  {display.safe(run.charger_id)}  {run.template}  {state}")
    if not found and not args.json:
        print("No commissioning runs yet.", file=sys.stderr)
    return 0


def _report(args: argparse.Namespace) -> int:
    import pathlib

    from app.report import export, pdf
    from app.storage import journal as journal_store

    data_dir, store = _stored_runs(args)
    try:
        run = store.get(args.run_id)
    finally:
        store.close()
    if run is None:
        raise errors.ConfigError(f"There is no run {args.run_id}.", hint="`commissioner runs` lists them.")
    pdf.ensure_application()
    done = export.export(run, data_dir / journal_store.FILE_NAME, export.folder(pathlib.Path(args.out), run.charger_id))
    print(f"{run.id} {run.outcome.value.upper()}: {done.pdf} {done.json} {done.trace} (sha256 {done.sha256})")
    return 0


def _event_line(event: Any) -> str:
    """The human line `serve` prints for an event (without --json); "" for the frames themselves."""
    when = time.strftime("%H:%M:%S", time.localtime(event.ts_ms / 1000))
    who = display.safe(event.charger_id)
    if isinstance(event, model.Connected):
        return (f"{when} {who} connected (OCPP {event.ocpp_version} from {event.remote_address}, "
                f"security profile {event.security_profile})")
    if isinstance(event, model.TlsFailed):
        return f"{when} TLS connection from {event.remote_address} to port {event.port} failed: {display.safe(event.reason)}"
    if isinstance(event, model.CertificateIssued):
        return f"{when} {who} certificate {'issued' if event.accepted else 'refused'}: {display.safe(event.detail)}"
    if isinstance(event, model.EvChargingNeeds):
        return f"{when} {who} EV charging needs on EVSE {display.safe(event.evse_id)}: {display.safe(event.summary)}"
    if isinstance(event, model.SecurityEventReceived):
        info = f" ({display.safe(event.tech_info)})" if event.tech_info else ""
        return f"{when} {who} security event {display.safe(event.type)}{info}"
    if isinstance(event, model.Booted):
        what = " ".join(display.safe(p) for p in (event.vendor, event.model) if p)
        firmware = f", firmware {display.safe(event.firmware)}" if event.firmware else ""
        return f"{when} {who} booted: {event.status} ({what or 'no vendor/model'}{firmware})"
    if isinstance(event, model.Disconnected):
        why = "replaced by a new connection" if event.replaced else (
            f"code {event.code}" + (f", {display.safe(event.reason)}" if event.reason else "") if event.code else "gone")
        return f"{when} {who} disconnected ({why})"
    if isinstance(event, model.ConnectionRefused):
        return f"{when} {who or '?'} refused: {display.safe(event.reason)} (HTTP {event.status})"
    return ""


def _simulator_options(args: argparse.Namespace) -> dict[str, Any]:
    """SimConfig fields from the `simulate` flags for firmware updates and log uploads."""
    options: dict[str, Any] = {SIMULATOR_FAULTS[word]: True for word in args.fault}
    if args.slow_download is not None:
        options["slow_download"] = args.slow_download
    if args.upload_via_post:
        options["upload_via_post"] = True
    for flag in ("security_profile", "ca_file", "client_cert", "client_key"):  # security profiles
        if getattr(args, flag) is not None:
            options[flag] = getattr(args, flag)
    return options


def _simulate(args: argparse.Namespace) -> int:
    from app import simulator

    stop = asyncio.Event()

    def on_break(signum: Any, frame: Any) -> None:
        # Ctrl+Break does what Ctrl+C does: the fleet stops, each charger closing its connection.
        loop = running[0] if running else None
        if loop is None or loop.is_closed():
            raise KeyboardInterrupt
        loop.call_soon_threadsafe(stop.set)

    running: list[asyncio.AbstractEventLoop] = []

    async def fleet() -> None:
        loop = asyncio.get_running_loop()
        running.append(loop)
        # SIGINT and SIGTERM stop the fleet whatever the process inherited: a shell script's
        # background job (`simulate ... &`) starts with SIGINT ignored, and `kill -INT` must still stop it.
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, stop.set)
        if args.console:
            from app.simulator import console

            def opened(path: str) -> None:
                print(f"console on {path} (login admin; commissioner serial --port {path} --profile virtual get)",
                      flush=True)

            config = simulator.SimConfig(url=args.url, charger_id=args.charger_id, ocpp_version=args.ocpp,
                                         password=password, **_simulator_options(args))
            link = pathlib.Path(args.console_link) if args.console_link else None
            await console.run_with_console(config, stop, password=args.console_password, link=link, on_open=opened)
            return
        await simulator.run_fleet(args.url, args.charger_id, args.ocpp, count=args.count,
                                  password=password, stop=stop, **_simulator_options(args))

    # Inconsistent flags (profile 2 on ws://, a certificate without its key ...) fail here, exit 2.
    if args.console and args.count is not None:
        raise errors.ConfigError("--console goes with one charger, not --count.", hint="Leave out --count.")
    if args.console and sys.platform == "win32":
        raise errors.ConfigError("--console needs a pseudo-terminal: Linux or macOS.")
    password = _password(args)
    simulator.SimConfig(url=args.url, charger_id=args.charger_id, ocpp_version=args.ocpp,
                        password=password, **_simulator_options(args))
    app_core.setup_logging(None)
    try:
        with _on_console_break(on_break):
            asyncio.run(fleet())
    except KeyboardInterrupt:
        pass
    return 0


SERIAL_EXIT_PORT = 3  # the port or the console failed: not found, unplugged, garbage, no prompt
SERIAL_EXIT_REFUSED = 4  # the charger said no: login refused, a command rejected


def _serial(args: argparse.Namespace) -> int:
    from app.services import serial_console, vendors

    if args.serial_command == "list":
        ports = serial_console.list_ports()
        for port in ports:
            if args.json:
                print(json.dumps(port.to_dict(), ensure_ascii=False))
            else:
                print("  ".join(p for p in (port.device, port.description, port.vid_pid,
                                            f"serial {port.serial_number}" if port.serial_number else "") if p))
        if not ports and not args.json:
            print("No serial ports found. Plug in the USB adapter.", file=sys.stderr)
        return 0
    if not args.port or not args.profile:
        raise errors.ConfigError(f"serial {args.serial_command} needs --port DEV and --profile NAME.",
                                 hint="`commissioner serial list` shows the ports; --profile virtual for the virtual charger.")
    data_dir = app_core.resolve_data_dir(getattr(args, "data_dir", None))
    profile = vendors.find(args.profile, data_dir)
    values: dict[str, str] = {}
    if args.serial_command == "set":
        for assignment in args.assignments:
            key, sep, value = assignment.partition("=")
            if not sep or not key.strip():
                raise errors.ConfigError(f"{assignment!r} is not KEY=VALUE.", hint="e.g. ocpp_url=ws://192.168.1.10:9000/ocpp")
            values[key.strip()] = value
    password = None
    if args.password_file or args.password:
        password = _password(argparse.Namespace(password_file=args.password_file, password=args.password))
    session = serial_console.ConsoleSession(args.port, profile, password=password, user=args.user, baud=args.baud,
                                            data_dir=data_dir, timeout=args.timeout)
    try:
        if args.serial_command == "get":
            for key, value in session.read_settings().items():
                print(json.dumps({"key": key, "value": value}, ensure_ascii=False) if args.json else f"{key}={value}")
        elif args.serial_command == "set":
            session.set_settings(values)
            for key in values:
                print(f"{key} set", file=sys.stderr)
        else:
            answer = session.reboot()
            print(f"rebooting: {answer}" if answer else "rebooting", file=sys.stderr)
    except errors.ConsoleError as exc:
        print(f"commissioner serial: {exc}", file=sys.stderr)
        if session.log_path is not None and session.log_path.is_file():
            print(f"commissioner serial: the session log is {session.log_path}", file=sys.stderr)
        refused = isinstance(exc, (errors.LoginRefusedError, errors.CommandRejectedError))
        return SERIAL_EXIT_REFUSED if refused else SERIAL_EXIT_PORT
    return 0


def _firmware(args: argparse.Namespace) -> int:
    import pathlib

    from app.services import firmware

    data_dir = app_core.resolve_data_dir(args.data_dir)
    library = firmware.library(data_dir)
    if args.firmware_command == "add":
        certificate = signature = ""
        if args.certificate:
            certificate = _read_text(args.certificate, "signing certificate")
        if args.signature:
            candidate = pathlib.Path(args.signature)
            signature = _read_text(args.signature, "signature").strip() if candidate.is_file() else args.signature
        source = pathlib.Path(args.file)
        if not source.is_file():
            raise errors.ConfigError(f"There is no file {args.file}.", hint="Give the path of the firmware image.")
        image = library.add(source, args.fw_version, certificate, signature)
        print(f"{image.id}  {image.version or '(no version)'}  {image.name}  {image.size} bytes  sha256 {image.sha256}")
        return 0
    if args.firmware_command == "remove":
        library.remove(args.firmware_id)
        return 0
    for image in library.list():
        if args.json:
            print(json.dumps({"id": image.id, "name": image.name, "version": image.version, "size": image.size,
                              "sha256": image.sha256, "signed": bool(image.signature), "added_ms": image.added_ms}))
        else:
            print(f"{image.id}  {image.version or '(no version)':<16} {image.size:>12}  {image.name}")
    return 0


def _read_text(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as source:
            return source.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.ConfigError(f"Cannot read the {what} {path}: {exc}.", hint="Give a readable text (PEM/base64) file.") \
            from exc


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.self_test:
            from app.services import selftest

            return 0 if selftest.run() else 1
        if args.command == "serve":
            return _serve(args)
        if args.command == "simulate":
            return _simulate(args)
        if args.command == "runs":
            return _runs(args)
        if args.command == "sessions":
            return _sessions(args)
        if args.command == "report":
            return _report(args)
        if args.command == "firmware":
            return _firmware(args)
        if args.command == "serial":
            return _serial(args)
        from app import gui  # imports Qt: only when a window is wanted

        return gui.main(args)
    except errors.CommissionerError as exc:
        print(f"commissioner: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
