"""`commissioner serve` as a process: the contract acceptance checks rely on."""

from __future__ import annotations

import json
import pathlib
import re
import signal
import subprocess
import sys

import pytest
from websockets.sync.client import connect

ROOT = pathlib.Path(__file__).resolve().parents[2]
WINDOWS = sys.platform == "win32"
# Windows delivers no catchable SIGTERM/SIGINT to another process (send_signal kills it or raises
# ValueError); Ctrl+Break to the child's own process group is the clean way to stop a console app.
POPEN_FLAGS = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if WINDOWS else {}


def popen(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "app", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **POPEN_FLAGS)


def interrupt(proc: subprocess.Popen[str], posix_signal: int = signal.SIGTERM) -> None:
    proc.send_signal(signal.CTRL_BREAK_EVENT if WINDOWS else posix_signal)


def start(tmp_path: pathlib.Path, *extra: str) -> subprocess.Popen[str]:
    return popen("serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(tmp_path / "d"), *extra)


def stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    interrupt(proc)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    return out, err


def test_serve_prints_listening_and_journals(tmp_path: pathlib.Path) -> None:
    proc = start(tmp_path)
    try:
        line = proc.stdout.readline()
        assert "listening" in line
        url = re.search(r"ws://127\.0\.0\.1:\d+/", line).group(0)
        with connect(url + "CLI-1", subprotocols=["ocpp1.6"]) as ws:
            ws.send('[2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]')
            assert json.loads(ws.recv(5))[2]["status"] == "Accepted"
    finally:
        out, _ = stop(proc)
    # Without --json, one human line per connection, boot and disconnection.
    assert re.search(r"\d\d:\d\d:\d\d CLI-1 connected \(OCPP 1\.6 from 127\.0\.0\.1:\d+, security profile 0\)", out), out
    assert "CLI-1 booted: Accepted (V M)" in out and "CLI-1 disconnected" in out
    assert (tmp_path / "d" / "journal.sqlite3").exists()
    assert (tmp_path / "d" / "logs" / "commissioner.log").exists()


def test_serve_json_streams_one_object_per_event(tmp_path: pathlib.Path) -> None:
    proc = start(tmp_path, "--json", "--boot-status", "Pending", "--heartbeat-interval", "70",
                 "--pending-interval", "7")
    try:
        first = json.loads(proc.stdout.readline())
        assert first["event"] == "listening"
        url = first["urls"][0]
        with connect(url + "CLI-2", subprotocols=["ocpp2.0.1"]) as ws:
            ws.send('[2,"b","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}]')
            answer = json.loads(ws.recv(5))
            assert (answer[2]["status"], answer[2]["interval"]) == ("Pending", 7)
    finally:
        out, _ = stop(proc)
    events = [json.loads(line) for line in out.splitlines()]
    kinds = [e["event"] for e in events]
    # Frame events come once the frame is in the journal, so they may follow the boot event.
    # (the connection note is a frame too, and may be printed before the boot event)
    assert [k for k in kinds if k != "frame"][:2] == ["connected", "boot"]
    assert "frame" in kinds and "disconnected" in kinds
    frames = [e for e in events if e["event"] == "frame" and e["message_type"] != 1]  # 1: connection notes
    assert [(f["direction"], f["action"]) for f in frames] == [("in", "BootNotification"),
                                                               ("out", "BootNotification")]
    notes = [e["action"] for e in events if e["event"] == "frame" and e["message_type"] == 1]
    assert notes == ["Connected", "Disconnected"]


def test_serve_json_answers_chargers_while_nobody_reads_stdout(tmp_path: pathlib.Path) -> None:
    # Far more events than a pipe holds (64 KiB on Linux): printing must never block the CSMS.
    proc = start(tmp_path, "--json")
    try:
        url = json.loads(proc.stdout.readline())["urls"][0]
        with connect(url + "CLI-3", subprotocols=["ocpp1.6"]) as ws:
            for i in range(1000):
                ws.send(f'[2,"h{i}","Heartbeat",{{}}]')
                assert json.loads(ws.recv(5))[:2] == [3, f"h{i}"]
    finally:
        out, _ = stop(proc)
    events = [json.loads(line) for line in out.splitlines()]
    assert sum(e["event"] == "frame" and e["message_type"] != 1 for e in events) == 2000  # nothing lost at shutdown
    assert [e["event"] for e in events if e["event"] != "frame"][-1] == "disconnected"


@pytest.mark.parametrize("flags", [["--strict-for", "STRICT-1"], ["--strict", "--tolerant-for", "LAX-1"]],
                         ids=["strict-for", "strict-tolerant-for"])
def test_serve_sets_the_mode_per_charger(tmp_path: pathlib.Path, flags: list[str]) -> None:
    proc = start(tmp_path, "--json", *flags)
    answers = {}
    try:
        url = json.loads(proc.stdout.readline())["urls"][0]
        for charger_id in ("STRICT-1", "LAX-1"):
            with connect(url + charger_id, subprotocols=["ocpp1.6"]) as ws:
                # "status" is required: strict answers a CallError, tolerant accepts it all the same.
                ws.send('[2,"s","StatusNotification",{"connectorId":1,"errorCode":"NoError"}]')
                answers[charger_id] = json.loads(ws.recv(5))
    finally:
        stop(proc)
    assert answers["STRICT-1"][:3] == [4, "s", "OccurenceConstraintViolation"]
    assert answers["LAX-1"] == [3, "s", {}]


def test_serve_reports_a_busy_port(tmp_path: pathlib.Path) -> None:
    first = start(tmp_path)
    try:
        port = re.search(r":(\d+)/", first.stdout.readline()).group(1)
        second = subprocess.run(
            [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", port, "--data-dir",
             str(tmp_path / "e")], cwd=ROOT, capture_output=True, text=True, timeout=30)
        assert second.returncode == 2
        assert f"Port {port}" in second.stderr and "already in use" in second.stderr
    finally:
        stop(first)


@pytest.mark.skipif(WINDOWS, reason="POSIX signal dispositions")
@pytest.mark.parametrize("posix_signal", [signal.SIGINT, signal.SIGTERM])
def test_simulate_stops_on_a_signal_even_when_started_with_sigint_ignored(tmp_path: pathlib.Path,
                                                                         posix_signal: int) -> None:
    """A shell script's background job (`simulate ... &`) starts with SIGINT ignored; kill -INT still stops it."""
    server = start(tmp_path, "--json")
    try:
        url = json.loads(server.stdout.readline())["urls"][0]
        fleet = subprocess.Popen([sys.executable, "-m", "app", "simulate", "--url", url, "--id", "IGN", "--ocpp", "1.6"],
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        try:
            while True:
                event = json.loads(server.stdout.readline())
                if event["event"] == "boot" and event["status"] == "Accepted":
                    break
            fleet.send_signal(posix_signal)
            _, err = fleet.communicate(timeout=60)
        finally:
            if fleet.poll() is None:
                fleet.kill()
                fleet.communicate()
        assert fleet.returncode == 0, err
        while True:  # the charger closed its connection on the way out
            event = json.loads(server.stdout.readline())
            if event["event"] == "disconnected":
                assert event["charger_id"] == "IGN"
                break
    finally:
        stop(server)


def test_simulate_runs_a_fleet_with_numbered_ids(tmp_path: pathlib.Path) -> None:
    server = start(tmp_path, "--json")
    try:
        url = json.loads(server.stdout.readline())["urls"][0]
        fleet = popen("simulate", "--url", url, "--id", "SIMCLI", "--ocpp", "2.0.1", "--count", "3")
        booted: set[str] = set()
        try:
            while len(booted) < 3:
                event = json.loads(server.stdout.readline())
                if event["event"] == "boot" and event["status"] == "Accepted":
                    booted.add(event["charger_id"])
        finally:
            interrupt(fleet, signal.SIGINT)
            _, fleet_err = fleet.communicate(timeout=20)
        assert booted == {"SIMCLI-0001", "SIMCLI-0002", "SIMCLI-0003"}
        assert fleet.returncode == 0, fleet_err
    finally:
        stop(server)


def test_serve_and_simulate_take_the_password_from_a_file_or_the_environment(tmp_path: pathlib.Path) -> None:
    secret = tmp_path / "password.txt"
    secret.write_text("s3cret-pass\n")
    server = start(tmp_path, "--password-file", str(secret))
    try:
        url = re.search(r"ws://127\.0\.0\.1:\d+/", server.stdout.readline()).group(0)
        env = {**__import__("os").environ, "COMMISSIONER_PASSWORD": "s3cret-pass"}
        fleet = subprocess.Popen([sys.executable, "-m", "app", "simulate", "--url", url, "--id", "PW-1",
                                  "--ocpp", "1.6"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=env, **POPEN_FLAGS)
        try:
            while "PW-1 booted: Accepted" not in (line := server.stdout.readline()):
                assert line, "serve ended before the charger booted"
        finally:
            interrupt(fleet, signal.SIGINT)
            _, fleet_err = fleet.communicate(timeout=20)
        assert "--password is visible" not in fleet_err  # no warning: the password came from the environment
        assert "s3cret-pass" not in fleet_err
    finally:
        stop(server)


def test_serve_plan_commissions_each_charger_and_exits_with_the_verdict(tmp_path: pathlib.Path) -> None:
    """The headless contract: serve --plan --out --once, a virtual charger, the report files, exit 0."""
    out = tmp_path / "reports"
    server = start(tmp_path, "--plan", str(ROOT / "resources" / "plans" / "bench.toml"), "--out", str(out),
                   "--once", "1")
    try:
        url = re.search(r"ws://127\.0\.0\.1:\d+/", server.stdout.readline()).group(0)
        fleet = popen("simulate", "--url", url, "--id", "PLAN-1", "--ocpp", "2.0.1")
        try:
            stdout, stderr = server.communicate(timeout=180)
        finally:
            interrupt(fleet, signal.SIGINT)
            fleet.communicate(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, stderr
    assert "PLAN-1 step boot PASSED" in stdout and "PLAN-1 step test_charge PASSED" in stdout
    summary = next(line for line in stdout.splitlines() if " run " in line)
    assert "PASSED" in summary
    files = sorted(p.name for p in (out / "PLAN-1").iterdir())
    run_id = files[0].split(".")[0]
    assert files == [f"{run_id}.json", f"{run_id}.pdf", f"{run_id}.trace.jsonl"]
    listed = subprocess.run([sys.executable, "-m", "app", "runs", "--data-dir", str(tmp_path / "d")], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    assert run_id in listed and "passed" in listed
    again = subprocess.run([sys.executable, "-m", "app", "report", run_id, "--out", str(tmp_path / "again"),
                            "--data-dir", str(tmp_path / "d")], cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again" / "PLAN-1" / f"{run_id}.pdf").stat().st_size > 5000


@pytest.mark.parametrize("command", [["runs"], ["runs", "--json"], ["report", "20261203-180100-abcdef", "--out", "OUT"]],
                         ids=["runs", "runs-json", "report"])
def test_runs_and_report_with_a_data_dir_that_holds_no_runs_say_so_and_create_nothing(
        tmp_path: pathlib.Path, command: list[str]) -> None:
    out = tmp_path / "out"
    command = [str(out) if part == "OUT" else part for part in command]
    typo = tmp_path / "dta"  # mistyped: no such folder
    empty = tmp_path / "empty"  # a folder, but no runs database in it
    empty.mkdir()
    for data_dir in (typo, empty):
        done = subprocess.run([sys.executable, "-m", "app", *command, "--data-dir", str(data_dir)], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, done.stderr
        assert f"No runs in {data_dir / 'runs.sqlite3'}" in done.stderr and "--data-dir" in done.stderr, done.stderr
        assert done.stdout == ""
    assert not typo.exists()
    assert list(empty.iterdir()) == []
    assert not out.exists()


def test_serve_help_shows_where_the_reports_go_by_default(capsys) -> None:
    from app import cli

    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "default: reports, in the current folder" in shown


def test_runs_lists_start_times_in_utc_as_the_report_does(tmp_path: pathlib.Path) -> None:
    """Whatever the computer's zone, `runs` says UTC, and the time is the one the report gives."""
    import os

    from app.domain import runs
    from app.report import document
    from app.storage import runs as run_store

    store = run_store.RunStore(tmp_path / "d")
    started_ms = 1_796_317_260_000  # 2026-12-03 17:01 UTC; 22:31 in Kolkata
    store.save(runs.Run(id="r-utc", charger_id="CP-1", template="bench", started_ms=started_ms))
    store.close()
    listed = subprocess.run([sys.executable, "-m", "app", "runs", "--data-dir", str(tmp_path / "d")], cwd=ROOT,
                            capture_output=True, text=True, check=True, env={**os.environ, "TZ": "Asia/Kolkata"}).stdout
    assert "r-utc  2026-12-03 17:01 UTC  CP-1  bench  unfinished" in listed, listed
    assert document.iso(started_ms).startswith("2026-12-03T17:01:00+00:00")


def test_serve_trusts_an_operator_ca_and_clears_a_downgrade_record(tmp_path: pathlib.Path) -> None:
    from app.csms import pki

    operator = pki.CertificateAuthority.open(tmp_path / "operator")
    (tmp_path / "operator.pem").write_bytes(operator.pem())
    records = tmp_path / "d" / "security"
    records.mkdir(parents=True)
    (records / "profiles.json").write_text(json.dumps(
        {"schema_version": 1, "chargers": {"CLI-L": {"profile": 2, "since_ms": 1}}}), encoding="utf-8")
    proc = start(tmp_path, "--tls-port", "0", "--no-file-server", "--operator-ca", str(tmp_path / "operator.pem"),
                 "--allow-lower", "CLI-L")
    try:
        line = proc.stdout.readline()
        assert "wss://127.0.0.1:" in line
        with connect(re.search(r"ws://127\.0\.0\.1:\d+/", line).group(0) + "CLI-L", subprotocols=["ocpp1.6"]) as ws:
            ws.send('[2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]')
            assert json.loads(ws.recv(5))[2]["status"] == "Accepted"  # profile 0 let in again
    finally:
        _, err = stop(proc)
    assert "trusting client certificates of the operator CA" in err and "CLI-L may connect" in err
    kept = list((tmp_path / "d" / "ca" / "operator").glob("*.pem"))
    assert len(kept) == 1 and kept[0].read_bytes() == operator.pem()


def test_the_window_opens_and_closes_with_nothing_left_pending(tmp_path) -> None:
    # The startup probe opens the window and quits at once: what its pages were still awaiting
    # (the Security page's first CA read) is cancelled and let end, not destroyed pending.
    import os

    env = dict(os.environ, COMMISSIONER_STARTUP_PROBE=str(tmp_path / "probe.json"), COMMISSIONER_PORT="0",
               QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(tmp_path / "data")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads((tmp_path / "probe.json").read_text())["shown_after_s"] > 0
    assert "Task was destroyed but it is pending" not in done.stderr, done.stderr[-2000:]
