"""Performance of turn-track scoring (tvt-bench-v2) on 100,000 synthetic conversations.

Builds a turn-track reference and model outputs (one line per conversation, 10-40 rated client
turns each, like the composer's exposure phases), then prints the median of --repeat runs of:

  * parse-only: load_turn_reference + load_turn_outputs (decode, validate, align);
  * end to end: score_turns (parse, per-conversation Pearson/RMSE, CI, report, sha256).

Target: end to end <= 10 s for 100,000 conversations.

    python benchmark/perf/score_turns.py                  # 100,000 conversations, 3 repetitions
    python benchmark/perf/score_turns.py --conversations 20000 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import orjson

from tvt.bench.turns import load_turn_outputs, load_turn_reference, score_turns

PHASES = ("P10", "P6", "P7")


def build(folder: Path, conversations: int, seed: int = 0) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    ref_path, out_path = folder / "reference.jsonl", folder / "outputs.jsonl"
    with open(ref_path, "wb") as ref_fh, open(out_path, "wb") as out_fh:
        for k in range(conversations):
            cid, phase = k // 3 + 1, PHASES[k % 3]
            n = int(rng.integers(10, 41))
            turns = list(range(1, 2 * n, 2))
            arc = 5 + 3 * np.sin(np.linspace(0, np.pi, n)) + rng.normal(0, 0.3, n)
            ref = np.round(np.clip(arc, 1, 10), 1)
            out = np.clip(np.rint(ref + rng.normal(0, 1.0, n)), 1, 10).astype(int)
            base = {"client_id": cid, "phase": phase, "turns": turns}
            ref_fh.write(
                orjson.dumps({**base, "intensities": ref.tolist(), "source": "composer"}) + b"\n"
            )
            out_fh.write(orjson.dumps({**base, "intensities": out.tolist()}) + b"\n")
    return ref_path, out_path


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tvt-perf-turns-") as tmp:
        ref_path, out_path = build(Path(tmp), args.conversations)
        turns = sum(len(orjson.loads(line)["turns"]) for line in open(ref_path, "rb"))
        size = (ref_path.stat().st_size + out_path.stat().st_size) / 1e6

        def parse() -> None:
            load_turn_outputs(out_path, load_turn_reference(ref_path))

        parse_s = timed(parse, args.repeat)
        end_s = timed(lambda: score_turns(out_path, ref_path), args.repeat)
        report = score_turns(out_path, ref_path)
    print(f"{args.conversations:,} conversations, {turns:,} rated turns, {size:.0f} MB of JSONL")
    print(f"parse-only   {parse_s:6.2f} s (median of {args.repeat})")
    print(f"end to end   {end_s:6.2f} s (median of {args.repeat}; target <= 10 s)")
    print(
        f"S_turn {report['s_abs']:.3f}, Pearson {report['pearson']['mean']:.3f}, "
        f"RMSE {report['rmse']['mean']:.3f}, CI method {report['ci']['method']}"
    )


if __name__ == "__main__":
    main()
