"""Batch files for scale-out: OpenAI Batch API / vLLM ``run-batch`` input, and collecting results.

``prepare`` writes into a folder:

- ``batch_requests.jsonl``: one request per (client, phase), ``custom_id`` ``c{client}-{phase}``,
  ``method: POST``, ``url: /v1/chat/completions``, ``body`` (model, messages, sampling, seed) —
  the input format of OpenAI's Batch API and of vLLM's ``run-batch``;
- ``batch_cases.jsonl``: the planned cases (the prompts were rendered from them);
- ``batch_plan.json``: seed, clients, phases, config, model, prompt version and sha256, sampling
  parameters: everything ``collect`` needs to assemble and describe the dataset.

``collect`` reads one or more results files (the Batch API's output lines ``{"custom_id",
"response": {"status_code", "body"}, "error"}``; vLLM writes the same), validates every answer with
the transcript parser used by ``tvt generate``, and writes the dataset into the same folder.
Failed ``custom_id``s are listed in failures.jsonl and ``batch_retry_requests.jsonl`` asks for them
again with the next attempt's seed; collecting again with both results files fills the gaps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypedDict, cast

from tvt.card import write_card
from tvt.config import Config
from tvt.dataset import DatasetWriter, base_manifest
from tvt.errors import InputError
from tvt.jsonio import iter_jsonl, read_json, sha256_file, write_json, write_jsonl
from tvt.llm.client import ResponseFormat, SamplingParams
from tvt.llm.generation import SEED_RULE, RunTotals, narrative_facts
from tvt.llm.prompts import generation_messages, load_prompts, turn_bounds
from tvt.llm.transcript import (
    TranscriptError,
    parse_transcript,
    speaker_aliases,
    suds_label_stats,
)
from tvt.phases import BENCHMARK_ORDER, PHASE_INDEX
from tvt.records import BackendInfo, Case, ConfigRef, Conversation, Failure, Manifest
from tvt.rng import client_int_seed

REQUESTS = "batch_requests.jsonl"
RETRY_REQUESTS = "batch_retry_requests.jsonl"
CASES = "batch_cases.jsonl"
PLAN = "batch_plan.json"
BATCH_FILES = (REQUESTS, RETRY_REQUESTS, CASES, PLAN)
_CUSTOM_ID_RE = re.compile(r"^c(\d+)-(P\d+)$")


def custom_id(client_id: int, phase: str) -> str:
    return f"c{client_id}-{phase}"


def parse_custom_id(value: Any) -> tuple[int, str] | None:
    m = _CUSTOM_ID_RE.match(value) if isinstance(value, str) else None
    if not m or m.group(2) not in PHASE_INDEX:
        return None
    return int(m.group(1)), m.group(2)


class ChatRequest(TypedDict, total=False):
    """The body of a chat-completions request in a batch input line."""

    model: str
    messages: list[dict[str, str]]
    temperature: float
    max_tokens: int
    response_format: ResponseFormat
    seed: int


class BatchRequest(TypedDict):
    """One Batch API input line."""

    custom_id: str
    method: str
    url: str
    body: ChatRequest


class BatchSampling(TypedDict):
    temperature: float
    max_tokens: int
    seed: str  # the rule each request's seed follows


class _BatchPlanBase(TypedDict):
    format: str  # "tvt-batch"
    format_version: str
    seed: int
    clients: int
    phases: list[str]
    config: ConfigRef
    model: str
    prompt_version: str
    prompt_sha256: str
    sampling: BatchSampling
    requests: int
    requests_sha256: str


class BatchPlan(_BatchPlanBase, total=False):
    """``batch_plan.json``: what ``tvt batch prepare`` asked for, read back by ``collect``."""

    backend: str  # "realize"; absent for the openai backend
    narrative_facts: bool
    composer_version: str
    max_attempts: int
    suds_style: str


def request_line(
    case: Case,
    phase: str,
    *,
    seed: int,
    attempt: int,
    model: str,
    params: SamplingParams,
    facts: dict[str, str],
) -> BatchRequest:
    """One Batch API input line."""
    prompts = load_prompts("generation")
    cid = case["client_id"]
    return {
        "custom_id": custom_id(cid, phase),
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {
            "model": model,
            "messages": generation_messages(case, phase, facts, prompts),
            **params,
            "seed": client_int_seed(seed, cid, f"llm:{phase}:{attempt}"),
        },
    }


def prepare_batch(
    out: Path,
    *,
    seed: int,
    clients: int,
    config: Config,
    model: str,
    phases: Sequence[str] = BENCHMARK_ORDER,
    temperature: float = 0.8,
    max_tokens: int = 4096,
    force: bool = False,
) -> BatchPlan:
    """Write the batch input files into ``out``; return the plan."""
    from tvt.pipeline import planned_cases

    if not model or not model.strip():
        raise InputError("a model name is required", field="--model")
    if out.exists() and not out.is_dir():
        raise InputError("output path exists and is not a folder", path=out)
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError(
            "output folder is not empty; choose another --out or pass --force", path=out
        )
    out.mkdir(parents=True, exist_ok=True)
    prompts = load_prompts("generation")
    params: SamplingParams = {"temperature": temperature, "max_tokens": max_tokens}
    cases = list(planned_cases(config, seed, clients))
    requests = []
    for case in cases:
        facts = narrative_facts(case, seed)
        for phase in phases:
            requests.append(
                request_line(
                    case, phase, seed=seed, attempt=1, model=model, params=params, facts=facts
                )
            )
    write_jsonl(out / CASES, cases)
    write_jsonl(out / REQUESTS, requests)
    plan: BatchPlan = {
        "format": "tvt-batch",
        "format_version": "1",
        "seed": seed,
        "clients": clients,
        "phases": list(phases),
        "config": {"name": config.name, "source": config.source, "sha256": config.sha256},
        "model": model.strip(),
        "prompt_version": prompts.id,
        "prompt_sha256": prompts.sha256,
        "narrative_facts": True,  # the prompts carry the composer's story facts
        "sampling": {"temperature": temperature, "max_tokens": max_tokens, "seed": SEED_RULE},
        "requests": len(requests),
        "requests_sha256": sha256_file(out / REQUESTS),
    }
    write_json(out / PLAN, plan)
    return plan


_PLAN_KEYS = ("seed", "clients", "phases", "model", "prompt_version", "sampling")


def read_plan(path: Path) -> BatchPlan:
    """``batch_plan.json``, checked for the fields ``collect`` needs."""
    plan = read_json(path)
    if not isinstance(plan, dict):
        raise InputError("must be a JSON object", path=path)
    for key in _PLAN_KEYS:
        if key not in plan:
            raise InputError("missing field", path=path, field=key)
    return cast(BatchPlan, plan)


def read_batch_cases(folder: Path) -> dict[int, Case]:
    """The planned cases ``prepare`` wrote next to the requests, by client id."""
    return {case["client_id"]: cast(Case, case) for _, case in iter_jsonl(folder / CASES)}


def sampling_of(plan: BatchPlan) -> SamplingParams:
    """The sampling parameters the plan's requests were sent with (without the seed rule)."""
    return cast(SamplingParams, {k: v for k, v in plan["sampling"].items() if k != "seed"})


@dataclass
class CollectResult:
    manifest: Manifest
    conversations: int
    failures: list[Failure]
    retry_requests: int


def result_text(line: dict[str, Any]) -> tuple[str | None, str | None, dict[str, int], str | None]:
    """``(text, finish_reason, usage, error)`` of one results line (the Batch API's JSON as it
    came, every field checked here)."""
    error = line.get("error")
    if error:
        if isinstance(error, dict):
            msg = error.get("message") or error.get("code") or "error"
        else:
            msg = str(error)
        return None, None, {}, f"batch error: {msg}"
    response = line.get("response")
    if not isinstance(response, dict):
        return None, None, {}, "result has no response"
    status = response.get("status_code")
    body = response.get("body")
    if status not in (200, None):
        msg = ""
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            msg = ": " + str(body["error"].get("message", ""))[:120]
        return None, None, {}, f"HTTP {status}{msg}"
    if not isinstance(body, dict):
        return None, None, {}, "response body is not a JSON object"
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None, None, {}, "response body has no choices"
    message = choices[0].get("message") or {}
    usage = body.get("usage") or {}
    tokens = {
        "prompt_tokens": int(usage.get("prompt_tokens") or 0),
        "completion_tokens": int(usage.get("completion_tokens") or 0),
    }
    text = message.get("content") if isinstance(message, dict) else None
    return text, choices[0].get("finish_reason"), tokens, None


def collect_batch(folder: Path, results: Sequence[Path], *, force: bool = False) -> CollectResult:
    """Validate results lines and write the dataset into ``folder`` (see module doc)."""
    from tvt.pipeline import reference_of

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
    plan = read_plan(plan_path)
    if plan.get("backend", "openai") != "openai":
        raise InputError(
            f"this is a --backend {plan['backend']} batch; its answers are checked turn by turn "
            "(tvt.realize.collect_realize_batch, which 'tvt batch collect' calls for it)",
            path=plan_path,
            field="backend",
        )
    prompts = load_prompts("generation", plan["prompt_version"].rsplit("-", 1)[-1])
    if prompts.sha256 != plan.get("prompt_sha256"):
        raise InputError(
            "the prompt templates of this installation differ from those the requests were "
            "made with",
            path=plan_path,
            field="prompt_sha256",
        )
    cases = read_batch_cases(folder)
    phases = [p for p in BENCHMARK_ORDER if p in plan["phases"]]
    wanted = {custom_id(cid, p) for cid in cases for p in phases}

    # First usable answer per custom_id, in the order the results files are given.
    answers: dict[str, Conversation] = {}
    last_problem: dict[str, str] = {}
    tried: dict[str, int] = {}
    totals: RunTotals = {"responses": 0, "prompt_tokens": 0, "completion_tokens": 0}
    for path in results:
        for lineno, line in iter_jsonl(path):
            if not isinstance(line, dict):
                raise InputError("each line must be a JSON object", path=path, line=lineno)
            cid_text = line.get("custom_id")
            if cid_text not in wanted:
                raise InputError(
                    f"custom_id {cid_text!r} is not one of this batch's requests",
                    path=path,
                    line=lineno,
                    field="custom_id",
                )
            if cid_text in answers:
                continue
            tried[cid_text] = tried.get(cid_text, 0) + 1
            text, finish, tokens, error = result_text(line)
            if error is not None:
                last_problem[cid_text] = error
                continue
            totals["responses"] += 1
            totals["prompt_tokens"] += tokens["prompt_tokens"]
            totals["completion_tokens"] += tokens["completion_tokens"]
            client_id, phase = parse_custom_id(cid_text)  # type: ignore[misc]
            try:
                transcript = parse_transcript(
                    text,
                    bounds=turn_bounds(prompts, phase),
                    aliases=speaker_aliases(cases[client_id]),
                    finish_reason=finish,
                )
            except TranscriptError as exc:
                last_problem[cid_text] = f"invalid transcript: {exc.reason}"
                continue
            answers[cid_text] = {
                "client_id": client_id,
                "phase": phase,
                "turns": transcript.turns,
                "source": f"openai:{plan['model']}",
            }

    failures: list[Failure] = []
    for cid in sorted(cases):
        for phase in phases:
            key = custom_id(cid, phase)
            if key not in answers:
                failures.append(
                    {
                        "client_id": cid,
                        "phase": phase,
                        "reason": last_problem.get(key, "no result line"),
                        "attempts": tried.get(key, 0),
                        "custom_id": key,
                    }
                )

    backend: BackendInfo = {
        "name": "openai",
        "mode": "batch",
        "model": plan["model"],
        "base_url_host": None,
        "prompt_version": prompts.id,
        "prompt_sha256": prompts.sha256,
        "narrative_facts": plan.get("narrative_facts"),
        "sampling": {**plan["sampling"]},
        "usage": totals,
        "suds_labels": suds_label_stats(answers.values()),
    }
    cfg = plan.get("config")
    config = SimpleNamespace(**cfg) if isinstance(cfg, dict) else None
    manifest = base_manifest(
        seed=plan["seed"],
        clients=plan["clients"],
        config=config,
        backend=backend,
        phases=phases,
    )
    with DatasetWriter(folder, manifest, finalize=write_card) as writer:
        for cid in sorted(cases):
            writer.write("cases.jsonl", cases[cid])
            writer.write("reference.jsonl", reference_of(cases[cid]))
            for phase in phases:
                conv = answers.get(custom_id(cid, phase))
                if conv is not None:
                    writer.write("conversations.jsonl", conv)
        for record in failures:
            writer.write("failures.jsonl", record)
        manifest = writer.commit()

    retry_path = folder / RETRY_REQUESTS
    if failures:
        attempt = len(results) + 1
        params = sampling_of(plan)
        facts_of: dict[int, dict[str, str]] = {}
        lines = []
        for f in failures:
            case = cases[f["client_id"]]
            assert f["phase"] is not None  # one line per (client, phase) here
            if f["client_id"] not in facts_of:
                facts_of[f["client_id"]] = narrative_facts(case, plan["seed"])
            lines.append(
                request_line(
                    case,
                    f["phase"],
                    seed=plan["seed"],
                    attempt=attempt,
                    model=plan["model"],
                    params=params,
                    facts=facts_of[f["client_id"]],
                )
            )
        write_jsonl(retry_path, lines)
    elif retry_path.exists():
        retry_path.unlink()
    return CollectResult(manifest, len(answers), failures, len(failures))
