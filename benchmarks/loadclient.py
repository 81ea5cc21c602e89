"""Load-client worker for benchmarks/csms_load.py.

Each worker is a separate process (multiprocessing, spawn) running one asyncio
loop with the websockets asyncio client. It simulates a slice of the chargers
and talks to the orchestrator over a multiprocessing Pipe:

session (paced or closed-loop):
    parent -> {"op": "session", ...}
    worker  -> ("ready", {...})            every charger connected+booted, or given up
    parent -> ("go", t0, t_end, n_total)   or ("abort",)
    worker  -> ("done", {...})             run finished, connections closed

storm:
    parent -> {"op": "storm", "t0": ..., ...}
    worker  -> ("result", {...})           every charger Accepted, failed or timed out
    parent -> ("release",)
    worker  -> ("done", {...})             connections closed

Any failure inside a command is sent back as ("error", traceback-text).

A charger never has more than one CALL outstanding (OCPP-J rule); a round trip
is send -> the CALLRESULT/CALLERROR carrying the same unique id. CALLs the
server sends to a charger are answered with CALLERROR NotImplemented and
counted. Every wait is bounded: a CALL times out after CALL_TIMEOUT seconds.
All times that cross process boundaries are time.time() (same host clock);
latencies are measured with time.perf_counter().
"""

from __future__ import annotations

import array
import asyncio
import collections
import resource
import signal
import time
import traceback
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

CALL, CALLRESULT, CALLERROR = 2, 3, 4
CALL_TIMEOUT = 5.0
SUBPROTOCOL = "ocpp1.6"

BOOT_PAYLOAD = orjson.dumps({"chargePointVendor": "X", "chargePointModel": "Y"})
HEARTBEAT_PAYLOAD = b"{}"
_METER_HEAD = (
    b'{"connectorId":1,"meterValue":[{"timestamp":"2026-01-01T00:00:00Z",'
    b'"sampledValue":[{"value":"'
)
_METER_TAIL = b'","measurand":"Energy.Active.Import.Register","unit":"Wh"}]}]}'


def meter_payload(k: int) -> bytes:
    return b"%s%d.4%s" % (_METER_HEAD, 123 + k, _METER_TAIL)


def raise_nofile(want: int) -> tuple[int, int]:
    """Raise the RLIMIT_NOFILE soft limit towards ``want`` (capped by the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


class Stats:
    """Counters plus, once a window is opened, latencies and per-second completions."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        self.samples: dict[str, str] = {}  # first error text per kind, for diagnosis
        self.lat = array.array("d")  # seconds, completed round trips in the window
        self.per_second: list[int] = []
        self.t0 = 0.0
        self.t_end = 0.0

    def error(self, kind: str, detail: Any = None) -> None:
        self.counts[kind] += 1
        if kind not in self.samples and detail is not None:
            self.samples[kind] = repr(detail)[:300]

    def open_window(self, t0: float, t_end: float) -> None:
        self.t0, self.t_end = t0, t_end
        self.per_second = [0] * max(1, int(-(-(t_end - t0) // 1)))  # ceil

    def record(self, status: str, latency: float | None, done_at: float, detail: Any = None) -> None:
        self.counts["sent"] += 1
        if status == "ok":
            self.counts["ok"] += 1
            self.lat.append(latency)  # type: ignore[arg-type]
            if self.t0 <= done_at < self.t_end:
                self.per_second[int(done_at - self.t0)] += 1
        else:
            self.error(status, detail)

    def export(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "samples": self.samples,
            "lat": self.lat.tobytes(),
            "per_second": self.per_second,
        }


class Charger:
    __slots__ = (
        "index", "cid", "uri", "echo", "ws", "seq", "dead", "booted",
        "connected_at", "accepted_at", "ramp", "run",
    )

    def __init__(self, index: int, cid: str, base_uri: str, echo: bool, ramp: Stats, run: Stats) -> None:
        self.index = index
        self.cid = cid
        self.uri = base_uri + cid
        self.echo = echo
        self.ws: ClientConnection | None = None
        self.seq = 0
        self.dead = False
        self.booted = False
        self.connected_at = 0.0
        self.accepted_at = 0.0
        self.ramp = ramp  # connect/boot counters
        self.run = run  # steady-phase counters

    async def open(self, open_timeout: float) -> bool:
        """Connect, check the subprotocol, BootNotification. True once Accepted."""
        try:
            self.ws = await connect(
                self.uri,
                subprotocols=[SUBPROTOCOL],  # type: ignore[list-item]
                compression=None,
                proxy=None,
                open_timeout=open_timeout,
                ping_interval=None,
                close_timeout=2,
                user_agent_header=None,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # refused, reset, handshake rejected, open timeout...
            self.ramp.error("connect_failed", exc)
            self.dead = True
            return False
        self.connected_at = time.time()
        if self.ws.subprotocol != SUBPROTOCOL and not self.echo:
            self.ramp.error("subprotocol_not_negotiated", self.ws.subprotocol)
            await self.close()
            return False
        status, payload, _ = await self.call(b"BootNotification", BOOT_PAYLOAD)
        if status != "ok":
            self.ramp.error("boot_" + status, payload)
            if not self.dead:
                await self.close()
            return False
        if not self.echo and not (isinstance(payload, dict) and payload.get("status") == "Accepted"):
            self.ramp.error("boot_not_accepted", payload)
            await self.close()
            return False
        self.accepted_at = time.time()
        self.booted = True
        self.ramp.counts["booted"] += 1
        return True

    async def call(self, action: bytes, payload: bytes) -> tuple[str, Any, float | None]:
        """One CALL -> (status, payload-or-detail, latency seconds).

        status: ok | callerror | timeout | disconnect | protocol_error
        """
        ws = self.ws
        assert ws is not None
        self.seq += 1
        mid = str(self.seq)
        frame = b'[2,"%s","%s",%s]' % (mid.encode(), action, payload)
        t = time.perf_counter()
        try:
            await ws.send(frame, text=True)
            async with asyncio.timeout(CALL_TIMEOUT):
                while True:
                    raw = await ws.recv(decode=False)
                    try:
                        msg = orjson.loads(raw)
                        kind, rid = msg[0], msg[1]
                    except Exception:
                        self.run.counts["malformed_frames"] += 1
                        continue
                    if self.echo:  # the echo server sends our CALL back
                        if rid == mid:
                            return "ok", None, time.perf_counter() - t
                        self.run.counts["stray_replies"] += 1
                        continue
                    if kind == CALL:  # server-initiated request: politely decline
                        self.run.counts["server_calls"] += 1
                        await ws.send(
                            orjson.dumps([CALLERROR, rid, "NotImplemented", "load-test charger", {}]),
                            text=True,
                        )
                        continue
                    if rid != mid:  # e.g. the answer to a CALL that already timed out
                        self.run.counts["stray_replies"] += 1
                        continue
                    latency = time.perf_counter() - t
                    if kind == CALLRESULT:
                        return "ok", msg[2], latency
                    if kind == CALLERROR:
                        return "callerror", msg[2:4], latency
                    return "protocol_error", msg, latency
        except TimeoutError:
            return "timeout", f"no answer to {action.decode()} within {CALL_TIMEOUT}s", None
        except ConnectionClosed as exc:
            self.dead = True
            return "disconnect", exc, None
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.dead = True
            return "disconnect", exc, None

    async def run_paced(self, t0: float, t_end: float, n_total: int, period: float = 1.0) -> None:
        """One MeterValues or Heartbeat per period (alternating), staggered by index."""
        k = self.index % 2  # half the fleet starts with MeterValues: an even mix every second
        nxt = t0 + period * (self.index % n_total) / n_total
        stats = self.run
        while not self.dead and nxt < t_end:
            delay = nxt - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if k % 2:
                status, detail, latency = await self.call(b"MeterValues", meter_payload(k))
            else:
                status, detail, latency = await self.call(b"Heartbeat", HEARTBEAT_PAYLOAD)
            done = time.time()
            stats.record(status, latency, done, detail)
            k += 1
            nxt += period
            if nxt < done:  # fell behind: do not burst, skip the missed ticks
                missed = int((done - nxt) / period) + 1
                stats.counts["skipped_ticks"] += missed
                nxt += missed * period

    async def run_closed(self, t0: float, t_end: float) -> None:
        """Back-to-back Heartbeats: the next one as soon as the previous answer arrives."""
        delay = t0 - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        stats = self.run
        while not self.dead and time.time() < t_end:
            status, detail, latency = await self.call(b"Heartbeat", HEARTBEAT_PAYLOAD)
            stats.record(status, latency, time.time(), detail)

    async def close(self) -> None:
        ws, self.ws = self.ws, None
        self.dead = True
        if ws is not None:
            try:
                await ws.close()
            except Exception:
                pass


class Inbox:
    """Messages from the orchestrator, readable from inside the event loop."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[tuple] = asyncio.Queue()
        self.fd = conn.fileno()
        self.loop.add_reader(self.fd, self._readable)

    def _readable(self) -> None:
        try:
            msg = self.conn.recv()
        except (EOFError, OSError):
            msg = ("eof",)
            self.loop.remove_reader(self.fd)
        if not isinstance(msg, tuple) or not msg:
            msg = ("quit",)  # e.g. {"op": "quit"} from an orchestrator that is shutting down
        self.queue.put_nowait(msg)

    async def get(self, timeout: float) -> tuple:
        try:
            async with asyncio.timeout(max(0.0, timeout)):
                return await self.queue.get()
        except TimeoutError:
            return ("timeout",)

    def close(self) -> None:
        self.loop.remove_reader(self.fd)


async def _close_all(chargers: list[Charger], timeout: float = 15.0) -> None:
    tasks = [asyncio.create_task(ch.close()) for ch in chargers if ch.ws is not None]
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


async def _cancel(tasks: set[asyncio.Task] | list[asyncio.Task]) -> None:
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _session(conn: Any, cmd: dict[str, Any]) -> dict[str, Any]:
    inbox = Inbox(conn)
    ramp, run = Stats(), Stats()
    chargers = [Charger(i, cid, cmd["uri"], cmd["echo"], ramp, run) for i, cid in cmd["chargers"]]
    try:
        sem = asyncio.Semaphore(cmd["connect_concurrency"])

        async def open_one(ch: Charger) -> bool:
            async with sem:
                return await ch.open(cmd["open_timeout"])

        t_start = time.time()
        tasks = [asyncio.create_task(open_one(ch)) for ch in chargers]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=max(0.1, cmd["connect_deadline"] - time.time()))
            for _ in pending:
                ramp.error("connect_deadline_exceeded", "ramp-up budget exhausted")
            await _cancel(pending)
        live = [ch for ch in chargers if ch.booted]
        conn.send(("ready", {"booted": len(live), "ramp_seconds": time.time() - t_start,
                             "counts": dict(ramp.counts)}))

        msg = await inbox.get(cmd["go_timeout"])
        if msg[0] != "go":
            return {"aborted": msg[0], "ramp": ramp.export(), "run": run.export()}
        _, t0, t_end, n_total = msg
        run.open_window(t0, t_end)
        if cmd["mode"] == "closed":
            work = [asyncio.create_task(ch.run_closed(t0, t_end)) for ch in live]
        else:
            work = [asyncio.create_task(ch.run_paced(t0, t_end, n_total)) for ch in live]
        if work:
            _, pending = await asyncio.wait(work, timeout=max(0.1, t_end - time.time()) + CALL_TIMEOUT + 5)
            for _ in pending:
                run.error("run_overdue", "charger task still busy after the window")
            await _cancel(pending)
        still_open = sum(1 for ch in live if not ch.dead)
        await _close_all(chargers)
        out = {"ramp": ramp.export(), "run": run.export(), "open_at_end": still_open}
        return out
    finally:
        inbox.close()
        await _close_all(chargers, timeout=5)


async def _storm(conn: Any, cmd: dict[str, Any]) -> dict[str, Any]:
    inbox = Inbox(conn)
    ramp, run = Stats(), Stats()
    chargers = [Charger(i, cid, cmd["uri"], False, ramp, run) for i, cid in cmd["chargers"]]
    try:
        t0 = cmd["t0"]
        delay = t0 - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        started = time.time()
        # No semaphore: every charger connects at once.
        tasks = [asyncio.create_task(ch.open(cmd["open_timeout"])) for ch in chargers]
        launched = time.time()
        _, pending = await asyncio.wait(tasks, timeout=max(0.1, cmd["deadline"] - time.time()))
        for _ in pending:
            ramp.error("storm_deadline_exceeded", "not accepted before the storm deadline")
        await _cancel(pending)
        conn.send(("result", {
            "start_skew": started - t0,
            "launch_seconds": launched - started,
            "accepted_at": [ch.accepted_at - t0 for ch in chargers if ch.booted],
            "connected_at": [ch.connected_at - t0 for ch in chargers if ch.connected_at],
            "counts": dict(ramp.counts),
            "samples": ramp.samples,
            "server_calls": run.counts.get("server_calls", 0),
        }))
        await inbox.get(cmd.get("release_timeout", 120))  # hold the connections until released
        await _close_all(chargers)
        return {"closed": True}
    finally:
        inbox.close()
        await _close_all(chargers, timeout=5)


def worker_main(conn: Any, nofile: int) -> None:
    """multiprocessing target: serve commands until "quit" or the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the orchestrator decides when we stop
    raise_nofile(nofile)
    while True:
        try:
            cmd = conn.recv()
        except (EOFError, OSError):
            return
        op = cmd.get("op") if isinstance(cmd, dict) else None
        if op == "quit" or op is None:
            return
        try:
            if op == "session":
                result = asyncio.run(_session(conn, cmd))
            elif op == "storm":
                result = asyncio.run(_storm(conn, cmd))
            else:
                raise ValueError(f"unknown op {op!r}")
            conn.send(("done", result))
        except BaseException:
            try:
                conn.send(("error", traceback.format_exc()))
            except Exception:
                return
