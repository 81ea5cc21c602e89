"""A charger gets a password of its own over real sockets: it is sent (2.x BasicAuthPassword, 1.6
AuthorizationKey as hex), the CSMS expects it from that charger from then on, it is kept in the
vault, and it never appears in the journal."""

from __future__ import annotations

import base64

import keyring.errors
import pytest
import websockets
import websockets.asyncio.client

from app.domain import errors
from app.services import passwords
from app.storage import vault as vault_store
from tests.conftest import url
from tests.integration.test_simulator_vs_csms import actions_sent, running, until


class MemoryKeyring:
    """A keyring backend that keeps items in a dict (what the OS keyring does, minus the disk)."""
    priority = 1

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.items.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.items[(service, user)] = password

    def delete_password(self, service: str, user: str) -> None:
        if self.items.pop((service, user), None) is None:
            raise keyring.errors.PasswordDeleteError(user)


SECURED = "Shared-Bench-Pass-01"  # the simulator then runs security profile 1 (basic auth)


async def _refused_with(engine, charger_id: str, password: str, subprotocol: str) -> int | None:
    token = base64.b64encode(f"{charger_id}:{password}".encode()).decode()
    try:
        async with websockets.asyncio.client.connect(f"{url(engine, 'ocpp')}/{charger_id}", subprotocols=[subprotocol],
                                                     additional_headers={"Authorization": f"Basic {token}"},
                                                     proxy=None):
            return None
    except websockets.exceptions.InvalidStatus as exc:
        return exc.response.status_code


@pytest.mark.parametrize("version, subprotocol", [("1.6", "ocpp1.6"), ("2.0.1", "ocpp2.0.1"), ("2.1", "ocpp2.1")])
async def test_a_charger_gets_its_own_password_and_the_csms_expects_it(engine, version, subprotocol) -> None:
    keyring = MemoryKeyring()
    vault = vault_store.Vault(keyring)
    async with running(engine, version, "PW-1", password=SECURED) as charger:
        done = await passwords.set_password(engine, "PW-1", vault)
        assert done.kept and "keyring" in done.text
        new = done.password
        assert passwords.problem(version, new) == "" and new not in repr(done)
        assert engine.config.passwords["PW-1"] == new
        assert vault.get("PW-1") == new and keyring.items[("Commissioner", "local:PW-1")] == new
        assert "local:PW-1" in keyring.items[("Commissioner", "charger-passwords-index")]
        # It reconnects with it after a reboot, and is let in.
        boots = charger.connections
        await engine.call("PW-1", "Reset", {"type": "Hard"} if version == "1.6" else {"type": "Immediate"})
        await until(lambda: charger.connections > boots and charger.booted.is_set(), 15)
        assert charger.station.password() == new
        # Anyone else with the charger's id but not its password is refused.
        assert await _refused_with(engine, "PW-1", "not-the-password-at-all", subprotocol) == 401
    engine.journal.flush()
    everything = " ".join(f.payload for f in engine.journal.reader().frames(charger_id="PW-1", limit=100_000))
    assert new not in everything and new.encode().hex() not in everything
    assert "***" in everything  # the ChangeConfiguration / SetVariables is there, masked


async def test_a_password_the_spec_does_not_allow_is_refused_before_sending(engine) -> None:
    async with running(engine, "2.0.1", "PW-2", password=SECURED):
        with pytest.raises(errors.ConfigError) as caught:
            await passwords.set_password(engine, "PW-2", vault_store.Vault(MemoryKeyring()), password="short")
    assert "16 to 40 characters" in str(caught.value)
    assert passwords.problem("2.0.1", "a" * 20 + " é") and passwords.problem("1.6", "x" * 21)
    assert "PW-2" not in engine.config.passwords


def test_without_a_keyring_the_password_is_kept_for_this_run_only() -> None:
    vault = vault_store.Vault()  # the tests' keyring is the "fail" backend: no keyring on this machine
    assert not vault.persistent
    vault.set("PW-3", "p" * 20)
    assert vault.get("PW-3") == "p" * 20
    text = passwords.PasswordSet("PW-3", "p" * 20, "Accepted", vault.persistent).text
    assert "write it down" in text


def test_a_locked_keyring_never_costs_the_other_chargers_their_passwords() -> None:
    keyring = MemoryKeyring()
    vault_store.Vault(keyring).set("A", "a" * 20)

    class Locked(MemoryKeyring):
        locked = True

        def get_password(self, service, user):
            if self.locked:
                raise RuntimeError("the keyring is locked")
            return super().get_password(service, user)

    locked = Locked()
    locked.items = keyring.items
    vault = vault_store.Vault(locked)
    with pytest.raises(errors.StorageError):
        vault.set("C", "c" * 20)
    locked.locked = False  # unlocked: retried, and nothing was lost
    vault.set("C", "c" * 20)
    assert vault.passwords() == {"A": "a" * 20, "C": "c" * 20}


def test_a_password_setting_is_never_edited_as_a_plain_value() -> None:
    from app.services import configuration
    row = configuration.ConfigRow("SecurityCtrlr.BasicAuthPassword", "", True, "string",
                                  component={"name": "SecurityCtrlr"}, variable={"name": "BasicAuthPassword"})
    assert "New password" in configuration.check_value(row, "MySecretPassword1234")


@pytest.mark.parametrize("version, subprotocol", [("1.6", "ocpp1.6"), ("2.0.1", "ocpp2.0.1")])
async def test_during_a_switch_the_old_password_gets_in_until_the_new_one_did(engine, version, subprotocol) -> None:
    old = "Old-Charger-Pass-001"
    engine.config.passwords["PW-4"] = old
    async with running(engine, version, "PW-4", password=old):
        done = await passwords.set_password(engine, "PW-4", vault_store.Vault(MemoryKeyring()))
    new = done.password
    assert engine.config.passwords["PW-4"] == new and engine.server.previous_passwords("PW-4") == 1
    # A charger that took the new key but comes back with the old one (not applied yet, or reverted): let in.
    async with running(engine, version, "PW-4", password=old) as reverted:
        assert reverted.booted.is_set()
        assert any("without its new password" in w for w in engine.registry.chargers["PW-4"].warnings)
    assert await _refused_with(engine, "PW-4", "Some-Other-Pass-0001", subprotocol) == 401
    # Once it connected with the new one, the old one is done with.
    assert await _refused_with(engine, "PW-4", new, subprotocol) is None
    await until(lambda: engine.server.previous_passwords("PW-4") == 0)
    assert await _refused_with(engine, "PW-4", old, subprotocol) == 401
    assert await _refused_with(engine, "PW-4", new, subprotocol) is None


async def test_a_charger_that_needed_no_password_is_not_locked_out_before_it_uses_its_new_one(engine) -> None:
    async with running(engine, "2.0.1", "PW-5", password=SECURED):  # this CSMS asked it for none so far
        done = await passwords.set_password(engine, "PW-5", vault_store.Vault(MemoryKeyring()))
    assert await _refused_with(engine, "PW-5", SECURED, "ocpp2.0.1") is None
    assert await _refused_with(engine, "PW-5", done.password, "ocpp2.0.1") is None
    await until(lambda: engine.server.previous_passwords("PW-5") == 0)
    assert await _refused_with(engine, "PW-5", SECURED, "ocpp2.0.1") == 401


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_charger_at_security_profile_0_is_warned_about_before_anything_is_sent(engine, version) -> None:
    vault = vault_store.Vault(MemoryKeyring())
    async with running(engine, version, "PW-6") as charger:  # no password: security profile 0
        with pytest.raises(passwords.Unsecured) as caught:
            await passwords.set_password(engine, "PW-6", vault)
        assert "security profile 0" in caught.value.message and "Raise its security profile" in caught.value.hint
        assert not {"ChangeConfiguration", "SetVariables"} & set(actions_sent(engine, "PW-6"))
        assert "PW-6" not in engine.config.passwords and vault.get("PW-6") is None
        done = await passwords.set_password(engine, "PW-6", vault, unsecured_ok=True)  # the technician said go on
        assert charger.station.password() == done.password == vault.get("PW-6")


async def test_a_forgotten_password_is_no_longer_expected_nor_kept(engine) -> None:
    keyring = MemoryKeyring()
    vault = vault_store.Vault(keyring)
    async with running(engine, "2.0.1", "PW-7", password=SECURED):
        done = await passwords.set_password(engine, "PW-7", vault)
    assert await _refused_with(engine, "PW-7", done.password, "ocpp2.0.1") is None
    await until(lambda: engine.server.previous_passwords("PW-7") == 0)
    assert await _refused_with(engine, "PW-7", "Some-Other-Pass-0001", "ocpp2.0.1") == 401
    await passwords.forget(engine, vault, "PW-7")
    assert "PW-7" not in engine.config.passwords and vault.get("PW-7") is None
    assert ("Commissioner", "local:PW-7") not in keyring.items and done.password not in str(keyring.items)
    assert vault_store.Vault(keyring).passwords() == {}  # gone for the next start too
    assert await _refused_with(engine, "PW-7", "Some-Other-Pass-0001", "ocpp2.0.1") is None  # asked for none now


def test_a_keyring_that_fails_after_the_charger_took_the_password_says_to_write_it_down() -> None:
    class Full(MemoryKeyring):
        def set_password(self, service, user, password):
            raise RuntimeError("the secret is too big")

    kept, trouble = passwords._keep(vault_store.Vault(Full()), "PW-8", "p" * 20)
    assert not kept and "too big" in trouble
    text = passwords.PasswordSet("PW-8", "p" * 20, "Accepted", kept, trouble).text
    assert "write it down" in text and "p" * 20 not in text


async def test_the_csms_reads_the_keyring_in_a_worker_thread_and_handshakes_wait_for_it(csms_config,
                                                                                       isolated_data_dir) -> None:
    import asyncio
    import json
    import threading

    from app import core as app_core

    class Slow(MemoryKeyring):  # Secret Service asking to unlock: the answer takes a while
        def __init__(self) -> None:
            super().__init__()
            self.release = threading.Event()
            self.threads: set[threading.Thread] = set()

        def get_password(self, service, user):
            self.threads.add(threading.current_thread())
            self.release.wait(10)
            return super().get_password(service, user)

    keyring = Slow()
    keyring.items[("Commissioner", vault_store.OLD_ITEM)] = json.dumps({"PW-9": "Stored-Charger-Pass1"})
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    engine = app_core.build_engine(csms_config, isolated_data_dir, vault_store.Vault(keyring))
    await engine.start()  # listens without waiting for the keyring
    try:
        wrong = asyncio.ensure_future(_refused_with(engine, "PW-9", "Wrong-Password-00001", "ocpp1.6"))
        await until(lambda: keyring.threads)
        assert threading.current_thread() not in keyring.threads  # never on the engine's loop
        keyring.release.set()
        assert await wrong == 401  # it waited for the passwords, then was checked against them
        assert await _refused_with(engine, "PW-9", "Stored-Charger-Pass1", "ocpp1.6") is None
        assert ("Commissioner", "local:PW-9") in keyring.items  # the old single item was migrated
    finally:
        keyring.release.set()
        await engine.stop()
        engine.close()


async def test_a_locked_keyring_lets_no_charger_in_without_a_password_and_is_asked_again(
        csms_config, isolated_data_dir, monkeypatch) -> None:
    import json

    from app import core as app_core
    from app.csms import server as csms_server

    class Locked(MemoryKeyring):  # the login keyring, locked until the technician unlocks it
        locked = True

        def get_password(self, service, user):
            if self.locked:
                raise keyring.errors.KeyringLocked("the keyring is locked")
            return super().get_password(service, user)

    monkeypatch.setattr(csms_server, "KEYRING_RETRY_S", 0.05)
    keyring = Locked()
    keyring.items[("Commissioner", vault_store.OLD_ITEM)] = json.dumps({"PW-10": "Stored-Charger-Pass1"})
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    engine = app_core.build_engine(csms_config, isolated_data_dir, vault_store.Vault(keyring))
    await engine.start()
    try:
        await until(lambda: engine.server.passwords_error is not None)
        # Its password is in the locked keyring: without one it must not get in (503, it retries).
        assert await _refused_with(engine, "PW-10", None, "ocpp1.6") == 503
        keyring.locked = False
        await until(lambda: engine.server.passwords_error is None)
        assert await _refused_with(engine, "PW-10", None, "ocpp1.6") == 401
        assert await _refused_with(engine, "PW-10", "Stored-Charger-Pass1", "ocpp1.6") is None
    finally:
        await engine.stop()
        engine.close()
