"""``tvt score``: the benchmark metrics of a model's outputs against a reference."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
@click.argument("outputs", type=click.Path(path_type=Path))
@click.option(
    "--reference",
    "reference",
    type=click.Path(path_type=Path),
    default=Path("tvt-data"),
    show_default=True,
    help="A dataset folder (its reference.jsonl is used) or any reference JSONL file.",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    help="A report written earlier with --out: adds R_corr, R_dtw, R_rmse against it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report instead of a table.")
@click.option("--out", type=click.Path(path_type=Path), help="Also write the JSON report here.")
@click.option(
    "--per-client",
    type=click.Path(path_type=Path),
    help="Write per-client metrics (JSON Lines, or CSV if the name ends in .csv).",
)
@click.option("--plot", type=click.Path(path_type=Path), help="Write a PNG figure here.")
@click.option(
    "--require-complete",
    is_flag=True,
    help="Exit 2 unless every reference client has outputs for every reference phase.",
)
@click.option(
    "--bootstrap-seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of the bootstrap confidence intervals.",
)
def score(
    outputs: Path,
    reference: Path,
    baseline: Path | None,
    as_json: bool,
    out: Path | None,
    per_client: Path | None,
    plot: Path | None,
    require_complete: bool,
    bootstrap_seed: int,
) -> None:
    """Score model outputs: Pearson, DTW, RMSE (mean, SD, 95% CI), S_abs, per-phase errors.

    OUTPUTS is a JSON Lines file with one line per phase
    {"client_id": 7, "phase": "P10", "intensity": 8} or one per client
    {"client_id": 7, "trajectory": {"P5": 5, "P10": 8, ...}}, in any order.

    \b
    Examples:
      tvt score outputs.jsonl                              # against ./tvt-data
      tvt score outputs.jsonl --reference other-data --json
      tvt score outputs.jsonl --baseline lexical-report.json --out report.json --plot fig.png
      tvt score turn-outputs.jsonl --reference benchmark/tvt-bench-v3/turn/dev/reference.jsonl
    """
    # Imported when the command runs: `tvt --help` loads every command module, and numpy with
    # the scoring code would add a quarter of a second to it.
    from tvt.bench.cli_hooks import add_skill, score_turn_track
    from tvt.jsonio import write_json
    from tvt.outputs import check_outputs
    from tvt.scoring import format_table, write_per_client
    from tvt.scoring import score as run_score

    check_outputs(
        {"--out": out, "--per-client": per_client, "--plot": plot},
        inputs=[outputs, reference, baseline],
    )

    if score_turn_track(  # a tvt-bench-v2 turn-track reference: per-turn scoring
        outputs,
        reference,
        as_json=as_json,
        out=out,
        require_complete=require_complete,
        bootstrap_seed=bootstrap_seed,
        unsupported={"--baseline": baseline, "--per-client": per_client, "--plot": plot},
    ):
        return

    result = run_score(
        outputs,
        reference,
        require_complete=require_complete,
        bootstrap_seed=bootstrap_seed,
        baseline=baseline,
    )
    report = result.report.to_dict()
    add_skill(report, outputs, reference)  # a published split: skill against its prior
    if out is not None:
        write_json(out, report)
    if per_client is not None:
        write_per_client(result, per_client)
    if plot is not None:
        # matplotlib takes a second to import: only a run that draws pays for it.
        from tvt.plot import plot_result

        plot_result(result, plot, title=f"{outputs} vs {report['inputs']['reference']['file']}")
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        click.echo(format_table(result.report))
        if "skill" in report:
            from tvt.bench.prior import skill_text

            click.echo(skill_text(report["skill"]))
