"""The score report as types: what ``tvt score`` computes, and its JSON form.

:class:`ScoreReport` is what the library returns (``report.s_abs``, ``report.pearson.mean``);
:meth:`ScoreReport.to_dict` is the JSON document of ``tvt score --json`` and ``--out``
(``schemas/report.schema.json``), key for key and in the same order, so that the written report
does not change with the representation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tvt.metrics import CIMethod, MetricStats, defined
from tvt.phases import BENCHMARK_ORDER
from tvt.records import (
    BaselineDoc,
    ClientScore,
    InputsDoc,
    MetricDoc,
    OutputsDoc,
    PhaseDoc,
    ReferenceDoc,
    ScoreReportDoc,
)

if TYPE_CHECKING:
    import pandas as pd

REPORT_FORMAT = "tvt-score-report"
REPORT_VERSION = "1.0"


def _pair(value: tuple[float, float] | None) -> list[float] | None:
    return None if value is None else [value[0], value[1]]


@dataclass(frozen=True)
class MetricSummary:
    """Mean, sample SD and 95 % confidence interval of the client mean of one metric."""

    mean: float
    sd: float | None
    ci95: tuple[float, float] | None

    @classmethod
    def from_stats(cls, stats: MetricStats) -> MetricSummary:
        ci = stats["ci95"]
        return cls(defined(stats["mean"]), stats["sd"], None if ci is None else (ci[0], ci[1]))

    def to_dict(self) -> MetricDoc:
        return {"mean": self.mean, "sd": self.sd, "ci95": _pair(self.ci95)}


@dataclass(frozen=True)
class PhaseSummary:
    """Errors and means of one phase over the scored clients that have it on both sides."""

    name: str
    n: int
    mae: float | None
    bias: float | None
    model_mean: float | None
    model_sd: float | None
    reference_mean: float | None
    reference_sd: float | None

    def to_dict(self) -> PhaseDoc:
        return {
            "name": self.name,
            "n": self.n,
            "mae": self.mae,
            "bias": self.bias,
            "model_mean": self.model_mean,
            "model_sd": self.model_sd,
            "reference_mean": self.reference_mean,
            "reference_sd": self.reference_sd,
        }


@dataclass(frozen=True)
class OutputsInput:
    """The outputs file a report was computed from."""

    path: str
    sha256: str
    records: int

    def to_dict(self) -> OutputsDoc:
        return {"path": self.path, "sha256": self.sha256, "records": self.records}


@dataclass(frozen=True)
class ReferenceInput:
    """The reference a report was computed against (``fingerprint``: of its dataset, if known)."""

    path: str
    file: str
    sha256: str
    fingerprint: str | None
    sources: tuple[str, ...]
    records: int

    def to_dict(self) -> ReferenceDoc:
        return {
            "path": self.path,
            "file": self.file,
            "sha256": self.sha256,
            "fingerprint": self.fingerprint,
            "sources": list(self.sources),
            "records": self.records,
        }


@dataclass(frozen=True)
class Inputs:
    outputs: OutputsInput
    reference: ReferenceInput

    def to_dict(self) -> InputsDoc:
        return {"outputs": self.outputs.to_dict(), "reference": self.reference.to_dict()}


@dataclass(frozen=True)
class Baseline:
    """Mean Pearson, DTW and RMSE of an earlier report (``tvt score --baseline``)."""

    path: str
    sha256: str
    pearson: float
    dtw: float
    rmse: float


@dataclass(frozen=True)
class BaselineComparison:
    """A baseline and the ratios against it, each > 1 when the model is better."""

    baseline: Baseline
    r_corr: float | None
    r_dtw: float | None
    r_rmse: float | None

    def to_dict(self) -> BaselineDoc:
        b = self.baseline
        return {
            "path": b.path,
            "sha256": b.sha256,
            "pearson": b.pearson,
            "dtw": b.dtw,
            "rmse": b.rmse,
            "r_corr": self.r_corr,
            "r_dtw": self.r_dtw,
            "r_rmse": self.r_rmse,
        }


@dataclass(frozen=True)
class ScoreReport:
    """The benchmark report of one set of model outputs against one reference.

    ``missing``, ``incomplete`` and ``excluded`` list client ids (see docs/benchmark.md for the
    coverage rules); ``unreferenced`` lists ``(client_id, phase)`` output values the reference has
    no value for; ``ci`` describes how the intervals were computed. ``inputs`` is ``None`` for
    trajectories scored in memory (there is no file to name or hash).
    """

    pearson: MetricSummary
    dtw: MetricSummary
    rmse: MetricSummary
    s_abs: float
    s_abs_ci95: tuple[float, float] | None
    n_scored: int
    n_reference: int
    n_output_clients: int
    missing: tuple[int, ...]
    incomplete: tuple[int, ...]
    excluded: tuple[int, ...]
    unreferenced: tuple[tuple[int, str], ...]
    undefined_pearson: int
    per_phase: dict[str, PhaseSummary]
    ci: CIMethod
    models: tuple[str, ...]
    tvt_version: str
    inputs: Inputs | None = None
    baseline: BaselineComparison | None = None
    format: str = REPORT_FORMAT
    format_version: str = REPORT_VERSION
    #: One record per reference client: status, phases scored, Pearson, DTW, RMSE (not part of
    #: the JSON report; ``tvt score --per-client`` writes them).
    #: A sequence built when first read (:class:`tvt.scoring.core.ClientScores`).
    clients: Sequence[ClientScore] = field(default=(), repr=False, compare=False)

    def to_pandas(self) -> pd.DataFrame:
        """The per-client records as a DataFrame, one row per reference client.

        Needs pandas (``pip install 'tvt[pandas]'``).
        """
        from tvt.frames import frame

        return frame(list(self.clients), columns=list(ClientScore.__annotations__))

    def to_dict(self) -> ScoreReportDoc:
        """The JSON report (``schemas/report.schema.json``)."""
        out: ScoreReportDoc = {
            "format": self.format,
            "format_version": self.format_version,
            "tvt_version": self.tvt_version,
            "pearson": self.pearson.to_dict(),
            "dtw": self.dtw.to_dict(),
            "rmse": self.rmse.to_dict(),
            "s_abs": self.s_abs,
            "s_abs_ci95": _pair(self.s_abs_ci95),
            "n_scored": self.n_scored,
            "n_reference": self.n_reference,
            "n_output_clients": self.n_output_clients,
            "missing": list(self.missing),
            "incomplete": list(self.incomplete),
            "excluded": list(self.excluded),
            "unreferenced": [[cid, phase] for cid, phase in self.unreferenced],
            "undefined_pearson": self.undefined_pearson,
            "per_phase": {p: self.per_phase[p].to_dict() for p in BENCHMARK_ORDER},
            "ci": {**self.ci},
            "models": list(self.models),
        }
        if self.inputs is not None:
            out["inputs"] = self.inputs.to_dict()
        if self.baseline is not None:
            out["baseline"] = self.baseline.to_dict()
        return out
