"""The Python API: generate, load, rate and score from a script or a notebook.

::

    import tvt
    ds = tvt.generate(seed=42, clients=50)            # in memory; ds.write("tvt-data") to save
    preds = tvt.rate(ds, rater="lexical")
    report = tvt.score(preds, ds.reference)            # report.s_abs, report.pearson.mean, ...

These functions are the command line's workflows without the printing: they return objects,
raise :class:`~tvt.errors.InputError` for bad input and :class:`~tvt.errors.WorkFailed` for work
that failed, and never print or exit. Paths may be ``str`` or :class:`~pathlib.Path`. A dataset
written with :meth:`Dataset.write` has the same bytes as ``tvt generate`` with the same settings.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, cast

import orjson

from tvt.backends import GenerationRequest, get_backend
from tvt.card import write_card
from tvt.compose import COMPOSER_VERSION
from tvt.config import Config, load_config
from tvt.dataset import (
    DATA_FILES,
    DatasetWriter,
    base_manifest,
    fingerprint,
    iter_records,
    prepare_output,
    read_manifest,
    resolve_dataset,
)
from tvt.errors import InputError
from tvt.jsonio import dumps_generated, iter_jsonl, write_jsonl
from tvt.pipeline import parse_phases, render_chunk
from tvt.raters.registry import get_rater
from tvt.records import (
    Case,
    Conversation,
    ReferenceRow,
    read_cases,
    read_conversations,
    read_references,
)
from tvt.scoring import ScoreReport as TypedScoreReport
from tvt.scoring import (
    ScoreResult,
    load_outputs,
    load_reference,
    per_client_records,
    score_trajectories,
    trajectories_from_rows,
)
from tvt.scoring import score as score_files

PathLike = str | os.PathLike[str]

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
    """A dataset held in memory: its records (plain dicts, as in the files) and its manifest.

    ``manifest`` is the manifest the dataset's files have (or would have once written), with
    their sha256 and the dataset fingerprint.
    """

    cases: list[Case]
    conversations: list[Conversation]
    reference: list[ReferenceRow]
    manifest: dict[str, Any]
    failures: list[dict[str, Any]] = field(default_factory=list)

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

    def write(self, out: PathLike, *, force: bool = False) -> dict[str, Any]:
        """Write the dataset folder (atomically, with its card) and return the manifest written.

        Refuses a non-empty folder unless ``force`` (which replaces the tvt files in it).
        """
        folder = Path(out)
        prepare_output(folder, force)
        made = {k: v for k, v in self.manifest.items() if k not in ("files", "fingerprint")}
        with DatasetWriter(folder, made, finalize=write_card) as writer:
            for name, (text, lines) in self._texts().items():
                writer.write_text(name, text, lines)
            self.manifest = writer.commit()
        return self.manifest


def _with_files(made: dict[str, Any], texts: Mapping[str, tuple[str, int]]) -> dict[str, Any]:
    """The manifest ``made`` completed as the dataset writer completes it, without writing."""
    files, hashes = {}, {}
    for name in DATA_FILES:
        if name in texts:
            data = texts[name][0].encode("utf-8")
            hashes[name] = hashlib.sha256(data).hexdigest()
            files[name] = {"sha256": hashes[name], "bytes": len(data), "records": texts[name][1]}
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
    chosen = get_backend(backend)
    unknown = sorted(set(options) - set(getattr(chosen, "options", ())))
    if unknown:
        raise InputError(f"backend {backend!r} does not read option(s) {', '.join(unknown)}")
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
    backend = {"name": "offline", "composer_version": COMPOSER_VERSION}
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


def load(folder: PathLike) -> Dataset:
    """Read a dataset folder (``tvt generate`` or ``tvt import`` output) into memory."""
    path = resolve_dataset(Path(folder))
    manifest = read_manifest(path)
    if manifest is None:
        raise InputError("dataset folder has no manifest.json", path=path)
    return Dataset(
        cases=[rec for _line, rec in read_cases(path)],
        conversations=[rec for _line, rec in read_conversations(path)],
        reference=[rec for _line, rec in read_references(path)],
        failures=[rec for _line, rec in iter_records(path, "failures.jsonl")],
        manifest=manifest,
    )


# -- rating ---------------------------------------------------------------------------------------
@dataclass(repr=False)
class Predictions:
    """Ratings held in memory: the lines a rater writes (model outputs, or a reference)."""

    records: list[dict[str, Any]]
    rater: str
    summary: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Predictions(rater={self.rater!r}, clients={len(self.records)})"

    def write(self, path: PathLike) -> Path:
        """Write the lines as JSON Lines (atomically), ready for ``tvt score``."""
        write_jsonl(Path(path), self.records)
        return Path(path)


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
    """
    chosen = get_rater(rater)
    unknown = sorted(set(options) - set(getattr(chosen, "options", ())))
    if unknown:
        raise InputError(f"rater {rater!r} does not read option(s) {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="tvt-rate-") as tmp:
        if isinstance(dataset, Dataset):
            # A rater reads a dataset folder; one held in memory is handed over as one.
            folder = Path(tmp) / "dataset"
            folder.mkdir()
            write_jsonl(folder / "conversations.jsonl", dataset.conversations)
        else:
            folder = Path(dataset)
        out = Path(tmp) / "ratings.jsonl"
        run = chosen.rate(folder, out, as_reference=as_reference, options=options, progress=None)
        records = [rec for _line, rec in iter_jsonl(out)] if out.stat().st_size else []
    return Predictions(records, rater, run.summary)


# -- scoring --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScoreReport(TypedScoreReport):
    """The typed benchmark report (:class:`tvt.scoring.ScoreReport`) and the figures behind it.

    ``s_abs``, ``pearson.mean``, ``dtw.mean``, ``rmse.mean`` (and ``sd``, ``ci95``) are the
    headline figures; ``clients`` has one record per reference client (status, phases scored,
    Pearson, DTW, RMSE); :meth:`to_dict` is the JSON report ``tvt score --json`` prints.
    """

    clients: tuple[dict[str, Any], ...] = field(default=(), repr=False)

    @classmethod
    def of(cls, result: ScoreResult) -> ScoreReport:
        report = result.report
        values = {f.name: getattr(report, f.name) for f in fields(report)}
        return cls(**values, clients=tuple(per_client_records(result)))


def _rows(value: Any) -> Iterable[Any] | None:
    """The in-memory rows of ``value``, or None when it names a file or folder."""
    if isinstance(value, (str, os.PathLike)):
        return None
    if isinstance(value, Predictions):
        return value.records
    if isinstance(value, Dataset):
        return value.reference
    return value


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
        return ScoreReport.of(result)
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
    return ScoreReport.of(result)


__all__ = [
    "Dataset",
    "Predictions",
    "ScoreReport",
    "generate",
    "load",
    "rate",
    "score",
]
