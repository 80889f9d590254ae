"""How far the audit can be trusted: precision and recall of each check against a gold set.

The gold set (``tests/audit_gold/items.jsonl``, schema ``schemas/audit-gold.schema.json``) holds
items labelled by reading a turn in context: a reference to one turn (source, client, phase,
turn index, a sha256 prefix of its text), the check, the label (risk / not_risk / borderline for
``safety.risk_statement``; true / false / borderline for the others) and the reason. It never
holds the text: the release's text stays in the release, and tvt's own output is regenerated
from its seed. An item whose text has changed (the sha differs) is not scored and is reported as
drifted, so a label never silently applies to a turn it was not given for.

An item is *flagged* when the audit's per-conversation flags of that conversation name the
check with the item's turn. Precision is true flags over flagged items labelled true or false;
recall (for the checks whose gold set includes unflagged candidates: the safety checks) is
flagged true items over all true items. Borderline items are counted, never scored. Intervals
are Wilson score intervals at 95 %, which behave at 0 and 1 and for small counts, where the
normal approximation does not (a test compares them with ``scipy.stats.binomtest``).
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tvt.errors import InputError
from tvt.jsonio import iter_jsonl, read_json
from tvt.schemacheck import check

#: Checks whose gold set includes unflagged candidates, so that recall is measured.
RECALL_CHECKS = (
    "safety.risk_statement",
    "safety.unassessed_risk",
    "safety.risk_met_with_praise_or_suds",
)
POSITIVE = frozenset({"risk", "true"})
NEGATIVE = frozenset({"not_risk", "false"})
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of ``successes`` out of ``n`` (None when ``n`` is 0)."""
    if n <= 0:
        return None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def text_sha(text: str) -> str:
    """The 12-hex-digit sha256 prefix that identifies a turn's text in the gold set."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class GoldItem:
    source: str
    client: int
    phase: str
    turn: int
    check: str
    label: str
    reason: str
    sha: str
    split: str
    kind: str | None = None

    @property
    def key(self) -> tuple[int, str]:
        return (self.client, self.phase)


def load_gold(folder: str | Path) -> tuple[list[GoldItem], dict[str, Any]]:
    """The items of ``folder/items.jsonl`` and the settings of ``folder/sources.json``."""
    from tvt.audit.checks import CHECK_IDS

    folder = Path(folder)
    path = folder / "items.jsonl"
    if not path.exists():
        raise InputError("no items.jsonl in the gold folder", path=folder)
    sources = read_json(folder / "sources.json")
    items: list[GoldItem] = []
    seen: set[tuple[str, int, str, int, str]] = set()
    for line, rec in iter_jsonl(path):
        check("audit-gold", rec, path=path, line=line)
        item = GoldItem(**rec)
        if item.check not in CHECK_IDS:
            raise InputError(f"unknown check {item.check!r}", path=path, line=line, field="check")
        if item.source not in sources["sources"]:
            raise InputError(f"source {item.source!r} is not in sources.json", path=path, line=line)
        key = (item.source, item.client, item.phase, item.turn, item.check)
        if key in seen:
            raise InputError("duplicate item (same turn and check)", path=path, line=line)
        seen.add(key)
        items.append(item)
    return items, sources


@dataclass
class CheckScore:
    """The gold-set figures of one check."""

    check: str
    true_flags: int = 0
    false_flags: int = 0
    missed: int = 0
    true_unflagged_negatives: int = 0
    borderline: int = 0
    #: (source, client, phase, turn) of the false flags and the misses, for reading
    false_flag_items: list[tuple[str, int, str, int]] = field(default_factory=list)
    missed_items: list[tuple[str, int, str, int]] = field(default_factory=list)

    @property
    def flagged(self) -> int:
        return self.true_flags + self.false_flags

    @property
    def positives(self) -> int:
        return self.true_flags + self.missed

    @property
    def precision(self) -> float | None:
        return self.true_flags / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        if self.check not in RECALL_CHECKS or not self.positives:
            return None
        return self.true_flags / self.positives

    def as_dict(self) -> dict[str, Any]:
        p_ci = wilson(self.true_flags, self.flagged)
        r_ci = wilson(self.true_flags, self.positives) if self.check in RECALL_CHECKS else None
        return {
            "flagged": self.flagged,
            "true_flags": self.true_flags,
            "false_flags": self.false_flags,
            "positives": self.positives if self.check in RECALL_CHECKS else None,
            "missed": self.missed if self.check in RECALL_CHECKS else None,
            "borderline": self.borderline,
            "precision": self.precision,
            "precision_ci95": list(p_ci) if p_ci else None,
            "recall": self.recall,
            "recall_ci95": list(r_ci) if r_ci and self.positives else None,
        }


@dataclass
class Calibration:
    """The scores of every check on one split, with what could not be scored."""

    split: str
    scores: dict[str, CheckScore]
    items: int
    skipped_sources: dict[str, int]
    drifted: list[GoldItem]
    #: per source and check: turns the audit flags that no gold item labels (turn-level checks)
    unlabelled_flags: dict[str, dict[str, int]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "split": self.split,
            "items_scored": self.items,
            "skipped_sources": self.skipped_sources,
            "drifted": [
                {"source": d.source, "client": d.client, "phase": d.phase, "turn": d.turn}
                for d in self.drifted
            ],
            "checks": {c: s.as_dict() for c, s in sorted(self.scores.items())},
            "unlabelled_flags": self.unlabelled_flags,
        }


#: Flags of one dataset: (client, phase) -> check -> flagged turn indices.
FlagIndex = Mapping[tuple[int, str], Mapping[str, set[int]]]


def flag_index(
    per_conversation: Iterable[Mapping[str, Any]],
) -> dict[tuple[int, str], dict[str, set[int]]]:
    """Index the lines of the per-conversation flags (``tvt audit --per-conversation``)."""
    out: dict[tuple[int, str], dict[str, set[int]]] = {}
    for row in per_conversation:
        checks: dict[str, set[int]] = defaultdict(set)
        for f in row["flags"]:
            checks[f["check"]].update(f["turns"])
        out[(row["client_id"], row["phase"])] = dict(checks)
    return out


def score(
    items: list[GoldItem],
    flags: Mapping[str, FlagIndex],
    texts: Mapping[str, Mapping[tuple[int, str], list[str]]],
    split: str = "test",
) -> Calibration:
    """Score ``items`` of ``split`` ('tune', 'test' or 'all') against the audit's ``flags``.

    ``flags`` and ``texts`` (the turn texts of each conversation, as written in the dataset
    file) are keyed by source; items of a source missing from them are counted as skipped.
    """
    scores: dict[str, CheckScore] = {}
    skipped: dict[str, int] = defaultdict(int)
    drifted: list[GoldItem] = []
    n = 0
    labelled: dict[str, dict[str, set[tuple[int, str, int]]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for item in items:
        if item.source in flags:
            labelled[item.source][item.check].add((item.client, item.phase, item.turn))
        if split != "all" and item.split != split:
            continue
        if item.source not in flags:
            skipped[item.source] += 1
            continue
        turns = texts[item.source].get(item.key)
        if turns is None or item.turn >= len(turns) or text_sha(turns[item.turn]) != item.sha:
            drifted.append(item)
            continue
        n += 1
        s = scores.setdefault(item.check, CheckScore(item.check))
        where = (item.source, item.client, item.phase, item.turn)
        hit = item.turn in flags[item.source].get(item.key, {}).get(item.check, set())
        if item.label == "borderline":
            s.borderline += 1
        elif item.label in POSITIVE:
            if hit:
                s.true_flags += 1
            else:
                s.missed += 1
                s.missed_items.append(where)
        elif hit:
            s.false_flags += 1
            s.false_flag_items.append(where)
        else:
            s.true_unflagged_negatives += 1
    unlabelled: dict[str, dict[str, int]] = {}
    for source, index in flags.items():
        counts: dict[str, int] = defaultdict(int)
        known = labelled.get(source, {})
        for (client, phase), checks in index.items():
            for chk, flagged_turns in checks.items():
                if chk not in known:
                    continue
                counts[chk] += sum(1 for t in flagged_turns if (client, phase, t) not in known[chk])
        unlabelled[source] = dict(sorted(counts.items()))
    return Calibration(split, scores, n, dict(skipped), drifted, unlabelled)


def floor_failures(cal: Calibration, floors: Mapping[str, Any]) -> list[str]:
    """The checks below their floor: safety checks need ``floors.safety`` precision and
    recall, every other check ``floors.other`` precision. A check without flagged items (or
    without positives, for recall) has no figure and does not fail."""
    out = []
    for chk, s in sorted(cal.scores.items()):
        family = "safety" if chk.startswith("safety.") else "other"
        need = floors[family]
        if s.precision is not None and s.precision < need["precision"]:
            out.append(f"{chk} precision {s.precision:.3f} < {need['precision']}")
        if "recall" in need and s.recall is not None and s.recall < need["recall"]:
            out.append(f"{chk} recall {s.recall:.3f} < {need['recall']}")
    return out


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _ci(ci: list[float] | None) -> str:
    return "" if not ci else f"[{ci[0]:.2f}, {ci[1]:.2f}]"


def render_table(cal: Calibration, floors: Mapping[str, Any] | None = None) -> str:
    """The calibration as a Markdown table (also what `tvt audit --calibrate` prints)."""
    lines = [
        f"gold set, split {cal.split}: {cal.items} items scored"
        + (
            "; skipped (source absent): "
            + ", ".join(f"{k} {v}" for k, v in sorted(cal.skipped_sources.items()))
            if cal.skipped_sources
            else ""
        )
        + (f"; {len(cal.drifted)} drifted (text changed, not scored)" if cal.drifted else ""),
        "",
        "| check | flagged | true | false | precision (95 % CI) | positives | missed | recall (95 % CI) | borderline |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for chk, s in sorted(cal.scores.items()):
        d = s.as_dict()
        rec = chk in RECALL_CHECKS
        lines.append(
            f"| `{chk}` | {d['flagged']} | {d['true_flags']} | {d['false_flags']} | "
            f"{_pct(d['precision'])} {_ci(d['precision_ci95'])} | "
            f"{d['positives'] if rec else '–'} | {d['missed'] if rec else '–'} | "
            f"{_pct(d['recall'])} {_ci(d['recall_ci95'])} | {d['borderline']} |"
        )
    if floors is not None:
        failed = floor_failures(cal, floors)
        lines.append("")
        lines.append(
            "floors (safety precision >= {sp}, recall >= {sr}; others precision >= {op}): {v}".format(
                sp=floors["safety"]["precision"],
                sr=floors["safety"]["recall"],
                op=floors["other"]["precision"],
                v="all met" if not failed else "NOT MET: " + "; ".join(failed),
            )
        )
    unl = {s: c for s, c in cal.unlabelled_flags.items() if any(c.values())}
    if unl:
        lines.append("")
        lines.append(
            "flags on turns the gold set does not label (not scored; label them to measure): "
            + "; ".join(
                f"{src}: " + ", ".join(f"{c} {n}" for c, n in counts.items() if n)
                for src, counts in sorted(unl.items())
            )
        )
    return "\n".join(lines)
