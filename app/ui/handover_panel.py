"""The Configure page's "Hand over" box: point the charger at the operator's backend and verify it left.

Over services.handover: "Test URL" checks from this laptop that the operator's address
resolves and answers (TLS too for wss://); "Hand over…" asks once, then sends the network
profile (2.x) or the vendor's URL key (1.6), resets the charger and waits to see that it stays
away. Each step and the charger's answer to it is listed when it ends. The operator's password
is kept in the window's vault as the operator's ("Stored passwords…" shows it).
"""

from __future__ import annotations

import html

import qasync
from PySide6 import QtCore, QtWidgets

from app.domain import display, errors, model
from app.services import handover, vendors

HAND_OVER = "Hand over"  # task name, as Progress events carry it


class HandoverPanel(QtWidgets.QGroupBox):
    def __init__(self, page, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Hand over to the operator's backend"))
        # Folded until wanted: the settings table keeps the room on a 1280x720 laptop.
        self.setCheckable(True)
        self.setChecked(False)
        self.toggled.connect(self._fold)
        self.page = page  # the Configure page: charger, bridge, busy state, message bar
        self.last_result: handover.Result | None = None
        self.stay_away = handover.STAY_AWAY_S  # how long the charger must stay away to count as handed over
        form = QtWidgets.QGridLayout(self)
        form.setColumnStretch(1, 1)
        self.url = QtWidgets.QLineEdit()
        self.url.setPlaceholderText("wss://ocpp.operator.example/ocpp")
        self.url.setToolTip(self.tr("The operator's OCPP address without the charger id: the charger adds it."))
        form.addWidget(QtWidgets.QLabel(self.tr("Operator &URL")), 0, 0)
        form.itemAtPosition(0, 0).widget().setBuddy(self.url)
        form.addWidget(self.url, 0, 1, 1, 3)
        self.profile = QtWidgets.QComboBox()
        for level, text in ((0, self.tr("0: no password, no TLS")), (1, self.tr("1: password (basic auth)")),
                            (2, self.tr("2: TLS + password")), (3, self.tr("3: TLS + client certificate"))):
            self.profile.addItem(text, level)
        form.addWidget(QtWidgets.QLabel(self.tr("Security &profile")), 1, 0)
        form.itemAtPosition(1, 0).widget().setBuddy(self.profile)
        self.profile.setMaximumWidth(280)
        form.addWidget(self.profile, 1, 1)
        self.vendor = QtWidgets.QComboBox()  # 1.6 only: whose keys hold the URL
        self.vendor_label = QtWidgets.QLabel(self.tr("&Vendor profile"))
        self.vendor_label.setBuddy(self.vendor)
        self.url_key = QtWidgets.QLineEdit()
        self.url_key.setPlaceholderText(self.tr("the charger's URL key, from its manual"))
        form.addWidget(self.vendor_label, 1, 2)
        form.addWidget(self.vendor, 1, 3)
        form.addWidget(self.url_key, 2, 3)
        self.password = QtWidgets.QLineEdit()
        self.password.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("the operator's password for this charger (empty: keep its own)"))
        self.password.setToolTip(self.tr("Sent masked, never stored in a file or the message log"))
        self.password_label = QtWidgets.QLabel(self.tr("Pass&word"))
        self.password_label.setBuddy(self.password)
        form.addWidget(self.password_label, 2, 0)
        form.addWidget(self.password, 2, 1)
        self.identity = QtWidgets.QLineEdit()
        self.identity.setPlaceholderText(self.tr("charger id at the operator (empty: the same)"))
        form.addWidget(self.identity, 2, 2)
        buttons = QtWidgets.QHBoxLayout()
        self.test_button = QtWidgets.QPushButton(self.tr("&Test URL"))
        self.test_button.setToolTip(self.tr("Check from this laptop that the address resolves and answers"))
        self.test_button.clicked.connect(lambda: self.test_url())
        self.go_button = QtWidgets.QPushButton(self.tr("&Hand over…"))
        self.go_button.setToolTip(self.tr("Send the address, restart the charger and check that it stays with the "
                                          "operator"))
        self.go_button.clicked.connect(lambda: self.hand_over())
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.go_button)
        buttons.addStretch(1)
        form.addLayout(buttons, 3, 0, 1, 4)
        self.result = QtWidgets.QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addWidget(self.result, 4, 0, 1, 4)
        self.vendor.currentIndexChanged.connect(lambda _i: self.update_state())
        self.url.textChanged.connect(lambda _t: self.update_state())
        self._profiles: dict[str, vendors.VendorProfile] = {}
        self._fold(False)

    # ------------------------------------------------------------------ state

    def _fold(self, open_: bool) -> None:
        for child in self.findChildren(QtWidgets.QWidget, options=QtCore.Qt.FindChildOption.FindDirectChildrenOnly):
            child.setVisible(open_)
        # Folded: the title line only, no empty frame under it.
        self.setFlat(not open_)
        self.setMaximumHeight(16777215 if open_ else self.fontMetrics().height() + 10)
        if open_:
            self.update_state()

    def set_charger(self, info: model.ChargerInfo | None) -> None:
        v16 = info is not None and info.ocpp_version == "1.6"
        if v16 and not self._profiles:
            self._profiles = vendors.available(self._data_dir())
        if v16:
            chosen = vendors.for_charger(info.vendor, info.model, self._data_dir())
            self.vendor.blockSignals(True)
            self.vendor.clear()
            for profile in self._profiles.values():
                self.vendor.addItem(profile.name, profile.id)
            self.vendor.setCurrentIndex(max(0, self.vendor.findData(chosen.id)))
            self.vendor.blockSignals(False)
        self.update_state()

    def _data_dir(self):
        return self.page.data_dir  # the technician's own vendor profiles live in <data dir>/vendors

    def _profile(self) -> vendors.VendorProfile | None:
        profile = self._profiles.get(self.vendor.currentData())
        if profile is not None and not profile.settings.get("ocpp_url", vendors.Setting("")).key:
            profile = profile.with_key("ocpp_url", self.url_key.text().strip())
        return profile

    def update_state(self) -> None:
        info = self.page.info
        v16 = info is not None and info.ocpp_version == "1.6"
        shown = self.isChecked()
        for widget in (self.vendor_label, self.vendor):
            widget.setVisible(shown and v16)
        profile = self._profiles.get(self.vendor.currentData()) if v16 else None
        self.url_key.setVisible(shown and v16 and profile is not None and not profile.settings.get(
            "ocpp_url", vendors.Setting("")).key)
        if profile is not None:
            self.vendor.setToolTip(self.tr("Key names from: {0}").format(profile.source))
        url_setting = profile.settings.get("ocpp_url") if profile is not None else None
        # A new id at the operator: 2.1 puts it in the network profile; 1.6 in a URL that ends with it.
        self.identity.setVisible(shown and info is not None and (
            info.ocpp_version == "2.1" or (v16 and url_setting is not None and url_setting.includes_id)))
        has_url = bool(self.url.text().strip())
        idle = not self.page.busy_with
        self.test_button.setEnabled(has_url and idle)
        self.go_button.setEnabled(has_url and idle and self.page._can_talk())

    def target(self) -> handover.Target:
        return handover.Target(self.url.text().strip(), int(self.profile.currentData()),
                               identity=self.identity.text().strip(), password=self.password.text())

    # ------------------------------------------------------------------ actions

    @qasync.asyncSlot()
    async def test_url(self) -> None:
        url = self.url.text().strip()
        self.result.setText(self.tr("Testing {0}…").format(html.escape(url)))
        found = await self.page.bridge.run(handover.probe(url)) if self.page.bridge else await handover.probe(url)
        colour = "#2e7d32" if found.ok else "#c62828"
        self.result.setText(f"<span style='color:{colour}'>{html.escape(found.detail)}.</span>")

    @qasync.asyncSlot()
    async def hand_over(self) -> None:
        info = self.page.info
        if info is None or not self.page._can_talk():
            return
        target = self.target()
        try:
            handover.check_target(target, 0)  # the charger's own profile is checked once asked
        except errors.ConfigError as exc:
            self._show_error(exc)
            return
        charger_id = info.charger_id
        if not self.page.ask(self.tr("Hand over"), self.tr(
                "Point {0} at {1} and restart it?\nIt leaves this laptop's CSMS; if it cannot reach the operator "
                "it comes back here and the reason is shown.").format(display.safe(charger_id), target.url)):
            return
        vendor = self._profile() if info.ocpp_version == "1.6" else None
        engine = self.page.bridge.engine
        stay_away = self.stay_away
        core = getattr(self.page, "core", None)
        vault = core.vault if core is not None else None  # keeps the operator's password (used off this thread)

        async def work(reporter) -> handover.Result:
            return await handover.hand_over(engine, charger_id, target, vendor=vendor, progress=reporter,
                                            stay_away=stay_away, vault=vault)

        self.result.setText(self.tr("Handing {0} over…").format(display.safe(charger_id)))
        done = await self.page._task(charger_id, HAND_OVER, work, self.tr("Handing {0} over to {1}").format(
            display.safe(charger_id), target.url), timeout=stay_away + handover.LEAVE_TIMEOUT_S + 120)
        if done is None:
            self.result.setText(self.page.result.text())
            return
        self.last_result = done
        steps = "".join(f"<li>{html.escape(s.action)} {html.escape(s.summary)}: <b>{html.escape(s.answer)}</b></li>"
                        for s in done.sent)
        colour = "#2e7d32" if done.ok else "#c62828"
        note = f"<p>{html.escape(done.password_note)}</p>" if done.password_note else ""
        self.result.setText(f"<span style='color:{colour}'><b>{html.escape(done.text)}</b></span><ul>{steps}</ul>"
                            f"{note}")
        self.page.notice.emit("success" if done.ok else "error", f"{charger_id}: {done.text}")

    def _show_error(self, exc: errors.CommissionerError) -> None:
        self.result.setText(f"<span style='color:#c62828'>{html.escape(exc.message)} {html.escape(exc.hint)}</span>")
