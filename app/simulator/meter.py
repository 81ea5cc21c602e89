"""A plausible 3-phase AC meter with an EV behind it, sans-I/O: time goes in, readings come out.

The numbers are meant to look right on a technician's screen (an 11 kW wallbox charging a
60 kWh battery that tapers above 80 % state of charge), not to model real physics.
"""

from __future__ import annotations

import dataclasses
import random

PHASES = 3
NOMINAL_VOLTAGE = 230.0
MAX_CURRENT = 16.0  # per phase
BATTERY_WH = 60_000.0

ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"
VOLTAGE = "Voltage"
SOC = "SoC"
OFFERED = "Current.Offered"
FREQUENCY = "Frequency"

# measurand -> (unit, location); 1.6 and 2.x share the names and units.
MEASURANDS = {
    ENERGY: ("Wh", "Outlet"),
    POWER: ("W", "Outlet"),
    CURRENT: ("A", "Outlet"),
    VOLTAGE: ("V", "Outlet"),
    SOC: ("Percent", "EV"),
    OFFERED: ("A", "Outlet"),
    FREQUENCY: ("Hertz", "Outlet"),
}
DEFAULT_SAMPLED = (ENERGY, POWER, CURRENT, VOLTAGE, SOC)


@dataclasses.dataclass(frozen=True)
class Reading:
    energy_wh: float
    power_w: float
    current_a: float  # per phase
    voltage_v: float
    soc: float | None  # None when no EV is plugged in
    offered_a: float = MAX_CURRENT
    frequency_hz: float = 50.0

    def value(self, measurand: str) -> float | None:
        return {
            ENERGY: self.energy_wh,
            POWER: self.power_w,
            CURRENT: self.current_a,
            VOLTAGE: self.voltage_v,
            SOC: self.soc,
            OFFERED: self.offered_a,
            FREQUENCY: self.frequency_hz,
        }.get(measurand)


class Meter:
    """One connector's meter. Call `read(now)` with a monotonic time in seconds."""

    def __init__(self, rng: random.Random, register_wh: float | None = None) -> None:
        self._rng = rng
        # A charger that has been in the field a while: the register never starts at 0.
        self.energy_wh = register_wh if register_wh is not None else float(rng.randrange(100_000, 5_000_000))
        self.soc: float | None = None
        self.charging = False
        self._last: float | None = None

    def plug_in(self, now: float) -> None:
        self.read(now)
        self.soc = round(self._rng.uniform(15.0, 45.0), 1)

    def unplug(self, now: float) -> None:
        self.read(now)
        self.charging = False
        self.soc = None

    def start(self, now: float) -> None:
        if self.soc is None:
            self.plug_in(now)
        self.read(now)
        self.charging = True

    def stop(self, now: float) -> None:
        self.read(now)
        self.charging = False

    def power_w(self) -> float:
        if not self.charging or self.soc is None or self.soc >= 100.0:
            return 0.0
        full = PHASES * NOMINAL_VOLTAGE * MAX_CURRENT
        # Constant current up to 80 %, then the EV tapers towards a trickle.
        taper = 1.0 if self.soc < 80.0 else max(0.1, (100.0 - self.soc) / 20.0)
        return full * taper

    def read(self, now: float) -> Reading:
        power = self.power_w()
        if self._last is not None and now > self._last:
            added = power * (now - self._last) / 3600.0
            self.energy_wh += added
            if self.soc is not None:
                self.soc = min(100.0, self.soc + 100.0 * added / BATTERY_WH)
        self._last = now
        voltage = NOMINAL_VOLTAGE + self._rng.uniform(-2.5, 2.5)
        noisy_power = power * (1 + self._rng.uniform(-0.01, 0.01)) if power else 0.0
        return Reading(
            energy_wh=round(self.energy_wh, 1),
            power_w=round(noisy_power, 1),
            current_a=round(noisy_power / (PHASES * voltage), 2),
            voltage_v=round(voltage, 1),
            soc=None if self.soc is None else round(self.soc, 1),
            frequency_hz=round(50.0 + self._rng.uniform(-0.05, 0.05), 2),
        )


def measurand_list(csv: str) -> list[str]:
    return [m.strip() for m in csv.split(",") if m.strip()]


def _readings(reading: Reading, measurands: list[str]):
    """(measurand, value, unit, location) for every measurand the meter can read."""
    for measurand in measurands:
        value = reading.value(measurand)
        if value is not None and measurand in MEASURANDS:
            unit, location = MEASURANDS[measurand]
            yield measurand, value, unit, location


def sampled_values_16(reading: Reading, measurands: list[str], context: str) -> list[dict]:
    """OCPP 1.6 sampledValue entries: values are strings."""
    return [{"value": str(value), "context": context, "format": "Raw", "measurand": measurand,
             "location": location, "unit": unit}
            for measurand, value, unit, location in _readings(reading, measurands)]


def sampled_values_2x(reading: Reading, measurands: list[str], context: str) -> list[dict]:
    """OCPP 2.0.1/2.1 sampledValue entries: numeric values and a unitOfMeasure object."""
    return [{"value": value, "context": context, "measurand": measurand, "location": location,
             "unit_of_measure": {"unit": unit}}
            for measurand, value, unit, location in _readings(reading, measurands)]
