"""``tvt import`` and ``tvt export``: the public release layout and the Hugging Face layout."""

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
    help="tvt-release: the public release layout. hf: Parquet (or CSV) files in train/validation/"
    "test splits by client, and a dataset card.",
)
@click.option(
    "--file-format",
    type=click.Choice(["parquet", "csv"]),
    default="parquet",
    show_default=True,
    help="With --format hf: the data files' format (CSV holds nested columns as JSON text).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="Output folder.",
)
@click.option("--force", is_flag=True, help="Replace earlier export files in the output folder.")
def export_cmd(dataset: Path, fmt: str, file_format: str, out: Path, force: bool) -> None:
    """Write a native dataset in the release layout or for Hugging Face datasets.

    The Hugging Face layout loads with `datasets.load_dataset("hf-data")`: configs
    conversations (default), cases and reference, each split train / validation / test by
    client (80/10/10, the same client in the same split everywhere).

    \b
    Examples:
      tvt export tvt-data --format tvt-release --out release
      tvt export tvt-data --format hf --out hf-data
      tvt export tvt-data --format hf --file-format csv --out hf-csv
    """
    from tvt.errors import InputError
    from tvt.export_hf import export_hf
    from tvt.outputs import check_output_folder
    from tvt.release import export_release

    source = click.get_current_context().get_parameter_source("file_format")
    if fmt != "hf" and source is click.core.ParameterSource.COMMANDLINE:
        raise InputError("--file-format applies to --format hf only", field="--file-format")
    check_output_folder(out, inputs=[dataset])

    if fmt == "tvt-release":
        counts = export_release(dataset, out, force=force)
        click.echo(
            f"wrote {counts['conversations']} conversation files and {counts['metadata']} "
            f"metadata files to {out}"
        )
    else:
        done = export_hf(dataset, out, force=force, file_format=file_format)
        parts = [
            f"{name} " + "/".join(str(by.get(s, 0)) for s in ("train", "validation", "test"))
            for name, by in done.rows.items()
        ]
        click.echo(
            f"wrote {file_format} rows (train/validation/test) {', '.join(parts)} and README.md "
            f"(license {done.license}) to {out}"
        )
