"""The vault over an in-memory keyring: an item per charger and kind, an index that stays small
enough for Windows Credential Manager, the old single item migrated, nothing lost to a locked
keyring, and no password in a repr."""

from __future__ import annotations

import json

import pytest

from app.domain import errors
from app.storage import vault as vault_store
from tests.integration.test_passwords import MemoryKeyring

WINDOWS_SECRET_BYTES = 2560  # CRED_MAX_CREDENTIAL_BLOB_SIZE; keyring stores UTF-16 there


def _items(keyring: MemoryKeyring) -> dict[str, str]:
    return {user: secret for (service, user), secret in keyring.items.items() if service == vault_store.SERVICE}


def test_each_charger_gets_an_item_of_its_own_and_a_new_vault_finds_them_through_the_index() -> None:
    keyring = MemoryKeyring()
    vault = vault_store.Vault(keyring)
    vault.set("CP1", "a" * 20)
    vault.set("CP2", "b" * 32)
    assert _items(keyring)["local:CP1"] == "a" * 20 and _items(keyring)["local:CP2"] == "b" * 32
    assert set(json.loads(_items(keyring)[vault_store.INDEX])) == {"local:CP1", "local:CP2"}
    assert vault_store.Vault(keyring).passwords() == {"CP1": "a" * 20, "CP2": "b" * 32}


def test_hundreds_of_chargers_fit_in_items_windows_can_hold_and_forgetting_shrinks_the_index() -> None:
    keyring = MemoryKeyring()
    vault = vault_store.Vault(keyring)
    ids = [f"CHARGER-{n:04d}-" + "x" * 34 for n in range(300)]  # 48 characters, the longest id OCPP allows
    vault.change({(vault_store.LOCAL, charger_id): f"pw-{n:017d}" for n, charger_id in enumerate(ids)})
    assert all(len(secret.encode("utf-16-le")) <= WINDOWS_SECRET_BYTES for secret in _items(keyring).values())
    assert len(vault_store.Vault(keyring).passwords()) == 300
    pages = [u for u in _items(keyring) if u.startswith(vault_store.INDEX)]
    assert len(pages) > 10
    for charger_id in ids[1:]:
        vault.forget(charger_id)
    assert [u for u in _items(keyring) if u.startswith(vault_store.INDEX)] == [vault_store.INDEX]
    assert vault_store.Vault(keyring).passwords() == {ids[0]: "pw-" + "0" * 17}


def test_the_old_single_item_is_moved_to_an_item_per_charger_then_deleted() -> None:
    keyring = MemoryKeyring()
    keyring.items[(vault_store.SERVICE, vault_store.OLD_ITEM)] = json.dumps({"A": "a" * 20, "B": "b" * 20})
    assert vault_store.Vault(keyring).passwords() == {"A": "a" * 20, "B": "b" * 20}
    items = _items(keyring)
    assert vault_store.OLD_ITEM not in items
    assert items["local:A"] == "a" * 20 and items["local:B"] == "b" * 20
    assert vault_store.Vault(keyring).passwords() == {"A": "a" * 20, "B": "b" * 20}  # and found again


def test_a_migration_stopped_half_way_is_done_again_on_the_next_load() -> None:
    keyring = MemoryKeyring()
    keyring.items[(vault_store.SERVICE, vault_store.OLD_ITEM)] = json.dumps({"A": "a" * 20, "B": "b" * 20})

    class Interrupted(MemoryKeyring):
        def set_password(self, service, user, password):
            if user == vault_store.INDEX:
                raise RuntimeError("the session ended")
            super().set_password(service, user, password)

    interrupted = Interrupted()
    interrupted.items = keyring.items
    with pytest.raises(errors.StorageError):
        vault_store.Vault(interrupted).passwords()
    assert vault_store.OLD_ITEM in _items(keyring)  # not deleted before its passwords are safe
    assert vault_store.Vault(keyring).passwords() == {"A": "a" * 20, "B": "b" * 20}
    assert vault_store.OLD_ITEM not in _items(keyring)


def test_a_locked_keyring_loads_nothing_and_a_later_set_keeps_the_others() -> None:
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
    with pytest.raises(errors.StorageError) as caught:
        vault.set("C", "c" * 20)
    assert "Unlock the keyring" in caught.value.hint
    assert set(json.loads(_items(keyring)[vault_store.INDEX])) == {"local:A"}  # untouched
    locked.locked = False
    vault.set("C", "c" * 20)
    assert vault_store.Vault(keyring).passwords() == {"A": "a" * 20, "C": "c" * 20}


def test_the_operators_password_is_kept_beside_the_local_one_and_decides_what_the_csms_expects() -> None:
    keyring = MemoryKeyring()
    vault = vault_store.Vault(keyring)
    vault.set("CP1", "local-" + "1" * 14)
    vault.set("CP2", "local-" + "2" * 14)
    # 1.6 / 2.0.1: the operator's replaced the charger's own.
    vault.change({(vault_store.OPERATOR, "CP1"): "operator-" + "1" * 11, (vault_store.LOCAL, "CP1"): None})
    # 2.1: in the operator's network profile only; the charger keeps its own for this CSMS.
    vault.change({(vault_store.OPERATOR_PROFILE, "CP2"): "operator-" + "2" * 11})
    again = vault_store.Vault(keyring)
    assert again.passwords() == {"CP1": "operator-" + "1" * 11, "CP2": "local-" + "2" * 14}
    kinds = {(e.charger_id, e.kind): e.expected for e in again.entries()}
    assert kinds == {("CP1", vault_store.OPERATOR): True, ("CP2", vault_store.LOCAL): True,
                     ("CP2", vault_store.OPERATOR_PROFILE): False}
    assert again.forget("CP2", vault_store.OPERATOR_PROFILE) and not again.forget("CP2", vault_store.OPERATOR_PROFILE)
    assert "operator-" + "2" * 11 not in str(keyring.items)


def test_no_password_shows_in_a_repr() -> None:
    from app.services import handover, passwords

    vault = vault_store.Vault(MemoryKeyring())
    vault.set("CP1", "Secret-Value-000001")
    target = handover.Target("ws://x/ocpp", 1, password="Secret-Value-000001")
    shown = " ".join(repr(x) for x in (*vault.entries(), target, passwords.PasswordSet("CP1", "Secret-Value-000001")))
    assert "Secret-Value" not in shown and "CP1" in shown


def test_the_index_names_a_new_item_before_it_is_written_so_a_crash_between_loses_no_password() -> None:
    order: list[str] = []

    class Recording(MemoryKeyring):
        def set_password(self, service, user, password):
            order.append(user)
            super().set_password(service, user, password)

    keyring = Recording()
    vault = vault_store.Vault(keyring)
    vault.set("CP1", "a" * 20)
    assert order.index(vault_store.INDEX) < order.index("local:CP1")
    order.clear()
    vault.forget("CP1")
    assert order == [vault_store.INDEX] and "local:CP1" not in json.loads(_items(keyring)[vault_store.INDEX])


def test_a_named_secret_gets_an_item_of_its_own_that_no_index_names() -> None:
    keyring = MemoryKeyring()
    vault = vault_store.Vault(keyring)
    vault.set("CP1", "a" * 20)
    vault.set_secret("ca-passphrase:/data/ca", "s3cret")
    assert _items(keyring)["secret:ca-passphrase:/data/ca"] == "s3cret"
    assert "secret:ca-passphrase:/data/ca" not in json.loads(_items(keyring)[vault_store.INDEX])
    fresh = vault_store.Vault(keyring)
    assert fresh.secret("ca-passphrase:/data/ca") == "s3cret" and fresh.secret("other") is None
    assert fresh.passwords() == {"CP1": "a" * 20}
