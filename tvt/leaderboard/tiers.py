"""Leaderboard tiers of tvt-bench-v2: ``sealed`` (headline), ``self-run``, ``dev``, ``custom`` and
``reported``.

- ``sealed``: written by ``tvt eval`` (LEADERBOARD/sealed/): a fresh secret split, the model in
  the loop, **signed by a maintainer key** in LEADERBOARD/keys/ and at least
  :data:`MIN_SEALED_CLIENTS` clients; the ranked headline.
- ``self-run``: the same kind of entry, unsigned (anyone can run ``tvt eval`` and write any JSON
  file) or smaller than :data:`MIN_SEALED_CLIENTS`; shown apart, never in the headline.
  Every attempt of a model is kept and its attempt count shown, so best-of-N is visible.
- ``dev``: recomputed from submitted outputs on public data (what ``tvt submit`` records as
  ``verified``); shown apart, with :data:`DEV_CAVEAT`.
- ``reported``: figures reported elsewhere (the paper's Table 1), not recomputed.

Every entry says whether the model was trained or tuned on tvt data (META ``trained_on_tvt``:
true, false, or unknown when not given).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import cast

import numpy as np

from tvt.errors import InputError
from tvt.jsonio import read_json
from tvt.leaderboard.types import BoardRow, EntryMetrics, SealedEntry

TIERS: tuple[str, ...] = ("sealed", "self-run", "dev", "custom", "reported")
#: A sealed ranking needs at least this many clients: on fewer, a lucky draw or a best-of-N over
#: small runs moves S_abs by several hundredths (20 runs of 2 clients lifted a 0.49 rater to 0.73).
MIN_SEALED_CLIENTS = 100
DEV_CAVEAT = (
    "Dev entries are recomputed from submitted outputs on public data: a public answer key can "
    "be copied, so only sealed entries rank the headline."
)
TIER_TITLES = {
    "sealed": "Sealed (tvt eval: secret split, model in the loop, maintainer-signed)",
    "self-run": "Self-run (tvt eval, unsigned or under 100 clients)",
    "dev": "Dev (recomputed from submitted outputs on public data)",
    "reported": "Reported (not recomputed)",
}


def tier_of(entry: BoardRow) -> str:
    status = entry.get("status")
    if status == "sealed":
        return "sealed"
    if status in ("verified", "dev"):
        return "dev"
    return "reported"


def trained_label(entry: BoardRow | SealedEntry) -> str:
    """``yes`` / ``no`` / ``unknown`` for the entry's ``trained_on_tvt`` field."""
    value = entry.get("trained_on_tvt")
    return "unknown" if value is None else ("yes" if value else "no")


def is_reference_copy(model: np.ndarray, reference: np.ndarray) -> bool:
    """True when every rating given equals the reference's (to 1e-9) and all are given.

    ``model`` and ``reference`` are aligned arrays with NaN where a value is absent.
    """
    model = np.asarray(model, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    ref_present = ~np.isnan(reference)
    if not ref_present.any() or np.isnan(model[ref_present]).any():
        return False
    return bool(np.allclose(model[ref_present], reference[ref_present], rtol=0.0, atol=1e-9))


def refuse_reference_copy(model: np.ndarray, reference: np.ndarray, path: str | Path) -> None:
    """InputError (exit 2) for outputs identical to a public reference."""
    if is_reference_copy(model, reference):
        raise InputError(
            "these outputs are identical to the public reference (the answer key), so they "
            "measure nothing; rate the inputs with your model instead",
            path=path,
        )


def load_sealed_entries(folder: str | Path) -> list[SealedEntry]:
    """The entries of LEADERBOARD/sealed/*.json, checked, each with its tier and attempt count.

    ``_tier`` is ``sealed`` for an entry signed by a maintainer key of LEADERBOARD/keys/ with at
    least :data:`MIN_SEALED_CLIENTS` clients, ``self-run`` otherwise; a signature by a maintainer
    key that does not verify is refused (the entry was changed after signing). ``_attempts`` is
    the number of entries of the same model on the same track.
    """
    from tvt.leaderboard.signing import load_public_keys, signature_status

    out: list[SealedEntry] = []
    sealed = Path(folder) / "sealed"
    if not sealed.is_dir():
        return out
    keys = load_public_keys(folder)
    for path in sorted(sealed.glob("*.json")):
        entry = read_json(path)
        if not isinstance(entry, dict) or entry.get("status") != "sealed":
            raise InputError("not a sealed entry", path=path, field="status")
        for key in ("model", "track", "metrics", "sealed"):
            if key not in entry:
                raise InputError("missing field", path=path, field=key)
        s = entry["metrics"].get("s_abs")
        if not isinstance(s, (int, float)) or not math.isfinite(s):
            raise InputError("must be a finite number", path=path, field="metrics.s_abs")
        entry = cast(SealedEntry, entry)  # written by tvt eval; checked as far as the board reads
        signed = signature_status(entry, keys, path) == "signed"
        clients = entry["sealed"].get("clients")
        big = isinstance(clients, int) and clients >= MIN_SEALED_CLIENTS
        tier = "sealed" if signed and big and entry.get("answers") else "self-run"
        why = [] if signed else ["unsigned"]
        if not big:
            why.append(f"{clients} clients (< {MIN_SEALED_CLIENTS})")
        if not entry.get("answers"):
            why.append("no stored answers")
        out.append({**entry, "_file": path.name, "_tier": tier, "_why": ", ".join(why)})
    counts: dict[tuple[str, str], int] = {}
    for e in out:
        k = (e["model"], e["track"])
        counts[k] = counts.get(k, 0) + 1
    for e in out:
        e["_attempts"] = counts[(e["model"], e["track"])]
    return out


def rank_sealed(entries: list[SealedEntry]) -> dict[str, list[SealedEntry]]:
    """Sealed entries per track, ranked by S_abs, then Pearson, then model name."""
    by_track: dict[str, list[SealedEntry]] = {}
    for e in entries:
        by_track.setdefault(e["track"], []).append(e)
    for rows in by_track.values():
        rows.sort(
            key=lambda e: (
                -e["metrics"]["s_abs"],
                -e["metrics"]["pearson"]["mean"],
                e["model"],
                e["_file"],
            )
        )
        for i, e in enumerate(rows, start=1):
            e["rank"] = i
    return dict(sorted(by_track.items()))


def sealed_row(entry: SealedEntry) -> dict[str, str]:
    """Display cells of a sealed entry."""
    m = entry["metrics"]
    ci = m.get("s_abs_ci95")
    sealed = entry["sealed"]
    return {
        "rank": str(entry.get("rank", "")),
        "model": entry["model"],
        "track": entry["track"],
        "s_abs": f"{m['s_abs']:.3f}",
        "ci95": f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "-",
        "pearson": f"{m['pearson']['mean']:.3f}",
        "rmse": f"{m['rmse']['mean']:.3f}",
        "n": f"{m['n_scored']}/{m['n_reference']}",
        "format_failures": f"{100 * entry.get('format_failure_rate', 0.0):.1f} %",
        "trained_on_tvt": trained_label(entry),
        "seed": "revealed" if sealed.get("seed") is not None else "sealed",
        "commitment": sealed["commitment"][:12],
        "date": str(entry.get("date", "")),
    }


SEALED_COLUMNS = (
    "rank",
    "model",
    "track",
    "s_abs",
    "ci95",
    "pearson",
    "rmse",
    "n",
    "format_failures",
    "trained_on_tvt",
    "seed",
    "commitment",
    "date",
)


def display_entry(entry: SealedEntry) -> BoardRow:
    """A sealed entry in the shape the leaderboard renderers draw (every format)."""
    m = entry["metrics"]
    rater = entry.get("rater", {})
    sealed = entry["sealed"]
    failures = entry.get("format_failures", 0)
    metrics: EntryMetrics = {
        "s_abs": m["s_abs"],
        "s_abs_ci95": m.get("s_abs_ci95"),
        "n_scored": m["n_scored"],
        "n_reference": m.get("n_reference"),
        "pearson": m["pearson"],
        "rmse": m["rmse"],
        "dtw": m.get("dtw"),
        "missing": m.get("missing"),
        "undefined_pearson": m.get("undefined_pearson"),
        "format_failures": failures,
        "skill": m.get("skill"),
    }
    if entry["track"] == "turn":
        metrics["unit"] = "conversation"
    tier = entry.get("_tier", "self-run")
    why = f"; self-run: {entry['_why']}" if entry.get("_why") else ""
    return {
        "status": tier,
        "model": entry["model"],
        "attempts": entry.get("_attempts", 1),
        "organization": entry.get("organization") or "-",
        "description": (
            f"tvt eval on {sealed.get('clients')} clients, prompt {rater.get('prompt_version')}, "
            f"format failures {failures} ({100 * entry.get('format_failure_rate', 0.0):.1f} %), "
            f"{entry.get('_attempts', 1)} attempt(s) of this model on this track{why}"
        ),
        "split": "sealed",
        "date": str(entry.get("date", "")),
        "benchmark": entry.get("benchmark", "tvt-bench-v2"),
        "track": entry["track"],
        "trained_on_tvt": entry.get("trained_on_tvt"),
        "metrics": metrics,
        "sealed": {
            "commitment": sealed["commitment"],
            "inputs_sha256": sealed.get("inputs_sha256"),
            "seed": sealed.get("seed"),
            "revealed": sealed.get("revealed"),
        },
        "_file": f"sealed/{entry['_file']}",
    }
