"""``tvt show``: one client's conversations as a readable transcript.

Each turn is numbered and labelled with its speaker; the stated SUDS and the dialogue act sit in
the right margin, where a reader's eye can run down them without reading the text (the rhythm of
SUDS checks in imaginal exposure, the act that answered a risk disclosure). On a terminal the
transcript is drawn with rich (colours, wrapping to the window); piped or redirected it is plain
text wrapped to 100 columns, so ``tvt show ... | less`` and ``> file.txt`` read well too.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tvt.dataset import resolve_dataset
from tvt.errors import InputError
from tvt.phases import BENCHMARK_ORDER, PHASE_INDEX, PHASE_NAMES
from tvt.records import (
    Case,
    Conversation,
    ReferenceRow,
    read_cases,
    read_conversations,
    read_references,
)

if TYPE_CHECKING:
    from rich.console import Console

#: Width of plain output (piped): wide enough for a margin, narrow enough for a pager.
PLAIN_WIDTH = 100
MARGIN = 26


@dataclass
class Transcript:
    """What ``tvt show`` shows: the client's case (if any), conversations and reference."""

    client_id: int
    case: Case | None
    conversations: list[Conversation]
    reference: ReferenceRow | None


def load_transcript(folder: str | Path, client_id: int, phase: str | None = None) -> Transcript:
    """The conversations of ``client_id`` (one ``phase``, or all in benchmark order).

    An unknown phase, a client the dataset does not have, or a phase the client has no
    conversation in is bad input (``InputError``, one sentence).
    """
    path = resolve_dataset(Path(folder))
    if phase is not None and phase not in PHASE_INDEX:
        raise InputError(
            f"unknown phase {phase!r} (phases are {', '.join(BENCHMARK_ORDER)})", field="PHASE"
        )
    convs: list[Conversation] = []
    seen: set[int] = set()
    for _line, conv in read_conversations(path, required=True):
        seen.add(conv["client_id"])
        if conv["client_id"] == client_id and (phase is None or conv["phase"] == phase):
            convs.append(conv)
    if client_id not in seen:
        low, high = (min(seen), max(seen)) if seen else (0, 0)
        raise InputError(
            f"client {client_id} has no conversations in this dataset (clients {low}-{high})",
            path=path,
            field="CLIENT",
        )
    if not convs:
        raise InputError(f"client {client_id} has no {phase} conversation", path=path)
    convs.sort(key=lambda c: PHASE_INDEX[c["phase"]])
    case = next((c for _l, c in read_cases(path) if c["client_id"] == client_id), None)
    ref = next((r for _l, r in read_references(path) if r["client_id"] == client_id), None)
    return Transcript(client_id, case, convs, ref)


def _who(case: Case | None, client_id: int) -> str:
    if case is None:
        return f"client {client_id}"
    cp, ti = case["client_profile"], case["trauma_info"]
    name = cp.get("name")
    person = ", ".join(
        str(x) for x in (name, cp["age"], cp["gender"], cp["occupation"]) if x is not None
    )
    return f"client {client_id}: {person}; {ti['type']} ({ti['session_topic']})"


def _phase_title(t: Transcript, conv: Conversation) -> str:
    phase = conv["phase"]
    parts = [f"{phase} {PHASE_NAMES[phase]}", f"{len(conv['turns'])} turns"]
    if t.reference is not None and phase in t.reference["trajectory"]:
        parts.append(f"reference intensity {t.reference['trajectory'][phase]:g}")
    if conv.get("risk_moment"):
        parts.append("risk moment")
    return " · ".join(parts)


def _margin(turn: Any) -> tuple[str, str]:
    """``(suds, act)`` shown in the margin of one turn."""
    suds = turn.get("suds")
    shown = ""
    if suds is not None:
        shown = f"SUDS {suds}" + (" (0-10)" if turn.get("suds_scale") == 10 else "")
    return shown, str(turn.get("act") or "")


def render_plain(t: Transcript, width: int = PLAIN_WIDTH) -> str:
    """The transcript as plain text: number, speaker, wrapped text, margin on the right."""
    gutter = 14  # "  12 Therapist "
    body = max(30, width - gutter - MARGIN)
    lines = [_who(t.case, t.client_id)]
    for conv in t.conversations:
        title = _phase_title(t, conv)
        lines += ["", f"== {title} " + "=" * max(3, width - len(title) - 4)]
        for i, turn in enumerate(conv["turns"], 1):
            suds, act = _margin(turn)
            margin = f"{suds:<8} {act}"  # SUDS and acts in two aligned margin columns
            wrapped = textwrap.wrap(turn["text"], body) or [""]
            label = "Therapist" if turn["speaker"] == "therapist" else "Client"
            for j, chunk in enumerate(wrapped):
                left = f"{i:>4} {label:<9} " if j == 0 else " " * gutter
                right = margin if j == 0 else ""
                lines.append(f"{left}{chunk:<{body}} {right}".rstrip())
    return "\n".join(lines) + "\n"


def render_rich(t: Transcript, console: Console) -> None:
    """Draw the transcript on a rich console: speakers in colour, SUDS highlighted."""
    from rich.table import Table
    from rich.text import Text

    console.print(Text(_who(t.case, t.client_id), style="bold"))
    for conv in t.conversations:
        console.rule(Text(_phase_title(t, conv), style="bold"), align="left")
        table = Table(box=None, show_header=False, pad_edge=False, expand=True)
        table.add_column(justify="right", style="dim", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(ratio=1, overflow="fold")
        table.add_column(width=MARGIN, no_wrap=True)
        for i, turn in enumerate(conv["turns"], 1):
            suds, act = _margin(turn)
            therapist = turn["speaker"] == "therapist"
            label = Text(
                "Therapist" if therapist else "Client", style="cyan" if therapist else "magenta"
            )
            margin = Text()
            if suds:
                margin.append(suds, style="bold yellow")
                margin.append("  ")
            margin.append(act, style="red" if act == "risk_assessment" else "dim")
            table.add_row(str(i), label, turn["text"], margin)
        console.print(table)


def show(
    folder: str | Path, client_id: int, phase: str | None, *, tty: bool, width: int | None = None
) -> str | None:
    """Plain text (``tty`` False) to print, or None after drawing on the terminal with rich."""
    t = load_transcript(folder, client_id, phase)
    if not tty:
        return render_plain(t, width or PLAIN_WIDTH)
    from rich.console import Console

    render_rich(t, Console(width=width or shutil.get_terminal_size((PLAIN_WIDTH, 24)).columns))
    return None


__all__: Sequence[str] = ["Transcript", "load_transcript", "render_plain", "render_rich", "show"]
