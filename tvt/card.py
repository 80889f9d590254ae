"""The dataset card (README.md) and Croissant 1.0 metadata (croissant.json) of a dataset folder.

Both are computed from the manifest and the data files alone, with no clock time and no absolute
path, so the same data always gives byte-identical cards. The Croissant file lists every data file
with its sha256 and describes the fields of cases, conversations and reference as record sets;
a field is only described when every record of the file has it, so a loader never meets a
described field that is missing.
"""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import os
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tvt.jsonio import atomic_writer, iter_jsonl, sha256_file, write_json
from tvt.phases import BENCHMARK_ORDER, EXPOSURE_PHASES, PHASE_NAMES

#: Licence of the generated data (the same as the tool's).
LICENSE_NAME = "MIT"
LICENSE_URL = "https://spdx.org/licenses/MIT.html"

PAPER_BIBTEX = """@inproceedings{bn2025thousand,
  title     = {Thousand Voices of Trauma: A Large-Scale Synthetic Dataset for Modeling
               Prolonged Exposure Therapy Conversations},
  author    = {Suhas BN and others},
  booktitle = {Advances in Neural Information Processing Systems, Datasets and Benchmarks Track},
  year      = {2025},
  eprint    = {2504.13955},
  archivePrefix = {arXiv}
}"""


def tvt_bibtex(version: str) -> str:
    """BibTeX entry for the tool itself."""
    return (
        "@software{tvt,\n"
        "  title   = {tvt: synthetic Prolonged Exposure therapy conversations and the\n"
        "             emotional-trajectory benchmark},\n"
        f"  version = {{{version}}},\n"
        "  note    = {Reproduces and repairs the Thousand Voices of Trauma dataset generator}\n"
        "}"
    )


CROISSANT_CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "sc": "https://schema.org/",
    "samplingRate": "cr:samplingRate",
    "equivalentProperty": "cr:equivalentProperty",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
CROISSANT_CONFORMS_TO = "http://mlcommons.org/croissant/1.0"

#: Profile attributes counted in the card, in display order.
CASE_ATTRIBUTES = [
    ("client gender", ("client_profile", "gender")),
    ("client age group", ("client_profile", "age_group")),
    ("relationship status", ("client_profile", "relationship_status")),
    ("living situation", ("client_profile", "living_situation")),
    ("occupation", ("client_profile", "occupation")),
    ("ethnicity", ("client_profile", "ethnicity")),
    ("co-occurring condition", ("client_profile", "co_occurring_condition")),
    ("exhibited behaviours (each client has several)", ("client_profile", "exhibited_behaviors")),
    ("trauma type", ("trauma_info", "type")),
    ("session topic", ("trauma_info", "session_topic")),
    ("therapist gender", ("therapist_profile", "gender")),
]

# Candidate fields per file: (name, top-level key, JSONPath inside that key or None, Croissant data
# type, repeated?). Croissant reads JSON Lines as a table of top-level columns; nested values are
# reached with a jsonPath transform, which applies to each element when the column is a list.
_CASE_FIELDS = [
    ("client_id", "client_id", None, "sc:Integer", False),
    *[
        (f"client_{k}", "client_profile", k, t, False)
        for k, t in [
            ("name", "sc:Text"),
            ("age", "sc:Integer"),
            ("age_group", "sc:Text"),
            ("gender", "sc:Text"),
            ("relationship_status", "sc:Text"),
            ("occupation", "sc:Text"),
            ("living_situation", "sc:Text"),
            ("ethnicity", "sc:Text"),
            ("co_occurring_condition", "sc:Text"),
        ]
    ],
    ("client_exhibited_behaviors", "client_profile", "exhibited_behaviors", "sc:Text", True),
    ("therapist_name", "therapist_profile", "name", "sc:Text", False),
    ("therapist_age", "therapist_profile", "age", "sc:Integer", False),
    ("therapist_gender", "therapist_profile", "gender", "sc:Text", False),
    ("trauma_type", "trauma_info", "type", "sc:Text", False),
    ("session_topic", "trauma_info", "session_topic", "sc:Text", False),
    *[
        (f"plan_intensity_{p}", "plan", f"intensity.{p}", "sc:Integer", False)
        for p in BENCHMARK_ORDER
    ],
    *[
        (f"plan_suds_{p}_{k}", "plan", f"suds.{p}.{k}", "sc:Integer", False)
        for p in EXPOSURE_PHASES
        for k in ("start", "peak", "end")
    ],
]
_CONVERSATION_FIELDS = [
    ("client_id", "client_id", None, "sc:Integer", False),
    ("phase", "phase", None, "sc:Text", False),
    ("turn_speaker", "turns", "speaker", "sc:Text", True),
    ("turn_text", "turns", "text", "sc:Text", True),
    ("turn_suds", "turns", "suds", "sc:Integer", True),
    ("turn_act", "turns", "act", "sc:Text", True),
    ("source", "source", None, "sc:Text", False),
]
_REFERENCE_FIELDS = [
    ("client_id", "client_id", None, "sc:Integer", False),
    *[(f"trajectory_{p}", "trajectory", p, "sc:Float", False) for p in BENCHMARK_ORDER],
    ("source", "source", None, "sc:Text", False),
]
_FIELD_DESCRIPTIONS = {
    "client_id": "client number (1..N); joins the three files",
    "phase": "PE phase code (P5, P10, P6, P7, P8, P11)",
    "turn_speaker": "speaker of each turn: therapist or client",
    "turn_text": "text of each turn",
    "turn_suds": "SUDS rating (0-100) the client stated in the turn, or null",
    "turn_act": "dialogue act of the turn",
    "source": "what produced the record",
}

RECORD_SETS = [
    ("cases", "cases.jsonl", _CASE_FIELDS, "One client: profile, therapist, trauma, plan."),
    (
        "conversations",
        "conversations.jsonl",
        _CONVERSATION_FIELDS,
        "One phase conversation of one client.",
    ),
    (
        "reference",
        "reference.jsonl",
        _REFERENCE_FIELDS,
        "Reference emotional-intensity trajectory (1-10 per phase) of one client.",
    ),
]


_MISSING = object()


def field_values(record: Any, column: str, path: str | None) -> list[Any] | object:
    """The values a described field takes in one record, or a sentinel when it is missing.

    ``path`` is a dotted key path inside ``record[column]``; when that column is a list the path
    applies to each element (a repeated field), as Croissant's jsonPath transform does.
    """
    if not isinstance(record, dict) or column not in record:
        return _MISSING
    value = record[column]
    if path is None:
        return [value]
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        for key in path.split("."):
            if not isinstance(item, dict) or key not in item:
                return _MISSING
            item = item[key]
        out.append(item)
    return out


def is_missing(value: object) -> bool:
    return value is _MISSING


@dataclass
class _Scan:
    """What one pass over a data file learns: record count and which candidate fields all have."""

    records: int = 0
    present: dict[str, bool] = field(default_factory=dict)


def _scan(path: Path, candidates: list[tuple[str, str, str | None, str, bool]], each=None) -> _Scan:
    scan = _Scan(present={name: True for name, *_ in candidates})
    if not path.exists():
        return scan
    pending = {
        name: (column, tuple(jpath.split(".")) if jpath else None)
        for name, column, jpath, _, _ in candidates
    }
    groups = _group_fields(pending)
    for _, rec in iter_jsonl(path):
        scan.records += 1
        # One set comparison per parent object covers all its described fields; only when it
        # fails are the fields looked at one by one to find which are missing.
        if pending and not _all_present(rec, groups):
            for name in [n for n, (c, k) in pending.items() if not _has_field(rec, c, k)]:
                scan.present[name] = False
                del pending[name]
            groups = _group_fields(pending)
        if each is not None:
            each(rec)
    return scan


def _group_fields(
    pending: dict[str, tuple[str, tuple[str, ...] | None]],
) -> list[tuple[tuple[str, ...], frozenset[str]]]:
    """Described fields grouped by the object holding them: ``[(parent path, leaf keys)]``."""
    groups: dict[tuple[str, ...], set[str]] = {}
    for column, keys in pending.values():
        path = (column, *keys) if keys else (column,)
        groups.setdefault(path[:-1], set()).add(path[-1])
    return [(parent, frozenset(leaves)) for parent, leaves in groups.items()]


def _all_present(record: Any, groups: list[tuple[tuple[str, ...], frozenset[str]]]) -> bool:
    if not isinstance(record, dict):
        return False
    for parent, leaves in groups:
        if not parent:
            if not leaves <= record.keys():
                return False
            continue
        if parent[0] not in record:
            return False
        value = record[parent[0]]
        for item in value if isinstance(value, list) else (value,):
            for key in parent[1:]:
                if not isinstance(item, dict) or key not in item:
                    return False
                item = item[key]
            if not isinstance(item, dict) or not leaves <= item.keys():
                return False
    return True


def _has_field(record: Any, column: str, keys: tuple[str, ...] | None) -> bool:
    """Whether ``record`` has the described field (the fast form of :func:`field_values`)."""
    if not isinstance(record, dict) or column not in record:
        return False
    if keys is None:
        return True
    value = record[column]
    for item in value if isinstance(value, list) else (value,):
        for key in keys:
            if not isinstance(item, dict) or key not in item:
                return False
            item = item[key]
    return True


@dataclass
class _Facts:
    """Everything the card reports, computed from the data files."""

    scans: dict[str, _Scan]
    counts: dict[str, Counter]
    ages: Counter  # age -> clients (bounded, so memory stays flat as clients grow)
    phase_conversations: Counter
    phase_turns: Counter
    phase_intensity: dict[str, Counter]  # phase -> {reference intensity: clients}
    stats: dict[str, Any] | None = None  # `tvt stats` of the folder, when it could be computed


def _collect(folder: Path) -> _Facts:
    counts: dict[str, Counter] = {label: Counter() for label, _ in CASE_ATTRIBUTES}
    ages: Counter = Counter()
    phase_conv: Counter = Counter()
    phase_turns: Counter = Counter()
    intensity: dict[str, Counter] = {p: Counter() for p in BENCHMARK_ORDER}

    # `tvt stats` gives the distributions when it can read the folder. On a large folder it runs
    # in a second process while this one scans the files for the Croissant fields; the card
    # counts values itself only when `tvt stats` cannot read the folder (a repaired import).
    pool, pending_stats = _start_stats(folder)

    def on_case(rec: dict[str, Any]) -> None:
        profile = rec.get("client_profile")
        age = profile.get("age") if isinstance(profile, dict) else None
        if isinstance(age, int):
            ages[age] += 1

    def on_conv(rec: dict[str, Any]) -> None:
        phase = str(rec.get("phase"))
        phase_conv[phase] += 1
        phase_turns[phase] += len(rec.get("turns") or [])

    def on_ref(rec: dict[str, Any]) -> None:
        for p, v in (rec.get("trajectory") or {}).items():
            if p in intensity and isinstance(v, (int, float)):
                intensity[p][float(v)] += 1

    handlers = {"cases": on_case, "conversations": on_conv, "reference": on_ref}
    try:
        scans = {
            rs: _scan(folder / fname, fields, handlers[rs]) for rs, fname, fields, _ in RECORD_SETS
        }
        stats = pending_stats.result() if pool is not None else _tvt_stats(folder)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if stats is None and (folder / "cases.jsonl").exists():
        for _, rec in iter_jsonl(folder / "cases.jsonl"):
            for label, (outer, inner) in CASE_ATTRIBUTES:
                section = rec.get(outer) if isinstance(rec, dict) else None
                value = section.get(inner) if isinstance(section, dict) else None
                for v in value if isinstance(value, list) else [value]:
                    counts[label][str(v) if v is not None else "(missing)"] += 1
    return _Facts(scans, counts, ages, phase_conv, phase_turns, intensity, stats)


#: From this size of cases.jsonl (about 15,000 clients) `tvt stats` runs in its own process.
_PARALLEL_STATS_BYTES = 5 * 1024**2


def _start_stats(folder: Path) -> tuple[Any, Any]:
    """Start :func:`_tvt_stats` in a forked process for a large folder; ``(None, None)`` if not."""
    cases = folder / "cases.jsonl"
    if (
        "fork" not in mp.get_all_start_methods()
        or (os.cpu_count() or 1) < 2
        or not cases.exists()
        or cases.stat().st_size < _PARALLEL_STATS_BYTES
    ):
        return None, None
    pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork"))
    return pool, pool.submit(_tvt_stats, folder)


def _tvt_stats(folder: Path) -> dict[str, Any] | None:
    """The distributions of ``tvt stats`` (with design targets and chi-square p-values).

    The card must never stop a dataset from being written, so data that ``tvt stats`` refuses
    (for example a repaired import) falls back to the plain counts computed here.
    """
    try:
        from tvt.errors import InputError
        from tvt.stats import compute_stats
    except ImportError:
        return None
    try:
        return compute_stats(folder)
    except (InputError, KeyError, TypeError, ValueError):
        return None


def croissant(
    folder: Path, manifest: dict[str, Any], facts: _Facts | None = None
) -> dict[str, Any]:
    """The Croissant 1.0 description of a dataset folder (files must be final)."""
    facts = facts or _collect(folder)
    distribution = []
    for name in sorted(manifest.get("files", {})) + ["manifest.json"]:
        path = folder / name
        if not path.exists():
            continue
        distribution.append(
            {
                "@type": "cr:FileObject",
                "@id": name,
                "name": name,
                "description": _FILE_DESCRIPTIONS.get(name, name),
                "contentUrl": name,
                "contentSize": f"{path.stat().st_size} B",
                "encodingFormat": "application/json"
                if name.endswith(".json")
                else "application/jsonlines",
                "sha256": sha256_file(path),
            }
        )
    record_sets = []
    for rs, fname, fields, description in RECORD_SETS:
        scan = facts.scans[rs]
        if not (folder / fname).exists() or scan.records == 0:
            continue
        record_sets.append(
            {
                "@type": "cr:RecordSet",
                "@id": rs,
                "name": rs,
                "description": description,
                "field": [
                    {
                        "@type": "cr:Field",
                        "@id": f"{rs}/{name}",
                        "name": name,
                        "description": _FIELD_DESCRIPTIONS.get(
                            name, f"{column}.{jpath}" if jpath else column
                        ),
                        "dataType": dtype,
                        **({"repeated": True} if repeated else {}),
                        "source": {
                            "fileObject": {"@id": fname},
                            "extract": {"column": column},
                            **({"transform": {"jsonPath": jpath}} if jpath else {}),
                        },
                    }
                    for name, column, jpath, dtype, repeated in fields
                    if scan.present[name]
                ],
            }
        )
    return {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "name": dataset_name(manifest),
        "description": _summary(manifest),
        "conformsTo": CROISSANT_CONFORMS_TO,
        "license": LICENSE_URL,
        "version": str(manifest.get("format_version", "1.0")),
        "citeAs": PAPER_BIBTEX,
        "keywords": [
            "synthetic data",
            "prolonged exposure therapy",
            "PTSD",
            "emotional trajectory",
            "benchmark",
        ],
        "isLiveDataset": False,
        "distribution": distribution,
        "recordSet": record_sets,
    }


_FILE_DESCRIPTIONS = {
    "cases.jsonl": "one client per line: profiles, trauma, planned trajectory",
    "conversations.jsonl": "one phase conversation per line",
    "reference.jsonl": "reference emotional-intensity trajectory per client",
    "failures.jsonl": "what could not be produced, and why",
    "manifest.json": "how the folder was made: versions, seed, config, per-file sha256",
}


def dataset_name(manifest: dict[str, Any]) -> str:
    """A stable name such as ``tvt-default-seed42-500-clients``."""
    config = (manifest.get("config") or {}).get("name") or "data"
    seed = manifest.get("seed")
    seed_part = f"-seed{seed}" if seed is not None else ""
    return f"tvt-{config}{seed_part}-{manifest.get('clients', 0)}-clients"


def _summary(manifest: dict[str, Any]) -> str:
    backend = (manifest.get("backend") or {}).get("name", "unknown")
    return (
        f"Synthetic Prolonged Exposure (PE) therapy conversations for PTSD: "
        f"{manifest.get('clients', 0)} synthetic clients, one conversation per PE phase, "
        f"with reference emotional-intensity trajectories; produced by tvt "
        f"{manifest.get('tvt_version', '?')} ({backend} backend). Research and training use "
        "only; not for clinical use or diagnosis."
    )


def _command(manifest: dict[str, Any]) -> str | None:
    backend = manifest.get("backend") or {}
    config = manifest.get("config") or {}
    if manifest.get("seed") is None:
        return None
    parts = ["tvt generate", f"--seed {manifest['seed']}", f"--clients {manifest.get('clients')}"]
    if config.get("name") in ("default", "paper") and config.get("source") == config.get("name"):
        parts.append(f"--preset {config['name']}")
    elif config.get("source"):
        parts.append(f"--config {config['source']}")
    parts.append(f"--backend {backend.get('name', 'offline')}")
    if backend.get("model"):
        parts.append(f"--model {backend['model']}")
    phases = manifest.get("phases")
    if phases and list(phases) != list(BENCHMARK_ORDER):
        parts.append("--phases " + ",".join(phases))
    return " ".join(parts)


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _count_table(counter: Counter, total: int, limit: int = 12) -> Iterator[str]:
    yield "| value | count | share |"
    yield "|---|---:|---:|"
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    for value, n in items[:limit]:
        share = f"{100 * n / total:.1f} %" if total else "-"
        yield f"| {_md_cell(value)} | {n} | {share} |"
    if len(items) > limit:
        rest = sum(n for _, n in items[limit:])
        yield f"| ({len(items) - limit} more values) | {rest} | |"


def _stats_sections(stats: dict[str, Any], limit: int = 12) -> list[str]:
    """Distribution tables from ``tvt stats``: count, share, design target, chi-square p."""
    targets = stats.get("targets") or {}
    lines = []
    if targets.get("available"):
        lines += [f"Design targets: {targets.get('source')}.", ""]
    blocks = list((stats.get("attributes") or {}).values())
    if stats.get("behaviours"):
        blocks.append(stats["behaviours"])
    for block in blocks:
        label = str(block.get("label", "?"))
        n = block.get("n") or 0
        lines += [f"### {label[0].upper()}{label[1:]}", ""]
        lines += ["| value | count | share | design target |", "|---|---:|---:|---:|"]
        values = sorted(
            (block.get("values") or {}).items(), key=lambda kv: (-kv[1]["count"], kv[0])
        )
        for value, v in values[:limit]:
            share = f"{100 * v['count'] / n:.1f} %" if n else "-"
            target = v.get("target_percent")
            target_text = f"{target:.1f} %" if isinstance(target, (int, float)) else "-"
            lines.append(f"| {_md_cell(value)} | {v['count']} | {share} | {target_text} |")
        if len(values) > limit:
            rest = sum(v["count"] for _, v in values[limit:])
            lines.append(f"| ({len(values) - limit} more values) | {rest} | | |")
        chi = block.get("chi_square") or {}
        if isinstance(chi.get("p_value"), (int, float)):
            lines += ["", f"Chi-square against the design target: p = {chi['p_value']:.3g}."]
        lines.append("")
    return lines


def dataset_card(folder: Path, manifest: dict[str, Any], facts: _Facts | None = None) -> str:
    """The README.md of a dataset folder."""
    facts = facts or _collect(folder)
    n_cases = facts.scans["cases"].records
    versions = manifest.get("versions") or {}
    backend = manifest.get("backend") or {}
    config = manifest.get("config") or {}
    lines = [
        f"# {dataset_name(manifest)}",
        "",
        "## What it is",
        "",
        _summary(manifest),
        "",
        "Each client has a sampled profile (age, gender, relationship status, occupation, living "
        "situation, ethnicity, co-occurring condition, trauma-related behaviours), a therapist "
        "profile, a trauma type and session topic, and a planned emotional trajectory over the "
        "six PE phases. The conversations follow that plan; `reference.jsonl` holds the "
        "trajectory (1 = calm, 10 = extreme distress) that the emotional-trajectory benchmark "
        "compares model ratings with. Everything is synthetic: no real person, session or "
        "clinical record is described.",
        "",
        "## How it was generated",
        "",
    ]
    command = _command(manifest)
    if command:
        lines += ["```", command, "```", ""]
    lines += [
        "| item | value |",
        "|---|---|",
        f"| tvt version | {_md_cell(manifest.get('tvt_version', '?'))} |",
        f"| seed | {_md_cell(manifest.get('seed'))} |",
        f"| clients | {_md_cell(manifest.get('clients'))} |",
        f"| phases | {_md_cell(', '.join(manifest.get('phases') or []))} |",
        f"| sampler config | {_md_cell(config.get('name'))} (sha256 {_md_cell(config.get('sha256', '-'))}) |",
    ]
    for key in sorted(backend):
        lines.append(f"| backend {_md_cell(key)} | {_md_cell(backend[key])} |")
    for key in sorted(versions):
        lines.append(f"| {_md_cell(key)} version | {_md_cell(versions[key])} |")
    lines += [
        f"| fingerprint | {_md_cell(manifest.get('fingerprint', '-'))} |",
        "",
        "The same seed, configuration and versions give byte-identical data files; the "
        "fingerprint is a sha256 over them (see `manifest.json`).",
        "",
        "## Files",
        "",
        "| file | records | bytes | sha256 |",
        "|---|---:|---:|---|",
    ]
    for name, info in sorted((manifest.get("files") or {}).items()):
        lines.append(
            f"| {_md_cell(name)} | {info.get('records', '-')} | {info.get('bytes', '-')} | "
            f"{_md_cell(info.get('sha256', '-'))} |"
        )
    lines += [
        "",
        "`croissant.json` describes the same files in Croissant 1.0 metadata.",
        "",
        "## Distributions",
        "",
        f"Counted from `cases.jsonl` ({n_cases} clients).",
        "",
    ]
    if facts.ages:
        n_ages = sum(facts.ages.values())
        mean = sum(a * c for a, c in facts.ages.items()) / n_ages
        var = sum(c * (a - mean) ** 2 for a, c in facts.ages.items()) / max(1, n_ages - 1)
        sd = math.sqrt(var)
        lines += [
            f"Client age: mean {mean:.1f}, SD {sd:.1f}, range {min(facts.ages)}-{max(facts.ages)}.",
            "",
        ]
    if facts.stats is not None:
        lines += _stats_sections(facts.stats)
    else:
        for label, _ in CASE_ATTRIBUTES:
            if facts.counts[label]:
                lines += [
                    f"### {label[0].upper()}{label[1:]}",
                    "",
                    *_count_table(facts.counts[label], n_cases),
                    "",
                ]
    if facts.phase_conversations:
        lines += [
            "### Conversations per phase",
            "",
            "| phase | name | conversations | mean turns | mean reference intensity |",
            "|---|---|---:|---:|---:|",
        ]
        for p in BENCHMARK_ORDER:
            n = facts.phase_conversations.get(p, 0)
            turns = f"{facts.phase_turns[p] / n:.1f}" if n else "-"
            vals = facts.phase_intensity[p]
            total = sum(vals.values())
            inten = f"{sum(v * c for v, c in vals.items()) / total:.2f}" if total else "-"
            lines.append(f"| {p} | {PHASE_NAMES[p]} | {n} | {turns} | {inten} |")
        lines.append("")
    lines += [
        "## Intended use and limits",
        "",
        "- For research and for training and evaluating models only. **Not for clinical use, "
        "diagnosis or treatment decisions**, and not a substitute for a trained clinician.",
        "- The conversations are synthetic. They imitate the structure of Prolonged Exposure "
        "therapy but were not written or reviewed by clinicians; the offline composer assembles "
        "them from phrase banks, and LLM-generated text may contain errors or unsafe content.",
        "- Profile attributes are drawn from configured distributions; they do not represent "
        "any real population, and rare combinations may be under- or over-represented.",
        "- The reference trajectory is the generator's plan (or a named rater), not a "
        "clinician's judgement; benchmark scores measure agreement with it only.",
        "- Trauma themes (abuse, violence, war, disasters) are present throughout; handle with care.",
        "",
        "## License",
        "",
        f"{LICENSE_NAME} ({LICENSE_URL}).",
        "",
        "## How to cite",
        "",
        "The dataset design and the benchmark come from:",
        "",
        "```bibtex",
        PAPER_BIBTEX,
        "```",
        "",
        "and this data was produced with tvt:",
        "",
        "```bibtex",
        tvt_bibtex(str(manifest.get("tvt_version", "?"))),
        "```",
        "",
    ]
    return "\n".join(lines)


def write_card(folder: str | Path, manifest: dict[str, Any]) -> None:
    """Write README.md and croissant.json into ``folder`` (after the data files and manifest)."""
    folder = Path(folder)
    facts = _collect(folder)
    with atomic_writer(folder / "README.md") as fh:
        fh.write(dataset_card(folder, manifest, facts))
    write_json(folder / "croissant.json", croissant(folder, manifest, facts))


def load_croissant(folder: str | Path) -> dict[str, Any]:
    """Read a folder's croissant.json."""
    with open(Path(folder) / "croissant.json", encoding="utf-8") as fh:
        return json.load(fh)
