"""Conversations per second and peak memory of offline generation, for 500 and 10,000 clients.

Two measurements, each run in a fresh subprocess so its peak RSS is its own:

- ``compose``: sample + plan + compose all six phases in one process, discarding the output
  (the composer's own throughput);
- ``generate``: the whole ``tvt generate`` pipeline (``generate_offline``: composing, writing,
  manifest and dataset card);
- ``cli``: ``tvt generate --seed 42`` end to end as the user runs it (interpreter start-up,
  imports, the progress bar and all), timed from outside.
- ``stages``: where the work goes, in one process: CPU seconds of the imports, sampling and
  planning, composing, serialising, the survey, the dataset card (scipy's import apart) and
  scipy's import. ``generate`` and ``cli`` spread composing over the cores and load scipy
  while the workers compose, so their wall time is less than the sum.

Prints the median of several repetitions (fewer for 10,000 clients, which take longer) and the
load average before and after: the machine is shared, and wall times grow with its load. The
timed modes also print the run's CPU seconds (user + system, worker processes included), which
grow much less with the load than the wall time does.
Usage: python benchmark/perf/generate.py [--clients 500 10000] [--reps 5 2] [--modes cli]
"""

from __future__ import annotations

import argparse
import json
import os
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
from tvt.pipeline import generate_offline, planned_cases
from tvt.compose import compose_client
from tvt.phases import BENCHMARK_ORDER

mode, n, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
t0 = time.perf_counter()
config = load_config("default")
convs = 0
if mode == "compose":
    for case in planned_cases(config, 42, n):
        convs += len(compose_client(case, 42, BENCHMARK_ORDER))
else:
    manifest = generate_offline(out, seed=42, clients=n, config=config, force=True)
    convs = manifest["files"]["conversations.jsonl"]["records"]
elapsed = time.perf_counter() - t0
cpu = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF,
          resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "cpu": cpu, "conversations": convs,
                  "peak_rss_mb": max(rss_mb, kids)}))
"""


STAGES = r"""
import json, resource, sys, time

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

marks = [("start", cpu())]
def mark(name):
    marks.append((name, cpu()))

from pathlib import Path
from tvt.card import Survey, write_card
from tvt.compose import compose_client
from tvt.config import load_config
from tvt.dataset import DatasetWriter, base_manifest
from tvt.jsonio import dumps_generated
from tvt.phases import BENCHMARK_ORDER
from tvt.pipeline import planned_cases
from tvt.plan import reference_record
mark("imports")
n, out = int(sys.argv[1]), Path(sys.argv[2])
config = load_config("default")
cases = list(planned_cases(config, 42, n))
refs = [reference_record(c) for c in cases]
mark("sample+plan")
convs = [v for c in cases for v in compose_client(c, 42, BENCHMARK_ORDER)]
mark("compose")
texts = {
    name: "".join(dumps_generated(r) + "\n" for r in recs)
    for name, recs in (("cases.jsonl", cases), ("reference.jsonl", refs),
                       ("conversations.jsonl", convs))
}
mark("serialise")
survey = Survey()
for c in cases:
    survey.add_case(c)
for r in refs:
    survey.add_reference(r)
for v in convs:
    survey.add_conversation(v)
mark("survey")
import scipy.special
mark("scipy import")
backend = {"name": "offline"}
manifest = base_manifest(seed=42, clients=n, config=config, backend=backend,
                         phases=list(BENCHMARK_ORDER))
with DatasetWriter(out / "data", manifest, finalize=lambda f, m: write_card(f, m, survey)) as w:
    for name, text in texts.items():
        w.write_text(name, text, text.count("\n"))
    w.commit()
mark("write+card")
print(json.dumps({b[0]: b[1] - a[1] for a, b in zip(marks, marks[1:])}))
"""


def run_stages(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        res = subprocess.run(
            [sys.executable, "-c", STAGES, str(n), tmp],
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(res.stdout)


def print_stages(n: int, reps: int) -> None:
    runs = [run_stages(n) for _ in range(reps)]
    print(f"CPU seconds by stage, one process, {n:,} clients (median of {reps}):")
    for stage in runs[0]:
        print(f"{stage:>14} {statistics.median(r[stage] for r in runs):7.2f}")
    print(f"{'total':>14} {statistics.median(sum(r.values()) for r in runs):7.2f}")


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far, theirs included."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_cli(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        cpu0 = children_cpu()
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
        cpu = children_cpu() - cpu0
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return {"seconds": elapsed, "cpu": cpu, "conversations": 6 * n, "peak_rss_mb": kids}


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
        "<= 1.5 s end to end on a quiet machine, flat memory"
    )
    print(f"load average (1/5/15 min) before: {load()}")
    timed = [m for m in args.modes if m != "stages"]
    if timed:
        print(
            f"{'mode':>9} {'clients':>8} {'reps':>5} {'median s':>9} {'CPU s':>6} {'conv/s':>8} "
            f"{'peak RSS MB':>12}"
        )
    for mode in timed:
        for n, r in zip(args.clients, reps, strict=True):
            runs = [run_once(mode, n) for _ in range(r)]
            sec = statistics.median(x["seconds"] for x in runs)
            cpu = statistics.median(x["cpu"] for x in runs)
            rss = statistics.median(x["peak_rss_mb"] for x in runs)
            conv = runs[0]["conversations"]
            print(
                f"{mode:>9} {n:>8,} {r:>5} {sec:>9.2f} {cpu:>6.2f} {conv / sec:>8,.0f} {rss:>12.1f}"
            )
    if "stages" in args.modes:
        for n, r in zip(args.clients, reps, strict=True):
            print_stages(n, r)
    print(f"load average (1/5/15 min) after: {load()}")


if __name__ == "__main__":
    main()
