"""The dataset card (``README.md``) of a dataset folder.

Built from the manifest, the statistics of the data (``tvt stats``: distributions with design
targets and chi-square p-values) and what a survey of the records learnt, with no clock time and
no absolute path, so the same data always gives a byte-identical card.
"""

from __future__ import annotations

from typing import Any

from tvt.card.about import (
    LICENSE_NAME,
    LICENSE_URL,
    PAPER_BIBTEX,
    dataset_name,
    summary,
    tvt_bibtex,
)
from tvt.card.survey import Survey
from tvt.phases import BENCHMARK_ORDER, PHASE_NAMES
from tvt.records import ConfigRef, Manifest
from tvt.stats.types import StatsReport
from tvt.tables import markdown_table

#: Distribution tables list this many values, then one row for the rest.
TABLE_LIMIT = 12


def _cell(value: Any) -> str:
    return str(value).replace("\n", " ")


def _command(manifest: Manifest) -> str | None:
    backend = manifest.get("backend") or {}
    config: ConfigRef | dict[str, str] = manifest.get("config") or {}
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


def _distribution_sections(stats: StatsReport) -> list[str]:
    """Distribution tables: count, share, design target, chi-square p."""
    targets = stats["targets"]
    lines = []
    if targets["available"]:
        lines += [f"Design targets: {targets['source']}.", ""]
    for block in [*stats["attributes"].values(), stats["behaviours"]]:
        label = str(block["label"])
        n = block["n"]
        values = sorted(block["values"].items(), key=lambda kv: (-kv[1]["count"], kv[0]))
        rows: list[list[str | None]] = []
        for value, v in values[:TABLE_LIMIT]:
            share = f"{100 * v['count'] / n:.1f} %" if n else "-"
            target = v.get("target_percent")
            target_text = f"{target:.1f} %" if isinstance(target, (int, float)) else "-"
            rows.append([_cell(value), str(v["count"]), share, target_text])
        if len(values) > TABLE_LIMIT:
            rest = sum(v["count"] for _, v in values[TABLE_LIMIT:])
            rows.append([f"({len(values) - TABLE_LIMIT} more values)", str(rest), None, None])
        header = ["value", "count", "share", "design target"]
        lines += [f"### {label[0].upper()}{label[1:]}", "", markdown_table(header, rows)]
        chi = block.get("chi_square")
        if chi and isinstance(chi.get("p_value"), (int, float)):
            lines += ["", f"Chi-square against the design target: p = {chi['p_value']:.3g}."]
        lines.append("")
    return lines


def _conversation_section(stats: StatsReport, survey: Survey) -> list[str]:
    conversations = stats["conversations"] or {}
    rows = []
    for p in BENCHMARK_ORDER:
        figures = conversations.get(p)
        n = figures["conversations"] if figures else 0
        turns = f"{figures['turns_per_conversation']['mean']:.1f}" if figures else "-"
        mean = survey.mean_intensity(p)
        rows.append([p, PHASE_NAMES[p], str(n), turns, "-" if mean is None else f"{mean:.2f}"])
    header = ["phase", "name", "conversations", "mean turns", "mean reference intensity"]
    return ["### Conversations per phase", "", markdown_table(header, rows, align="llrrr"), ""]


_ABOUT = (
    "Each client has a sampled profile (age, gender, relationship status, occupation, living "
    "situation, ethnicity, co-occurring condition, trauma-related behaviours), a therapist "
    "profile, a trauma type and session topic, and a planned emotional trajectory over the "
    "six PE phases. The conversations follow that plan; `reference.jsonl` holds the "
    "trajectory (1 = calm, 10 = extreme distress) that the emotional-trajectory benchmark "
    "compares model ratings with. Everything is synthetic: no real person, session or "
    "clinical record is described."
)

_LIMITS = [
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
]


def _generation_section(manifest: Manifest) -> list[str]:
    versions = manifest.get("versions") or {}
    backend = manifest.get("backend") or {}
    config: ConfigRef | dict[str, str] = manifest.get("config") or {}
    lines = ["## How it was generated", ""]
    command = _command(manifest)
    if command:
        lines += ["```", command, "```", ""]
    rows = [
        ["tvt version", _cell(manifest.get("tvt_version", "?"))],
        ["seed", _cell(manifest.get("seed"))],
        ["clients", _cell(manifest.get("clients"))],
        ["phases", _cell(", ".join(manifest.get("phases") or []))],
        [
            "sampler config",
            f"{_cell(config.get('name'))} (sha256 {_cell(config.get('sha256', '-'))})",
        ],
        *[[f"backend {_cell(key)}", _cell(value)] for key, value in sorted(backend.items())],
        *[[f"{_cell(key)} version", _cell(versions[key])] for key in sorted(versions)],
        ["fingerprint", _cell(manifest.get("fingerprint", "-"))],
    ]
    files = [
        [
            _cell(name),
            str(info.get("records", "-")),
            str(info.get("bytes", "-")),
            _cell(info.get("sha256", "-")),
        ]
        for name, info in sorted((manifest.get("files") or {}).items())
    ]
    return [
        *lines,
        markdown_table(["item", "value"], rows, align="ll"),
        "",
        "The same seed, configuration and versions give byte-identical data files; the "
        "fingerprint is a sha256 over them (see `manifest.json`).",
        "",
        "## Files",
        "",
        markdown_table(["file", "records", "bytes", "sha256"], files, align="lrrl"),
        "",
        "`croissant.json` describes the same files in Croissant 1.0 metadata.",
        "",
    ]


def _realize_section(manifest: Manifest) -> list[str]:
    """``--backend realize``: how many turns are the model's words and how many the composer's."""
    backend = manifest.get("backend") or {}
    done = backend.get("realize")
    if backend.get("name") != "realize" or not isinstance(done, dict) or not done.get("turns"):
        return []

    def pct(count: int) -> str:
        return f"{100 * count / done['turns']:.1f} %"

    caught = done.get("caught") or {}
    lines = [
        "## Realized turns",
        "",
        f"The offline composer planned every conversation (acts, SUDS, story, protocol); "
        f"{_cell(backend.get('model'))} rewrote the turns and every rewrite was checked (see "
        "docs/realize.md in tvt). Labels are the composer's throughout.",
        "",
        markdown_table(
            ["turns", "count", "share"],
            [
                ["all", str(done["turns"]), "100 %"],
                [
                    "rewritten by the model (passed every check)",
                    str(done["rewritten"]),
                    pct(done["rewritten"]),
                ],
                ["retried at least once", str(done["retried"]), pct(done["retried"])],
                [
                    "fallen back to the composer's sentence",
                    str(done["fallback"]),
                    pct(done["fallback"]),
                ],
            ],
            align="lrr",
        ),  # fmt: skip
        "",
        f"Answers that could not be used as a whole (unreadable, wrong turn count): "
        f"{done.get('format_failures', 0)}. Each turn's `realized` field says whose words it "
        "holds.",
        "",
    ]
    batch = backend.get("batch")
    if backend.get("mode") == "batch" and isinstance(batch, dict):
        attempts = (backend.get("sampling") or {}).get("max_attempts")
        pending = batch.get("conversations_with_retries_pending", 0)
        lines += [
            f"Collected from a Batch API / vLLM run-batch round (results files: "
            f"{batch.get('results_files')}; up to {attempts} answers per conversation, one per "
            "round). A batch retries only between rounds: the turns still failing when this "
            "dataset was collected keep the composer's sentence"
            + (
                f"; {pending} conversation(s) had a retry round not yet collected "
                "(batch_retry_requests.jsonl)."
                if pending
                else "."
            ),
            "",
        ]
    if caught:
        lines += [
            "Problems caught in the answers (counted per answer and turn): "
            + ", ".join(f"{_cell(k)} {v}" for k, v in sorted(caught.items()))
            + ".",
            "",
        ]
    return lines


def dataset_card(manifest: Manifest, stats: StatsReport, survey: Survey) -> str:
    """The README.md of a dataset folder.

    ``stats`` is the report of ``tvt stats`` on the folder's data (see
    :meth:`tvt.stats.Collector.report`); ``survey`` what one pass over its records learnt.
    """
    lines = [
        f"# {dataset_name(manifest)}",
        "",
        "## What it is",
        "",
        summary(manifest),
        "",
        _ABOUT,
        "",
        *_generation_section(manifest),
        *_realize_section(manifest),
        "## Distributions",
        "",
        f"Counted from `cases.jsonl` ({survey.scans['cases'].records} clients).",
        "",
    ]
    age = stats["age"]
    if age["n"]:
        sd = age["sd"] if age["sd"] is not None else 0.0
        lines += [
            f"Client age: mean {age['mean']:.1f}, SD {sd:.1f}, range {age['min']}-{age['max']}.",
            "",
        ]
    lines += _distribution_sections(stats)
    if stats["conversations"]:
        lines += _conversation_section(stats, survey)
    lines += [
        *_LIMITS,
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
