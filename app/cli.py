"""Command line: `commissioner` (GUI), `serve`, `simulate`. Flags here are a stable contract."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from app import __version__
from app import core as app_core
from app.domain import errors


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
    serve.add_argument("--json", action="store_true", help="print one JSON object per line for every event")
    serve.add_argument("--boot-status", choices=["Accepted", "Pending", "Rejected"], default=None)
    serve.add_argument("--heartbeat-interval", type=int, default=None, metavar="SECONDS")
    serve.add_argument("--allow", default=None, metavar="ID[,ID...]",
                       help="only these charger ids may connect (default: accept every charger)")
    serve.add_argument("--password", default=None,
                       help="require this HTTP basic-auth password from every charger (security profile 1)")
    serve.add_argument("--max-frame-bytes", type=int, default=None)
    serve.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")

    simulate = sub.add_parser("simulate", help="run built-in virtual chargers against a CSMS")
    simulate.add_argument("--url", required=True, help="CSMS URL without the charger id, e.g. ws://127.0.0.1:9000/")
    simulate.add_argument("--id", required=True, dest="charger_id", help="charger id (with --count: the prefix)")
    simulate.add_argument("--ocpp", choices=["1.6", "2.0.1", "2.1"], default="1.6")
    simulate.add_argument("--count", type=int, default=None, help="run N chargers: ID-0001 ... ID-N")
    simulate.add_argument("--password", default=None, help="HTTP basic-auth password")
    return parser


def _serve(args: argparse.Namespace) -> int:
    data_dir = app_core.resolve_data_dir(args.data_dir)
    app_core.setup_logging(data_dir, args.verbose)
    overrides: dict[str, Any] = {
        "host": args.host, "port": args.port, "heartbeat_interval": args.heartbeat_interval,
        "max_frame_bytes": args.max_frame_bytes,
    }
    config = app_core.csms_config(data_dir, strict=args.strict, boot_status=args.boot_status,
                              allow=args.allow, password=args.password,
                              **{k: v for k, v in overrides.items() if v is not None})
    engine = app_core.build_engine(config, data_dir)
    out = sys.stdout

    if args.json:
        def print_event(event: Any) -> None:
            out.write(json.dumps(event.to_dict(), separators=(",", ":")) + "\n")
            out.flush()

        engine.subscribe(print_event)

    def started(urls: list[str]) -> None:
        if not args.json:
            out.write(f"Commissioner CSMS listening on {' '.join(urls)} (journal: {engine.journal.path})\n")
            out.flush()

    try:
        asyncio.run(engine.serve_forever(started))
    finally:
        engine.close()
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from app import simulator

    app_core.setup_logging(None)
    try:
        asyncio.run(simulator.run_fleet(args.url, args.charger_id, args.ocpp, count=args.count,
                                        password=args.password))
    except KeyboardInterrupt:
        pass
    return 0


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
        from app import gui  # imports Qt: only when a window is wanted

        return gui.main(args)
    except errors.CommissionerError as exc:
        print(f"commissioner: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
