"""One channel for user messages: a message bar for errors and notices, a crash dialog for bugs."""

from __future__ import annotations

import logging
import pathlib
import sys
import traceback
from types import TracebackType

from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import errors

log = logging.getLogger(__name__)

_STYLES = {
    "error": "background:#fde7e9; color:#6b0b16; border:1px solid #e8a3ab;",
    "warning": "background:#fff4ce; color:#5c4200; border:1px solid #e6cf7a;",
    "info": "background:#e5f1fb; color:#0b3a66; border:1px solid #9cc5ea;",
    "success": "background:#dff6dd; color:#0e4b12; border:1px solid #9fd89f;",
}


INFO_SECONDS = 8


class MessageBar(QtWidgets.QFrame):
    """A strip above the content: what happened, and what to do next.

    It keeps its place and its height whether or not a message is shown (idle, it shows a quiet
    status line), so a message arriving or expiring never moves the rest of the window under
    the technician's pointer.
    """

    action_triggered = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.text = QtWidgets.QLabel()
        self.text.setTextFormat(QtCore.Qt.TextFormat.PlainText)  # may quote a charger: never markup
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text, 1)
        self.action_button = QtWidgets.QPushButton()
        self.action_button.hide()
        self.action_button.clicked.connect(lambda: self.action_triggered.emit(self._action))
        layout.addWidget(self.action_button)
        self.close_button = QtWidgets.QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.dismiss)
        layout.addWidget(self.close_button)
        self._action = ""
        self.level = ""
        self._idle_text = ""
        self._expire = QtCore.QTimer(self)
        self._expire.setSingleShot(True)
        self._expire.timeout.connect(self.dismiss)
        # Two lines of text (message and hint) always fit; the height never changes.
        lines = self.text.fontMetrics().lineSpacing() * 2
        self.setFixedHeight(lines + layout.contentsMargins().top() + layout.contentsMargins().bottom() + 6)
        self.dismiss()

    @property
    def showing(self) -> bool:
        """A message (not the idle status line) is shown."""
        return bool(self.level)

    def set_idle(self, text: str) -> None:
        """The quiet status line shown when there is no message."""
        self._idle_text = text
        if not self.level:
            self.text.setText(text)

    def dismiss(self) -> None:
        self._expire.stop()
        self.level = ""
        self._action = ""
        self.setStyleSheet("#messageBar { background:transparent; border:1px solid transparent; } "
                           "QLabel { color:palette(mid); border:none; }")
        self.text.setText(self._idle_text)
        self.text.setToolTip("")
        self.action_button.hide()
        self.close_button.hide()

    def show_message(self, level: str, text: str, action: str = "", action_label: str = "") -> None:
        self.level = level
        self.setStyleSheet(f"#messageBar {{ {_STYLES[level]} border-radius:4px; }} QLabel {{ border:none; }}")
        self.text.setText(text)
        self.text.setToolTip(text)  # in full, should it not fit on two lines
        self._action = action
        self.action_button.setVisible(bool(action))
        self.action_button.setText(action_label)
        self.close_button.show()
        # Notices go away by themselves; errors and warnings stay until dismissed or acted on.
        if level in ("info", "success") and not action:
            self._expire.start(INFO_SECONDS * 1000)
        else:
            self._expire.stop()

    def show_error(self, error: BaseException, action: str = "", action_label: str = "") -> None:
        message, hint = describe(error)
        self.show_message("error", message + (f"\n{hint}" if hint else ""), action, action_label)


def describe(error: BaseException) -> tuple[str, str]:
    """What happened and what to do, in the technician's language.

    The core raises English domain errors (it runs headless too); here each kind gets a
    translatable template filled from the error's own fields. Unknown kinds keep their text.
    """
    tr = lambda text: QtCore.QCoreApplication.translate("MessageBar", text)  # noqa: E731
    if isinstance(error, errors.PortInUseError):
        return (tr("Port {0} on {1} is already in use by another program.").format(error.port, error.host),
                tr("Close that program or choose another port in Settings."))
    if isinstance(error, errors.ChargerNotConnectedError):
        return (tr("Charger {0} is not connected.").format(error.charger_id),
                tr("Check that the charger's backend URL points at this laptop and that it is powered."))
    if isinstance(error, errors.CallTimeoutError):
        return (tr("{0} did not answer {1} within {2:g} s.").format(error.charger_id, error.action, error.timeout),
                tr("The charger may be busy or offline; check its connection and try again."))
    if isinstance(error, errors.CallErrorReceived):
        detail = f" ({error.description})" if error.description else ""
        return tr("The charger refused {0}: {1}{2}").format(error.action, error.code, detail), ""
    if isinstance(error, errors.PayloadInvalidError):
        return (tr("{0} was not sent: {1}").format(error.action, "; ".join(error.errors)),
                tr("Correct the marked fields and send again."))
    if isinstance(error, errors.CommissionerError):
        return error.message, error.hint
    return tr("Unexpected error: {0}").format(error), ""


class CrashDialog(QtWidgets.QDialog):
    """For bugs: says sorry, where the log is, and lets the technician copy the details."""

    def __init__(self, details: str, log_path: pathlib.Path | None, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Commissioner ran into a problem"))
        layout = QtWidgets.QVBoxLayout(self)
        intro = QtWidgets.QLabel(self.tr(
            "Something went wrong inside Commissioner. Your recorded data is safe: every frame is "
            "already in the journal.\nPlease send the log file below to support."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        if log_path is not None:
            path = QtWidgets.QLineEdit(str(log_path))
            path.setReadOnly(True)
            layout.addWidget(path)
        self.details = QtWidgets.QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setMinimumSize(560, 200)
        layout.addWidget(self.details)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton(self.tr("Copy details"), QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QtGui.QGuiApplication.clipboard().setText(details))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def install_excepthook(log_path: pathlib.Path | None, parent_getter) -> None:
    """Unexpected exceptions (asyncSlots included) open the crash dialog; nothing is swallowed."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if isinstance(value, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("unexpected exception\n%s", details)
        if isinstance(value, errors.CommissionerError) and parent_getter() is not None:
            # A domain error that escaped a slot: it has a message for the technician.
            parent_getter().message_bar.show_error(value)
            return
        CrashDialog(details, log_path, parent_getter()).exec()

    sys.excepthook = hook
