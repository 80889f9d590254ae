"""From trajectories to the report: align outputs to the reference, apply the coverage rules,
compute the metrics per client and summarise them.

Coverage rules (documented in docs/benchmark.md):

* a reference client without any output is *missing*; the rest are scored and the missing ones
  listed (like the paper's N = 489);
* a client whose outputs lack some phase the reference has is *incomplete*: it is scored on the
  phases present in both, in benchmark order, if there are at least :data:`MIN_PHASES` of them,
  otherwise it is *excluded* (not scored) and listed;
* an output phase for which the reference has no value is listed under ``unreferenced``;
* ``require_complete=True`` turns any missing or incomplete client into an error.

Nothing here reads a file: the caller hands in :class:`~tvt.scoring.reader.Trajectories`, so
predictions held in memory are scored exactly as files are.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import NoReturn, overload

import numpy as np

from tvt import __version__, metrics
from tvt.errors import InputError
from tvt.phases import PHASE_NAMES
from tvt.records import ClientScore
from tvt.scoring.lines import N_PHASES, PHASES
from tvt.scoring.reader import Trajectories
from tvt.scoring.report import (
    Baseline,
    BaselineComparison,
    Inputs,
    MetricSummary,
    PhaseSummary,
    ScoreReport,
)

#: An incomplete client is scored only if at least this many phases are present in both the
#: outputs and the reference: with two points every Pearson correlation is +-1.
MIN_PHASES = 3


@dataclass
class ScoreResult:
    """The report plus the per-client arrays behind it (rows follow the reference's client ids)."""

    report: ScoreReport
    client_ids: np.ndarray
    model: np.ndarray
    reference: np.ndarray
    scored: np.ndarray
    status: np.ndarray  # "scored", "missing" or "excluded"
    n_phases: np.ndarray
    pearson: np.ndarray
    dtw: np.ndarray
    rmse: np.ndarray
    pearson_undefined: np.ndarray


def client_scores(
    ids: np.ndarray,
    status: np.ndarray,
    n_phases: np.ndarray,
    scored: np.ndarray,
    pearson: np.ndarray,
    dtw: np.ndarray,
    rmse: np.ndarray,
    undefined: np.ndarray,
) -> tuple[ClientScore, ...]:
    """One record per reference client: status, phases scored and the three metrics."""

    def num(a: np.ndarray) -> list[float | None]:
        return [None if math.isnan(x) else float(x) for x in a.tolist()]

    pear, dtw_, rms = num(pearson), num(dtw), num(rmse)
    return tuple(
        ClientScore(
            client_id=cid,
            status=st,
            phases=n,
            pearson=p if ok else None,
            pearson_undefined=u,
            dtw=dt if ok else None,
            rmse=e if ok else None,
        )
        for cid, st, n, ok, p, u, dt, e in zip(
            ids.tolist(),
            status.tolist(),
            n_phases.tolist(),
            scored.astype(bool).tolist(),
            pear,
            undefined.astype(bool).tolist(),
            dtw_,
            rms,
            strict=True,
        )
    )


class ClientScores(Sequence[ClientScore]):
    """The per-client records of a report, built from the metric arrays when first used.

    A million clients make a million records, about as long to build as the scoring itself took;
    the JSON report does not contain them, so ``tvt score`` without ``--per-client`` never pays
    for them. Reading them (``len``, indexing, iterating, ``to_pandas``) gives the same records
    :func:`client_scores` returns.
    """

    def __init__(self, *arrays: np.ndarray) -> None:
        self._arrays = arrays
        self._records: tuple[ClientScore, ...] | None = None

    def _all(self) -> tuple[ClientScore, ...]:
        if self._records is None:
            self._records = client_scores(*self._arrays)
        return self._records

    def __len__(self) -> int:
        return int(self._arrays[0].size)

    @overload
    def __getitem__(self, index: int) -> ClientScore: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[ClientScore]: ...
    def __getitem__(self, index: int | slice) -> ClientScore | Sequence[ClientScore]:
        return self._all()[index]

    def __iter__(self) -> Iterator[ClientScore]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ClientScores):
            other = other._all()
        return isinstance(other, Sequence) and self._all() == tuple(other)

    __hash__ = None  # type: ignore[assignment]  # mutable cache; equal to a tuple, not hashable

    def __repr__(self) -> str:
        return f"ClientScores({len(self)} clients)"


#: Clients per slice of the metric computation (:func:`_per_client`): 16,384 rows are 128 KB a
#: column, so the DTW's working rows stay in the CPU cache.
_METRIC_ROWS = 1 << 14


def _per_client(
    model: np.ndarray, reference: np.ndarray, complete: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Metrics for every client with enough shared phases, grouped by which phases are present.

    ``complete``: the caller knows that neither array holds a NaN (every phase present).
    """
    n = model.shape[0]
    if complete:
        present = None
        n_phases = np.full(n, N_PHASES, dtype=np.int_)  # what ``present.sum(axis=1)`` gives
        scorable = np.ones(n, dtype=bool)
    else:
        present = ~np.isnan(model) & ~np.isnan(reference)
        n_phases = present.sum(axis=1)
        scorable = n_phases >= MIN_PHASES
    r = np.full(n, np.nan)
    d = np.full(n, np.nan)
    e = np.full(n, np.nan)
    undefined = np.zeros(n, dtype=bool)
    if present is None or present.all():
        # The usual case: every client has all six phases; no copy of the arrays is needed. The
        # metrics are computed row by row, so slices of rows give the same bits as the whole;
        # slices small enough for the CPU cache make the many passes of the DTW recursion about
        # twice as fast on a million clients.
        for start in range(0, n, _METRIC_ROWS):
            part = slice(start, start + _METRIC_ROWS)
            m, c = model[part], reference[part]
            r[part], undefined[part] = metrics.pearson(m, c)
            d[part] = metrics.dtw(m, c)
            e[part] = metrics.rmse(m, c)
        return scorable, n_phases, r, d, e, undefined
    codes = present.astype(np.int64) @ (1 << np.arange(N_PHASES, dtype=np.int64))
    for code in np.unique(codes[scorable]):
        rows = np.flatnonzero(scorable & (codes == code))
        cols = [j for j in range(N_PHASES) if code >> j & 1]
        m = model[rows][:, cols]
        c = reference[rows][:, cols]
        r[rows], undefined[rows] = metrics.pearson(m, c)
        d[rows] = metrics.dtw(m, c)
        e[rows] = metrics.rmse(m, c)
    return scorable, n_phases, r, d, e, undefined


def _per_phase(
    model: np.ndarray, reference: np.ndarray, scored: np.ndarray, complete: bool = False
) -> dict[str, PhaseSummary]:
    out: dict[str, PhaseSummary] = {}
    # Phase-major copies of the scored rows: each phase's values are then one contiguous row,
    # holding the same numbers as ``model[scored, j]`` (so every sum below is the same), at the
    # cost of two copies instead of twelve strided gathers.
    if complete or scored.all():
        mt, ct = np.ascontiguousarray(model.T), np.ascontiguousarray(reference.T)
    else:
        mt, ct = np.ascontiguousarray(model[scored].T), np.ascontiguousarray(reference[scored].T)
    for j, phase in enumerate(PHASES):
        m = mt[j]
        c = ct[j]
        if complete:
            n = m.size
        else:
            ok = ~np.isnan(m) & ~np.isnan(c)
            n = int(ok.sum())
            if n < ok.size:
                m, c = m[ok], c[ok]
        diff = m - c
        out[phase] = PhaseSummary(
            name=PHASE_NAMES[phase],
            n=n,
            mae=float(np.abs(diff).mean()) if n else None,
            bias=float(diff.mean()) if n else None,
            model_mean=float(m.mean()) if n else None,
            model_sd=float(m.std(ddof=1)) if n > 1 else None,
            reference_mean=float(c.mean()) if n else None,
            reference_sd=float(c.std(ddof=1)) if n > 1 else None,
        )
    return out


def _ids(a: np.ndarray) -> tuple[int, ...]:
    return tuple(int(x) for x in a)


def _id_preview(ids: np.ndarray, limit: int = 10) -> str:
    shown = ", ".join(str(int(x)) for x in ids[:limit])
    return shown + (", ..." if ids.size > limit else "")


def _align(out: Trajectories, ref: Trajectories) -> np.ndarray:
    """The outputs as rows of the reference's clients; an output for an unknown client is an error."""
    if out.ids.size == ref.ids.size and np.array_equal(out.ids, ref.ids):
        return out.values  # the same clients in the same order: the usual case, nothing to move
    pos = np.searchsorted(ref.ids, out.ids)
    pos_c = np.minimum(pos, ref.ids.size - 1)
    known = ref.ids[pos_c] == out.ids
    if not known.all():
        k = int(np.flatnonzero(~known)[np.argmin(out.first_line[~known])])
        raise InputError(
            f"unknown client {int(out.ids[k])}: the reference {ref.path} has no such client",
            path=out.path,
            line=int(out.first_line[k]),
            field="client_id",
        )
    model = np.full((ref.ids.size, N_PHASES), np.nan)
    model[pos] = out.values
    return model


def _refuse_incomplete(
    ref: Trajectories, out: Trajectories, missing: np.ndarray, inc: np.ndarray
) -> NoReturn:
    parts = []
    if missing.any():
        parts.append(
            f"{int(missing.sum())} missing client(s), first {_id_preview(ref.ids[missing])}"
        )
    if inc.any():
        parts.append(f"{int(inc.sum())} incomplete client(s), first {_id_preview(ref.ids[inc])}")
    raise InputError(
        "--require-complete: the outputs do not cover every reference client and phase ("
        + "; ".join(parts)
        + ")",
        path=out.path,
    )


def score_trajectories(
    out: Trajectories,
    ref: Trajectories,
    *,
    require_complete: bool = False,
    bootstrap_seed: int = 0,
    baseline: Baseline | None = None,
    inputs: Inputs | None = None,
) -> ScoreResult:
    """Align, check coverage and score; returns the typed report and the per-client arrays.

    Raises ``InputError`` for an output of a client the reference does not know, no client with
    at least :data:`MIN_PHASES` scorable phases, or (with ``require_complete``) any missing or
    incomplete client.
    """
    model = _align(out, ref)
    refv = ref.values
    # The usual case: every client has every phase on both sides. A sum is NaN if any value is
    # (values are checked numbers, so NaN only marks an absent phase): one pass over each array
    # instead of the masks below, which would all come out full or empty.
    complete = not (
        np.isnan(np.add.reduce(model, axis=None)) or np.isnan(np.add.reduce(refv, axis=None))
    )
    scorable, n_phases, r, d, e, undefined = _per_client(model, refv, complete)
    if complete:
        n = refv.shape[0]
        has_output = scored = np.ones(n, dtype=bool)
        missing = excluded = incomplete = np.zeros(n, dtype=bool)
        unreferenced: tuple[tuple[int, str], ...] = ()
    else:
        has_output = ~np.isnan(model).all(axis=1)
        scored = has_output & scorable
        missing = ~has_output
        excluded = has_output & ~scorable
        incomplete = has_output & (~np.isnan(refv) & np.isnan(model)).any(axis=1)
        unref = ~np.isnan(model) & np.isnan(refv)
        unreferenced = (
            tuple((int(ref.ids[i]), PHASES[j]) for i, j in zip(*np.nonzero(unref), strict=True))
            if unref.any()  # the usual case is none: no index arrays built for a million rows
            else ()
        )
    if require_complete and (missing.any() or incomplete.any()):
        _refuse_incomplete(ref, out, missing, incomplete)
    if not scored.any():
        raise InputError(
            f"no client could be scored: none has at least {MIN_PHASES} phases present in both "
            "the outputs and the reference",
            path=out.path,
        )

    columns = (r, d, e) if complete else (r[scored], d[scored], e[scored])
    stats, ci_method, draws = metrics.summarise(
        dict(zip(("pearson", "dtw", "rmse"), columns, strict=True)), seed=bootstrap_seed
    )
    means = {k: metrics.defined(stats[k]["mean"]) for k in ("pearson", "dtw", "rmse")}
    s = metrics.s_abs(means["pearson"], means["dtw"], means["rmse"])
    s_ci = None
    if draws is not None:
        s_draws = [metrics.s_abs(*row) for row in draws.tolist()]
        lo, hi = np.percentile(s_draws, [2.5, 97.5])
        s_ci = (float(lo), float(hi))
    comparison = None
    if baseline is not None:
        base = {"pearson": baseline.pearson, "dtw": baseline.dtw, "rmse": baseline.rmse}
        comparison = BaselineComparison(baseline, **metrics.ratios(means, base))
    report = ScoreReport(
        pearson=MetricSummary.from_stats(stats["pearson"]),
        dtw=MetricSummary.from_stats(stats["dtw"]),
        rmse=MetricSummary.from_stats(stats["rmse"]),
        s_abs=s,
        s_abs_ci95=s_ci,
        n_scored=int(scored.sum()),
        n_reference=int(ref.ids.size),
        n_output_clients=int(has_output.sum()),
        missing=_ids(ref.ids[missing]),
        incomplete=_ids(ref.ids[incomplete]),
        excluded=_ids(ref.ids[excluded]),
        unreferenced=unreferenced,
        undefined_pearson=int((undefined & scored).sum()),
        per_phase=_per_phase(model, refv, scored, complete),
        ci=ci_method,
        models=tuple(out.labels),
        tvt_version=__version__,
        inputs=inputs,
        baseline=comparison,
    )
    if complete:
        status = np.full(scored.size, "scored", dtype="<U8")  # the dtype ``np.where`` gives
        n_used = n_phases
    else:
        status = np.where(scored, "scored", np.where(missing, "missing", "excluded"))
        n_used = np.where(has_output, n_phases, 0)
    report = replace(
        report,
        clients=ClientScores(ref.ids, status, n_used, scored, r, d, e, undefined & scored),
    )
    return ScoreResult(
        report=report,
        client_ids=ref.ids,
        model=model,
        reference=refv,
        scored=scored,
        status=status,
        n_phases=n_used,
        pearson=r,
        dtw=d,
        rmse=e,
        pearson_undefined=undefined & scored,
    )
