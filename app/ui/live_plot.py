"""The live charging plot: power, current per line, voltage and energy of one connector over time.

Why pyqtgraph (0.13.7+): it is made for live data. A curve takes numpy arrays (`setData`), draws
only what is in view (`clipToView`) and thins dense data to the pixels it has (`autoDownsample`,
"peak" keeps the spikes), so hours of 10-per-second readings redraw in a few milliseconds. It is
pure Python over QtWidgets' QGraphicsView and runs on PySide6-Essentials, which we pin and which
has no QtCharts (QtCharts would also redraw point by point through QLineSeries). It brings numpy
and nothing else. Mouse: drag pans, the wheel zooms, both along the time axis (Y fits what is shown).

`Series` is one connector's readings in growing numpy columns (NaN where a measurand was not sent);
appending a reading is a row write, so the page can take every event of every charger and redraw
only the one on screen, on a timer.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

# The columns of a Series, in base units for the plot: kW, A, V, kWh.
POWER, POWER_OFFERED, L1, L2, L3, CURRENT, CURRENT_OFFERED, VOLTAGE, ENERGY = range(9)
COLUMNS = 9
MAX_POINTS = 200_000  # per connector: 5.5 h at 10 readings/s, weeks at one every 10 s; the oldest quarter goes
FIRST_SIZE = 256

# Line colours of IEC 60446 (L1 brown, L2 black, L3 grey) are what an electrician expects.
COLOURS = {POWER: "#1565c0", POWER_OFFERED: "#1565c0", L1: "#8d5524", L2: "#212121", L3: "#9e9e9e",
           CURRENT: "#6a1b9a", CURRENT_OFFERED: "#c62828", VOLTAGE: "#00838f", ENERGY: "#2e7d32"}


class Series:
    """One connector's readings, oldest first: `t` in seconds since the epoch, `values` a row each."""

    def __init__(self, capacity: int = MAX_POINTS) -> None:
        self.capacity = capacity
        self.t = np.empty(FIRST_SIZE)
        self.values = np.full((FIRST_SIZE, COLUMNS), np.nan)
        self.n = 0

    def append(self, t: float, row: tuple) -> None:
        """One reading (a value per column, None/NaN where not sent); kept in time order."""
        if self.n == len(self.t):
            self._grow()
        n = self.n
        if n and t < self.t[n - 1]:  # a late or re-sent reading: rare, so the O(n) insert is fine
            at = int(np.searchsorted(self.t[:n], t, side="right"))
            self.t[at + 1:n + 1] = self.t[at:n]
            self.values[at + 1:n + 1] = self.values[at:n]
            n = at
        self.t[n] = t
        self.values[n] = [math.nan if v is None else v for v in row]
        self.n += 1

    def _grow(self) -> None:
        if len(self.t) >= self.capacity:  # full: drop the oldest quarter
            keep = self.n - self.capacity // 4
            self.t[:keep] = self.t[self.n - keep:self.n]
            self.values[:keep] = self.values[self.n - keep:self.n]
            self.n = keep
            return
        size = min(self.capacity, len(self.t) * 2)
        t, values = np.empty(size), np.full((size, COLUMNS), np.nan)
        t[:self.n], values[:self.n] = self.t[:self.n], self.values[:self.n]
        self.t, self.values = t, values

    def times(self) -> np.ndarray:
        return self.t[:self.n]

    def column(self, column: int) -> np.ndarray:
        return self.values[:self.n, column]

    def newest(self, column: int, since: float | None = None) -> float | None:
        """The newest finite value of a column (after `since`), or None."""
        values = self.column(column)
        if since is not None:
            values = values[np.searchsorted(self.times(), since):]
        finite = values[np.isfinite(values)]
        return float(finite[-1]) if len(finite) else None

    def first(self, column: int, since: float, until: float | None = None) -> float | None:
        values = self._between(column, since, until)
        return float(values[0]) if len(values) else None

    def peak(self, column: int, since: float, until: float | None = None) -> float | None:
        values = self._between(column, since, until)
        return float(values.max()) if len(values) else None

    def _between(self, column: int, since: float, until: float | None) -> np.ndarray:
        times = self.times()
        start = np.searchsorted(times, since)
        end = self.n if until is None else np.searchsorted(times, until, side="right")
        values = self.column(column)[start:end]
        return values[np.isfinite(values)]


THIN_BINS_PER_PIXEL = 1  # one min and one max reading per pixel column of the range on screen


def visible_slice(times: np.ndarray, shown: tuple[float, float] | None) -> tuple[int, int]:
    """The rows to draw for a view of [start, end]: those in it, one span either side, and the
    neighbour beyond each edge (so a line runs on to the edge); everything without a view."""
    if shown is None:
        return 0, len(times)
    start, end = shown
    span = max(end - start, 1.0)
    lo = max(0, int(np.searchsorted(times, start - span)) - 1)
    hi = min(len(times), int(np.searchsorted(times, end + span, side="right")) + 1)
    return lo, hi


def thin(times: np.ndarray, table: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """At most 2 x `bins` rows: per bin of neighbouring rows its lowest and its highest value of each
    column (NaN ignored; a bin with none stays NaN), at the bin's first and last time. Spikes stay."""
    n = len(times)
    if bins < 1 or n <= 2 * bins:
        return times, table
    starts = np.linspace(0, n, bins, endpoint=False).astype(np.intp)
    ends = np.append(starts[1:], n) - 1
    low = np.fmin.reduceat(table, starts, axis=0)
    high = np.fmax.reduceat(table, starts, axis=0)
    out_t = np.empty(2 * len(starts))
    out_t[0::2], out_t[1::2] = times[starts], times[ends]
    out = np.empty((2 * len(starts), table.shape[1]))
    out[0::2], out[1::2] = low, high
    return out_t, out


class LivePlot(pg.GraphicsLayoutWidget):
    """Four stacked plots with one time axis: power (kW), current (A), voltage (V), energy (kWh)."""

    manual_range = QtCore.Signal()  # the technician zoomed or panned: the view stops following

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.ci.layout.setSpacing(2)
        self.ci.setContentsMargins(2, 2, 8, 2)
        pen = pg.mkPen("#424242")
        titles = (self.tr("Power kW"), self.tr("Current A"), self.tr("Voltage V"), self.tr("Energy kWh"))
        self._titles = (titles, ("kW", "A", "V", "kWh"))  # long, and the units alone for short plots
        self._short = False
        self.plots: list[pg.PlotItem] = []
        for row, title in enumerate(titles):
            # A date axis on every plot (values shown on the last only): the same time ticks, so the
            # vertical grid lines of the four plots line up.
            axes = {"bottom": pg.DateAxisItem(orientation="bottom")}
            plot = self.addPlot(row=row, col=0, axisItems=axes)
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            # Measured (benchmarks/live_plot.py): a grid at every tick level costs ~10 ms a frame offscreen,
            # at the major ticks ~2 ms; 2 px lines take the slow path of QPainter (~3x a 1 px line).
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setLabel("left", title)
            plot.getAxis("left").setWidth(80)  # a meter register reads 4398.46 kWh
            plot.getAxis("left").enableAutoSIPrefix(False)  # "kW" already: no "x1e3"
            for side in ("left", "bottom"):
                plot.getAxis(side).setPen(pen)
                plot.getAxis(side).setTextPen(pen)
                plot.getAxis(side).setStyle(maxTickLevel=0)
            view = plot.getViewBox()
            view.setMouseEnabled(x=True, y=False)  # time is what one zooms; Y fits what is shown
            view.enableAutoRange(axis=pg.ViewBox.YAxis)
            view.setDefaultPadding(0.08)  # headroom: a line at its peak is not drawn on the frame
            view.setAutoVisible(y=True)
            view.sigRangeChangedManually.connect(lambda *_: self.manual_range.emit())
            if self.plots:
                plot.setXLink(self.plots[0])
            if row < len(titles) - 1:
                plot.getAxis("bottom").setStyle(showValues=False)
            self.plots.append(plot)
        # Bottom left: power and current start from 0, so while charging their lines are near the top.
        self.legends = [plot.addLegend(offset=(4, -4), colCount=5, labelTextSize="8pt", labelTextColor="#212121",
                                       brush=pg.mkBrush(255, 255, 255, 210)) for plot in self.plots]
        power, current, voltage, energy = self.plots
        # An invisible line at 0 under power and current: Y starts at 0, so 1 % of noise on 11 kW looks
        # like 1 %, not like a saw from the floor to the ceiling.
        self._floors = [plot.plot(pen=pg.mkPen(0, 0, 0, 0)) for plot in (power, current)]
        # column -> (plot, legend label, dashed)
        lines = {POWER: (power, self.tr("power"), False), POWER_OFFERED: (power, self.tr("offered"), True),
                 L1: (current, "L1", False), L2: (current, "L2", False), L3: (current, "L3", False),
                 CURRENT: (current, self.tr("current (no phase given)"), False),
                 CURRENT_OFFERED: (current, self.tr("offered (limit)"), True),
                 VOLTAGE: (voltage, self.tr("voltage"), False), ENERGY: (energy, self.tr("meter register"), False)}
        energy.getAxis("left").setToolTip(self.tr("The charger's energy meter register"))
        self.curves: dict[int, pg.PlotDataItem] = {}
        self._labels: dict[int, str] = {}
        self._rows: dict[int, int] = {}
        self._in_legend: set[int] = set()
        for column, (plot, label, dashed) in lines.items():
            style = QtCore.Qt.PenStyle.DashLine if dashed else QtCore.Qt.PenStyle.SolidLine
            curve = plot.plot(pen=pg.mkPen(COLOURS[column], width=1, style=style), connect="finite")
            curve.setVisible(False)
            self.curves[column] = curve
            self._labels[column] = label
            self._rows[column] = self.plots.index(plot)
        self.series: Series | None = None

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)  # pyqtgraph calls it with None too
        if not getattr(self, "plots", None):
            return
        short = self.height() / len(self.plots) < 80  # a rotated title longer than its plot
        if short != self._short:
            self._short = short
            for plot, title in zip(self.plots, self._titles[1 if short else 0]):
                plot.setLabel("left", title)

    def show_series(self, series: Series | None, shown: tuple[float, float] | None = None) -> None:
        """Draw this connector's readings (a whole redraw: call it on a timer, not per reading).

        `shown`: the time range about to be on screen. Only the readings in it and one range either
        side (room to pan until the next redraw) are drawn, thinned to the min and max of each pixel
        column: an hour of 10-per-second readings costs what a few minutes do."""
        if series is not self.series:
            self.series = series
            for legend in self.legends:
                legend.clear()
            self._in_legend.clear()
        if series is not None and series.n:
            all_times = series.times()
            lo, hi = visible_slice(all_times, shown)
            pixels = max(1.0, self.plots[0].getViewBox().width() or self.width())
            # As many bins as pixels over the range on screen, in proportion beyond it.
            span = (shown[1] - shown[0]) if shown is not None else 0.0
            drawn = float(all_times[hi - 1] - all_times[lo]) if hi > lo else 0.0
            bins = THIN_BINS_PER_PIXEL * pixels * max(1.0, drawn / span if span > 0 else 1.0)
            times, table = thin(all_times[lo:hi], series.values[lo:hi], int(bins))
        else:
            times, table = np.empty(0), np.empty((0, COLUMNS))
        for floor in self._floors:
            floor.setData(times, np.zeros(len(times)))
        for column, curve in self.curves.items():
            values = table[:, column]
            scale = 0.001 if column in (POWER, POWER_OFFERED, ENERGY) else 1.0
            present = bool(len(values)) and bool(np.isfinite(values).any())
            curve.setVisible(present)
            if not present:
                curve.setData([], [])
                continue
            curve.setData(times, values * scale if scale != 1.0 else values, connect="finite")
            if column not in self._in_legend and self._rows[column] < 2:  # one line each below: the axis says
                self._in_legend.add(column)
                self.legends[self._rows[column]].addItem(curve, self._labels[column])

    def set_time_range(self, start: float, end: float) -> None:
        """Show [start, end] (seconds since the epoch) on every plot; Y fits what is in it."""
        if end <= start:
            end = start + 1.0
        self.plots[0].setXRange(start, end, padding=0.01)

    def time_range(self) -> tuple[float, float]:
        low, high = self.plots[0].getViewBox().viewRange()[0]
        return float(low), float(high)

