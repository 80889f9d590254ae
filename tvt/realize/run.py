"""``--backend realize``: the composer decides what happens, a language model how it is said.

For each (client, phase) the composer writes the conversation (acts, SUDS course and every
stated number, story facts, protocol elements, risk moments); its skeleton goes to the model
(:mod:`tvt.realize.skeleton`), which rewrites every turn. Each rewritten turn is checked
(:mod:`tvt.realize.verify`); the turns that fail are asked again with the reason, in the same
chat, and after ``max_attempts`` answers a turn that still fails keeps the composer's sentence.
Labels (``suds``, ``act``, ``intensity``) are always the composer's: only the text changes, and
only where the check passed.

The run is the LLM path's: one :class:`~tvt.llm.client.LLMClient` with its response cache and
transport retries (:func:`tvt.llm.runner.run_with_client`), ``concurrency`` conversations at a
time, each finished one appended to the resume journal at once, the dataset assembled in
client/phase order at the end. A request that fails after the transport retries is recorded in
failures.jsonl (a re-run asks again); everything else produces a conversation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from tvt import __version__, compose
from tvt.card import write_card
from tvt.config import Config
from tvt.dataset import DatasetWriter, base_manifest, prepare_output
from tvt.errors import InputError
from tvt.llm.client import LLMClient, RequestFailed, SamplingParams, Usage, resolve_endpoint
from tvt.llm.generation import (
    Cost,
    JournalEntry,
    LLMOptions,
    RunTotals,
    cost_estimate,
    failure_lines,
    narrative_facts,
    open_cache,
    sampling_params,
)
from tvt.llm.journal import Journal
from tvt.llm.prompts import PromptSet
from tvt.llm.runner import Progress, run_with_client
from tvt.llm.transcript import suds_label_stats
from tvt.phases import BENCHMARK_ORDER
from tvt.realize.skeleton import (
    format_retry_message,
    numbered,
    realize_messages,
    realize_prompts,
    retry_message,
)
from tvt.realize.verify import AnswerError, Checker, parse_answer
from tvt.records import (
    BackendInfo,
    BackendSampling,
    Case,
    Conversation,
    Failure,
    Manifest,
    RealizeCounts,
    RealizeTotals,
    Turn,
)
from tvt.rng import client_int_seed

SEED_RULE = "client_int_seed(seed, client_id, 'realize:<phase>:<attempt>')"


@dataclass
class Realized:
    """What realizing one conversation came to."""

    client_id: int
    phase: str
    attempts: int = 0
    responses: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    conversation: Conversation | None = None
    reason: str | None = None  # a request failure: no conversation
    #: problem kinds caught, counted once per answer and turn
    caught: Counter[str] = field(default_factory=Counter)


def _summary(
    turns: int, accepted: dict[int, int], fallback: dict[int, str], formats: int, attempts: int
) -> RealizeCounts:
    return {
        "attempts": attempts,
        "turns": turns,
        "rewritten": len(accepted),
        "retried": sum(1 for a in accepted.values() if a > 1)
        + sum(1 for i in fallback if attempts > 1),
        "fallback": len(fallback),
        "format_failures": formats,
        "fallback_reasons": {str(i): reason for i, reason in sorted(fallback.items())},
    }


class Realization:
    """The checks and retries of one conversation, one answer at a time.

    The live path (:func:`realize_conversation`) and ``tvt batch collect``
    (:mod:`tvt.realize.batch`) both drive it: :attr:`chat` is the next request's messages,
    :meth:`take` reads and checks one answer, :attr:`done` says no turn is waiting, and
    :meth:`record` assembles the conversation (the turns still failing fall back to the
    composer's sentence, after a last whole-conversation pass). The same answers give the same
    conversation, whichever path brought them.
    """

    def __init__(
        self,
        case: Case,
        conv: Conversation,
        *,
        facts: dict[str, str],
        prompts: PromptSet,
        checker: Checker,
        model: str,
    ) -> None:
        self.case = case
        self.conv = conv
        self.prompts = prompts
        self.checker = checker
        self.model = model
        self.phase: str = conv["phase"]
        self.skeleton: list[Turn] = conv["turns"]
        self.drafts = [t["text"] for t in self.skeleton]
        self.elements = [checker.elements(self.phase, t) for t in self.skeleton]
        self.base = realize_messages(case, conv, self.elements, facts, prompts, checker.suds_style)
        self.chat: list[dict[str, str]] = self.base
        self.pending = list(range(len(self.skeleton)))
        self.latest: dict[int, str] = {}  # the last rewrite of each turn, passed or not
        self.accepted: dict[int, int] = {}  # turn -> the attempt its rewrite passed at
        self.problems: dict[int, tuple[str, str]] = {}
        self.formats = 0
        self.attempts = 0  # answers taken
        #: problem kinds caught, counted once per answer and turn
        self.caught: Counter[str] = Counter()

    @property
    def done(self) -> bool:
        return not self.pending

    def take(self, text: str | None, finish_reason: str | None = None) -> None:
        """Read and check one answer to :attr:`chat`; set :attr:`chat` to the retry."""
        self.attempts += 1
        attempt = self.attempts
        skeleton, drafts, pending = self.skeleton, self.drafts, self.pending
        try:
            got = parse_answer(text, [i + 1 for i in pending], finish_reason)
        except AnswerError as exc:
            self.formats += 1
            unusable = f"the answer could not be used: {exc.reason}"
            self.problems = {i: (exc.kind, unusable) for i in pending}
            self.caught[exc.kind] += 1
            self.chat = [
                *self.base,
                {"role": "assistant", "content": (text or "(no answer)")[:20000]},
                format_retry_message(exc.reason, pending, self.prompts),
            ]
            return
        speakers = {n - 1: spk for n, (spk, _text) in got.items()}
        for n, (_spk, new) in got.items():
            self.latest[n - 1] = new
        latest, accepted = self.latest, self.accepted
        texts = [
            latest[i] if (i in accepted or i in pending) and i in latest else drafts[i]
            for i in range(len(skeleton))
        ]
        problems = self.checker.problems(
            self.phase, skeleton, texts, speakers, pending, self.elements
        )
        self.problems = problems
        for i in pending:
            if i in problems:
                self.caught[problems[i][0]] += 1
            else:
                accepted[i] = attempt
        self.pending = pending = [i for i in pending if i in problems]
        if not pending:
            return
        shown = [
            latest[i] if i in accepted or i in pending else drafts[i] for i in range(len(texts))
        ]
        self.chat = [
            *self.base,
            {"role": "assistant", "content": numbered(skeleton, shown)},
            retry_message({i: problems[i] for i in pending}, skeleton, self.prompts),
        ]

    def record(self) -> Conversation:
        """The conversation: passed rewrites, the composer's sentence for the rest."""
        skeleton, drafts, latest = self.skeleton, self.drafts, self.latest
        accepted = dict(self.accepted)
        fallback: dict[int, str] = {}
        for i in self.pending:
            fallback[i] = self.problems[i][1] if i in self.problems else "no answer"
        # Checked once more as a whole: a turn whose neighbour fell back (a rating question
        # that is the draft again, say) may read differently now. What fails goes back to the
        # draft.
        while True:
            texts = [latest[i] if i in accepted else drafts[i] for i in range(len(skeleton))]
            late = self.checker.problems(
                self.phase, skeleton, texts, {}, sorted(accepted), self.elements
            )
            if not late:
                break
            for i, (kind, reason) in late.items():
                self.caught[f"final.{kind}"] += 1
                del accepted[i]
                fallback[i] = reason
        turns: list[Turn] = []
        for i, (turn, text) in enumerate(zip(skeleton, texts, strict=True)):
            new: Turn = {**turn, "text": text}  # the composer's turns begin speaker, text
            new["realized"] = i in accepted
            turns.append(new)
        record: Conversation = {
            "client_id": self.case["client_id"],
            "phase": self.phase,
            "turns": turns,
            "source": f"realize:{self.model}",
        }
        if self.conv.get("risk_moment"):
            record["risk_moment"] = True
        record["realize"] = _summary(len(skeleton), accepted, fallback, self.formats, self.attempts)
        return record


async def realize_conversation(
    client: LLMClient,
    case: Case,
    conv: Conversation,
    *,
    seed: int,
    facts: dict[str, str],
    prompts: PromptSet,
    options: LLMOptions,
    checker: Checker,
) -> Realized:
    """Rewrite one composed conversation, checking every turn (see the module doc)."""
    cid, phase = case["client_id"], conv["phase"]
    work = Realization(
        case, conv, facts=facts, prompts=prompts, checker=checker, model=client.endpoint.model
    )
    out = Realized(cid, phase)
    for attempt in range(1, options.max_attempts + 1):
        out.attempts = attempt
        try:
            comp = await client.complete(
                work.chat,
                params=sampling_params(options),
                seed=client_int_seed(seed, cid, f"realize:{phase}:{attempt}"),
                prompt_version=prompts.id,
            )
        except RequestFailed as exc:
            out.reason = f"request failed: {exc.reason}"
            out.caught = work.caught
            return out
        out.responses += 1
        out.prompt_tokens += comp.prompt_tokens
        out.completion_tokens += comp.completion_tokens
        work.take(comp.text, comp.finish_reason)
        if work.done:
            break
    out.conversation = work.record()
    out.caught = work.caught
    return out


@dataclass
class RealizeResult:
    manifest: Manifest
    usage: Usage
    produced: int
    resumed: int
    failures: list[Failure]
    cost: Cost | None = None


class RealizeDescription(TypedDict):
    """What decides the answers of a realize run (its resume journal's id)."""

    backend: str
    tvt_version: str
    composer_version: str
    host: str
    model: str
    prompt_version: str
    prompt_sha256: str
    params: SamplingParams
    max_attempts: int
    suds_style: str
    seed: int
    config_sha256: str


class RealizeJournalEntry(JournalEntry):
    caught: dict[str, int]  # problem kinds caught while realizing the conversation


def realize_totals(conversations: Sequence[Conversation]) -> RealizeTotals:
    """Turns rewritten, retried and fallen back over a dataset, with their shares."""
    counts = [c["realize"] for c in conversations if "realize" in c]
    turns = sum(r["turns"] for r in counts)
    rewritten = sum(r["rewritten"] for r in counts)
    retried = sum(r["retried"] for r in counts)
    fallback = sum(r["fallback"] for r in counts)

    def share(k: int) -> float | None:
        return round(k / turns, 4) if turns else None

    return {
        "turns": turns,
        "rewritten": rewritten,
        "retried": retried,
        "fallback": fallback,
        "format_failures": sum(r["format_failures"] for r in counts),
        "attempts": sum(r["attempts"] for r in counts),
        "shares": {
            "rewritten": share(rewritten),
            "retried": share(retried),
            "fallback": share(fallback),
        },
        "conversations": len(conversations),
        "conversations_all_fallback": sum(1 for r in counts if r["fallback"] == r["turns"]),
    }


def realize_backend(
    *,
    model: str,
    host: str | None,
    prompts: PromptSet,
    checker: Checker,
    sampling: BackendSampling,
    usage: RunTotals,
    conversations: Sequence[Conversation],
    caught: Counter[str],
    mode: str | None = None,
) -> BackendInfo:
    """The manifest's ``backend`` of a realized dataset (live run or collected batch)."""
    backend: BackendInfo = {"name": "realize"}
    if mode is not None:
        backend["mode"] = mode
    backend.update(
        {
            "model": model,
            "base_url_host": host,
            "prompt_version": prompts.id,
            "prompt_sha256": prompts.sha256,
            "composer_version": compose.COMPOSER_VERSION,
            "audit_rules_version": checker._rules.version,
            "suds_style": checker.suds_style,
            "sampling": sampling,
            "usage": usage,
            "realize": {**realize_totals(conversations), "caught": dict(sorted(caught.items()))},
            "suds_labels": suds_label_stats(conversations),
        }
    )
    return backend


def generate_realize(
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
) -> RealizeResult:
    """Realize the composer's conversations through an OpenAI-compatible endpoint; commit to
    ``out``. Raises ``InputError`` for bad settings or an endpoint that refuses every request
    (the journal is kept, so ``resume=True`` continues later)."""
    from tvt.pipeline import compose_case, planned_cases, reference_of

    options.check()
    endpoint = resolve_endpoint(options.model, options.base_url)
    try:
        prompts = realize_prompts(suds_style)
    except ValueError as exc:
        raise InputError(str(exc), field="--suds-style") from exc
    checker = Checker(suds_style=suds_style)
    prepare_output(out, force)
    cases = list(planned_cases(config, seed, clients))
    composed = {
        case["client_id"]: {
            c["phase"]: c for c in compose_case(case, seed, phases, suds_style=suds_style)
        }
        for case in cases
    }
    facts = {case["client_id"]: narrative_facts(case, seed) for case in cases}
    description: RealizeDescription = {
        "backend": "realize",
        "tvt_version": __version__,
        "composer_version": compose.COMPOSER_VERSION,
        "host": endpoint.host,
        "model": endpoint.model,
        "prompt_version": prompts.id,
        "prompt_sha256": prompts.sha256,
        "params": sampling_params(options),
        "max_attempts": options.max_attempts,
        "suds_style": suds_style,
        "seed": seed,
        "config_sha256": config.sha256,
    }
    journal: Journal[RealizeJournalEntry] = Journal(out, description, resume=resume)
    resumed = sum(1 for case in cases for p in phases if (case["client_id"], p) in journal.entries)
    jobs = [
        (case, phase)
        for case in cases
        for phase in phases
        if (case["client_id"], phase) not in journal.entries
    ]
    usage = Usage()
    failed: list[Realized] = []
    caught: Counter[str] = Counter()
    produced = 0
    cache = open_cache(options)
    progress = Progress(len(jobs), "realize", usage, enabled=options.progress)

    def on_result(job: tuple[Case, str], outcome: Realized) -> None:
        nonlocal produced
        if outcome.conversation is not None:
            journal.append(
                {
                    "client_id": outcome.client_id,
                    "phase": outcome.phase,
                    "attempts": outcome.attempts,
                    "responses": outcome.responses,
                    "prompt_tokens": outcome.prompt_tokens,
                    "completion_tokens": outcome.completion_tokens,
                    "caught": dict(outcome.caught),
                    "conversation": outcome.conversation,
                }
            )
            produced += 1
        else:
            failed.append(outcome)
            caught.update(outcome.caught)
        progress.advance(failed=outcome.conversation is None)

    try:
        run_with_client(
            jobs,
            lambda client, job: realize_conversation(
                client,
                job[0],
                composed[job[0]["client_id"]][job[1]],
                seed=seed,
                facts=facts[job[0]["client_id"]],
                prompts=prompts,
                options=options,
                checker=checker,
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

    totals: RunTotals = {"responses": 0, "prompt_tokens": 0, "completion_tokens": 0}
    entries = [
        journal.entries[(c["client_id"], p)]
        for c in cases
        for p in phases
        if (c["client_id"], p) in journal.entries
    ]
    for entry in entries:
        totals["responses"] += int(entry.get("responses", 0))
        totals["prompt_tokens"] += int(entry.get("prompt_tokens", 0))
        totals["completion_tokens"] += int(entry.get("completion_tokens", 0))
        caught.update(entry.get("caught", {}))
    for f in failed:
        totals["responses"] += f.responses
        totals["prompt_tokens"] += f.prompt_tokens
        totals["completion_tokens"] += f.completion_tokens
    conversations = [e["conversation"] for e in entries]
    failure_records = failure_lines(failed)
    cost = cost_estimate(options, totals["prompt_tokens"], totals["completion_tokens"])
    backend = realize_backend(
        model=endpoint.model,
        host=endpoint.host,
        prompts=prompts,
        checker=checker,
        sampling={
            **sampling_params(options),
            "max_attempts": options.max_attempts,
            "seed": SEED_RULE,
        },
        usage=totals,
        conversations=conversations,
        caught=caught,
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
                done = journal.entries.get((cid, phase))
                if done is not None:
                    writer.write("conversations.jsonl", done["conversation"])
        for record in failure_records:
            writer.write("failures.jsonl", record)
        manifest = writer.commit()
    journal.remove()
    return RealizeResult(manifest, usage, produced, resumed, failure_records, cost)
