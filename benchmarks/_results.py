"""What every benchmark records in every results file it writes: the commit measured and the date.

    import _results                       # benchmarks/ is not a package: scripts import it by name
    results = {"benchmark": "x", **_results.provenance(), ...}     # once, when the run starts
    lines = ["# X benchmark", "", _results.markdown_line(results), ...]
    _results.write(base, results, markdown)                        # base.json (+ base.md)

`commit` is `git rev-parse HEAD`, with "-dirty" appended when `git status --porcelain` lists
changes (outside benchmarks/results/, which the benchmarks write themselves), or None outside a
git checkout; `date` is the UTC start of the run. `write` refuses results without both.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import subprocess
from typing import Any

BENCH_DIR = pathlib.Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_commit() -> str | None:
    """HEAD's hash, "-dirty" if the working tree has changes; None if there is no git checkout."""
    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return None
    status = _git("status", "--porcelain", "--", ".", ":(exclude)benchmarks/results")
    return commit + "-dirty" if status else commit


def provenance() -> dict[str, Any]:
    return {"commit": git_commit(), "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def markdown_line(results: dict[str, Any]) -> str:
    commit = results["commit"] or "unknown (not a git checkout)"
    return f"Commit `{commit}`, run {results['date']}."


def write(base: pathlib.Path, results: dict[str, Any], markdown: str | None = None) -> list[pathlib.Path]:
    """`base`.json (and `base`.md if given), each replaced whole so a reader never sees half a file."""
    if "commit" not in results or "date" not in results:
        raise ValueError("benchmark results must carry _results.provenance()")
    base.parent.mkdir(parents=True, exist_ok=True)
    files = [(base.with_suffix(".json"), json.dumps(results, indent=2, default=str) + "\n")]
    if markdown is not None:
        files.append((base.with_suffix(".md"), markdown))
    for path, text in files:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return [path for path, _ in files]
