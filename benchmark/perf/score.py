"""Performance of `tvt score` on a million synthetic clients.

Prints (median of --repeat runs, the floor, parse-only and end-to-end runs interleaved):
  * decode floor: read both files and orjson-decode every line, nothing else;
  * parse-only: tvt.scoring.load_outputs + load_reference (decode, validate, assemble arrays);
  * end to end: tvt.scoring.score_files (parse, align, metrics, bootstrap/normal CI, report, sha256),
    and once `tvt score --json` in a fresh process (adds interpreter start and imports);
  * the CPU seconds of the same three (this process and any child processes it waited for), so
    that a busy machine's wall times can be read against the work;
  * peak memory of a fresh process running score_files (ru_maxrss);
  * the naive per-client loop (scipy.stats.pearsonr + dtaidistance + numpy RMSE) timed on a
    sample and scaled, against tvt's vectorised metrics on all clients.

Targets: <= 15 s end to end, <= 2 GB, >= 20x faster than the naive loop, end to end within 2x of
parse-only and within 2x of the decode floor measured in the same run. The machine's load average
is printed before and after: wall times grow with it, the ratios much less.

    python benchmark/perf/score.py                      # 1,000,000 clients, 5 repetitions
    python benchmark/perf/score.py --clients 100000 --repeat 5
    python benchmark/perf/score.py --phase-lines        # also time the one-line-per-phase shape
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import orjson

from tvt import metrics
from tvt.phases import BENCHMARK_ORDER as PHASES
from tvt.scoring import load_outputs, load_reference, score_files

PLAN = np.array([5, 8, 8, 7, 5, 4], dtype=float)


def build(
    folder: Path, clients: int, seed: int = 0, phase_lines: bool = False
) -> tuple[Path, Path]:
    """Reference: plan-shaped integer trajectories; outputs: the reference plus rater noise."""
    rng = np.random.default_rng(seed)
    ref = np.clip(np.rint(PLAN + rng.normal(0, 1.2, (clients, 6))), 1, 10).astype(int)
    out = np.clip(np.rint(ref + rng.normal(0, 1.1, (clients, 6))), 1, 10).astype(int)
    ref_path = folder / "reference.jsonl"
    out_path = folder / ("outputs-phases.jsonl" if phase_lines else "outputs.jsonl")
    if not ref_path.exists():
        with open(ref_path, "wb") as fh:
            for i, row in enumerate(ref.tolist(), start=1):
                rec = {
                    "client_id": i,
                    "trajectory": dict(zip(PHASES, row, strict=True)),
                    "source": "plan",
                }
                fh.write(orjson.dumps(rec) + b"\n")
    with open(out_path, "wb") as fh:
        for i, row in enumerate(out.tolist(), start=1):
            if phase_lines:
                for p, v in zip(PHASES, row, strict=True):
                    fh.write(orjson.dumps({"client_id": i, "phase": p, "intensity": v}) + b"\n")
            else:
                rec = {
                    "client_id": i,
                    "trajectory": dict(zip(PHASES, row, strict=True)),
                    "model": "synthetic",
                }
                fh.write(orjson.dumps(rec) + b"\n")
    return out_path, ref_path


#: CPU seconds of every call of :func:`timed`, by label (this process and the processes it
#: waited for).
CPU: dict[str, list[float]] = {}


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn, repeat: int, label: str = "") -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        gc.collect()
        c = _cpu()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        CPU.setdefault(label, []).append(_cpu() - c)
    return statistics.median(times), times


def decode_floor(*paths: Path) -> None:
    gc.disable()
    try:
        for path in paths:
            with open(path, "rb") as fh:
                for line in fh:
                    orjson.loads(line)
    finally:
        gc.enable()


def peak_memory(out: Path, ref: Path) -> tuple[float, float]:
    """Peak RSS (GB) and wall time of a fresh process running score_files."""
    code = "import sys; from tvt.scoring import score_files; score_files(sys.argv[1], sys.argv[2])"
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, str(out), str(ref)])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        raise SystemExit("score_files failed in the child process")
    return usage.ru_maxrss / 1024**2, wall  # ru_maxrss is in KiB on Linux


def cli_once(out: Path, ref: Path) -> float:
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tvt", "score", str(out), "--reference", str(ref), "--json"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t


def naive(m: np.ndarray, c: np.ndarray, fast_dtw: bool) -> None:
    from dtaidistance import dtw
    from scipy.stats import pearsonr

    dist = dtw.distance_fast if fast_dtw else dtw.distance
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant rows: scipy warns and returns NaN
        for i in range(m.shape[0]):
            pearsonr(m[i], c[i])
            dist(m[i], c[i])
            np.sqrt(np.mean((m[i] - c[i]) ** 2))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--clients", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--naive-sample", type=int, default=20_000)
    ap.add_argument("--phase-lines", action="store_true", help="also time one line per phase")
    ap.add_argument("--keep", type=Path, help="build the files here and keep them")
    args = ap.parse_args()

    tmp = None
    if args.keep:
        folder = args.keep
        folder.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="tvt-perf-score-")
        folder = Path(tmp.name)
    n = args.clients
    print(f"building {n:,} clients in a temporary folder ...", flush=True)
    t = time.perf_counter()
    out, ref = build(folder, n)
    mb = (out.stat().st_size + ref.stat().st_size) / 1024**2
    print(f"  built in {time.perf_counter() - t:.1f} s ({mb:.0f} MB of JSON Lines)")
    print(f"cpu count {os.cpu_count()}, python {sys.version.split()[0]}, numpy {np.__version__}")
    print("load average (1/5/15 min) before: " + "/".join(f"{x:.1f}" for x in os.getloadavg()))
    print()

    # Interleaved, so that a change of the machine's load affects the three alike.
    runs: dict[str, list[float]] = {"floor": [], "parse": [], "e2e": []}
    for _ in range(args.repeat):
        runs["floor"] += timed(lambda: decode_floor(out, ref), 1, "floor")[1]
        runs["parse"] += timed(lambda: (load_outputs(out), load_reference(ref)), 1, "parse")[1]
        runs["e2e"] += timed(lambda: score_files(out, ref), 1, "e2e")[1]
    floor, floor_all = statistics.median(runs["floor"]), runs["floor"]
    parse, parse_all = statistics.median(runs["parse"]), runs["parse"]
    e2e, e2e_all = statistics.median(runs["e2e"]), runs["e2e"]
    cpu = {k: statistics.median(CPU[k]) for k in ("floor", "parse", "e2e")}
    # The ratio of each run to the floor of the same repetition, then the median of those.
    paired = statistics.median(e / f for e, f in zip(e2e_all, floor_all, strict=True))

    o, r = load_outputs(out), load_reference(ref)
    m, c = o.values, r.values

    def vec():
        metrics.pearson(m, c)
        metrics.dtw(m, c)
        metrics.rmse(m, c)

    core, _ = timed(vec, args.repeat, "metrics")
    k = min(args.naive_sample, n)
    naive_py, _ = timed(lambda: naive(m[:k], c[:k], fast_dtw=False), 1)
    naive_c, _ = timed(lambda: naive(m[:k], c[:k], fast_dtw=True), 1)
    naive_py *= n / k
    naive_c *= n / k
    peak_gb, child_wall = peak_memory(out, ref)
    cli = cli_once(out, ref)

    def row(label: str, value: str, note: str = "") -> None:
        print(f"{label:<52} {value:>12}   {note}")

    fmt = lambda xs: "runs " + ", ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    row("decode floor (read + orjson.loads, both files)", f"{floor:.2f} s", fmt(floor_all))
    row("parse-only (load_outputs + load_reference)", f"{parse:.2f} s", fmt(parse_all))
    row("end to end, library (score_files)", f"{e2e:.2f} s", fmt(e2e_all))
    row("end to end, `tvt score --json` in a new process", f"{cli:.2f} s", "one run")
    row(
        "CPU seconds: floor / parse-only / end to end",
        f"{cpu['floor']:.2f} s",
        f"{cpu['parse']:.2f} s / {cpu['e2e']:.2f} s (end to end {cpu['e2e'] / cpu['floor']:.2f}x)",
    )
    row(
        "peak memory, fresh process running score_files",
        f"{peak_gb:.2f} GB",
        f"wall {child_wall:.2f} s",
    )
    row("vectorised metrics only (Pearson + DTW + RMSE)", f"{core:.2f} s")
    row(
        f"naive loop, dtaidistance dtw.distance (x{n // k})", f"{naive_py:.1f} s", f"timed on {k:,}"
    )
    row(
        f"naive loop, dtaidistance dtw.distance_fast (x{n // k})",
        f"{naive_c:.1f} s",
        f"timed on {k:,}",
    )
    print()
    ratio_e2e = e2e / parse
    checks = [
        (f"end to end <= 15 s: {e2e:.2f} s (library), {cli:.2f} s (CLI)", max(e2e, cli) <= 15),
        (f"peak memory <= 2 GB: {peak_gb:.2f} GB", peak_gb <= 2),
        (
            f"naive loop / vectorised metrics >= 20x: {naive_py / core:.0f}x "
            f"({naive_c / core:.0f}x against the C DTW)",
            naive_c / core >= 20,
        ),
        (
            f"naive (parse + loop) / end to end: {(parse + naive_py) / e2e:.1f}x "
            f"({(parse + naive_c) / e2e:.1f}x against the C DTW)",
            (parse + naive_c) / e2e >= 20,
        ),
        (f"end to end within 2x of parse-only: {ratio_e2e:.2f}x", ratio_e2e <= 2),
        (
            f"end to end within 2x of the decode floor: {e2e / floor:.2f}x "
            f"(run by run, median {paired:.2f}x)",
            e2e <= 2 * floor,
        ),
    ]
    for text, ok in checks:
        print(f"[{'ok' if ok else 'MISS'}] {text}")
    print("load average (1/5/15 min) after: " + "/".join(f"{x:.1f}" for x in os.getloadavg()))

    if args.phase_lines:
        print()
        print(f"one line per phase ({6 * n:,} lines) ...", flush=True)
        out6, _ = build(folder, n, phase_lines=True)
        p6, p6_all = timed(lambda: load_outputs(out6), args.repeat)
        e6, e6_all = timed(lambda: score_files(out6, ref), args.repeat)
        row("parse-only, outputs file alone", f"{p6:.2f} s", fmt(p6_all))
        row("end to end, library (score_files)", f"{e6:.2f} s", fmt(e6_all))
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
