"""LLM generation of a dataset: one chat request per (client, phase), validated, cached, resumable.

For each (client, phase) the prompt is rendered from the case, its plan and the client's narrative
facts (the same facts in all six phases, so names and events agree). Attempt ``a`` samples with
seed ``client_int_seed(seed, client_id, f"llm:{phase}:{a}")``; an answer the parser rejects is
asked again with the next attempt's seed, up to ``max_attempts``; then the (client, phase) goes to
failures.jsonl and the run goes on. Finished conversations go to the resume journal as they
finish; the dataset files are assembled in client/phase order at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypedDict

from tvt import __version__, compose
from tvt.card import write_card
from tvt.config import Config
from tvt.dataset import DatasetWriter, base_manifest, prepare_output
from tvt.errors import InputError
from tvt.llm.cache import ResponseCache, resolve_cache_path
from tvt.llm.client import (
    Endpoint,
    LLMClient,
    RequestFailed,
    RetryPolicy,
    SamplingParams,
    Usage,
    resolve_endpoint,
)
from tvt.llm.journal import Journal
from tvt.llm.prompts import (
    PromptSet,
    generation_messages,
    generation_prompt_id,
    load_prompts,
    turn_bounds,
)
from tvt.llm.runner import Progress, run_with_client
from tvt.llm.transcript import (
    TranscriptError,
    parse_transcript,
    speaker_aliases,
    suds_label_stats,
)
from tvt.phases import BENCHMARK_ORDER, PHASE_INDEX
from tvt.records import BackendInfo, Case, Conversation, Cost, Failure, Manifest, RunTotals
from tvt.rng import client_int_seed

SEED_RULE = "client_int_seed(seed, client_id, 'llm:<phase>:<attempt>')"


@dataclass(frozen=True)
class LLMOptions:
    """Settings of an LLM run (generation or rating)."""

    model: str
    base_url: str | None = None
    concurrency: int = 8
    temperature: float = 0.8
    max_tokens: int = 4096
    max_attempts: int = 3
    timeout: float = 300.0
    cache_path: str | Path | None = None
    use_cache: bool = True
    price_in: float | None = None
    price_out: float | None = None
    progress: bool = True
    policy: RetryPolicy = field(default_factory=RetryPolicy)

    def check(self) -> None:
        """Raise ``InputError`` naming the flag of an impossible setting."""
        if self.concurrency < 1:
            raise InputError("must be at least 1", field="--concurrency")
        if self.max_attempts < 1:
            raise InputError("must be at least 1", field="--max-attempts")
        if self.max_tokens < 1:
            raise InputError("must be at least 1", field="--max-tokens")
        if not 0 <= self.temperature <= 2:
            raise InputError("must be between 0 and 2", field="--temperature")
        if self.timeout <= 0:
            raise InputError("must be positive", field="--timeout")
        for name, price in (("--price-in", self.price_in), ("--price-out", self.price_out)):
            if price is not None and price < 0:
                raise InputError("must be 0 or more", field=name)


class JournalEntry(TypedDict):
    """One finished (client, phase) of an LLM run, as its resume journal keeps it."""

    client_id: int
    phase: str
    attempts: int
    responses: int
    prompt_tokens: int
    completion_tokens: int
    conversation: Conversation


class _RunDescriptionBase(TypedDict):
    tvt_version: str
    host: str
    model: str
    prompt_version: str
    prompt_sha256: str
    params: SamplingParams
    seed: int
    config_sha256: str
    narrative_facts: bool


class RunDescription(_RunDescriptionBase, total=False):
    """What decides the answers of an ``openai`` generation run (its resume journal's id)."""

    suds_style: str


def cost_estimate(options: LLMOptions, prompt_tokens: int, completion_tokens: int) -> Cost | None:
    """USD estimate from per-million-token prices, or None when no price was given."""
    if options.price_in is None and options.price_out is None:
        return None
    p_in = options.price_in or 0.0
    p_out = options.price_out or 0.0
    return {
        "usd": round((prompt_tokens * p_in + completion_tokens * p_out) / 1e6, 6),
        "price_in_per_million": p_in,
        "price_out_per_million": p_out,
    }


def open_cache(options: LLMOptions) -> ResponseCache | None:
    """The response cache of ``options`` (None with ``--no-cache``)."""
    if not options.use_cache:
        return None
    path = resolve_cache_path(options.cache_path)
    try:
        return ResponseCache(path)
    except Exception as exc:  # sqlite3.Error or OSError: one sentence, exit 2
        raise InputError(f"cannot open the cache ({exc})", path=path, field="--cache") from None


def narrative_facts(case: Case, seed: int) -> dict[str, str]:
    """The client's story facts shared by all six phases (from the offline composer), so that
    a model writing the six conversations tells one consistent story."""
    return {str(k): str(v) for k, v in compose.narrative_facts(case, seed).items()}


def sampling_params(options: LLMOptions) -> SamplingParams:
    return {"temperature": options.temperature, "max_tokens": options.max_tokens}


@dataclass
class Outcome:
    """What one (client, phase) job produced."""

    client_id: int
    phase: str
    attempts: int
    prompt_tokens: int = 0
    completion_tokens: int = 0
    responses: int = 0
    conversation: Conversation | None = None
    reason: str | None = None


async def produce_conversation(
    client: LLMClient,
    case: Case,
    phase: str,
    *,
    seed: int,
    facts: dict[str, str],
    prompts: PromptSet,
    options: LLMOptions,
    suds_style: str = "numeric",
) -> Outcome:
    """Ask for one phase conversation, validating and retrying with new seeds."""
    cid = case["client_id"]
    messages = generation_messages(case, phase, facts, prompts, suds_style)
    bounds = turn_bounds(prompts, phase)
    aliases = speaker_aliases(case)
    params = sampling_params(options)
    out = Outcome(cid, phase, attempts=0)
    reasons: list[str] = []
    for attempt in range(1, options.max_attempts + 1):
        out.attempts = attempt
        req_seed = client_int_seed(seed, cid, f"llm:{phase}:{attempt}")
        try:
            comp = await client.complete(
                messages,
                params=params,
                seed=req_seed,
                prompt_version=generation_prompt_id(prompts, suds_style),
            )
        except RequestFailed as exc:
            out.reason = f"request failed: {exc.reason}"
            return out
        out.responses += 1
        out.prompt_tokens += comp.prompt_tokens
        out.completion_tokens += comp.completion_tokens
        try:
            transcript = parse_transcript(
                comp.text, bounds=bounds, aliases=aliases, finish_reason=comp.finish_reason
            )
        except TranscriptError as exc:
            reasons.append(f"attempt {attempt}: {exc.reason}")
            continue
        out.conversation = {
            "client_id": cid,
            "phase": phase,
            "turns": transcript.turns,
            "source": f"openai:{client.endpoint.model}",
        }
        return out
    out.reason = "invalid transcript (" + "; ".join(reasons) + ")"
    return out


class _Failed(Protocol):
    client_id: int
    phase: str
    reason: str | None
    attempts: int


def failure_lines(failed: Iterable[_Failed]) -> list[Failure]:
    """The ``failures.jsonl`` lines of (client, phase) jobs that produced nothing, in order."""
    lines: list[Failure] = [
        {
            "client_id": f.client_id,
            "phase": f.phase,
            "reason": f.reason or "unknown",
            "attempts": f.attempts,
        }
        for f in failed
    ]
    return sorted(lines, key=lambda r: (r["client_id"], PHASE_INDEX[str(r["phase"])]))


@dataclass
class RunResult:
    """What a run did: the manifest written, usage, and the failures recorded."""

    manifest: Manifest | None
    usage: Usage
    produced: int
    resumed: int
    failures: list[Failure]
    cost: Cost | None = None


def _run_description(
    endpoint: Endpoint,
    prompts: PromptSet,
    options: LLMOptions,
    seed: int,
    config: Config,
    suds_style: str = "numeric",
) -> RunDescription:
    description: RunDescription = {
        "tvt_version": __version__,
        "host": endpoint.host,
        "model": endpoint.model,
        "prompt_version": generation_prompt_id(prompts, suds_style),
        "prompt_sha256": prompts.sha256,
        "params": sampling_params(options),
        "seed": seed,
        "config_sha256": config.sha256,
        "narrative_facts": True,  # the prompts carry the composer's story facts
    }
    if suds_style != "numeric":  # first, as it always was (the journal's id hashes the order)
        description = {"suds_style": suds_style, **description}
    return description


def generate_llm(
    out: Path,
    *,
    seed: int,
    clients: int,
    config: Config,
    options: LLMOptions,
    phases: Sequence[str] = BENCHMARK_ORDER,
    force: bool = False,
    resume: bool = False,
    suds_style: str = "numeric",
) -> RunResult:
    """Generate a dataset through an OpenAI-compatible endpoint and commit it to ``out``.

    Failed (client, phase) pairs are listed in failures.jsonl; the caller decides the exit code
    from ``RunResult.failures``. Raises ``InputError`` for bad settings or an endpoint that
    refuses every request (the journal is kept, so ``resume=True`` continues later).
    """
    from tvt.pipeline import planned_cases, reference_of

    options.check()
    endpoint = resolve_endpoint(options.model, options.base_url)
    prompts = load_prompts("generation")
    prepare_output(out, force)
    cases = list(planned_cases(config, seed, clients))
    # All facts before the first request, so a composer problem stops the run at once.
    facts = {case["client_id"]: narrative_facts(case, seed) for case in cases}
    description = _run_description(endpoint, prompts, options, seed, config, suds_style)
    journal: Journal[JournalEntry] = Journal(out, description, resume=resume)
    resumed = sum(1 for case in cases for p in phases if (case["client_id"], p) in journal.entries)
    jobs = [
        (case, phase)
        for case in cases
        for phase in phases
        if (case["client_id"], phase) not in journal.entries
    ]
    usage = Usage()
    failures: list[Outcome] = []
    produced = 0
    totals: RunTotals = {"responses": 0, "prompt_tokens": 0, "completion_tokens": 0}
    for case in cases:
        for phase in phases:
            entry = journal.entries.get((case["client_id"], phase))
            if entry:
                totals["responses"] += entry.get("responses", 0)
                totals["prompt_tokens"] += entry.get("prompt_tokens", 0)
                totals["completion_tokens"] += entry.get("completion_tokens", 0)
    cache = open_cache(options)
    progress = Progress(len(jobs), "generate", usage, enabled=options.progress)

    def on_result(job: tuple[Case, str], outcome: Outcome) -> None:
        nonlocal produced
        totals["responses"] += outcome.responses
        totals["prompt_tokens"] += outcome.prompt_tokens
        totals["completion_tokens"] += outcome.completion_tokens
        if outcome.conversation is not None:
            journal.append(
                {
                    "client_id": outcome.client_id,
                    "phase": outcome.phase,
                    "attempts": outcome.attempts,
                    "responses": outcome.responses,
                    "prompt_tokens": outcome.prompt_tokens,
                    "completion_tokens": outcome.completion_tokens,
                    "conversation": outcome.conversation,
                }
            )
            produced += 1
        else:
            failures.append(outcome)
        progress.advance(failed=outcome.conversation is None)

    try:
        run_with_client(
            jobs,
            lambda client, job: produce_conversation(
                client,
                job[0],
                job[1],
                seed=seed,
                facts=facts[job[0]["client_id"]],
                prompts=prompts,
                options=options,
                suds_style=suds_style,
            ),
            endpoint=endpoint,
            options=options,
            cache=cache,
            usage=usage,
            progress=progress,
            on_result=on_result,
        )
    finally:
        journal.close()

    failure_records = failure_lines(failures)
    cost = cost_estimate(options, totals["prompt_tokens"], totals["completion_tokens"])
    backend: BackendInfo = {
        "name": "openai",
        "model": endpoint.model,
        "base_url_host": endpoint.host,
        "prompt_version": generation_prompt_id(prompts, suds_style),
        "prompt_sha256": prompts.sha256,
    }
    if suds_style != "numeric":
        backend["suds_style"] = suds_style
    backend["narrative_facts"] = description["narrative_facts"]
    backend["sampling"] = {
        **sampling_params(options),
        "max_attempts": options.max_attempts,
        "seed": SEED_RULE,
    }
    backend["usage"] = totals
    backend["suds_labels"] = suds_label_stats(
        e["conversation"] for e in journal.entries.values() if e.get("phase") in phases
    )
    if cost is not None:
        backend["cost_estimate"] = cost
    manifest = base_manifest(
        seed=seed, clients=clients, config=config, backend=backend, phases=list(phases)
    )
    with DatasetWriter(out, manifest, finalize=write_card) as writer:
        for case in cases:
            cid = case["client_id"]
            writer.write("cases.jsonl", case)
            writer.write("reference.jsonl", reference_of(case))
            for phase in phases:
                entry = journal.entries.get((cid, phase))
                if entry is not None:
                    writer.write("conversations.jsonl", entry["conversation"])
        for record in failure_records:
            writer.write("failures.jsonl", record)
        manifest = writer.commit()
    journal.remove()
    return RunResult(manifest, usage, produced, resumed, failure_records, cost)
