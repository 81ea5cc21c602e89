"""What a technician does on the Charging page besides watching: a test charge as one action
(its summary a step of the run), a current limit set and verified, a site limit shared among
chargers (load balancing), and the test tags (tags_panel)."""

from __future__ import annotations

import asyncio
import html
from typing import Awaitable, Callable

import qasync
from PySide6 import QtCore, QtWidgets

from app.domain import display, errors, model, runs
from app.services import limits, operations
from app.ui import bound, tags_panel

HAND_LIMIT_S = 2 * 3600  # a limit set from the window ends by itself: a forgotten one does not cap a customer
MAX_TOOLS_PX = 190  # at 1366x768 the plot keeps about 300 px whichever tab is open
TestCharge = Callable[[str, int], Awaitable["runs.Step | str"]]


def test_tags(core) -> dict[str, dict[str, str]]:
    """The test tags the CSMS answers from (none without a core: a page built on its own, in a benchmark)."""
    return core.settings.csms.id_tags if core is not None else {}


class ActionBox(bound.ChargerBound, QtWidgets.QGroupBox):
    """A box of actions that run one at a time as an engine task, with a busy bar and a result line."""

    TASK = ""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.busy = False
        self._running: asyncio.Future | None = None
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(100)
        self.progress.hide()
        self.cancel_button = QtWidgets.QPushButton(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop waiting; what the charger already took stays (Clear undoes a limit)"))
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.result = QtWidgets.QLabel()
        self.result.setWordWrap(True)
        self.result.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.result.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)

    def amps(self, value: float, top: float, tip: str) -> QtWidgets.QDoubleSpinBox:
        spin = QtWidgets.QDoubleSpinBox()
        spin.setRange(limits.MIN_SHARE_A, top)
        spin.setDecimals(1)
        spin.setValue(value)
        spin.setSuffix(" A")
        spin.setToolTip(tip)
        return spin

    def _ready(self) -> bool:
        return self.bridge is not None and not self.busy

    async def _work(self, what: str, charger_id: str, work) -> object | None:
        if not self._ready():
            return None
        self.busy = True
        self._update()
        self.result.setText(html.escape(what))
        self._running = self.bridge.run_task(self.TASK, charger_id, work)
        try:
            return await self._running
        except asyncio.CancelledError:
            if not self._running.cancelled():
                raise  # the window is closing: not ours to swallow
            self.result.setText(_said(self.tr("Cancelled."), None))
            return None
        except errors.ChargerNotConnectedError as exc:
            # It was there when the action began: it went away meanwhile.
            self.result.setText(_said(self.tr("{0} The action stopped half way: run it again once the charger "
                                              "is back (what it already took stays).").format(exc.message), False))
            return None
        except errors.CommissionerError as exc:
            self.result.setText(_said(f"{exc.message} {exc.hint}".strip(), False))
            return None
        finally:
            self._running = None
            self.busy = False
            self._update()

    def cancel(self) -> None:
        if self._running is not None:
            self._running.cancel()

    def _show_busy(self) -> None:
        self.progress.setVisible(self.busy)
        self.cancel_button.setVisible(self.busy)


class TestChargeBox(ActionBox):
    """Remote start with a test tag, Charging and rising energy seen, stop: energy, duration and
    peak power recorded as the run's test-charge step (the Commission page's run, or a new one)."""

    def __init__(self, core, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Test charge"))
        self.core = core
        self.run_test_charge: TestCharge | None = None  # set by the window (the Commission page's)
        row = QtWidgets.QHBoxLayout(self)
        row.addWidget(QtWidgets.QLabel(self.tr("Connector")))
        self.connector = QtWidgets.QSpinBox()
        self.connector.setRange(1, 8)
        self.connector.setToolTip(self.tr("The connector (1.6) or EVSE (2.x) to charge on"))
        row.addWidget(self.connector)
        row.addWidget(QtWidgets.QLabel(self.tr("Tag")))
        self.tag = QtWidgets.QComboBox()
        self.tag.setEditable(True)
        self.tag.setMinimumContentsLength(14)
        self.tag.setToolTip(self.tr("The id token the remote start names; the CSMS answers it from the test tags"))
        row.addWidget(self.tag)
        self.start_button = QtWidgets.QPushButton(self.tr("Start &test charge"))
        self.start_button.setToolTip(self.tr("Remote start, wait for Charging and rising energy, stop; "
                                             "the result becomes the run's test-charge step"))
        self.start_button.clicked.connect(self.start)
        row.addWidget(self.start_button)
        row.addWidget(self.progress)  # no Cancel: the run's own step ends what it began
        row.addWidget(self.result, 1)
        self.refresh_tags()

    def refresh_tags(self) -> None:
        """The tags a start may name: the default test tag and every card the CSMS answers Accepted."""
        current = self.tag.currentText()
        tags = test_tags(self.core)
        accepted = sorted(t for t, e in tags.items() if (e.get("status") or "Accepted") == "Accepted")
        self.tag.clear()
        self.tag.addItems([operations.TEST_TAG, *[t for t in accepted if t != operations.TEST_TAG]])
        if current:
            self.tag.setCurrentText(current)

    def _update(self) -> None:
        ready = self.info is not None and self.info.connected and self.bridge is not None
        self.start_button.setEnabled(ready and not self.busy and self.run_test_charge is not None)
        self.progress.setVisible(self.busy)

    @qasync.asyncSlot()
    async def start(self) -> None:
        if self.info is None or self.run_test_charge is None or self.busy:
            return
        charger_id, tag = self.info.charger_id, self.tag.currentText().strip() or operations.TEST_TAG
        self.busy = True
        self._update()
        self.result.setText(html.escape(self.tr("Charging {0} on connector {1} with tag {2}…").format(
            display.safe(charger_id), self.connector.value(), display.safe(tag))))
        try:
            step = await self.run_test_charge(tag, self.connector.value())
        finally:
            self.busy = False
            self._update()
        self.result.setText(summary(self, step))


def summary(widget: QtWidgets.QWidget, step: runs.Step | str) -> str:
    """The test charge's outcome in a line (rich text); a text: why it did not run."""
    if isinstance(step, str):
        return "<span style='color:#e65100'>" + html.escape(step) + "</span>"
    if step.state is not runs.StepState.PASSED:
        reason = step.reason or step.state.value
        return "<span style='color:#c62828'>" + html.escape(widget.tr("Test charge {0}: {1}").format(
            step.state.value, reason)) + "</span>"
    values = {v.name: v for v in step.values}

    def shown(name: str) -> str:
        value = values.get(name)
        return f"{value.value:g} {value.unit}".strip() if value is not None and isinstance(value.value, (int, float)) else "—"

    return "<span style='color:#2e7d32'>" + html.escape(widget.tr(
        "Test charge passed: {0} in {1}, peak {2} (recorded in the run).").format(
        shown("energy delivered"), shown("duration"), shown("peak power"))) + "</span>"


def _said(text: str, ok: bool | None) -> str:
    colour = {True: "#2e7d32", False: "#c62828", None: ""}[ok]
    body = html.escape(text)
    return f"<span style='color:{colour}'>{body}</span>" if colour else body


class LimitBox(ActionBox):
    """A maximum current for the charger (or one connector): set it, see the composite schedule
    take it, see the meter values obey it during a charge, clear it; 2.x lists its profiles."""

    TASK = "Current limit"

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Current limit"))
        self.held: dict[str, tuple[float, int]] = {}  # charger -> (amperes, connector) it took from here
        layout = QtWidgets.QVBoxLayout(self)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel(self.tr("Limit")))
        self.limit = self.amps(10.0, 500.0, self.tr("Amperes per phase; an EV needs at least 6 A (IEC 61851-1)"))
        row.addWidget(self.limit)
        row.addWidget(QtWidgets.QLabel(self.tr("on")))
        self.scope = QtWidgets.QComboBox()
        self.scope.setToolTip(self.tr("Whole charger: its maximum profile; a connector: its default transaction profile"))
        row.addWidget(self.scope)
        self.set_button = QtWidgets.QPushButton(self.tr("&Set limit"))
        self.set_button.setToolTip(self.tr("SetChargingProfile for two hours (Clear limit ends it sooner), then "
                                           "GetCompositeSchedule to see the charger took it"))
        self.set_button.clicked.connect(self.set_limit)
        row.addWidget(self.set_button)
        self.observe_button = QtWidgets.QPushButton(self.tr("Check meter values"))
        self.observe_button.setToolTip(self.tr("During a charge: do Current.Import readings stay within the limit?"))
        self.observe_button.clicked.connect(self.observe)
        row.addWidget(self.observe_button)
        self.clear_button = QtWidgets.QPushButton(self.tr("Clear limit"))
        self.clear_button.setToolTip(self.tr("ClearChargingProfile: the limit Commissioner set goes"))
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.clear_button)
        self.list_button = QtWidgets.QPushButton(self.tr("List profiles"))
        self.list_button.setToolTip(self.tr("OCPP 2.x GetChargingProfiles: every profile the charger holds"))
        self.list_button.clicked.connect(self.list_profiles)
        row.addWidget(self.list_button)
        row.addWidget(self.progress)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.result)

    def _ready(self) -> bool:
        return super()._ready() and self.info is not None and self.info.connected

    def _update(self) -> None:
        ready = self._ready()
        for button in (self.set_button, self.clear_button):
            button.setEnabled(ready)
        held = self.info is not None and self.info.charger_id in self.held
        self.observe_button.setEnabled(ready and held)
        self.observe_button.setToolTip(
            self.tr("During a charge: do Current.Import readings stay within the limit set here?") if held else
            self.tr("Set a limit first: the readings are judged against the limit the charger took"))
        self.list_button.setEnabled(ready and self.info is not None and self.info.ocpp_version != "1.6")
        self._show_busy()
        word = self.tr("Connector {0}") if self.info is None or self.info.ocpp_version == "1.6" else self.tr("EVSE {0}")
        wanted = [self.tr("Whole charger")] + [word.format(n) for n in self._connectors()]
        if [self.scope.itemText(i) for i in range(self.scope.count())] != wanted:
            current = self.scope.currentIndex()
            self.scope.clear()
            self.scope.addItem(wanted[0], 0)
            for n, text in zip(self._connectors(), wanted[1:]):
                self.scope.addItem(text, n)
            self.scope.setCurrentIndex(max(0, min(current, self.scope.count() - 1)))

    def _connectors(self) -> list[int]:
        found: set[int] = set()
        for key in (self.info.connectors if self.info is not None else {}):
            head = str(key).split("/", 1)[0]
            if head.isdigit() and int(head) > 0:
                found.add(int(head))
        return sorted(found) or [1]

    @qasync.asyncSlot()
    async def set_limit(self) -> None:
        engine, charger_id = self.bridge.engine, self.info.charger_id
        amps, connector = self.limit.value(), int(self.scope.currentData() or 0)

        async def work(_reporter):
            return await limits.set_limit(engine, charger_id, amps, connector=connector, valid_for_s=HAND_LIMIT_S)

        found = await self._work(self.tr("Setting {0:g} A on {1}…").format(amps, display.safe(charger_id)), charger_id, work)
        if found is not None:
            if found.status == "Accepted":
                self.held[charger_id] = (amps, connector)
            self.result.setText(_said(found.message, found.verified))
            self._update()

    @qasync.asyncSlot()
    async def observe(self) -> None:
        engine, charger_id = self.bridge.engine, self.info.charger_id
        if charger_id not in self.held:
            return
        amps, where = self.held[charger_id]

        async def work(_reporter):
            connector = where or limits.charging_connector(engine, charger_id)  # on the engine loop
            return await limits.observe(engine, charger_id, connector, amps, samples=3, timeout=60)

        seen = await self._work(self.tr("Reading three meter values against the {0:g} A limit…").format(amps),
                                charger_id, work)
        if seen is not None:
            self.result.setText(_said(seen.message, seen.obeyed if seen.drawing else None))

    @qasync.asyncSlot()
    async def clear(self) -> None:
        engine, charger_id = self.bridge.engine, self.info.charger_id

        async def work(_reporter):
            return await limits.clear_limit(engine, charger_id)

        status = await self._work(self.tr("Clearing the limit…"), charger_id, work)
        if status is not None:
            self.held.pop(charger_id, None)
            self.result.setText(_said(self.tr("ClearChargingProfile: {0}.").format(status) if status == "Accepted" else
                                      self.tr("ClearChargingProfile: {0}: the charger holds no limit set by "
                                              "Commissioner.").format(status), True if status == "Accepted" else None))
            self._update()

    @qasync.asyncSlot()
    async def list_profiles(self) -> None:
        engine, charger_id = self.bridge.engine, self.info.charger_id

        async def work(_reporter):
            return await limits.list_profiles(engine, charger_id)

        found = await self._work(self.tr("Asking for the charger's charging profiles…"), charger_id, work)
        if found is not None:
            self.result.setText(html.escape(profiles_text(self, found)))


def profiles_text(widget: QtWidgets.QWidget, profiles: list[dict]) -> str:
    if not profiles:
        return widget.tr("The charger holds no charging profile.")
    lines = []
    for p in profiles:
        schedule = (p.get("chargingSchedule") or [{}])
        schedule = schedule[0] if isinstance(schedule, list) and schedule else {}
        periods = schedule.get("chargingSchedulePeriod") or [{}]
        first = periods[0] if isinstance(periods, list) and periods else {}
        lines.append(widget.tr("#{0} {1} on EVSE {2}, stack level {3}: {4} {5}").format(
            p.get("id", "?"), p.get("chargingProfilePurpose", "?"), p.get("evseId", "?"), p.get("stackLevel", "?"),
            first.get("limit", "?"), schedule.get("chargingRateUnit", "")))
    return "\n".join(lines)


class BalanceBox(ActionBox):
    """Several chargers sharing one site limit: each gets an equal share as its maximum, and their
    meter values say whether the sum held."""

    TASK = "Site load balancing"

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Site load balancing"))
        self._connected: list[str] = []
        layout = QtWidgets.QHBoxLayout(self)
        left = QtWidgets.QVBoxLayout()
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel(self.tr("Site limit")))
        self.site_limit = self.amps(32.0, 5000.0, self.tr("The supply all the ticked chargers share, amperes per phase"))
        row.addWidget(self.site_limit)
        self.run_button = QtWidgets.QPushButton(self.tr("Share and check"))
        self.run_button.setToolTip(self.tr("Each ticked charger gets an equal share as its maximum; then three "
                                           "readings of each say whether the sum stayed within the site limit"))
        self.run_button.clicked.connect(self.run)
        row.addWidget(self.run_button)
        self.clear_button = QtWidgets.QPushButton(self.tr("Clear their limits"))
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.clear_button)
        row.addWidget(self.progress)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        left.addLayout(row)
        self.result.setText(self.tr("Tick the chargers on this supply (start a charge on them to see the limit held)."))
        left.addWidget(self.result, 1)
        layout.addLayout(left, 1)
        self.chargers = QtWidgets.QListWidget()
        self.chargers.setMaximumWidth(220)
        self.chargers.setMaximumHeight(96)  # four rows, then it scrolls: the plot keeps its room
        self.chargers.setToolTip(self.tr("Connected chargers: tick those that share the site limit"))
        self.chargers.itemChanged.connect(lambda _item: self._update())
        layout.addWidget(self.chargers)

    def set_chargers(self, infos: list[model.ChargerInfo]) -> None:
        connected = sorted(i.charger_id for i in infos if i.connected)
        if connected == self._connected:
            return
        ticked = set(self.ticked())
        self._connected = connected
        self.chargers.blockSignals(True)
        self.chargers.clear()
        for charger_id in connected:
            item = QtWidgets.QListWidgetItem(display.safe(charger_id))
            item.setData(QtCore.Qt.ItemDataRole.UserRole, charger_id)
            item.setCheckState(QtCore.Qt.CheckState.Checked if charger_id in ticked else QtCore.Qt.CheckState.Unchecked)
            self.chargers.addItem(item)
        self.chargers.blockSignals(False)
        self._update()

    def ticked(self) -> list[str]:
        return [self.chargers.item(i).data(QtCore.Qt.ItemDataRole.UserRole) for i in range(self.chargers.count())
                if self.chargers.item(i).checkState() == QtCore.Qt.CheckState.Checked]

    def _ready(self) -> bool:
        return super()._ready() and bool(self.ticked())

    def _update(self) -> None:
        ready = self._ready()
        self.run_button.setEnabled(ready)
        self.clear_button.setEnabled(ready)
        self._show_busy()

    @qasync.asyncSlot()
    async def run(self) -> None:
        engine, chargers, site = self.bridge.engine, self.ticked(), self.site_limit.value()

        async def work(_reporter):
            return await limits.balance(engine, site, chargers, samples=3, timeout=60, valid_for_s=HAND_LIMIT_S)

        found = await self._work(self.tr("Sharing {0:g} A among {1} charger(s), then reading their meters…").format(
            site, len(chargers)), "", work)
        if found is None:
            return
        lines = [html.escape(found.message)]
        for charger_id, seen in found.observations.items():
            lines.append("· " + html.escape(seen.message))
        drew = any(seen.drawing for seen in found.observations.values())
        if not drew:
            lines.append(html.escape(self.tr("No charger drew current: start a charge on them and check again.")))
        colour = ("#2e7d32" if found.held else "#c62828") if drew else ""
        body = "<br>".join(lines)
        self.result.setText(f"<span style='color:{colour}'>{body}</span>" if colour else body)

    @qasync.asyncSlot()
    async def clear(self) -> None:
        engine, chargers = self.bridge.engine, self.ticked()

        async def work(_reporter):
            return [await limits.clear_limit(engine, cid) for cid in chargers]

        found = await self._work(self.tr("Clearing the limits…"), "", work)
        if found is not None:
            self.result.setText(html.escape(self.tr("ClearChargingProfile: {0}.").format(
                ", ".join(f"{display.safe(c)} {s}" for c, s in zip(chargers, found)))))


class Tools(QtWidgets.QTabWidget):
    """The Charging page's actions, one tab each (the plot keeps the room)."""

    def __init__(self, core, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.test_charge = TestChargeBox(core)
        self.limit = LimitBox()
        self.balance = BalanceBox()
        self.tags = tags_panel.TagsPanel(core)
        self.tags.saved.connect(self.test_charge.refresh_tags)
        for widget, title in ((self.test_charge, self.tr("Test charge")), (self.limit, self.tr("Current limit")),
                              (self.balance, self.tr("Site load balancing")), (self.tags, self.tr("Test tags"))):
            widget.setFlat(True)
            widget.setTitle("")
            self.addTab(widget, title)
        self.currentChanged.connect(self._fit)
        self._fit(self.currentIndex())

    def _fit(self, index: int) -> None:
        """As tall as the tab on show (a one-line action leaves the room to the plot)."""
        policy = QtWidgets.QSizePolicy.Policy
        for i in range(self.count()):
            self.widget(i).setSizePolicy(policy.Preferred, policy.Preferred if i == index else policy.Ignored)
        page = self.widget(index)
        if page is not None:
            self.setMaximumHeight(min(MAX_TOOLS_PX, page.sizeHint().height() + self.tabBar().sizeHint().height() + 8))

    def set_bridge(self, bridge) -> None:
        for widget in (self.test_charge, self.limit, self.balance, self.tags):
            widget.set_bridge(bridge)

    def set_charger(self, info: model.ChargerInfo | None) -> None:
        for widget in (self.test_charge, self.limit, self.tags):
            widget.set_charger(info)
