"""Current limits and load balancing against the virtual charger over real websockets (services.limits):
a limit set and verified by composite schedule and by the meter values during a charge, cleared again;
a charger with the ignore_limits fault reported as not obeying; a site limit shared by three chargers."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
from typing import AsyncIterator

import ocpp.exceptions
import ocpp.v16
import ocpp.v201
import pytest

from app import simulator
from app.simulator import options as sim_options
from app.csms import engine as csms_engine
from app.domain import errors
from app.services import limits, operations
from tests.integration.test_simulator_vs_csms import running, until

VERSIONS = ["1.6", "2.0.1", "2.1"]


async def start_charge(eng: csms_engine.Engine, charger_id: str, version: str, connector: int = 1) -> str:
    start = operations.quick(version, "start_charge", connector=connector, evse=connector)
    assert operations.judge(start.action, await eng.call(charger_id, start.action, start.payload)).ok
    info = lambda: eng.registry.chargers[charger_id]  # noqa: E731
    await until(lambda: bool(info().transactions))
    return next(iter(info().transactions))


@contextlib.asynccontextmanager
async def charging(eng: csms_engine.Engine, version: str, charger_id: str = "SIM-1",
                   **options: object) -> AsyncIterator[simulator.VirtualCharger]:
    async with running(eng, version, charger_id, **options) as charger:
        await start_charge(eng, charger_id, version)
        yield charger


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_limit_is_verified_by_the_composite_schedule_and_obeyed_in_the_meter_values(engine, version) -> None:
    async with charging(engine, version):
        unlimited = await limits.observe(engine, "SIM-1", 1, 16.0, samples=2, timeout=10)
        assert unlimited.drawing and unlimited.peak_a > 15  # the EV's own 16 A

        result = await limits.set_limit(engine, "SIM-1", 10.0)
        assert result.status == "Accepted" and result.verified, result.message
        assert result.composite_a == 10.0
        assert result.purpose == ("ChargePointMaxProfile" if version == "1.6" else "ChargingStationMaxProfile")

        seen = await limits.observe(engine, "SIM-1", 1, 10.0, samples=3, timeout=10)
        assert seen.obeyed and seen.drawing, seen.message
        assert len(seen.samples) == 3 and 9.0 < seen.peak_a <= 10.0
        assert seen.offered_a == 10.0  # Current.Offered says the limit too

        assert await limits.clear_limit(engine, "SIM-1") == "Accepted"
        assert await limits.clear_limit(engine, "SIM-1") == "Unknown"  # nothing left to clear
        status, amps, schedule = await limits.composite_limit(engine, "SIM-1", 1)
        assert status == "Accepted" and amps == 16.0 and schedule["chargingRateUnit"] == "A"
        after = await limits.observe(engine, "SIM-1", 1, 10.0, samples=2, timeout=10)
        assert not after.obeyed and after.peak_a > 15  # back to the EV's full current


def skewed(seconds: float):
    """A charger clock `seconds` ahead of the laptop's (behind when negative)."""
    return lambda: sim_options.utc_now() + datetime.timedelta(seconds=seconds)


@pytest.mark.parametrize("offset", [-60, 60])
@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_charger_whose_clock_is_off_is_observed_by_when_its_readings_arrive(engine, version, offset) -> None:
    async with charging(engine, version, clock=skewed(offset)):
        assert (await limits.set_limit(engine, "SIM-1", 10.0)).verified
        began = engine.clock()
        seen = await limits.observe(engine, "SIM-1", 1, 10.0, samples=3, timeout=10, settle_s=0.3)
        assert seen.obeyed and seen.drawing and len(seen.samples) == 3, seen.message
        assert all(s.received_ms >= began + 300 for s in seen.samples)  # settled by the CSMS's clock
        assert all((s.ts_ms - s.received_ms) * offset > 0 for s in seen.samples)  # the charger's stamps kept


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_limit_given_a_validity_ends_on_the_chargers_clock(engine, version) -> None:
    ahead = [0.0]
    async with charging(engine, version, clock=lambda: sim_options.utc_now() + datetime.timedelta(seconds=ahead[0])):
        before = engine.clock()
        result = await limits.set_limit(engine, "SIM-1", 10.0, valid_for_s=600)
        assert result.verified and result.composite_a == 10.0, result.message
        valid_to = datetime.datetime.fromisoformat(result.valid_to.replace("Z", "+00:00")).timestamp() * 1000
        assert before + 600_000 <= valid_to <= engine.clock() + 601_000
        assert f"until {result.valid_to[11:16]} UTC" in result.message
        assert (await limits.observe(engine, "SIM-1", 1, 10.0, samples=2, timeout=10)).obeyed

        ahead[0] = 700.0  # the charger's clock passes validTo: the limit no longer holds
        status, amps, _ = await limits.composite_limit(engine, "SIM-1", 1)
        assert (status, amps) == ("Accepted", 16.0)
        after = await limits.observe(engine, "SIM-1", 1, 10.0, samples=2, timeout=10, settle_s=0.3)
        assert not after.obeyed and after.peak_a > 15  # the EV's full current again

        expired = await limits.set_limit(engine, "SIM-1", 10.0, valid_for_s=60)  # ended by the charger's clock
        assert not expired.verified and "already past its end" in expired.message
        assert "Set the charger's clock" in expired.message
        assert (await limits.set_limit(engine, "SIM-1", 10.0)).valid_to == ""


async def test_a_validity_must_be_positive(engine) -> None:
    async with running(engine, "2.0.1"):
        with pytest.raises(errors.ConfigError, match="cannot be valid for 0 s"):
            await limits.set_limit(engine, "SIM-1", 10.0, valid_for_s=0)


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_connector_limit_is_its_tx_default_profile(engine, version) -> None:
    async with charging(engine, version):
        result = await limits.set_limit(engine, "SIM-1", 8.0, connector=1)
        assert result.verified and result.purpose == "TxDefaultProfile", result.message
        status, amps, _ = await limits.composite_limit(engine, "SIM-1", 2)
        assert (status, amps) == ("Accepted", 16.0)  # the other connector is not limited
        assert (await limits.observe(engine, "SIM-1", 1, 8.0, samples=2, timeout=10)).obeyed
        assert await limits.clear_limit(engine, "SIM-1", connector=1, purpose="TxDefaultProfile") == "Accepted"


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_charger_that_ignores_its_limit_is_reported_as_not_obeying(engine, version) -> None:
    async with charging(engine, version, ignore_limits=True):
        result = await limits.set_limit(engine, "SIM-1", 10.0)
        assert result.verified  # it takes the profile and reports it...
        seen = await limits.observe(engine, "SIM-1", 1, 10.0, samples=3, timeout=10)
        assert not seen.obeyed and seen.peak_a > 15  # ...and draws its full current all the same
        assert "does not obey the limit" in seen.message and "peak" in seen.message


async def test_a_refused_profile_says_what_to_do(engine) -> None:
    async with running(engine, "2.0.1"):
        result = await limits.set_limit(engine, "SIM-1", 10.0, stack_level=99)  # deeper than ProfileStackLevel
        assert result.status == "Rejected" and not result.verified
        assert "with Rejected" in result.message and "SmartChargingCtrlr.Enabled" in result.message


async def test_list_profiles_on_201_lists_the_profile_set(engine) -> None:
    async with running(engine, "2.0.1"):
        assert await limits.list_profiles(engine, "SIM-1") == []
        assert (await limits.set_limit(engine, "SIM-1", 12.0)).verified
        assert (await limits.set_limit(engine, "SIM-1", 9.0, connector=2, profile_id=42)).verified
        profiles = await limits.list_profiles(engine, "SIM-1")
        by_id = {p["id"]: p for p in profiles}
        assert set(by_id) == {limits.PROFILE_ID, 42}
        assert by_id[limits.PROFILE_ID]["evseId"] == 0 and by_id[42]["evseId"] == 2
        assert by_id[limits.PROFILE_ID]["chargingProfilePurpose"] == "ChargingStationMaxProfile"
        assert by_id[42]["chargingSchedule"][0]["chargingSchedulePeriod"][0]["limit"] == 9.0


async def test_list_profiles_is_not_in_16_and_says_what_to_do(engine) -> None:
    async with running(engine, "1.6"):
        with pytest.raises(errors.OperationError, match="OCPP 1.6 has no GetChargingProfiles") as caught:
            await limits.list_profiles(engine, "SIM-1")
        assert "GetCompositeSchedule" in caught.value.hint and "ClearChargingProfile" in caught.value.hint


async def test_list_profiles_closes_its_watch_on_timeout_and_cancel(engine) -> None:
    async with running(engine, "2.0.1") as charger:
        assert (await limits.set_limit(engine, "SIM-1", 12.0)).verified

        async def silent(_request_id, _found) -> None:  # accepts GetChargingProfiles, never reports
            return None

        charger.session.send_charging_profiles = silent
        with pytest.raises(errors.ExpectTimeoutError, match="ReportChargingProfiles") as caught:
            await limits.list_profiles(engine, "SIM-1", timeout=0.2)
        assert "0 profile(s) so far" in caught.value.hint and not watching(engine)

        task = asyncio.ensure_future(limits.list_profiles(engine, "SIM-1", timeout=30))
        await until(lambda: ("SIM-1", "ReportChargingProfiles") in watching(engine))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not watching(engine)


@contextlib.asynccontextmanager
async def site(eng: csms_engine.Engine, chargers: list[tuple[str, str, dict]]):
    async with contextlib.AsyncExitStack() as stack:
        yield {charger_id: await stack.enter_async_context(charging(eng, version, charger_id, **options))
               for charger_id, version, options in chargers}


def watching(eng: csms_engine.Engine) -> list[tuple[str, str]]:
    """The (charger, action) watches still open on the engine."""
    return list(eng.messages.active())


def not_connected(eng: csms_engine.Engine, charger_id: str) -> bool:
    try:
        eng.server.session(charger_id)
    except errors.ChargerNotConnectedError:
        return True
    return False


async def test_three_chargers_share_32_a_and_hold_it(engine) -> None:
    async with site(engine, [("SITE-1", "1.6", {}), ("SITE-2", "2.0.1", {}), ("SITE-3", "1.6", {})]):
        result = await limits.balance(engine, 32.0, ["SITE-1", "SITE-2", "SITE-3"], samples=3, timeout=15)
        assert result.share_a == 10.6 and all(r.verified for r in result.limits.values())
        assert result.held, result.message
        assert 30.0 < result.peak_sum_a <= 32.0 and not result.broke
        assert "the site limit held" in result.message


async def test_a_charger_that_cannot_take_its_share_undoes_the_others(engine) -> None:
    async with site(engine, [("SITE-1", "1.6", {}), ("SITE-2", "2.0.1", {})]):
        result = await limits.balance(engine, 32.0, ["SITE-1", "SITE-2", "NOPE"], samples=3, timeout=15)
        assert not result.held and not result.shares_set and not result.observations
        assert "NOPE is not connected" in result.errors["NOPE"] and set(result.errors) == {"NOPE"}
        assert result.cleared == ["SITE-1", "SITE-2"] and result.limits["SITE-1"].status == "Accepted"
        assert "was not set" in result.message and "SITE-1, SITE-2 were cleared again" in result.message
        for charger_id in ("SITE-1", "SITE-2"):  # no share left behind
            assert (await limits.composite_limit(engine, charger_id, 0))[1] == 16.0
        assert not watching(engine)


async def test_a_charger_that_disconnects_is_reported_and_the_others_observed(engine, monkeypatch) -> None:
    async with site(engine, [("SITE-1", "1.6", {}), ("SITE-2", "2.0.1", {}), ("SITE-3", "1.6", {})]) as chargers:
        set_limit = limits.set_limit

        async def then_drop(eng, charger_id, *args, **kwargs):
            result = await set_limit(eng, charger_id, *args, **kwargs)
            if charger_id == "SITE-3":  # it takes its share, then goes off the network
                chargers[charger_id].stop()
                await until(lambda: not_connected(eng, charger_id))
            return result

        monkeypatch.setattr(limits, "set_limit", then_drop)
        result = await limits.balance(engine, 32.0, ["SITE-1", "SITE-2", "SITE-3"], samples=3, timeout=15)
        assert not result.held and result.shares_set and result.peak_sum_a is None
        assert set(result.observations) == {"SITE-1", "SITE-2"} and all(o.obeyed for o in result.observations.values())
        assert "SITE-3 is not connected" in result.errors["SITE-3"] and not result.cleared
        assert "not observed: SITE-3" in result.message
        assert not watching(engine)  # every observation ended, none left watching


async def test_chargers_whose_clocks_disagree_are_summed_by_when_their_readings_arrive(engine) -> None:
    async with site(engine, [("SITE-1", "1.6", {"clock": skewed(-60)}), ("SITE-2", "2.0.1", {"clock": skewed(60)}),
                             ("SITE-3", "1.6", {})]):
        result = await limits.balance(engine, 32.0, ["SITE-1", "SITE-2", "SITE-3"], samples=3, timeout=15)
        assert result.held, result.message
        assert 30.0 < result.peak_sum_a <= 32.0 and not result.broke


async def test_a_charger_that_ignores_its_share_breaks_the_site_limit(engine) -> None:
    async with site(engine, [("SITE-1", "2.0.1", {}), ("SITE-2", "2.0.1", {"ignore_limits": True}),
                             ("SITE-3", "1.6", {})]):
        result = await limits.balance(engine, 32.0, ["SITE-1", "SITE-2", "SITE-3"], samples=3, timeout=15)
        assert not result.held and result.broke == ["SITE-2"]
        assert result.peak_sum_a > 32.0
        assert "did not hold" in result.message and "SITE-2" in result.message


# ---------------------------------------------------------------- the checklist step (services.limit_checks)

from app.domain import runs  # noqa: E402
from app.services import checklists, limit_checks  # noqa: E402,F401  (importing registers the check)
from app.services import runs as run_service  # noqa: E402
from app.storage import runs as run_store  # noqa: E402


def limit_template(tmp_path) -> checklists.Template:
    spec = checklists.StepSpec("current_limit", "Current limit obeyed", check="current_limit", high=10, timeout=15)
    return checklists.Template("limit", "Limit", "", (spec,), tmp_path / "limit.toml")


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_the_current_limit_step_passes_and_leaves_nothing(engine, tmp_path, version) -> None:
    store = run_store.RunStore(tmp_path / "data")
    async with running(engine, version):
        run = await run_service.execute(engine, store, limit_template(tmp_path), "SIM-1")
        step = run.step("current_limit")
        assert step.state is runs.StepState.PASSED, step.reason
        said = {v.name: v.value for v in step.values}
        assert said["limit set"] == 10 and said["composite schedule"] == 10.0 and said["peak current"] <= 10.0
        assert said["current offered"] == 10.0 and not step.on_charger
        assert (await limits.composite_limit(engine, "SIM-1", 1))[:2] == ("Accepted", 16.0)  # the profile cleared
        assert not engine.registry.chargers["SIM-1"].transactions  # the test session was stopped


async def test_the_current_limit_step_passes_on_a_charger_whose_clock_is_behind(engine, tmp_path) -> None:
    store = run_store.RunStore(tmp_path / "data")
    async with running(engine, "1.6", clock=skewed(-60)):
        run = await run_service.execute(engine, store, limit_template(tmp_path), "SIM-1")
        step = run.step("current_limit")
        assert step.state is runs.StepState.PASSED, step.reason
        assert {v.name: v.value for v in step.values}["samples"] == limit_checks.SAMPLES


def refuse_composite(charger: simulator.VirtualCharger, *, call_error: bool = False) -> None:
    """The charger answers GetCompositeSchedule with Rejected (or a CALLERROR NotImplemented)."""
    results = ocpp.v16.call_result if charger.config.ocpp_version == "1.6" else ocpp.v201.call_result

    def refuse(**_kwargs):
        if call_error:
            raise ocpp.exceptions.NotImplementedError(description="no composite schedule here")
        return results.GetCompositeSchedule(status="Rejected")

    charger.session.route_map["GetCompositeSchedule"]["_on_action"] = refuse


@pytest.mark.parametrize("version, call_error", [("1.6", False), ("2.0.1", False), ("1.6", True)])
async def test_a_composite_schedule_not_readable_leaves_the_meter_values_to_judge(engine, tmp_path, version,
                                                                                  call_error) -> None:
    store = run_store.RunStore(tmp_path / "data")
    async with running(engine, version) as charger:
        refuse_composite(charger, call_error=call_error)
        result = await limits.set_limit(engine, "SIM-1", 10.0)  # a failing GetCompositeSchedule is a result too
        assert result.status == "Accepted" and not result.verified and result.composite_a is None
        assert await limits.clear_limit(engine, "SIM-1") == "Accepted"

        run = await run_service.execute(engine, store, limit_template(tmp_path), "SIM-1")
        step = run.step("current_limit")
        assert step.state is runs.StepState.PASSED, step.reason
        said = {v.name: v.value for v in step.values}
        assert said["composite schedule"] == limit_checks.NOT_READABLE and said["peak current"] <= 10.0
        assert "Composite schedule not readable" in step.note and "meter values alone" in step.note
        assert ("NotImplemented" if call_error else "Rejected") in step.note
        assert not step.on_charger and not engine.registry.chargers["SIM-1"].transactions


async def test_a_composite_not_readable_and_a_limit_ignored_fails_on_the_meter_values(engine, tmp_path) -> None:
    store = run_store.RunStore(tmp_path / "data")
    async with running(engine, "2.0.1", ignore_limits=True) as charger:
        refuse_composite(charger)
        run = await run_service.execute(engine, store, limit_template(tmp_path), "SIM-1")
        step = run.step("current_limit")
        assert step.state is runs.StepState.FAILED and "does not obey the limit" in step.reason
        assert {v.name: v.value for v in step.values}["composite schedule"] == limit_checks.NOT_READABLE
        assert not step.on_charger


async def test_the_current_limit_step_fails_a_charger_that_ignores_it(engine, tmp_path) -> None:
    store = run_store.RunStore(tmp_path / "data")
    async with running(engine, "2.0.1", ignore_limits=True):
        run = await run_service.execute(engine, store, limit_template(tmp_path), "SIM-1")
        step = run.step("current_limit")
        assert step.state is runs.StepState.FAILED and "does not obey the limit" in step.reason
        assert not step.on_charger  # the profile was cleared all the same
        assert (await limits.composite_limit(engine, "SIM-1", 0))[1] == 16.0


async def test_a_profile_left_by_a_crashed_run_is_cleared_first(engine, tmp_path) -> None:
    store = run_store.RunStore(tmp_path / "data")
    template = limit_template(tmp_path)
    async with running(engine, "1.6"):
        run = await run_service.execute(engine, store, template, "SIM-1")
        step = run.step("current_limit")
        assert (await limits.set_limit(engine, "SIM-1", 7.0)).verified  # as the check had left it
        step.on_charger = {"charging_profile": {"id": limits.PROFILE_ID, "limit_a": 7.0}}
        store.save_step(run, step)
        run_service.reset_step(store, run, "current_limit")
        again = await run_service.execute(engine, store, template, "SIM-1", resume=store.get(run.id))
        step = again.step("current_limit")
        assert step.state is runs.StepState.PASSED, step.reason
        assert "the 7.0 A charging profile 7301 cleared" in step.note
        assert (await limits.composite_limit(engine, "SIM-1", 0))[1] == 16.0
