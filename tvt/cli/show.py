"""``tvt show``: read one client's conversations without writing code."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("dataset", metavar="DIR", type=click.Path(path_type=Path))
@click.argument("client", type=int)
@click.argument("phase", required=False)
@click.option(
    "--plain",
    is_flag=True,
    help="Plain text even on a terminal (it is plain already when piped or redirected).",
)
def show(dataset: Path, client: int, phase: str | None, plain: bool) -> None:
    """Print one client's conversations as a readable transcript.

    Each turn is numbered with its speaker; the stated SUDS and the dialogue act stand in the
    right margin. Without PHASE, all the client's phases in benchmark order (P5, P10, P6, P7,
    P8, P11). Colours on a terminal; plain text when piped.

    \b
    Examples:
      tvt show tvt-data 3 P10          # client 3's imaginal exposure
      tvt show tvt-data 3 | less       # all six phases, plain text
    """
    from tvt.show import show as render

    text = render(
        dataset, client, phase.upper() if phase else None, tty=sys.stdout.isatty() and not plain
    )
    if text is not None:
        click.echo(text, nl=False)
