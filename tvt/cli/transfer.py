"""``tvt import`` and ``tvt export``: the public release layout and Hugging Face JSONL."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("import")
@click.argument("src", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="Native dataset folder to write.",
)
@click.option("--force", is_flag=True, help="Replace the tvt files in a non-empty output folder.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    help="Also write the import report as JSON to this file.",
)
def import_cmd(src: Path, out: Path, force: bool, report_path: Path | None) -> None:
    """Read the public release layout into a native dataset folder.

    SRC holds conversations/{id}_{phase}_conversation.json and metadata/{id}_{phase}_metadata.json.
    Every known quirk of the release is repaired, and a report lists what was repaired, kept as
    given, or skipped (with counts and examples); nothing is dropped silently. Skipped
    conversations are also listed in the dataset's failures.jsonl.

    \b
    Examples:
      tvt import thousand-voices-release --out tvt-release-data
      tvt import release --out imported --report import-report.json
    """
    from tvt.cli._common import progress_bar
    from tvt.jsonio import write_json
    from tvt.outputs import check_output, check_output_folder
    from tvt.release import NothingUsable, import_release

    check_output_folder(out, inputs=[src])
    check_output(report_path, option="--report", inputs=[src])

    try:
        with progress_bar("import", "client") as advance:
            report = import_release(src, out, force=force, progress=advance)
    except NothingUsable as exc:
        click.echo(exc.report.render(), err=True)
        raise
    click.echo(report.render())
    if report_path is not None:
        write_json(report_path, report.to_dict())
    click.echo(f"wrote {out}")


@click.command("export")
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tvt-release", "hf"]),
    required=True,
    help="tvt-release: the public release layout. hf: flat JSONL files and a dataset card.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="Output folder.",
)
@click.option("--force", is_flag=True, help="Replace earlier export files in the output folder.")
def export_cmd(dataset: Path, fmt: str, out: Path, force: bool) -> None:
    """Write a native dataset in the release layout or for Hugging Face datasets.

    \b
    Examples:
      tvt export tvt-data --format tvt-release --out release
      tvt export tvt-data --format hf --out hf-data
    """
    from tvt.export_hf import export_hf
    from tvt.outputs import check_output_folder
    from tvt.release import export_release

    check_output_folder(out, inputs=[dataset])

    if fmt == "tvt-release":
        counts = export_release(dataset, out, force=force)
        click.echo(
            f"wrote {counts['conversations']} conversation files and {counts['metadata']} "
            f"metadata files to {out}"
        )
    else:
        counts = export_hf(dataset, out, force=force)
        parts = [f"{n} {name}" for name, n in counts.items() if n]
        click.echo(f"wrote {', '.join(parts)} rows and README.md to {out}")
