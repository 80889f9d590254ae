"""Distributions of a dataset against the sampler's design weights and the paper's figures.

For every profile attribute: counts, percentages, the target percentage implied by the config the
dataset was made with, and a chi-square goodness-of-fit p-value (the statistic and p-value of
``scipy.stats.chisquare``, computed with ``scipy.special.chdtrc``).
Targets come from the config recorded in the manifest; they are used only when the installed
preset (or a ``--config`` file) has the same sha256, so the test never runs against weights that
have changed since. The age-conditional attributes (relationship, occupation, living situation)
get their exact marginal targets by walking every age through the same tables and consistency
rules the sampler uses.

When the dataset has conversations: turns per conversation and words per turn by phase and
speaker, and SUDS coverage (share of conversations with at least one stated SUDS, and SUDS
statements per conversation).
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tvt.config import PRESETS, Config, load_config
from tvt.dataset import iter_records, read_manifest, resolve_dataset
from tvt.errors import InputError
from tvt.phases import BENCHMARK_ORDER
from tvt.release import CLIENT_FIELDS
from tvt.sampling import allowed

#: What the paper reports for its 500 clients (§3.6) and its release (SPEC §1.4, §1.5).
PAPER_REPORTED: dict[str, dict[str, float]] = {
    "trauma_type": {
        "witnessing violence": 10.6,
        "bullying": 10.2,
        "neglect": 9.0,
        "medical trauma": 8.6,
        "childhood trauma": 8.4,
        "loss of a loved one": 7.8,
        "natural disasters": 7.8,
        "sexual abuse": 7.8,
        "physical abuse": 7.8,
        "emotional abuse": 7.6,
        "combat or war experiences": 7.2,
        "accidents": 7.2,
    },
    "behaviours": {
        "nightmares": 23.4,
        "substance abuse": 20.8,
        "compulsive behaviors": 20.2,
        "aggression": 20.0,
        "hypervigilance": 19.8,
        "self-blame": 19.4,
        "withdrawal": 19.0,
        "flashbacks": 19.0,
        "avoidance": 18.2,
        "dissociation": 16.6,
    },
    "gender": {"male": 49.4, "female": 44.4, "non-binary": 6.2},
}
PAPER_AGE_MEAN = 49.3
PAPER_BEHAVIOURS_PER_CLIENT = 1.96
PAPER_TURNS_PER_CONVERSATION = {
    "P5": 20.6,
    "P10": 63.9,
    "P6": 33.3,
    "P7": 29.5,
    "P8": 30.9,
    "P11": 24.6,
}
PAPER_WORDS_PER_TURN = {"therapist": 10.0, "client": 35.0}

#: Below this expected count in a category the chi-square p-value is only approximate.
MIN_EXPECTED = 5.0


@dataclass(frozen=True)
class Attribute:
    key: str
    label: str
    get: Callable[[dict[str, Any]], Any]


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("gender", "client gender", lambda c: c["client_profile"]["gender"]),
    Attribute("ethnicity", "ethnicity", lambda c: c["client_profile"]["ethnicity"]),
    Attribute(
        "co_occurring_condition",
        "co-occurring condition",
        lambda c: c["client_profile"]["co_occurring_condition"],
    ),
    Attribute(
        "relationship_status",
        "relationship status",
        lambda c: c["client_profile"]["relationship_status"],
    ),
    Attribute("occupation", "occupation", lambda c: c["client_profile"]["occupation"]),
    Attribute(
        "living_situation", "living situation", lambda c: c["client_profile"]["living_situation"]
    ),
    Attribute("age_group", "age group", lambda c: c["client_profile"]["age_group"]),
    Attribute("trauma_type", "trauma type", lambda c: c["trauma_info"]["type"]),
    Attribute("session_topic", "session topic", lambda c: c["trauma_info"]["session_topic"]),
    Attribute(
        "behaviour_count",
        "behaviours per client",
        lambda c: str(len(c["client_profile"]["exhibited_behaviors"])),
    ),
    Attribute("therapist_gender", "therapist gender", lambda c: c["therapist_profile"]["gender"]),
)


# -- targets --------------------------------------------------------------------------------------
def _normalise(weights: dict[str, float]) -> dict[str, float]:
    total = sum(w for w in weights.values() if w > 0)
    return {k: w / total for k, w in weights.items() if w > 0}


def _filtered(
    weights: dict[str, float],
    field: str,
    age: int,
    profile: dict[str, Any],
    constraints: list[dict[str, Any]],
) -> dict[str, float]:
    ok = {
        v: w for v, w in weights.items() if w > 0 and allowed(constraints, field, v, age, profile)
    }
    return _normalise(ok) if ok else {}


def _life_targets(data: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Exact marginals of the age-conditional fields, following the sampler's draw order."""
    ca = data["client"]["age"]
    ages = range(ca["min"], ca["max"] + 1)
    bands = sorted(data["life_by_age"], key=lambda b: b["min_age"])
    starts = [b["min_age"] for b in bands]
    constraints = data["constraints"]
    partnered = set(data["partnered_statuses"])
    out: dict[str, dict[str, float]] = {
        "relationship_status": defaultdict(float),
        "occupation": defaultdict(float),
        "living_situation": defaultdict(float),
    }
    pa = 1.0 / len(ages)
    for age in ages:
        band = bands[bisect.bisect_right(starts, age) - 1]
        rel = _filtered(band["relationship_status"], "relationship_status", age, {}, constraints)
        for r, pr in rel.items():
            out["relationship_status"][r] += pa * pr
            prof = {"relationship_status": r}
            occ = _filtered(band["occupation"], "occupation", age, prof, constraints)
            table = band["living_situation"]["partnered" if r in partnered else "unpartnered"]
            for o, po in occ.items():
                out["occupation"][o] += pa * pr * po
                liv = _filtered(
                    table, "living_situation", age, {**prof, "occupation": o}, constraints
                )
                for v, pl in liv.items():
                    out["living_situation"][v] += pa * pr * po * pl
    return {k: dict(v) for k, v in out.items()}


def design_targets(config: Config) -> dict[str, dict[str, float]]:
    """The probability of every value of every attribute under ``config``'s sampling rules."""
    d = config.data
    c = d["client"]
    ca = c["age"]
    n_ages = ca["max"] - ca["min"] + 1
    age_groups = {
        f"{lo}-{hi}": (min(hi, ca["max"]) - max(lo, ca["min"]) + 1) / n_ages
        for lo, hi in ca["groups"]
        if min(hi, ca["max"]) >= max(lo, ca["min"])
    }
    types = _normalise(d["trauma_type"])
    if d["topic_pairing"] == "compatible":
        topics: dict[str, float] = defaultdict(float)
        for t, pt in types.items():
            compatible = {x: d["session_topic"].get(x, 0) for x in d["compatible_topics"][t]}
            for x, px in _normalise(compatible).items():
                topics[x] += pt * px
        topics = dict(topics)
    else:
        topics = _normalise(d["session_topic"])
    count = _normalise(c["exhibited_behaviors"]["count"])
    values = c["exhibited_behaviors"]["values"]
    mean_count = sum(int(k) * p for k, p in count.items())
    return {
        "gender": _normalise(c["gender"]),
        "ethnicity": _normalise(c["ethnicity"]),
        "co_occurring_condition": _normalise(c["co_occurring_condition"]),
        **_life_targets(d),
        "age_group": age_groups,
        "trauma_type": types,
        "session_topic": topics,
        "behaviour_count": count,
        "therapist_gender": _normalise(d["therapist"]["gender"]),
        # Behaviours are chosen uniformly: every mention is each value with the same chance,
        # and a client has behaviour b with probability E[count] / len(values).
        "behaviour_mentions": {v: 1.0 / len(values) for v in values},
        "behaviour_share": {v: mean_count / len(values) for v in values},
    }


def resolve_targets(
    manifest: dict[str, Any] | None, config_path: str | Path | None = None
) -> tuple[Config | None, str]:
    """The config whose weights are the targets, or None with the reason they are unavailable."""
    recorded = (manifest or {}).get("config")
    if manifest is None:
        return None, "the dataset has no manifest.json, so its config is unknown"
    if not recorded:
        return None, "the dataset records no sampler config (imported data has none)"
    if config_path is not None:
        config = load_config(path=config_path)
        label = f"config file {Path(config_path).name}"
    else:
        name = recorded.get("source") if recorded.get("source") in PRESETS else recorded.get("name")
        if name not in PRESETS:
            return None, (
                f"the dataset was made with config '{recorded.get('source')}', which is not a "
                "preset; pass it with --config to compare"
            )
        config = load_config(name)
        label = f"preset '{name}'"
    if config.sha256 != recorded.get("sha256"):
        return None, (
            f"the {label} (sha256 {config.sha256[:12]}) is not the config the dataset was made "
            f"with (sha256 {str(recorded.get('sha256'))[:12]}); its weights may have changed"
        )
    return config, f"design weights of the {label} (sha256 matches)"


# -- statistics ------------------------------------------------------------------------------------
def chi_square(
    counts: dict[str, int], target: dict[str, float]
) -> tuple[dict[str, Any] | None, str | None]:
    """Chi-square goodness of fit of ``counts`` against the probabilities ``target``.

    Returns ``(result, note)``; result is None when the test does not apply (no data, a single
    category, or observed values the targets give no chance at all, which already rejects).
    """
    # scipy.special.chdtrc is the chi-square survival function that scipy.stats.chisquare uses
    # for its p-value; importing scipy.stats as well would add a second to every dataset card.
    from scipy.special import chdtrc

    n = sum(counts.values())
    if n == 0:
        return None, "no data"
    outside = sorted(v for v, k in counts.items() if k > 0 and target.get(v, 0) <= 0)
    if outside:
        return None, "values the targets do not allow: " + ", ".join(map(repr, outside[:5]))
    cats = [v for v, p in target.items() if p > 0]
    if len(cats) < 2:
        return None, "a single category"
    total = sum(target[v] for v in cats)
    f_obs = [counts.get(v, 0) for v in cats]
    f_exp = [n * target[v] / total for v in cats]
    stat = sum((o - e) ** 2 / e for o, e in zip(f_obs, f_exp, strict=True))
    p = chdtrc(len(cats) - 1, stat)
    result = {
        "statistic": float(stat),
        "p_value": float(p),
        "dof": len(cats) - 1,
        "min_expected": float(min(f_exp)),
    }
    note = None
    if result["min_expected"] < MIN_EXPECTED:
        note = f"some expected counts are below {MIN_EXPECTED:g}; the p-value is approximate"
    return result, note


class Running:
    """Mean and sample SD of a stream of numbers (Welford), without keeping them."""

    __slots__ = ("n", "mean", "_m2")

    def __init__(self) -> None:
        self.n = 0
        self.mean = 0.0
        self._m2 = 0.0

    def add(self, x: float) -> None:
        self.n += 1
        d = x - self.mean
        self.mean += d / self.n
        self._m2 += d * (x - self.mean)

    def summary(self) -> dict[str, Any]:
        sd = math.sqrt(self._m2 / (self.n - 1)) if self.n > 1 else None
        return {"n": self.n, "mean": self.mean if self.n else None, "sd": sd}


def _values_table(
    counts: Counter[str],
    n: int,
    target: dict[str, float] | None,
    paper: dict[str, float] | None,
    denominator: int | None = None,
) -> dict[str, dict[str, Any]]:
    """Per value: count, percent, target percent and paper percent (targets' order first)."""
    order = list(target or {}) + list(paper or {})
    order += sorted(v for v in counts if v not in order)
    out = {}
    denom = denominator if denominator is not None else n
    for v in dict.fromkeys(order):
        row: dict[str, Any] = {
            "count": counts.get(v, 0),
            "percent": 100.0 * counts.get(v, 0) / denom if denom else None,
        }
        if target is not None:
            row["target_percent"] = 100.0 * target.get(v, 0.0)
        if paper is not None:
            row["paper_percent"] = paper.get(v)
        out[v] = row
    return out


def _require(case: dict[str, Any], path: Path, line: int) -> None:
    for section, keys in (
        ("client_profile", CLIENT_FIELDS),
        ("therapist_profile", ("gender",)),
        ("trauma_info", ("type", "session_topic")),
    ):
        obj = case.get(section)
        if not isinstance(obj, dict):
            raise InputError("missing or not an object", path=path, line=line, field=section)
        for key in keys:
            if key not in obj:
                raise InputError("missing", path=path, line=line, field=f"{section}.{key}")
    if not isinstance(case["client_profile"]["exhibited_behaviors"], list):
        raise InputError(
            "must be a list", path=path, line=line, field="client_profile.exhibited_behaviors"
        )
    age = case["client_profile"]["age"]
    if not isinstance(age, (int, float)) or isinstance(age, bool):
        raise InputError("must be a number", path=path, line=line, field="client_profile.age")


def _conversation_stats(folder: Path) -> dict[str, Any] | None:
    path = folder / "conversations.jsonl"
    if not path.exists():
        return None
    phases: dict[str, dict[str, Any]] = {}

    def bucket(phase: str) -> dict[str, Any]:
        if phase not in phases:
            phases[phase] = {
                "conversations": 0,
                "turns": Running(),
                "speaker_turns": {"therapist": Running(), "client": Running()},
                "words": {"therapist": Running(), "client": Running()},
                "with_suds": 0,
                "suds_statements": Running(),
                "suds_scale_10": 0,
            }
        return phases[phase]

    for lineno, conv in iter_records(folder, "conversations.jsonl"):
        turns = conv.get("turns")
        phase = conv.get("phase")
        if phase not in BENCHMARK_ORDER:
            raise InputError(f"unknown phase {phase!r}", path=path, line=lineno, field="phase")
        if not isinstance(turns, list):
            raise InputError("must be a list", path=path, line=lineno, field="turns")
        per_speaker = {"therapist": 0, "client": 0}
        stated = 0
        for b in (bucket(phase), bucket("all")):
            b["conversations"] += 1
            b["turns"].add(len(turns))
        for i, t in enumerate(turns):
            speaker = t.get("speaker") if isinstance(t, dict) else None
            if speaker not in per_speaker or not isinstance(t.get("text"), str):
                raise InputError(
                    "each turn needs a speaker (therapist|client) and a text",
                    path=path,
                    line=lineno,
                    field=f"turns.{i}",
                )
            per_speaker[speaker] += 1
            words = len(t["text"].split())
            for b in (bucket(phase), bucket("all")):
                b["words"][speaker].add(words)
            if t.get("suds") is not None and speaker == "client":
                stated += 1
                if t.get("suds_scale") == 10:
                    for b in (bucket(phase), bucket("all")):
                        b["suds_scale_10"] += 1
        for b in (bucket(phase), bucket("all")):
            for s, k in per_speaker.items():
                b["speaker_turns"][s].add(k)
            b["with_suds"] += stated > 0
            b["suds_statements"].add(stated)
    if not phases:
        return None
    out = {}
    for phase in (*BENCHMARK_ORDER, "all"):
        if phase not in phases:
            continue
        b = phases[phase]
        out[phase] = {
            "conversations": b["conversations"],
            "turns_per_conversation": b["turns"].summary(),
            "by_speaker": {
                s: {
                    "turns_per_conversation": b["speaker_turns"][s].summary(),
                    "words_per_turn": b["words"][s].summary(),
                }
                for s in ("therapist", "client")
            },
            "suds_coverage": b["with_suds"] / b["conversations"],
            "suds_statements_per_conversation": b["suds_statements"].summary(),
            "suds_statements_converted_from_0_10": b["suds_scale_10"],
        }
    return out


def compute_stats(
    dataset: str | Path, *, against: str | None = None, config_path: str | Path | None = None
) -> dict[str, Any]:
    """All statistics of a dataset folder as plain data (what ``tvt stats --json`` prints)."""
    folder = resolve_dataset(dataset)
    manifest = read_manifest(folder)
    config, why = resolve_targets(manifest, config_path)
    targets = design_targets(config) if config is not None else None
    paper = against == "paper"
    cases_path = folder / "cases.jsonl"

    counts: dict[str, Counter[str]] = {a.key: Counter() for a in ATTRIBUTES}
    behaviour_clients: Counter[str] = Counter()
    behaviour_mentions: Counter[str] = Counter()
    ages = Running()
    per_client = Running()
    pairs: Counter[tuple[str, str]] = Counter()
    compatible = load_config("default").data["compatible_topics"]
    coherent = 0
    n = 0
    for lineno, case in iter_records(folder, "cases.jsonl"):
        _require(case, cases_path, lineno)
        n += 1
        for a in ATTRIBUTES:
            counts[a.key][str(a.get(case))] += 1
        behaviours = [str(b) for b in case["client_profile"]["exhibited_behaviors"]]
        behaviour_clients.update(set(behaviours))
        behaviour_mentions.update(behaviours)
        per_client.add(len(behaviours))
        ages.add(case["client_profile"]["age"])
        t, x = case["trauma_info"]["type"], case["trauma_info"]["session_topic"]
        pairs[(t, x)] += 1
        coherent += x in compatible.get(t, ())
    if n == 0:
        raise InputError("no cases to describe", path=cases_path)

    attributes: dict[str, Any] = {}
    for a in ATTRIBUTES:
        target = targets.get(a.key) if targets else None
        paper_pct = PAPER_REPORTED.get(a.key) if paper else None
        entry: dict[str, Any] = {
            "label": a.label,
            "n": n,
            "values": _values_table(counts[a.key], n, target, paper_pct),
        }
        if target is not None:
            entry["chi_square"], entry["chi_square_note"] = chi_square(counts[a.key], target)
        attributes[a.key] = entry

    behaviours: dict[str, Any] = {
        "label": "behaviours (share of clients)",
        "n": n,
        "values": _values_table(
            behaviour_clients,
            n,
            targets["behaviour_share"] if targets else None,
            PAPER_REPORTED["behaviours"] if paper else None,
        ),
        "mentions": sum(behaviour_mentions.values()),
        "per_client": per_client.summary(),
    }
    if paper:
        behaviours["per_client"]["paper_mean"] = PAPER_BEHAVIOURS_PER_CLIENT
    if targets:
        # The test runs on mentions: each mention is one draw from the uniform choice.
        behaviours["chi_square"], behaviours["chi_square_note"] = chi_square(
            behaviour_mentions, targets["behaviour_mentions"]
        )
        behaviours["per_client"]["target_mean"] = sum(
            int(k) * p for k, p in targets["behaviour_count"].items()
        )

    age = ages.summary()
    if config is not None:
        ca = config.data["client"]["age"]
        width = ca["max"] - ca["min"] + 1
        age["target_mean"] = (ca["min"] + ca["max"]) / 2
        age["target_sd"] = math.sqrt((width**2 - 1) / 12)
    if paper:
        age["paper_mean"] = PAPER_AGE_MEAN

    conversations = _conversation_stats(folder)
    if conversations and paper:
        for phase, ref in PAPER_TURNS_PER_CONVERSATION.items():
            if phase in conversations:
                conversations[phase]["paper_turns_per_conversation"] = ref
        for s, ref in PAPER_WORDS_PER_TURN.items():
            if "all" in conversations:
                conversations["all"]["by_speaker"][s]["paper_words_per_turn"] = ref

    recorded = (manifest or {}).get("config")
    return {
        "dataset": {
            "clients": n,
            "seed": (manifest or {}).get("seed"),
            "config": recorded,
            "backend": ((manifest or {}).get("backend") or {}).get("name"),
        },
        "targets": {
            "available": config is not None,
            "source": why if config is not None else None,
            "reason": None if config is not None else why,
        },
        "against": against,
        "attributes": attributes,
        "behaviours": behaviours,
        "age": age,
        "type_topic_pairs": {
            "distinct": len(pairs),
            "coherent_share": coherent / n,
            "coherent_note": "share of clients whose topic is compatible with the trauma type "
            "by the default preset's table",
        },
        "conversations": conversations,
    }


# -- rendering -----------------------------------------------------------------------------------
def _fmt(x: Any, digits: int = 1) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _p(p: float) -> str:
    return f"{p:.3g}" if p >= 1e-4 else f"{p:.1e}"


def _grid(header: list[str], rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for r in [header, *rows]:
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append(indent + "  ".join(cells).rstrip())
    return lines


def _render_values(title: str, entry: dict[str, Any]) -> list[str]:
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


def render_stats(stats: dict[str, Any]) -> str:
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
        f"type-topic pairs: {tp['distinct']} distinct; {100 * tp['coherent_share']:.1f} % of "
        "clients have a topic compatible with their trauma type"
    )
    conv = stats["conversations"]
    if conv:
        lines.append("")
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
        lines.append("conversations (means per conversation; words per turn):")
        lines += _grid(header, rows)
        if paper:
            lines.append(
                "  paper: therapist about "
                f"{PAPER_WORDS_PER_TURN['therapist']:.0f} words per turn, client about "
                f"{PAPER_WORDS_PER_TURN['client']:.0f}"
            )
    return "\n".join(lines)
