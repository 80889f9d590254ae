"""The command-line flags of the LLM backend, shared by ``tvt generate``, ``tvt batch`` and ``tvt rate``.

The generate command runs the LLM backend through :mod:`tvt.backends`; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tvt.errors import InputError
from tvt.numbers import FiniteFloat

if TYPE_CHECKING:
    from tvt.llm.generation import LLMOptions

F = TypeVar("F", bound=Callable[..., Any])

#: Flag names added by :func:`llm_options` (as click passes them to the command function).
LLM_FLAGS = (
    "model",
    "base_url",
    "concurrency",
    "temperature",
    "max_tokens",
    "max_attempts",
    "timeout",
    "stop_after",
    "resume",
    "cache",
    "no_cache",
    "price_in",
    "price_out",
)


def llm_options(
    *,
    temperature: float = 0.8,
    max_tokens: int = 4096,
    timeout: float = 300.0,
    resume: bool = True,
    cache: bool = True,
    model_required: bool = False,
) -> Callable[[F], F]:
    """Decorator adding the ``--model ... --price-out`` flags to a click command.

    ``cache=False`` leaves out ``--cache`` and ``--no-cache`` (a sealed evaluation never reads
    a cache); ``resume=False`` leaves out ``--resume``.
    """
    cache_opt = click.option(
        "--cache",
        type=click.Path(path_type=Path),
        help="Response cache folder or .sqlite3 file (default: $TVT_CACHE_DIR, "
        "$XDG_CACHE_HOME/tvt or ~/.cache/tvt).",
    )
    no_cache_opt = click.option(
        "--no-cache", is_flag=True, help="Neither read nor write the cache."
    )
    opts = [
        click.option(
            "--model",
            required=model_required,
            help="Model name at the OpenAI-compatible endpoint.",
        ),
        click.option(
            "--base-url",
            help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1 (default: "
            "$OPENAI_BASE_URL or api.openai.com). The key comes from $OPENAI_API_KEY only; "
            "local servers need none.",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(min=1),
            default=8,
            show_default=True,
            help="Requests in flight at once.",
        ),
        click.option(
            "--temperature",
            type=FiniteFloat(0, 2),
            default=temperature,
            show_default=True,
            help="Sampling temperature.",
        ),
        click.option(
            "--max-tokens",
            type=click.IntRange(min=1),
            default=max_tokens,
            show_default=True,
            help="Maximum tokens per answer.",
        ),
        click.option(
            "--max-attempts",
            type=click.IntRange(min=1),
            default=3,
            show_default=True,
            help="Answers asked for per item (a new sampling seed each) before it is recorded "
            "as failed.",
        ),
        click.option(
            "--timeout",
            type=FiniteFloat(min=0, min_open=True),
            default=timeout,
            show_default=True,
            help="Seconds to wait for one answer before retrying.",
        ),
        click.option(
            "--stop-after",
            type=click.IntRange(min=0),
            default=5,
            show_default=True,
            help="Stop the run after this many requests in a row fail the same way (HTTP 500 "
            "after HTTP 500, an error page after an error page): the endpoint is down or broken. "
            "Finished work is kept. 0 never stops.",
        ),
        cache_opt,
        no_cache_opt,
        click.option(
            "--price-in",
            type=FiniteFloat(min=0),
            help="USD per million input tokens, for the cost estimate in the manifest.",
        ),
        click.option(
            "--price-out",
            type=FiniteFloat(min=0),
            help="USD per million output tokens, for the cost estimate in the manifest.",
        ),
    ]
    if not cache:
        opts = [o for o in opts if o not in (cache_opt, no_cache_opt)]
    if resume:
        opts.insert(
            7,
            click.option(
                "--resume",
                is_flag=True,
                help="Continue an interrupted run in the same --out: nothing finished is "
                "asked again.",
            ),
        )

    def decorate(func: F) -> F:
        for opt in reversed(opts):
            func = opt(func)
        return func

    return decorate


def options_from_flags(
    flags: dict[str, Any], *, progress: bool = True, backend: str = "openai"
) -> LLMOptions:
    """Build :class:`~tvt.llm.generation.LLMOptions` from the flags of :func:`llm_options`."""
    from tvt.llm.client import RetryPolicy
    from tvt.llm.generation import LLMOptions

    if not flags.get("model"):
        raise InputError(f"--backend {backend} needs a model name", field="--model")
    return LLMOptions(
        model=flags["model"],
        base_url=flags.get("base_url"),
        concurrency=flags["concurrency"],
        temperature=flags["temperature"],
        max_tokens=flags["max_tokens"],
        max_attempts=flags["max_attempts"],
        timeout=flags["timeout"],
        cache_path=flags.get("cache"),
        use_cache=not flags.get("no_cache", False),
        price_in=flags.get("price_in"),
        price_out=flags.get("price_out"),
        progress=progress,
        policy=RetryPolicy(give_up_after=flags.get("stop_after", 5)),
    )
