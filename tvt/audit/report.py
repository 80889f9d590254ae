"""The audit report: the JSON document, the plain-text summary and the per-conversation records.

Rule results and judge results are kept in separate sections (``checks`` and ``judge``) and
shown side by side, never merged into one figure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tvt import __version__
from tvt.audit.checks import CHECK_IDS, FAMILIES, AuditResult
from tvt.audit.types import AuditDocument, CheckDoc, ConversationAudit, JudgeDoc, Judgement
from tvt.audit.variety import figures_as_measures
from tvt.phases import BENCHMARK_ORDER
from tvt.tables import text_table

REPORT_FORMAT = "tvt-audit-report"
REPORT_VERSION = "1.0"

#: Which judge figure sits beside which rule check.
JUDGE_BESIDE = {
    "processing.belief_not_taken_up": "judge.stuck_point_not_processed",
    "safety.unassessed_risk": "judge.risk_not_assessed",
}


def to_document(result: AuditResult, judge: JudgeDoc | None = None) -> AuditDocument:
    """Everything the audit found, as one JSON-serialisable document."""
    found = result.findings
    rules = result.rules
    manifest = result.dataset.manifest
    checks: dict[str, CheckDoc] = {}
    for cid in CHECK_IDS:
        spec = rules.checks[cid]
        tally = found.tallies[cid]
        counts = tally.as_dict()
        checks[cid] = {
            "family": cid.split(".")[0],
            "title": spec["title"],
            "unit": counts["unit"],
            "eligible": counts["eligible"],
            "flagged": counts["flagged"],
            "rate": counts["rate"],
            "conversations_flagged": counts["conversations_flagged"],
            "turns_flagged": counts["turns_flagged"],
            "rule": spec["rule"],
            "why": spec["why"],
            "examples": tally.examples,
        }
    measures = {name: m.value for name, m in sorted(found.means.items())}
    measures.update(figures_as_measures(result.figures))
    backend = manifest.get("backend") if manifest else None
    return {
        "format": REPORT_FORMAT,
        "format_version": REPORT_VERSION,
        "tvt_version": __version__,
        "dataset": {
            "folder": result.dataset.folder.name,
            "fingerprint": manifest.get("fingerprint") if manifest else None,
            "backend": backend if isinstance(backend, dict) else None,
            "conversations": result.conversations,
            "clients": result.clients,
            "phases": {p: result.phases[p] for p in BENCHMARK_ORDER if result.phases[p]},
        },
        "rules": {"version": rules.version, "sha256": rules.sha256, "source": rules.source},
        "checks": checks,
        "measures": measures,
        "diversity": result.figures.as_dict(),
        "judge": judge,
    }


def metric_values(doc: AuditDocument) -> dict[str, float | None]:
    """Every figure ``--fail-on`` can test: check rates, ``<check>.count``, measures, judge."""
    out: dict[str, float | None] = {}
    for cid, c in doc["checks"].items():
        out[cid] = c["rate"]
        out[f"{cid}.count"] = float(c["flagged"])
    for name, value in doc["measures"].items():
        out[name] = value
    judge = doc["judge"]
    for qid, q in (judge["questions"] if judge else {}).items():
        out[f"judge.{qid}"] = q["rate"]
        out[f"judge.{qid}.count"] = float(q["flagged"])
    return out


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _num(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def render_text(doc: AuditDocument) -> str:
    """The readable summary table printed by default."""
    ds = doc["dataset"]
    judge = doc["judge"]
    lines = [
        f"tvt audit of {ds['folder']}: {ds['conversations']} conversations, {ds['clients']} "
        f"clients; rules {doc['rules']['version']} (sha256 {doc['rules']['sha256'][:12]})",
    ]
    if judge:
        lines.append(
            f"LLM judge {judge['model']} (prompt {judge['prompt_version']}): "
            f"{judge['judged']} conversations judged, {judge['format_failures']} format "
            f"failures, {judge['request_failures']} request failures"
        )
    header = ["check", "unit", "flagged / eligible", "rate"]
    if judge:
        header.append("judge")
    for family in FAMILIES:
        rows = [(cid, c) for cid, c in doc["checks"].items() if c["family"] == family]
        if not rows:
            continue
        cells = []
        for cid, c in rows:
            row = [cid, c["unit"], f"{c['flagged']} / {c['eligible']}", _rate(c["rate"])]
            if judge:
                row.append("")
                if cid in JUDGE_BESIDE:
                    q = judge["questions"][JUDGE_BESIDE[cid].split(".", 1)[1]]
                    row[-1] = f"{_rate(q['rate'])} ({q['flagged']}/{q['eligible']})"
            cells.append(row)
        lines += ["", family.upper(), text_table(header, cells, align="llrr" + "r" * bool(judge))]
    lines += ["", "MEASURES"]
    lines.append(
        text_table(["measure", "value"], [[k, _num(v)] for k, v in doc["measures"].items()])
    )
    therapist = doc["diversity"]["speakers"].get("therapist")
    top = therapist["top_sentences"][:3] if therapist else []
    if top:
        lines += ["", "most widespread therapist sentences (conversations):"]
        lines += [f"  {t['conversations']:>5}  {t['sentence']}" for t in top]
    lines.append("")
    lines.append("rates are flagged / eligible units; see docs/audit.md for each check")
    return "\n".join(lines)


def per_conversation(
    result: AuditResult, judge_items: dict[tuple[int, str], Judgement] | None = None
) -> Iterator[ConversationAudit]:
    """One record per conversation: its rule flags (with turn indices) and its judge verdicts."""
    for conv in result.dataset.conversations:
        rec: ConversationAudit = {
            "client_id": conv.client_id,
            "phase": conv.phase,
            "flags": sorted(
                result.findings.flags.get(conv.key, []), key=lambda f: CHECK_IDS.index(f["check"])
            ),
        }
        if judge_items is not None:
            rec["judge"] = judge_items.get(conv.key)
        yield rec
