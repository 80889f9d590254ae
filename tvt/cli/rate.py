"""``tvt rate``: rate every conversation of a dataset 1-10 with any registered rater."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from tvt.cli._common import lazy_progress_bar, list_plugins, on_interrupt, plugin_options
from tvt.errors import WorkFailed
from tvt.llm.cli_options import LLM_FLAGS, llm_options

#: Rater flags (as click names them); each rater reads those in its ``options``.
RATER_FLAGS = ("signals", *(flag for flag in LLM_FLAGS if flag != "resume"))


def _list_raters(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from tvt.raters.registry import RATERS

        list_plugins(RATERS)
        ctx.exit()


@click.command()
@click.argument("dataset", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--rater",
    default="lexical",
    show_default=True,
    help="A registered rater (see --list-raters). lexical: offline baseline (stated SUDS + "
    "client language). openai: zero-shot LLM.",
)
@click.option(
    "--list-raters",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_list_raters,
    help="List the raters --rater accepts (built-in and installed plugins) and exit.",
)
@llm_options(temperature=0.0, max_tokens=256, resume=False)
@click.option(
    "--as-reference",
    is_flag=True,
    help='Write a reference.jsonl (source "rater:<name>") instead of model outputs.',
)
@click.option(
    "--signals",
    help="Lexical rater only: a subset of suds-field,suds-text,language (default: all three), "
    "to measure what each signal contributes.",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    help="Output file (default: outputs.jsonl, or reference.jsonl with --as-reference).",
)
def rate(dataset: Path, rater: str, as_reference: bool, out: Path | None, **flags: Any) -> None:
    """Rate the emotional intensity (1-10) of every phase conversation in a dataset.

    Writes one line per client, {"client_id": 7, "trajectory": {"P5": 4.1, ...}, "model": ...},
    ready for `tvt score`; with --as-reference, a reference.jsonl for `tvt score --reference`.
    The lexical rater is a transparent baseline, not a measure of truth (see docs/benchmark.md).
    Installed packages may add raters (docs/plugins.md); --list-raters shows them all.

    \b
    Examples:
      tvt rate tvt-data --rater lexical -o outputs.jsonl
      tvt score outputs.jsonl
      tvt rate tvt-data --signals language -o language-only.jsonl
      tvt rate tvt-data --rater openai --model gpt-4o-mini -o gpt.jsonl
      tvt rate llm-data --rater openai --model M --as-reference -o llm-ref.jsonl
      tvt rate --list-raters
      tvt rate benchmark/tvt-bench-v3/masked/dev/inputs.jsonl -o masked.jsonl
    """
    from tvt.bench.inputs import looks_like_inputs
    from tvt.outputs import check_output
    from tvt.raters.registry import RATERS, get_rater

    default = Path("reference.jsonl" if as_reference else "outputs.jsonl")
    check_output(out if out is not None else default, option="--out", inputs=[dataset])
    if looks_like_inputs(dataset):  # a tvt-bench-v2 inputs.jsonl: text only (tvt/bench/)
        from tvt.bench.rate_inputs import rate_inputs_from_flags

        click.echo(rate_inputs_from_flags(dataset, rater, as_reference, out, flags))
        return

    if out is None:
        out = default
    chosen = get_rater(rater)
    options = plugin_options(RATERS, rater, flags, RATER_FLAGS)
    if "no_cache" in options and not options["no_cache"]:
        on_interrupt(
            "the answers received so far are in the response cache: run the same command again "
            "to continue without asking for them twice"
        )
    started = time.perf_counter()
    # The bar appears only if the rater reports progress (the openai rater draws its own).
    with lazy_progress_bar(lambda: _count_conversations(dataset), "rate", unit="conv") as advance:
        run = chosen.rate(
            dataset, out, as_reference=as_reference, options=options, progress=advance
        )
    click.echo(f"{run.message} ({time.perf_counter() - started:.1f} s)")
    for note in run.notes:
        click.echo(note, err=True)
    if run.failure:
        raise WorkFailed(run.failure)


def _count_conversations(dataset: Path) -> int:
    """Line count for the progress bar (0 when the folder is not readable: rating reports it)."""
    path = dataset / "conversations.jsonl"
    try:
        with open(path, "rb") as fh:
            return sum(1 for line in fh if line.strip())
    except OSError:
        return 0
