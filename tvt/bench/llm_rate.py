"""Rate benchmark inputs with an OpenAI-compatible model (both units: conversation and turn).

The conversation tracks send the versioned zero-shot rating prompt of ``tvt rate --rater openai``
(:func:`tvt.raters.llm.rate_conversation`, same parser, same re-ask after an unreadable answer);
the turn track sends the ``turn-rating`` prompt, which labels the marked client turns ``[T1]``,
``[T2]``... and asks for one list of ratings. Both run through the shared request loop
(:mod:`tvt.llm.per_item`: retries, JSON mode, concurrency, usage), and what cannot be read after
``max_attempts`` is a *format failure*: counted, reported and left out of the outputs, never
hidden.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from tvt.llm.per_item import Asked, ask_parsed, json_in_text

if TYPE_CHECKING:
    from tvt.llm.client import UsageRecord
    from tvt.llm.generation import Cost
    from tvt.raters.llm import RatingFailure
    from tvt.records import BenchOutput, InputRecord

_JSON_OBJ = re.compile(r"\{.*\}", re.DOTALL)
_JSON_LIST = re.compile(r"\[[^\[\]]*\]", re.DOTALL)


def _valid(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if 1 <= x <= 10 else None


def _as_list(obj: Any, count: int) -> list[int | float] | None:
    if isinstance(obj, dict):
        for key, value in obj.items():
            if str(key).lower() in ("ratings", "intensities", "intensity"):
                return _as_list(value, count)
        labelled = {str(k).upper().strip("[]"): v for k, v in obj.items()}
        if all(f"T{i}" in labelled for i in range(1, count + 1)):
            return _as_list([labelled[f"T{i}"] for i in range(1, count + 1)], count)
        return None
    if isinstance(obj, list) and len(obj) == count:
        out: list[int | float] = []
        for v in obj:
            x = _valid(v)
            if x is None:
                return None
            out.append(int(x) if x == int(x) else x)
        return out
    return None


def parse_turn_ratings(text: str | None, count: int) -> list[int | float] | None:
    """``count`` ratings 1-10 from an answer, or None when they cannot be read unambiguously.

    Accepts ``{"ratings": [...]}`` (also inside prose or a code fence), ``{"T1": n, ...}`` and a
    bare JSON list of exactly ``count`` numbers.
    """
    if not text or count < 1:
        return None
    for pattern in (_JSON_OBJ, _JSON_LIST):
        for obj in json_in_text(text, pattern):
            got = _as_list(obj, count)
            if got is not None:
                return got
    return None


@dataclass
class TurnRating(Asked[list[int | float]]):
    """The ratings of the marked turns of one input record (``value`` is the list)."""

    client_id: int
    phase: str
    turns: list[int]

    @property
    def intensities(self) -> list[int | float] | None:
        return self.value

    @property
    def intensity(self) -> list[int | float] | None:  # the name the shared accounting reads
        return self.value


class InputsRateSummary(TypedDict):
    """A model's rating run over benchmark inputs (what a sealed entry records of it)."""

    model: str
    base_url_host: str | None
    prompt_version: str
    prompt_sha256: str
    requests: int
    rated: int
    format_failures: int
    format_failure_rate: float
    request_failures: int
    first_answer_unreadable: int
    json_mode: bool
    cache: str
    usage: UsageRecord
    cost_estimate: Cost | None


class LLMInputsRun(InputsRateSummary):
    """``tvt rate INPUTS --rater openai``: the run's summary and the sentence shown."""

    message: str
    unit: str


async def rate_turns(
    client: Any,
    record: InputRecord,
    *,
    prompts: Any,
    params: dict[str, Any],
    seed: int,
    max_attempts: int,
) -> TurnRating:
    """Rate the marked turns of one input record, re-asking after unreadable answers."""
    from tvt.llm.prompts import turn_rating_messages, turn_rating_retry_message

    base, marked = turn_rating_messages(record["turns"], prompts)
    return await ask_parsed(
        TurnRating(record["client_id"], record["phase"], marked),
        client,
        base,
        parse=lambda text: parse_turn_ratings(text, len(marked)),
        retry_message=turn_rating_retry_message(len(marked), prompts),
        wanted=f"{len(marked)} ratings 1-10",
        params=params,
        seed=seed,
        client_id=record["client_id"],
        purpose=f"rate-turns:{record['phase']}",
        prompt_version=prompts.id,
        max_attempts=max_attempts,
    )


def rate_inputs_llm(
    inputs: list[InputRecord],
    *,
    unit: str,
    model: str,
    base_url: str | None = None,
    concurrency: int = 8,
    temperature: float = 0.0,
    max_tokens: int = 256,
    max_attempts: int = 3,
    timeout: float = 120.0,
    use_cache: bool = False,
    cache_path: str | None = None,
    price_in: float | None = None,
    price_out: float | None = None,
    seed: int = 0,
    json_mode: bool = True,
    progress: bool = False,
    policy: Any = None,
) -> tuple[list[BenchOutput], list[RatingFailure], InputsRateSummary]:
    """Rate every input record; returns ``(outputs, failures, summary)``.

    ``unit`` is ``conversation`` (outputs ``{"client_id", "phase", "intensity", "model"}``) or
    ``turn`` (outputs ``{"client_id", "phase", "turns", "intensities", "model"}``). The cache is
    off unless ``use_cache``: a sealed run must ask the model, not a file.
    """
    from tvt.llm.client import RetryPolicy
    from tvt.llm.generation import LLMOptions, cost_estimate
    from tvt.llm.per_item import run_items
    from tvt.llm.prompts import load_prompts
    from tvt.phases import PHASE_INDEX
    from tvt.raters.llm import failure_record, rate_conversation

    settings = LLMOptions(
        model=model,
        base_url=base_url,
        concurrency=concurrency,
        temperature=temperature,
        max_tokens=max_tokens,
        max_attempts=max_attempts,
        timeout=timeout,
        cache_path=cache_path,
        use_cache=use_cache,
        price_in=price_in,
        price_out=price_out,
        progress=progress,
        policy=policy or RetryPolicy(),
    )
    settings.check()
    turn_unit = unit == "turn"
    prompts = load_prompts("turn-rating" if turn_unit else "rating")

    async def ask(client: Any, rec: InputRecord, params: dict[str, Any]) -> Any:
        fn = rate_turns if turn_unit else rate_conversation
        return await fn(
            client,
            rec,
            prompts=prompts,
            params=params,
            seed=seed,
            max_attempts=settings.max_attempts,
        )

    run = run_items(inputs, ask, options=settings, desc="rate", json_mode=json_mode)
    endpoint, results = run.endpoint, run.results
    results.sort(key=lambda r: (r.client_id, PHASE_INDEX[r.phase]))
    outputs: list[BenchOutput] = []
    failures = []
    for r in results:
        if r.value is None:
            failures.append(failure_record(r))
        elif turn_unit:
            outputs.append(
                {
                    "client_id": r.client_id,
                    "phase": r.phase,
                    "turns": r.turns,
                    "intensities": r.value,
                    "model": endpoint.model,
                }
            )
        else:
            outputs.append(
                {
                    "client_id": r.client_id,
                    "phase": r.phase,
                    "intensity": r.value,
                    "model": endpoint.model,
                }
            )
    counts = run.counts()
    n = len(inputs) or 1
    summary: InputsRateSummary = {
        "model": endpoint.model,
        "base_url_host": endpoint.host,
        "prompt_version": prompts.id,
        "prompt_sha256": prompts.sha256,
        "requests": len(inputs),
        "rated": len(outputs),
        "format_failures": counts["format_failures"],
        "format_failure_rate": counts["format_failures"] / n,
        "request_failures": counts["request_failures"],
        "first_answer_unreadable": counts["first_answer_unreadable"],
        "json_mode": run.json_mode,
        "cache": "on" if settings.use_cache else "off",
        "usage": run.usage.as_dict(),
        "cost_estimate": cost_estimate(settings, *run.tokens()),
    }
    return outputs, failures, summary
