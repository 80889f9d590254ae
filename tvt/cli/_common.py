"""Small helpers shared by the command modules."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource
from tqdm import tqdm

from tvt.tables import text_table

if TYPE_CHECKING:
    from tvt.plugins import Registry

F = TypeVar("F", bound=Callable[..., Any])


def _bar(total: int, desc: str, unit: str) -> tqdm:
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        dynamic_ncols=True,
        leave=False,
    )


@contextmanager
def lazy_progress_bar(
    total: Callable[[], int], desc: str, unit: str = "client"
) -> Iterator[Callable[[int], None]]:
    """A tqdm bar on stderr (only when it is a terminal), drawn with ``total()`` at the first advance.

    For plugin code that may report progress through the callback or draw its own bar.
    """
    bar: tqdm | None = None

    def advance(n: int) -> None:
        nonlocal bar
        if bar is None:
            bar = _bar(total(), desc, unit)
        bar.update(n)

    try:
        yield advance
    finally:
        if bar is not None:
            bar.close()


#: ``advance(n, total=None)``: ``n`` more done; ``total``, when given, is the (new) total.
Advance = Callable[..., None]


@contextmanager
def progress_bar(desc: str, unit: str) -> Iterator[Advance]:
    """A tqdm bar on stderr while the block runs, only when stderr is a terminal (quiet when
    piped or redirected); the work reports its total when it knows it."""
    bar = _bar(0, desc, unit)

    def advance(n: int = 1, total: int | None = None) -> None:
        if total is not None and total != bar.total:
            bar.total = total
            bar.refresh()
        if n:
            bar.update(n)

    try:
        yield advance
    finally:
        bar.close()


def on_interrupt(hint: str) -> None:
    """What Ctrl-C should tell the user from here on (how to continue the interrupted work)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and isinstance(ctx.find_root().obj, dict):
        ctx.find_root().obj["on_interrupt"] = hint


def list_plugins(registry: Registry[Any]) -> None:
    """Print a registry's names, where each comes from, and what it does (``--list-raters``)."""
    rows = [list(row) for row in registry.describe()]
    click.echo(text_table(["name", "from", "description"], rows, align="lll"))


def plugin_options(
    registry: Registry[Any], name: str, flags: dict[str, Any], names: Sequence[str]
) -> dict[str, Any]:
    """The values of the flags ``names`` that plugin ``name`` reads (its ``options``).

    A flag given on the command line that the chosen plugin does not read is bad input, and the
    sentence names the plugins that do read it ("--model applies to --rater openai only").
    """
    ctx = click.get_current_context()
    given = {
        flag: flags[flag]
        for flag in names
        if ctx.get_parameter_source(flag)
        in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    }
    chosen = registry.check_options(name, given)
    accepted = set(getattr(chosen, "options", ()))
    return {flag: flags[flag] for flag in names if flag in accepted}


def positive_int(ctx: click.Context, _param: click.Parameter, value: int | None) -> int | None:
    if value is not None and value < 1:
        raise click.BadParameter("must be a positive integer")
    return value


def non_negative_int(ctx: click.Context, _param: click.Parameter, value: int | None) -> int | None:
    if value is not None and value < 0:
        raise click.BadParameter("must be 0 or more")
    return value


def sampler_options(func: F) -> F:
    """The flags that choose which clients are drawn: --clients, --preset, --config, --phases.

    Shared by ``tvt generate`` and ``tvt batch prepare`` so both read the same cases the same way.
    """
    options = [
        click.option(
            "--clients",
            type=int,
            default=500,
            show_default=True,
            callback=positive_int,
            help="Number of clients (client_id runs 1..N).",
        ),
        click.option(
            "--preset",
            type=click.Choice(["default", "paper"]),
            default="default",
            show_default=True,
            help="'paper' pairs trauma type and topic independently, as the paper did.",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path),
            help="A sampler config JSON (may 'extend' a preset); overrides --preset.",
        ),
        click.option(
            "--phases", help="Comma-separated subset of P5,P10,P6,P7,P8,P11 (default: all six)."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func
