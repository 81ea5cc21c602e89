"""kill -9 of `serve --json` under load: is every frame event it printed in the journal?

Shared by tests/integration/test_kill9.py (a few kills) and benchmarks/kill9.py (more kills,
figures to a file). Chargers: `quiet` ones send a Heartbeat every few ms, one `busy` one back
to back. The kill comes after a chosen number of printed frame events: a moment picked by a
condition, not by a clock.
"""

from __future__ import annotations

import json
import pathlib
import re
import sqlite3
import subprocess
import sys
import threading

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _charger(base: str, charger_id: str, pause: float, stop: threading.Event) -> None:
    try:
        with connect(base + charger_id, subprotocols=["ocpp1.6"], open_timeout=10) as ws:
            n = 0
            while not stop.is_set():
                ws.send(f'[2,"{charger_id}-{n}","Heartbeat",{{}}]')
                ws.recv(10)
                n += 1
                if pause:
                    stop.wait(pause)
    except (ConnectionClosed, OSError, TimeoutError):
        pass  # the server was killed: that is the point


def run_once(data_dir: pathlib.Path, kill_after_frames: int, chargers: int = 20) -> dict[str, int]:
    """Start serve --json, load it, kill -9 after `kill_after_frames` printed frame events; compare."""
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--json", "--host", "127.0.0.1", "--port", "0",
                             "--data-dir", str(data_dir)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    stop = threading.Event()
    threads: list[threading.Thread] = []
    printed: list[dict] = []
    try:
        first = json.loads(proc.stdout.readline())
        base = re.search(r"ws://127\.0\.0\.1:\d+/", first["urls"][0]).group(0)
        for n in range(chargers):
            pause = 0.0 if n == 0 else 0.005  # one busy charger, the rest quiet
            thread = threading.Thread(target=_charger, args=(base, f"K{n:02d}", pause, stop), daemon=True)
            thread.start()
            threads.append(thread)
        for line in proc.stdout:
            event = json.loads(line)
            if event.get("event") == "frame":
                printed.append(event)
                if len(printed) >= kill_after_frames:
                    break
        proc.kill()  # SIGKILL: no shutdown, no flush
        # What was already in the pipe was printed too: read it to the end.
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a line cut by the kill was never shown whole
            if event.get("event") == "frame":
                printed.append(event)
    finally:
        stop.set()
        if proc.poll() is None:
            proc.kill()
        proc.wait(15)
        proc.stdout.close()
        for thread in threads:
            thread.join(15)
    conn = sqlite3.connect(data_dir / "journal.sqlite3")
    try:
        stored = set(conn.execute("SELECT charger_id, direction, unique_id, message_type FROM frames"))
    finally:
        conn.close()
    missing = [e for e in printed
               if (e["charger_id"], e["direction"], e["unique_id"], e["message_type"]) not in stored]
    return {"printed": len(printed), "journaled": len(stored), "missing": len(missing)}
