"""The generation pipeline: sample cases, plan trajectories, produce conversations, write."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from tvt.config import Config
from tvt.dataset import DatasetWriter, base_manifest, prepare_output
from tvt.phases import BENCHMARK_ORDER
from tvt.plan import plan_trajectory, reference_record
from tvt.resources import load_seed_json
from tvt.sampling import Sampler


def iter_cases(config: Config, seed: int, clients: int, start: int = 1) -> Iterator[dict[str, Any]]:
    """Yield the planned cases of clients ``start..clients`` (each independent of the others)."""
    sampler = Sampler(config, seed)
    rules = load_seed_json("plan.json")
    for client_id in range(start, clients + 1):
        case = sampler.sample(client_id)
        case["plan"] = plan_trajectory(case, seed, rules)
        yield case


def parse_phases(text: str | None) -> list[str]:
    """``"P5,P10"`` -> ``["P5", "P10"]`` in benchmark order; ``None`` -> all six."""
    from tvt.errors import InputError

    if not text:
        return list(BENCHMARK_ORDER)
    wanted = [p.strip().upper() for p in text.split(",") if p.strip()]
    unknown = [p for p in wanted if p not in BENCHMARK_ORDER]
    if unknown:
        raise InputError(
            f"unknown phase {', '.join(unknown)} (phases are {', '.join(BENCHMARK_ORDER)})",
            field="--phases",
        )
    return [p for p in BENCHMARK_ORDER if p in wanted]


def generate_offline(
    out: Path,
    *,
    seed: int,
    clients: int,
    config: Config,
    phases: Sequence[str] = BENCHMARK_ORDER,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Write a complete dataset with the embedded offline composer; return the manifest."""
    from tvt.compose import COMPOSER_VERSION, compose_client

    prepare_output(out, force)
    backend = {"name": "offline", "composer_version": COMPOSER_VERSION}
    manifest = base_manifest(
        seed=seed, clients=clients, config=config, backend=backend, phases=list(phases)
    )
    with DatasetWriter(out, manifest) as writer:
        for case in iter_cases(config, seed, clients):
            writer.write("cases.jsonl", case)
            writer.write("reference.jsonl", reference_record(case))
            for conv in compose_client(case, seed, phases):
                writer.write("conversations.jsonl", conv)
            if progress:
                progress(1)
        return writer.commit()
