"""Plain-text and Markdown tables: the one place where tvt lays out rows for a terminal or a page.

Cells are strings (callers format their numbers); the first column is left-aligned, the rest
right-aligned unless ``align`` says otherwise (``"l"`` or ``"r"`` per column).
"""

from __future__ import annotations

from collections.abc import Sequence


def _aligns(columns: int, align: str | None) -> str:
    if align is None:
        return "l" + "r" * (columns - 1)
    if len(align) != columns or set(align) - {"l", "r"}:
        raise ValueError(f"align must give 'l' or 'r' for each of the {columns} columns")
    return align


def _check(header: Sequence[str], rows: Sequence[Sequence[str | None]]) -> None:
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row {list(row)!r} has {len(row)} cells, the header {len(header)}")


def text_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, align: str | None = None, gap: int = 2
) -> str:
    """Columns padded to their widest cell, separated by ``gap`` spaces; no trailing spaces."""
    _check(header, rows)
    aligns = _aligns(len(header), align)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    sep = " " * gap
    lines = []
    for row in [header, *rows]:
        cells = [
            c.ljust(w) if a == "l" else c.rjust(w)
            for c, w, a in zip(row, widths, aligns, strict=True)
        ]
        lines.append(sep.join(cells).rstrip())
    return "\n".join(lines)


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|")


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence[str | None]], *, align: str | None = None
) -> str:
    """A GitHub-flavoured Markdown table; ``|`` inside a cell is escaped.

    A ``None`` cell (nothing to say, as in a row of totals) is written ``| |``; an empty string
    is a cell like any other (``|  |``).
    """
    _check(header, rows)
    aligns = _aligns(len(header), align)

    def line(cells: Sequence[str | None]) -> str:
        return "|" + "|".join(" " if c is None else f" {_escape(c)} " for c in cells) + "|"

    rule = "|" + "|".join("---:" if a == "r" else "---" for a in aligns) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])
