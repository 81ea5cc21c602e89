"""Bystander benchmark: a well-behaved charger's round trip while another charger sends hostile frames.

Goal (hardening issue): no single frame within the frame limit holds the CSMS loop for more
than 25 ms, so a bystander's Heartbeat round trip stays low whatever its neighbour sends.
For each class of frame, a fresh `python -m app serve` is started; one "bystander" charger
sends a Heartbeat every 10 ms (one outstanding CALL) and measures its round trip, while an
"attacker" charger sends the class's frame back to back (waiting for each answer) for
`--seconds`. Writes results/bystander.{json,md}; never asserts a timing.

    .venv/bin/python benchmarks/bystander.py                 # ~1 min
    .venv/bin/python benchmarks/bystander.py --seconds 3 --output /tmp/bystander
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import subprocess
import sys
import multiprocessing
import tempfile
import time
from typing import Any, Callable

from websockets.sync.client import connect

import _results

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.ocpp import actions, examples, rpc  # noqa: E402

GOAL_MS = 25.0
SETTLE_S = 1.0


def heartbeat_70k_keys() -> list[str]:
    # 60,000 keys: ~1 MB, just within the 1 MiB frame limit (70,000 would be refused by size).
    return [json.dumps([2, "a", "Heartbeat", {f"k{n:05d}": n for n in range(60_000)}])]


def nested_empty_lists() -> list[str]:
    return ['[2,"a","Heartbeat",{"a":[' + ",".join(["[]"] * 250_000) + "]}]"]


def notify_report_9000() -> list[str]:
    entry = {"component": {"name": "EVSE"}, "variable": {"name": "Power"}, "variableAttribute": [{"value": "0"}]}
    return [json.dumps([2, "a", "NotifyReport", {"requestId": 1, "generatedAt": "2026-12-03T08:00:00Z", "seqNo": 0,
                                                  "tbc": False, "reportData": [entry] * 9000}])]


def meter_values_14000() -> list[str]:
    sample = {"value": 1234.5, "measurand": "Energy.Active.Import.Register"}
    return [json.dumps([2, "a", "MeterValues", {"evseId": 1, "meterValue": [
        {"timestamp": "2026-12-03T08:00:00Z", "sampledValue": [sample] * 14_000}]}])]


def nested_lists_under_the_cap() -> list[str]:
    """The most containers a frame may hold (rpc.MAX_CONTAINERS), as empty lists."""
    return ['[2,"a","Heartbeat",{"a":[' + ",".join(["[]"] * (rpc.MAX_CONTAINERS - 10)) + "]}]"]


def first_frame_of_every_action() -> list[str]:
    """One schema-minimal request of every charger-initiated 2.0.1 action, right after start."""
    frames = []
    for n, action in enumerate(actions.charger_initiated("2.0.1")):
        frames.append(json.dumps([2, f"f{n}", action, examples.example("2.0.1", action)]))
    return frames


CLASSES: dict[str, tuple[Callable[[], list[str]], bool]] = {
    # name: (frames, repeat them for the whole run?)
    "baseline (no attacker)": (list, True),
    "Heartbeat with 60,000 keys": (heartbeat_70k_keys, True),
    "250,000 nested empty lists": (nested_empty_lists, True),
    "59,990 nested empty lists (just under the cap)": (nested_lists_under_the_cap, True),
    "NotifyReport with 9,000 entries": (notify_report_9000, True),
    "MeterValues with 14,000 samples": (meter_values_14000, True),
    "first frame of every action (fresh server)": (first_frame_of_every_action, False),
}


def start_server(data_dir: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", "0",
                             "--data-dir", data_dir], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    line = proc.stdout.readline()
    match = re.search(r"ws://127\.0\.0\.1:\d+/", line)
    if match is None:
        proc.kill()
        raise RuntimeError(f"serve did not start: {line!r}")
    return proc, match.group(0)


def attack(base: str, name: str, stop: Any, results: Any) -> None:
    """In its own process: the attacker's client work never competes with the bystander's."""
    make, repeat = CLASSES[name]
    frames = make()
    sent = 0
    with connect(base + "ATTACKER", subprotocols=["ocpp2.0.1"], max_size=None, open_timeout=10) as ws:
        while not stop.is_set():
            for frame in frames:
                if stop.is_set():
                    break
                ws.send(frame)
                ws.recv(30)
                sent += 1
            if not repeat:
                break
    results.put(sent)


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_class(name: str, seconds: float) -> dict[str, Any]:
    make, _repeat = CLASSES[name]
    frames = make()
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as data_dir:
        proc, base = start_server(data_dir)
        try:
            stop, sent = context.Event(), context.Queue()
            rtts: list[float] = []
            with connect(base + "BYSTANDER", subprotocols=["ocpp1.6"], open_timeout=10) as ws:
                time.sleep(SETTLE_S)  # the server's start-up (schema warm-up) is not what is measured
                attacker = context.Process(target=attack, args=(base, name, stop, sent), daemon=True)
                attacker.start()
                deadline = time.monotonic() + seconds
                n = 0
                while time.monotonic() < deadline:
                    started = time.perf_counter()
                    ws.send(f'[2,"b{n}","Heartbeat",{{}}]')
                    ws.recv(30)
                    rtts.append((time.perf_counter() - started) * 1000)
                    n += 1
                    time.sleep(0.01)
                stop.set()
                attacker_frames = sent.get(timeout=60)
                attacker.join(60)
        finally:
            proc.terminate()
            proc.wait(15)
    frame_bytes = max((len(f.encode()) for f in frames), default=0)
    return {"class": name, "frame_bytes": frame_bytes, "attacker_frames": attacker_frames, "bystander_calls": len(rtts),
            "p50_ms": percentile(rtts, 50), "p99_ms": percentile(rtts, 99), "max_ms": max(rtts, default=None)}


def fmt(value: Any) -> str:
    return "—" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def render(results: dict[str, Any]) -> str:
    lines = ["# Bystander benchmark", "", _results.markdown_line(results), "",
             f"A bystander charger's Heartbeat round trip (every 10 ms) while another charger sends each class "
             f"of frame back to back, {results['seconds']:g} s per class, fresh `serve` each. "
             f"Goal: no frame holds the loop > {GOAL_MS:g} ms, so the bystander's max stays near that.", "",
             "| class | frame | attacker frames | bystander calls | p50 | p99 | max |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for row in results["classes"]:
        lines.append(f"| {row['class']} | {row['frame_bytes'] / 1000:.0f} kB | {row['attacker_frames']} | "
                     f"{row['bystander_calls']} | {fmt(row['p50_ms'])} ms | {fmt(row['p99_ms'])} ms | "
                     f"{fmt(row['max_ms'])} ms |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds per class (default 8)")
    parser.add_argument("--output", type=pathlib.Path, default=_results.RESULTS_DIR / "bystander",
                        help="results path without suffix")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"benchmark": "bystander", **_results.provenance(), "seconds": args.seconds,
                               "goal_ms": GOAL_MS, "classes": []}
    for name in CLASSES:
        row = run_class(name, args.seconds)
        print(f"{name}: bystander p50 {fmt(row['p50_ms'])} ms, p99 {fmt(row['p99_ms'])} ms, max {fmt(row['max_ms'])} ms "
              f"({row['attacker_frames']} attacker frames)", flush=True)
        results["classes"].append(row)
    for path in _results.write(args.output, results, render(results)):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
