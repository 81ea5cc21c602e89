"""One firmware update or log upload as the technician follows it: a bar of the bytes moved, the
stage in words, the verdict (green or red, with the hint), and the timeline of what the charger,
the file server and the app said (domain.jobs). Shared by the Firmware and Diagnostics pages.
"""

from __future__ import annotations

import datetime
import time

from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import display, jobs

COLUMNS = ("Time", "From", "Status", "Detail")
GREEN, RED, BLUE, GREY = "#2e7d32", "#c62828", "#1565c0", "#616161"
# The steps of a job as the strip above the bar names them; a status moves the strip to its step.
FIRMWARE_STEPS = ("Ask the charger", "Download", "Install", "Reboot", "Check the version")
FIRMWARE_STEP_OF = {"Download request": 1, "DownloadScheduled": 1, "Downloading": 1, "DownloadPaused": 1,
                    "Served": 2, "Downloaded": 2, "SignatureVerified": 2, "InstallScheduled": 2, "Installing": 2,
                    "InstallRebooting": 3, "Installed": 3, "BootNotification": 4}
LOG_STEPS = ("Ask the charger", "Upload", "File received")
LOG_STEP_OF = {"Will upload": 1, "Connection": 1, "Uploading": 1, "Uploaded": 2, "File received": 2,
               "Partial file": 1}


def clock_text(ms: int) -> str:
    if not ms:
        return ""
    return datetime.datetime.fromtimestamp(ms / 1000).strftime("%H:%M:%S")


def day_text(ms: int) -> str:
    if not ms:
        return ""
    return datetime.datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M")


def bytes_text(count: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} B"

RATE_WINDOW_S = 10.0  # time left: from the bytes of the last this many seconds
RATE_MIN_S = 4.0  # ... and only once there are this many seconds of them


class JobView(QtWidgets.QWidget):
    """`show_job(job)` after every change; `set_bytes(done, total)` from the file server's events."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.job: jobs.Job | None = None
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.stage = QtWidgets.QLabel()
        self.stage.setWordWrap(True)
        self.stage.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        font = self.stage.font()
        font.setBold(True)
        self.stage.setFont(font)
        layout.addWidget(self.stage)
        self.steps = QtWidgets.QLabel()
        self.steps.setTextFormat(QtCore.Qt.TextFormat.RichText)  # built here from fixed words only
        layout.addWidget(self.steps)
        self._samples: list[tuple[float, int]] = []  # (monotonic s, bytes served) of the last RATE_WINDOW_S
        self.left_text = ""
        self.bar = QtWidgets.QProgressBar()
        self.bar.setTextVisible(True)
        layout.addWidget(self.bar)
        self.verdict = QtWidgets.QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(QtCore.Qt.TextFormat.PlainText)  # it may quote a charger
        self.verdict.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.verdict)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QtWidgets.QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.show_job(None)

    # ---------------------------------------------------------------- words

    def source_text(self, source: jobs.Source) -> str:
        return {jobs.Source.CHARGER: self.tr("charger"), jobs.Source.SERVER: self.tr("file server"),
                jobs.Source.APP: self.tr("Commissioner")}.get(source, source.value)

    def stage_text(self, job: jobs.Job) -> str:
        """Where the job is, in the technician's words."""
        words = {
            "Requested": self.tr("Asked the charger; waiting for it to contact the file server"),
            "Download request": self.tr("The charger is fetching the image from this laptop"),
            "DownloadScheduled": self.tr("The charger will download at the time it was given"),
            "Downloading": self.tr("Downloading: keep the charger powered and connected"),
            "DownloadPaused": self.tr("The charger paused the download"),
            "Served": self.tr("The file server sent the whole image; waiting for the charger to check it"),
            "Downloaded": self.tr("Downloaded; the charger installs it next"),
            "SignatureVerified": self.tr("Signature verified; the charger installs it next"),
            "InstallScheduled": self.tr("The charger will install at the time it was given"),
            "InstallRebooting": self.tr("Installing: the charger reboots"),
            "Installing": self.tr("Installing: do not switch the charger off"),
            "Installed": self.tr("Installed; waiting for the charger to report its new version"),
            "Disconnected": self.tr("The charger is away (rebooting?): waiting for it to come back"),
            "Reconnected": self.tr("The charger is back: asked for the status again"),
            "BootNotification": self.tr("The charger rebooted: checking the version it reports"),
            "Will upload": self.tr("The charger accepted: waiting for it to upload"),
            "Connection": self.tr("The charger reached the file server: uploading"),
            "Uploading": self.tr("Uploading"),
            "Uploaded": self.tr("The charger says the upload is done"),
            "File received": self.tr("The file arrived"),
            "Partial file": self.tr("Only part of the file arrived"),
        }
        if job.outcome is jobs.Outcome.WAITING:
            return words["Disconnected"]
        return words.get(job.last_status, job.last_status)

    # ---------------------------------------------------------------- state

    def show_job(self, job: jobs.Job | None) -> None:
        self.job = job
        self._fill_steps(job)
        if job is None:
            self.stage.setText("")
            self.bar.hide()
            self.verdict.hide()
            self.table.setRowCount(0)
            return
        self._fill(job)
        if job.ended:
            done = job.outcome is jobs.Outcome.DONE
            self.stage.setText(self.tr("{0} · started {1}, finished {2}").format(
                self.kind_text(job), day_text(job.started_ms), clock_text(job.ended_ms)))
            self.verdict.setText((self.tr("✓ ") if done else self.tr("✗ ")) + self.verdict_text(job))
            colour = GREEN if done else (GREY if job.outcome is jobs.Outcome.CANCELLED else RED)
            self.verdict.setStyleSheet(f"color:{colour}; font-weight:bold;")
            self.verdict.show()
            if done and self.bar.maximum() > 0:
                self.bar.setValue(self.bar.maximum())
            self.bar.setVisible(done and self.bar.maximum() > 0)
        else:
            left = self.left_text if job.last_status in ("Downloading", "Download request", "Uploading",
                                                          "Connection") else ""
            self.stage.setText(self.stage_text(job) + (f" — {left}" if left else ""))
            self.stage.setStyleSheet(f"color:{BLUE};")
            self.verdict.hide()
            self.bar.show()
        if job.ended:
            self.stage.setStyleSheet(f"color:{GREY};")

    def kind_text(self, job: jobs.Job) -> str:
        if job.kind is jobs.Kind.FIRMWARE:
            return self.tr("Firmware update to {0}").format(display.safe(job.detail.get("version") or
                                                                         job.detail.get("name", "")))
        if job.kind is jobs.Kind.SECURITY_LOG:
            return self.tr("Security log")
        return self.tr("Diagnostics log")

    def _fill_steps(self, job: jobs.Job | None) -> None:
        if job is None:
            self.steps.clear()
            return
        names, step_of = (FIRMWARE_STEPS, FIRMWARE_STEP_OF) if job.kind is jobs.Kind.FIRMWARE else \
            (LOG_STEPS, LOG_STEP_OF)
        current = max((step_of.get(e.status, 0) for e in job.events), default=0)
        if job.outcome is jobs.Outcome.DONE:
            current = len(names)
        parts = []
        for index, name in enumerate(names):
            word = self.tr(name)
            if index < current:
                parts.append(f"<span style='color:{GREEN}'>✓ {word}</span>")
            elif index == current and job.outcome in (jobs.Outcome.FAILED, jobs.Outcome.CANCELLED):
                parts.append(f"<b style='color:{RED}'>✗ {word}</b>")
            elif index == current:
                parts.append(f"<b style='color:{BLUE}'>▶ {word}</b>")
            else:
                parts.append(f"<span style='color:{GREY}'>{word}</span>")
        self.steps.setText(" &nbsp;→&nbsp; ".join(parts))

    def verdict_text(self, job: jobs.Job) -> str:
        if job.outcome is jobs.Outcome.CANCELLED:
            return self.tr("Cancelled. {0}").format(job.message)
        return job.message or (self.tr("Done.") if job.outcome is jobs.Outcome.DONE else self.tr("Failed."))

    def set_bytes(self, done: int, total: int, what: str) -> None:
        """The file server's count (bytes served of total); total 0: not known (a busy bar)."""
        now = time.monotonic()
        # The rate over the last RATE_WINDOW_S: socket buffers swallow the first megabytes at once,
        # so a rate from the start says "1 s left" at 66 % of a slow download.
        samples = self._samples
        if samples and done < samples[-1][1]:
            samples = []  # a new attempt
        samples.append((now, done))
        while len(samples) > 2 and now - samples[1][0] >= RATE_WINDOW_S:
            samples.pop(0)
        self._samples = samples
        began, first = samples[0]
        rate = (done - first) / (now - began) if now - began >= RATE_MIN_S else 0.0
        self.left_text = ""
        if total > 0 and rate > 0 and done < total:
            seconds = int((total - done) / rate)
            self.left_text = self.tr("about {0} min {1} s left").format(seconds // 60, seconds % 60) \
                if seconds >= 60 else self.tr("about {0} s left").format(max(1, seconds))
        if total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(done, total) / total))
            self.bar.setFormat(self.tr("{0}: {1} of {2} ({3} %)").format(
                what, bytes_text(done), bytes_text(total), int(100 * min(done, total) / total)))
        else:
            self.bar.setRange(0, 0 if done == 0 else 1)
            self.bar.setValue(1 if done else 0)
            self.bar.setFormat(self.tr("{0}: {1}").format(what, bytes_text(done)))

    def reset_bytes(self) -> None:
        self._samples = []
        self.left_text = ""
        self.bar.setRange(0, 0)  # busy until the first byte
        self.bar.setFormat("")

    def _fill(self, job: jobs.Job) -> None:
        at_end = self.table.verticalScrollBar().value() >= self.table.verticalScrollBar().maximum() - 2
        self.table.setRowCount(len(job.events))
        for row, event in enumerate(job.events):
            cells = (clock_text(event.ts_ms), self.source_text(event.source), event.status,
                     display.safe(event.detail))
            for column, text in enumerate(cells):
                item = self.table.item(row, column)
                if item is None:
                    item = QtWidgets.QTableWidgetItem()
                    self.table.setItem(row, column, item)
                if item.text() != text:
                    item.setText(text)
                    item.setToolTip(text if column == 3 else "")
            failed = event.status in ("Failed",) or event.status.endswith("Failed") or event.status in (
                "InvalidSignature", "InvalidCertificate", "RevokedCertificate", "PermissionDenied", "BadMessage")
            colour = QtGui.QColor(RED) if failed else QtGui.QColor(GREEN) if event.status in (
                "Done", "Installed", "Uploaded", "File received") else None
            status_item = self.table.item(row, 2)  # reused rows: another job's colour must not stay
            status_item.setForeground(colour if colour is not None else self.table.palette().text().color())
        if at_end:
            self.table.scrollToBottom()
