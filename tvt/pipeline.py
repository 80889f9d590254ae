"""The generation pipeline: sample cases, plan trajectories, produce conversations, write."""

from __future__ import annotations

import contextlib
import functools
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tvt.card import Survey, preload_card, write_card
from tvt.compose import COMPOSER_VERSION, SUDS_STYLES, compose_client
from tvt.config import Config
from tvt.dataset import DatasetWriter, base_manifest, prepare_output
from tvt.errors import InputError
from tvt.jsonio import dumps_generated
from tvt.phases import BENCHMARK_ORDER
from tvt.plan import PlanModel, plan_trajectory, reference_record
from tvt.records import BackendInfo, Case, Conversation, Manifest, Plan, ReferenceRow
from tvt.resources import load_seed_json
from tvt.sampling import Sampler


def plan_case(case: Case, seed: int, model: PlanModel | None = None) -> Plan:
    """The plan of a sampled case (:func:`tvt.plan.plan_trajectory`)."""
    return plan_trajectory(case, seed, model)


def reference_of(case: Case) -> ReferenceRow:
    """The ``reference.jsonl`` line of a planned case (:func:`tvt.plan.reference_record`)."""
    return reference_record(case)


def compose_case(
    case: Case, seed: int, phases: Sequence[str], suds_style: str = "numeric"
) -> list[Conversation]:
    """The offline composer's conversations of a planned case (:func:`tvt.compose.compose_client`)."""
    return compose_client(case, seed, phases, suds_style=suds_style)


def planned_cases(config: Config, seed: int, clients: int, start: int = 1) -> Iterator[Case]:
    """Yield the planned cases of clients ``start..clients`` (each independent of the others)."""
    sampler = Sampler(config, seed)
    model = PlanModel(load_seed_json("plan.json"))
    for client_id in range(start, clients + 1):
        case = sampler.sample(client_id)
        case["plan"] = plan_case(case, seed, model)
        yield case


def parse_phases(text: str | None) -> list[str]:
    """``"P5,P10"`` -> ``["P5", "P10"]`` in benchmark order; ``None`` -> all six.

    An empty list (``--phases ''``, ``--phases ,``) is refused: it would otherwise mean all six
    phases, the opposite of what was typed."""
    if text is None:
        return list(BENCHMARK_ORDER)
    wanted = [p.strip().upper() for p in text.split(",") if p.strip()]
    if not wanted:
        raise InputError(
            f"no phase given (name some of {', '.join(BENCHMARK_ORDER)}, or leave --phases out "
            "for all six)",
            field="--phases",
        )
    unknown = [p for p in wanted if p not in BENCHMARK_ORDER]
    if unknown:
        raise InputError(
            f"unknown phase {', '.join(unknown)} (phases are {', '.join(BENCHMARK_ORDER)})",
            field="--phases",
        )
    return [p for p in BENCHMARK_ORDER if p in wanted]


#: Clients per work unit when generation is spread over processes. Small units keep both cores
#: busy to the end (a process that finishes early takes the next unit, so the last one to finish
#: waits at most one unit, about a quarter of a second at composer 3.5's pace) and let the
#: parent write and survey the first units while the others are still being composed; a unit
#: costs a few milliseconds of its own.
CHUNK = 25
#: From this many clients on, generation is spread over processes by default; below it the
#: start-up of the processes costs more than it saves.
PARALLEL_FROM = 100


@dataclass
class Chunk:
    """Clients ``first..last`` rendered: JSON Lines text per data file and their survey."""

    files: dict[str, tuple[str, int]]  # name -> (text, lines)
    survey: Survey  # what the dataset card needs to know about these records


def render_chunk(
    config: Config,
    seed: int,
    first: int,
    last: int,
    phases: Sequence[str],
    suds_style: str = "numeric",
) -> Chunk:
    """Render clients ``first..last`` to JSON Lines text per data file, surveying each record.

    ``suds_style`` is the composer's: SUDS spoken as numbers (``"numeric"``) or in words only
    (``"verbal"``); the turns' ``suds`` fields carry the planned numbers either way.

    Pure function of its arguments (every client has its own random streams), so chunks can be
    rendered in any process and in any order and still concatenate to identical files; their
    surveys merge exactly, so the card needs no second pass over the files.
    """
    survey = Survey()
    cases, refs, convs = [], [], []
    for case in planned_cases(config, seed, last, start=first):
        reference = reference_of(case)
        survey.add_case(case)
        survey.add_reference(reference)
        cases.append(dumps_generated(case))
        refs.append(dumps_generated(reference))
        if phases:
            for conv in compose_case(case, seed, phases, suds_style=suds_style):
                survey.add_conversation(conv)
                convs.append(dumps_generated(conv))
    out = {"cases.jsonl": cases, "reference.jsonl": refs, "conversations.jsonl": convs}
    files = {
        name: ("".join(line + "\n" for line in lines), len(lines))
        for name, lines in out.items()
        if lines
    }
    return Chunk(files, survey)


@dataclass
class _Encoded:
    """A :class:`Chunk` with its text already UTF-8 encoded, as it goes to the writer."""

    files: dict[str, tuple[bytes, int]]
    survey: Survey


def _render_star(args: tuple[Any, ...]) -> _Encoded:
    # Encoding in the worker takes that work off the parent, and the parent then holds one
    # buffer per file and chunk instead of a string and its encoding: fewer large blocks of
    # varying size, whose reuse let the parent's memory creep up with the client count.
    chunk = render_chunk(*args)
    files = {name: (text.encode("utf-8"), n) for name, (text, n) in chunk.files.items()}
    return _Encoded(files, chunk.survey)


def default_workers(clients: int) -> int:
    """Processes to use: one per core for big runs; small runs stay in-process (no start-up cost)."""
    if clients < PARALLEL_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def generate_offline(
    out: Path,
    *,
    seed: int,
    clients: int,
    config: Config,
    phases: Sequence[str] = BENCHMARK_ORDER,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    suds_style: str = "numeric",
) -> Manifest:
    """Write a complete dataset with the embedded offline composer; return the manifest.

    ``suds_style="verbal"`` has SUDS spoken in words only (recorded in the manifest's backend).

    ``phases`` may be empty to write cases and references only. Work is split in chunks of
    clients across ``workers`` processes (default: one per core for large runs); the files are
    assembled in client order, so the output is identical for any number of workers.
    """
    if suds_style not in SUDS_STYLES:
        raise ValueError(f"unknown suds_style {suds_style!r} (use numeric or verbal)")
    out_existed = out.exists()
    prepare_output(out, force)
    backend: BackendInfo = {"name": "offline", "composer_version": COMPOSER_VERSION}
    if suds_style != "numeric":
        backend["suds_style"] = suds_style
    manifest = base_manifest(
        seed=seed, clients=clients, config=config, backend=backend, phases=list(phases)
    )
    workers = workers or default_workers(clients)
    jobs = [
        (config, seed, lo, min(lo + CHUNK - 1, clients), tuple(phases), suds_style)
        for lo in range(1, clients + 1, CHUNK)
    ]
    try:
        survey = Survey()
        # The card is written from the survey of the records as they were rendered.
        finalize = functools.partial(write_card, survey=survey)
        with DatasetWriter(out, manifest, finalize=finalize) as writer:
            if workers == 1:
                chunks: Iterator[_Encoded] = map(_render_star, jobs)
                pool = None
            else:
                ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
                pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
                chunks = pool.map(_render_star, jobs)
            try:
                if pool is not None:
                    # The worker processes exist now; while they compose, the parent loads what the
                    # dataset card needs at the end (scipy, a few tenths of a second), which thus
                    # leaves the path after the last client.
                    preload_card()
                for job, chunk in zip(jobs, chunks, strict=True):
                    for name, (data, lines) in chunk.files.items():
                        writer.write_lines(name, data, lines)
                    survey.merge(chunk.survey)
                    if progress:
                        progress(job[3] - job[2] + 1)
            finally:
                if pool is not None:
                    pool.shutdown(cancel_futures=True)
            return writer.commit()
    except BaseException:
        if not out_existed:
            with contextlib.suppress(OSError):
                out.rmdir()  # a folder this run created stays only if something is in it
        raise
