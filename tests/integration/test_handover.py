"""Handover over real sockets: the app's CSMS hands the virtual charger to a second
`commissioner serve` (the operator's backend); it arrives there and the first says so. A wrong URL
makes the charger fall back (and the failure says why); a downgrade is refused before sending."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys

import pytest

from app.domain import errors
from app.services import handover, vendors
from app.storage import vault as vault_store
from tests.integration.test_cli import ROOT, interrupt
from tests.integration.test_passwords import MemoryKeyring
from tests.integration.test_simulator_vs_csms import actions_sent, running


def _operator_backend(tmp_path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--json", "--host", "127.0.0.1", "--port", "0",
                             "--data-dir", str(tmp_path / "operator")], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first = json.loads(proc.stdout.readline())
    assert first["event"] == "listening", first
    return proc, first["urls"][0]


def _booted_at(proc: subprocess.Popen[str], charger_id: str) -> dict:
    """Read the operator's --json events until the charger's boot (blocking: run in a thread)."""
    for line in proc.stdout:
        event = json.loads(line)
        if event.get("event") == "boot" and event.get("charger_id") == charger_id:
            return event
    raise AssertionError("the operator's backend ended without the charger booting there")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
async def test_the_charger_is_handed_over_and_arrives_at_the_operators_backend(engine, tmp_path, version) -> None:
    operator, operator_url = _operator_backend(tmp_path)
    try:
        async with running(engine, version, "HO-1") as charger:
            profile = vendors.for_charger("Commissioner", "VirtualCharger") if version == "1.6" else None
            arrived = asyncio.ensure_future(asyncio.to_thread(_booted_at, operator, "HO-1"))
            result = await handover.hand_over(engine, "HO-1", handover.Target(operator_url), vendor=profile,
                                              stay_away=2.0)
            boot = await asyncio.wait_for(arrived, 30)
            assert result.ok, result.text
            assert "did not come back" in result.text and operator_url in result.text
            assert boot["charger_id"] == "HO-1"
            actions = [s.action for s in result.sent]
            if version == "1.6":
                assert actions[0] == "ChangeConfiguration" and "CentralSystemUrl" in result.sent[0].summary
            else:
                assert actions[:2] == ["SetNetworkProfile", "SetVariables"]
                assert charger.device_model.value("OCPPCommCtrlr", "ActiveNetworkProfile") == "1"
                assert "NetworkConfigurationPriority = 1,0" in result.sent[1].summary  # ours kept as fallback
            assert actions[-1] == "Reset" and all(s.answer in ("Accepted", "RebootRequired") for s in result.sent)
    finally:
        interrupt(operator)
        operator.communicate(timeout=15)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_wrong_url_makes_the_charger_fall_back_and_the_failure_says_why(engine, version) -> None:
    nowhere = f"ws://127.0.0.1:{_free_port()}/ocpp"  # nothing listens there
    async with running(engine, version, "HO-2"):
        probe = await handover.probe(nowhere, timeout=2)
        assert not probe.ok and probe.kind == "refused" and "refuses connections" in probe.detail
        profile = vendors.for_charger("Commissioner", "VirtualCharger") if version == "1.6" else None
        result = await handover.hand_over(engine, "HO-2", handover.Target(nowhere), vendor=profile, stay_away=60)
        assert not result.ok
        assert "came back" in result.text and ("RemoteReset" if version != "1.6" else "no reason") in result.text
        assert result.security_events and "NetworkProfileFallback" in result.security_events[0]
        assert nowhere.rstrip("/") in result.security_events[0]  # where it could not connect


async def test_a_downgrade_is_refused_before_anything_is_sent(engine) -> None:
    async with running(engine, "2.0.1", "HO-3", password="correct horse battery"):  # profile 1 (basic auth)
        with pytest.raises(errors.ConfigError, match="never lowers"):
            await handover.hand_over(engine, "HO-3", handover.Target("ws://operator.example/ocpp", security_profile=0))
        assert set(actions_sent(engine, "HO-3")) <= {"GetVariables", "TriggerMessage", "GetBaseReport"}  # reads only
    with pytest.raises(errors.ConfigError, match="needs TLS"):
        handover.check_target(handover.Target("ws://operator.example/ocpp", security_profile=2), 0)
    with pytest.raises(errors.ConfigError, match="not an OCPP backend"):
        handover.check_target(handover.Target("http://operator.example/ocpp"), 0)


async def test_1_6_without_a_url_key_is_refused_with_what_to_do(engine) -> None:
    async with running(engine, "1.6", "HO-4"):
        generic = vendors.available()["generic"]
        with pytest.raises(errors.ConfigError, match="no standard key") as raised:
            await handover.hand_over(engine, "HO-4", handover.Target("ws://operator.example/ocpp"), vendor=generic)
        assert "vendor profile" in raised.value.hint
        assert "ChangeConfiguration" not in actions_sent(engine, "HO-4") and "Reset" not in actions_sent(engine, "HO-4")


async def test_probe_names_a_host_that_does_not_resolve() -> None:
    probe = await handover.probe("wss://no-such-host.invalid/ocpp", timeout=5)
    assert not probe.ok and probe.kind == "dns" and "does not resolve" in probe.detail


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
async def test_the_operators_password_goes_masked_and_this_csms_expects_it_on_a_fallback(engine, version) -> None:
    nowhere = f"ws://127.0.0.1:{_free_port()}/ocpp"
    secret = "Operator-Pass-0123456"[:20]
    own = "Local-Charger-Pass-1"
    vault = vault_store.Vault(MemoryKeyring())
    vault.set("HO-5", own)  # the password this CSMS gave it earlier
    engine.config.passwords["HO-5"] = own
    async with running(engine, version, "HO-5", password=own) as charger:
        profile = vendors.for_charger("Commissioner", "VirtualCharger") if version == "1.6" else None
        result = await handover.hand_over(engine, "HO-5", handover.Target(nowhere, 1, password=secret),
                                          vendor=profile, stay_away=60, vault=vault)
        assert not result.ok  # nobody there: it came back
        entries = {e.kind: e for e in vault.entries() if e.charger_id == "HO-5"}
        if version == "2.1":  # in the operator's network profile only: back here it uses its own
            assert charger.station.password() == own and engine.config.passwords["HO-5"] == own
            assert entries[vault_store.OPERATOR_PROFILE].password == secret
            assert entries[vault_store.LOCAL].expected and not entries[vault_store.OPERATOR_PROFILE].expected
        else:  # it replaced the charger's own: back here, with the operator's, and let in
            assert charger.station.password() == secret and engine.config.passwords["HO-5"] == secret
            assert set(entries) == {vault_store.OPERATOR}  # the local one is no longer offered as current
            assert entries[vault_store.OPERATOR].password == secret and entries[vault_store.OPERATOR].expected
            assert vault.passwords()["HO-5"] == secret
        assert "keyring" in result.password_note and secret not in result.password_note
    assert all(secret not in s.summary for s in result.sent) and secret not in repr(result)
    if version != "2.1":
        assert any("***" in s.summary for s in result.sent)
    engine.journal.flush()
    assert secret not in " ".join(f.payload for f in engine.journal.reader().frames(charger_id="HO-5", limit=10_000))


async def test_a_password_the_charger_cannot_take_is_refused_before_sending(engine) -> None:
    async with running(engine, "2.0.1", "HO-6"):
        with pytest.raises(errors.ConfigError) as caught:
            await handover.hand_over(engine, "HO-6", handover.Target("ws://127.0.0.1:1/ocpp", 1, password="short"))
    assert "16 to 40" in str(caught.value)
    assert "SetNetworkProfile" not in actions_sent(engine, "HO-6")


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_the_last_step_of_a_run_hands_the_charger_over_and_the_run_says_so(engine, tmp_path, version) -> None:
    from app.domain import runs
    from app.services import checklists, checks
    from app.services import runs as run_service
    from app.storage import runs as run_store

    operator, operator_url = _operator_backend(tmp_path)
    path = tmp_path / "handover.toml"
    path.write_text('name = "Handover"\n'
                    '[[step]]\nkey = "operator_url"\ntitle = "Operator URL"\nentry = "text"\n'
                    '[[step]]\nkey = "handover"\ntitle = "Handed over"\ncheck = "handover"\ntimeout = 40\n',
                    encoding="utf-8")
    template = checklists.load_file(path, frozenset(checks.CHECKS))
    store = run_store.RunStore(tmp_path / "d")
    try:
        async with running(engine, version, "HO-7"):
            arrived = asyncio.ensure_future(asyncio.to_thread(_booted_at, operator, "HO-7"))
            run = await run_service.execute(engine, store, template, "HO-7", values={"operator_url": operator_url})
            await asyncio.wait_for(arrived, 30)
        step = run.step("handover")
        assert step.state is runs.StepState.PASSED, step.reason
        assert {v.name: v.value for v in step.values}["operator URL"] == operator_url
        assert "did not come back" in step.note
        again = store.get(run.id).step("handover")  # on disk, as the report will read it
        assert again.state is runs.StepState.PASSED
        # Without an operator URL the step is not applicable and the charger stays.
        async with running(engine, version, "HO-8"):
            run = await run_service.execute(engine, store, template, "HO-8")
        assert run.step("handover").state is runs.StepState.NOT_APPLICABLE
    finally:
        interrupt(operator)

