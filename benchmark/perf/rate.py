"""Performance of `tvt rate --rater lexical` over 3,000 conversations (500 clients x 6 phases).

Generates a dataset with the offline composer (`tvt generate --seed 42 --clients 500`), or uses
an existing dataset folder, then prints the median over --repeat runs of the library call and one
run of the command in a fresh process. Target: <= 10 s.

    python benchmark/perf/rate.py
    python benchmark/perf/rate.py --dataset tvt-data --repeat 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _dataset import add_dataset_args, dataset_folder, describe

from tvt.raters.lexical import rate_dataset_lexical


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_dataset_args(ap, repeat=3)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="tvt-perf-rate-") as tmp:
        tmp_path = Path(tmp)
        folder = dataset_folder(args, tmp_path)
        convs, turns, words = describe(folder, speaker="client")
        print(
            f"dataset: {convs:,} conversations, {turns:,} client turns, {words:,} client words "
            f"(cpu count {os.cpu_count()})"
        )
        times = []
        summary = None
        for i in range(args.repeat):
            t = time.perf_counter()
            summary = rate_dataset_lexical(folder, tmp_path / f"lexical-{i}.jsonl")
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "tvt", "rate", str(folder), "--rater", "lexical", "-o",
             str(tmp_path / "cli.jsonl")],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        cli = time.perf_counter() - t
        same = (tmp_path / "cli.jsonl").read_bytes() == (tmp_path / "lexical-0.jsonl").read_bytes()
        med = statistics.median(times)
        print(f"library rate_dataset_lexical, median of {args.repeat}: {med:.2f} s "
              f"(runs {', '.join(f'{x:.2f}' for x in times)}); "
              f"{1000 * med / max(convs, 1):.2f} ms per conversation")  # fmt: skip
        print(
            f"`tvt rate --rater lexical` in a new process: {cli:.2f} s; same bytes as the library: {same}"
        )
        print(f"SUDS from turn fields {summary['suds_from']['field']}, from text "
              f"{summary['suds_from']['text']}, none {summary['suds_from']['none']}; "
              f"unrated {len(summary['unrated'])}")  # fmt: skip
        scaled = med * 3000 / max(convs, 1)
        ok = max(med, cli) * (3000 / max(convs, 1)) <= 10
        print(f"[{'ok' if ok else 'MISS'}] 3,000 conversations <= 10 s: {scaled:.2f} s (library, "
              f"scaled to 3,000), {cli * 3000 / max(convs, 1):.2f} s (CLI)")  # fmt: skip


if __name__ == "__main__":
    main()
