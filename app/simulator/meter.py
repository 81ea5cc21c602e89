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
MIN_OFFERED = 6.0  # IEC 61851-1: the lowest current a charger may offer an EV
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
DEFAULT_SAMPLED = (ENERGY, POWER, CURRENT, VOLTAGE, SOC, OFFERED)
# Measurands sent once per line phase (phase L1, L2, L3), as a 3-phase meter reports them.
PER_PHASE = frozenset({CURRENT})
_LINES = ("L1", "L2", "L3")


@dataclasses.dataclass(frozen=True)
class Reading:
    energy_wh: float
    power_w: float
    current_a: float  # per phase
    voltage_v: float
    soc: float | None  # None when no EV is plugged in
    offered_a: float = MAX_CURRENT  # what the charger offers the EV (the charging profiles' limit)
    frequency_hz: float = 50.0
    phase_currents: tuple[float, ...] = ()  # per line phase; empty: current_a on each

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
        # What the charger offers the EV per phase (its charging profiles); the EV draws no more
        # unless `obeys` is False (the simulator's ignore_limits fault: offered, and not applied).
        self.offered_a = MAX_CURRENT
        self.obeys = True

    def set_offered(self, now: float, amps: float) -> None:
        """A new limit from now on; the energy so far is counted at the old one."""
        if amps != self.offered_a:
            self.read(now)
            self.offered_a = amps

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

    def current_a(self) -> float:
        """What the EV draws per phase: its own wish, capped by what the charger offers."""
        if not self.charging or self.soc is None or self.soc >= 100.0:
            return 0.0
        # Constant current up to 80 %, then the EV tapers towards a trickle.
        taper = 1.0 if self.soc < 80.0 else max(0.1, (100.0 - self.soc) / 20.0)
        wish = MAX_CURRENT * taper
        if not self.obeys:
            return wish
        # IEC 61851-1: below 6 A offered the EV pauses rather than charge slower.
        return min(wish, self.offered_a) if self.offered_a >= MIN_OFFERED else 0.0

    def power_w(self) -> float:
        return PHASES * NOMINAL_VOLTAGE * self.current_a()

    def read(self, now: float) -> Reading:
        power = self.power_w()
        if self._last is not None and now > self._last:
            added = power * (now - self._last) / 3600.0
            self.energy_wh += added
            if self.soc is not None:
                self.soc = min(100.0, self.soc + 100.0 * added / BATTERY_WH)
        self._last = now
        voltage = NOMINAL_VOLTAGE + self._rng.uniform(-2.5, 2.5)
        amps = self.current_a()
        # A little noise, the same on every phase (a balanced load); an obeying EV never goes
        # above the offered current.
        cap = self.offered_a if self.obeys else float("inf")
        each = round(min(cap, amps * (1 + self._rng.uniform(-0.01, 0.01))), 2) if amps else 0.0
        phases = (each,) * PHASES
        return Reading(
            energy_wh=round(self.energy_wh, 1),
            power_w=round(sum(phases) * voltage, 1),
            current_a=max(phases),
            voltage_v=round(voltage, 1),
            soc=None if self.soc is None else round(self.soc, 1),
            offered_a=round(self.offered_a, 1),
            frequency_hz=round(50.0 + self._rng.uniform(-0.05, 0.05), 2),
            phase_currents=phases,
        )


def measurand_list(csv: str) -> list[str]:
    return [m.strip() for m in csv.split(",") if m.strip()]


def _readings(reading: Reading, measurands: list[str]):
    """(measurand, value, unit, location, phase or None) for every measurand the meter can read."""
    for measurand in measurands:
        value = reading.value(measurand)
        if value is None or measurand not in MEASURANDS:
            continue
        unit, location = MEASURANDS[measurand]
        if measurand in PER_PHASE and reading.phase_currents:
            for line, phase_value in zip(_LINES, reading.phase_currents):
                yield measurand, phase_value, unit, location, line
        else:
            yield measurand, value, unit, location, None


def sampled_values_16(reading: Reading, measurands: list[str], context: str) -> list[dict]:
    """OCPP 1.6 sampledValue entries: values are strings."""
    return [{"value": str(value), "context": context, "format": "Raw", "measurand": measurand,
             "location": location, "unit": unit, **({"phase": phase} if phase else {})}
            for measurand, value, unit, location, phase in _readings(reading, measurands)]


def sampled_values_2x(reading: Reading, measurands: list[str], context: str) -> list[dict]:
    """OCPP 2.0.1/2.1 sampledValue entries: numeric values and a unitOfMeasure object."""
    return [{"value": value, "context": context, "measurand": measurand, "location": location,
             "unit_of_measure": {"unit": unit}, **({"phase": phase} if phase else {})}
            for measurand, value, unit, location, phase in _readings(reading, measurands)]
