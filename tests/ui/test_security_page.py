"""The Security page over the real app (engine in its thread, the built-in CA, demo chargers over real
sockets): the CA's fingerprint and export, the guided upgrade 0 → 1 → 2 over wss://, the certificates
on the charger, its security events, failed TLS handshakes by address; the Settings' Security group."""

from __future__ import annotations

import pathlib
import socket
import ssl

import pytest
from cryptography import x509
from PySide6 import QtWidgets

from app.services import certificates
from app.storage import settings as storage_settings
from app.ui import security_page, settings_dialog
from tests.ui.conftest import wait
from tests.ui.test_main_window import open_window
from tests.ui.test_workspace import demo


def tls_on(core) -> None:
    core.settings.csms.tls = True  # port_override gives the wss:// listener a free port too


@pytest.fixture
def tls_window(qtbot, qloop, isolated_data_dir):
    with open_window(qtbot, isolated_data_dir, configure=tls_on) as win:
        win.resize(1366, 768)
        win.show()
        yield win


@pytest.fixture
def plain_window(qtbot, qloop, isolated_data_dir):
    with open_window(qtbot, isolated_data_dir) as win:
        win.resize(1366, 768)
        win.show()
        yield win


def page_of(qtbot, window) -> security_page.SecurityPage:
    page = window.security
    window.workspace.show_page(page)
    wait(qtbot, lambda: page.authority is not None, timeout=20_000)  # a new CA: a key is generated
    return page


def ca_of(window) -> certificates.Authority:
    return window.core.engine.submit(certificates.authority(window.core.engine)).result(20)


def table_rows(table) -> list[list[str]]:
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def as_a_real_charger(window, charger_id: str) -> None:
    """Demo chargers are exempt from no-downgrade (a bench re-test): this one is held to it."""
    engine = window.core.engine

    async def held() -> None:
        engine.server.admit_always.discard(charger_id)

    engine.submit(held()).result(5)


def upgrade_to(qtbot, page, profile: int) -> None:
    wait(qtbot, lambda: page.upgrade_button.isEnabled() and page.target.findData(profile) >= 0, timeout=20_000)
    page.target.setCurrentIndex(page.target.findData(profile))
    page.upgrade_button.click()
    wait(qtbot, lambda: page.info.charger_id in page.running)
    assert not page.upgrade_button.isEnabled() and page.bar.isVisibleTo(page)
    wait(qtbot, lambda: not page.running, timeout=90_000)


def test_the_ca_is_shown_to_read_out_and_exported_as_pem(qtbot, tls_window, monkeypatch, tmp_path) -> None:
    page = page_of(qtbot, tls_window)
    ca = ca_of(tls_window)
    shown = page.fingerprint.text()
    assert len(shown.splitlines()) == 4  # grouped: four lines of eight bytes, to read aloud
    assert "".join(shown.split()) == ca.fingerprint.replace(":", "").upper()
    assert ca.subject in page.about.text() and ca.not_after in page.about.text()
    assert all(url in page.urls.text() for url in ca.wss_urls) and "wss://" in page.urls.text()
    assert not page.settings_button.isVisibleTo(page)
    target = tmp_path / "site-ca"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(target), "PEM certificate (*.pem *.crt)")))
    page.export_button.click()
    wait(qtbot, lambda: "CA certificate saved" in tls_window.message_bar.text.text())
    written = target.with_suffix(".pem")
    certificate = x509.load_pem_x509_certificate(written.read_bytes())
    from cryptography.hazmat.primitives import hashes
    assert certificate.fingerprint(hashes.SHA256()).hex(":").upper() == ca.fingerprint.upper()
    page.copy_button.click()
    assert QtWidgets.QApplication.clipboard().text() == ca.fingerprint


def test_a_charger_is_upgraded_to_1_then_2_and_its_ca_listed_as_ours(qtbot, tls_window, monkeypatch) -> None:
    charger_id = demo(qtbot, tls_window, "2.0.1")
    as_a_real_charger(tls_window, charger_id)
    page = page_of(qtbot, tls_window)
    wait(qtbot, lambda: "security profile <b>0 —" in page.profile_text.text())
    assert not page.allow_button.isVisibleTo(page)  # never upgraded: nothing to allow
    assert [page.target.itemData(i) for i in range(page.target.count())] == [1, 2, 3]
    upgrade_to(qtbot, page, 1)
    assert page.outcomes[charger_id][1], page.outcome.text()
    wait(qtbot, lambda: certificates.PROFILES[1] in page.profile_text.text(), timeout=20_000)
    assert [page.target.itemData(i) for i in range(page.target.count())] == [2, 3]  # above the current one only
    upgrade_to(qtbot, page, 2)
    assert f"{charger_id} runs security profile 2 now" in page.outcome.text(), page.outcome.text()
    steps = table_rows(page.step_table)
    assert [s[0] for s in steps] == ["✓ Password", "✓ CA installed", "✓ Profile 2 set", "✓ Reconnected"], steps
    assert "Accepted" in steps[1][1] and "at security profile 2" in steps[3][1]
    wait(qtbot, lambda: certificates.PROFILES[2] in page.profile_text.text() and "Connected" in
         page.profile_text.text(), timeout=20_000)
    wait(qtbot, lambda: "profile 2" in page.lowest_text.text() and "no downgrade" in page.lowest_text.text())
    assert page.allow_button.isVisibleTo(page)
    assert tls_window.core.vault.get(charger_id)  # the password it was given, in the window's vault
    # At profile 2 the charger reports its security events: listed, newest first.
    wait(qtbot, lambda: page.event_table.rowCount() > 0, timeout=20_000)
    types = [row[1] for row in table_rows(page.event_table)]
    assert "StartupOfTheDevice" in types or "ResetOrReboot" in types, types
    # The certificates it holds: the CA just installed, marked as this CSMS's.
    wait(qtbot, lambda: page.read_button.isEnabled(), timeout=20_000)
    page.read_button.click()
    wait(qtbot, lambda: page.cert_table.rowCount() > 0, timeout=10_000)
    rows = table_rows(page.cert_table)
    assert any(r[:2] == ["CSMSRootCertificate", "✓ ours"] and r[2] for r in rows), rows
    assert "This CSMS's CA is installed" in page.cert_note.text()
    # Allow a lower profile: asked first, with the risk said; then it is allowed.
    asked: list[str] = []
    monkeypatch.setattr(page, "ask", lambda title, text: asked.append(text) or True)
    page.allow_button.click()
    wait(qtbot, lambda: "may come back with a lower profile" in page.lowest_text.text())
    assert "risk" in asked[0] and "downgrade" in asked[0] and charger_id in asked[0]
    assert not page.allow_button.isVisibleTo(page)


def test_a_manufacturer_root_is_installed_from_a_file_and_deleted_after_asking(
        qtbot, tls_window, monkeypatch, tmp_path) -> None:
    from app.csms import pki  # a root of another CA, as a manufacturer's would be

    maker = pki.CertificateAuthority.open(tmp_path / "maker")
    root = tmp_path / "maker-root.pem"
    root.write_bytes(maker.pem())
    charger_id = demo(qtbot, tls_window, "2.0.1")
    page = page_of(qtbot, tls_window)
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **kwargs: (str(root), "")))
    page.maker_button.click()
    wait(qtbot, lambda: "installed the manufacturer root" in tls_window.message_bar.text.text(), timeout=10_000)
    wait(qtbot, lambda: any(r[0] == "ManufacturerRootCertificate" for r in table_rows(page.cert_table)))
    row = next(i for i, r in enumerate(table_rows(page.cert_table)) if r[0] == "ManufacturerRootCertificate")
    assert table_rows(page.cert_table)[row][1] == ""  # not this CSMS's
    page.cert_table.selectRow(row)
    assert page.delete_button.isEnabled()
    asked: list[str] = []
    monkeypatch.setattr(page, "ask", lambda title, text: asked.append(text) or False)
    page.delete_button.click()
    wait(qtbot, lambda: asked)
    assert "ManufacturerRootCertificate" in asked[0] and charger_id in asked[0]
    assert any(r[0] == "ManufacturerRootCertificate" for r in table_rows(page.cert_table))  # declined: kept
    monkeypatch.setattr(page, "ask", lambda title, text: True)
    page.delete_button.click()
    wait(qtbot, lambda: "deleted ManufacturerRootCertificate" in tls_window.message_bar.text.text(), timeout=10_000)
    wait(qtbot, lambda: not any(r[0] == "ManufacturerRootCertificate" for r in table_rows(page.cert_table)))
    # A file that is no certificate: said, nothing sent.
    junk = tmp_path / "notes.pem"
    junk.write_text("hello")
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(junk), "")))
    page.maker_button.click()
    wait(qtbot, lambda: "not a PEM certificate" in tls_window.message_bar.text.text())


def test_tls_spoken_to_the_plain_port_is_listed_by_address_for_every_charger(qtbot, tls_window) -> None:
    demo(qtbot, tls_window, "1.6")
    page = page_of(qtbot, tls_window)
    assert page.failure_table.rowCount() == 0
    port = tls_window.core.engine.server.port  # the plain ws:// one
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with pytest.raises((ssl.SSLError, OSError)):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                pass
    wait(qtbot, lambda: page.failure_table.rowCount() == 1, timeout=10_000)
    when, source, reason = table_rows(page.failure_table)[0]
    assert when and source.startswith("127.0.0.1") and source.endswith(f"→ {port}")
    assert "wss://" in reason and "plain ws:// port" in reason
    # The same list on another charger's page: a failure has no charger id.
    demo(qtbot, tls_window, "2.0.1")
    assert page.info.charger_id.startswith("DEMO-201") and page.failure_table.rowCount() == 1


def test_with_tls_off_the_page_says_so_and_opens_settings(qtbot, plain_window, monkeypatch) -> None:
    demo(qtbot, plain_window, "1.6")
    page = page_of(qtbot, plain_window)
    assert "TLS is off" in page.urls.text() and page.settings_button.isVisibleTo(page)
    assert "TLS off" in page.target.itemText(page.target.findData(2))
    page.target.setCurrentIndex(page.target.findData(2))  # the default target, and it needs TLS: not startable
    assert not page.upgrade_button.isEnabled() and "Settings" in page.upgrade_button.toolTip()
    opened: list[bool] = []
    monkeypatch.setattr(plain_window, "open_settings", lambda: opened.append(True))
    page.settings_requested.disconnect()
    page.settings_requested.connect(plain_window.open_settings)
    page.settings_button.click()
    assert opened == [True]
    # Started anyway (a plan, a stale button): refused before anything is sent, with what to do.
    page._upgrade(page.info.charger_id, 2)
    wait(qtbot, lambda: "no TLS" in plain_window.message_bar.text.text(), timeout=10_000)
    assert "Settings" in plain_window.message_bar.text.text() and "no TLS" in page.outcome.text()


def test_the_security_settings_round_trip_and_are_validated(qtbot, isolated_data_dir) -> None:
    current = storage_settings.Settings()
    current.csms.tls, current.csms.tls_port, current.csms.security_profile = True, 9555, 1
    current.csms.ca_dir, current.csms.operator_name, current.csms.renew_expired = "/srv/ca", "ACME", True
    dialog = settings_dialog.SettingsDialog(current)
    qtbot.addWidget(dialog)
    assert dialog.tls.isChecked() and dialog.tls_port.value() == 9555
    assert dialog.security_profile.currentData() == 1 and dialog.ca_dir.text() == "/srv/ca"
    assert dialog.operator_name.text() == "ACME" and dialog.renew_expired.isChecked()
    dialog.tls_port.setValue(dialog.port.value())
    dialog.ca_dir.setText("relative/folder")
    dialog.operator_name.setText("x" * 65)
    problems = " ".join(dialog.problems())
    assert "TLS port" in problems and "full path" in problems and "64 printable" in problems
    dialog.tls_port.setValue(9444)
    dialog.ca_dir.setText("")
    dialog.operator_name.setText(" Operator GmbH ")
    dialog.renew_expired.setChecked(False)
    dialog.tls.setChecked(False)
    dialog.security_profile.setCurrentIndex(dialog.security_profile.findData(3))
    assert dialog.tls.isChecked() and not dialog.tls.isEnabled()  # 3 is TLS: the listener comes with it
    assert dialog.problems() == []
    result = dialog.result_settings()
    csms = result.csms
    assert (csms.tls, csms.tls_port, csms.security_profile, csms.ca_dir, csms.operator_name, csms.renew_expired) == (
        True, 9444, 3, "", "Operator GmbH", False)
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    storage_settings.save(isolated_data_dir, result)
    again = settings_dialog.SettingsDialog(storage_settings.load(isolated_data_dir))
    qtbot.addWidget(again)
    assert (again.tls.isChecked(), again.tls_port.value(), again.security_profile.currentData(),
            again.operator_name.text(), again.renew_expired.isChecked()) == (True, 9444, 3, "Operator GmbH", False)


def test_turning_tls_on_in_settings_restarts_the_csms_with_a_wss_url_on_the_page(qtbot, plain_window,
                                                                                  monkeypatch) -> None:
    from tests.ui.test_main_window import _accept_dialog

    page = page_of(qtbot, plain_window)
    assert "TLS is off" in page.urls.text()
    _accept_dialog(monkeypatch, lambda csms: setattr(csms, "tls", True))
    plain_window.open_settings()
    wait(qtbot, lambda: "Settings saved" in plain_window.message_bar.text.text(), timeout=20_000)
    wait(qtbot, lambda: page.authority is not None and page.authority.wss_urls, timeout=20_000)
    assert "wss://" in page.urls.text() and not page.settings_button.isVisibleTo(page)


def test_settings_that_restart_the_csms_ask_first_while_an_upgrade_runs(qtbot, plain_window, monkeypatch) -> None:
    from app.ui import dialogs
    from tests.ui.test_main_window import _accept_dialog

    page = page_of(qtbot, plain_window)
    page.running["CP-BUSY"] = object()  # an upgrade under way (its future, for the window)
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: asked.append(text) or False)
    applied: list[object] = []
    monkeypatch.setattr(plain_window, "apply_settings", applied.append)
    _accept_dialog(monkeypatch, lambda csms: setattr(csms, "tls", True))  # TLS on: a restart
    plain_window.open_settings()
    wait(qtbot, lambda: "Settings not saved" in plain_window.message_bar.text.text(), timeout=10_000)
    assert applied == [] and "CP-BUSY" in asked[0] and "restarts the CSMS" in asked[0]
    # A change that restarts nothing is saved without asking.
    monkeypatch.undo()
    asked.clear()
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: asked.append(text) or False)
    monkeypatch.setattr(plain_window, "apply_settings", applied.append)
    _accept_dialog(monkeypatch, lambda csms: setattr(csms, "heartbeat_interval", 120))
    plain_window.open_settings()
    wait(qtbot, lambda: applied, timeout=10_000)
    assert asked == []
    page.running.pop("CP-BUSY")
