"""Upgrading a charger's security profile 0 → 1 → 2 → 3 as one guided action, end to end: the app's
CSMS (ws:// and wss:// listeners, the built-in CA) and the virtual charger over real sockets."""

from __future__ import annotations

import asyncio
import pathlib
from typing import AsyncIterator

import pytest

from app import core
from app.csms import engine as csms_engine
from app.domain import csms_policy, errors
from app.services import certificates
from app.storage import vault as vault_store

from tests.integration.test_simulator_vs_csms import running
from tests.unit.test_vault import MemoryKeyring


@pytest.fixture
async def tls_engine(isolated_data_dir: pathlib.Path) -> AsyncIterator[csms_engine.Engine]:
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    config = csms_policy.CsmsConfig(host="127.0.0.1", port=0, tls=True, tls_port=0, heartbeat_interval=60,
                                    call_timeout=5.0, file_server=False)
    eng = await asyncio.to_thread(core.build_engine, config, isolated_data_dir, None)
    await eng.start()
    try:
        yield eng
    finally:
        await eng.stop()
        eng.close()


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_charger_is_upgraded_from_profile_0_to_3_and_reconnects_at_each(tls_engine, version) -> None:
    vault = vault_store.Vault(MemoryKeyring())
    charger_id = f"UP-{version}"
    async with running(tls_engine, version, charger_id):
        assert tls_engine.registry.chargers[charger_id].security_profile == 0
        seen: list[tuple[int, int, str]] = []
        for profile in (1, 2, 3):
            done = await certificates.upgrade(tls_engine, charger_id, profile, vault=vault,
                                              progress=lambda d, t, m: seen.append((d, t, m)),
                                              csr_timeout=20, reconnect_timeout=20)
            assert done.ok, (done.text, done.steps)
            assert done.profile == profile and tls_engine.registry.chargers[charger_id].security_profile == profile
            assert f"security profile {profile}" in done.text
        titles = [s.title for s in done.steps]
        assert titles == ["CA installed", "Certificate", "Profile 3 set", "Reconnected"]
        assert "signed by the built-in CA" in done.steps[1].detail
        assert seen and seen[-1][0] == seen[-1][1]  # the progress reached its end
        # Now at 3: the CA is on the charger and marked as ours; lower profiles are refused.
        found = await certificates.installed(tls_engine, charger_id)
        assert any(item.ours for item in found), found
        assert certificates.state(tls_engine, charger_id).lowest_allowed == 3
        with pytest.raises(errors.ConfigError, match="would lower it"):
            await certificates.upgrade(tls_engine, charger_id, 2, vault=vault)
        # The password is in the vault, never in the texts shown.
        password = vault.get(charger_id)
        assert password and all(password not in s.detail for s in done.steps)


async def test_an_upgrade_without_a_tls_port_is_refused_before_anything_is_sent(engine) -> None:
    vault = vault_store.Vault(MemoryKeyring())
    async with running(engine, "2.0.1", "UP-NOTLS"):
        with pytest.raises(errors.ConfigError, match="no TLS"):
            await certificates.upgrade(engine, "UP-NOTLS", 2, vault=vault)
        assert "UP-NOTLS" not in engine.config.passwords  # nothing was sent


async def test_the_ca_is_exported_and_a_foreign_root_installed_and_deleted(tls_engine, tmp_path) -> None:
    about = await certificates.authority(tls_engine)
    assert len(about.fingerprint.split(":")) == 32 and about.wss_urls
    pem = await certificates.export_authority(tls_engine, tmp_path / "ca.pem", "pem")
    der = await certificates.export_authority(tls_engine, tmp_path / "ca.der", "der")
    assert pem.read_text().startswith("-----BEGIN CERTIFICATE-----") and der.read_bytes()[:1] == b"\x30"
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    digest = x509.load_der_x509_certificate(der.read_bytes()).fingerprint(hashes.SHA256()).hex(":").upper()
    assert digest == about.fingerprint.upper()
    # A manufacturer root from a file (here: another CA), installed, listed, deleted.
    from app.csms import pki
    other = await asyncio.to_thread(pki.CertificateAuthority.open, tmp_path / "maker")
    async with running(tls_engine, "2.0.1", "UP-CERTS"):
        with pytest.raises(errors.ConfigError, match="not a PEM"):
            await certificates.install_root(tls_engine, "UP-CERTS", "hello", manufacturer=True)
        assert await certificates.install_root(tls_engine, "UP-CERTS", other.pem().decode(),
                                               manufacturer=True) == "Accepted"
        found = await certificates.installed(tls_engine, "UP-CERTS")
        maker = [item for item in found if item.certificate_type == certificates.MANUFACTURER_ROOT]
        assert len(maker) == 1 and not maker[0].ours
        assert await certificates.delete(tls_engine, "UP-CERTS", maker[0]) == "Accepted"
        after = await certificates.installed(tls_engine, "UP-CERTS")
        assert all(item.certificate_type != certificates.MANUFACTURER_ROOT for item in after)


async def test_the_security_step_of_a_run_upgrades_the_charger_and_records_the_ca(tls_engine, engine, tmp_path) -> None:
    from app.domain import runs
    from app.services import checklists, checks
    from app.services import runs as run_service
    from app.storage import runs as run_store

    path = tmp_path / "secure.toml"
    path.write_text('name = "Secure"\n[[step]]\nkey = "security"\ntitle = "Profile 3"\ncheck = "security"\n'
                    'low = 3\ntimeout = 40\n', encoding="utf-8")
    template = checklists.load_file(path, frozenset(checks.CHECKS))
    store = run_store.RunStore(tmp_path / "d")
    vault = vault_store.Vault(MemoryKeyring())
    async with running(tls_engine, "2.0.1", "RUN-SEC"):
        run = await run_service.execute(tls_engine, store, template, "RUN-SEC", vault=vault)
        step = store.get(run.id).step("security")  # as the report reads it
        assert step.state is runs.StepState.PASSED, step.reason
        values = {v.name: v.value for v in step.values}
        assert values["security profile"] == 3 and values["lowest profile admitted from now on"] == 3
        assert values["CA fingerprint (SHA-256)"] == (await certificates.authority(tls_engine)).fingerprint
        assert "upgraded from security profile 0" in step.note
        # Run again: already there, nothing sent.
        again = await run_service.execute(tls_engine, store, template, "RUN-SEC", vault=vault)
        assert again.step("security").state is runs.StepState.PASSED and not again.step("security").note
    # A CSMS without TLS: the step fails before anything is sent, saying what to turn on.
    async with running(engine, "2.0.1", "RUN-PLAIN"):
        run = await run_service.execute(engine, store, template, "RUN-PLAIN", vault=vault)
        step = run.step("security")
        assert step.state is runs.StepState.FAILED and "Settings" in step.reason and "TLS" in step.reason


async def test_a_step_refused_mid_way_ends_the_upgrade_with_the_steps_done_and_why(tls_engine, monkeypatch) -> None:
    class LockedKeyring(MemoryKeyring):
        def set_password(self, service, user, password):
            raise RuntimeError("the keyring is locked")

    async def refuse(engine, charger_id, pem=None, *, manufacturer=False):
        raise errors.OperationRejected("InstallCertificate", "Rejected for CSMSRootCertificate", charger_id,
                                       hint="Delete an old certificate and try again.")

    vault = vault_store.Vault(LockedKeyring())
    async with running(tls_engine, "2.0.1", "UP-HALF"):
        monkeypatch.setattr(certificates, "install_root", refuse)
        done = await certificates.upgrade(tls_engine, "UP-HALF", 2, vault=vault)
    assert not done.ok and done.profile == 0
    assert [(s.title, s.ok) for s in done.steps] == [("Password", False), ("CA installed", False)]
    assert "Rejected for CSMSRootCertificate" in done.steps[-1].detail and "CA installed" in done.text
    # The password was taken by the charger but the keyring would not keep it: the result carries it,
    # for the window to show once, and the step says so.
    assert done.password is not None and not done.password.kept and "locked" in done.steps[0].detail
    assert tls_engine.config.passwords["UP-HALF"] == done.password.password  # the CSMS expects it
