"""Performance of `tvt export --format hf` (Parquet splits by client) and of the Python API's
in-memory path (`tvt.rate(ds)` without a temporary folder, `ds.to_pandas()`).

Generates a dataset with the offline composer (`tvt generate --seed 42 --clients 500`), or uses
an existing dataset folder, then prints medians over --repeat runs and the size of the export.

    python benchmark/perf/export_hf.py
    python benchmark/perf/export_hf.py --dataset tvt-data --repeat 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from _dataset import add_dataset_args, dataset_folder, describe

import tvt
from tvt.export_hf import export_hf


def _median(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s (runs {', '.join(f'{x:.2f}' for x in times)})"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_dataset_args(ap, repeat=3)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="tvt-perf-hf-") as tmp:
        tmp_path = Path(tmp)
        folder = dataset_folder(args, tmp_path)
        convs, turns, _words = describe(folder, speaker=None)
        print(f"dataset: {convs:,} conversations, {turns:,} turns (cpu count {os.cpu_count()})")
        for file_format in ("parquet", "csv"):
            times, done = [], None
            for i in range(args.repeat):
                t = time.perf_counter()
                done = export_hf(folder, tmp_path / f"{file_format}-{i}", file_format=file_format)
                times.append(time.perf_counter() - t)
            size = sum(p.stat().st_size for p in (tmp_path / f"{file_format}-0").rglob("*"))
            same = all(
                (tmp_path / f"{file_format}-{i}" / p.relative_to(tmp_path / f"{file_format}-0"))
                .read_bytes() == p.read_bytes()
                for i in range(1, args.repeat)
                for p in (tmp_path / f"{file_format}-0").rglob("*") if p.is_file()
            )  # fmt: skip
            assert done is not None
            print(f"export --format hf --file-format {file_format}, median of {args.repeat}: "
                  f"{_median(times)}; {size / 1e6:.1f} MB; splits {done.rows['conversations']}; "
                  f"same bytes every run: {same}")  # fmt: skip
        ds = tvt.load(folder)
        rate_times, frame_times = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            tvt.rate(ds)
            rate_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            ds.to_pandas()
            ds.turns_to_pandas()
            frame_times.append(time.perf_counter() - t)
        print(f"tvt.rate(ds) in memory, median of {args.repeat}: {_median(rate_times)}")
        print(f"ds.to_pandas() + ds.turns_to_pandas(), median of {args.repeat}: "
              f"{_median(frame_times)}")  # fmt: skip


if __name__ == "__main__":
    main()
