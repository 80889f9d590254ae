"""What ``tvt score`` shows and writes besides the JSON report: the terminal table and the
per-client metrics file."""

from __future__ import annotations

import csv
from pathlib import Path

from tvt import jsonio
from tvt.metrics import CIMethod
from tvt.records import ClientScore
from tvt.scoring.core import ScoreResult
from tvt.scoring.report import MetricSummary, ScoreReport
from tvt.tables import text_table

#: How many client ids a list of missing, incomplete or excluded clients shows.
ID_PREVIEW = 20


def per_client_records(result: ScoreResult) -> list[ClientScore]:
    """One record per reference client: status, phases scored and the three metrics."""
    return list(result.report.clients)


def write_per_client(result: ScoreResult, path: str | Path) -> None:
    """Write per-client metrics as JSON Lines, or CSV when ``path`` ends in ``.csv``."""
    path = Path(path)
    recs = per_client_records(result)
    if path.suffix.lower() == ".csv":
        with jsonio.atomic_writer(path) as fh:
            cols = list(recs[0]) if recs else ["client_id"]
            w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
            w.writeheader()
            w.writerows(recs)
    else:
        jsonio.write_jsonl(path, recs)


def _f(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _interval(ci: tuple[float, float] | None) -> str:
    return f"[{_f(ci[0])}, {_f(ci[1])}]" if ci else "-"


def _heading(report: ScoreReport) -> list[str]:
    lines = []
    if report.inputs is not None:
        ref = report.inputs.reference
        src = ", ".join(ref.sources) or "unlabelled"
        fp = f", fingerprint {ref.fingerprint[:12]}" if ref.fingerprint else ""
        models = f"  (model: {', '.join(report.models)})" if report.models else ""
        lines += [
            f"outputs   {report.inputs.outputs.path}{models}",
            f"reference {ref.file}  (source: {src}{fp})",
        ]
    lines.append(
        f"clients   {report.n_scored} scored of {report.n_reference} in the reference; "
        f"{len(report.missing)} missing, {len(report.incomplete)} incomplete, "
        f"{len(report.excluded)} excluded; Pearson undefined (constant trajectory, scored 0) "
        f"for {report.undefined_pearson}"
    )
    return lines


def _metric_table(report: ScoreReport) -> str:
    rows: list[list[str]] = []
    metrics: tuple[tuple[MetricSummary, str, str], ...] = (
        (report.pearson, "Pearson", "higher is better"),
        (report.dtw, "DTW", "lower is better"),
        (report.rmse, "RMSE", "lower is better"),
    )
    for st, label, better in metrics:
        rows.append([label, _f(st.mean), _f(st.sd), _interval(st.ci95), better])
    rows.append(["S_abs", _f(report.s_abs), "", _interval(report.s_abs_ci95), "composite"])
    return text_table(["metric", "mean", "SD", "95% CI", ""], rows, align="lrrll", gap=3)


def _ci_line(ci: CIMethod) -> str:
    if ci["method"] == "percentile bootstrap":
        return f"CI: {ci['method']} ({ci['resamples']} resamples, seed {ci['seed']})"
    return f"CI: {ci['method']} ({ci.get('reason', '')})"


def _phase_table(report: ScoreReport) -> str:
    rows = []
    for phase, st in report.per_phase.items():
        if st.bias is None:
            rows.append([phase, str(st.n), "-", "-", "-", "-", st.name])
        else:
            rows.append(
                [
                    phase,
                    str(st.n),
                    _f(st.model_mean, 2),
                    _f(st.reference_mean, 2),
                    _f(st.mae, 2),
                    f"{st.bias:+.2f}",
                    st.name,
                ]
            )
    header = ["phase", "n", "model", "ref", "MAE", "bias", "name"]
    return text_table(header, rows, align="lrrrrrl")


def format_table(report: ScoreReport) -> str:
    """The report as readable text tables (what ``tvt score`` prints by default)."""
    lines = _heading(report)
    lines += ["", _metric_table(report), _ci_line(report.ci), "", _phase_table(report)]
    if report.baseline is not None:
        c, b = report.baseline, report.baseline.baseline
        lines += [
            "",
            f"vs baseline {b.path} (Pearson {_f(b.pearson)}, DTW {_f(b.dtw)}, "
            f"RMSE {_f(b.rmse)}): R_corr {_f(c.r_corr)}, R_dtw {_f(c.r_dtw)}, "
            f"R_rmse {_f(c.r_rmse)}  (> 1 means better than the baseline)",
        ]
    for label, ids in (
        ("missing", report.missing),
        ("incomplete", report.incomplete),
        ("excluded", report.excluded),
    ):
        if ids:
            shown = ", ".join(map(str, ids[:ID_PREVIEW]))
            lines.append(f"{label} clients: {shown}" + (" ..." if len(ids) > ID_PREVIEW else ""))
    if report.unreferenced:
        lines.append(
            f"{len(report.unreferenced)} output value(s) have no reference phase and were "
            "not scored (see 'unreferenced' in --json)"
        )
    return "\n".join(lines)
