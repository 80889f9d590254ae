"""Export for Hugging Face ``datasets``: Parquet (or CSV) splits by client and a dataset card.

The layout is the one the Hub's loaders read without a script::

    README.md                                   card: license, configs, splits, features
    data/conversations/train-00000-of-00001.parquet    one row per (client, phase)
    data/conversations/validation-00000-of-00001.parquet
    data/conversations/test-00000-of-00001.parquet
    data/cases/{split}-00000-of-00001.parquet          one row per client
    data/reference/{split}-00000-of-00001.parquet      one row per client (when there is one)

``datasets.load_dataset("hf-data")`` loads the default config (conversations) with its three
splits; ``load_dataset("hf-data", "cases")`` the cases. Every client is in exactly one split, in
all three configs, so no client's conversations leak from training into evaluation. The split
of a client depends only on its id and the number of clients (see :func:`split_clients`), so the
same dataset always gives the same files. docs/formats.md lists the columns.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from tvt.dataset import load_manifest, resolve_dataset
from tvt.errors import InputError
from tvt.jsonio import dumps
from tvt.phases import BENCHMARK_ORDER, PHASE_NAMES
from tvt.records import Case, Conversation, Manifest, ReferenceRow, read_references
from tvt.release.exporter import conversations_of, load_cases, staged_export
from tvt.release.turns import render_turn

if TYPE_CHECKING:
    import pyarrow as pa

#: Split names in the order the card lists them, and the share of clients each gets.
SPLITS: tuple[tuple[str, float], ...] = (("train", 0.8), ("validation", 0.1), ("test", 0.1))
FILE_FORMATS = ("parquet", "csv")
CONFIGS = ("conversations", "cases", "reference")

#: The licence of generated data, and of data imported from the paper's public release.
LICENSE_GENERATED = "mit"
LICENSE_RELEASE = "cc-by-nc-4.0"

_PROFILE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("client_age", "int64"),
    ("client_age_group", "string"),
    ("client_gender", "string"),
    ("client_relationship_status", "string"),
    ("client_occupation", "string"),
    ("client_living_situation", "string"),
    ("client_ethnicity", "string"),
    ("client_co_occurring_condition", "string"),
    ("client_exhibited_behaviors", "list<string>"),
    ("therapist_age", "int64"),
    ("therapist_gender", "string"),
    ("trauma_type", "string"),
    ("session_topic", "string"),
)

#: The columns of each config and their types (``list<string>``, ``turns`` for the list of
#: turn structs); the Arrow schema and the card's ``features`` are both made from this.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "conversations": (
        ("client_id", "int64"),
        ("phase", "string"),
        ("phase_name", "string"),
        *_PROFILE_COLUMNS,
        ("reference_intensity", "float64"),
        ("reference_source", "string"),
        ("risk_moment", "bool"),
        ("num_turns", "int64"),
        ("full_conversation", "list<string>"),
        ("turns", "turns"),
    ),
    "cases": (
        ("client_id", "int64"),
        *_PROFILE_COLUMNS,
        *((f"plan_intensity_{p}", "int64") for p in BENCHMARK_ORDER),
    ),
    "reference": (
        ("client_id", "int64"),
        ("source", "string"),
        *((f"intensity_{p}", "float64") for p in BENCHMARK_ORDER),
    ),
}
_TURN_FIELDS: tuple[tuple[str, str], ...] = (
    ("speaker", "string"),
    ("text", "string"),
    ("suds", "int64"),
    ("act", "string"),
)


class FlatProfile(TypedDict):
    """The profile of a case as flat columns (every row of the cases and conversations configs)."""

    client_age: int
    client_age_group: str
    client_gender: str
    client_relationship_status: str
    client_occupation: str
    client_living_situation: str
    client_ethnicity: str
    client_co_occurring_condition: str
    client_exhibited_behaviors: list[str]
    therapist_age: int
    therapist_gender: str
    trauma_type: str
    session_topic: str


class HFCaseRow(FlatProfile):
    """A row of the ``cases`` config: the planned intensity as one column per phase."""

    client_id: int
    plan_intensity_P5: int | None
    plan_intensity_P10: int | None
    plan_intensity_P6: int | None
    plan_intensity_P7: int | None
    plan_intensity_P8: int | None
    plan_intensity_P11: int | None


class HFTurn(TypedDict):
    speaker: str
    text: str
    suds: int | None
    act: str


class HFConversationRow(FlatProfile):
    """A row of the ``conversations`` config."""

    client_id: int
    phase: str
    phase_name: str
    reference_intensity: float | None
    reference_source: str | None
    risk_moment: bool
    num_turns: int
    full_conversation: list[str]
    turns: list[HFTurn]


class HFReferenceRow(TypedDict):
    """A row of the ``reference`` config: the trajectory as one column per phase."""

    client_id: int
    source: str | None
    intensity_P5: float | None
    intensity_P10: float | None
    intensity_P6: float | None
    intensity_P7: float | None
    intensity_P8: float | None
    intensity_P11: float | None


HFRow = HFCaseRow | HFConversationRow | HFReferenceRow


def _flat_profile(case: Case) -> FlatProfile:
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


def hf_case_row(case: Case) -> HFCaseRow:
    """One flat row of the ``cases`` config (same keys and types on every row)."""
    plan = case.get("plan")  # imported data may have none
    intensity: Mapping[str, int] = plan["intensity"] if plan else {}
    return {
        "client_id": case["client_id"],
        **_flat_profile(case),
        "plan_intensity_P5": intensity.get("P5"),
        "plan_intensity_P10": intensity.get("P10"),
        "plan_intensity_P6": intensity.get("P6"),
        "plan_intensity_P7": intensity.get("P7"),
        "plan_intensity_P8": intensity.get("P8"),
        "plan_intensity_P11": intensity.get("P11"),
    }


def hf_conversation_row(
    conv: Conversation, case: Case, reference: ReferenceRow | None
) -> HFConversationRow:
    """One flat row of the ``conversations`` config: ids, profile fields, turns."""
    phase = conv["phase"]
    value = reference["trajectory"].get(phase) if reference is not None else None
    return {
        "client_id": conv["client_id"],
        "phase": phase,
        "phase_name": PHASE_NAMES[phase],
        **_flat_profile(case),
        "reference_intensity": None if value is None else float(value),
        "reference_source": reference.get("source") if reference is not None else None,
        "risk_moment": bool(conv.get("risk_moment", False)),
        "num_turns": len(conv["turns"]),
        "full_conversation": [render_turn(t) for t in conv["turns"]],
        # A fixed set of keys per turn keeps the rows homogeneous for Arrow.
        "turns": [
            {"speaker": t["speaker"], "text": t["text"], "suds": t.get("suds"), "act": t["act"]}
            for t in conv["turns"]
        ],
    }


def hf_reference_row(ref: ReferenceRow) -> HFReferenceRow:
    """One flat row of the ``reference`` config: the trajectory as one column per phase."""
    trajectory = ref["trajectory"]

    def value(phase: str) -> float | None:
        v = trajectory.get(phase)
        return None if v is None else float(v)

    return {
        "client_id": ref["client_id"],
        "source": ref.get("source"),
        "intensity_P5": value("P5"),
        "intensity_P10": value("P10"),
        "intensity_P6": value("P6"),
        "intensity_P7": value("P7"),
        "intensity_P8": value("P8"),
        "intensity_P11": value("P11"),
    }


# -- splits -----------------------------------------------------------------------------------------
def split_clients(client_ids: Iterable[int]) -> dict[int, str]:
    """client id -> split name: 80 % train, 10 % validation, 10 % test, by client.

    Clients are ordered by the sha256 of their id (a shuffle that needs no seed and does not
    follow the id order the sampler drew them in) and cut in that order; validation and test
    each get round(10 %) of the clients, at least one each from three clients on, and train the
    rest. The same ids always give the same splits.
    """
    ids = sorted(set(client_ids), key=lambda c: hashlib.sha256(f"tvt-split:{c}".encode()).digest())
    n = len(ids)
    held = max(1, round(0.1 * n)) if n >= 3 else 0
    sizes = {"train": n - 2 * held, "validation": held, "test": held}
    out: dict[int, str] = {}
    start = 0
    for name, _share in SPLITS:
        for cid in ids[start : start + sizes[name]]:
            out[cid] = name
        start += sizes[name]
    return out


# -- Arrow, CSV and the card ------------------------------------------------------------------------
def _arrow_type(kind: str) -> pa.DataType:
    import pyarrow as pa

    if kind == "list<string>":
        return pa.list_(pa.string())
    if kind == "turns":
        return pa.list_(pa.struct([(n, _arrow_type(k)) for n, k in _TURN_FIELDS]))
    return {
        "int64": pa.int64(),
        "float64": pa.float64(),
        "string": pa.string(),
        "bool": pa.bool_(),
    }[kind]


def arrow_schema(config: str) -> pa.Schema:
    """The Arrow schema of one config (the same on every split, whatever the rows hold)."""
    import pyarrow as pa

    return pa.schema([(name, _arrow_type(kind)) for name, kind in COLUMNS[config]])


def _feature_yaml(config: str, file_format: str) -> list[str]:
    """The card's ``features`` of one config, in the ``dataset_info`` form ``datasets`` reads."""
    lines = []
    for name, kind in COLUMNS[config]:
        if file_format == "csv" and kind in ("list<string>", "turns"):
            kind = "string"  # CSV cells hold these as JSON text
        if kind == "list<string>":
            lines += [f"  - name: {name}", "    list: string"]
        elif kind == "turns":
            lines += [f"  - name: {name}", "    list:"]
            for sub, sub_kind in _TURN_FIELDS:
                lines += [f"    - name: {sub}", f"      dtype: {sub_kind}"]
        else:
            lines += [f"  - name: {name}", f"    dtype: {kind}"]
    return lines


def _parquet_bytes(rows: Sequence[Mapping[str, Any]], config: str) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(list(rows), schema=arrow_schema(config))
    sink = io.BytesIO()
    # No pandas metadata, fixed compression and no statistics that depend on the library
    # build: the same rows and pyarrow version give the same bytes.
    pq.write_table(table, sink, compression="zstd", compression_level=3, store_schema=True)
    return sink.getvalue()


def _csv_text(rows: Sequence[Mapping[str, Any]], config: str) -> str:
    columns = [name for name, _kind in COLUMNS[config]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        cells = []
        for name in columns:
            value = row[name]
            if isinstance(value, list):
                value = dumps(value)  # nested values as JSON text
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return buffer.getvalue()


_CARD = """---
license: {license}
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
size_categories:
- {size}
configs:
{configs}dataset_info:
{dataset_info}---

# {title}

Synthetic Prolonged Exposure (PE) therapy conversations for PTSD in six phases per client
(P5 orientation, P10 imaginal exposure, P6 SUDS monitoring, P7 reinforcement, P8 eliciting
thoughts and feelings, P11 processing), exported from a tvt dataset
({clients} clients, {conversations} conversations; tvt {tvt_version}, backend {backend}).
**All people and events are synthetic.** Not for clinical use. Licence: {license_text}.

## Configs and splits

Each config has the splits train / validation / test by client (80 / 10 / 10 %): every client,
with all its conversations, is in exactly one split, the same in every config.

| config | {split_header} |
|---|{split_rule}|
{split_rows}
- `conversations` (default): one row per (client, phase): `client_id`, `phase`, `phase_name`,
  the client, therapist and trauma fields flattened (`client_age`, `client_gender`, ...,
  `trauma_type`, `session_topic`), `reference_intensity` (1-10, the benchmark target, or null),
  `reference_source`, `risk_moment`, `num_turns`, `full_conversation` (the turns as
  "Therapist: ..." / "Client: ..." strings) and `turns` (`speaker`, `text`, `suds` on 0-100 or
  null, `act`).
- `cases`: one row per client with the same profile fields and the planned intensity per phase
  (`plan_intensity_P5`, ...; null for imported data).
{reference_line}{csv_line}
## Loading

```python
from datasets import load_dataset
ds = load_dataset("path/to/this/folder")            # conversations: train, validation, test
cases = load_dataset("path/to/this/folder", "cases")
```

Dataset fingerprint: `{fingerprint}`.
"""


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if n < limit:
            return name
    return "100K<n<1M"


@dataclass(frozen=True)
class HFExport:
    """What an export wrote: rows per config and split, the file format and the folder."""

    out: Path
    file_format: str
    rows: dict[str, dict[str, int]]  # config -> split -> rows
    license: str

    def counts(self) -> dict[str, int]:
        """Rows per config, all splits together."""
        return {config: sum(by.values()) for config, by in self.rows.items()}


def export_hf_records(
    cases: Sequence[Case],
    conversations: Iterable[Conversation],
    references: Sequence[ReferenceRow],
    manifest: Manifest | None,
    out: str | Path,
    *,
    force: bool = False,
    file_format: str = "parquet",
) -> HFExport:
    """Write the Hugging Face layout of a dataset's records (in memory or read from a folder).

    A conversation or reference whose client has no case is bad input (``InputError``); nothing
    is written then.
    """
    if file_format not in FILE_FORMATS:
        raise InputError(
            f"unknown file format {file_format!r} (known: {', '.join(FILE_FORMATS)})",
            field="file_format",
        )
    out = Path(out)
    by_id = {case["client_id"]: case for case in cases}
    refs = {r["client_id"]: r for r in references}
    for cid in refs:
        if cid not in by_id:
            raise InputError(f"reference of client {cid}, who has no case")
    split_of = split_clients(by_id)
    rows: dict[str, dict[str, list[HFRow]]] = {
        config: {name: [] for name, _ in SPLITS} for config in CONFIGS
    }
    for cid in sorted(by_id):
        rows["cases"][split_of[cid]].append(hf_case_row(by_id[cid]))
        if cid in refs:
            rows["reference"][split_of[cid]].append(hf_reference_row(refs[cid]))
    for conv in conversations:
        cid = conv["client_id"]
        if cid not in by_id:
            raise InputError(f"conversation of client {cid}, who has no case")
        rows["conversations"][split_of[cid]].append(
            hf_conversation_row(conv, by_id[cid], refs.get(cid))
        )
    counts = {c: {s: len(r) for s, r in by.items()} for c, by in rows.items()}
    present = [c for c in CONFIGS if sum(counts[c].values())]
    made_by = manifest.get("backend") if manifest else None
    backend = made_by.get("name", "unknown") if made_by else "unknown"
    license_id = LICENSE_RELEASE if backend == "import" else LICENSE_GENERATED
    ext = "parquet" if file_format == "parquet" else "csv"
    with staged_export(out, force, ("data", "README.md")) as staging:
        configs, info = [], []
        for i, config in enumerate(present):
            folder = staging / "data" / config
            folder.mkdir(parents=True)
            configs.append(f"- config_name: {config}\n")
            if i == 0:
                configs.append("  default: true\n")
            configs.append("  data_files:\n")
            info += [f"- config_name: {config}", "  features:", *_feature_yaml(config, ext)]
            for split, _share in SPLITS:
                these = rows[config][split]
                if not these:
                    continue
                name = f"{split}-00000-of-00001.{ext}"
                if ext == "parquet":
                    (folder / name).write_bytes(_parquet_bytes(these, config))
                else:
                    (folder / name).write_text(_csv_text(these, config), encoding="utf-8")
                configs.append(f"  - split: {split}\n    path: data/{config}/{name}\n")
        splits = [s for s, _ in SPLITS]
        card = _CARD.format(
            license=license_id,
            license_text=(
                "CC BY-NC 4.0, the licence of the paper's public release this data was imported "
                "from"
                if license_id == LICENSE_RELEASE
                else "MIT, the licence of tvt and of the data it generates"
            ),
            title="tvt synthetic PE therapy conversations",
            size=_size_category(sum(counts["conversations"].values()) or len(by_id)),
            clients=len(by_id),
            conversations=sum(counts["conversations"].values()),
            tvt_version=manifest.get("tvt_version", "unknown") if manifest else "unknown",
            backend=backend,
            fingerprint=manifest.get("fingerprint", "unknown") if manifest else "unknown",
            configs="".join(configs),
            dataset_info="\n".join(info) + "\n",
            split_header=" | ".join(splits),
            split_rule="---|" * len(splits),
            split_rows="".join(
                f"| {c} | " + " | ".join(str(counts[c][s]) for s in splits) + " |\n"
                for c in present
            ),
            reference_line="- `reference`: one row per client with the reference trajectory "
            "(`intensity_P5`, ..., 1-10) and its `source`.\n"
            if "reference" in present
            else "",
            csv_line="\nIn the CSV files, `client_exhibited_behaviors`, `full_conversation` and "
            "`turns` hold JSON text.\n"
            if ext == "csv"
            else "",
        )
        (staging / "README.md").write_text(card, encoding="utf-8", newline="\n")
    return HFExport(out, file_format, {c: counts[c] for c in present}, license_id)


def export_hf(
    dataset: str | Path, out: str | Path, *, force: bool = False, file_format: str = "parquet"
) -> HFExport:
    """Write the Hugging Face layout of a dataset folder (see the module docstring)."""
    folder = resolve_dataset(dataset)
    manifest = load_manifest(folder)
    cases = load_cases(folder)
    references = [r for _, r in read_references(folder)]
    conversations: Iterable[Conversation] = (
        conversations_of(folder, cases) if (folder / "conversations.jsonl").exists() else ()
    )
    return export_hf_records(
        list(cases.values()),
        conversations,
        references,
        manifest,
        out,
        force=force,
        file_format=file_format,
    )
