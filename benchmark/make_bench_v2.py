"""Build tvt-bench-v2: dev and test splits, the recipe, and the baseline figures for the docs.

Everything under ``benchmark/tvt-bench-v2*`` is written by this script and nothing else, so it is
rerun whenever the composer, the plan or the prompts change (for instance after the composer's
``verbal`` SUDS style lands)::

    python benchmark/make_bench_v2.py [--secrets DIR] [--new-test-seeds] [--no-docs]

It writes:

- ``tvt-bench-v2/<track>/dev/inputs.jsonl`` and ``reference.jsonl`` (published seed);
- ``tvt-bench-v2/<track>/test/inputs.jsonl`` only: the test seed stays in ``--secrets`` (default
  ``$TVT_SECRETS_DIR`` or ``~/.local/share/tvt/secrets``) with the test reference, and only the
  commitment enters the recipe; a test reference never enters the repository;
- ``tvt-bench-v2.json``: tracks, splits, sizes, seeds or commitments, file sha256, composer and
  plan versions, prompt versions and fingerprints;
- ``tvt-bench-v2/baselines.json``: every offline baseline scored on every dev split (S_abs and
  95 % CI), plus SmolLM2-135M's figures when ``benchmark/smollm2_bench_v2.py`` has written them;
- the tables of docs/benchmark.md between the ``bench-v2-tables`` markers (unless --no-docs).

Test seeds are reused from ``--secrets`` while their recipe (versions included) is unchanged, so
rerunning without changes reproduces the same files; ``--new-test-seeds`` draws fresh ones.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tvt.bench import BENCHMARK_NAME
from tvt.bench.baselines import (
    DESCRIPTIONS,
    NON_READING,
    TRAIN_CLIENTS,
    TRAIN_SEED,
    ZERO_SHOT,
    all_baselines,
)
from tvt.bench.prior import fit_prior
from tvt.bench.recipe import commitment, data_versions, draw_seed, generation_recipe
from tvt.bench.scoring import score_records
from tvt.bench.sealed import default_secrets_dir
from tvt.bench.splits import build_split, suds_style_applied
from tvt.bench.tracks import TRACKS
from tvt.jsonio import atomic_writer, read_json, sha256_file, write_json
from tvt.llm.prompts import load_prompts

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / BENCHMARK_NAME
DOCS = ROOT / "docs" / "benchmark.md"
PRESET = "default"
DEV_SEED = 2026
DEV_CLIENTS = 100
TEST_CLIENTS = 100
START, END = "<!-- bench-v2-tables:start -->", "<!-- bench-v2-tables:end -->"


def _write(path: Path, text: str) -> str:
    with atomic_writer(path) as fh:
        fh.write(text)
    return sha256_file(path)


def test_seed(secrets: Path, track: str, recipe: dict[str, Any], fresh: bool) -> int:
    """The secret test seed of ``track``: reused while its recipe is unchanged."""
    path = secrets / f"{BENCHMARK_NAME}-test-{track}.json"
    if path.is_file() and not fresh:
        kept = read_json(path)
        if kept.get("recipe") == recipe:
            return int(kept["seed"])
    return draw_seed()


def build(secrets: Path, fresh: bool) -> dict[str, Any]:
    versions = data_versions()
    prompts = {
        kind: {"version": p.id, "sha256": p.sha256}
        for kind, p in ((k, load_prompts(k)) for k in ("rating", "turn-rating"))
    }
    tracks: dict[str, Any] = {}
    for name, track in TRACKS.items():
        dev = build_split(track, DEV_SEED, DEV_CLIENTS, PRESET)
        dev_dir = OUT / name / "dev"
        dev_files = {
            "inputs.jsonl": _write(dev_dir / "inputs.jsonl", dev.inputs_text()),
            "reference.jsonl": _write(dev_dir / "reference.jsonl", dev.reference_text()),
        }
        recipe = generation_recipe(track, "test", TEST_CLIENTS, PRESET, versions)
        seed = test_seed(secrets, name, recipe, fresh)
        test = build_split(track, seed, TEST_CLIENTS, PRESET)
        commit = commitment(seed, recipe)
        secret = {"commitment": commit, "recipe": recipe, "seed": seed}
        secrets.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_json(secrets / f"{BENCHMARK_NAME}-test-{name}.json", secret)
        _write(secrets / f"{BENCHMARK_NAME}-test-{name}.reference.jsonl", test.reference_text())
        test_files = {
            "inputs.jsonl": _write(OUT / name / "test" / "inputs.jsonl", test.inputs_text())
        }
        train = build_split(track, TRAIN_SEED, TRAIN_CLIENTS, PRESET)
        prior = fit_prior(
            train.reference, track.unit, {"seed": TRAIN_SEED, "clients": TRAIN_CLIENTS}
        )
        tracks[name] = {
            "prior": prior.to_json(),
            "measures": track.measures,
            "unit": track.unit,
            "phases": list(track.phases),
            "suds_style": track.suds_style,
            "suds_style_applied": suds_style_applied(track.suds_style),
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
                    "files": test_files,
                    "inputs_sha256": test.inputs_sha256,
                    "reference": "kept by the maintainer; never in the repository",
                },
            },
        }
    recipe_doc = {
        "name": BENCHMARK_NAME,
        "benchmark_version": 2,
        "description": (
            "tvt-bench-v2: text-only inputs; tracks full (stated SUDS), masked (SUDS in words) "
            "and turn (per-turn intensity in exposure); dev splits with published seed and "
            "reference, test splits with a committed secret seed; sealed evaluation with tvt eval."
        ),
        "preset": PRESET,
        "regenerate": "tvt generate --benchmark tvt-bench-v2 --track TRACK --split dev",
        "versions": versions,
        "prompts": prompts,
        "commitment": 'sha256 over the canonical JSON of {"recipe": <test recipe>, "seed": n}',
        "train_split": {
            "seed": TRAIN_SEED,
            "clients": TRAIN_CLIENTS,
            "use": "fitted baselines only (means, TF-IDF + ridge)",
        },
        "tracks": tracks,
    }
    write_json(HERE / f"{BENCHMARK_NAME}.json", recipe_doc)
    return recipe_doc


def _ci(report: dict[str, Any]) -> list[float] | None:
    ci = report.get("s_abs_ci95")
    return [round(ci[0], 4), round(ci[1], 4)] if ci else None


def baseline_figures() -> dict[str, Any]:
    figures: dict[str, Any] = {
        "dev_seed": DEV_SEED,
        "dev_clients": DEV_CLIENTS,
        "train_seed": TRAIN_SEED,
        "train_clients": TRAIN_CLIENTS,
        "tracks": {},
    }
    for name, track in TRACKS.items():
        dev = build_split(track, DEV_SEED, DEV_CLIENTS, PRESET)
        train = build_split(track, TRAIN_SEED, TRAIN_CLIENTS, PRESET)
        rows = {}
        for key, outputs in all_baselines(dev, train).items():
            rows[key] = _row(score_records(outputs, dev.reference))
        rows["ceiling"] = _row(score_records(_as_outputs(dev), dev.reference))
        figures["tracks"][name] = rows
        print(f"{name}: " + ", ".join(f"{k} {v['s_abs']:.3f}" for k, v in rows.items()))
    smol = OUT / "smollm2.json"
    if smol.is_file():
        figures["smollm2"] = read_json(smol)
    write_json(OUT / "baselines.json", figures)
    return figures


def _row(report: dict[str, Any]) -> dict[str, Any]:
    row = {
        "s_abs": round(report["s_abs"], 4),
        "s_abs_ci95": _ci(report),
        "pearson": round(report["pearson"]["mean"], 4),
        "rmse": round(report["rmse"]["mean"], 4),
        "n_scored": report["n_scored"],
    }
    if "dtw" in report:
        row["dtw"] = round(report["dtw"]["mean"], 4)
    return row


def _as_outputs(split: Any) -> list[dict[str, Any]]:
    """The reference itself as model outputs: the ceiling (perfect agreement)."""
    if split.track.unit == "turn":
        return [
            {k: r[k] for k in ("client_id", "phase", "turns", "intensities")}
            for r in split.reference
        ]
    return [{"client_id": r["client_id"], "trajectory": r["trajectory"]} for r in split.reference]


NAMES = {
    "random": "Random",
    "constant-mean": "Constant mean (train split)",
    "phase-mean": "Per-phase mean (train split)",
    "lexical-language": "Lexical, language only",
    "lexical-text": "Lexical, all text signals",
    "tfidf-ridge": "TF-IDF + ridge (trained on train split)",
    "smollm2": "SmolLM2-135M-Instruct (llama.cpp, zero-shot)",
    "ceiling": "Ceiling: the reference itself",
}


def tables(figures: dict[str, Any]) -> str:
    out = [
        START,
        "",
        f"Generated by `python benchmark/make_bench_v2.py` (dev splits: seed {DEV_SEED}, "
        f"{DEV_CLIENTS} clients; fitted baselines trained on seed {TRAIN_SEED}, "
        f"{TRAIN_CLIENTS} clients). S_abs for the turn track is S_turn (no DTW term).",
        "",
    ]
    smol = figures.get("smollm2", {}).get("tracks", {})
    for name, rows in figures["tracks"].items():
        rows = dict(rows)
        if name in smol:
            rows["smollm2"] = smol[name]
        ordered = sorted(rows.items(), key=lambda kv: -(kv[1].get("s_abs") or 0.0))
        dtw = name != "turn"
        out += [
            f"#### Track `{name}`",
            "",
            "| baseline | S_abs | 95 % CI | Pearson | " + ("DTW | " if dtw else "") + "RMSE | N |",
            "|---|---|---|---|" + ("---|" if dtw else "") + "---|---|",
        ]
        for key, r in ordered:
            ci = r.get("s_abs_ci95")
            ci_txt = f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "-"
            if r.get("s_abs") is None and key == "smollm2":  # no readable answer at all
                out.append(
                    f"| {NAMES.get(key, key)} (format failures "
                    f"{100 * r.get('format_failure_rate', 1.0):.1f} %{_stale(r)}) | not scorable: "
                    "no readable answer | - | - |" + (" - |" if dtw else "") + " - | 0 |"
                )
                continue
            if r.get("s_abs") is None:  # no readable answer at all
                out.append(
                    f"| {NAMES.get(key, key)} (format failures "
                    f"{100 * r.get('format_failure_rate', 1.0):.1f} %) | not scorable: "
                    "no readable answer | - | - |" + (" - |" if dtw else "") + " - | 0 |"
                )
                continue
            cells = [NAMES.get(key, key), f"{r['s_abs']:.3f}", ci_txt, f"{r['pearson']:.3f}"]
            if dtw:
                cells.append(f"{r.get('dtw', float('nan')):.3f}")
            cells += [f"{r['rmse']:.3f}", str(r["n_scored"])]
            if key == "smollm2" and "format_failure_rate" in r:
                n_clients = figures["smollm2"].get("clients")
                cells[0] += (
                    f" (first {n_clients} dev clients only; format failures "
                    f"{100 * r['format_failure_rate']:.1f} %{_stale(r)})"
                )
            out.append("| " + " | ".join(cells) + " |")
        overlaps = []
        scored = [(k, r) for k, r in ordered if r.get("s_abs") is not None]
        for (ka, a), (kb, b) in zip(scored, scored[1:], strict=False):
            ca, cb = a.get("s_abs_ci95"), b.get("s_abs_ci95")
            if ca and cb and ca[0] <= cb[1] and cb[0] <= ca[1]:
                overlaps.append(f"{NAMES.get(ka, ka)} / {NAMES.get(kb, kb)}")
        out.append("")
        if not suds_style_applied(TRACKS[name].suds_style):
            out.append(
                "**Not masked yet:** the composer these figures came from has no verbal SUDS "
                "style, so this split still states SUDS as numbers; rerun the script once it has."
            )
        out.append(
            "Adjacent baselines whose 95 % CIs overlap (not separated at this size): "
            + ("; ".join(overlaps) if overlaps else "none")
            + "."
        )
        zero = {k: rows[k] for k in ZERO_SHOT if k in rows}
        best = max(zero.items(), key=lambda kv: kv[1]["s_abs"])
        ceiling = rows["ceiling"]["s_abs"]
        out.append(
            f"Best zero-shot offline baseline: {NAMES[best[0]]}, S_abs {best[1]['s_abs']:.3f}; "
            f"ceiling {ceiling:.3f}; headroom {ceiling - best[1]['s_abs']:.3f}."
        )
        out.append("")
    not_reading = ", ".join(NAMES[k] for k in NON_READING)
    out += ["Baselines:", ""]
    out += [f"- {NAMES[k]}: {d}" for k, d in DESCRIPTIONS.items()]
    out += [
        f"- {NAMES['ceiling']}: the dev reference submitted as outputs (perfect agreement; "
        "S_abs 1 by construction).",
        "",
    ]
    out += [
        f"Non-reading baselines: {not_reading}. Zero-shot offline readers: "
        + ", ".join(NAMES[k] for k in ZERO_SHOT)
        + ".",
        "",
        END,
    ]
    return "\n".join(out)


def _stale(row: dict[str, Any]) -> str:
    """A note when a model's figures were made on another composer version's data."""
    from tvt.compose import COMPOSER_VERSION

    made = row.get("composer")
    if made == COMPOSER_VERSION:
        return ""
    return f"; made on composer {made or 'unknown'} data, rerun benchmark/smollm2_bench_v2.py"


def update_docs(text: str) -> None:
    doc = DOCS.read_text(encoding="utf-8")
    if START not in doc or END not in doc:
        print(f"{DOCS} has no {START} markers; tables not written", file=sys.stderr)
        return
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    with atomic_writer(DOCS) as fh:
        fh.write(head + text + tail)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--secrets", type=Path, default=None, help="private folder for test seeds")
    ap.add_argument("--new-test-seeds", action="store_true", help="draw fresh test seeds")
    ap.add_argument("--no-docs", action="store_true", help="do not touch docs/benchmark.md")
    ap.add_argument("--figures-only", action="store_true", help="skip the splits and recipe")
    args = ap.parse_args()
    secrets = args.secrets or default_secrets_dir()
    if not args.figures_only:
        build(secrets, args.new_test_seeds)
        print(f"wrote {HERE / (BENCHMARK_NAME + '.json')}; test seeds kept in {secrets}")
    figures = baseline_figures()
    text = tables(figures)
    if not args.no_docs:
        update_docs(text)
    else:
        print(text)
    print(json.dumps({k: v for k, v in figures.items() if k != "tracks"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
