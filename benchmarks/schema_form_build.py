"""Time to build the Send-operation form of every CSMS-initiated action, every OCPP version.

For each (version, action) the form is built from the request schema as the panel does
(`SchemaForm(load_schema(...))`), filled with the action's example payload, then shown until
its first layout is done (offscreen). Each form is built `--repeat` times; the figures are the
fastest and the median of those. tests/ui/test_schema_form.py checks that every form builds and
validates; how fast belongs here. Never asserts: the target (each form built and filled within
2 s, what the form test used to assert) is reported as met / not met.

    .venv/bin/python benchmarks/schema_form_build.py              # ~15 s
    .venv/bin/python benchmarks/schema_form_build.py --repeat 1 --output /tmp/forms

Writes results/schema_form_build.json (or --output PATH, without a suffix), with the commit.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import statistics
import sys
import time
from typing import Any

BENCH_DIR = pathlib.Path(__file__).resolve().parent
for path in (BENCH_DIR, BENCH_DIR.parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import _results  # noqa: E402  (benchmarks/ is not a package)

TARGET_BUILD_AND_FILL_S = 2.0


def measure(repeat: int) -> list[dict[str, Any]]:
    from PySide6 import QtCore, QtWidgets

    from app.ocpp import actions, examples, schemas
    from app.ui import schema_form

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    # The offscreen platform says this whenever a top-level widget is shown; it is not a fault.
    QtCore.qInstallMessageHandler(lambda mode, context, message: None if "propagateSizeHints" in message
                                  else sys.stderr.write(message + "\n"))
    forms = []
    for version in actions.VERSIONS:
        for action in actions.csms_initiated(version):
            schema = schemas.load_schema(version, action, False)  # cached: the panel loads it once too
            example = examples.example(version, action)
            build, fill, show = [], [], []
            for _ in range(repeat):
                t0 = time.perf_counter()
                form = schema_form.SchemaForm(schema)
                t1 = time.perf_counter()
                form.set_value(example)
                t2 = time.perf_counter()
                form.resize(900, 700)
                form.show()
                app.processEvents()
                t3 = time.perf_counter()
                build.append(t1 - t0)
                fill.append(t2 - t1)
                show.append(t3 - t2)
                form.close()
                form.deleteLater()
                app.processEvents()
            total = [b + f for b, f in zip(build, fill)]
            forms.append({
                "version": version, "action": action,
                "build_ms": _ms(build), "fill_ms": _ms(fill), "show_ms": _ms(show),
                "build_and_fill_ms": _ms(total),
            })
            print(f"{version:5} {action:32} build+fill {forms[-1]['build_and_fill_ms']['min']:8.1f} ms", flush=True)
    return forms


def _ms(seconds: list[float]) -> dict[str, float]:
    return {"min": round(min(seconds) * 1000, 2), "median": round(statistics.median(seconds) * 1000, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="builds per form (default 5)")
    parser.add_argument("--output", type=pathlib.Path, default=_results.RESULTS_DIR / "schema_form_build",
                        help="results path without suffix (default benchmarks/results/schema_form_build)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # figures comparable across machines, no display needed
    import PySide6

    results: dict[str, Any] = {
        "benchmark": "schema_form_build", **_results.provenance(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "pyside6": PySide6.__version__, "qpa": "offscreen",
                    "loadavg_1min_before": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None},
        "config": {"repeat": args.repeat},
        "targets": {"build_and_fill_s": TARGET_BUILD_AND_FILL_S},
    }
    started = time.perf_counter()
    forms = measure(args.repeat)
    slowest = max(forms, key=lambda f: f["build_and_fill_ms"]["min"])
    results["summary"] = {
        "forms": len(forms),
        "seconds": round(time.perf_counter() - started, 1),
        "build_and_fill_ms_median_of_forms": round(statistics.median(f["build_and_fill_ms"]["min"] for f in forms), 2),
        "slowest": {"version": slowest["version"], "action": slowest["action"], **slowest["build_and_fill_ms"]},
        "target_met": all(f["build_and_fill_ms"]["min"] < TARGET_BUILD_AND_FILL_S * 1000 for f in forms),
    }
    results["forms"] = forms
    written = _results.write(args.output, results)
    summary = results["summary"]
    print(f"{summary['forms']} forms; median build+fill {summary['build_and_fill_ms_median_of_forms']} ms; slowest "
          f"{slowest['version']} {slowest['action']} {slowest['build_and_fill_ms']['min']} ms "
          f"(target < {TARGET_BUILD_AND_FILL_S:g} s each: {'met' if summary['target_met'] else 'NOT met'}); "
          f"commit {results['commit']}; results: {', '.join(map(str, written))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
