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
CURRENT_OFFERED = "Current.Offered"
POWER_OFFERED = "Power.Offered"

# unit -> (base unit, factor): every unit OCPP's UnitOfMeasure lists (1.6 and 2.x)
_BASE = {"W": ("W", 1.0), "kW": ("W", 1000.0), "Wh": ("Wh", 1.0), "kWh": ("Wh", 1000.0), "A": ("A", 1.0),
         "V": ("V", 1.0), "Percent": ("Percent", 1.0), "var": ("var", 1.0), "kvar": ("var", 1000.0),
         "varh": ("varh", 1.0), "kvarh": ("varh", 1000.0), "VA": ("VA", 1.0), "kVA": ("VA", 1000.0),
         "Celsius": ("Celsius", 1.0), "Fahrenheit": ("Fahrenheit", 1.0), "K": ("K", 1.0), "Hz": ("Hz", 1.0),
         "ASU": ("ASU", 1.0), "B": ("B", 1.0), "dB": ("dB", 1.0), "dBm": ("dBm", 1.0), "Deg": ("Deg", 1.0),
         "Lux": ("Lux", 1.0), "m": ("m", 1.0), "ms": ("ms", 1.0), "kW/h": ("W", 1000.0), "s": ("s", 1.0)}
_DEFAULT_UNIT = {"Energy": "Wh", "Power": "W", "Current": "A", "Voltage": "V", "SoC": "Percent",
                 "Temperature": "Celsius", "Frequency": "Hz"}
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


def number(value: Any) -> float | None:
    """A finite number from an OCPP value (1.6 strings, 2.x numbers); None otherwise."""
    return _number(value)


def sample_value(sample: dict[str, Any]) -> tuple[str, str, float, str] | None:
    """(measurand, phase, value, base unit) of one sampledValue in base units (Wh, W, A, V, %, var,
    VA, Celsius, …; the unit's k-prefix and a 2.x multiplier applied), or None if unusable."""
    value = _number(sample.get("value"))
    if value is None:
        return None
    measurand = str(sample.get("measurand") or ENERGY)
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
        unit = _DEFAULT_UNIT.get(measurand.split(".")[0], "")
    base = _BASE.get(str(unit))
    if base is None:
        return None
    return measurand, str(sample.get("phase") or ""), value * base[1] * 10 ** multiplier, base[0]


def _value(sample: dict[str, Any]) -> tuple[str, str, float] | None:
    """(measurand, phase, value in base units) of one sampledValue, or None if unusable."""
    parsed = sample_value(sample)
    return None if parsed is None else parsed[:3]


def read(meter_value: Any) -> Reading:
    """The reading of the newest meterValue entry that carries the measurands we show."""
    return read_all(meter_value)[0]


def _parsed(samples: list[Any]) -> list[tuple[str, str, float]]:
    """Each sampledValue as (measurand, phase, value in base units); the unreadable ones left out."""
    return [found for found in (_value(sample) for sample in samples if isinstance(sample, dict)) if found is not None]


def _entry(parsed: list[tuple[str, str, float]]) -> Reading:
    totals: dict[str, float] = {}
    phases: dict[str, list[float]] = {}
    for measurand, phase, value in parsed:
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


@dataclasses.dataclass(frozen=True)
class Phases:
    """What a live plot needs beyond `Reading`: the current of each line, what the charger offers the EV
    (Current.Offered, Power.Offered: where a current limit shows) and when the newest entry was sampled."""

    current_l1_a: float | None = None
    current_l2_a: float | None = None
    current_l3_a: float | None = None
    current_offered_a: float | None = None
    power_offered_w: float | None = None
    timestamp: str = ""  # the newest entry's own timestamp, as the charger sent it ("" when it sent none)


def phases(meter_value: Any) -> Phases:
    """Current per line (phase L1/L2/L3, or L1-N...; a value without a phase is not one of them), the
    offered current and power, and the newest entry's timestamp; later entries win, as in `read`."""
    return read_all(meter_value)[1]


def read_all(meter_value: Any) -> tuple[Reading, Phases]:
    """`read` and `phases` of the same meterValue list in one pass (each sampledValue parsed once:
    the CSMS does this for every MeterValues it receives)."""
    reading = Reading()
    found: dict[str, Any] = {}
    for entry in meter_value if isinstance(meter_value, list) else []:  # oldest first: later entries win
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("timestamp"), str) and entry["timestamp"]:
            found["timestamp"] = entry["timestamp"]
        samples = _get(entry, "sampledValue", "sampled_value")
        if not isinstance(samples, list):
            continue
        parsed = _parsed(samples)
        reading = reading.merged(_entry(parsed))
        for measurand, phase, value in parsed:
            if measurand == CURRENT and phase[:2] in _LINE_PHASES:
                found[f"current_{phase[:2].lower()}_a"] = value
            elif measurand == CURRENT_OFFERED and not phase:
                found["current_offered_a"] = value
            elif measurand == POWER_OFFERED and not phase:
                found["power_offered_w"] = value
    return reading, Phases(**found)
