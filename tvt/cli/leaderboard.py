"""``tvt submit`` and ``tvt leaderboard``: verified entries and the rendered leaderboard."""

from __future__ import annotations

import re
from pathlib import Path

import click

from tvt.errors import InputError

#: The formats of `tvt leaderboard` (tvt.leaderboard.render.FORMATS, which a test keeps equal).
FORMATS = ("table", "md", "html", "json")


@click.command()
@click.argument("outputs", type=click.Path(path_type=Path))
@click.option(
    "--meta",
    "meta",
    type=click.Path(path_type=Path),
    required=True,
    help="META.json describing the submission (schemas/submission.schema.json).",
)
@click.option(
    "--reference",
    type=click.Path(path_type=Path),
    help="Dataset folder or reference.jsonl to score against (default: the shipped tvt-bench-v1 reference).",
)
@click.option(
    "--leaderboard",
    "leaderboard_dir",
    type=click.Path(path_type=Path),
    default=Path("leaderboard"),
    show_default=True,
    help="Leaderboard folder to add the entry to (created if missing).",
)
@click.option(
    "--date",
    "date",
    help="Submission date to record (YYYY-MM-DD; default: today).",
)
@click.option(
    "--custom",
    is_flag=True,
    help="Accept a reference that is no published benchmark split (the entry is never ranked).",
)
def submit(
    outputs: Path,
    meta: Path,
    reference: Path | None,
    leaderboard_dir: Path,
    date: str | None,
    custom: bool,
) -> None:
    """Verify, score and record a leaderboard entry.

    The outputs go through every rule of `tvt score` and every metric is recomputed; a `claimed`
    metric in META that differs by more than 1e-6, outputs already on the leaderboard, or a
    coverage below 95 % of the reference clients are refused (exit 2). The reference must be a
    published benchmark split (tvt-bench-v1, or a dev reference of a tvt-bench-v2 or -v3 track,
    turn track included) unless --custom; the entry records benchmark, track and split, and dev entries are
    shown as "answer key public", never ranked against sealed ones. The entry is written to
    LEADERBOARD/entries/<slug>-<sha8>.json and the outputs copied to LEADERBOARD/outputs/.

    \b
    Examples:
      tvt rate benchmark/tvt-bench-v3/masked/dev/inputs.jsonl -o masked.jsonl
      tvt submit masked.jsonl --meta meta.json --reference benchmark/tvt-bench-v3/masked/dev
      tvt submit outputs.jsonl --meta meta.json --custom --reference my-data
      tvt submit turn.jsonl --meta meta.json --reference benchmark/tvt-bench-v3/turn/dev
    """
    # Imported when the command runs: `tvt --help` loads every command module.
    from tvt.bench.submit import submit_any as do_submit

    if date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise InputError("expected YYYY-MM-DD", field="--date")
    result = do_submit(
        outputs, meta, leaderboard=leaderboard_dir, reference=reference, date=date, custom=custom
    )
    m = result.entry["metrics"]
    dtw = m.get("dtw")
    ci = m.get("s_abs_ci95")
    ci_text = f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""
    click.echo(
        f"accepted {result.entry['model']!r} on {result.entry['benchmark']}: "
        f"S_abs {m['s_abs']:.3f}{ci_text}, N {m['n_scored']}, "
        f"Pearson {m['pearson']['mean']:.3f}"
        + (f", DTW {dtw['mean']:.3f}" if dtw else "")
        + f", RMSE {m['rmse']['mean']:.3f}"
        + (
            f"; {result.entry['split']} split (answer key public)"
            if result.entry.get("split")
            else "; custom reference (not ranked)"
        )
    )
    click.echo(f"wrote {result.entry_path} and {result.outputs_path}")


@click.command()
@click.option(
    "--leaderboard",
    "leaderboard_dir",
    type=click.Path(path_type=Path),
    help="Leaderboard folder (default: the leaderboard shipped with tvt).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format; html is one self-contained page.",
)
@click.option(
    "--out", type=click.Path(path_type=Path), help="Write to this file instead of stdout."
)
def leaderboard(leaderboard_dir: Path | None, fmt: str, out: Path | None) -> None:
    """Show or render the leaderboard, ranked by S_abs.

    Verified entries (recomputed from submitted outputs) and reported entries (the paper's
    Table 1, on the paper's own data) are listed separately.

    \b
    Examples:
      tvt leaderboard
      tvt leaderboard --format html --out leaderboard.html
      tvt leaderboard --leaderboard my-board --format md
    """
    # Imported when the command runs: `tvt --help` loads every command module.
    from tvt.leaderboard import default_leaderboard_dir, leaderboard_groups, render, write_text
    from tvt.outputs import check_output

    folder = leaderboard_dir if leaderboard_dir is not None else default_leaderboard_dir()
    check_output(out, option="--out", inputs=[folder])
    text = render(leaderboard_groups(folder), fmt)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text(out, text)
        click.echo(f"wrote {out}", err=True)
