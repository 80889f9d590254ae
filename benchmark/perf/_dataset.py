"""What the dataset benchmarks share: a folder given on the command line or generated fresh
(`tvt generate --seed S --clients N`), and its size."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path


def add_dataset_args(ap: argparse.ArgumentParser, repeat: int) -> None:
    """``--dataset``, ``--clients``, ``--seed`` and ``--repeat``."""
    ap.add_argument("--dataset", type=Path, help="an existing dataset folder (default: generate)")
    ap.add_argument("--clients", type=int, default=500)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=repeat)


def dataset_folder(args: argparse.Namespace, tmp: Path) -> Path:
    """``--dataset``, or a dataset generated into ``tmp`` with the offline composer."""
    if args.dataset is not None:
        return Path(args.dataset)
    folder = tmp / "data"
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tvt", "generate", "--seed", str(args.seed), "--clients",
         str(args.clients), "--out", str(folder)],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    print(f"generated {args.clients} clients in {time.perf_counter() - t:.1f} s")
    return folder


def describe(folder: Path, speaker: str | None = None) -> tuple[int, int, int]:
    """Conversations, turns and words of a dataset (of one speaker's turns when given)."""
    convs = turns = words = 0
    with open(folder / "conversations.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            convs += 1
            for t in rec["turns"]:
                if speaker is None or t.get("speaker") == speaker:
                    turns += 1
                    words += len(str(t.get("text", "")).split())
    return convs, turns, words
