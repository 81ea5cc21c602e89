"""What `serve --json` printed is on disk, even after kill -9 at an arbitrary moment; a run killed
during its test charge resumes by stopping the session it left on the charger."""

from __future__ import annotations

import json
import os
import pathlib
import re
import signal
import sqlite3
import subprocess
import sys

import pytest

from app.domain import runs
from app.storage import runs as run_store
from tests.integration import kill9_harness


@pytest.mark.parametrize("kill_after", [37, 400, 1500])
def test_every_printed_frame_survives_kill_9(tmp_path: pathlib.Path, kill_after: int) -> None:
    outcome = kill9_harness.run_once(tmp_path / "data", kill_after)
    assert outcome["printed"] >= kill_after
    assert outcome["missing"] == 0, outcome


CHARGE_ONLY = """
id = "charge-only"
name = "Boot and test charge"
description = "kill -9 during the test charge, then resume"

[[step]]
key = "boot"
title = "Boot"
check = "boot"

[[step]]
key = "test_charge"
title = "Test charge"
check = "test_charge"
timeout = 60

[[step]]
key = "status"
title = "Status"
check = "status"
"""


@pytest.mark.timeout(240)
@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_kill_9_during_the_test_charge_stops_the_session_left_running_then_charges_afresh(
        tmp_path: pathlib.Path, version: str) -> None:
    """serve --plan is killed -9 while the test charge's session runs on the charger; the charger
    keeps charging and reconnects to the restarted serve, which resumes the run: it stops that
    session first (its id was on disk the moment the charger said it), then runs the test charge
    again, instead of failing on the charger's refusal of a second start."""
    (tmp_path / "charge-only.toml").write_text(CHARGE_ONLY, encoding="utf-8")
    plan = tmp_path / "plan.toml"
    plan.write_text('template = "charge-only.toml"\nchargers = ["*"]\n', encoding="utf-8")
    data = tmp_path / "data"

    def serve(*extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--data-dir", str(data),
                                 "--plan", str(plan), "--out", str(tmp_path / "out"), *extra], cwd=kill9_harness.ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    first = serve("--port", "0")
    fleet = None
    try:
        url = re.search(r"ws://127\.0\.0\.1:\d+/", first.stdout.readline()).group(0)
        fleet = subprocess.Popen([sys.executable, "-m", "app", "simulate", "--url", url, "--id", "K9C",
                                  "--ocpp", version], cwd=kill9_harness.ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        while " step test_charge running: transaction " not in (line := first.stdout.readline()):
            assert line, first.stderr.read()
            assert " step test_charge " not in line, line  # it ended without saying its session
        transaction = line.split(" transaction ")[1].split()[0]
        os.kill(first.pid, signal.SIGKILL)  # the session runs on; nobody stops it
        first.wait(10)
        store = run_store.RunStore(data, read_only=True)
        try:
            [header] = store.list()
            step = store.get(header.id).step("test_charge")
        finally:
            store.close()
        assert step.state is runs.StepState.RUNNING and step.on_charger["transaction"]["id"] == transaction

        # The same port: the charger comes back by itself, as it would to a laptop restarting serve.
        second = serve("--port", url.rsplit(":", 1)[1].strip("/"), "--once", "1")
        try:
            out, err = second.communicate(timeout=180)
        finally:
            if second.poll() is None:
                second.kill()
                second.communicate()
    finally:
        if first.poll() is None:
            first.kill()
        first.communicate()
        if fleet is not None:
            fleet.send_signal(signal.SIGINT)
            fleet.wait(20)
    assert f"K9C resumes run {header.id}" in out, out + err
    assert second.returncode == 0, out + err  # the resumed run passed
    store = run_store.RunStore(data, read_only=True)
    try:
        run = store.get(header.id)
    finally:
        store.close()
    charge = run.step("test_charge")
    assert charge.state is runs.StepState.PASSED, charge.reason
    assert f"transaction {transaction} on connector" in charge.note and "was stopped first" in charge.note
    assert not charge.on_charger
    fresh = next(v.value for v in charge.values if v.name == "transaction")
    assert str(fresh) != transaction  # charged afresh, in a session of its own
    stop = "RemoteStopTransaction" if version == "1.6" else "RequestStopTransaction"
    conn = sqlite3.connect(data / "journal.sqlite3")
    try:
        stops = [(frame_id, json.loads(payload)[3]) for frame_id, payload in conn.execute(
            "SELECT id, payload FROM frames WHERE action = ? AND direction = 'out' AND message_type = 2", (stop,))]
    finally:
        conn.close()
    earlier = [frame_id for frame_id, request in stops if str(request["transactionId"]) == transaction]
    assert earlier and earlier[0] in charge.evidence  # the stop of the earlier session proves the note
