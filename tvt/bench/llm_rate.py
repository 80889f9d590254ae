"""Rate benchmark inputs with an OpenAI-compatible model (both units: conversation and turn).

The conversation tracks send the versioned zero-shot rating prompt of ``tvt rate --rater openai``
(:func:`tvt.raters.llm.rate_conversation`, same parser, same re-ask after an unreadable answer);
the turn track sends the ``turn-rating`` prompt, which labels the marked client turns ``[T1]``,
``[T2]``... and asks for one list of ratings. Both run through the shared LLM client (retries,
concurrency, usage), and what cannot be read after ``max_attempts`` is a *format failure*:
counted, reported and left out of the outputs, never hidden.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import Any

from tvt.rng import client_int_seed

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
    for m in _JSON_OBJ.finditer(text):
        try:
            obj = json.loads(m.group(0))
        except json.JSONDecodeError:
            continue
        got = _as_list(obj, count)
        if got is not None:
            return got
    for m in _JSON_LIST.finditer(text):
        try:
            obj = json.loads(m.group(0))
        except json.JSONDecodeError:
            continue
        got = _as_list(obj, count)
        if got is not None:
            return got
    return None


@dataclass
class TurnRating:
    client_id: int
    phase: str
    turns: list[int]
    intensities: list[int | float] | None = None
    attempts: int = 0
    first_unreadable: bool = False
    reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    answers: list[str] = field(default_factory=list)

    @property
    def intensity(self) -> list[int | float] | None:  # the name the shared accounting reads
        return self.intensities


async def rate_turns(
    client: Any,
    record: dict[str, Any],
    *,
    prompts: Any,
    params: dict[str, Any],
    seed: int,
    max_attempts: int,
) -> TurnRating:
    """Rate the marked turns of one input record, re-asking after unreadable answers."""
    from tvt.llm.client import RequestFailed
    from tvt.llm.prompts import turn_rating_messages, turn_rating_retry_message

    base, marked = turn_rating_messages(record["turns"], prompts)
    out = TurnRating(record["client_id"], record["phase"], marked)
    messages = base
    for attempt in range(1, max_attempts + 1):
        out.attempts = attempt
        try:
            comp = await client.complete(
                messages,
                params=params,
                seed=client_int_seed(
                    seed, record["client_id"], f"rate-turns:{record['phase']}:{attempt}"
                ),
                prompt_version=prompts.id,
            )
        except RequestFailed as exc:
            out.reason = f"request failed: {exc.reason}"
            return out
        out.prompt_tokens += comp.prompt_tokens
        out.completion_tokens += comp.completion_tokens
        values = parse_turn_ratings(comp.text, len(marked))
        if values is not None:
            out.intensities = values
            return out
        if attempt == 1:
            out.first_unreadable = True
        out.answers.append(comp.text[:200])
        messages = [
            *base,
            {"role": "assistant", "content": comp.text or "(no answer)"},
            turn_rating_retry_message(len(marked), prompts),
        ]
    out.reason = f"format failure: no {len(marked)} ratings 1-10 in {max_attempts} answer(s)"
    return out


def rate_inputs_llm(
    inputs: list[dict[str, Any]],
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
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """Rate every input record; returns ``(outputs, failures, summary)``.

    ``unit`` is ``conversation`` (outputs ``{"client_id", "phase", "intensity", "model"}``) or
    ``turn`` (outputs ``{"client_id", "phase", "turns", "intensities", "model"}``). The cache is
    off unless ``use_cache``: a sealed run must ask the model, not a file.
    """
    from tvt.llm.client import LLMClient, RetryPolicy, Usage, resolve_endpoint
    from tvt.llm.generation import LLMOptions, cost_estimate, open_cache
    from tvt.llm.prompts import load_prompts
    from tvt.llm.runner import Progress, run_pool
    from tvt.phases import PHASE_INDEX
    from tvt.raters.llm import rate_conversation

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
    endpoint = resolve_endpoint(model, base_url)
    turn_unit = unit == "turn"
    prompts = load_prompts("turn-rating" if turn_unit else "rating")
    usage = Usage()
    results: list[Any] = []
    mode = {"json": bool(json_mode)}
    client: Any = None

    def params() -> dict[str, Any]:
        p: dict[str, Any] = {"temperature": settings.temperature, "max_tokens": settings.max_tokens}
        if mode["json"]:
            p["response_format"] = {"type": "json_object"}
        return p

    async def once(rec: dict[str, Any]) -> Any:
        fn = rate_turns if turn_unit else rate_conversation
        return await fn(
            client,
            rec,
            prompts=prompts,
            params=params(),
            seed=seed,
            max_attempts=settings.max_attempts,
        )

    async def work(rec: dict[str, Any]) -> Any:
        rating = await once(rec)
        if mode["json"] and rating.reason and "HTTP 400" in rating.reason:
            mode["json"] = False  # the server has no JSON mode; the parsers cope without it
            rating = await once(rec)
        return rating

    cache = open_cache(settings)
    bar = Progress(len(inputs), "rate", usage, enabled=settings.progress)

    def on_result(rec: dict[str, Any], rating: Any) -> None:
        results.append(rating)
        bar.advance(failed=rating.intensity is None)

    async def main() -> None:
        nonlocal client
        client = LLMClient(
            endpoint, cache=cache, policy=settings.policy, timeout=settings.timeout, usage=usage
        )
        try:
            await run_pool(inputs, work, concurrency=settings.concurrency, on_result=on_result)
        finally:
            await client.aclose()

    try:
        asyncio.run(main())
    finally:
        bar.close()
        if cache is not None:
            cache.close()
    results.sort(key=lambda r: (r.client_id, PHASE_INDEX[r.phase]))
    outputs, failures = [], []
    for r in results:
        if r.intensity is None:
            failures.append(
                {
                    "client_id": r.client_id,
                    "phase": r.phase,
                    "reason": r.reason,
                    "attempts": r.attempts,
                    "answers": r.answers,
                }
            )
        elif turn_unit:
            outputs.append(
                {
                    "client_id": r.client_id,
                    "phase": r.phase,
                    "turns": r.turns,
                    "intensities": r.intensities,
                    "model": endpoint.model,
                }
            )
        else:
            outputs.append(
                {
                    "client_id": r.client_id,
                    "phase": r.phase,
                    "intensity": r.intensity,
                    "model": endpoint.model,
                }
            )
    tokens_in = sum(r.prompt_tokens for r in results)
    tokens_out = sum(r.completion_tokens for r in results)
    format_failures = sum(1 for f in failures if str(f["reason"]).startswith("format"))
    n = len(inputs) or 1
    summary = {
        "model": endpoint.model,
        "base_url_host": endpoint.host,
        "prompt_version": prompts.id,
        "prompt_sha256": prompts.sha256,
        "requests": len(inputs),
        "rated": len(outputs),
        "format_failures": format_failures,
        "format_failure_rate": format_failures / n,
        "request_failures": len(failures) - format_failures,
        "first_answer_unreadable": sum(1 for r in results if r.first_unreadable),
        "json_mode": mode["json"],
        "cache": "on" if settings.use_cache else "off",
        "usage": usage.as_dict(),
        "cost_estimate": cost_estimate(settings, tokens_in, tokens_out),
    }
    return outputs, failures, summary
