"""What a MeterValues message says, in the units a technician reads: kW, kWh, A, V, %.

OCPP sends a list of meterValue entries, each a list of sampledValues (measurand, value, unit,
phase). 1.6 sends values as strings with a `unit`; 2.x sends numbers with a
`unitOfMeasure {unit, multiplier}`. A missing measurand means Energy.Active.Import.Register
(both versions). Keys may be camelCase (the wire) or snake_case (the `ocpp` package's handlers).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"
VOLTAGE = "Voltage"
SOC = "SoC"

# unit -> factor to the base unit (W, Wh, A, V, %)
_SCALE = {"W": 1.0, "kW": 1000.0, "Wh": 1.0, "kWh": 1000.0, "A": 1.0, "V": 1.0, "Percent": 1.0}
_LINE_PHASES = ("L1", "L2", "L3")


@dataclasses.dataclass(frozen=True)
class Reading:
    """The newest values of one meterValue entry; None where the charger did not send that measurand."""

    power_w: float | None = None
    energy_wh: float | None = None
    current_a: float | None = None  # the highest phase current (what trips a breaker)
    voltage_v: float | None = None  # mean of the phase voltages
    soc: float | None = None

    def merged(self, newer: Reading) -> Reading:
        """This reading updated with what `newer` says (a charger may send measurands in separate messages)."""
        return Reading(*(new if new is not None else old
                         for old, new in zip(dataclasses.astuple(self), dataclasses.astuple(newer))))

    @property
    def empty(self) -> bool:
        return all(value is None for value in dataclasses.astuple(self))


def _get(entry: dict[str, Any], camel: str, snake: str) -> Any:
    return entry.get(camel, entry.get(snake))


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _value(sample: dict[str, Any]) -> tuple[str, str, float] | None:
    """(measurand, phase, value in base units) of one sampledValue, or None if unusable."""
    value = _number(sample.get("value"))
    if value is None:
        return None
    measurand = sample.get("measurand") or ENERGY
    unit_of_measure = _get(sample, "unitOfMeasure", "unit_of_measure")
    multiplier = 0
    if isinstance(unit_of_measure, dict):
        unit = unit_of_measure.get("unit") or ""
        multiplier = unit_of_measure.get("multiplier") or 0
        if not isinstance(multiplier, int) or isinstance(multiplier, bool) or abs(multiplier) > 9:
            multiplier = 0
    else:
        unit = sample.get("unit") or ""
    if not unit:
        unit = {ENERGY: "Wh", POWER: "W", CURRENT: "A", VOLTAGE: "V", SOC: "Percent"}.get(measurand, "")
    scale = _SCALE.get(unit)
    if scale is None:
        return None
    return measurand, str(sample.get("phase") or ""), value * scale * 10 ** multiplier


def read(meter_value: Any) -> Reading:
    """The reading of the newest meterValue entry that carries the measurands we show."""
    if not isinstance(meter_value, list):
        return Reading()
    reading = Reading()
    for entry in meter_value:  # oldest first: later entries win
        if not isinstance(entry, dict):
            continue
        samples = _get(entry, "sampledValue", "sampled_value")
        if isinstance(samples, list):
            reading = reading.merged(_entry(samples))
    return reading


def _entry(samples: list[Any]) -> Reading:
    totals: dict[str, float] = {}
    phases: dict[str, list[float]] = {}
    for sample in samples:
        if not isinstance(sample, dict):
            continue
        parsed = _value(sample)
        if parsed is None:
            continue
        measurand, phase, value = parsed
        if not phase:
            totals[measurand] = value
        elif phase in _LINE_PHASES or phase.endswith("-N"):
            phases.setdefault(measurand, []).append(value)

    def pick(measurand: str, combine) -> float | None:
        if measurand in totals:
            return totals[measurand]
        values = phases.get(measurand)
        return combine(values) if values else None

    return Reading(power_w=pick(POWER, sum), energy_wh=pick(ENERGY, sum), current_a=pick(CURRENT, max),
                   voltage_v=pick(VOLTAGE, lambda v: sum(v) / len(v)), soc=pick(SOC, max))
