"""Sealed evaluation with the model in the loop (``tvt eval``) and commit-reveal (``tvt reveal``).

``tvt eval`` draws a fresh secret seed, generates the track's split in memory, has the model rate
its inputs through the shared LLM client (cache off), scores the answers against the in-memory
reference and writes a leaderboard entry marked ``sealed``. The seed stays in this process's
memory until every answer is in: a "model" served from the same machine cannot read it from any
file while it is being asked. Only then is the seed written to a private secrets folder (mode
0600) and the entry written. The entry carries the *commitment* (sha256 over the seed and the
generation recipe), the sha256 of the inputs the model saw and the model's answers themselves,
never the seed; with ``--sign-key`` it is signed by a maintainer key (ed25519).

``tvt reveal ENTRY`` trusts nothing in the entry: it rebuilds the generation recipe from this
benchmark's own definition (track, split, preset, versions here), checks the entry's recipe, the
commitment, that the seed is not a published one, and the inputs' sha256; then recomputes every
figure from the stored answers against the regenerated reference and refuses any mismatch. Only
then is the seed published in the entry, so anyone can regenerate the exact inputs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date as _date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, cast

from tvt.bench import BENCHMARK_NAME
from tvt.bench.recipe import commitment, data_versions, draw_seed, generation_recipe
from tvt.bench.splits import build_split, suds_style_applied
from tvt.bench.tracks import get_track
from tvt.errors import InputError, WorkFailed
from tvt.jsonio import atomic_writer, dumps, read_json, write_json
from tvt.leaderboard.types import CommittedRecipe, EntryMetrics, SealedEntry
from tvt.records import BenchOutput, BenchReference, PhaseOutputRow, TurnOutputsRow

if TYPE_CHECKING:
    from tvt.raters.llm import RatingFailure

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


class SealedSecret(TypedDict):
    """A sealed run's secret file: the seed that opens its commitment, kept until ``tvt reveal``."""

    commitment: str
    recipe: CommittedRecipe
    seed: int


def _write_secret(folder: Path, name: str, payload: SealedSecret) -> Path:
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
    entry: SealedEntry
    entry_path: Path
    secret_path: Path
    outputs: list[BenchOutput]
    failures: list[RatingFailure]


def _metrics(
    report: dict[str, Any],
    outputs: list[BenchOutput],
    reference: list[BenchReference],
    track: str,
) -> EntryMetrics:
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
    from tvt.bench.prior import reading_skill, track_prior

    out["skill"] = reading_skill(outputs, reference, track_prior(track))
    # the report's own figures under the entry's keys, and the skill (tvt.bench.prior's block)
    return cast(EntryMetrics, out)


def _answer(row: Mapping[str, Any]) -> PhaseOutputRow | TurnOutputsRow:
    """An output row as stored in the entry (what the model answered, nothing else)."""
    if "turns" in row:
        return {
            "client_id": row["client_id"],
            "phase": row["phase"],
            "turns": row["turns"],
            "intensities": row["intensities"],
        }
    return {"client_id": row["client_id"], "phase": row["phase"], "intensity": row["intensity"]}


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
    sign_key: str | Path | None = None,
    **rate_options: Any,
) -> EvalResult:
    """Run one sealed evaluation and record it; see the module docstring.

    ``seed`` is for tests only (a sealed run draws its own). ``sign_key`` is a maintainer's
    ed25519 private key (PEM): the entry is signed with it. ``rate_options`` go to
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
    key = None
    if sign_key is not None:
        from tvt.leaderboard.signing import load_private_key

        key = load_private_key(sign_key)  # a bad key fails before the model is asked
    secret_seed = draw_seed() if seed is None else int(seed)
    recipe = generation_recipe(trk, "sealed", clients, preset, data_versions())
    commit = commitment(secret_seed, recipe)
    secrets_folder = Path(secrets_dir) if secrets_dir is not None else default_secrets_dir()
    # The seed stays in memory until every answer is in: nothing on disk reveals it while the
    # model (possibly a server on this machine) is being asked.
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
    entry: SealedEntry = {
        "entry_format": ENTRY_FORMAT,
        "entry_version": ENTRY_VERSION,
        "status": "sealed",
        "benchmark": BENCHMARK_NAME,
        "track": track,
        "split": "sealed",
        "model": summary["model"],
        "organization": organization,
        "date": when,
        "trained_on_tvt": trained_on_tvt,
        "metrics": _metrics(report, outputs, split.reference, track),
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
        "answers": [_answer(o) for o in outputs],
    }
    if key is not None:
        from tvt.leaderboard.signing import sign_entry

        entry = sign_entry(entry, key)
    secret_path = _write_secret(
        secrets_folder, commit, {"commitment": commit, "recipe": recipe, "seed": secret_seed}
    )
    folder = Path(leaderboard) / SEALED_SUBDIR
    entry_path = folder / f"{_slug(summary['model'])}-{track}-{commit[:12]}.json"
    write_json(entry_path, entry)
    return EvalResult(entry, entry_path, secret_path, outputs, failures)


def _seed_from_secrets(path: Path, commit: Any, secrets_dir: str | Path | None) -> int:
    folder = Path(secrets_dir) if secrets_dir is not None else default_secrets_dir()
    secret_file = folder / f"{commit}.json"
    if not secret_file.is_file():
        raise InputError(
            f"no secret for commitment {str(commit)[:12]} in {folder} (give --seed)", path=path
        )
    return int(read_json(secret_file)["seed"])


def _close(a: Any, b: Any, tol: float = 1e-9) -> bool:
    """Whether two metric values (numbers, lists, dicts, None) agree to ``tol``."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], tol) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y, tol) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= tol
    return bool(a == b)


def check_entry(entry: dict[str, Any], seed: int, *, path: str | Path = "entry") -> dict[str, Any]:
    """Check a sealed entry against ``seed`` and this benchmark's own recipe; return what it found.

    Raises InputError (exit 2) for anything forged or inconsistent: a recipe that is not the one
    this benchmark builds for the entry's track and size, a seed that does not open the commitment
    or that a recipe publishes, inputs whose sha256 differs, answers missing, or a figure that the
    stored answers do not reproduce. Raises WorkFailed (exit 1) when the versions that shape the
    data differ here (the message names them): the entry can then only be checked with those.
    """
    from tvt.bench.recipe import load_recipe
    from tvt.bench.scoring import score_records
    from tvt.benchmark import published_seeds

    path = Path(path)
    sealed = entry.get("sealed") if isinstance(entry, dict) else None
    if entry.get("status") != "sealed" or not isinstance(sealed, dict):
        raise InputError(f"not a sealed {BENCHMARK_NAME} entry", path=path, field="status")
    if entry.get("benchmark") != BENCHMARK_NAME:
        raise InputError(
            f"entry is for {entry.get('benchmark')!r}; this tvt reveals {BENCHMARK_NAME} entries",
            path=path,
            field="benchmark",
        )
    trk = get_track(str(entry.get("track")))
    clients = sealed.get("clients")
    if not isinstance(clients, int) or isinstance(clients, bool) or clients < 2:
        raise InputError("must be an integer >= 2", path=path, field="sealed.clients")
    own = load_recipe(BENCHMARK_NAME)
    expected = generation_recipe(trk, "sealed", clients, str(own["preset"]), data_versions())
    claimed = sealed.get("recipe")
    if not isinstance(claimed, dict):
        raise InputError("missing", path=path, field="sealed.recipe")
    if claimed.get("versions") != expected["versions"]:
        diffs = [
            f"{k} {expected['versions'].get(k)} here, {v} recorded"
            for k, v in sorted(dict(claimed.get("versions") or {}).items())
            if expected["versions"].get(k) != v
        ]
        raise WorkFailed(
            "the entry was generated with other versions ("
            + ("; ".join(diffs) or "different version keys")
            + "); check it with the tvt release that wrote it"
        )
    wanted: Mapping[str, object] = expected
    bad = sorted(k for k in wanted.keys() | claimed.keys() if claimed.get(k) != wanted.get(k))
    if bad:
        raise InputError(
            f"the entry's recipe differs from the one {BENCHMARK_NAME} builds for a sealed "
            f"{trk.name} run of {clients} clients (fields: {', '.join(bad)})",
            path=path,
            field="sealed.recipe",
        )
    if commitment(seed, expected) != sealed.get("commitment"):
        raise InputError("the seed does not match the entry's commitment", field="--seed")
    if seed in published_seeds():
        raise InputError(
            f"seed {seed} is published by a benchmark recipe (a dev or train seed): its "
            "answer key is public, so this entry is not sealed",
            path=path,
            field="sealed.commitment",
        )
    split = build_split(trk, seed, clients, str(own["preset"]))
    if split.inputs_sha256 != sealed.get("inputs_sha256"):
        raise InputError(
            "regenerating from the seed does not give the entry's inputs sha256",
            path=path,
            field="sealed.inputs_sha256",
        )
    if sealed.get("inputs") != len(split.inputs):
        raise InputError(
            f"the split has {len(split.inputs)} inputs, the entry says {sealed.get('inputs')}",
            path=path,
            field="sealed.inputs",
        )
    answers = entry.get("answers")
    if not isinstance(answers, list) or not answers:
        raise InputError(
            "the entry stores no answers, so its figures cannot be recomputed",
            path=path,
            field="answers",
        )
    if len(answers) + int(entry.get("format_failures", 0)) + int(
        entry.get("request_failures", 0)
    ) != len(split.inputs):
        raise InputError(
            "answers + format failures + request failures do not add up to the inputs",
            path=path,
            field="answers",
        )
    recomputed = _metrics(
        score_records(answers, split.reference), answers, split.reference, trk.name
    )
    claimed_metrics = entry.get("metrics") or {}
    wrong = sorted(
        k
        for k in recomputed.keys() | claimed_metrics.keys()
        if not _close(claimed_metrics.get(k), recomputed.get(k))
    )
    if wrong:
        k = wrong[0]
        raise InputError(
            f"the stored answers give {k} {recomputed.get(k)!r}, the entry claims "
            f"{claimed_metrics.get(k)!r}",
            path=path,
            field=f"metrics.{k}",
        )
    return {"split": split, "metrics": recomputed}


def reveal(
    entry_path: str | Path,
    *,
    secrets_dir: str | Path | None = None,
    seed: int | None = None,
    date: str | None = None,
    keys_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Check a sealed entry completely (:func:`check_entry`, and its signature) and publish its seed.

    The seed comes from ``seed`` or the secrets folder. The maintainer keys are read from
    ``keys_dir`` (a leaderboard folder; default: the folder holding ``sealed/``). Returns the
    updated entry, with ``sealed.signature`` ``signed`` or ``unsigned``.
    """
    from tvt.leaderboard.signing import load_public_keys, signature_status

    path = Path(entry_path)
    entry = read_json(path)
    if not isinstance(entry, dict) or not isinstance(entry.get("sealed"), dict):
        raise InputError(f"not a sealed {BENCHMARK_NAME} entry", path=path, field="status")
    board = Path(keys_dir) if keys_dir is not None else path.resolve().parent.parent
    status = signature_status(cast(SealedEntry, entry), load_public_keys(board), path)
    sealed = entry["sealed"]
    if seed is None:
        seed = _seed_from_secrets(path, sealed.get("commitment"), secrets_dir)
    check_entry(entry, int(seed), path=path)
    sealed["seed"] = int(seed)
    sealed["revealed"] = date or _date.today().isoformat()
    write_json(path, entry)
    return {**entry, "_signature": status}


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
