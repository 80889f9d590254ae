"""One chat request per item, read by a parser: the loop of the LLM rater, the benchmark's LLM
rater and the audit judge.

:func:`ask_parsed` asks about one item. An answer the parser cannot read is followed by a
reminder in the same chat and asked again with the next attempt's seed, up to ``max_attempts``;
what still cannot be read is a *format failure*, a refused request a *request failure*. Both are
recorded on the item's :class:`Asked` record, never guessed.

:func:`run_items` drives :func:`ask_parsed` (through the caller's ``ask``) over every item: the
client with its cache and retries, :func:`tvt.llm.runner.run_pool`, the progress bar, and JSON
mode. JSON mode (``response_format={"type": "json_object"}``) is asked for while the server takes
it; a server that answers HTTP 400 to it has it switched off for the rest of the run and the item
is asked again without it (the parsers read prose too).

The caller keeps what is its own: the prompt, the parser, the record type and what it writes.
The parsers find JSON inside chatter with :func:`json_in_text`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from tvt.llm.client import Endpoint, LLMClient, RequestFailed, Usage, resolve_endpoint
from tvt.llm.runner import Progress, run_with_client, summary_line
from tvt.rng import client_int_seed

if TYPE_CHECKING:  # generation loads the composer and the dataset writer: only when running
    from tvt.llm.generation import Cost, LLMOptions

V = TypeVar("V")
T = TypeVar("T")
A = TypeVar("A", bound="Asked[Any]")

#: A JSON object without nested objects: what a rating or verdict answer holds.
FLAT_OBJECT = re.compile(r"\{[^{}]*\}", re.DOTALL)


def json_in_text(text: str, pattern: re.Pattern[str] = FLAT_OBJECT) -> Iterator[Any]:
    """The decoded JSON of each match of ``pattern`` in a model's answer, in order; matches
    that are not JSON (prose in braces, a truncated object) are skipped."""
    for m in pattern.finditer(text):
        try:
            yield json.loads(m.group(0))
        except json.JSONDecodeError:
            continue


@dataclass(kw_only=True)
class Asked(Generic[V]):
    """What asking about one item came to: the parsed ``value`` (None on failure) and why."""

    value: V | None = None
    attempts: int = 0
    first_unreadable: bool = False
    reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    #: the first 200 characters of each unreadable answer
    answers: list[str] = field(default_factory=list)

    @property
    def format_failure(self) -> bool:
        return self.value is None and (self.reason or "").startswith("format")


async def ask_parsed(
    out: A,
    client: Any,
    messages: list[dict[str, str]],
    *,
    parse: Callable[[str], Any],
    retry_message: dict[str, str],
    wanted: str,
    params: dict[str, Any],
    seed: int,
    client_id: int,
    purpose: str,
    prompt_version: str,
    max_attempts: int,
) -> A:
    """Ask until ``parse`` reads the answer; fill and return ``out``.

    Attempt ``a`` samples with ``client_int_seed(seed, client_id, f"{purpose}:{a}")``. A retry
    sends the first answer back with ``retry_message``; after ``max_attempts`` unreadable answers
    ``out.reason`` is ``"format failure: no <wanted> in <n> answer(s)"``.
    """
    chat = messages
    for attempt in range(1, max_attempts + 1):
        out.attempts = attempt
        try:
            comp = await client.complete(
                chat,
                params=params,
                seed=client_int_seed(seed, client_id, f"{purpose}:{attempt}"),
                prompt_version=prompt_version,
            )
        except RequestFailed as exc:
            out.reason = f"request failed: {exc.reason}"
            return out
        out.prompt_tokens += comp.prompt_tokens
        out.completion_tokens += comp.completion_tokens
        value = parse(comp.text)
        if value is not None:
            out.value = value
            return out
        if attempt == 1:
            out.first_unreadable = True
        out.answers.append(comp.text[:200])
        chat = [
            *messages,
            {"role": "assistant", "content": comp.text or "(no answer)"},
            retry_message,
        ]
    out.reason = f"format failure: no {wanted} in {max_attempts} answer(s)"
    return out


@dataclass
class ItemRun(Generic[A]):
    """The records of a :func:`run_items` run (in finishing order) and its accounting."""

    endpoint: Endpoint
    results: list[A]
    usage: Usage
    #: whether JSON mode was still on at the end (False once the server refused it)
    json_mode: bool

    @property
    def failed(self) -> list[A]:
        return [r for r in self.results if r.value is None]

    def counts(self) -> dict[str, int]:
        """Format failures, request failures and first answers that could not be read."""
        failed = self.failed
        formats = sum(1 for r in failed if r.format_failure)
        return {
            "format_failures": formats,
            "request_failures": len(failed) - formats,
            "first_answer_unreadable": sum(1 for r in self.results if r.first_unreadable),
        }

    def tokens(self) -> tuple[int, int]:
        """Prompt and completion tokens of all answers, cached ones included."""
        return (
            sum(r.prompt_tokens for r in self.results),
            sum(r.completion_tokens for r in self.results),
        )

    def summary_line(self, cost: Cost | None) -> str:
        failed = len(self.failed)
        usd = cost["usd"] if cost else None
        return summary_line(self.usage, len(self.results) - failed, failed, usd)


def run_items(
    items: Sequence[T],
    ask: Callable[[LLMClient, T, dict[str, Any]], Awaitable[A]],
    *,
    options: LLMOptions,
    desc: str,
    json_mode: bool = True,
) -> ItemRun[A]:
    """``ask(client, item, params)`` for every item, ``options.concurrency`` at a time.

    ``params`` are the sampling parameters of ``options`` plus JSON mode while it is on. Opens
    the endpoint (``InputError`` without a key or with a bad URL) and the response cache, shows
    the progress bar (labelled ``desc``) and closes both at the end. An
    :class:`~tvt.llm.client.EndpointError` stops the run.
    """
    from tvt.llm.generation import open_cache

    endpoint = resolve_endpoint(options.model, options.base_url)
    usage = Usage()
    results: list[A] = []
    mode = {"json": bool(json_mode)}

    def params() -> dict[str, Any]:
        p: dict[str, Any] = {"temperature": options.temperature, "max_tokens": options.max_tokens}
        if mode["json"]:
            p["response_format"] = {"type": "json_object"}
        return p

    cache = open_cache(options)
    progress = Progress(len(items), desc, usage, enabled=options.progress)

    async def work(client: LLMClient, item: T) -> A:
        sent = params()
        out = await ask(client, item, sent)
        if "response_format" in sent and out.reason and "HTTP 400" in out.reason:
            # The server does not support JSON mode: the parsers cope without it. Every item
            # refused while it was on is asked again, also those in flight when it went off.
            mode["json"] = False
            out = await ask(client, item, params())
        return out

    def on_result(item: T, out: A) -> None:
        results.append(out)
        progress.advance(failed=out.value is None)

    run_with_client(
        items,
        work,
        endpoint=endpoint,
        options=options,
        cache=cache,
        usage=usage,
        progress=progress,
        on_result=on_result,
    )
    return ItemRun(endpoint, results, usage, mode["json"])
