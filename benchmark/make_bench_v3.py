"""Build tvt-bench-v3 in one run: dev and test splits, the recipe (with each track's protocol
prior and the release that regenerates it), the baseline figures and the docs tables.

Everything under ``benchmark/tvt-bench-v3*`` and the tables between the ``bench-v3-tables``
markers of docs/benchmark.md are written by this script and nothing else::

    python benchmark/make_bench_v3.py [--secrets DIR] [--new-test-seeds] [--no-docs]

It writes:

- ``tvt-bench-v3/<track>/dev/inputs.jsonl`` and ``reference.jsonl`` (published seed 2026);
- ``tvt-bench-v3/<track>/test/inputs.jsonl`` only: the test seed stays in ``--secrets`` (default
  ``$TVT_SECRETS_DIR`` or ``~/.local/share/tvt/secrets``) with the test reference; only the
  commitment enters the recipe;
- ``tvt-bench-v3.json``: tracks, splits, sizes, seeds or commitments, file sha256, every version
  that shapes the data, the prompts, each track's protocol prior (fitted on the train split, seed
  99) and ``release``: the tvt version and git tag that regenerate it byte for byte;
- ``tvt-bench-v3/baselines.json``: every offline baseline on every dev split, with S_abs, reading
  skill and their 95 % CIs.

Deterministic: the dev and train splits are pure functions of their seeds and the versions; the
test splits are reused from ``--secrets`` while their recipe is unchanged (a fresh machine draws
new secret test seeds, which is the point of them). About two minutes on one core.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tvt import __version__
from tvt.bench.baselines import (
    BANK_READERS,
    DESCRIPTIONS,
    NON_READING,
    TRAIN_CLIENTS,
    TRAIN_SEED,
    ZERO_SHOT,
    all_baselines,
)
from tvt.bench.prior import fit_prior, reading_skill
from tvt.bench.recipe import commitment, data_versions, draw_seed, generation_recipe
from tvt.bench.scoring import score_records
from tvt.bench.sealed import default_secrets_dir
from tvt.bench.splits import build_split
from tvt.bench.tracks import TRACKS
from tvt.jsonio import atomic_writer, read_json, sha256_file, write_json
from tvt.llm.prompts import load_prompts

NAME = "tvt-bench-v3"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / NAME
DOCS = ROOT / "docs" / "benchmark.md"
PRESET = "default"
DEV_SEED = 2026
DEV_CLIENTS = 100
TEST_CLIENTS = 100
START, END = "<!-- bench-v3-tables:start -->", "<!-- bench-v3-tables:end -->"


def _write(path: Path, text: str) -> str:
    with atomic_writer(path) as fh:
        fh.write(text)
    return sha256_file(path)


def test_seed(secrets: Path, track: str, recipe: dict[str, Any], fresh: bool) -> int:
    """The secret test seed of ``track``: reused while its recipe is unchanged."""
    path = secrets / f"{NAME}-test-{track}.json"
    if path.is_file() and not fresh:
        kept = read_json(path)
        if kept.get("recipe") == recipe:
            return int(kept["seed"])
    return draw_seed()


def build(secrets: Path, fresh: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """Write the splits and the recipe; return the recipe and the dev/train splits per track."""
    versions = data_versions()
    prompts = {
        kind: {"version": p.id, "sha256": p.sha256}
        for kind, p in ((k, load_prompts(k)) for k in ("rating", "turn-rating"))
    }
    tracks: dict[str, Any] = {}
    splits: dict[str, Any] = {}
    for name, track in TRACKS.items():
        dev = build_split(track, DEV_SEED, DEV_CLIENTS, PRESET)
        train = build_split(track, TRAIN_SEED, TRAIN_CLIENTS, PRESET)
        splits[name] = (dev, train)
        dev_dir = OUT / name / "dev"
        dev_files = {
            "inputs.jsonl": _write(dev_dir / "inputs.jsonl", dev.inputs_text()),
            "reference.jsonl": _write(dev_dir / "reference.jsonl", dev.reference_text()),
        }
        recipe = generation_recipe(track, "test", TEST_CLIENTS, PRESET, versions)
        recipe["benchmark"] = NAME
        seed = test_seed(secrets, name, recipe, fresh)
        test = build_split(track, seed, TEST_CLIENTS, PRESET)
        commit = commitment(seed, recipe)
        secrets.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_json(
            secrets / f"{NAME}-test-{name}.json",
            {"commitment": commit, "recipe": recipe, "seed": seed},
        )
        _write(secrets / f"{NAME}-test-{name}.reference.jsonl", test.reference_text())
        prior = fit_prior(
            train.reference, track.unit, {"seed": TRAIN_SEED, "clients": TRAIN_CLIENTS}
        )
        tracks[name] = {
            "prior": prior.to_json(),
            "measures": track.measures,
            "unit": track.unit,
            "phases": list(track.phases),
            "suds_style": track.suds_style,
            "rating_prompt": prompts["turn-rating" if track.unit == "turn" else "rating"],
            "splits": {
                "dev": {
                    "seed": DEV_SEED,
                    "clients": DEV_CLIENTS,
                    "conversations": len(dev.inputs),
                    "files": dev_files,
                    "inputs_sha256": dev.inputs_sha256,
                },
                "test": {
                    "seed": None,
                    "commitment": commit,
                    "recipe": recipe,
                    "clients": TEST_CLIENTS,
                    "conversations": len(test.inputs),
                    "files": {
                        "inputs.jsonl": _write(
                            OUT / name / "test" / "inputs.jsonl", test.inputs_text()
                        )
                    },
                    "inputs_sha256": test.inputs_sha256,
                    "reference": "kept by the maintainer; never in the repository",
                },
            },
        }
    recipe_doc = {
        "name": NAME,
        "benchmark_version": 3,
        "description": (
            "tvt-bench-v3: text-only inputs; tracks full (stated SUDS), masked (SUDS in words) "
            "and turn (per-turn intensity in exposure, varied within-session SUDS courses); dev "
            "splits with published seed and reference, test splits with a committed secret seed; "
            "reading skill against each track's protocol prior; sealed evaluation with tvt eval."
        ),
        "preset": PRESET,
        "regenerate": f"tvt generate --benchmark {NAME} --track TRACK --split dev",
        "versions": versions,
        "release": _release(versions["composer"]),
        "prompts": prompts,
        "commitment": 'sha256 over the canonical JSON of {"recipe": <test recipe>, "seed": n}',
        "train_split": {
            "seed": TRAIN_SEED,
            "clients": TRAIN_CLIENTS,
            "use": "the protocol prior (tracks.*.prior) and the fitted baselines",
        },
        "tracks": tracks,
    }
    write_json(HERE / f"{NAME}.json", recipe_doc)
    return recipe_doc, splits


def _ci(ci: Any) -> list[float] | None:
    return [round(ci[0], 4), round(ci[1], 4)] if ci else None


def _row(report: dict[str, Any], skill: dict[str, Any]) -> dict[str, Any]:
    row = {
        "s_abs": round(report["s_abs"], 4),
        "s_abs_ci95": _ci(report.get("s_abs_ci95")),
        "skill": round(skill["value"], 4) if skill["value"] is not None else None,
        "skill_ci95": _ci(skill.get("ci95")),
        "residual_r": round(skill["residual_r"], 4) if skill["residual_r"] is not None else None,
        "pearson": round(report["pearson"]["mean"], 4),
        "rmse": round(report["rmse"]["mean"], 4),
        "n_scored": report["n_scored"],
    }
    if "dtw" in report:
        row["dtw"] = round(report["dtw"]["mean"], 4)
    return row


def _as_outputs(split: Any) -> list[dict[str, Any]]:
    if split.track.unit == "turn":
        return [
            {k: r[k] for k in ("client_id", "phase", "turns", "intensities")}
            for r in split.reference
        ]
    return [{"client_id": r["client_id"], "trajectory": r["trajectory"]} for r in split.reference]


def baseline_figures(recipe: dict[str, Any], splits: dict[str, Any]) -> dict[str, Any]:
    from tvt.bench.prior import Prior

    figures: dict[str, Any] = {
        "benchmark": NAME,
        "dev_seed": DEV_SEED,
        "dev_clients": DEV_CLIENTS,
        "train_seed": TRAIN_SEED,
        "train_clients": TRAIN_CLIENTS,
        "versions": recipe["versions"],
        "tracks": {},
    }
    for name, (dev, train) in splits.items():
        prior = Prior.from_json(recipe["tracks"][name]["prior"])
        rows = {}
        outputs = all_baselines(dev, train)
        outputs["ceiling"] = _as_outputs(dev)
        for key, out in outputs.items():
            rows[key] = _row(
                score_records(out, dev.reference), reading_skill(out, dev.reference, prior)
            )
        figures["tracks"][name] = rows
        print(
            f"{name}: " + ", ".join(f"{k} {v['s_abs']:.3f}/{v['skill']}" for k, v in rows.items())
        )
    write_json(OUT / "baselines.json", figures)
    return figures


NAMES = {
    "random": "Random",
    "constant-mean": "Constant mean (train split)",
    "phase-mean": "Per-phase mean (train split)",
    "prior": "Protocol prior (phase x position mean curve, train split)",
    "ridge-position": "Ridge on phase x turn position (train split)",
    "lexical-language": "Lexical, language only",
    "lexical-text": "Lexical, all text signals",
    "tfidf-ridge": "TF-IDF + ridge (trained on train split)",
    "bank-decoder": "Bank decoder (tvt's own band words, no training)",
    "ceiling": "Ceiling: the reference itself",
}
KIND = {**{k: "non-reading" for k in NON_READING}, **{k: "zero-shot reader" for k in ZERO_SHOT}}
KIND.update({k: "reads tvt's phrase bank" for k in BANK_READERS})
KIND.update({"tfidf-ridge": "trained reader", "ceiling": "ceiling"})


def _fmt(v: Any, ci: Any = None, sign: bool = False) -> str:
    if v is None:
        return "-"
    text = f"{v:+.3f}" if sign else f"{v:.3f}"
    return (
        f"{text} [{ci[0]:+.3f}, {ci[1]:+.3f}]"
        if ci and sign
        else (f"{text} [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else text)
    )


def tables(figures: dict[str, Any]) -> str:
    out = [
        START,
        "",
        f"Generated by `python benchmark/make_bench_v3.py` (tvt {figures['versions']['tvt']}, "
        f"composer {figures['versions']['composer']}; dev splits: seed {DEV_SEED}, "
        f"{DEV_CLIENTS} clients; prior and fitted baselines on seed {TRAIN_SEED}, "
        f"{TRAIN_CLIENTS} clients). Ordered by reading skill. S_abs for the turn track is S_turn.",
        "",
    ]
    for name, rows in figures["tracks"].items():
        ordered = sorted(
            rows.items(), key=lambda kv: -(kv[1]["skill"] if kv[1]["skill"] is not None else -99)
        )
        out += [
            f"#### Track `{name}`",
            "",
            "| baseline | kind | reading skill [95 % CI] | residual r | S_abs [95 % CI] | Pearson | RMSE |",
            "|---|---|---|---|---|---|---|",
        ]
        for key, r in ordered:
            out.append(
                f"| {NAMES.get(key, key)} | {KIND.get(key, '')} | "
                f"{_fmt(r['skill'], r['skill_ci95'], sign=True)} | {_fmt(r['residual_r'])} | "
                f"{_fmt(r['s_abs'], r['s_abs_ci95'])} | {r['pearson']:.3f} | {r['rmse']:.3f} |"
            )
        non = {k: rows[k] for k in NON_READING if k in rows}
        best = max(non.items(), key=lambda kv: kv[1]["s_abs"])
        ceiling = rows["ceiling"]["s_abs"]
        below = [NAMES[k] for k in ZERO_SHOT if k in rows and (rows[k]["skill"] or 0) < 0]
        out += [
            "",
            f"Best non-reading baseline by S_abs: {NAMES[best[0]]}, {best[1]['s_abs']:.3f}; "
            f"ceiling {ceiling:.3f}; headroom {ceiling - best[1]['s_abs']:.3f} "
            "(in reading skill the headroom is 1 by construction: the prior scores 0).",
        ]
        if below:
            out.append(
                "Below the prior (reading skill < 0, worse than not reading): "
                + ", ".join(below)
                + "."
            )
        out.append("")
    out += ["Baselines:", ""]
    out += [f"- {NAMES.get(k, k)}: {d}" for k, d in DESCRIPTIONS.items()]
    out += ["", END]
    return "\n".join(out)


def update_docs(text: str) -> None:
    doc = DOCS.read_text(encoding="utf-8")
    if START not in doc or END not in doc:
        print(f"{DOCS} has no {START} markers; tables not written", file=sys.stderr)
        return
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    with atomic_writer(DOCS) as fh:
        fh.write(head + text + tail)


def _release(composer: str) -> dict[str, str]:
    """The release that regenerates this benchmark byte for byte: the tvt version, the git tag
    and, when the code and data that shape the output (``tvt/``, ``seeds/``, ``schemas/``) are
    committed as they are, that commit (a tag may not travel with a clone; a commit does)."""
    release = {"tvt": __version__, "composer": composer, "tag": NAME}
    try:
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "tvt", "seeds", "schemas"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        dirty, head = "unknown", ""
    if head and not dirty:
        release["commit"] = head
        release["install"] = f"git checkout {head} && pip install ."
    else:
        release["install"] = f"git checkout {NAME} && pip install ."
    return release


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--secrets", type=Path, default=None, help="private folder for test seeds")
    ap.add_argument("--new-test-seeds", action="store_true", help="draw fresh test seeds")
    ap.add_argument("--no-docs", action="store_true", help="do not touch docs/benchmark.md")
    args = ap.parse_args()
    t0 = time.perf_counter()
    secrets = args.secrets or default_secrets_dir()
    recipe, splits = build(secrets, args.new_test_seeds)
    print(f"wrote {HERE / (NAME + '.json')}; test seeds kept in {secrets}")
    figures = baseline_figures(recipe, splits)
    text = tables(figures)
    if not args.no_docs:
        update_docs(text)
    else:
        print(text)
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
