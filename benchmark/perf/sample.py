"""Time and peak memory to sample, plan and write N clients (cases.jsonl + reference.jsonl).

Each measurement runs in a fresh subprocess so peak RSS is that run's own. Prints the median of
several repetitions. Usage: python benchmark/perf/sample.py [--clients 10000 100000] [--reps 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import tvt.pipeline
from tvt.config import load_config
from tvt.pipeline import generate_offline

n, out, workers = int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
# Time the dataset card (README.md + croissant.json, written last from the final files) apart
# from the data files, by wrapping the finalize step generation hands to the writer.
card_seconds = 0.0
_write_card = tvt.pipeline.write_card


def timed_card(*args, **kwargs):
    global card_seconds
    t = time.perf_counter()
    written = _write_card(*args, **kwargs)
    card_seconds += time.perf_counter() - t
    return written


tvt.pipeline.write_card = timed_card
t0 = time.perf_counter()
config = load_config("default")
# No phases: cases.jsonl, reference.jsonl and the manifest only (the composer is timed elsewhere).
generate_offline(out, seed=42, clients=n, config=config, phases=(), force=True,
                 workers=workers or None)
elapsed = time.perf_counter() - t0
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
# Worker processes (generation chunks) are children: the largest of them.
child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "card_seconds": card_seconds, "peak_rss_mb": rss_mb,
                  "child_rss_mb": child_mb}))
"""


def run_once(n: int, workers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        res = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), tmp, str(workers)],
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(res.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 0],
        help="process counts to compare; 0 = the default (one per core for big runs)",
    )
    args = ap.parse_args()
    print(
        "sample + plan + write cases.jsonl, reference.jsonl and manifest.json (data files), then "
        "the dataset card README.md + croissant.json; target: 100,000 clients in <= 10 s, flat memory"
    )
    print(
        f"{'clients':>9} {'workers':>8} {'median s':>9} {'data files s':>13} {'card s':>7} "
        f"{'clients/s':>10} {'peak RSS MB':>12} {'worker MB':>10}"
    )
    for n in args.clients:
        for w in args.workers:
            runs = [run_once(n, w) for _ in range(args.reps)]
            sec = statistics.median(r["seconds"] for r in runs)
            card = statistics.median(r["card_seconds"] for r in runs)
            data = statistics.median(r["seconds"] - r["card_seconds"] for r in runs)
            rss = statistics.median(r["peak_rss_mb"] for r in runs)
            child = statistics.median(r["child_rss_mb"] for r in runs)
            label = "auto" if w == 0 else str(w)
            print(
                f"{n:>9,} {label:>8} {sec:>9.2f} {data:>13.2f} {card:>7.2f} {n / sec:>10,.0f} "
                f"{rss:>12.1f} {child:>10.1f}"
            )


if __name__ == "__main__":
    main()
