"""Small helpers shared by the command modules."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from tqdm import tqdm


@contextmanager
def progress_bar(total: int, desc: str, unit: str = "client") -> Iterator[tqdm]:
    """A tqdm bar on stderr, shown only when stderr is a terminal."""
    bar = tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        dynamic_ncols=True,
        leave=False,
    )
    try:
        yield bar
    finally:
        bar.close()


def positive_int(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is not None and value < 1:
        raise click.BadParameter("must be a positive integer")
    return value


def non_negative_int(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is not None and value < 0:
        raise click.BadParameter("must be 0 or more")
    return value


def sampler_options(func):
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
