"""The Python API: the whole workflow from a script or a notebook.

::

    import tvt
    ds = tvt.generate(seed=42, clients=50)            # in memory; ds.write("tvt-data") to save
    audit = tvt.audit(ds)                              # audit.to_pandas(): one row per check
    stats = tvt.stats(ds)                              # stats.plot("stats.png")
    preds = tvt.rate(ds, rater="lexical")
    report = tvt.score(preds, ds.reference)            # report.s_abs, report.to_pandas()
    tvt.export(ds, format="hf", out="hf-data")         # Parquet splits for `datasets`

These functions are the command line's workflows without the printing: they return typed
objects, raise :class:`~tvt.errors.InputError` for bad input (worded for Python: ``rater=``,
not ``--rater``) and :class:`~tvt.errors.WorkFailed` for work that failed, and never print or
exit. Paths may be ``str`` or :class:`~pathlib.Path`. A dataset written with
:meth:`Dataset.write` has the same bytes as ``tvt generate`` with the same settings.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import orjson

from tvt.backends import BACKENDS, GenerationRequest
from tvt.card import write_card
from tvt.compose import COMPOSER_VERSION
from tvt.config import Config, load_config
from tvt.dataset import (
    DATA_FILES,
    DatasetWriter,
    base_manifest,
    fingerprint,
    iter_records,
    load_manifest,
    manifest_head,
    prepare_output,
    resolve_dataset,
)
from tvt.errors import InputError
from tvt.export_hf import HFExport, export_hf_records, hf_conversation_row
from tvt.frames import frame
from tvt.jsonio import atomic_writer, dumps_generated, iter_jsonl, write_json, write_jsonl
from tvt.pipeline import parse_phases, render_chunk
from tvt.raters.registry import RATERS, InMemoryRater
from tvt.records import (
    BackendInfo,
    Case,
    Conversation,
    Failure,
    FileEntry,
    Manifest,
    ManifestHead,
    RatingLine,
    ReferenceRow,
    read_cases,
    read_conversations,
    read_references,
)
from tvt.scoring import (
    ScoreReport,
    load_outputs,
    load_reference,
    score_trajectories,
    trajectories_from_rows,
)
from tvt.scoring import score as score_files
from tvt.stats.types import StatsReport as StatsData

if TYPE_CHECKING:
    import pandas as pd

    from tvt.audit.types import AuditDocument, CheckDoc
    from tvt.release.report import ImportReport

PathLike = str | os.PathLike[str]

F = TypeVar("F", bound=Callable[..., Any])

_CHOSEN_FLAG = re.compile(r"--(rater|backend) ([\w.:-]+)")
_FLAG = re.compile(r"(?<![\w-])--([a-z][a-z0-9-]*)")


def _api_words(text: str) -> str:
    """A sentence of the command line in the API's words: ``--rater openai`` -> ``rater='openai'``,
    ``--base-url`` -> ``base_url=``."""
    text = _CHOSEN_FLAG.sub(lambda m: f"{m.group(1)}={m.group(2)!r}", text)
    return _FLAG.sub(lambda m: m.group(1).replace("-", "_") + "=", text)


def _speaks_python(func: F) -> F:
    """Reword the ``InputError`` of the stages below (written for the command line) for Python
    callers: the same error object (and class), its field and sentence named as arguments."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            exc.reason = _api_words(exc.reason)
            if exc.field and exc.field.startswith("--"):
                exc.field = exc.field[2:].replace("-", "_")
            exc.args = (exc.render(),)
            raise

    return cast(F, wrapper)


#: The data files of a dataset and the :class:`Dataset` attribute holding each.
_FILES = {
    "cases.jsonl": "cases",
    "conversations.jsonl": "conversations",
    "reference.jsonl": "reference",
    "failures.jsonl": "failures",
}


# -- datasets -------------------------------------------------------------------------------------
@dataclass(repr=False)
class Dataset:
    """A dataset held in memory: its records (typed dicts, as in the files) and its manifest.

    ``manifest`` is the manifest the dataset's files have (or would have once written), with
    their sha256 and the dataset fingerprint. :meth:`to_pandas` gives one row per
    conversation, :meth:`turns_to_pandas` one row per turn.
    """

    cases: list[Case]
    conversations: list[Conversation]
    reference: list[ReferenceRow]
    manifest: Manifest
    failures: list[Failure] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"Dataset(clients={len(self.cases)}, conversations={len(self.conversations)}, "
            f"fingerprint={str(self.manifest.get('fingerprint'))[:12]!r})"
        )

    def _texts(self) -> dict[str, tuple[str, int]]:
        """Each data file's JSON Lines text and record count (files without records left out)."""
        out = {}
        for name, attr in _FILES.items():
            records = getattr(self, attr)
            if records:
                out[name] = ("".join(dumps_generated(r) + "\n" for r in records), len(records))
        return out

    def to_pandas(self) -> pd.DataFrame:
        """One row per conversation: ids, phase, the profile flattened, the reference
        intensity, ``risk_moment``, ``num_turns`` and ``turns`` (the columns of the ``hf``
        export's conversations). Needs pandas (``pip install 'tvt[pandas]'``)."""
        from tvt.export_hf import COLUMNS

        cases = {c["client_id"]: c for c in self.cases}
        refs = {r["client_id"]: r for r in self.reference}
        rows = []
        for conv in self.conversations:
            case = cases.get(conv["client_id"])
            if case is None:
                raise InputError(f"conversation of client {conv['client_id']}, who has no case")
            rows.append(hf_conversation_row(conv, case, refs.get(conv["client_id"])))
        return frame(rows, [name for name, _kind in COLUMNS["conversations"]])

    def turns_to_pandas(self) -> pd.DataFrame:
        """One row per turn: ``client_id``, ``phase``, ``turn`` (0-based), ``speaker``,
        ``text``, ``suds`` (0-100 or None), ``act``. Needs pandas."""
        rows = [
            {
                "client_id": conv["client_id"],
                "phase": conv["phase"],
                "turn": i,
                "speaker": t["speaker"],
                "text": t["text"],
                "suds": t.get("suds"),
                "act": t.get("act"),
            }
            for conv in self.conversations
            for i, t in enumerate(conv["turns"])
        ]
        return frame(rows, ["client_id", "phase", "turn", "speaker", "text", "suds", "act"])

    def transcript(self, client_id: int, phase: str | None = None, *, width: int = 100) -> str:
        """One client's conversations (one phase, or all six) as ``tvt show`` prints them when
        piped: numbered turns, the stated SUDS and the dialogue act in the right margin."""
        from tvt.phases import PHASE_INDEX
        from tvt.show import Transcript, render_plain

        if phase is not None and phase not in PHASE_INDEX:
            raise InputError(f"unknown phase {phase!r}", field="phase")
        convs = [
            c
            for c in self.conversations
            if c["client_id"] == client_id and (phase is None or c["phase"] == phase)
        ]
        if not convs:
            what = f"a {phase} conversation" if phase else "conversations"
            raise InputError(f"client {client_id} has no {what} in this dataset", field="client_id")
        convs.sort(key=lambda c: PHASE_INDEX[c["phase"]])
        case = next((c for c in self.cases if c["client_id"] == client_id), None)
        ref = next((r for r in self.reference if r["client_id"] == client_id), None)
        return render_plain(Transcript(client_id, case, convs, ref), width)

    def conversation(self, client_id: int, phase: str) -> Conversation:
        """The conversation of one client and phase (``InputError`` if there is none)."""
        for conv in self.conversations:
            if conv["client_id"] == client_id and conv["phase"] == phase:
                return conv
        raise InputError(f"no conversation of client {client_id} in phase {phase}")

    def write(self, out: PathLike, *, force: bool = False) -> Manifest:
        """Write the dataset folder (atomically, with its card) and return the manifest written.

        Refuses a non-empty folder unless ``force`` (which replaces the tvt files in it).
        """
        folder = Path(out)
        prepare_output(folder, force)
        made = manifest_head(self.manifest)
        with DatasetWriter(folder, made, finalize=write_card) as writer:
            for name, (text, lines) in self._texts().items():
                writer.write_text(name, text, lines)
            self.manifest = writer.commit()
        return self.manifest


def _with_files(made: ManifestHead, texts: Mapping[str, tuple[str, int]]) -> Manifest:
    """The manifest ``made`` completed as the dataset writer completes it, without writing."""
    files: dict[str, FileEntry] = {}
    hashes: dict[str, str] = {}
    for name in DATA_FILES:
        if name in texts:
            data = texts[name][0].encode("utf-8")
            hashes[name] = hashlib.sha256(data).hexdigest()
            files[name] = FileEntry(sha256=hashes[name], bytes=len(data), records=texts[name][1])
    return {**made, "files": files, "fingerprint": fingerprint(hashes)}


def _config(preset: str, config: Config | PathLike | None) -> Config:
    if isinstance(config, Config):
        return config
    return load_config(preset, None if config is None else Path(config))


def _phases(phases: str | Sequence[str] | None) -> list[str]:
    """``None`` -> all six; ``[]`` -> none (cases and references only); else checked, ordered."""
    if phases is None or isinstance(phases, str):
        return parse_phases(phases)
    return parse_phases(",".join(phases)) if phases else []


@_speaks_python
def generate(
    seed: int,
    clients: int = 500,
    *,
    preset: str = "default",
    config: Config | PathLike | None = None,
    phases: str | Sequence[str] | None = None,
    backend: str = "offline",
    out: PathLike | None = None,
    force: bool = False,
    **options: Any,
) -> Dataset:
    """Generate a dataset: ``clients`` clients from ``seed``, six phase conversations each.

    With the offline backend and no ``out`` the dataset is built in memory. With ``out`` (or
    another ``backend``, such as ``"openai"`` with ``model=...`` and the other ``tvt generate``
    LLM settings as keyword arguments) it is written to ``out`` (a temporary folder if ``out``
    is None) and read back. ``config`` is a :class:`~tvt.config.Config` or a config file path
    (it overrides ``preset``); ``phases`` is a subset such as ``"P5,P10"`` or ``["P5", "P10"]``
    (default: all six; ``[]`` for cases and references only). Conversations an LLM backend
    could not produce are listed in ``Dataset.failures`` (failures.jsonl), not raised.
    """
    if type(seed) is not int or seed < 0:
        raise InputError("seed must be an integer >= 0", field="seed")
    if type(clients) is not int or clients < 1:
        raise InputError("clients must be a positive integer", field="clients")
    cfg = _config(preset, config)
    phase_list = _phases(phases)
    if backend == "offline" and out is None and not options:
        return _generate_in_memory(seed, clients, cfg, phase_list)
    chosen = BACKENDS.check_options(backend, options, api=True)
    request = GenerationRequest(seed, clients, cfg, phase_list, force)
    if out is not None:
        chosen.generate(Path(out), request, options=options, progress=None)
        return load(out)
    with tempfile.TemporaryDirectory(prefix="tvt-generate-") as tmp:
        chosen.generate(Path(tmp), request, options=options, progress=None)
        return load(tmp)


def _generate_in_memory(seed: int, clients: int, config: Config, phases: list[str]) -> Dataset:
    # render_chunk is what `tvt generate` writes, so the texts here are the files' bytes.
    texts = render_chunk(config, seed, 1, clients, tuple(phases)).files
    backend: BackendInfo = {"name": "offline", "composer_version": COMPOSER_VERSION}
    made = base_manifest(seed=seed, clients=clients, config=config, backend=backend, phases=phases)
    records = {
        _FILES[name]: [orjson.loads(line) for line in text.splitlines()]
        for name, (text, _lines) in texts.items()
    }
    return Dataset(
        cases=records.get("cases", []),
        conversations=records.get("conversations", []),
        reference=records.get("reference", []),
        manifest=_with_files(made, texts),
    )


@_speaks_python
def load(folder: PathLike) -> Dataset:
    """Read a dataset folder (``tvt generate`` or ``tvt import`` output) into memory."""
    path = resolve_dataset(Path(folder))
    manifest = load_manifest(path)
    if manifest is None:
        raise InputError("dataset folder has no manifest.json", path=path)
    return Dataset(
        cases=[rec for _line, rec in read_cases(path)],
        conversations=[rec for _line, rec in read_conversations(path)],
        reference=[rec for _line, rec in read_references(path)],
        failures=[cast(Failure, rec) for _line, rec in iter_records(path, "failures.jsonl")],
        manifest=manifest,
    )


# -- rating ---------------------------------------------------------------------------------------
@dataclass(repr=False)
class Predictions:
    """Ratings held in memory: the lines a rater gives (model outputs, or a reference).

    ``summary`` is the rater's account of the run (counts, conversations not rated); it names
    no file, since nothing was written. :meth:`write` writes the lines for ``tvt score``.
    """

    records: list[RatingLine]
    rater: str
    summary: Mapping[str, object] = field(default_factory=dict)  # the rater's own account
    #: one sentence when some conversations could not be rated (they are in ``summary``)
    failure: str | None = None

    def __repr__(self) -> str:
        return f"Predictions(rater={self.rater!r}, lines={len(self.records)})"

    def write(self, path: PathLike) -> Path:
        """Write the lines as JSON Lines (atomically), ready for ``tvt score``."""
        write_jsonl(Path(path), self.records)
        return Path(path)

    def to_pandas(self) -> pd.DataFrame:
        """One row per (client, phase) rated: ``client_id``, ``phase``, ``intensity``, and the
        ``model`` or ``source`` label. Needs pandas."""
        rows = []
        for rec in self.records:
            raw = cast(Mapping[str, Any], rec)
            label = raw.get("model", raw.get("source"))
            if "trajectory" in raw:
                for phase, value in raw["trajectory"].items():
                    rows.append((raw["client_id"], phase, value, label))
            else:
                rows.append((raw["client_id"], raw["phase"], raw["intensity"], label))
        cols = ["client_id", "phase", "intensity", "label"]
        return frame([dict(zip(cols, r, strict=True)) for r in rows], cols)


@_speaks_python
def rate(
    dataset: Dataset | PathLike,
    rater: str = "lexical",
    *,
    as_reference: bool = False,
    **options: Any,
) -> Predictions:
    """Rate every conversation of a dataset (in memory or a folder) with a registered rater.

    ``options`` are the rater's settings, named as the ``tvt rate`` flags it reads (for example
    ``signals="language"`` for the lexical rater, ``model=...`` and ``base_url=...`` for the
    openai rater). Conversations the rater could not rate are left out and listed in
    ``summary``; nothing is printed. With ``as_reference`` the lines are a reference.

    The built-in raters rate the conversations where they are (no temporary folder); a plugin
    rater that only reads folders is handed a temporary copy of an in-memory dataset.
    """
    chosen = RATERS.check_options(rater, options, api=True)
    if isinstance(chosen, InMemoryRater):
        conversations = (
            dataset.conversations
            if isinstance(dataset, Dataset)
            else [c for _l, c in read_conversations(resolve_dataset(Path(dataset)), required=True)]
        )
        if not conversations:
            raise InputError("the dataset has no conversations to rate", field="dataset")
        got = chosen.rate_records(
            conversations, as_reference=as_reference, options=options, progress=None
        )
        return Predictions(got.records, rater, got.summary, got.failure)
    with tempfile.TemporaryDirectory(prefix="tvt-rate-") as tmp:
        if isinstance(dataset, Dataset):
            folder = Path(tmp) / "dataset"
            folder.mkdir()
            write_jsonl(folder / "conversations.jsonl", dataset.conversations)
        else:
            folder = Path(dataset)
        out = Path(tmp) / "ratings.jsonl"
        run = chosen.rate(folder, out, as_reference=as_reference, options=options, progress=None)
        records = [rec for _line, rec in iter_jsonl(out)] if out.stat().st_size else []
        # The files were temporary: the summary must not point at them.
        summary = {
            k: v for k, v in run.summary.items() if not (isinstance(v, str) and v.startswith(tmp))
        }
    return Predictions(cast(list[RatingLine], records), rater, summary, run.failure)


# -- scoring --------------------------------------------------------------------------------------
def _rows(value: Any) -> Iterable[Any] | None:
    """The in-memory rows of ``value``, or None when it names a file or folder."""
    if isinstance(value, (str, os.PathLike)):
        return None
    if isinstance(value, Predictions):
        return value.records
    if isinstance(value, Dataset):
        return value.reference
    return value


@_speaks_python
def score(
    predictions: Predictions | Iterable[Mapping[str, Any]] | PathLike,
    reference: Dataset | Iterable[Mapping[str, Any]] | PathLike,
    *,
    require_complete: bool = False,
    bootstrap_seed: int = 0,
) -> ScoreReport:
    """Score predictions against a reference, in memory or from files (no file is written).

    ``predictions`` is a :class:`Predictions`, a list of output lines or an outputs file;
    ``reference`` is a list of reference lines (``ds.reference``), a :class:`Dataset`, a
    ``reference.jsonl`` or a dataset folder. The same rules as ``tvt score`` apply.
    """
    out_rows, ref_rows = _rows(predictions), _rows(reference)
    if out_rows is None and ref_rows is None:
        result = score_files(
            Path(cast(PathLike, predictions)),
            Path(cast(PathLike, reference)),
            require_complete=require_complete,
            bootstrap_seed=bootstrap_seed,
        )
        return result.report
    out = (
        load_outputs(Path(cast(PathLike, predictions)))
        if out_rows is None
        else trajectories_from_rows(out_rows, "outputs", name="<predictions>")
    )
    ref = (
        load_reference(Path(cast(PathLike, reference)))
        if ref_rows is None
        else trajectories_from_rows(ref_rows, "reference", name="<reference>")
    )
    result = score_trajectories(
        out, ref, require_complete=require_complete, bootstrap_seed=bootstrap_seed
    )
    return result.report


# -- audit ----------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class AuditReport:
    """What ``tvt audit`` reports: every check's flagged and eligible units, the measures.

    ``document`` is the JSON report of ``tvt audit --json``; :meth:`to_pandas` gives one row
    per check, :meth:`render` the command's text table and :meth:`write_html` its HTML page.
    """

    document: AuditDocument

    def __repr__(self) -> str:
        ds = self.document["dataset"]
        flagged = sum(1 for c in self.checks.values() if c["flagged"])
        return (
            f"AuditReport(conversations={ds['conversations']}, clients={ds['clients']}, "
            f"checks={len(self.checks)}, checks_flagging={flagged})"
        )

    @property
    def checks(self) -> dict[str, CheckDoc]:
        """Check id -> its figures (``family``, ``title``, ``unit``, ``flagged``, ``eligible``,
        ``rate``, ``rule``, ``why``, ``examples``)."""
        return self.document["checks"]

    @property
    def measures(self) -> dict[str, float | None]:
        return self.document["measures"]

    def to_dict(self) -> AuditDocument:
        return self.document

    def to_pandas(self) -> pd.DataFrame:
        """One row per check: ``check``, ``family``, ``title``, ``unit``, ``flagged``,
        ``eligible``, ``rate``. Needs pandas."""
        cols = ["check", "family", "title", "unit", "flagged", "eligible", "rate"]
        rows = [{"check": cid, **{k: c.get(k) for k in cols[1:]}} for cid, c in self.checks.items()]
        return frame(rows, cols)

    def render(self) -> str:
        """The summary table ``tvt audit`` prints."""
        from tvt.audit.report import render_text

        return render_text(self.document)

    def write_html(self, path: PathLike) -> Path:
        """Write the self-contained HTML page of ``tvt audit --html`` (atomically)."""
        from tvt.audit.html import render_html

        with atomic_writer(Path(path)) as fh:
            fh.write(render_html(self.document))
        return Path(path)


def _as_folder(dataset: Dataset, tmp: str) -> Path:
    """An in-memory dataset as a folder, for the stages that read one (audit, release export)."""
    folder = Path(tmp) / "dataset"
    folder.mkdir()
    for name, (text, _lines) in dataset._texts().items():
        (folder / name).write_text(text, encoding="utf-8")
    write_json(folder / "manifest.json", dataset.manifest)
    return folder


@_speaks_python
def audit(dataset: Dataset | PathLike, *, rules: PathLike | None = None) -> AuditReport:
    """Audit a dataset (in memory or a folder) for PE fidelity, consistency, safety and diversity.

    ``rules`` is an edited copy of the rules file (default: the shipped rules). The checks and
    their blind spots are in docs/audit.md.
    """
    from tvt.audit.checks import audit_dataset
    from tvt.audit.report import to_document
    from tvt.audit.rules import load_rules

    chosen = load_rules(None if rules is None else Path(rules))
    if not isinstance(dataset, Dataset):
        return AuditReport(to_document(audit_dataset(Path(dataset), chosen, workers=1)))
    if not dataset.conversations:
        raise InputError("the dataset has no conversations to audit", field="dataset")
    # The audit reads a folder; an in-memory dataset is handed over as one, then named as such.
    with tempfile.TemporaryDirectory(prefix="tvt-audit-") as tmp:
        doc = to_document(audit_dataset(_as_folder(dataset, tmp), chosen, workers=1))
    doc["dataset"]["folder"] = "<in memory>"
    return AuditReport(doc)


# -- stats ----------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class StatsReport:
    """What ``tvt stats`` reports: distributions against the design weights, chi-square
    p-values, and conversation figures. ``data`` is the JSON of ``tvt stats --json``."""

    data: StatsData

    def __repr__(self) -> str:
        return (
            f"StatsReport(clients={self.data['dataset']['clients']}, "
            f"targets={'yes' if self.data['targets']['available'] else 'no'})"
        )

    def to_dict(self) -> StatsData:
        return self.data

    def to_pandas(self) -> pd.DataFrame:
        """One row per (attribute, value): ``attribute``, ``value``, ``count``, ``percent``,
        ``target_percent`` (design weight, or None) and the attribute's chi-square ``p_value``.
        Needs pandas."""
        from tvt.stats.plot import distribution_rows

        cols = ["attribute", "value", "count", "percent", "target_percent", "p_value"]
        return frame(distribution_rows(self.data), cols)

    def render(self) -> str:
        """The tables ``tvt stats`` prints."""
        from tvt.stats import render_stats

        return render_stats(self.data)

    def plot(self, path: PathLike) -> Path:
        """Write the distributions against the design weights as one PNG (``--plot``)."""
        from tvt.stats.plot import plot_stats

        plot_stats(self.data, Path(path))
        return Path(path)

    def write_html(self, path: PathLike) -> Path:
        """Write a self-contained HTML page of the figures and the plot (``--html``)."""
        from tvt.stats.plot import render_stats_html

        with atomic_writer(Path(path)) as fh:
            fh.write(render_stats_html(self.data))
        return Path(path)


@_speaks_python
def stats(
    dataset: Dataset | PathLike,
    *,
    against: str | None = None,
    config: PathLike | None = None,
) -> StatsReport:
    """The distributions of a dataset against its design weights (and with ``against="paper"``,
    the paper's figures). ``config`` is the config file the dataset was made with when it was
    not a preset."""
    from tvt.stats import compute_stats, stats_of_records

    config_path = None if config is None else Path(config)
    if against not in (None, "paper"):
        raise InputError(f"against must be 'paper' or None, not {against!r}", field="against")
    if not isinstance(dataset, Dataset):
        return StatsReport(compute_stats(Path(dataset), against=against, config_path=config_path))
    data = stats_of_records(
        dataset.cases,
        dataset.conversations,
        dataset.manifest,
        against=against,
        config_path=config_path,
    )
    return StatsReport(data)


# -- export and import ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportResult:
    """What :func:`export` wrote: the folder, the format and the rows (or files) per part."""

    out: Path
    format: str
    counts: dict[str, int]
    #: ``hf`` only: config -> split -> rows
    splits: dict[str, dict[str, int]] = field(default_factory=dict)


EXPORT_FORMATS = ("hf", "tvt-release")


@_speaks_python
def export(
    dataset: Dataset | PathLike,
    *,
    format: str,
    out: PathLike,
    file_format: str = "parquet",
    force: bool = False,
) -> ExportResult:
    """Export a dataset: ``format="hf"`` for Hugging Face ``datasets`` (Parquet, or CSV with
    ``file_format="csv"``, in train/validation/test splits by client) or ``"tvt-release"``
    for the paper's public release layout. ``out`` must be new or empty unless ``force``."""
    out = Path(out)
    if format not in EXPORT_FORMATS:
        raise InputError(
            f"unknown format {format!r} (known: {', '.join(EXPORT_FORMATS)})", field="format"
        )
    if format != "hf" and file_format != "parquet":
        raise InputError("file_format applies to format='hf' only", field="file_format")
    if format == "hf":
        if isinstance(dataset, Dataset):
            done: HFExport = export_hf_records(
                dataset.cases,
                dataset.conversations,
                dataset.reference,
                dataset.manifest,
                out,
                force=force,
                file_format=file_format,
            )
        else:
            from tvt.export_hf import export_hf

            done = export_hf(Path(dataset), out, force=force, file_format=file_format)
        return ExportResult(Path(out), format, done.counts(), done.rows)
    from tvt.release import export_release

    if not isinstance(dataset, Dataset):
        return ExportResult(Path(out), format, export_release(Path(dataset), out, force=force))
    with tempfile.TemporaryDirectory(prefix="tvt-export-") as tmp:
        counts = export_release(_as_folder(dataset, tmp), out, force=force)
    return ExportResult(Path(out), format, counts)


@dataclass(frozen=True, repr=False)
class ImportResult:
    """The imported dataset and the import report (what was repaired, kept or skipped)."""

    dataset: Dataset
    report: ImportReport

    def __repr__(self) -> str:
        return f"ImportResult({self.dataset!r})"


@_speaks_python
def import_release(
    path: PathLike, *, out: PathLike | None = None, force: bool = False
) -> ImportResult:
    """Read the paper's public release layout (``conversations/`` and ``metadata/``).

    With ``out`` the native dataset folder is written there too (as ``tvt import``); without,
    it is only returned. Every repair is listed in the report; nothing is dropped silently.
    """
    from tvt.release import import_release as import_folder

    if out is not None:
        report = import_folder(Path(path), Path(out), force=force)
        return ImportResult(load(out), report)
    with tempfile.TemporaryDirectory(prefix="tvt-import-") as tmp:
        report = import_folder(Path(path), Path(tmp) / "dataset")
        return ImportResult(load(Path(tmp) / "dataset"), report)


__all__ = [
    "AuditReport",
    "Dataset",
    "ExportResult",
    "ImportResult",
    "Predictions",
    "ScoreReport",
    "StatsReport",
    "audit",
    "export",
    "generate",
    "import_release",
    "load",
    "rate",
    "score",
    "stats",
]
