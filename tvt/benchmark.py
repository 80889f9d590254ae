"""Benchmark recipes: what ``tvt generate --benchmark NAME`` regenerates and how it is checked.

A recipe ``benchmark/<name>.json`` records the preset, seed, number of clients and backend of a
published benchmark, the library versions that produced it, and the sha256 of every data file with
the dataset fingerprint. Regenerating with the recipe must give the same bytes; when it does not,
the versions that differ from the recorded ones are named, because that is almost always the cause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypedDict, cast

from tvt.errors import InputError, WorkFailed
from tvt.jsonio import read_json
from tvt.records import Manifest
from tvt.resources import data_dir


# -- the shape of a recipe (benchmark/<name>.json) -----------------------------------------------
class Release(TypedDict, total=False):
    """The release (git tag) whose versions regenerate a benchmark byte for byte."""

    tvt: str
    composer: str
    tag: str
    commit: str
    install: str  # the exact install command


class PromptRef(TypedDict):
    version: str
    sha256: str


class PriorDoc(TypedDict):
    """A track's protocol prior as the recipe ships it (tvt.bench.prior.Prior)."""

    unit: str
    bins: int
    means: dict[str, list[float]]
    fitted_on: dict[str, int]  # seed and clients of the train split


class SplitSpec(TypedDict, total=False):
    """One split of a track: its clients and seed (dev) or only a commitment to it (test)."""

    seed: int | None
    clients: int
    conversations: int
    files: dict[str, str]  # file name -> sha256
    inputs_sha256: str
    commitment: str
    recipe: dict[str, object]  # the committed generation recipe (tvt.bench.recipe)
    reference: str


class TrackSpec(TypedDict, total=False):
    prior: PriorDoc
    measures: str
    unit: str
    phases: list[str]
    suds_style: str
    suds_style_applied: bool
    rating_prompt: PromptRef
    splits: dict[str, SplitSpec]


class TrainSplit(TypedDict):
    seed: int
    clients: int
    use: str


class _RecipeBase(TypedDict):
    name: str
    benchmark_version: int
    description: str
    preset: str
    regenerate: str
    versions: dict[str, str]


class Recipe(_RecipeBase, total=False):
    """``benchmark/<name>.json``. tvt-bench-v1 is one dataset (seed, clients, backend, files and
    fingerprint); v2 and later have tracks and splits, prompts and a train split."""

    seed: int
    clients: int
    backend: dict[str, str]
    phases: list[str]
    files: dict[str, str]  # data file -> sha256
    fingerprint: str
    release: Release
    prompts: dict[str, PromptRef]
    commitment: str
    train_split: TrainSplit
    tracks: dict[str, TrackSpec]


class BenchmarkSettings(TypedDict):
    """What ``tvt generate --benchmark NAME`` runs."""

    bench: Recipe
    seed: int
    clients: int
    preset: str
    backend: str


#: The benchmark a submission is scored against unless ``--reference`` says otherwise.
DEFAULT_BENCHMARK = "tvt-bench-v1"
#: Options of ``tvt generate`` that a recipe fixes (giving one of them is a usage error).
FIXED_OPTIONS = ("seed", "clients", "preset", "config_path", "backend", "phases")

_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{0,60}")


def benchmark_dir() -> Path:
    """The folder holding the benchmark recipes and the shipped leaderboard."""
    return data_dir("benchmark")


def load_benchmark(name: str = DEFAULT_BENCHMARK) -> Recipe:
    """Load the recipe ``benchmark/<name>.json`` (preset, seed, clients, backend, fingerprints)."""
    if not _NAME.fullmatch(name):
        raise InputError(f"'{name}' is not a benchmark name", field="--benchmark")
    path = benchmark_dir() / f"{name}.json"
    if not path.is_file():
        known = sorted(p.stem for p in benchmark_dir().glob("*.json"))
        raise InputError(
            f"unknown benchmark '{name}' (known: {', '.join(known) or 'none'})",
            field="--benchmark",
        )
    return cast(Recipe, read_json(path))  # shipped with tvt (tests check every recipe)


def benchmark_reference(name: str = DEFAULT_BENCHMARK) -> Path:
    """The shipped reference.jsonl of a benchmark (its sha256 is recorded in the recipe)."""
    return benchmark_dir() / name / "reference.jsonl"


def benchmark_for_reference(ref_sha: str) -> str | None:
    """The name of the shipped benchmark whose reference has this sha256, if any.

    Every recipe is read strictly: a damaged recipe file is an error, not a silent miss.
    """
    for path in sorted(benchmark_dir().glob("*.json")):
        recipe = read_json(path)
        if isinstance(recipe, dict) and recipe.get("files", {}).get("reference.jsonl") == ref_sha:
            name = recipe.get("name")
            return str(name) if name is not None else None
    return None


class KnownSplit(TypedDict):
    """A published benchmark split: its benchmark, track (None for v1) and split."""

    benchmark: str
    track: str | None
    split: str | None


def known_split(ref_sha: str) -> KnownSplit | None:
    """The published benchmark split whose reference has this sha256: benchmark, track, split.

    tvt-bench-v1 has one reference (track ``None``, split ``dev``: its answer key is public);
    tvt-bench-v2 and later record one per track and split. ``None`` when the reference is not a
    published split (a custom reference).
    """
    for path in sorted(benchmark_dir().glob("*.json")):
        recipe = read_json(path)
        if not isinstance(recipe, dict):
            continue
        name = recipe.get("name")
        if recipe.get("files", {}).get("reference.jsonl") == ref_sha:
            return {"benchmark": str(name), "track": None, "split": "dev"}
        for track, spec in sorted(recipe.get("tracks", {}).items()):
            for split, sp in sorted(spec.get("splits", {}).items()):
                if (sp.get("files") or {}).get("reference.jsonl") == ref_sha:
                    return {"benchmark": str(name), "track": track, "split": split}
    return None


def published_seeds() -> set[int]:
    """Every seed a shipped recipe publishes (dev and train splits, v1's seed): never secret."""
    seeds: set[int] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "seed" and isinstance(v, int) and not isinstance(v, bool):
                    seeds.add(v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in sorted(benchmark_dir().glob("*.json")):
        walk(read_json(path))
    return seeds


#: Versions that decide a benchmark's bytes; a recipe records them and regenerating needs the same.
RELEASE_KEYS = ("tvt", "composer", "plan_sha256", "numpy", "faker")


def check_release(bench: Recipe, current: dict[str, str]) -> None:
    """Refuse, before anything is generated, to regenerate a benchmark on another release.

    Every published benchmark records the versions that regenerate it byte for byte and the
    release (git tag) that has them (``release`` in the recipe). On another version the
    generated files would differ, so the command names the differences and prints the exact
    install command of the right release instead of writing data that is not the benchmark.
    """
    recorded = dict(bench.get("versions", {}))
    diffs = [
        f"{k} {current.get(k)} here, {recorded[k]} recorded"
        for k in RELEASE_KEYS
        if k in recorded and k in current and current[k] != recorded[k]
    ]
    if not diffs:
        return
    release = bench.get("release") or {}
    tag = release.get("tag")
    install = release.get("install") or f"git checkout {tag} && pip install ."
    commit = release.get("commit")
    # A tag may not travel with a clone or a fork; the commit it names always does.
    fallback = (
        f"; where the clone has no tag {tag}: git checkout {commit} && pip install ."
        if commit and commit not in install
        else ""
    )
    how = (
        f"install the release that regenerates it, in a clone of the tvt repository: "
        f"{install} (then run the same command){fallback}"
        if tag
        else "no release is recorded for it; its shipped files remain usable as they are"
    )
    raise WorkFailed(
        f"{bench.get('name')} is regenerated byte for byte by tvt {recorded.get('tvt')} with "
        f"composer {recorded.get('composer')}"
        + (f" (git tag {tag})" if tag else "")
        + f"; this installation differs ({'; '.join(diffs)}). To regenerate it, {how}"
    )


def version_differences(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """Human-readable ``"numpy 2.1.0 here, 2.4.6 recorded"`` items for every differing version."""
    out = []
    for key in sorted(recorded):  # only what the recipe recorded can explain a difference
        here, then = current.get(key), recorded[key]
        if here != then:
            out.append(f"{key} {here if here is not None else 'absent'} here, {then} recorded")
    return out


def generator_versions(manifest: Manifest) -> dict[str, str]:
    """The versions a recipe records, taken from a dataset manifest."""
    versions = dict(manifest.get("versions", {}))
    versions["tvt"] = manifest["tvt_version"]
    composer = manifest.get("backend", {}).get("composer_version")
    if composer is not None:
        versions["composer"] = composer
    return versions


def check_benchmark(bench: Recipe, manifest: Manifest) -> None:
    """Compare a regenerated dataset's manifest with the recipe; raise ``WorkFailed`` on mismatch.

    The message names every recorded library/generator version that differs from this
    installation, because that is almost always why a seeded regeneration differs.
    """
    files = manifest.get("files", {})
    differing = [
        name
        for name, sha in sorted(bench.get("files", {}).items())
        if (files[name]["sha256"] if name in files else None) != sha
    ]
    if not differing and manifest.get("fingerprint") == bench.get("fingerprint"):
        return
    current = generator_versions(manifest)
    diffs = version_differences(bench.get("versions", {}), current)
    why = (
        "versions that differ from those recorded: " + "; ".join(diffs)
        if diffs
        else "no recorded library version differs ("
        + ", ".join(f"{k} {v}" for k, v in sorted(current.items()))
        + "), so the generator code itself changed"
    )
    raise WorkFailed(
        f"{bench.get('name')}: the regenerated {', '.join(differing) or 'dataset'} "
        f"{'does' if len(differing) <= 1 else 'do'} not match "
        f"the recorded fingerprint; {why}. The data written is NOT {bench.get('name')}"
    )


def benchmark_settings(name: str, given: Iterable[str] = ()) -> BenchmarkSettings:
    """What ``tvt generate --benchmark NAME`` runs: the recipe fixes seed, clients, preset, backend.

    ``given`` names the options the user typed; any that the recipe fixes is a usage error rather
    than being silently overridden.
    """
    bench = load_benchmark(name)
    clash = sorted(set(FIXED_OPTIONS) & set(given))
    if clash:
        flags = ", ".join("--" + c.replace("_path", "").replace("_", "-") for c in clash)
        raise InputError(
            f"--benchmark {name} fixes the seed, clients, preset, backend and phases; drop {flags}",
            field="--benchmark",
        )
    return {
        "bench": bench,
        "seed": int(bench["seed"]),
        "clients": int(bench["clients"]),
        "preset": str(bench["preset"]),
        "backend": str(bench["backend"]["name"]),
    }
