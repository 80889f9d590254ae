"""``tvt batch``: scale generation out through batch files (OpenAI Batch API, vLLM run-batch)."""

from __future__ import annotations

from pathlib import Path

import click

from tvt.cli._common import non_negative_int, sampler_options
from tvt.numbers import FiniteFloat


@click.group()
def batch() -> None:
    """Prepare batch request files and assemble a dataset from their results.

    \b
    Examples:
      tvt batch prepare --seed 42 --clients 500 --model gpt-4o-mini --out run42
      # submit run42/batch_requests.jsonl (OpenAI Batch API or vLLM run-batch), then:
      tvt batch collect run42 --results results.jsonl
      # the composer's conversations rewritten by the model, every turn checked:
      tvt batch prepare --seed 42 --clients 500 --model gpt-4o-mini --backend realize --out r42
      tvt batch collect r42 --results round1.jsonl
      # submit r42/batch_retry_requests.jsonl (failing turns with the reasons), then:
      tvt batch collect r42 --results round1.jsonl --results round2.jsonl --force

    See docs/scale.md and docs/realize.md.
    """


@batch.command()
@click.option("--seed", type=int, required=True, callback=non_negative_int, help="Random seed.")
@click.option("--model", required=True, help="Model name written into every request body.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for batch_requests.jsonl, batch_cases.jsonl and batch_plan.json.",
)
@sampler_options
@click.option(
    "--temperature",
    type=FiniteFloat(0, 2),
    default=0.8,
    show_default=True,
    help="Sampling temperature.",
)
@click.option(
    "--max-tokens",
    type=click.IntRange(min=1),
    default=4096,
    show_default=True,
    help="Maximum tokens per answer.",
)
@click.option(
    "--backend",
    type=click.Choice(["openai", "realize"]),
    default="openai",
    show_default=True,
    help="openai: the model writes each phase from the plan; realize: the model rewrites the "
    "composer's conversation (docs/realize.md).",
)
@click.option(
    "--max-attempts",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="realize only: answers per conversation (the first rewrite and the retry rounds that "
    "'tvt batch collect' asks for in batch_retry_requests.jsonl).",
)
@click.option(
    "--suds-style",
    "suds_style",
    type=click.Choice(["numeric", "verbal"]),
    default="numeric",
    show_default=True,
    help="realize only: SUDS stated as numbers 0-100, or distress said in words (the "
    "composer's verbal bands, checked as such).",
)
@click.option("--force", is_flag=True, help="Write into a non-empty folder.")
def prepare(
    seed: int,
    clients: int,
    model: str,
    out: Path,
    preset: str,
    config_path: Path | None,
    phases: str | None,
    temperature: float,
    max_tokens: int,
    backend: str,
    max_attempts: int,
    suds_style: str,
    force: bool,
) -> None:
    """Write one chat-completion request per (client, phase) in the Batch API format.

    \b
    Examples:
      tvt batch prepare --seed 42 --clients 500 --model gpt-4o-mini --out run42
      tvt batch prepare --seed 42 --clients 500 --model gpt-4o-mini --backend realize --out r42
      tvt batch prepare --seed 42 --clients 50 --model gpt-4o-mini --backend realize \\
          --suds-style verbal --out r42v
    """
    from tvt.config import load_config
    from tvt.llm.batch import REQUESTS, prepare_batch
    from tvt.pipeline import parse_phases

    config = load_config(preset, config_path)
    if backend == "realize":
        from tvt.realize import prepare_realize_batch

        plan = prepare_realize_batch(
            out,
            seed=seed,
            clients=clients,
            config=config,
            model=model,
            phases=parse_phases(phases),
            temperature=temperature,
            max_tokens=max_tokens,
            max_attempts=max_attempts,
            suds_style=suds_style,
            force=force,
        )
    else:
        if suds_style != "numeric":
            raise click.UsageError("--suds-style verbal is for --backend realize batches")
        plan = prepare_batch(
            out,
            seed=seed,
            clients=clients,
            config=config,
            model=model,
            phases=parse_phases(phases),
            temperature=temperature,
            max_tokens=max_tokens,
            force=force,
        )
    click.echo(
        f"wrote {plan['requests']} requests to {out / REQUESTS} "
        f"(prompts {plan['prompt_version']}); submit it, then run "
        f"'tvt batch collect {out} --results RESULTS.jsonl'"
    )


@batch.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--results",
    "results",
    type=click.Path(path_type=Path),
    multiple=True,
    required=True,
    help="Batch output file (repeat for retry rounds, in order; the first valid answer wins).",
)
@click.option("--force", is_flag=True, help="Replace a dataset collected earlier in FOLDER.")
def collect(folder: Path, results: tuple[Path, ...], force: bool) -> None:
    """Validate batch results and write the dataset into FOLDER.

    An openai batch is read with the transcript parser. A realize batch is checked turn by turn
    with the checks of 'tvt generate --backend realize': turns that pass keep the model's words,
    failing turns keep the composer's sentence, and FOLDER/batch_retry_requests.jsonl asks again
    for them with the reasons (the next round; collect again with every results file in order).

    Exit 1 when some requests failed: they are listed, recorded in failures.jsonl (with their
    custom_id) and asked again by FOLDER/batch_retry_requests.jsonl.

    \b
    Examples:
      tvt batch collect run42 --results batch_output.jsonl
      tvt batch collect run42 --results batch_output.jsonl --results retry_output.jsonl --force
      tvt batch collect r42 --results round1.jsonl --results round2.jsonl --force   # realize
    """
    from tvt.errors import WorkFailed
    from tvt.jsonio import read_json
    from tvt.llm.batch import PLAN, RETRY_REQUESTS, collect_batch

    plan_path = folder / PLAN
    plan = read_json(plan_path) if plan_path.is_file() else None
    if isinstance(plan, dict) and plan.get("backend") == "realize":
        from tvt.realize import collect_realize_batch

        result = collect_realize_batch(folder, list(results), force=force)
    else:
        result = collect_batch(folder, list(results), force=force)
    click.echo(
        f"wrote {result.conversations} conversations to {folder} "
        f"(fingerprint {result.manifest['fingerprint'][:12]})"
    )
    realize = result.manifest["backend"].get("realize")
    if realize:
        shares = realize["shares"]
        click.echo(
            f"turns: {realize['turns']}, rewritten {realize['rewritten']} "
            f"({shares['rewritten']:.1%}), fallen back to the composer's sentence "
            f"{realize['fallback']} ({shares['fallback']:.1%})"
        )
        if result.retry_requests and not result.failures:
            click.echo(
                f"{result.retry_requests} conversation(s) have failing turns with answers left: "
                f"submit {folder / RETRY_REQUESTS} and collect again with every results file"
            )
    if result.failures:
        shown = result.failures[:50]
        for f in shown:
            click.echo(f"failed {f['custom_id']}: {f['reason']}", err=True)
        if len(result.failures) > len(shown):
            click.echo(f"... and {len(result.failures) - len(shown)} more", err=True)
        raise WorkFailed(
            f"{len(result.failures)} request(s) failed; see {folder / 'failures.jsonl'}; "
            f"{folder / RETRY_REQUESTS} asks for them again"
        )
