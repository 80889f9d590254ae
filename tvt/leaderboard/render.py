"""Rendering ranked entries: a terminal table, Markdown, JSON, or the HTML page
(:mod:`tvt.leaderboard.page`)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from tvt.errors import InputError
from tvt.jsonio import atomic_writer
from tvt.leaderboard.cells import HEADERS, row_cells
from tvt.leaderboard.page import render_html
from tvt.leaderboard.reported import paper_url, table_1_citation
from tvt.leaderboard.sections import SECTIONS
from tvt.leaderboard.store import Groups
from tvt.tables import markdown_table, text_table

#: One-line notes under the tvt-bench-v2 tiers (the dev caveat: a public answer key can be copied).
TIER_NOTES = {
    "sealed": "Sealed entries rank the headline: ranked within each track; the seed is revealed "
    "later (tvt reveal) so anyone can regenerate the inputs.",
    "self-run": "Self-run: anyone can run tvt eval and write any entry file; only entries "
    "signed by a maintainer key rank as sealed. Attempts of a model are all kept and counted.",
    "verified": "Dev tier, answer key public: a public answer key can be copied or fitted, so "
    "these rank nothing against sealed entries.",
    "custom": "Custom references: the reference is no published benchmark split; not ranked.",
}

FORMATS = ("table", "md", "html", "json")
#: Longer cells are cut in the terminal table.
CELL_WIDTH = 40

# Markdown punctuation; "|" is escaped by the table layout itself.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!~>])")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(groups: Groups) -> str:
    """Plain-text tables for the terminal."""
    lines: list[str] = []
    for section in SECTIONS:
        rows = [
            [_clip(c, CELL_WIDTH) for c in row_cells(e, section)] for e in groups[section.status]
        ]
        lines.append(f"{section.title} ({len(rows)})")
        if not rows:
            lines.extend(["  (none)", ""])
            continue
        lines.append(text_table(HEADERS, rows, align="l" * len(HEADERS)))
        if section.status in TIER_NOTES:
            lines.append(f"  {TIER_NOTES[section.status]}")
        if section.cite:
            lines.append(f"  source: {table_1_citation()}")
        lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    # Escape HTML first (Markdown renderers pass raw HTML through), then Markdown punctuation.
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=True)).replace("\n", " ")


def render_markdown(groups: Groups) -> str:
    """GitHub-flavoured Markdown tables; every string escaped."""
    out = ["# tvt leaderboard", ""]
    for section in SECTIONS:
        out += [f"## {section.title}", ""]
        if not groups[section.status]:
            out += ["(none)", ""]
            continue
        rows = [[_md(c) for c in row_cells(e, section)] for e in groups[section.status]]
        out += [markdown_table([_md(h) for h in HEADERS], rows, align="l" * len(HEADERS)), ""]
        if section.status in TIER_NOTES:
            out += [_md(TIER_NOTES[section.status]), ""]
        if section.cite:
            out += [f"Source: {_md(table_1_citation())}, <{paper_url()}>", ""]
    return "\n".join(out)


def render_json(groups: Groups) -> str:
    """The ranked entries as one JSON document."""
    doc: dict[str, object] = {
        section.status: [
            {k: v for k, v in e.items() if k != "_file"} for e in groups[section.status]
        ]
        for section in SECTIONS
    }
    # tvt-bench-v2 tiers: which list is which tier, and the caveats shown with them.
    doc["tiers"] = {
        "sealed": "sealed",
        "self-run": "self-run",
        "dev": "verified",
        "custom": "custom",
        "reported": "reported",
    }
    doc["notes"] = dict(TIER_NOTES)
    return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def render(groups: Groups, fmt: str) -> str:
    """Render ranked entries in one of :data:`FORMATS`."""
    if fmt == "table":
        return render_table(groups)
    if fmt == "md":
        return render_markdown(groups)
    if fmt == "html":
        return render_html(groups)
    if fmt == "json":
        return render_json(groups)
    raise ValueError(f"unknown leaderboard format {fmt!r} (formats are {', '.join(FORMATS)})")


def write_text(path: str | Path, text: str) -> None:
    """Write a rendered leaderboard atomically."""
    path = Path(path)
    if path.is_dir():
        raise InputError("--out names a folder; give a file name", path=path)
    with atomic_writer(path) as fh:
        fh.write(text)
