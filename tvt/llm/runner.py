"""Bounded concurrency and the progress bar.

:func:`run_pool` runs a coroutine over items with at most ``concurrency`` in flight (a fixed pool
of workers pulling from one queue, so 3,000 jobs never become 3,000 pending tasks). Each result is
handed to ``on_result`` as soon as it exists, which is where callers persist finished work. An
exception from a worker (only fatal ones escape: endpoint errors, interrupts) cancels the others.
:func:`run_with_client` is the synchronous entry: it opens the chat client inside a fresh event
loop, runs the pool and closes the client.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from tvt.llm.cache import ResponseCache
from tvt.llm.client import Endpoint, LLMClient, Usage

if TYPE_CHECKING:  # generation imports this module
    from tvt.llm.generation import LLMOptions

T = TypeVar("T")
R = TypeVar("R")


async def run_pool(
    items: Iterable[T],
    work: Callable[[T], Awaitable[R]],
    *,
    concurrency: int,
    on_result: Callable[[T, R], None],
) -> None:
    """Await ``work(item)`` for every item, ``concurrency`` at a time."""
    queue: asyncio.Queue[T] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)

    async def worker() -> None:
        while True:
            try:
                item = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            on_result(item, await work(item))

    tasks = [asyncio.create_task(worker()) for _ in range(max(1, min(concurrency, queue.qsize())))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def run_with_client(
    items: Iterable[T],
    work: Callable[[LLMClient, T], Awaitable[R]],
    *,
    endpoint: Endpoint,
    options: LLMOptions,
    cache: ResponseCache | None,
    usage: Usage,
    progress: Progress,
    on_result: Callable[[T, R], None],
) -> None:
    """:func:`run_pool` of ``work(client, item)`` in ``asyncio.run``, ``options.concurrency`` at a
    time, with one :class:`LLMClient` (``options.policy``, ``options.timeout``) opened inside the
    loop (its HTTP pool belongs to it). The client, the progress bar and the cache are closed
    however the run ends."""

    async def main() -> None:
        client = LLMClient(
            endpoint, cache=cache, policy=options.policy, timeout=options.timeout, usage=usage
        )
        try:
            await run_pool(
                items,
                lambda item: work(client, item),
                concurrency=options.concurrency,
                on_result=on_result,
            )
        finally:
            await client.aclose()

    try:
        asyncio.run(main())
    finally:
        progress.close()
        if cache is not None:
            cache.close()


class Progress:
    """A tqdm bar on stderr: done/total, cache hits, tokens, failures (silent when not a TTY)."""

    def __init__(self, total: int, desc: str, usage: Usage, enabled: bool = True) -> None:
        from tqdm import tqdm

        self.usage = usage
        self.failures = 0
        self.bar = tqdm(
            total=total,
            desc=desc,
            unit="conv",
            file=sys.stderr,
            disable=not (enabled and sys.stderr.isatty()),
            dynamic_ncols=True,
            leave=False,
        )

    def advance(self, failed: bool = False) -> None:
        if failed:
            self.failures += 1
        self.bar.set_postfix(
            cache=self.usage.cache_hits,
            tok=self.usage.tokens,
            fail=self.failures,
            refresh=False,
        )
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def summary_line(usage: Usage, done: int, failures: int, cost: float | None = None) -> str:
    """The end-of-run summary printed by the commands."""
    parts = [
        f"{done} done",
        f"{failures} failed",
        f"{usage.requests} requests ({usage.retries} retried)",
        f"{usage.cache_hits} cache hits",
        f"tokens in {usage.prompt_tokens:,} / out {usage.completion_tokens:,}",
    ]
    if usage.cache_hits:
        parts.append(
            f"cached tokens in {usage.cached_prompt_tokens:,} / out "
            f"{usage.cached_completion_tokens:,}"
        )
    if usage.faults:
        parts.append("faults " + ", ".join(f"{k} x{v}" for k, v in sorted(usage.faults.items())))
    if cost is not None:
        parts.append(f"est. cost ${cost:,.4f}")
    parts.append(f"{usage.wall_s:.1f} s")
    return "; ".join(parts)
