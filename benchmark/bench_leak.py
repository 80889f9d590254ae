"""How much of the turn track's reference a reader can get without reading the person.

Usage::

    PYTHONPATH=$PWD python benchmark/bench_leak.py [--dev-seeds 11 12 13] [--train-seed 99]
        [--clients 40] [--train-clients 80] [--leak-clients 80]

For each dev seed it builds the turn track (P10, P6, P7, SUDS in words) in memory, fits the
protocol prior (phase x relative turn position, 10 bins) on the train seed and prints:

- the prior's own S_turn and Pearson on the dev split (how much position alone tells the course);
- the reading skill (1 - MSE/MSE_prior) of the ridge on phase x turn position and of the bank
  decoder (the band words of seeds/compose/verbal.json -> level, no training): a decoder far
  above 0 means the wording gives the level away by lookup;
- the sentence-lookup leak of :func:`tvt.compose.report.leak` over all six phases (numeric SUDS,
  ``--leak-clients`` clients of the dev seed): the lookup's phase MAE beside the per-phase-mean
  baseline's, and their ratio (1 = the sentences tell nothing beyond the phase).

Then the median of every figure over the dev seeds. Nothing is written. The benchmark's own test
seeds are never generated here; pick dev seeds that are not a benchmark's published or secret
seeds when tuning.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

from tvt.bench.baselines import bank_decoder_outputs, ridge_position_outputs
from tvt.bench.prior import fit_prior, prior_outputs, reading_skill
from tvt.bench.splits import build_split
from tvt.bench.tracks import TRACKS
from tvt.bench.turns import score_turns
from tvt.compose.report import _conversations, leak
from tvt.jsonio import dumps

FORBIDDEN = {2029, 2030}


def _turn_score(rows: list[dict[str, Any]], reference: list[dict[str, Any]]) -> dict[str, Any]:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        out, ref = Path(tmp) / "out.jsonl", Path(tmp) / "ref.jsonl"
        out.write_text("".join(dumps(r) + "\n" for r in rows), encoding="utf-8")
        ref.write_text("".join(dumps(r) + "\n" for r in reference), encoding="utf-8")
        return score_turns(out, ref)


def measure(dev_seed: int, train: Any, leak_clients: int, clients: int) -> dict[str, float]:
    track = TRACKS["turn"]
    dev = build_split(track, dev_seed, clients)
    prior = fit_prior(train.reference, "turn", {"seed": train.seed})
    p_rows = prior_outputs(dev.reference, prior)
    p_rep = _turn_score(p_rows, dev.reference)
    bank = bank_decoder_outputs(dev, train)
    ridge = ridge_position_outputs(dev, train)
    fig = {
        "prior_s_turn": p_rep["s_abs"],
        "prior_pearson": p_rep["pearson"]["mean"],
        "prior_rmse": p_rep["rmse"]["mean"],
        "ridge_skill": reading_skill(ridge, dev.reference, prior, resamples=10)["value"],
        "bank_skill": reading_skill(bank, dev.reference, prior, resamples=10)["value"],
        "bank_s_turn": _turn_score(bank, dev.reference)["s_abs"],
    }
    if leak_clients:
        lk = leak(list(_conversations(leak_clients, dev_seed, "default")))
        fig["leak_lookup_mae"] = lk["lookup_mae"]
        fig["leak_baseline_mae"] = lk["baseline_mae"]
        fig["leak_ratio"] = lk["lookup_mae"] / lk["baseline_mae"]
    return fig


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dev-seeds", type=int, nargs="+", default=[11, 12, 13, 14, 15])
    ap.add_argument("--train-seed", type=int, default=99)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--train-clients", type=int, default=200)
    ap.add_argument("--leak-clients", type=int, default=150)
    args = ap.parse_args(argv)
    if FORBIDDEN & {*args.dev_seeds, args.train_seed}:
        print("seeds 2029 and 2030 are reserved; pick other seeds", file=sys.stderr)
        return 2
    t0 = time.time()
    train = build_split(TRACKS["turn"], args.train_seed, args.train_clients)
    figs = []
    for seed in args.dev_seeds:
        fig = measure(seed, train, args.leak_clients, args.clients)
        figs.append(fig)
        print(f"seed {seed}: " + ", ".join(f"{k} {v:.3f}" for k, v in fig.items()), flush=True)
    print(f"median over {len(figs)} dev seeds (train seed {args.train_seed}):")
    for key in figs[0]:
        print(f"  {key:18s} {statistics.median(f[key] for f in figs):.3f}")
    print(f"({time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
