"""The reader study: does the text carry its label, phase by phase?

A reader that did not write the text (a capable model through `tvt rate --rater openai`, or a
person answering the same prompts) rates a subset of a benchmark split; this script builds the
subset and scores the ratings per phase against the reference and the split's protocol prior.

    # 1. the subset: clients 1-12 of the masked dev split, all phases, plus P11 of clients 13-30
    python benchmark/reader_study.py subset --clients 1-12 --extra P11:13-30 --out study
    # 2. rate study/inputs.jsonl with the reader (see docs/benchmark.md, "Labels the text carries")
    tvt rate study/inputs.jsonl --rater openai --model M --base-url URL -o study/read.jsonl
    # 3. per-phase agreement and skill against the prior
    python benchmark/reader_study.py score study/read.jsonl --subset study

Skill is 1 - MSE/MSE_prior over the rated (client, phase) cells, where the prior predicts each
phase's mean level (the recipe's `tracks.masked.prior.means`, fitted on a train seed): above 0 the
reader tells more than the protocol's shape does; the reader's mean against the reference mean
says in which direction a phase's text misleads.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PHASES = ("P5", "P10", "P6", "P7", "P8", "P11")


def _span(text: str) -> range:
    lo, _, hi = text.partition("-")
    return range(int(lo), int(hi or lo) + 1)


def subset(args: argparse.Namespace) -> None:
    split = ROOT / args.benchmark / "masked" / args.split
    keep: dict[int, set[str]] = defaultdict(set)
    for cid in _span(args.clients):
        keep[cid] |= set(PHASES)
    for extra in args.extra:
        phase, _, span = extra.partition(":")
        if phase not in PHASES:
            sys.exit(f"--extra {extra}: unknown phase {phase!r}")
        for cid in _span(span):
            keep[cid].add(phase)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(split / "inputs.jsonl") as src, open(out / "inputs.jsonl", "w") as dst:
        for line in src:
            row = json.loads(line)
            if row["phase"] in keep.get(row["client_id"], ()):
                dst.write(line)
                n += 1
    with open(split / "reference.jsonl") as src, open(out / "reference.jsonl", "w") as dst:
        for line in src:
            if json.loads(line)["client_id"] in keep:
                dst.write(line)
    meta = {"benchmark": args.benchmark, "split": args.split, "conversations": n}
    (out / "study.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"{n} conversations of {len(keep)} clients in {out / 'inputs.jsonl'}")


def _pearson(xs: list[float], ys: list[float]) -> float:
    if len(xs) < 3 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return math.nan
    return statistics.correlation(xs, ys)


def _skill(mse: float, mse_prior: float) -> float:
    return 1 - mse / mse_prior if mse_prior > 0 else math.nan


def score(args: argparse.Namespace) -> None:
    folder = Path(args.subset)
    meta = json.loads((folder / "study.json").read_text())
    recipe = json.loads((ROOT / f"{meta['benchmark']}.json").read_text())
    prior = {p: v[0] for p, v in recipe["tracks"]["masked"]["prior"]["means"].items()}
    ref = {}
    with open(folder / "reference.jsonl") as fh:
        for line in fh:
            row = json.loads(line)
            ref[row["client_id"]] = row["trajectory"]
    cells: dict[str, list[tuple[float, float]]] = defaultdict(list)
    with open(args.rated) as fh:
        for line in fh:
            row = json.loads(line)
            # `tvt rate` writes a trajectory per client for a dataset and one line per
            # conversation ({"phase", "intensity"}) for a masked inputs file.
            pairs = row.get("trajectory") or {}
            if "phase" in row:
                pairs = {row["phase"]: row.get("intensity")}
            for phase, value in pairs.items():
                if value is not None and row["client_id"] in ref:
                    cells[phase].append((float(value), float(ref[row["client_id"]][phase])))
    print("| phase | n | reader mean | reference mean | MAE | Pearson | skill vs prior |")
    print("|---|---|---|---|---|---|---|")
    every: list[tuple[str, float, float]] = []
    for phase in PHASES:
        rows = cells.get(phase, [])
        if not rows:
            continue
        every += [(phase, a, b) for a, b in rows]
        read, truth = [a for a, _ in rows], [b for _, b in rows]
        mse = statistics.fmean((a - b) ** 2 for a, b in rows)
        mse_prior = statistics.fmean((prior[phase] - b) ** 2 for b in truth)
        print(
            f"| {phase} | {len(rows)} | {statistics.fmean(read):.2f} | {statistics.fmean(truth):.2f}"
            f" | {statistics.fmean(abs(a - b) for a, b in rows):.2f}"
            f" | {_pearson(read, truth):.2f} | {_skill(mse, mse_prior):+.2f} |"
        )
    if every:
        mse = statistics.fmean((a - b) ** 2 for _, a, b in every)
        mse_prior = statistics.fmean((prior[p] - b) ** 2 for p, _, b in every)
        print(f"| all | {len(every)} | | | | | {_skill(mse, mse_prior):+.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("subset", help="write the study's inputs and reference")
    s.add_argument("--benchmark", default="tvt-bench-v3")
    s.add_argument("--split", default="dev")
    s.add_argument("--clients", default="1-12", help="clients rated in every phase, e.g. 1-12")
    s.add_argument("--extra", action="append", default=[], help="PHASE:LO-HI, e.g. P11:13-30")
    s.add_argument("--out", required=True)
    s.set_defaults(func=subset)
    c = sub.add_parser("score", help="per-phase agreement and skill of a rated file")
    c.add_argument("rated", help="`tvt rate` output for the subset's inputs.jsonl")
    c.add_argument("--subset", required=True, help="the folder `subset` wrote")
    c.set_defaults(func=score)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
