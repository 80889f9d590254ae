"""``tvt generate``: sample clients, plan trajectories, produce six phase conversations each."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from tvt.cli._common import (
    lazy_progress_bar,
    list_plugins,
    non_negative_int,
    on_interrupt,
    plugin_options,
    sampler_options,
)
from tvt.errors import WorkFailed
from tvt.llm.cli_options import LLM_FLAGS, llm_options


def _list_backends(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from tvt.backends import BACKENDS

        list_plugins(BACKENDS)
        ctx.exit()


@click.command()
@click.option(
    "--seed",
    type=int,
    callback=non_negative_int,
    help="Random seed (an integer >= 0); the same seed and versions give identical files.",
)
@click.option(
    "--benchmark",
    "benchmark",
    metavar="NAME",
    help="Regenerate a published benchmark (e.g. tvt-bench-v1) with its recorded seed, clients, "
    "preset and backend, and verify its fingerprint (exit 1 on mismatch, naming the library "
    "versions that differ from those recorded).",
)
@click.option(
    "--track",
    type=click.Choice(["full", "masked", "turn"]),
    help="With --benchmark tvt-bench-v3 (or v2): the track whose split to regenerate.",
)
@click.option(
    "--split",
    "split",
    type=click.Choice(["dev"]),
    help="With --benchmark tvt-bench-v3 (or v2): the split to regenerate (dev; test seeds are secret).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=Path("tvt-data"),
    show_default=True,
    help="Output dataset folder.",
)
@click.option(
    "--backend",
    default="offline",
    show_default=True,
    help="A registered backend (see --list-backends). offline: embedded composer, no network. "
    "openai: any OpenAI-compatible endpoint. realize: the composer's conversations rewritten "
    "by a model, every turn checked (docs/realize.md).",
)
@click.option(
    "--list-backends",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_list_backends,
    help="List the backends --backend accepts (built-in and installed plugins) and exit.",
)
@click.option(
    "--suds-style",
    "suds_style",
    type=click.Choice(["numeric", "verbal"]),
    default="numeric",
    show_default=True,
    help="Offline composer and --backend realize: SUDS spoken as numbers 0-100, or in words "
    "only ('the worst it's been', 'how strong is it now?'); the turns' suds fields carry the "
    "numbers either way.",
)
@sampler_options
@click.option("--force", is_flag=True, help="Replace the tvt files in a non-empty output folder.")
@llm_options()
def generate(
    seed: int | None,
    benchmark: str | None,
    track: str | None,
    split: str | None,
    clients: int,
    out: Path,
    preset: str,
    config_path: Path | None,
    backend: str,
    phases: str | None,
    force: bool,
    suds_style: str,
    **llm_flags: Any,
) -> None:
    """Generate a synthetic PE therapy dataset.

    \b
    Examples:
      tvt generate --seed 42                       # 500 clients x 6 phases into ./tvt-data
      tvt generate --seed 7 --clients 20 --out small --preset paper
      tvt generate --seed 3 --clients 50 --suds-style verbal --out verbal   # SUDS in words
      tvt generate --benchmark tvt-bench-v1        # the benchmark, verified, into ./tvt-bench-v1
      tvt generate --benchmark tvt-bench-v3 --track masked --split dev --out masked-dev
      tvt generate --seed 1 --clients 5 --backend openai --model gpt-4o-mini --out llm-data
      tvt generate --seed 1 --backend openai --model local --base-url http://127.0.0.1:8080/v1
      tvt generate --seed 1 --clients 5 --backend realize --model gpt-4o-mini --out realized
      tvt generate --seed 1 --clients 5 --backend realize --model gpt-4o-mini \\
          --suds-style verbal --out realized-verbal                 # distress in words, checked
      tvt generate --list-backends                 # built-in and installed backends
    """
    from tvt.backends import BACKENDS, GenerationRequest, get_backend
    from tvt.config import load_config
    from tvt.outputs import check_output_folder
    from tvt.pipeline import parse_phases

    if benchmark in ("tvt-bench-v2", "tvt-bench-v3") or track is not None or split is not None:
        from tvt.bench.cli_hooks import generate_v2

        generate_v2(benchmark, track, split, out, force)
        return
    bench = None
    if benchmark is not None:
        from click.core import ParameterSource

        from tvt.benchmark import benchmark_settings

        ctx = click.get_current_context()
        given = [
            p
            for p in ctx.params
            if ctx.get_parameter_source(p)
            in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
        ]
        settings = benchmark_settings(benchmark, given)
        from tvt.bench.recipe import data_versions
        from tvt.benchmark import check_release

        check_release(settings["bench"], data_versions())  # before any file is written
        bench, seed, clients = settings["bench"], settings["seed"], settings["clients"]
        preset, backend = settings["preset"], settings["backend"]
        if "out" not in given:
            out = Path(bench["name"])
    elif seed is None:
        raise click.UsageError("Missing option '--seed' (or give --benchmark NAME).")
    config = load_config(preset, config_path)
    phase_list = parse_phases(phases)
    check_output_folder(out, inputs=[config_path])
    started = time.perf_counter()
    chosen = get_backend(backend)
    flags = {**llm_flags, "suds_style": suds_style}
    options = plugin_options(BACKENDS, backend, flags, (*LLM_FLAGS, "suds_style"))
    request = GenerationRequest(seed, clients, config, phase_list, force)
    if backend != "offline":
        on_interrupt(
            "finished conversations are kept in the output folder: run the same command with "
            "--resume to continue where it stopped"
        )
    with lazy_progress_bar(lambda: clients, "generate") as advance:
        run = chosen.generate(out, request, options=options, progress=advance)
    manifest = run.manifest
    for note in run.notes:
        click.echo(note, err=True)
    if bench is not None:
        from tvt.benchmark import check_benchmark

        check_benchmark(bench, manifest)  # WorkFailed (exit 1) names the differing versions
        click.echo(f"{bench['name']}: fingerprint verified ({manifest['fingerprint'][:12]})")
    files = manifest["files"]
    n_conv = files["conversations.jsonl"]["records"] if "conversations.jsonl" in files else 0
    resumed = f" ({run.resumed} from the resume journal)" if run.resumed else ""
    click.echo(
        f"wrote {clients} clients, {n_conv} conversations{resumed} to {out} "
        f"in {time.perf_counter() - started:.1f} s (fingerprint {manifest['fingerprint'][:12]})"
    )
    if run.failure:
        raise WorkFailed(run.failure)
