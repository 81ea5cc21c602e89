#!/usr/bin/env python3
"""TLS connect storm for the embedded CSMS (issue 13): N chargers connect over wss:// and boot at once.

Each scenario starts a fresh `python -m app serve --tls-port T --security-profile 2 --ca-dir DIR` with
its own temporary --data-dir (the built-in CA is made there, so a scenario pays nothing for an
earlier one), then --workers load-client processes open all their connections at the same instant
(no semaphore), each verifying the server against DIR/ca.pem, and send one BootNotification each.

Reported per scenario: time from the common start until every BootNotification was Accepted (goal
from the issue: 1,000 in < 3 s on 2 cores), the TCP+TLS handshake as each client saw it (connect
until TLS up: p50/p99), the websocket open and the boot answer, server CPU and RSS, client CPU, and
the negotiated TLS version and suite. A plain ws:// storm against the same server gives the baseline.
Nothing is asserted; the exit status only says whether the benchmark ran.

    .venv/bin/python benchmarks/tls_connect.py                     # 1,000 chargers: ws, TLS 1.2, TLS 1.3
    .venv/bin/python benchmarks/tls_connect.py --chargers 200 --output /tmp/tls   # a smoke run
    .venv/bin/python benchmarks/tls_connect.py --profile           # + the server under cProfile (TLS 1.2)

Figures go to benchmarks/results/tls_connect.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import multiprocessing as mp
import os
import platform
import pstats
import ssl
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import _results  # noqa: E402  (benchmarks/ is not a package)
import csms_load  # noqa: E402  (the server process, sampling and percentiles are shared)
import loadclient  # noqa: E402

import orjson  # noqa: E402
import psutil  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402

HOST = csms_load.HOST
GOAL_S = 3.0
DEFAULT_CHARGERS = 1000
SCENARIOS = ("ws", "tls1.2", "tls1.3")
SUBPROTOCOL: Any = "ocpp1.6"
BOOT = b'[2,"1","BootNotification",' + loadclient.BOOT_PAYLOAD + b"]"
OPEN_TIMEOUT_S = 30.0
# `python -m app serve`, with the app imported from APP_DIR (an older checkout for a before/after).
LAUNCH = "import sys; sys.path.insert(0, {root!r}); from app import cli; sys.exit(cli.main(sys.argv[1:]))"
# The same under cProfile, timing the loop thread's CPU (user + system), not wall time: the storm
# shares 2 cores with the clients, and other threads' CPU (the journal) must not be charged to the loop.
PROFILED = ("import cProfile, sys, time; sys.path.insert(0, {root!r}); from app import cli; "
            "profile = cProfile.Profile(time.thread_time); profile.enable()\n"
            "try: cli.main(sys.argv[1:])\nfinally: profile.disable(); profile.dump_stats({out!r})")
STORM_DEADLINE_S = 60.0


# --------------------------------------------------------------------------- load workers (own processes)

PASSWORD = "bench-storm-password-0001"  # 16+ characters, as a profile-2 charger sends it

def _client_context(ca_file: str, version: str) -> ssl.SSLContext:
    """What a charger does at profile 2: verify the CSMS against the CA it was given, host name included."""
    context = ssl.create_default_context(cafile=ca_file)
    wanted = ssl.TLSVersion.TLSv1_3 if version == "tls1.3" else ssl.TLSVersion.TLSv1_2
    context.minimum_version = context.maximum_version = wanted
    return context


class _Timed(ClientConnection):
    """connection_made runs once TCP (and TLS, for wss://) is up: the handshake's end as the client sees it."""

    up_at = 0.0

    def connection_made(self, transport: Any) -> None:
        self.up_at = time.perf_counter()
        super().connection_made(transport)


async def _one(uri: str, context: ssl.SSLContext | None, t0: float, out: dict[str, Any]) -> None:
    started = time.perf_counter()
    wall = time.time()
    try:
        # Profile 2 is TLS + basic auth: the user is the charger id, the password the one serve expects.
        token = base64.b64encode(f"{uri.rsplit('/', 1)[-1]}:{PASSWORD}".encode()).decode()
        ws = await connect(uri, ssl=context, subprotocols=[SUBPROTOCOL], compression=None, proxy=None,
                           additional_headers={"Authorization": f"Basic {token}"},
                           open_timeout=OPEN_TIMEOUT_S, ping_interval=None, close_timeout=2, user_agent_header=None,
                           create_connection=_Timed)
    except Exception as exc:  # refused, reset, TLS failure, open timeout
        out["errors"].setdefault(type(exc).__name__, repr(exc)[:300])
        out["failed"] += 1
        return
    opened = time.perf_counter()
    out["handshake"].append(ws.up_at - started)
    out["ws_open"].append(opened - started)
    out["start_late"].append(wall - t0)
    if context is not None and not out["negotiated"]:
        tls = ws.transport.get_extra_info("ssl_object")
        out["negotiated"] = {"version": tls.version(), "cipher": tls.cipher()[0]}
    out["open"].append(ws)
    try:
        await ws.send(BOOT, text=True)
        async with asyncio.timeout(loadclient.CALL_TIMEOUT * 4):
            answer = orjson.loads(await ws.recv(decode=False))
    except Exception as exc:
        out["errors"].setdefault("boot " + type(exc).__name__, repr(exc)[:300])
        out["failed"] += 1
        return
    if answer[0] == 3 and answer[2].get("status") == "Accepted":
        out["boot"].append(time.perf_counter() - opened)
        out["accepted_at"].append(time.time() - t0)
    else:
        out["errors"].setdefault("boot not accepted", repr(answer)[:300])
        out["failed"] += 1


async def _storm(conn: Any, cmd: dict[str, Any]) -> None:
    context = _client_context(cmd["ca_file"], cmd["scenario"]) if cmd["scenario"] != "ws" else None
    out: dict[str, Any] = {"handshake": [], "ws_open": [], "boot": [], "accepted_at": [], "start_late": [],
                           "errors": {}, "failed": 0, "negotiated": {}, "open": []}
    delay = cmd["t0"] - time.time()
    if delay > 0:
        await asyncio.sleep(delay)
    tasks = [asyncio.ensure_future(_one(cmd["uri"] + cid, context, cmd["t0"], out)) for cid in cmd["chargers"]]
    done, pending = await asyncio.wait(tasks, timeout=STORM_DEADLINE_S)
    for task in pending:
        task.cancel()
    out["failed"] += len(pending)
    sockets = out.pop("open")
    conn.send(("result", out))
    conn.recv()  # ("release",): hold the connections until the server's figures are taken
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


def worker_main(conn: Any) -> None:
    loadclient.raise_nofile(csms_load.NOFILE_WANT)
    while True:
        try:
            cmd = conn.recv()
        except (EOFError, OSError):
            return
        if not isinstance(cmd, dict) or cmd.get("op") != "storm":
            return
        try:
            asyncio.run(_storm(conn, cmd))
            conn.send(("done", None))
        except BaseException:
            conn.send(("error", traceback.format_exc()))


class Pool(csms_load.WorkerPool):
    """csms_load's pool (recv, close), with this file's workers."""

    def __init__(self, n: int) -> None:  # noqa: super().__init__ would start loadclient workers
        self.n, self.procs, self.conns = n, [], []
        ctx = mp.get_context("spawn")
        for i in range(n):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=worker_main, args=(child,), daemon=True, name=f"tls-worker-{i}")
            proc.start()
            child.close()
            self.procs.append(proc)
            self.conns.append(parent)
        self.ps = [psutil.Process(p.pid) for p in self.procs]


# --------------------------------------------------------------------------- the server

class TlsServer(csms_load.ServerProcess):
    """`app serve` with the wss:// listener at profile 2, its CA in the scenario's own folder."""

    def __init__(self, label: str, app_dir: Path, profile_to: Path | None = None, minimum: int = 2) -> None:
        self.tls_port = 0
        self.app_dir = app_dir
        self.profile_to = profile_to
        self.minimum = minimum
        super().__init__(label, self._argv)

    def _argv(self, port: int, data_dir: str) -> list[str]:
        self.tls_port = csms_load.free_port()
        root = str(self.app_dir)
        code = (LAUNCH.format(root=root) if self.profile_to is None
                else PROFILED.format(root=root, out=str(self.profile_to)))
        return [sys.executable, "-c", code, "serve", "--host", HOST, "--port", str(port), "--data-dir", data_dir,
                "--no-file-server", "--tls-port", str(self.tls_port), "--security-profile", str(self.minimum),
                "--ca-dir", os.path.join(data_dir, "ca")]

    def start(self) -> "TlsServer":
        # The CA key's passphrase: a file in the temporary CA folder, never the desktop's keyring.
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        os.environ["COMMISSIONER_PASSWORD"] = PASSWORD  # serve's one password for every charger (basic auth)
        super().start()
        return self

    @property
    def ca_file(self) -> str:
        assert self.tmp is not None
        return os.path.join(self.tmp, "data", "ca", "ca.pem")

    def wss_url(self) -> str:
        return f"wss://{HOST}:{self.tls_port}/"


def _ms(values: list[float]) -> dict[str, Any]:
    ordered = sorted(values)
    pick = lambda p: None if not ordered else round(1000 * csms_load.percentile(ordered, p), 1)  # noqa: E731
    return {"samples": len(ordered), "p50": pick(50), "p99": pick(99), "max": pick(100)}


def run_scenario(pool: Pool, scenario: str, n: int, app_dir: Path, profile_to: Path | None = None) -> dict[str, Any]:
    # The ws:// baseline: the same server with both listeners, letting profile 0 in.
    server = TlsServer(f"{scenario} {n}", app_dir, profile_to, minimum=0 if scenario == "ws" else 2)
    try:
        server.start()
        uri = server.url if scenario == "ws" else server.wss_url()
        t0 = time.time() + 1.5
        ids = [f"TLS-{i + 1:05d}" for i in range(n)]
        pool.send([{"op": "storm", "scenario": scenario, "uri": uri, "ca_file": server.ca_file, "t0": t0,
                    "chargers": ids[w::pool.n]} for w in range(pool.n)])
        sampler = csms_load.Sampler(server, pool)
        sampler.sleep_until(t0, sample=False)
        sampler.begin()
        results = pool.recv("result", STORM_DEADLINE_S + 30)
        usage = sampler.end()
        pool.send_all(("release",))
        pool.recv("done", 60)
    finally:
        server.cleanup()
    merged: dict[str, Any] = {k: [x for r in results for x in r[k]]
                              for k in ("handshake", "ws_open", "boot", "accepted_at", "start_late")}
    accepted = sorted(merged["accepted_at"])
    errors: dict[str, str] = {}
    for r in results:
        errors.update(r["errors"])
    return {
        "scenario": scenario, "chargers": n, "accepted": len(accepted),
        "failed": sum(r["failed"] for r in results),
        "all_accepted_s": round(accepted[-1], 3) if len(accepted) == n else None,
        "last_accepted_s": round(accepted[-1], 3) if accepted else None,
        "accepted_p50_s": round(csms_load.percentile(accepted, 50), 3) if accepted else None,
        "goal_s": GOAL_S, "goal_met": len(accepted) == n and accepted[-1] < GOAL_S,
        "handshake_ms": _ms(merged["handshake"]), "ws_open_ms": _ms(merged["ws_open"]),
        "boot_answer_ms": _ms(merged["boot"]),
        "client_start_late_ms_max": round(1000 * max(merged["start_late"]), 1) if merged["start_late"] else None,
        "negotiated": next((r["negotiated"] for r in results if r["negotiated"]), {}),
        "errors": errors,
        "server": server.info(),
        "server_log_tail": server.log_tail[-800:] if server.log_tracebacks else "",
        **{k: usage[k] for k in ("server_cpu_percent", "server_rss_mb_start", "server_rss_mb_peak",
                                 "client_cpu_percent", "other_cpu_percent", "disturbed", "sampled_seconds")},
        "server_cpu_seconds": (round(usage["server_cpu_percent"] * usage["sampled_seconds"] / 100, 2)
                               if usage["server_cpu_percent"] is not None else None),
    }


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median "all accepted" time stands for the scenario; every run's time is kept."""
    good = [r for r in runs if "error" not in r]
    if not good:
        return {**runs[-1], "runs": len(runs)}
    ranked = sorted(good, key=lambda r: (r["all_accepted_s"] is None, r["all_accepted_s"] or 0.0))
    chosen = dict(ranked[(len(ranked) - 1) // 2])  # the lower median for an even number of runs
    chosen["runs"] = len(runs)
    chosen["all_accepted_s_each"] = [r.get("all_accepted_s") for r in runs]
    chosen["server_cpu_seconds_each"] = [r.get("server_cpu_seconds") for r in runs]
    chosen["goal_met_runs"] = sum(1 for r in good if r["goal_met"])
    return chosen


# --------------------------------------------------------------------------- reporting

def profile_summary(path: Path, top: int = 25) -> list[str]:
    stats = pstats.Stats(str(path))
    rows = []
    for (file, line, name), (_cc, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((tottime, cumtime, calls, f"{Path(file).name}:{line}({name})"))
    rows.sort(reverse=True)
    return [f"{t:8.3f} {c:8.3f} {n:8d}  {where}" for t, c, n, where in rows[:top]]


def goal(s: dict[str, Any]) -> str:
    """In how many runs the goal was met (the goal is for wss://; the ws:// baseline has none)."""
    if s["scenario"] == "ws":
        return "(baseline)"
    return f"{s.get('goal_met_runs', int(s['goal_met']))}/{s.get('runs', 1)}"


def render(r: dict[str, Any]) -> str:
    f = csms_load.fmt
    lines = ["# TLS connect storm", "", _results.markdown_line(r), "",
             f"{r['parameters']['chargers']:,} chargers connect at the same instant and send one BootNotification "
             f"each; {r['parameters']['workers']} load-client processes on the same machine "
             f"({r['cpu_count']} cores, {r['platform']}, Python {r['python']}, {r['openssl']}). "
             f"Server: `{r['server_command']}`. Goal: all accepted over wss:// in < {GOAL_S:g} s.", "",
             f"Code measured: {r['app']}. Each scenario ran {r['parameters']['repeat']} times against a fresh "
             "server; the row is the run with the median time until all were accepted, every run's time follows it.",
             "",
             "| scenario | negotiated | accepted | all accepted (s) | every run (s) | p50 accepted (s) "
             "| handshake p50 / p99 (ms) | ws open p50 / p99 (ms) | server CPU s (% of a core) | server RSS peak (MB) "
             "| client CPU % | goal met |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in r["scenarios"]:
        if "error" in s:
            lines.append(f"| {s['scenario']} | failed: {s['error'][:200]} ||||||||||")
            continue
        neg = s["negotiated"]
        lines.append(
            f"| {s['scenario']} | {neg.get('version', 'plain ws')} {neg.get('cipher', '')} "
            f"| {f(s['accepted'])}/{f(s['chargers'])} | {f(s['all_accepted_s'], 2)} "
            f"| {', '.join(f(x, 2) for x in s.get('all_accepted_s_each', []))} | {f(s['accepted_p50_s'], 2)} "
            f"| {f(s['handshake_ms']['p50'])} / {f(s['handshake_ms']['p99'])} "
            f"| {f(s['ws_open_ms']['p50'])} / {f(s['ws_open_ms']['p99'])} "
            f"| {f(s['server_cpu_seconds'], 2)} ({f(s['server_cpu_percent'])}) | {f(s['server_rss_mb_peak'])} "
            f"| {f(s['client_cpu_percent'])} | {goal(s)} |")
    lines += ["", "Handshake: from the client's connect() until TCP and TLS are up (for ws://, TCP only), as the "
              "client measured it, so it includes the time a busy server (and the clients' own loops) took to "
              "get to it. Server CPU: seconds used during the storm (all threads), and that as % of one core.",
              "CPU figures on a 2-core machine are shared: clients and server compete for the same cores."]
    for s in r["scenarios"]:
        if s.get("errors"):
            lines += ["", f"Errors in {s['scenario']}: " + "; ".join(f"{k}: {v}" for k, v in s["errors"].items())]
    if r.get("profile"):
        lines += ["", "## Server profile (cProfile, the TLS 1.2 storm, whole server run; tottime, cumtime, calls)", "",
                  "```", *r["profile"], "```"]
    if r.get("notes"):
        lines += ["", "## Notes", "", *(f"- {note}" for note in r["notes"])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chargers", type=int, default=DEFAULT_CHARGERS)
    parser.add_argument("--workers", type=int, default=2, help="load-client processes (default 2)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated: " + ", ".join(SCENARIOS))
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario, each with a fresh server (default 3)")
    parser.add_argument("--profile", action="store_true",
                        help="also run the TLS 1.2 storm with the server under cProfile")
    parser.add_argument("--app-dir", type=Path, default=REPO_ROOT,
                        help="the checkout whose app/ the server runs (default: this one), e.g. an older commit's "
                             "`git archive` for a before/after")
    parser.add_argument("--app-label", default="", help="how the results name --app-dir's code (default: the commit)")
    parser.add_argument("--note", action="append", default=[], help="a line for the Notes section (repeatable)")
    parser.add_argument("--output", type=Path, default=csms_load.RESULTS_DIR / "tls_connect",
                        help="results path without suffix (default benchmarks/results/tls_connect)")
    args = parser.parse_args(argv)
    loadclient.raise_nofile(csms_load.NOFILE_WANT)
    import websockets

    results: dict[str, Any] = {
        "benchmark": "tls_connect", **_results.provenance(), "cpu_count": os.cpu_count(),
        "platform": platform.platform(), "python": platform.python_version(), "openssl": ssl.OPENSSL_VERSION,
        "websockets": websockets.__version__,
        "server_command": "python -m app serve --host 127.0.0.1 --port P --data-dir D --no-file-server "
                          "--tls-port T --security-profile 2 --ca-dir D/ca (the ws baseline: --security-profile 0)",
        "app": args.app_label or (f"this checkout ({_results.git_commit()})" if args.app_dir.resolve() == REPO_ROOT
                                  else str(args.app_dir)),
        "parameters": {"chargers": args.chargers, "workers": args.workers, "goal_s": GOAL_S, "repeat": args.repeat},
        "scenarios": [],
        "notes": list(args.note),
    }
    pool = Pool(args.workers)
    try:
        for scenario in [s.strip() for s in args.scenarios.split(",") if s.strip()]:
            runs = []
            for attempt in range(1, args.repeat + 1):
                print(f"[{time.strftime('%H:%M:%S')}] {scenario}: {args.chargers} chargers, run {attempt}", flush=True)
                try:
                    out = run_scenario(pool, scenario, args.chargers, args.app_dir)
                except Exception as exc:
                    print(f"  FAILED: {exc}", file=sys.stderr)
                    out = {"scenario": scenario, "error": str(exc)}
                    pool.close(fast=True)
                    pool = Pool(args.workers)
                runs.append(out)
                if "error" not in out:
                    print(f"  accepted {out['accepted']}/{out['chargers']}, all in {out['all_accepted_s']} s, "
                          f"handshake p50 {out['handshake_ms']['p50']} ms p99 {out['handshake_ms']['p99']} ms, "
                          f"server CPU {out['server_cpu_seconds']} s, RSS {out['server_rss_mb_peak']} MB", flush=True)
            results["scenarios"].append(summarize(runs))
            _results.write(args.output, results, render(results))
        if args.profile:
            path = Path(tempfile.mkdtemp(prefix="tls-profile-")) / "serve.prof"
            out = run_scenario(pool, "tls1.2", args.chargers, args.app_dir, profile_to=path)
            out["scenario"] = "tls1.2 (server under cProfile)"
            results["scenarios"].append(out)
            if path.exists():
                results["profile"] = profile_summary(path)
                print("\n".join(results["profile"]))
    finally:
        pool.close()
    _results.write(args.output, results, render(results))
    print(f"results: {args.output.with_suffix('.json')}, {args.output.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
