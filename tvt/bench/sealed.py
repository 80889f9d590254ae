"""Sealed evaluation with the model in the loop (``tvt eval``) and commit-reveal (``tvt reveal``).

``tvt eval`` draws a fresh secret seed, generates the track's split in memory, has the model rate
its inputs through the shared LLM client (cache off), scores the answers against the in-memory
reference and writes a leaderboard entry marked ``sealed``. The entry carries the *commitment*
(sha256 over the seed and the generation recipe) and the sha256 of the inputs the model saw, never
the seed; the seed goes to a private secrets folder (file mode 0600). ``tvt reveal ENTRY`` checks
the secret against the commitment, regenerates the inputs, checks their sha256 and publishes the
seed in the entry, so anyone can regenerate the exact inputs and re-run the model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date as _date
from pathlib import Path
from typing import Any

from tvt.bench import BENCHMARK_NAME
from tvt.bench.recipe import commitment, data_versions, draw_seed, generation_recipe
from tvt.bench.splits import build_split, suds_style_applied
from tvt.bench.tracks import get_track
from tvt.errors import InputError, WorkFailed
from tvt.jsonio import atomic_writer, dumps, read_json, write_json

ENTRY_FORMAT = "tvt-leaderboard-entry"
ENTRY_VERSION = 2
SEALED_SUBDIR = "sealed"


def default_secrets_dir() -> Path:
    """``$TVT_SECRETS_DIR``, else ``$XDG_DATA_HOME/tvt/secrets`` (``~/.local/share/tvt/secrets``)."""
    env = os.environ.get("TVT_SECRETS_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tvt" / "secrets"


def _write_secret(folder: Path, name: str, payload: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{name}.json"
    with atomic_writer(path) as fh:
        fh.write(dumps(payload) + "\n")
    os.chmod(path, 0o600)
    return path


def _slug(text: str) -> str:
    import re

    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:48] or "model"


@dataclass
class EvalResult:
    entry: dict[str, Any]
    entry_path: Path
    secret_path: Path
    outputs: list[dict[str, Any]]
    failures: list[dict[str, Any]]


def _metrics(report: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "pearson",
        "dtw",
        "rmse",
        "s_abs",
        "s_abs_ci95",
        "n_scored",
        "n_reference",
        "undefined_pearson",
        "ci",
    )
    out = {k: report[k] for k in keep if k in report}
    out["missing"] = len(report.get("missing", []))
    return out


def run_eval(
    *,
    model: str,
    track: str,
    clients: int = 100,
    base_url: str | None = None,
    leaderboard: str | Path = "leaderboard",
    secrets_dir: str | Path | None = None,
    trained_on_tvt: bool | None = None,
    organization: str | None = None,
    date: str | None = None,
    preset: str = "default",
    seed: int | None = None,
    **rate_options: Any,
) -> EvalResult:
    """Run one sealed evaluation and record it; see the module docstring.

    ``seed`` is for tests only (a sealed run draws its own). ``rate_options`` go to
    :func:`tvt.bench.llm_rate.rate_inputs_llm` (concurrency, temperature, max_attempts, prices,
    policy...); the response cache is always off.
    """
    from tvt.bench.llm_rate import rate_inputs_llm
    from tvt.bench.scoring import score_records

    trk = get_track(track)
    if clients < 2:
        raise InputError("must be at least 2", field="--clients")
    if not suds_style_applied(trk.suds_style):
        raise WorkFailed(
            f"track {track} needs SUDS in words, but this composer has no suds_style parameter"
        )
    rate_options.pop("use_cache", None)
    secret_seed = draw_seed() if seed is None else int(seed)
    recipe = generation_recipe(trk, "sealed", clients, preset, data_versions())
    commit = commitment(secret_seed, recipe)
    secrets_folder = Path(secrets_dir) if secrets_dir is not None else default_secrets_dir()
    # The secret is kept before the model sees anything: a crash must not lose the seed.
    secret_path = _write_secret(
        secrets_folder, commit, {"commitment": commit, "recipe": recipe, "seed": secret_seed}
    )
    split = build_split(trk, secret_seed, clients, preset)
    outputs, failures, summary = rate_inputs_llm(
        split.inputs,
        unit=trk.unit,
        model=model,
        base_url=base_url,
        use_cache=False,
        **rate_options,
    )
    if not outputs:
        raise WorkFailed(
            f"the model rated none of the {len(split.inputs)} inputs "
            f"({summary['format_failures']} format failures, {summary['request_failures']} "
            "request failures); nothing recorded"
        )
    report = score_records(outputs, split.reference)
    when = date or _date.today().isoformat()
    entry: dict[str, Any] = {
        "entry_format": ENTRY_FORMAT,
        "entry_version": ENTRY_VERSION,
        "status": "sealed",
        "benchmark": BENCHMARK_NAME,
        "track": track,
        "model": summary["model"],
        "organization": organization,
        "date": when,
        "trained_on_tvt": trained_on_tvt,
        "metrics": _metrics(report),
        "sealed": {
            "clients": clients,
            "commitment": commit,
            "recipe": recipe,
            "inputs_sha256": split.inputs_sha256,
            "inputs": len(split.inputs),
            "seed": None,
            "revealed": None,
        },
        "rater": {
            "prompt_version": summary["prompt_version"],
            "prompt_sha256": summary["prompt_sha256"],
            "base_url_host": summary["base_url_host"],
            "json_mode": summary["json_mode"],
            "cache": "off",
            "options": {k: v for k, v in rate_options.items() if k != "policy"},
        },
        "format_failures": summary["format_failures"],
        "format_failure_rate": summary["format_failure_rate"],
        "request_failures": summary["request_failures"],
        "first_answer_unreadable": summary["first_answer_unreadable"],
        "usage": summary["usage"],
        "cost_estimate": summary["cost_estimate"],
    }
    folder = Path(leaderboard) / SEALED_SUBDIR
    entry_path = folder / f"{_slug(summary['model'])}-{track}-{commit[:12]}.json"
    write_json(entry_path, entry)
    return EvalResult(entry, entry_path, secret_path, outputs, failures)


def reveal(
    entry_path: str | Path,
    *,
    secrets_dir: str | Path | None = None,
    seed: int | None = None,
    date: str | None = None,
) -> dict[str, Any]:
    """Publish a sealed entry's seed after checking it against the commitment and the inputs.

    The seed comes from ``seed`` or the secrets folder. Raises InputError when the seed does not
    match the commitment, WorkFailed when regenerating does not give the committed inputs (the
    versions that shape the data differ: the message names them). Returns the updated entry.
    """
    path = Path(entry_path)
    entry = read_json(path)
    sealed = entry.get("sealed") if isinstance(entry, dict) else None
    if entry.get("status") != "sealed" or not isinstance(sealed, dict):
        raise InputError("not a sealed tvt-bench-v2 entry", path=path, field="status")
    commit = sealed.get("commitment")
    if seed is None:
        folder = Path(secrets_dir) if secrets_dir is not None else default_secrets_dir()
        secret_file = folder / f"{commit}.json"
        if not secret_file.is_file():
            raise InputError(
                f"no secret for commitment {str(commit)[:12]} in {folder} (give --seed)",
                path=path,
            )
        seed = int(read_json(secret_file)["seed"])
    recipe = sealed["recipe"]
    if commitment(seed, recipe) != commit:
        raise InputError("the seed does not match the entry's commitment", field="--seed")
    here = data_versions()
    diffs = [
        f"{k} {here.get(k)} here, {v} recorded"
        for k, v in sorted(recipe["versions"].items())
        if here.get(k) != v
    ]
    split = build_split(get_track(recipe["track"]), seed, int(recipe["clients"]), recipe["preset"])
    if split.inputs_sha256 != sealed["inputs_sha256"]:
        raise WorkFailed(
            "regenerating from the seed does not give the committed inputs ("
            + ("; ".join(diffs) if diffs else "no recorded version differs")
            + ")"
        )
    sealed["seed"] = seed
    sealed["revealed"] = date or _date.today().isoformat()
    write_json(path, entry)
    return entry


def regenerate_inputs(entry: dict[str, Any]) -> str:
    """The inputs.jsonl text of a revealed entry (for re-running the model)."""
    sealed = entry["sealed"]
    if sealed.get("seed") is None:
        raise InputError("the entry has not been revealed yet", field="sealed.seed")
    recipe = sealed["recipe"]
    split = build_split(
        get_track(recipe["track"]), int(sealed["seed"]), int(recipe["clients"]), recipe["preset"]
    )
    return split.inputs_text()
