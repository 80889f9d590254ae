"""Export for Hugging Face ``datasets``: flat JSON Lines files and a short dataset card.

Every row of a file has the same keys and JSON types (``datasets.load_dataset("json", ...)``
builds one Arrow schema from them); docs/formats.md lists the columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tvt.dataset import read_manifest, resolve_dataset
from tvt.jsonio import dumps
from tvt.phases import BENCHMARK_ORDER, PHASE_NAMES
from tvt.records import Case, Conversation, ReferenceRow, read_references
from tvt.release.exporter import conversations_of, load_cases, staged_export
from tvt.release.turns import render_turn


def _flat_profile(case: Case) -> dict[str, Any]:
    cp, tp, ti = case["client_profile"], case["therapist_profile"], case["trauma_info"]
    return {
        "client_age": cp["age"],
        "client_age_group": cp["age_group"],
        "client_gender": cp["gender"],
        "client_relationship_status": cp["relationship_status"],
        "client_occupation": cp["occupation"],
        "client_living_situation": cp["living_situation"],
        "client_ethnicity": cp["ethnicity"],
        "client_co_occurring_condition": cp["co_occurring_condition"],
        "client_exhibited_behaviors": list(cp["exhibited_behaviors"]),
        "therapist_age": tp["age"],
        "therapist_gender": tp["gender"],
        "trauma_type": ti["type"],
        "session_topic": ti["session_topic"],
    }


def hf_case_row(case: Case) -> dict[str, Any]:
    """One flat row of the HF ``cases.jsonl`` (same keys and types on every row)."""
    plan: Mapping[str, Any] = case.get("plan") or {}  # imported data may have none
    intensity: Mapping[str, Any] = plan.get("intensity") or {}
    row = {"client_id": case["client_id"], **_flat_profile(case)}
    for phase in BENCHMARK_ORDER:
        row[f"plan_intensity_{phase}"] = intensity.get(phase)
    return row


def hf_conversation_row(
    conv: Conversation, case: Case, reference: ReferenceRow | None
) -> dict[str, Any]:
    """One flat row of the HF ``conversations.jsonl``: ids, profile fields, turns."""
    phase = conv["phase"]
    ref: Mapping[str, Any] = reference or {}
    value = ref.get("trajectory", {}).get(phase)
    return {
        "client_id": conv["client_id"],
        "phase": phase,
        "phase_name": PHASE_NAMES[phase],
        **_flat_profile(case),
        "reference_intensity": None if value is None else float(value),
        "reference_source": ref.get("source"),
        "num_turns": len(conv["turns"]),
        "full_conversation": [render_turn(t) for t in conv["turns"]],
        # A fixed set of keys per turn keeps the rows homogeneous for Arrow.
        "turns": [
            {"speaker": t["speaker"], "text": t["text"], "suds": t.get("suds"), "act": t["act"]}
            for t in conv["turns"]
        ],
    }


_HF_CARD = """---
pretty_name: {title}
language:
- en
tags:
- synthetic
- psychotherapy
- prolonged-exposure
- ptsd
task_categories:
- text-classification
- text-generation
configs:
{configs}---

# {title}

Synthetic Prolonged Exposure (PE) therapy conversations for PTSD in six phases per client
(P5 orientation, P10 imaginal exposure, P6 SUDS monitoring, P7 reinforcement, P8 eliciting
thoughts and feelings, P11 processing), exported from a tvt dataset
({clients} clients, {conversations} conversations; tvt {tvt_version}, backend {backend}).
**All people and events are synthetic.** Not for clinical use.

## Files

- `conversations.jsonl`: one row per (client, phase): `client_id`, `phase`, `phase_name`, the
  client, therapist and trauma fields flattened (`client_age`, `client_gender`, ...,
  `trauma_type`, `session_topic`), `reference_intensity` (1-10, the benchmark target, or null),
  `num_turns`, `full_conversation` (the turns as "Therapist: ..." / "Client: ..." strings) and
  `turns` (`speaker`, `text`, `suds` on 0-100 or null, `act`).
- `cases.jsonl`: one row per client with the same profile fields and the planned intensity per
  phase (`plan_intensity_P5`, ...; null for imported data).
{reference_line}
## Loading

```python
from datasets import load_dataset
ds = load_dataset("json", data_files={{"train": "conversations.jsonl"}})
```

Dataset fingerprint: `{fingerprint}`.
"""


def export_hf(dataset: str | Path, out: str | Path, *, force: bool = False) -> dict[str, int]:
    """Write flat JSON Lines files and a dataset card for Hugging Face ``datasets``."""
    folder = resolve_dataset(dataset)
    out = Path(out)
    manifest = read_manifest(folder) or {}
    cases = load_cases(folder)
    references = {r["client_id"]: r for _, r in read_references(folder)}
    counts = {"cases": 0, "conversations": 0, "reference": 0}
    names = ("conversations.jsonl", "cases.jsonl", "reference.jsonl", "README.md")
    with staged_export(out, force, names) as staging:
        with open(staging / "cases.jsonl", "w", encoding="utf-8", newline="\n") as fh:
            for cid in sorted(cases):
                fh.write(dumps(hf_case_row(cases[cid])) + "\n")
                counts["cases"] += 1
        if (folder / "conversations.jsonl").exists():
            with open(staging / "conversations.jsonl", "w", encoding="utf-8", newline="\n") as fh:
                for conv in conversations_of(folder, cases):
                    cid = conv["client_id"]
                    fh.write(
                        dumps(hf_conversation_row(conv, cases[cid], references.get(cid))) + "\n"
                    )
                    counts["conversations"] += 1
        if references:
            with open(staging / "reference.jsonl", "w", encoding="utf-8", newline="\n") as fh:
                for cid in sorted(references):
                    ref = references[cid]
                    row: dict[str, Any] = {"client_id": cid, "source": ref["source"]}
                    for phase in BENCHMARK_ORDER:
                        v = ref["trajectory"].get(phase)
                        row[f"intensity_{phase}"] = None if v is None else float(v)
                    fh.write(dumps(row) + "\n")
                    counts["reference"] += 1
        backend = manifest.get("backend") or {}
        card = _HF_CARD.format(
            title="tvt synthetic PE therapy conversations",
            clients=counts["cases"],
            conversations=counts["conversations"],
            tvt_version=manifest.get("tvt_version", "unknown"),
            backend=backend.get("name", "unknown"),
            fingerprint=manifest.get("fingerprint", "unknown"),
            configs="".join(
                f"- config_name: {name}\n  data_files: {name}.jsonl\n"
                + ("  default: true\n" if i == 0 else "")
                for i, name in enumerate(
                    n for n in ("conversations", "cases", "reference") if counts[n]
                )
            ),
            reference_line="- `reference.jsonl`: one row per client with the reference "
            "trajectory (`intensity_P5`, ..., 1-10) and its `source`.\n"
            if references
            else "",
        )
        with open(staging / "README.md", "w", encoding="utf-8", newline="\n") as fh:
            fh.write(card)
    return counts
