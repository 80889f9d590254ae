"""The tvt-bench-v2 recipe (``benchmark/tvt-bench-v2.json``), seed commitments and dev-split files.

The recipe records, per track and split: the clients, the seed (dev) or only a commitment to it
(test), and the sha256 of the shipped files; plus the composer and plan versions, the prompt
versions and fingerprints, and the library versions that shape the data.

A commitment is ``sha256`` over the canonical JSON of ``{"recipe": <generation recipe>, "seed":
<seed>}``, where the generation recipe names the benchmark, track, split, clients, preset and the
versions that shape the data. Publishing the seed later (``tvt reveal``) lets anyone check the
commitment and regenerate byte-identical inputs.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import TypedDict, cast

from tvt.bench import BENCHMARK_NAME
from tvt.bench.tracks import SPLITS, Track, get_track
from tvt.benchmark import Recipe, SplitSpec, TrackSpec
from tvt.errors import InputError, WorkFailed
from tvt.jsonio import dumps, read_json, sha256_file
from tvt.leaderboard.types import CommittedRecipe
from tvt.resources import data_dir, seeds_path

#: Secret seeds are drawn below this bound (63 bits: fits numpy's SeedSequence and JSON readers).
SEED_BOUND = 2**63


def recipe_path(name: str = BENCHMARK_NAME) -> Path:
    return data_dir("benchmark") / f"{name}.json"


def split_dir(track: str, split: str, name: str = BENCHMARK_NAME) -> Path:
    """``benchmark/tvt-bench-v2/<track>/<split>/`` (inputs.jsonl, and reference.jsonl for dev)."""
    return data_dir("benchmark") / name / track / split


def load_recipe(name: str = BENCHMARK_NAME) -> Recipe:
    path = recipe_path(name)
    if not path.is_file():
        raise InputError(f"unknown benchmark '{name}'", field="--benchmark")
    return cast(Recipe, read_json(path))  # shipped with tvt (tests check every recipe)


def plan_sha256() -> str:
    return sha256_file(seeds_path("plan.json"))


def data_versions() -> dict[str, str]:
    """Versions that shape generated data: tvt, composer, plan file, numpy, faker."""
    from importlib.metadata import version

    from tvt import __version__
    from tvt.compose import COMPOSER_VERSION

    return {
        "tvt": __version__,
        "composer": COMPOSER_VERSION,
        "plan_sha256": plan_sha256(),
        "numpy": version("numpy"),
        "faker": version("faker"),
    }


def generation_recipe(
    track: Track, split: str, clients: int, preset: str, versions: dict[str, str] | None = None
) -> CommittedRecipe:
    """What, besides the seed, decides a split's inputs (the committed recipe)."""
    return {
        "benchmark": BENCHMARK_NAME,
        "track": track.name,
        "split": split,
        "clients": clients,
        "preset": preset,
        "phases": list(track.phases),
        "suds_style": track.suds_style,
        "versions": dict(versions if versions is not None else data_versions()),
    }


def commitment(seed: int, recipe: CommittedRecipe) -> str:
    """sha256 over the canonical JSON of the recipe and the seed (hex)."""
    return hashlib.sha256(dumps({"recipe": recipe, "seed": int(seed)}).encode()).hexdigest()


def draw_seed() -> int:
    """A fresh secret seed from the operating system's CSPRNG."""
    return secrets.randbelow(SEED_BOUND)


def track_entry(recipe: Recipe, track: str) -> TrackSpec:
    get_track(track)
    try:
        return recipe["tracks"][track]
    except KeyError:
        raise InputError(f"the recipe has no track {track!r}", field="--track") from None


def split_entry(recipe: Recipe, track: str, split: str) -> SplitSpec:
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r} (splits are dev, test)", field="--split")
    return track_entry(recipe, track)["splits"][split]


class DevSplitFiles(TypedDict):
    """What ``tvt generate --benchmark ... --split dev`` wrote and verified."""

    track: str
    out: str
    files: dict[str, str]  # file name -> sha256 (each matches the recipe)
    clients: int


def regenerate_dev(
    track: str, out: Path, *, force: bool = False, name: str = BENCHMARK_NAME
) -> DevSplitFiles:
    """Regenerate the dev split of ``track`` into ``out`` and verify it against the recipe.

    Writes ``inputs.jsonl`` and ``reference.jsonl`` (atomically) and returns a summary; raises
    WorkFailed (exit 1) naming the versions that differ when a file does not match.
    """
    from tvt.bench.splits import build_split
    from tvt.benchmark import check_release
    from tvt.jsonio import atomic_writer

    recipe = load_recipe(name)
    check_release(recipe, data_versions())  # on another release: say so, write nothing
    entry = split_entry(recipe, track, "dev")
    trk = get_track(track)
    if out.exists() and any(out.iterdir()) and not force:
        raise InputError("output folder is not empty (use --force to replace)", path=out)
    seed = entry["seed"]
    if seed is None:
        raise WorkFailed(f"the recipe of {name} records no seed for the {track} dev split")
    split = build_split(trk, int(seed), int(entry["clients"]), recipe["preset"])
    texts = {"inputs.jsonl": split.inputs_text(), "reference.jsonl": split.reference_text()}
    for name, text in texts.items():
        with atomic_writer(out / name) as fh:
            fh.write(text)
    got = {name: sha256_file(out / name) for name in texts}
    bad = [name for name, sha in got.items() if entry["files"].get(name) != sha]
    if bad:
        here = data_versions()
        diffs = [
            f"{k} {here.get(k)} here, {v} recorded"
            for k, v in sorted(recipe.get("versions", {}).items())
            if k in here and here[k] != v
        ]
        why = "; ".join(diffs) if diffs else "no recorded version differs: the generator changed"
        raise WorkFailed(
            f"{name} {track}/dev: the regenerated {', '.join(bad)} does not match the "
            f"recipe ({why})"
        )
    return {"track": track, "out": str(out), "files": got, "clients": int(entry["clients"])}
