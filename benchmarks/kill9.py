"""kill -9 benchmark: after kill -9 of `serve --json` under load, how many printed frame events are
missing from the journal? Goal (hardening issue): 0. Writes results/kill9.{json,md}.

    .venv/bin/python benchmarks/kill9.py              # 10 kills, 20 chargers (one busy), ~30 s
    .venv/bin/python benchmarks/kill9.py --kills 3 --output /tmp/kill9
"""

from __future__ import annotations

import argparse
import pathlib
import random
import sys
import tempfile
from typing import Any

import _results

sys.path.insert(0, str(_results.REPO_ROOT))

from tests.integration import kill9_harness  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--chargers", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=pathlib.Path, default=_results.RESULTS_DIR / "kill9")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    results: dict[str, Any] = {"benchmark": "kill9", **_results.provenance(), "chargers": args.chargers, "runs": []}
    for n in range(args.kills):
        kill_after = rng.randint(20, 5000)
        with tempfile.TemporaryDirectory() as data_dir:
            outcome = kill9_harness.run_once(pathlib.Path(data_dir), kill_after, args.chargers)
        outcome["kill_after_frames"] = kill_after
        results["runs"].append(outcome)
        print(f"kill {n + 1}: after {kill_after} frame events: printed {outcome['printed']}, "
              f"journaled {outcome['journaled']}, missing {outcome['missing']}", flush=True)
    results["missing_total"] = sum(r["missing"] for r in results["runs"])
    lines = ["# kill -9 benchmark", "", _results.markdown_line(results), "",
             f"`serve --json`, {args.chargers} chargers (one sending back to back), killed with SIGKILL after a "
             "random number of printed frame events; every printed frame event looked up in the journal.", "",
             "| kill after | printed | journaled | missing |", "|---:|---:|---:|---:|"]
    lines += [f"| {r['kill_after_frames']} | {r['printed']} | {r['journaled']} | {r['missing']} |" for r in results["runs"]]
    lines += ["", f"Missing in total: **{results['missing_total']}** (goal 0)."]
    for path in _results.write(args.output, results, "\n".join(lines) + "\n"):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
