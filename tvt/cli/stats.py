"""``tvt stats``: distributions against the design weights and the paper, conversation figures."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option(
    "--against",
    type=click.Choice(["paper"]),
    help="Put the paper's reported percentages and means beside the dataset's.",
)
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="The config file the dataset was made with, when it was not a preset.",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(path_type=Path),
    help="Also draw the distributions against the design weights as one PNG.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path),
    help="Also write a self-contained HTML page with the plot and the tables.",
)
def stats(
    dataset: Path,
    against: str | None,
    as_json: bool,
    config_path: Path | None,
    plot_path: Path | None = None,
    html_path: Path | None = None,
) -> None:
    """Counts, percentages and chi-square p-values against the design weights.

    Targets come from the config recorded in the dataset's manifest (its sha256 must match);
    with conversations, also turns and words per phase and speaker and SUDS coverage.

    \b
    Examples:
      tvt stats tvt-data
      tvt stats tvt-data --against paper
      tvt stats tvt-data --json > stats.json
      tvt stats tvt-data --plot stats.png --html stats.html
    """
    from tvt.cli._common import progress_bar
    from tvt.stats import compute_stats, render_stats

    for flag, path in (("--plot", plot_path), ("--html", html_path)):
        if path is not None and _inside(path, dataset):
            from tvt.errors import InputError

            raise InputError(f"{flag} would overwrite a file of the dataset", path=path, field=flag)
    with progress_bar("stats", "record") as advance:
        result = compute_stats(dataset, against=against, config_path=config_path, progress=advance)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        click.echo(render_stats(result))
    if plot_path is not None:
        from tvt.stats.plot import plot_stats

        plot_stats(result, plot_path)
        click.echo(f"wrote plot to {plot_path}", err=True)
    if html_path is not None:
        from tvt.jsonio import atomic_writer
        from tvt.stats.plot import render_stats_html

        with atomic_writer(html_path) as fh:
            fh.write(render_stats_html(result))
        click.echo(f"wrote HTML page to {html_path}", err=True)


def _inside(path: Path, dataset: Path) -> bool:
    """Whether ``path`` is one of the dataset folder's own files (an output never replaces one)."""
    return path.resolve().parent == dataset.resolve() and path.name in (
        "cases.jsonl",
        "conversations.jsonl",
        "reference.jsonl",
        "failures.jsonl",
        "manifest.json",
        "README.md",
        "croissant.json",
    )
