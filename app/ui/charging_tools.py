"""What a technician does on the Charging page besides watching: a test charge as one action
(its summary a step of the run), and the test tags (tags_panel)."""

from __future__ import annotations

import html
from typing import Awaitable, Callable

import qasync
from PySide6 import QtCore, QtWidgets

from app.domain import display, model, runs
from app.services import operations
from app.ui import bound

TestCharge = Callable[[str, int], Awaitable["runs.Step | None"]]


class TestChargeBox(bound.ChargerBound, QtWidgets.QGroupBox):
    """Remote start with a test tag, Charging and rising energy seen, stop: energy, duration and
    peak power recorded as the run's test-charge step (the Commission page's run, or a new one)."""

    def __init__(self, core, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Test charge"))
        self.core = core
        self.info: model.ChargerInfo | None = None
        self.bridge = None
        self.run_test_charge: TestCharge | None = None  # set by the window (the Commission page's)
        self.busy = False
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
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.hide()
        row.addWidget(self.progress)
        self.result = QtWidgets.QLabel()
        self.result.setWordWrap(True)
        self.result.setTextFormat(QtCore.Qt.TextFormat.RichText)
        row.addWidget(self.result, 1)
        self.refresh_tags()

    def refresh_tags(self) -> None:
        """The tags a start may name: the default test tag and every card the CSMS answers Accepted."""
        current = self.tag.currentText()
        accepted = sorted(t for t, e in self.core.settings.csms.id_tags.items() if (e.get("status") or "Accepted") == "Accepted")
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


def summary(widget: QtWidgets.QWidget, step: runs.Step | None) -> str:
    """The test charge's outcome in a line (rich text)."""
    if step is None:
        return ""
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
