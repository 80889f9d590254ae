"""The small entry points other commands call for tvt-bench-v2 (kept here, so their hunks stay
one call long): ``tvt generate --benchmark tvt-bench-v2 ...`` and ``tvt score`` on a turn split."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from tvt.bench import BENCHMARK_NAME
from tvt.errors import InputError

if TYPE_CHECKING:
    from tvt.bench.turns import TurnReportDoc
    from tvt.records import ScoreReportDoc

#: Benchmarks with tracks and splits (``tvt generate --benchmark NAME --track T --split dev``).
TRACKED = ("tvt-bench-v2", "tvt-bench-v3")


def generate_v2(
    benchmark: str | None, track: str | None, split: str | None, out: Path, force: bool
) -> None:
    """Regenerate and verify a dev split of tvt-bench-v2 or later into ``out`` (default ``<track>-dev``)."""
    from click.core import ParameterSource

    from tvt.bench.recipe import regenerate_dev

    if benchmark not in TRACKED:
        raise InputError(f"--track and --split need --benchmark {BENCHMARK_NAME}", field="--track")
    if track is None or split is None:
        raise InputError(
            f"--benchmark {benchmark} needs --track (full, masked, turn) and --split dev",
            field="--track" if track is None else "--split",
        )
    ctx = click.get_current_context()
    fixed = ("seed", "clients", "preset", "config_path", "backend", "phases")
    given = [p for p in fixed if ctx.get_parameter_source(p) in (ParameterSource.COMMANDLINE,)]
    if given:
        flags = ", ".join("--" + g.replace("_path", "").replace("_", "-") for g in given)
        raise InputError(
            f"--benchmark {benchmark} fixes the seed, clients, preset and backend; drop {flags}",
            field="--benchmark",
        )
    if ctx.get_parameter_source("out") != ParameterSource.COMMANDLINE:
        out = Path(f"{benchmark}-{track}-{split}")
    summary = regenerate_dev(track, out, force=force, name=benchmark)
    click.echo(
        f"{benchmark} {track}/{split}: inputs.jsonl and reference.jsonl verified "
        f"({summary['clients']} clients) in {out}"
    )


def score_turn_track(
    outputs: Path,
    reference: Path,
    *,
    as_json: bool,
    out: Path | None,
    require_complete: bool,
    bootstrap_seed: int,
    unsupported: dict[str, object],
) -> bool:
    """Score against a turn-track reference and print; False (nothing done) for any other one."""
    import json

    from tvt.bench.turns import format_turn_table, is_turn_reference, score_turns
    from tvt.jsonio import write_json

    if not is_turn_reference(reference):
        return False
    for flag, value in unsupported.items():
        if value is not None:
            raise InputError(f"{flag} does not apply to the turn track", field=flag)
    report = score_turns(
        outputs, reference, require_complete=require_complete, bootstrap_seed=bootstrap_seed
    )
    add_skill(report, outputs, reference)
    if out is not None:
        write_json(out, report)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        from tvt.bench.prior import skill_text

        click.echo(format_turn_table(report))
        click.echo(skill_text(report.get("skill")))
    return True


def add_skill(report: ScoreReportDoc | TurnReportDoc, outputs: Path, reference: Path) -> None:
    """Put the reading skill into a report scored against a published benchmark split."""
    from tvt.bench.prior import skill_for_files

    inputs = report.get("inputs")
    sha = inputs["reference"]["sha256"] if inputs else None
    skill = skill_for_files(outputs, reference, sha)
    if skill is not None:
        report["skill"] = skill
