"""``tvt validate``: check a dataset folder or one JSON Lines file against ``schemas/``."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--schema",
    help="Schema of a single file (case, conversation, reference, failure, manifest, ...); "
    "guessed from the file name when omitted.",
)
@click.option(
    "--max-errors",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="How many problems to list (all are counted).",
)
def validate(path: Path, schema: str | None, max_errors: int) -> None:
    """Check a dataset folder or one JSONL file; exit 2 listing file, line and reason.

    A folder is checked file by file against its schema and across files (manifest sha256 and
    fingerprint, sorted and unique client ids, known clients, valid phases).

    \b
    Examples:
      tvt validate tvt-data
      tvt validate tvt-data/conversations.jsonl
      tvt validate my-lines.jsonl --schema reference
    """
    from tvt.errors import InputError
    from tvt.validate import validate_path

    result = validate_path(path, schema, max_problems=max_errors)
    if not result.ok:
        for problem in result.problems:
            click.echo(problem.render(), err=True)
        more = result.total - len(result.problems)
        if more > 0:
            click.echo(f"... and {more} more", err=True)
        raise InputError(
            f"{result.total} problem{'s' if result.total != 1 else ''} found", path=path
        )
    counts = ", ".join(f"{name} {n} records" for name, n in result.records.items())
    kind = "dataset" if path.is_dir() else "file"
    extra = f" ({'; '.join(result.notes)})" if result.notes else ""
    click.echo(f"OK: {kind} {path}{extra}: {counts}")
