"""The ``openai`` rater: zero-shot emotional-intensity ratings from any OpenAI-compatible model.

Every conversation of a dataset is sent with the versioned rating prompt (seeds/prompts/rating/,
printed in docs/prompts.md), which asks for ``{"intensity": n}``. Answers are read by
:func:`parse_intensity`, which also accepts the chatter models add ("I'd rate it a 7/10",
"Intensity: 8", JSON inside prose or a code fence). An unreadable answer is followed by a reminder
in the same chat and asked again with a new seed, up to ``max_attempts``; what still cannot be read
is a *format failure*. Format failures are counted and reported, never hidden: the paper blames one
model's last place on format adherence, so it is part of what a rating run measures.

The request loop (JSON mode, re-asking, concurrency, cache, progress) is
:mod:`tvt.llm.per_item`, shared with the benchmark's LLM rater and the audit judge.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from tvt.dataset import resolve_dataset
from tvt.errors import InputError, WorkFailed
from tvt.jsonio import write_jsonl
from tvt.llm.client import LLMClient, RetryPolicy, UsageRecord
from tvt.llm.generation import Cost, LLMOptions, cost_estimate
from tvt.llm.per_item import Asked, ask_parsed, json_in_text, run_items
from tvt.llm.prompts import load_prompts, rating_messages, rating_retry_message
from tvt.phases import PHASE_INDEX
from tvt.records import (
    Conversation,
    PhaseOutputRow,
    RatingLine,
    ReferenceRow,
    read_conversations,
)

#: Options of :func:`rate_dataset_llm` and their defaults.
DEFAULTS: dict[str, Any] = {
    "temperature": 0.0,
    "max_tokens": 256,
    "max_attempts": 3,
    "timeout": 120.0,
    "stop_after": 5,
    "cache": None,
    "no_cache": False,
    "price_in": None,
    "price_out": None,
    "seed": 0,
    "json_mode": True,
    "progress": True,
    "report": None,
    "raise_on_failure": True,
    "policy": None,
}

# -- parsing -----------------------------------------------------------------------------------------
_NUMBER = r"(\d{1,2}(?:\.\d+)?)"
_KEYED_RE = re.compile(
    r"\bintensity\b[\s\"'*:=\-]*(?:(?:rating|score|level|is|of|would be|at|around|about|"
    r"approximately|roughly|a|an)\b[\s\"'*:=\-]*){0,3}" + _NUMBER,
    re.IGNORECASE,
)
_OUT_OF_RE = re.compile(_NUMBER + r"\s*(?:/|out of)\s*10\b", re.IGNORECASE)
_VERB_RE = re.compile(
    r"\b(?:rate|rated|rating|score|scored|give|assign)\b[^.\d\n]{0,40}?" + _NUMBER, re.IGNORECASE
)
_SCALE_RE = re.compile(
    r"(?:scale (?:of|from) )?\b(?:1|one)\s*(?:-|–|to)\s*(?:10|ten)\b|"
    r"\b1\s*(?:=|\()\s*calm\)?|\b10\s*(?:=|\()\s*extreme[^)\n,.;]*\)?",
    re.IGNORECASE,
)
_BARE_RE = re.compile(r"(?<![\w.])" + _NUMBER + r"(?![\w.]*\d)")


def _valid(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) and 1 <= v <= 10 else None


def _as_number(v: float) -> int | float:
    return int(v) if v == int(v) else v


def parse_intensity(text: str | None) -> int | float | None:
    """The intensity 1-10 in a model's answer, or None if it cannot be read unambiguously.

    In order: a JSON object with an ``intensity`` key; "intensity: 8" / "intensity of 8";
    "7/10" or "7 out of 10"; "I'd rate it 7"; a lone number once the scale ("1 to 10",
    "1 = calm") is removed. Values outside 1-10 are rejected.
    """
    if not text or not text.strip():
        return None
    for obj in json_in_text(text):
        if isinstance(obj, dict):
            for key, value in obj.items():
                if str(key).lower() == "intensity" and not isinstance(value, bool):
                    v = _valid(value)
                    if v is not None:
                        return _as_number(v)
    body = _SCALE_RE.sub(" ", text)
    for pattern in (_KEYED_RE, _OUT_OF_RE, _VERB_RE):
        found = pattern.search(body)
        if found:
            v = _valid(found.group(1))
            if v is not None:
                return _as_number(v)
    numbers = {float(n) for n in _BARE_RE.findall(body)}
    if len(numbers) == 1:
        v = _valid(numbers.pop())
        if v is not None:
            return _as_number(v)
    return None


# -- reading the dataset -----------------------------------------------------------------------------
def _read_conversations(folder: Path) -> list[Conversation]:
    """The dataset's conversations, checked, by client then phase in benchmark order."""
    out = [rec for _line, rec in read_conversations(folder, required=True)]
    out.sort(key=lambda r: (r["client_id"], PHASE_INDEX[r["phase"]]))
    return out


# -- rating ------------------------------------------------------------------------------------------
@dataclass
class Rating(Asked[int | float]):
    """The rating of one conversation (``value`` is the intensity)."""

    client_id: int
    phase: str

    @property
    def intensity(self) -> int | float | None:
        return self.value


class RatingFailure(TypedDict):
    """A line of a rating run's failures file: a conversation that could not be rated."""

    client_id: int
    phase: str
    reason: str | None
    attempts: int
    answers: list[str]  # the first 200 characters of each unreadable answer


class LLMRateSummary(TypedDict):
    """The openai rater's account of a run."""

    model: str
    base_url_host: str | None
    prompt_version: str
    prompt_sha256: str
    conversations: int
    rated: int
    format_failures: int
    request_failures: int
    first_answer_unreadable: int
    json_mode: bool
    usage: UsageRecord
    cost_estimate: Cost | None


class LLMRateFileSummary(LLMRateSummary):
    """:class:`LLMRateSummary` of a run over a dataset folder, with the files written."""

    output: str
    failures_file: str | None


def failure_record(r: Any) -> RatingFailure:
    """The failures-file line of a rating that failed (a :class:`Rating` or a turn rating)."""
    return {
        "client_id": r.client_id,
        "phase": r.phase,
        "reason": r.reason,
        "attempts": r.attempts,
        "answers": r.answers,
    }


async def rate_conversation(
    client: Any,
    conversation: Mapping[str, Any],
    *,
    prompts: Any,
    params: dict[str, Any],
    seed: int,
    max_attempts: int,
) -> Rating:
    """Rate one conversation, re-asking after unreadable answers."""

    cid, phase = conversation["client_id"], conversation["phase"]
    return await ask_parsed(
        Rating(cid, phase),
        client,
        rating_messages(conversation["turns"], prompts),
        parse=parse_intensity,
        retry_message=rating_retry_message(prompts),
        wanted="intensity 1-10",
        params=params,
        seed=seed,
        client_id=cid,
        purpose=f"rate:{phase}",
        prompt_version=prompts.id,
        max_attempts=max_attempts,
    )


@dataclass
class LLMRatings:
    """An LLM rating run held in memory: the lines, the failed conversations, a summary."""

    records: list[RatingLine]
    failures: list[RatingFailure]
    summary: LLMRateSummary


def rate_conversations_llm(
    conversations: list[Conversation],
    *,
    model: str,
    base_url: str | None = None,
    concurrency: int = 8,
    as_reference: bool = False,
    **options: Any,
) -> LLMRatings:
    """Rate conversations held in memory with an OpenAI-compatible model; nothing is written.

    The lines are model outputs ``{"client_id", "phase", "intensity", "model"}`` per
    conversation, or with ``as_reference`` reference lines ``{"client_id", "trajectory",
    "source": "rater:<model>"}`` per client. Conversations that could not be rated are left
    out of the lines and returned in ``failures``. Options as :func:`rate_dataset_llm`
    (``raise_on_failure`` is not read here).
    """
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise InputError(f"unknown rater option(s): {', '.join(unknown)}")
    opt = {**DEFAULTS, **options}
    settings = LLMOptions(
        model=model,
        base_url=base_url,
        concurrency=concurrency,
        temperature=opt["temperature"],
        max_tokens=opt["max_tokens"],
        max_attempts=opt["max_attempts"],
        timeout=opt["timeout"],
        cache_path=opt["cache"],
        use_cache=not opt["no_cache"],
        price_in=opt["price_in"],
        price_out=opt["price_out"],
        progress=opt["progress"],
        policy=opt["policy"] or RetryPolicy(give_up_after=opt["stop_after"]),
    )
    settings.check()
    conversations = sorted(conversations, key=lambda r: (r["client_id"], PHASE_INDEX[r["phase"]]))
    prompts = load_prompts("rating")

    def ask(client: LLMClient, conv: Conversation, params: dict[str, Any]) -> Awaitable[Rating]:
        return rate_conversation(
            client,
            conv,
            prompts=prompts,
            params=params,
            seed=opt["seed"],
            max_attempts=settings.max_attempts,
        )

    run = run_items(conversations, ask, options=settings, desc="rate", json_mode=opt["json_mode"])
    endpoint, usage, ratings = run.endpoint, run.usage, run.results
    ratings.sort(key=lambda r: (r.client_id, PHASE_INDEX[r.phase]))
    rated = [r for r in ratings if r.intensity is not None]
    failed = [r for r in ratings if r.intensity is None]
    if as_reference:
        trajectories: dict[int, dict[str, int | float]] = {}
        for r in ratings:
            if r.intensity is not None:
                trajectories.setdefault(r.client_id, {})[r.phase] = r.intensity
        records: list[RatingLine] = [
            ReferenceRow(client_id=cid, trajectory=traj, source=f"rater:{endpoint.model}")
            for cid, traj in sorted(trajectories.items())
        ]
    else:
        records = [
            PhaseOutputRow(
                client_id=r.client_id, phase=r.phase, intensity=r.value, model=endpoint.model
            )
            for r in rated
            if r.value is not None
        ]
    cost = cost_estimate(settings, *run.tokens())
    counts = run.counts()
    format_failures, unreadable = counts["format_failures"], counts["first_answer_unreadable"]
    summary: LLMRateSummary = {
        "model": endpoint.model,
        "base_url_host": endpoint.host,
        "prompt_version": prompts.id,
        "prompt_sha256": prompts.sha256,
        "conversations": len(conversations),
        "rated": len(rated),
        "format_failures": format_failures,
        "request_failures": counts["request_failures"],
        "first_answer_unreadable": unreadable,
        "json_mode": run.json_mode,
        "usage": usage.as_dict(),
        "cost_estimate": cost,
    }
    if opt["report"] is not None:
        n = len(conversations) or 1
        opt["report"](
            f"rated {len(rated)}/{len(conversations)} conversations with {endpoint.model}; "
            f"format failures {format_failures} ({100 * format_failures / n:.1f} %), first "
            f"answer unreadable {unreadable} ({100 * unreadable / n:.1f} %), request failures "
            f"{summary['request_failures']}"
        )
        opt["report"](run.summary_line(cost))
    return LLMRatings(records, [failure_record(r) for r in failed], summary)


def rate_dataset_llm(
    dataset_dir: str | Path,
    out_path: str | Path,
    *,
    model: str,
    base_url: str | None = None,
    concurrency: int = 8,
    as_reference: bool = False,
    **options: Any,
) -> LLMRateFileSummary:
    """Rate every conversation of a dataset folder with an OpenAI-compatible model.

    Writes ``out_path`` atomically: the lines of :func:`rate_conversations_llm`. Conversations
    that could not be rated are left out, listed in ``<out>.failures.jsonl`` and counted in the
    summary, which is returned; ``report``, a callable, receives two lines that sum the run up
    for a person. With ``raise_on_failure`` (default) a ``WorkFailed`` (exit 1) follows once the
    files are written.

    Options (defaults in :data:`DEFAULTS`): ``temperature``, ``max_tokens``, ``max_attempts``,
    ``timeout``, ``cache`` (folder or file), ``no_cache``, ``price_in``/``price_out`` (USD per
    million tokens), ``seed`` (of the per-request sampling seeds), ``json_mode`` (ask for
    ``response_format={"type": "json_object"}``; switched off for the rest of the run if the
    server answers 400 to it), ``progress``, ``report``, ``raise_on_failure``, ``policy`` (a
    :class:`tvt.llm.client.RetryPolicy`).
    """
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise InputError(f"unknown rater option(s): {', '.join(unknown)}")
    raise_on_failure = options.pop("raise_on_failure", DEFAULTS["raise_on_failure"])
    folder = resolve_dataset(dataset_dir)
    out_path = Path(out_path)
    got = rate_conversations_llm(
        _read_conversations(folder),
        model=model,
        base_url=base_url,
        concurrency=concurrency,
        as_reference=as_reference,
        **options,
    )
    write_jsonl(out_path, got.records)
    failures_path = out_path.with_name(out_path.name + ".failures.jsonl")
    if got.failures:
        write_jsonl(failures_path, got.failures)
    elif failures_path.exists():
        failures_path.unlink()  # from an earlier run into the same file
    summary: LLMRateFileSummary = {
        **got.summary,
        "output": str(out_path),
        "failures_file": str(failures_path) if got.failures else None,
    }
    failure = failure_message(summary)
    if failure and raise_on_failure:
        raise WorkFailed(failure)
    return summary


def failure_message(summary: Mapping[str, Any]) -> str | None:
    """One sentence when some conversations of a rating run could not be rated, else ``None``."""
    formats, requests = summary["format_failures"], summary["request_failures"]
    if not formats + requests:
        return None
    where = summary.get("failures_file")
    return (
        f"{formats + requests} of {summary['conversations']} conversation(s) could not be rated "
        f"({formats} format failures); "
        + (f"see {where}" if where else "they are listed under 'failures' in the summary")
    )
