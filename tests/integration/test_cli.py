"""`commissioner serve` as a process: the contract acceptance checks rely on."""

from __future__ import annotations

import json
import pathlib
import re
import signal
import subprocess
import sys

from websockets.sync.client import connect

ROOT = pathlib.Path(__file__).resolve().parents[2]


def start(tmp_path: pathlib.Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir",
         str(tmp_path / "d"), *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGTERM)
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
        stop(proc)
    assert (tmp_path / "d" / "journal.sqlite3").exists()
    assert (tmp_path / "d" / "logs" / "commissioner.log").exists()


def test_serve_json_streams_one_object_per_event(tmp_path: pathlib.Path) -> None:
    proc = start(tmp_path, "--json", "--boot-status", "Pending", "--heartbeat-interval", "7")
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
    assert kinds[:2] == ["connected", "frame"] and "boot" in kinds and "disconnected" in kinds
    frames = [e for e in events if e["event"] == "frame"]
    assert [(f["direction"], f["action"]) for f in frames] == [("in", "BootNotification"),
                                                               ("out", "BootNotification")]


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


def test_simulate_runs_a_fleet_with_numbered_ids(tmp_path: pathlib.Path) -> None:
    server = start(tmp_path, "--json")
    try:
        url = json.loads(server.stdout.readline())["urls"][0]
        fleet = subprocess.Popen([sys.executable, "-m", "app", "simulate", "--url", url, "--id", "SIMCLI",
                                  "--ocpp", "2.0.1", "--count", "3"], cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        booted: set[str] = set()
        try:
            while len(booted) < 3:
                event = json.loads(server.stdout.readline())
                if event["event"] == "boot" and event["status"] == "Accepted":
                    booted.add(event["charger_id"])
        finally:
            fleet.send_signal(signal.SIGINT)
            fleet.communicate(timeout=20)
        assert booted == {"SIMCLI-0001", "SIMCLI-0002", "SIMCLI-0003"}
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=15)
