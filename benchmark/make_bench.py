"""Regenerate tvt-bench-v1 and the shipped leaderboard from scratch.

Everything under ``benchmark/`` that derives from the generator is written by this script and
nothing else, so it can be rerun whenever the generator changes:

- ``tvt-bench-v1.json``              the recipe (seed, clients, preset, backend), the versions that
                                      produced it, and the sha256 of every data file + fingerprint;
- ``tvt-bench-v1/reference.jsonl``   the reference `tvt submit` scores against by default;
- ``leaderboard/entries/*.json``     the paper's Table 1 (reported) and our baselines (verified);
- ``leaderboard/outputs/*.jsonl``    the baselines' outputs the verified entries were scored from;
- ``leaderboard/index.html``         the rendered page.

Baselines (all scored by ``tvt submit``):

- lexical rater: ``tvt rate DIR --rater lexical``;
- constant mean: every phase of every client predicted as the mean reference intensity over all
  clients and phases (a constant trajectory: its Pearson is undefined and scored 0);
- phase mean: every client predicted as the per-phase mean reference trajectory (the population
  shape, no reading of the conversation at all);
- random: independent uniform integers 1-10 from a seeded stream per client.

Usage::

    python benchmark/make_bench.py [--date YYYY-MM-DD] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from datetime import date as _date
from pathlib import Path

from tvt.benchmark import generator_versions
from tvt.config import load_config
from tvt.jsonio import write_json, write_jsonl
from tvt.leaderboard import (
    leaderboard_groups,
    paper_entries,
    record_entry,
    render_html,
    submit,
    write_text,
)
from tvt.phases import BENCHMARK_ORDER
from tvt.pipeline import generate_offline
from tvt.rng import Stream

HERE = Path(__file__).resolve().parent
NAME = "tvt-bench-v1"
RECIPE = {
    "name": NAME,
    "benchmark_version": 1,
    "description": (
        "The emotional-trajectory benchmark of tvt: 500 synthetic clients x 6 PE phases from the "
        "offline composer; models rate each phase conversation 1-10 and are scored against "
        "reference.jsonl (Pearson, DTW, RMSE, S_abs)."
    ),
    "preset": "default",
    "seed": 2025,
    "clients": 500,
    "regenerate": f"tvt generate --benchmark {NAME}",
}
RANDOM_SEED = 0
BASELINES = {
    "lexical": {
        "model": "Lexical rater (tvt baseline)",
        "organization": "tvt",
        "description": "tvt rate --rater lexical: stated SUDS and an intensity lexicon; reads "
        "the conversation, no language model.",
        "rater_prompt_version": "none",
    },
    "constant-mean": {
        "model": "Constant mean (tvt baseline)",
        "organization": "tvt",
        "description": "Predicts every phase of every client as the mean reference intensity over "
        "all clients and phases. A constant trajectory: Pearson is undefined and scored 0.",
        "rater_prompt_version": "none",
    },
    "phase-mean": {
        "model": "Per-phase mean (tvt baseline)",
        "organization": "tvt",
        "description": "Predicts every client as the mean reference trajectory (one mean per "
        "phase): the population shape without reading the conversation.",
        "rater_prompt_version": "none",
    },
    "random": {
        "model": "Random (tvt baseline)",
        "organization": "tvt",
        "description": f"Uniform random integers 1-10 per phase, seeded ({RANDOM_SEED}) per client.",
        "rater_prompt_version": "none",
    },
}


def read_reference(path: Path) -> dict[int, dict[str, float]]:
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            out[rec["client_id"]] = rec["trajectory"]
    return out


def mean_outputs(ref: dict[int, dict[str, float]], per_phase: bool) -> list[dict]:
    phases = BENCHMARK_ORDER
    if per_phase:
        means = {p: sum(t[p] for t in ref.values()) / len(ref) for p in phases}
    else:
        overall = sum(t[p] for t in ref.values() for p in phases) / (len(ref) * len(phases))
        means = dict.fromkeys(phases, overall)
    traj = {p: round(means[p], 4) for p in phases}
    return [{"client_id": cid, "trajectory": traj} for cid in sorted(ref)]


def random_outputs(ref: dict[int, dict[str, float]]) -> list[dict]:
    out = []
    for cid in sorted(ref):
        stream = Stream(RANDOM_SEED, cid, "random-baseline")
        out.append(
            {"client_id": cid, "trajectory": {p: stream.integer(1, 10) for p in BENCHMARK_ORDER}}
        )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--date", default=_date.today().isoformat(), help="submission date recorded")
    ap.add_argument("--keep", type=Path, help="keep the generated dataset in this folder")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tvt-make-bench-"))
    try:
        data = args.keep or work / "data"
        config = load_config(RECIPE["preset"])
        manifest = generate_offline(
            data, seed=RECIPE["seed"], clients=RECIPE["clients"], config=config, force=True
        )
        versions = generator_versions(manifest)
        recipe = {
            **RECIPE,
            "backend": manifest["backend"],
            "phases": manifest["phases"],
            "versions": versions,
            "files": {name: info["sha256"] for name, info in sorted(manifest["files"].items())},
            "fingerprint": manifest["fingerprint"],
        }
        write_json(HERE / f"{NAME}.json", recipe)
        (HERE / NAME).mkdir(exist_ok=True)
        shutil.copyfile(data / "reference.jsonl", HERE / NAME / "reference.jsonl")
        print(f"{NAME}: fingerprint {manifest['fingerprint']}")

        board = HERE / "leaderboard"
        for sub in ("entries", "outputs"):
            shutil.rmtree(board / sub, ignore_errors=True)
        for entry in paper_entries():
            record_entry(board, entry)

        ref = read_reference(data / "reference.jsonl")
        outputs = {
            "constant-mean": mean_outputs(ref, per_phase=False),
            "phase-mean": mean_outputs(ref, per_phase=True),
            "random": random_outputs(ref),
        }
        for key, records in outputs.items():
            write_jsonl(work / f"{key}.jsonl", records)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tvt",
                "rate",
                str(data),
                "--rater",
                "lexical",
                "-o",
                str(work / "lexical.jsonl"),
            ],
            check=True,
        )
        for key, meta in BASELINES.items():
            write_json(work / f"{key}.meta.json", meta)
            result = submit(
                work / f"{key}.jsonl",
                work / f"{key}.meta.json",
                leaderboard=board,
                date=args.date,
            )
            m = result.entry["metrics"]
            print(
                f"{key:14s} S_abs {m['s_abs']:.3f}  Pearson {m['pearson']['mean']:.3f}  "
                f"DTW {m['dtw']['mean']:.3f}  RMSE {m['rmse']['mean']:.3f}  N {m['n_scored']}"
            )
        html = render_html(leaderboard_groups(board))
        write_text(board / "index.html", html)
        (board / ".lock").unlink(missing_ok=True)  # the submit lock file is not data
        print(f"wrote {board / 'index.html'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
