"""Conversations per second and peak memory of offline generation, for 500 and 10,000 clients.

Two measurements, each run in a fresh subprocess so its peak RSS is its own:

- ``compose``: sample + plan + compose all six phases in one process, discarding the output
  (the composer's own throughput);
- ``generate``: the whole ``tvt generate`` pipeline (``generate_offline``: composing, writing,
  manifest and dataset card);
- ``cli``: ``tvt generate --seed 42`` end to end as the user runs it (interpreter start-up,
  imports, the progress bar and all), timed from outside.

Prints the median of several repetitions (fewer for 10,000 clients, which take longer).
Usage: python benchmark/perf/generate.py [--clients 500 10000] [--reps 5 2] [--modes cli]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from tvt.config import load_config
from tvt.pipeline import generate_offline, iter_cases
from tvt.compose import compose_client
from tvt.phases import BENCHMARK_ORDER

mode, n, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
t0 = time.perf_counter()
config = load_config("default")
convs = 0
if mode == "compose":
    for case in iter_cases(config, 42, n):
        convs += len(compose_client(case, 42, BENCHMARK_ORDER))
else:
    manifest = generate_offline(out, seed=42, clients=n, config=config, force=True)
    convs = manifest["files"]["conversations.jsonl"]["records"]
elapsed = time.perf_counter() - t0
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "conversations": convs, "peak_rss_mb": max(rss_mb, kids)}))
"""


def run_cli(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tvt",
                "generate",
                "--seed",
                "42",
                "--clients",
                str(n),
                "--out",
                f"{tmp}/data",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - start
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return {"seconds": elapsed, "conversations": 6 * n, "peak_rss_mb": kids}


def run_once(mode: str, n: int) -> dict[str, float]:
    if mode == "cli":
        return run_cli(n)
    with tempfile.TemporaryDirectory() as tmp:
        res = subprocess.run(
            [sys.executable, "-c", CHILD, mode, str(n), tmp],
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(res.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, nargs="+", default=[500, 10_000])
    ap.add_argument(
        "--reps", type=int, nargs="+", default=[5, 2], help="repetitions per client count"
    )
    ap.add_argument("--modes", nargs="+", default=["compose", "generate", "cli"])
    args = ap.parse_args()
    # One repetition count per client count: extra counts are dropped, missing ones repeat the last.
    reps = (args.reps + [args.reps[-1]] * len(args.clients))[: len(args.clients)]
    print(
        "offline generation; target: tvt generate --seed 42 (500 clients, 3,000 conversations) "
        "<= 3 s end to end, flat memory"
    )
    print(
        f"{'mode':>9} {'clients':>8} {'reps':>5} {'median s':>9} {'conv/s':>8} {'peak RSS MB':>12}"
    )
    for mode in args.modes:
        for n, r in zip(args.clients, reps, strict=True):
            runs = [run_once(mode, n) for _ in range(r)]
            sec = statistics.median(x["seconds"] for x in runs)
            rss = statistics.median(x["peak_rss_mb"] for x in runs)
            conv = runs[0]["conversations"]
            print(f"{mode:>9} {n:>8,} {r:>5} {sec:>9.2f} {conv / sec:>8,.0f} {rss:>12.1f}")


if __name__ == "__main__":
    main()
