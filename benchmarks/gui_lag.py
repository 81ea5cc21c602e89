"""GUI responsiveness: event-loop lag under CSMS load, and time to the first window.

(a) Lag. A fresh process per target builds the GUI as the app does (offscreen QApplication,
qasync loop, the CSMS engine in its worker thread, an EngineBridge) and shows either the whole
`MainWindow(core)` ("window") or only a `LogView` in a bare main window ("dock"), with Follow
on. A 10 ms QTimer (PreciseTimer) records when it really fires; lag = interval - 10 ms. After
an idle phase, a load process (multiprocessing, spawn; websockets asyncio client) opens
`--connections` OCPP 1.6 chargers and sends `--rate` Heartbeat/MeterValues per second each for
`--seconds`, so the journal logs about twice that many frames (requests and answers).

(b) Startup. `python -m app --data-dir D` with COMMISSIONER_STARTUP_PROBE=<file> and
COMMISSIONER_PORT=<free port> writes {"shown_after_s": ...} once the main window is shown,
then quits (contract implemented in app/gui.py). Measured `--startup-runs` times.

Writes results/gui_lag.json and .md (or --output), each with the commit measured and the date
(benchmarks/_results.py); never asserts, targets are reported as met / not met. Everything
listens on and talks to 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import json
import multiprocessing
import os
import pathlib
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT / "benchmarks") not in sys.path:
    sys.path.insert(0, str(ROOT / "benchmarks"))

import _results  # noqa: E402  (benchmarks/ is not a package)

TARGETS = {"lag_p99_ms": 16.0, "lag_max_ms": 50.0, "startup_median_s": 1.5}
TICK_MS = 10
CALL_TIMEOUT = 5.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


# ================================================================ load process (no Qt here)


def load_main(pipe: Any, url: str, connections: int, rate: float, seconds: float) -> None:
    try:
        asyncio.run(_load(pipe, url, connections, rate, seconds))
    except BaseException:
        pipe.send(("error", traceback.format_exc()))


async def _load(pipe: Any, url: str, connections: int, rate: float, seconds: float) -> None:
    from websockets.asyncio.client import connect

    stats = {"sent": 0, "answered": 0, "errors": 0, "connect_failures": 0}
    latencies: list[float] = []
    ready = asyncio.Event()  # every charger booted (or failed)
    go = asyncio.Event()  # the start time is set
    booted = [0]
    first_error: list[str] = []
    start: list[float] = []

    async def call(ws: Any, uid: str, action: str, payload: str) -> None:
        sent = time.perf_counter()
        await ws.send(f'[2,"{uid}","{action}",{payload}]')
        stats["sent"] += 1
        answer = json.loads(await asyncio.wait_for(ws.recv(), CALL_TIMEOUT))
        if answer[0] == 3 and answer[1] == uid:
            stats["answered"] += 1
            latencies.append(time.perf_counter() - sent)
        else:
            stats["errors"] += 1

    async def charger(n: int) -> None:
        cid = f"LAG-{n:04d}"
        try:
            async with connect(url + cid, subprotocols=["ocpp1.6"], open_timeout=10, close_timeout=2) as ws:
                await call(ws, "boot", "BootNotification", '{"chargePointVendor":"Bench","chargePointModel":"Lag"}')
                booted[0] += 1
                if booted[0] == connections:
                    ready.set()
                await go.wait()
                t0 = start[0] + n / connections / rate  # spread the chargers over the period
                for k in range(int(seconds * rate)):
                    delay = t0 + k / rate - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    if k % 2:
                        payload = ('{"connectorId":1,"meterValue":[{"timestamp":"2026-01-01T00:00:00Z",'
                                   f'"sampledValue":[{{"value":"{1000 + k}.5","unit":"Wh"}}]}}]}}')
                        await call(ws, f"m{k}", "MeterValues", payload)
                    else:
                        await call(ws, f"h{k}", "Heartbeat", "{}")
        except Exception as exc:
            if not first_error:
                first_error.append(f"{cid}: {type(exc).__name__}: {exc}")
            stats["errors" if go.is_set() else "connect_failures"] += 1
            if not ready.is_set() and booted[0] + stats["connect_failures"] >= connections:
                ready.set()

    tasks = [asyncio.ensure_future(charger(n)) for n in range(connections)]
    try:
        await asyncio.wait_for(ready.wait(), 60)
    except asyncio.TimeoutError:
        ready.set()
    start.append(time.monotonic() + 0.2)
    go.set()
    pipe.send(("ready", booted[0]))
    began = time.perf_counter()
    await asyncio.wait(tasks, timeout=seconds + 3 * CALL_TIMEOUT)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.perf_counter() - began
    pipe.send(("done", {**stats, "first_error": first_error[0] if first_error else "", "seconds": round(elapsed, 2), "calls_per_s": round(stats["answered"] / elapsed, 1),
                        "rtt_p50_ms": round(percentile(latencies, 50) * 1000, 2),
                        "rtt_p99_ms": round(percentile(latencies, 99) * 1000, 2)}))


# ================================================================ GUI side (child process per target)


def lag_child(target: str, args: argparse.Namespace, out: pathlib.Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    import qasync
    from PySide6 import QtCore, QtWidgets

    from app import core as app_core
    from app.storage import journal as storage_journal
    from app.ui import bridge as ui_bridge
    from app.ui import log_view

    data_dir = pathlib.Path(tempfile.mkdtemp(prefix="gui-lag-"))
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    core = app_core.Core(data_dir, port_override=0)
    core.settings.csms.host = "127.0.0.1"
    core.start()
    if target == "window":
        from app.ui import main_window

        window = main_window.MainWindow(core)
        dock, bridge = window.log, window.bridge
    else:
        window = QtWidgets.QMainWindow()
        dock = log_view.LogView(core.journal_path, window)
        window.setCentralWidget(dock)
        bridge = ui_bridge.EngineBridge(core.engine, window)
        if target == "dock":  # "bare": the same without the log refreshing (the engine's share)
            bridge.frames_arrived.connect(dock.on_frames_arrived)
    window.resize(1360, 860)
    dock.follow.setChecked(True)
    window.show()

    ticks = array.array("d")
    timer = QtCore.QTimer()
    timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    delivered = [0]
    bridge.frames_arrived.connect(lambda n: delivered.__setitem__(0, delivered[0] + n))
    reader = storage_journal.JournalReader(core.journal_path)

    def lags(first: int, last: int) -> dict[str, Any]:
        values = [(b - a) * 1000 - TICK_MS for a, b in zip(ticks[first:last - 1], ticks[first + 1:last])]
        worst = sorted(range(len(values)), key=values.__getitem__)[-5:]
        return {"ticks": len(values), "p50_ms": round(percentile(values, 50), 2),
                "p99_ms": round(percentile(values, 99), 2), "max_ms": round(max(values, default=float("nan")), 2),
                "over_16_ms": sum(v > 16 for v in values),
                # when the worst stalls happened, in seconds from the start of the phase
                "worst_at_s": [[round(ticks[first + i] - ticks[first], 2), round(values[i], 1)] for i in reversed(worst)]}

    async def run() -> dict[str, Any]:
        await asyncio.sleep(1.0)  # first layout and paint
        timer.start()
        idle_from = len(ticks)
        await asyncio.sleep(args.idle_seconds)
        idle = lags(idle_from, len(ticks))
        ctx = multiprocessing.get_context("spawn")
        ours, theirs = ctx.Pipe()
        url = f"ws://127.0.0.1:{core.engine.server.port}/"
        load = ctx.Process(target=load_main, args=(theirs, url, args.connections, args.rate, args.seconds),
                           name="gui-lag-load", daemon=True)
        load.start()
        try:
            message = await _receive(ours, 90)
            if message[0] != "ready":
                raise RuntimeError(f"load process failed: {message[1]}")
            booted = message[1]
            t0, n0, rows0, got0 = time.perf_counter(), len(ticks), reader.count(), delivered[0]
            message = await _receive(ours, args.seconds + 60)
            t1, n1, rows1, got1 = time.perf_counter(), len(ticks), reader.count(), delivered[0]
            if message[0] != "done":
                raise RuntimeError(f"load process failed: {message[1]}")
        finally:
            load.join(10)
            if load.is_alive():
                load.terminate()
                load.join(5)
        timer.stop()
        await asyncio.sleep(1.0)  # the last batches reach the view
        dock.model.refresh()
        return {"target": target, "chargers_booted": booted, "idle": idle,
                "load": lags(n0, n1), "client": message[1], "window_s": round(t1 - t0, 2),
                "frames_logged_per_s": round((rows1 - rows0) / (t1 - t0), 1),
                "frames_delivered_per_s": round((got1 - got0) / (t1 - t0), 1),
                "journal_frames": reader.count(), "rows_in_view": dock.model.rowCount(),
                "view_at_newest": dock.view.verticalScrollBar().value() == dock.view.verticalScrollBar().maximum()}

    try:
        result = loop.run_until_complete(run())
    finally:
        reader.close()
        window.close()
        if target != "window":
            bridge.close()
        core.shutdown()
        shutil.rmtree(data_dir, ignore_errors=True)
    out.write_text(json.dumps(result))


async def _receive(pipe: Any, timeout: float) -> tuple[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pipe.poll():
            return pipe.recv()
        await asyncio.sleep(0.05)
    return ("error", f"no answer from the load process within {timeout:.0f} s")


def measure_lag(target: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "lag.json"
        command = [sys.executable, __file__, "--lag-child", target, "--child-out", str(out),
                   "--seconds", str(args.seconds), "--idle-seconds", str(args.idle_seconds),
                   "--connections", str(args.connections), "--rate", str(args.rate)]
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        try:
            done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                                  timeout=args.seconds + args.idle_seconds + 180)
        except subprocess.TimeoutExpired:
            return {"target": target, "error": "timed out"}
        if done.returncode != 0 or not out.exists():
            return {"target": target, "error": (done.stderr or done.stdout)[-3000:]}
        return json.loads(out.read_text())


# ================================================================ startup


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure_startup(runs: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from app.domain import csms_policy
    from app.storage import settings

    times: list[float] = []
    failures: list[str] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="gui-start-") as tmp:
            data_dir, probe = pathlib.Path(tmp) / "data", pathlib.Path(tmp) / "probe.json"
            data_dir.mkdir()
            settings.save(data_dir, settings.Settings(csms=csms_policy.CsmsConfig(host="127.0.0.1")))
            env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "COMMISSIONER_STARTUP_PROBE": str(probe),
                   "COMMISSIONER_PORT": str(free_port())}
            launched = time.time()  # the same clock as the probe's "shown_at": launch to window, fork included
            process = subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(data_dir)], cwd=ROOT, env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            try:
                _, err = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                _, err = process.communicate(timeout=10)
                err = "did not quit within 30 s; " + (err or "")
            if probe.exists():
                times.append(round(json.loads(probe.read_text())["shown_at"] - launched, 3))
            else:
                failures.append((err or f"exit {process.returncode}, no probe file")[-1500:])
    if not times:
        return {"measured": False, "runs": runs, "failures": failures[:2],
                "note": "app/gui.py did not write the startup probe"}
    return {"measured": True, "runs": runs, "times_s": times, "median_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3), "failures": failures[:2]}


# ================================================================ report


def met(value: float, target: float) -> str:
    return "met" if value == value and value < target else "NOT met"


def markdown(results: dict[str, Any]) -> str:
    cfg = results["config"]
    lines = ["# GUI lag benchmark", "", _results.markdown_line(results), "",
             f"{results['machine']['cpus']} CPUs, {results['machine']['platform']}, Python {results['machine']['python']}, "
             f"PySide6 {results['machine']['pyside6']}, load average {results['machine']['loadavg_1min_before']} before / "
             f"{results['machine']['loadavg_1min_after']} after (1 min), QT_QPA_PLATFORM=offscreen. "
             f"Load: {cfg['connections']} OCPP 1.6 "
             f"chargers x {cfg['rate']:g} msg/s (Heartbeat/MeterValues) for {cfg['seconds']:g} s from a separate process.",
             "", "## Event-loop lag (10 ms PreciseTimer; lag = real interval - 10 ms)", "",
             "window: the whole MainWindow(core); dock: only the LogView (Follow on) in a bare main window; "
             "bare: the same LogView not refreshed, i.e. the engine thread's and the bridge's share.", "",
             "| target | phase | ticks | p50 ms | p99 ms | max ms | p99 < 16 | max < 50 | frames logged/s | "
             "client calls/s | client RTT p99 ms | rows in view / journal |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for run in results["lag"]:
        if "error" in run:
            lines.append(f"| {run['target']} | failed | | | | | | | | | | |")
            continue
        for phase in ("idle", "load"):
            lag = run[phase]
            loaded = phase == "load"
            lines.append(
                f"| {run['target']} | {phase} | {lag['ticks']} | {lag['p50_ms']} | {lag['p99_ms']} | {lag['max_ms']} | "
                f"{met(lag['p99_ms'], TARGETS['lag_p99_ms'])} | {met(lag['max_ms'], TARGETS['lag_max_ms'])} | "
                + (f"{run['frames_logged_per_s']} | {run['client']['calls_per_s']} | {run['client']['rtt_p99_ms']} | "
                   f"{run['rows_in_view']} / {run['journal_frames']} |" if loaded else " | | | |"))
    for run in results["lag"]:
        if "error" in run:
            lines += ["", f"{run['target']} failed:", "```", run["error"], "```"]
    start = results["startup"]
    lines += ["", "## Time to the first shown window (`python -m app`, offscreen)", ""]
    if start.get("measured"):
        lines += [f"{start['runs']} runs: median {start['median_s']} s, max {start['max_s']} s "
                  f"(target median < 1.5 s: {met(start['median_s'], TARGETS['startup_median_s'])}); "
                  f"runs: {', '.join(str(t) for t in start['times_s'])} s."]
    else:
        lines += [f"Not measured: {start.get('note', 'skipped')}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="load duration (default 30)")
    parser.add_argument("--idle-seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0, help="messages per second per charger")
    parser.add_argument("--targets", default="window,dock", help="comma-separated: window (MainWindow), dock (LogView only), "
                        "bare (LogView not refreshed: the engine's and bridge's share of the lag)")
    parser.add_argument("--startup-runs", type=int, default=5, help="0 skips the startup measurement")
    parser.add_argument("--output", type=pathlib.Path, default=ROOT / "benchmarks" / "results" / "gui_lag",
                        help="path without suffix")
    parser.add_argument("--lag-child", choices=["window", "dock", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=pathlib.Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.lag_child:
        lag_child(args.lag_child, args, args.child_out)
        return 0
    import PySide6

    results: dict[str, Any] = {
        "benchmark": "gui_lag", **_results.provenance(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "pyside6": PySide6.__version__,
                    # other work on the host disturbs the figures: compare with the CPU count
                    "loadavg_1min_before": round(os.getloadavg()[0], 2)},
        "config": {"seconds": args.seconds, "connections": args.connections, "rate": args.rate,
                   "idle_seconds": args.idle_seconds},
        "targets": TARGETS, "lag": [], "startup": {"measured": False, "note": "skipped"}}
    for target in [t.strip() for t in args.targets.split(",") if t.strip()]:
        print(f"lag with {target} ({args.seconds:g} s of load)…", flush=True)
        results["lag"].append(measure_lag(target, args))
        print(json.dumps(results["lag"][-1])[:600], flush=True)
    if args.startup_runs:
        print(f"startup x {args.startup_runs}…", flush=True)
        results["startup"] = measure_startup(args.startup_runs)
        print(json.dumps(results["startup"])[:600], flush=True)
    results["machine"]["loadavg_1min_after"] = round(os.getloadavg()[0], 2)
    _results.write(args.output, results, markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
