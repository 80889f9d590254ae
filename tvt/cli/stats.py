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
def stats(dataset: Path, against: str | None, as_json: bool, config_path: Path | None) -> None:
    """Counts, percentages and chi-square p-values against the design weights.

    Targets come from the config recorded in the dataset's manifest (its sha256 must match);
    with conversations, also turns and words per phase and speaker and SUDS coverage.

    \b
    Examples:
      tvt stats tvt-data
      tvt stats tvt-data --against paper
      tvt stats tvt-data --json > stats.json
    """
    from tvt.cli._common import progress_bar
    from tvt.stats import compute_stats, render_stats

    with progress_bar("stats", "record") as advance:
        result = compute_stats(dataset, against=against, config_path=config_path, progress=advance)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        click.echo(render_stats(result))
