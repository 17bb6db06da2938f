"""Cold start: ``check`` and ``ask`` on the bundled facts.yaml from a fresh process.

Run by hand:  .venv/bin/python bench/bench_cold.py [--runs 15]

Each command runs as a new process, in turn with ``python -c pass`` (the interpreter's own start,
the baseline), after one warm-up each; it prints the median and best wall time of each and the
difference from the baseline. Targets: ``check`` <= 150 ms and ``ask`` <= 200 ms wall.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "check facts.yaml": [sys.executable, "-m", "bot", "check", "facts.yaml"],
    "ask how much money": [sys.executable, "-m", "bot", "ask", "how much money"],
    "ask --summary russia": [sys.executable, "-m", "bot", "ask", "--summary", "russia"],
}
TARGETS = {"check facts.yaml": 0.150, "ask how much money": 0.200, "ask --summary russia": 0.200}


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():
        wall(command)  # warm-up: the file cache, compiled bytecode
    for _ in range(args.runs):  # in turn, so that machine noise falls on all alike
        for name, command in COMMANDS.items():
            times[name].append(wall(command))
    base = statistics.median(times["python -c pass"])
    print(f"{'command':<24} {'median ms':>10} {'best ms':>8} {'- baseline':>11} {'target':>8}")
    for name, ts in times.items():
        med = statistics.median(ts)
        target = TARGETS.get(name)
        verdict = "" if target is None else ("met" if med <= target else "MISSED")
        print(
            f"{name:<24} {med * 1000:10.0f} {min(ts) * 1000:8.0f} {(med - base) * 1000:11.0f}"
            f" {verdict:>8}"
        )


if __name__ == "__main__":
    main()
