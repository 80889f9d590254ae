"""``tvt stats`` as readable tables (the figures come from :mod:`tvt.stats.compute`)."""

from __future__ import annotations

from typing import Any

from tvt.stats.types import AttributeFigures, StatsReport
from tvt.tables import text_table


def _fmt(x: Any, digits: int = 1) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _p(p: float) -> str:
    return f"{p:.3g}" if p >= 1e-4 else f"{p:.1e}"


def _grid(header: list[str], rows: list[list[str]], indent: str = "  ") -> list[str]:
    return [indent + line if line else line for line in text_table(header, rows).split("\n")]


def _render_values(title: str, entry: AttributeFigures) -> list[str]:
    values = entry["values"]
    has_target = any("target_percent" in v for v in values.values())
    has_paper = any(v.get("paper_percent") is not None for v in values.values())
    header = [title, "n", "%"]
    if has_target:
        header.append("target %")
    if has_paper:
        header.append("paper %")
    rows = []
    for name, v in values.items():
        row = [name, str(v["count"]), _fmt(v["percent"])]
        if has_target:
            row.append(_fmt(v.get("target_percent")))
        if has_paper:
            row.append(_fmt(v.get("paper_percent")))
        rows.append(row)
    lines = _grid(header, rows)
    chi = entry.get("chi_square")
    note = entry.get("chi_square_note")
    if chi is not None:
        lines.append(
            f"  chi-square vs design weights: p = {_p(chi['p_value'])} "
            f"(statistic {chi['statistic']:.2f}, dof {chi['dof']})" + (f"; {note}" if note else "")
        )
    elif "chi_square" in entry:
        lines.append(f"  chi-square not applicable: {note}")
    return lines


def _conversation_lines(stats: StatsReport) -> list[str]:
    conv = stats["conversations"] or {}
    paper = stats["against"] == "paper"
    header = [
        "phase",
        "convs",
        "turns",
        "SD",
        "ther turns",
        "ther words",
        "client turns",
        "client words",
        "SUDS cover %",
        "SUDS/conv",
    ]
    if paper:
        header.insert(4, "paper turns")
    rows = []
    for phase, c in conv.items():
        sp = c["by_speaker"]
        row = [
            phase,
            str(c["conversations"]),
            _fmt(c["turns_per_conversation"]["mean"]),
            _fmt(c["turns_per_conversation"]["sd"]),
            _fmt(sp["therapist"]["turns_per_conversation"]["mean"]),
            _fmt(sp["therapist"]["words_per_turn"]["mean"]),
            _fmt(sp["client"]["turns_per_conversation"]["mean"]),
            _fmt(sp["client"]["words_per_turn"]["mean"]),
            _fmt(100 * c["suds_coverage"]),
            _fmt(c["suds_statements_per_conversation"]["mean"], 2),
        ]
        if paper:
            row.insert(4, _fmt(c.get("paper_turns_per_conversation")))
        rows.append(row)
    lines = ["", "conversations (means per conversation; words per turn):", *_grid(header, rows)]
    if paper:
        words = conv["all"]["by_speaker"]
        lines.append(
            "  paper: therapist about "
            f"{words['therapist']['paper_words_per_turn']:.0f} words per turn, client about "
            f"{words['client']['paper_words_per_turn']:.0f}"
        )
    return lines


def render_stats(stats: StatsReport) -> str:
    """The statistics as readable tables."""
    ds = stats["dataset"]
    cfg = ds["config"]
    head = f"{ds['clients']} clients"
    if stats["conversations"]:
        head += f", {stats['conversations']['all']['conversations']} conversations"
    made = []
    if cfg:
        made.append(f"config {cfg.get('source') or cfg.get('name')}")
    if ds["seed"] is not None:
        made.append(f"seed {ds['seed']}")
    if ds["backend"]:
        made.append(f"backend {ds['backend']}")
    lines = [head + (f" ({', '.join(made)})" if made else "")]
    t = stats["targets"]
    lines.append(
        f"targets: {t['source']}" if t["available"] else f"targets unavailable: {t['reason']}"
    )
    lines.append("")
    for entry in stats["attributes"].values():
        lines += _render_values(entry["label"], entry)
        lines.append("")
    b = stats["behaviours"]
    lines += _render_values(b["label"], b)
    pc = b["per_client"]
    extra = ""
    if pc.get("target_mean") is not None:
        extra += f", target {pc['target_mean']:.2f}"
    if pc.get("paper_mean") is not None:
        extra += f", paper {pc['paper_mean']:.2f}"
    lines.append(
        f"  behaviours per client: mean {_fmt(pc['mean'], 2)}, SD {_fmt(pc['sd'], 2)}{extra}"
    )
    lines.append("")
    a = stats["age"]
    age = f"age: mean {_fmt(a['mean'])}, SD {_fmt(a['sd'])}"
    if a.get("target_mean") is not None:
        age += f" (target mean {a['target_mean']:.1f}, SD {a['target_sd']:.1f})"
    if a.get("paper_mean") is not None:
        age += f" (paper mean {a['paper_mean']:.1f})"
    lines.append(age)
    tp = stats["type_topic_pairs"]
    lines.append(
        f"type-topic pairs: {tp['distinct']} distinct; {100 * (tp['coherent_share'] or 0):.1f} % of "
        "clients have a topic compatible with their trauma type"
    )
    if stats["conversations"]:
        lines += _conversation_lines(stats)
    return "\n".join(lines)
