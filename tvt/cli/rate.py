"""``tvt rate``: rate every conversation of a dataset 1-10 (lexical baseline or an LLM)."""

from __future__ import annotations

import importlib
import time
from pathlib import Path

import click

from tvt.cli._common import progress_bar
from tvt.llm.cli_options import llm_options


@click.command()
@click.argument("dataset", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--rater",
    type=click.Choice(["lexical", "openai"]),
    default="lexical",
    show_default=True,
    help="lexical: offline baseline (stated SUDS + client language). openai: zero-shot LLM.",
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
def rate(
    dataset: Path,
    rater: str,
    as_reference: bool,
    signals: str | None,
    out: Path | None,
    model: str | None,
    base_url: str | None,
    concurrency: int,
    **llm_flags: object,
) -> None:
    """Rate the emotional intensity (1-10) of every phase conversation in a dataset.

    Writes one line per client, {"client_id": 7, "trajectory": {"P5": 4.1, ...}, "model": ...},
    ready for `tvt score`; with --as-reference, a reference.jsonl for `tvt score --reference`.
    The lexical rater is a transparent baseline, not a measure of truth (see docs/benchmark.md).

    \b
    Examples:
      tvt rate tvt-data --rater lexical -o outputs.jsonl
      tvt score outputs.jsonl
      tvt rate benchmark/tvt-bench-v2/masked/dev/inputs.jsonl -o masked.jsonl
      tvt rate tvt-data --signals language -o language-only.jsonl
      tvt rate tvt-data --rater openai --model gpt-4o-mini -o gpt.jsonl
      tvt rate llm-data --rater openai --model M --as-reference -o llm-ref.jsonl
    """
    from tvt.bench.inputs import looks_like_inputs
    from tvt.errors import InputError

    if looks_like_inputs(dataset):  # a tvt-bench-v2 inputs.jsonl: text only (tvt/bench/)
        from tvt.bench.rate_inputs import rate_inputs_file

        summary = rate_inputs_file(
            dataset,
            out or Path("outputs.jsonl"),
            rater=rater,
            signals=signals,
            as_reference=as_reference,
            model=model,
            base_url=base_url,
            concurrency=concurrency,
            **llm_flags,
        )
        click.echo(summary["message"])
        return
    if out is None:
        out = Path("reference.jsonl" if as_reference else "outputs.jsonl")
    started = time.perf_counter()
    if rater == "lexical":
        from tvt.rate.lexical import rate_dataset_lexical

        for flag, value in (("--model", model), ("--base-url", base_url)):
            if value is not None:
                raise InputError(f"{flag} applies to --rater openai only", field=flag)
        total = _count_conversations(dataset)
        with progress_bar(total, "rate", unit="conv") as bar:
            summary = rate_dataset_lexical(
                dataset, out, as_reference=as_reference, signals=signals, progress=bar.update
            )
        _echo_lexical(summary, time.perf_counter() - started)
        return

    if signals is not None:
        raise InputError("--signals applies to --rater lexical only", field="--signals")
    if not model:
        raise InputError("--rater openai needs --model", field="--model")
    try:
        llm = importlib.import_module("tvt.rate.llm")
    except ModuleNotFoundError as exc:
        if exc.name != "tvt.rate.llm":
            raise
        raise InputError("the openai rater is not available in this build") from None
    summary = llm.rate_dataset_llm(
        dataset,
        out,
        model=model,
        base_url=base_url,
        concurrency=concurrency,
        as_reference=as_reference,
        temperature=llm_flags["temperature"],
        max_tokens=llm_flags["max_tokens"],
        max_attempts=llm_flags["max_attempts"],
        timeout=llm_flags["timeout"],
        cache=llm_flags["cache"],
        no_cache=llm_flags["no_cache"],
        price_in=llm_flags["price_in"],
        price_out=llm_flags["price_out"],
    )
    if isinstance(summary, dict):
        parts = [f"{k} {v}" for k, v in summary.items() if isinstance(v, (int, float, str))]
        click.echo(f"wrote {out}: " + ", ".join(parts))
    else:
        click.echo(f"wrote {out}")


def _count_conversations(dataset: Path) -> int:
    """Line count for the progress bar (0 when the folder is not readable: rating reports it)."""
    path = dataset / "conversations.jsonl"
    try:
        with open(path, "rb") as fh:
            return sum(1 for line in fh if line.strip())
    except OSError:
        return 0


def _echo_lexical(summary: dict, seconds: float) -> None:
    kind = "reference" if summary["as_reference"] else "outputs"
    src = summary["suds_from"]
    scales = summary["suds_scale_detected"]
    click.echo(
        f"wrote {kind} for {summary['clients']} clients to {summary['out']} in {seconds:.1f} s: "
        f"{summary['rated']} of {summary['conversations']} conversations rated; SUDS from turn "
        f"fields {src['field']}, from text {src['text']} (0-10 scale {scales['10']}, 0-100 "
        f"{scales['100']}), none {src['none']}"
    )
    unrated = summary["unrated"]
    if unrated:
        shown = ", ".join(f"{c}/{p}" for c, p in unrated[:10]) + (
            " ..." if len(unrated) > 10 else ""
        )
        click.echo(
            f"{len(unrated)} conversation(s) had no client words and no SUDS and were not rated "
            f"(left out of the trajectories): {shown}",
            err=True,
        )
