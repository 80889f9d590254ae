"""The importer: the release layout -> a native dataset folder, with the import report.

Every known quirk of the release is repaired and recorded in the :class:`ImportReport`
(nothing is dropped silently); the formats and every repair are documented in docs/formats.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from pathlib import Path

from tvt.card import write_card
from tvt.dataset import DatasetWriter, base_manifest, prepare_output
from tvt.phases import BENCHMARK_ORDER
from tvt.records import Case, Conversation, Failure
from tvt.release.conversations import repair_conversation
from tvt.release.metadata import CaseParts, Unusable, repair_metadata
from tvt.release.report import ImportReport, NothingUsable
from tvt.release.scan import Slot, load_slot, scan_release


def _differences(a: CaseParts, b: CaseParts) -> list[str]:
    out = []
    parts: tuple[tuple[Mapping[str, object], Mapping[str, object]], ...] = (
        (a["client_profile"], b["client_profile"]),
        (a["therapist_profile"], b["therapist_profile"]),
        (a["trauma_info"], b["trauma_info"]),
    )
    for one, other in parts:
        for key in one:
            if one[key] != other.get(key):
                out.append(f"{key} {one[key]!r} vs {other.get(key)!r}")
    return out


def _client_records(
    client_id: int, phases: dict[str, dict[str, Slot]], report: ImportReport
) -> tuple[Case | None, list[Conversation], list[Failure]]:
    """Case, conversations and failure records of one client of the release."""
    failures: list[Failure] = []
    metas: dict[str, CaseParts] = {}
    for phase in BENCHMARK_ORDER:
        loaded = load_slot(phases.get(phase, {}).get("metadata"), "metadata", report)
        if loaded is None:
            continue
        doc, name = loaded
        try:
            metas[phase] = repair_metadata(doc, name, report)
        except Unusable as exc:
            report.add(
                "unusable:metadata",
                "skipped",
                "metadata file that cannot be used",
                f"{name}: {exc}",
            )
    case: Case | None = None
    if metas:
        chosen = "P5" if "P5" in metas else next(iter(metas))
        if chosen != "P5":
            report.add(
                "metadata:no-P5",
                "repaired",
                "client without a usable P5 metadata file; profile taken from the first usable phase",
                f"client {client_id}: {chosen}",
            )
        base = metas[chosen]
        for phase, meta in metas.items():
            if phase != chosen and meta != base:
                diffs = _differences(base, meta)
                report.add(
                    f"metadata:differs:{chosen}",
                    "repaired",
                    f"metadata differs across a client's phase files; kept {chosen}'s",
                    f"client {client_id} {phase}: {'; '.join(diffs[:2])}",
                )
        case = {"client_id": client_id, **base}
    conversations: list[Conversation] = []
    for phase in BENCHMARK_ORDER:
        loaded = load_slot(phases.get(phase, {}).get("conversation"), "conversation", report)
        slot = phases.get(phase, {}).get("conversation")
        if loaded is None:
            if slot is not None:
                failures.append(_failure(client_id, phase, "conversation file is not valid JSON"))
            elif case is not None and phase in phases:
                report.add(
                    "missing:conversation",
                    "kept",
                    "metadata file without its conversation file (nothing to import)",
                    f"client {client_id} {phase}",
                )
            continue
        doc, name = loaded
        if case is None:
            report.add(
                "skipped:no-metadata",
                "skipped",
                "conversation whose client has no usable metadata file; skipped",
                name,
            )
            failures.append(_failure(client_id, phase, "no usable metadata for this client"))
            continue
        if "metadata" not in phases.get(phase, {}):
            report.add(
                "missing:metadata",
                "repaired",
                "conversation without its own metadata file; used the client's profile",
                name,
            )
        try:
            conversations.append(repair_conversation(doc, client_id, phase, name, report))
        except Unusable as exc:
            report.add(
                "unusable:conversation",
                "skipped",
                "conversation file that cannot be used",
                f"{name}: {exc}",
            )
            failures.append(_failure(client_id, phase, f"unusable conversation: {exc}"))
    return case, conversations, failures


def _failure(client_id: int, phase: str | None, reason: str) -> Failure:
    return {"client_id": client_id, "phase": phase, "reason": reason, "attempts": 1}


def import_release(
    src: str | Path,
    out: str | Path,
    *,
    force: bool = False,
    progress: Callable[..., None] | None = None,
) -> ImportReport:
    """Read the release layout at ``src`` into a native dataset folder ``out``.

    ``progress(n, total=...)``, when given, hears of each client imported (the command line's
    bar).

    Returns the report of everything repaired, kept as given or skipped. Raises ``InputError``
    (exit 2) when the folder is not the release layout or nothing in it is usable; in that case
    nothing is written.
    """
    src, out = Path(src), Path(out)
    report = ImportReport()
    found = scan_release(src, report)
    out_existed = out.exists()
    prepare_output(out, force)
    phases_seen: set[str] = set()
    manifest = base_manifest(
        seed=None, clients=0, config=None, backend={"name": "import"}, phases=[]
    )
    try:
        with DatasetWriter(out, manifest, finalize=write_card) as writer:
            if progress is not None:
                progress(0, total=len(found.files))
            for client_id in sorted(found.files):
                if progress is not None:
                    progress(1)
                case, conversations, failures = _client_records(
                    client_id, found.files[client_id], report
                )
                if case is None and not failures:
                    continue
                for rec in failures:
                    writer.write("failures.jsonl", rec)
                if case is None:
                    continue
                writer.write("cases.jsonl", case)
                report.totals["clients"] += 1
                for conv in conversations:
                    writer.write("conversations.jsonl", conv)
                    phases_seen.add(conv["phase"])
                    report.totals["conversations"] += 1
            if report.totals["conversations"] == 0:
                raise NothingUsable(report, src)
            writer.manifest["clients"] = report.totals["clients"]
            writer.manifest["phases"] = [p for p in BENCHMARK_ORDER if p in phases_seen]
            writer.manifest["import"] = {
                "repairs": {k: e.count for k, e in sorted(report.entries.items())}
            }
            writer.commit()
    except BaseException:
        if not out_existed:
            with contextlib.suppress(OSError):
                out.rmdir()  # only removes it if we created it and it is still empty
        raise
    return report
