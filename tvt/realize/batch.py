"""``tvt batch prepare --backend realize``: the first rewrite request of every conversation as a
Batch API / vLLM ``run-batch`` file.

The lines have the format of :mod:`tvt.llm.batch` (``custom_id`` ``c{client}-{phase}``); each
body asks for the rewrite of one composed conversation with the first attempt's seed. The plan
records ``"backend": "realize"``, the realize prompt version, the composer version and
``max_attempts`` (answers per conversation, the first rewrite and the retries).

:func:`collect_realize_batch` (``tvt batch collect`` on a realize batch) reads the results files
and drives each conversation through :class:`tvt.realize.run.Realization`, the live path's checks
and retries: the same answers give the same conversation byte for byte. A batch has no retry
inside a round, so the rounds are files: collecting writes ``batch_retry_requests.jsonl`` with the
next request of every conversation that still has failing turns and answers left (the chat as it
stands and the reasons, ``custom_id`` ``c{client}-{phase}-a{attempt}``) and of every request that
got no answer (asked again as it was). The dataset is written at every collect: turns still
failing keep the composer's sentence, so stopping after any round gives a complete dataset;
collecting again with all results files in round order continues the checks where they stopped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tvt import compose
from tvt.card import write_card
from tvt.config import Config
from tvt.dataset import DatasetWriter, base_manifest
from tvt.errors import InputError
from tvt.jsonio import iter_jsonl, read_json, sha256_file, write_json, write_jsonl
from tvt.llm.batch import (
    CASES,
    PLAN,
    REQUESTS,
    RETRY_REQUESTS,
    BatchPlan,
    BatchRequest,
    CollectResult,
    custom_id,
    read_batch_cases,
    read_plan,
    result_text,
    sampling_of,
)
from tvt.llm.client import SamplingParams
from tvt.llm.generation import RunTotals, narrative_facts
from tvt.phases import BENCHMARK_ORDER, PHASE_INDEX
from tvt.realize.run import SEED_RULE, Realization, realize_backend
from tvt.realize.skeleton import realize_messages, realize_prompts
from tvt.realize.verify import Checker
from tvt.records import Conversation, Failure
from tvt.rng import client_int_seed


def prepare_realize_batch(
    out: Path,
    *,
    seed: int,
    clients: int,
    config: Config,
    model: str,
    phases: Sequence[str] = BENCHMARK_ORDER,
    temperature: float = 0.8,
    max_tokens: int = 4096,
    max_attempts: int = 3,
    suds_style: str = "numeric",
    force: bool = False,
) -> BatchPlan:
    """Write the realize requests into ``out``; return the plan."""
    from tvt.pipeline import compose_case, planned_cases

    if max_attempts < 1:
        raise InputError("must be at least 1", field="--max-attempts")
    if not model or not model.strip():
        raise InputError("a model name is required", field="--model")
    if out.exists() and not out.is_dir():
        raise InputError("output path exists and is not a folder", path=out)
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError(
            "output folder is not empty; choose another --out or pass --force", path=out
        )
    out.mkdir(parents=True, exist_ok=True)
    try:
        prompts = realize_prompts(suds_style)
    except ValueError as exc:
        raise InputError(str(exc), field="--suds-style") from exc
    checker = Checker(suds_style=suds_style)
    params: SamplingParams = {"temperature": temperature, "max_tokens": max_tokens}
    cases = list(planned_cases(config, seed, clients))
    requests: list[BatchRequest] = []
    for case in cases:
        cid = case["client_id"]
        facts = narrative_facts(case, seed)
        for conv in compose_case(case, seed, phases, suds_style=suds_style):
            elements = [checker.elements(conv["phase"], t) for t in conv["turns"]]
            requests.append(
                {
                    "custom_id": custom_id(cid, conv["phase"]),
                    "method": "POST",
                    "url": "/v1/chat/completions",
                    "body": {
                        "model": model.strip(),
                        "messages": realize_messages(
                            case, conv, elements, facts, prompts, suds_style
                        ),
                        **params,
                        "seed": client_int_seed(seed, cid, f"realize:{conv['phase']}:1"),
                    },
                }
            )
    write_jsonl(out / CASES, cases)
    write_jsonl(out / REQUESTS, requests)
    plan: BatchPlan = {
        "format": "tvt-batch",
        "format_version": "1",
        "backend": "realize",
        "seed": seed,
        "clients": clients,
        "phases": list(phases),
        "config": {"name": config.name, "source": config.source, "sha256": config.sha256},
        "model": model.strip(),
        "prompt_version": prompts.id,
        "prompt_sha256": prompts.sha256,
        "composer_version": compose.COMPOSER_VERSION,
        "sampling": {"temperature": temperature, "max_tokens": max_tokens, "seed": SEED_RULE},
        "max_attempts": max_attempts,
        "suds_style": suds_style,
        "requests": len(requests),
        "requests_sha256": sha256_file(out / REQUESTS),
    }
    write_json(out / PLAN, plan)
    return plan


_ATTEMPT_ID_RE = re.compile(r"^c(\d+)-(P\d+)(?:-a(\d+))?$")


def attempt_id(client_id: int, phase: str, attempt: int) -> str:
    """``custom_id`` of a realize request: ``c1-P10`` (the first rewrite), ``c1-P10-a2``, ..."""
    base = custom_id(client_id, phase)
    return base if attempt == 1 else f"{base}-a{attempt}"


def _parse_attempt_id(value: Any) -> tuple[int, str, int] | None:
    m = _ATTEMPT_ID_RE.match(value) if isinstance(value, str) else None
    if not m or m.group(2) not in PHASE_INDEX:
        return None
    return int(m.group(1)), m.group(2), int(m.group(3) or 1)


def _request(
    key: str, chat: list[dict[str, str]], model: str, params: SamplingParams, seed: int
) -> BatchRequest:
    return {
        "custom_id": key,
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": model, "messages": chat, **params, "seed": seed},
    }


def collect_realize_batch(
    folder: Path, results: Sequence[Path], *, force: bool = False
) -> CollectResult:
    """Check the answers of a realize batch turn by turn and write the dataset into ``folder``
    (see the module doc). Raises ``InputError`` for a folder or results file that does not fit."""
    from tvt.pipeline import compose_case, reference_of

    plan_path = folder / PLAN
    if not plan_path.exists():
        raise InputError(f"no {PLAN} here; run 'tvt batch prepare' first", path=folder)
    if not results:
        raise InputError("give at least one results file", field="--results")
    if (folder / "manifest.json").exists() and not force:
        raise InputError(
            "this folder already holds a collected dataset; pass --force to replace it",
            path=folder,
        )
    raw = read_json(plan_path)
    if not isinstance(raw, dict) or raw.get("backend") != "realize":
        raise InputError("not a --backend realize batch", path=plan_path, field="backend")
    plan = read_plan(plan_path)
    suds_style = str(plan.get("suds_style", "numeric"))
    try:
        prompts = realize_prompts(suds_style)
    except ValueError as exc:
        raise InputError(str(exc), path=plan_path, field="suds_style") from exc
    if prompts.id != plan["prompt_version"] or prompts.sha256 != plan.get("prompt_sha256"):
        raise InputError(
            "the prompt templates of this installation differ from those the requests were "
            "made with",
            path=plan_path,
            field="prompt_sha256",
        )
    if plan.get("composer_version") != compose.COMPOSER_VERSION:
        raise InputError(
            f"the requests were made by composer {plan.get('composer_version')}, this "
            f"installation has {compose.COMPOSER_VERSION}: the skeletons would differ",
            path=plan_path,
            field="composer_version",
        )
    seed, model = int(plan["seed"]), str(plan["model"])
    max_attempts = int(plan.get("max_attempts", 1))
    params = sampling_of(plan)
    cases = read_batch_cases(folder)
    phases = [p for p in BENCHMARK_ORDER if p in plan["phases"]]

    # The first answered line per (client, phase, attempt), in the order the files are given.
    answers: dict[tuple[int, str, int], tuple[str | None, str | None, dict[str, int]]] = {}
    last_problem: dict[tuple[int, str], str] = {}
    tried: Counter[tuple[int, str]] = Counter()
    for path in results:
        for lineno, line in iter_jsonl(path):
            if not isinstance(line, dict):
                raise InputError("each line must be a JSON object", path=path, line=lineno)
            ident = _parse_attempt_id(line.get("custom_id"))
            if ident is None or ident[0] not in cases or ident[1] not in phases:
                raise InputError(
                    f"custom_id {line.get('custom_id')!r} is not one of this batch's requests",
                    path=path,
                    line=lineno,
                    field="custom_id",
                )
            if ident in answers:
                continue
            tried[ident[:2]] += 1
            text, finish, tokens, error = result_text(line)
            if error is not None:
                last_problem[ident[:2]] = error
                continue
            answers[ident] = (text, finish, tokens)

    checker = Checker(suds_style=suds_style)
    usage: RunTotals = {"responses": 0, "prompt_tokens": 0, "completion_tokens": 0}
    caught: Counter[str] = Counter()
    conversations: dict[tuple[int, str], Conversation] = {}
    failures: list[Failure] = []
    retries: list[BatchRequest] = []
    for cid in sorted(cases):
        case = cases[cid]
        facts = narrative_facts(case, seed)
        for conv in compose_case(case, seed, phases, suds_style=suds_style):
            phase = conv["phase"]
            work = Realization(
                case, conv, facts=facts, prompts=prompts, checker=checker, model=model
            )
            for attempt in range(1, max_attempts + 1):
                got = answers.get((cid, phase, attempt))
                if got is None:
                    break
                text, finish, tokens = got
                usage["responses"] += 1
                usage["prompt_tokens"] += tokens["prompt_tokens"]
                usage["completion_tokens"] += tokens["completion_tokens"]
                work.take(text, finish)
                if work.done:
                    break
            nxt = work.attempts + 1
            if not work.done and nxt <= max_attempts:
                retries.append(
                    _request(
                        attempt_id(cid, phase, nxt),
                        work.chat,
                        model,
                        params,
                        client_int_seed(seed, cid, f"realize:{phase}:{nxt}"),
                    )
                )
            if work.attempts == 0:
                failures.append(
                    {
                        "client_id": cid,
                        "phase": phase,
                        "reason": last_problem.get((cid, phase), "no result line"),
                        "attempts": tried[(cid, phase)],
                        "custom_id": custom_id(cid, phase),
                    }
                )
                caught.update(work.caught)
                continue
            conversations[(cid, phase)] = work.record()
            caught.update(work.caught)

    done = list(conversations.values())
    backend = realize_backend(
        model=model,
        host=None,
        prompts=prompts,
        checker=checker,
        sampling={**params, "max_attempts": max_attempts, "seed": SEED_RULE},
        usage=usage,
        conversations=done,
        caught=caught,
        mode="batch",
    )
    backend["batch"] = {
        "results_files": len(results),
        "retry_requests": len(retries),
        "conversations_with_retries_pending": sum(1 for r in retries if "-a" in r["custom_id"]),
    }
    cfg = plan.get("config")
    config = SimpleNamespace(**cfg) if isinstance(cfg, dict) else None
    manifest = base_manifest(
        seed=seed, clients=plan["clients"], config=config, backend=backend, phases=phases
    )
    with DatasetWriter(folder, manifest, finalize=write_card) as writer:
        for cid in sorted(cases):
            writer.write("cases.jsonl", cases[cid])
            writer.write("reference.jsonl", reference_of(cases[cid]))
            for phase in phases:
                record = conversations.get((cid, phase))
                if record is not None:
                    writer.write("conversations.jsonl", record)
        for failure in failures:
            writer.write("failures.jsonl", failure)
        manifest = writer.commit()

    retry_path = folder / RETRY_REQUESTS
    if retries:
        write_jsonl(retry_path, retries)
    elif retry_path.exists():
        retry_path.unlink()
    return CollectResult(manifest, len(done), failures, len(retries))
