"""Performance of `tvt audit` (rules only) over 3,000 conversations (500 clients x 6 phases).

Generates a dataset with the offline composer (`tvt generate --seed 42 --clients 500`), or uses
an existing dataset folder, then prints the median over --repeat runs of the whole command in a
fresh process (reading, every check, the diversity figures, the JSON, HTML and per-conversation
outputs) and of the library call alone, beside a plain read of the same conversations.jsonl
(every line parsed with json.loads) in the same run, and their ratio, so that a figure taken on a
loaded machine can still be compared. Target: <= 3 s for 3,000 conversations on a 2-core machine.

    python benchmark/perf/audit.py
    python benchmark/perf/audit.py --dataset tvt-data --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _dataset import add_dataset_args, dataset_folder, describe

from tvt.audit.checks import audit_dataset


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_dataset_args(ap, repeat=5)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="tvt-perf-audit-") as tmp:
        tmp_path = Path(tmp)
        folder = dataset_folder(args, tmp_path)
        convs, turns, words = describe(folder)
        start_load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"dataset: {convs:,} conversations, {turns:,} turns, {words:,} words "
              f"(cpu count {os.cpu_count()}; load average {start_load:.1f} at the start)")  # fmt: skip
        cli_times, cpu_times = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            before = os.times()
            subprocess.run(
                [sys.executable, "-m", "tvt", "audit", str(folder), "--json", "--html",
                 str(tmp_path / "audit.html"), "--per-conversation", str(tmp_path / "flags.jsonl")],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            cli_times.append(time.perf_counter() - t)
            after = os.times()
            cpu_times.append(
                after.children_user
                - before.children_user
                + after.children_system
                - before.children_system
            )
        read_times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            with open(Path(folder) / "conversations.jsonl", encoding="utf-8") as fh:
                n_read = sum(1 for line in fh if json.loads(line))
            read_times.append(time.perf_counter() - t)
        lib_times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            audit_dataset(folder)
            lib_times.append(time.perf_counter() - t)
        cli, lib = statistics.median(cli_times), statistics.median(lib_times)
        print(f"`tvt audit --json --html --per-conversation` in a new process, median of "
              f"{args.repeat}: {cli:.2f} s (runs {', '.join(f'{x:.2f}' for x in cli_times)})")  # fmt: skip
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"CPU time of the command (all its processes), median: "
              f"{statistics.median(cpu_times):.2f} s; load average when done {load:.1f}")  # fmt: skip
        print(f"library audit_dataset, median of {args.repeat}: {lib:.2f} s "
              f"(runs {', '.join(f'{x:.2f}' for x in lib_times)}); "
              f"{1000 * lib / max(convs, 1):.2f} ms per conversation")  # fmt: skip
        read = statistics.median(read_times)
        print(f"plain read of conversations.jsonl ({n_read:,} lines, json.loads), median of "
              f"{args.repeat}: {read:.3f} s; the command takes {cli / read:.0f}x a plain read, "
              f"the library {lib / read:.0f}x")  # fmt: skip
        scaled = cli * 3000 / max(convs, 1)
        print(f"[{'ok' if scaled <= 3 else 'MISS'}] 3,000 conversations <= 3 s: "
              f"{scaled:.2f} s (command, scaled to 3,000)")  # fmt: skip


if __name__ == "__main__":
    main()
