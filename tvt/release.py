"""Import and export of the public release layout, and export for Hugging Face ``datasets``.

The release (SPEC §1.7) keeps one JSON file per (client, phase) in two folders::

    conversations/{client_id}_{phase}_conversation.json   full_conversation, three_turn_sequences
    metadata/{client_id}_{phase}_metadata.json            client_profile, therapist_profile,
                                                          trauma_info

:func:`import_release` reads it into a native dataset folder, repairing the release's known quirks
and recording every repair or skip in an :class:`ImportReport` (nothing is dropped silently).
The original turn strings survive the import (see :func:`parse_turn`), so :func:`export_release`
reproduces ``full_conversation`` and ``three_turn_sequences`` exactly. :func:`export_hf` writes
flat JSON Lines that ``datasets.load_dataset("json", ...)`` loads, with a short dataset card.
The formats and every repair are documented in docs/formats.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tvt.card import write_card
from tvt.config import load_config
from tvt.dataset import DatasetWriter, base_manifest, iter_records, prepare_output, read_manifest
from tvt.errors import InputError
from tvt.fields import CLIENT_CATEGORY_FIELDS, CLIENT_FIELDS
from tvt.jsonio import dumps, read_json
from tvt.phases import BENCHMARK_ORDER, PHASE_INDEX, PHASE_NAMES
from tvt.sampling import age_group as _age_group
from tvt.sampling import violations

#: Phase order of the release's own listings (by fidelity code number).
RELEASE_PHASES: tuple[str, ...] = ("P5", "P6", "P7", "P8", "P10", "P11")

#: ``12_P10_conversation.json``, ``12_P10_conversation(1).json``, ``12_P10_metadata.json``.
_FILE_RE = re.compile(
    r"^(?P<client>\d+)_(?P<phase>[Pp]\d+)_(?P<kind>conversation|metadata)"
    r"(?:\s*\((?P<copy>\d+)\))?\.json$"
)

_CLIENT_STRING_FIELDS = CLIENT_CATEGORY_FIELDS

#: Values the release writes that mean a canonical value but are not a spelling variant of it.
#: Keys are normalised (see ``_norm``); each entry is documented in docs/formats.md.
ALIASES: dict[str, dict[str, str]] = {
    "ethnicity": {"oceania": "Oceanian"},
    "living_situation": {"withspouse": "With partner"},
}

_SPEAKERS = {"therapist": "therapist", "client": "client", "patient": "client"}
_LABELS = {"therapist": "Therapist", "client": "Client"}
# "Therapist: text", also "**Therapist:** text" and "**Therapist**: text" (markdown bold labels).
_TURN_RE = re.compile(
    r"^\s*(?:\*\*(?P<bold>[A-Za-z]+)(?::\*\*|\*\*\s*:)|(?P<label>[A-Za-z]+)\s*:)(?P<text>.*)$",
    re.S,
)

EMPTY_TURN_TEXT = "[empty turn]"


# -- the report ----------------------------------------------------------------------------------
@dataclass
class Entry:
    """One kind of repair or skip, how often it happened and a few examples."""

    action: str  # "read", "repaired", "kept" (kept as given and reported) or "skipped"
    description: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """Everything the importer repaired, kept as given, or skipped, with counts and examples."""

    max_examples: int = 3
    entries: dict[str, Entry] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, key: str, action: str, description: str, example: str | None = None) -> None:
        entry = self.entries.get(key)
        if entry is None:
            entry = self.entries[key] = Entry(action, description)
        entry.count += 1
        if example is not None and len(entry.examples) < self.max_examples:
            entry.examples.append(example)

    def count(self, key: str) -> int:
        entry = self.entries.get(key)
        return entry.count if entry else 0

    def count_prefix(self, prefix: str) -> int:
        return sum(e.count for k, e in self.entries.items() if k.startswith(prefix))

    def to_dict(self) -> dict[str, Any]:
        return {
            "totals": dict(sorted(self.totals.items())),
            "entries": {
                key: {
                    "action": e.action,
                    "description": e.description,
                    "count": e.count,
                    "examples": e.examples,
                }
                for key, e in sorted(self.entries.items())
            },
        }

    def render(self) -> str:
        """A readable report: totals, then the entries grouped by action."""
        t = self.totals
        lines = [
            f"read {t.get('conversation_files', 0)} conversation files and "
            f"{t.get('metadata_files', 0)} metadata files; imported {t.get('clients', 0)} "
            f"clients and {t.get('conversations', 0)} conversations"
        ]
        titles = {
            "read": "Read from the text",
            "repaired": "Repaired",
            "kept": "Kept as given (reported)",
            "skipped": "Skipped",
        }
        for action in ("read", "repaired", "kept", "skipped"):
            group = [(k, e) for k, e in sorted(self.entries.items()) if e.action == action]
            if not group:
                continue
            lines.append(f"{titles[action]}:")
            for _, e in group:
                lines.append(f"  {e.count:>6}  {e.description}")
                for ex in e.examples:
                    lines.append(f"          e.g. {ex}")
        if len(lines) == 1:
            lines.append("no quirks found")
        return "\n".join(lines)


# -- canonical values ----------------------------------------------------------------------------
def _norm(value: str) -> str:
    """Comparison key that ignores case, spaces, hyphens and underscores."""
    return re.sub(r"[\s_\-]+", "", value.casefold())


@cache
def canonical_values() -> dict[str, dict[str, list[str]]]:
    """field -> normalised key -> canonical values (from the default preset: the paper's lists)."""
    data = load_config("default").data
    client = data["client"]
    lists: dict[str, set[str]] = {
        "gender": set(client["gender"]) | set(data["therapist"]["gender"]),
        "ethnicity": set(client["ethnicity"]),
        "co_occurring_condition": set(client["co_occurring_condition"]),
        "exhibited_behaviors": set(client["exhibited_behaviors"]["values"]),
        "type": set(data["trauma_type"]),
        "session_topic": set(data["session_topic"]),
        "relationship_status": set(),
        "occupation": set(),
        "living_situation": set(),
    }
    for band in data["life_by_age"]:
        lists["relationship_status"] |= set(band["relationship_status"])
        lists["occupation"] |= set(band["occupation"])
        for table in band["living_situation"].values():
            lists["living_situation"] |= set(table)
    out: dict[str, dict[str, list[str]]] = {}
    for name, values in lists.items():
        keyed: dict[str, list[str]] = defaultdict(list)
        for v in sorted(values):
            keyed[_norm(v)].append(v)
        out[name] = dict(keyed)
    return out


@cache
def _age_groups() -> list[list[int]]:
    return load_config("default").data["client"]["age"]["groups"]


@cache
def _constraints() -> list[dict[str, Any]]:
    return load_config("default").data["constraints"]


def canonical(field_name: str, value: str, where: str, report: ImportReport) -> str:
    """The canonical spelling of ``value``, or ``value`` itself (reported) when there is none."""
    table = canonical_values()[field_name]
    if value in table.get(_norm(value), []):
        return value
    key = _norm(value)
    matches = table.get(key, [])
    if len(matches) == 1:
        report.add(
            f"normalised:{field_name}:{value}",
            "repaired",
            f"{field_name} {value!r} -> {matches[0]!r} (spelling variant)",
            where,
        )
        return matches[0]
    alias = ALIASES.get(field_name, {}).get(key)
    if alias is not None:
        report.add(
            f"alias:{field_name}:{value}",
            "repaired",
            f"{field_name} {value!r} -> {alias!r} (same meaning)",
            where,
        )
        return alias
    why = "matches several values" if matches else "not in the paper's list"
    report.add(
        f"unknown:{field_name}:{value}",
        "kept",
        f"{field_name} {value!r} {why}; kept as given",
        where,
    )
    return value


class NothingUsable(InputError):
    """No conversation of the release folder could be imported; ``report`` says why."""

    def __init__(self, report: ImportReport, src: Path) -> None:
        self.report = report
        super().__init__(
            "nothing usable: no conversation could be imported (see the report above)", path=src
        )


# -- metadata ------------------------------------------------------------------------------------
class Unusable(Exception):
    """A release file that cannot be imported; the message says why."""


def _as_int(value: Any, name: str, where: str, report: ImportReport) -> int:
    if isinstance(value, bool):
        raise Unusable(f"{name} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        report.add(f"int:{name}", "repaired", f"{name} written as a float, made an integer", where)
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        report.add(f"int:{name}", "repaired", f"{name} written as a string, made an integer", where)
        return int(value.strip())
    raise Unusable(f"{name} is missing or not an integer ({value!r})")


def _behaviours(value: Any, where: str, report: ImportReport) -> list[str]:
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = [part.strip() for part in value.split(",") if part.strip()]
            report.add(
                "behaviours:comma-string",
                "repaired",
                "exhibited_behaviors stored as a comma-separated string, split into a list",
                f"{where}: {value!r}",
            )
        else:
            report.add(
                "behaviours:json-string",
                "repaired",
                "exhibited_behaviors stored as a JSON string, parsed into a list",
                f"{where}: {value!r}",
            )
        value = parsed
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Unusable(f"exhibited_behaviors is not a list of strings ({value!r})")
    out: list[str] = []
    for v in value:
        c = canonical("exhibited_behaviors", v.strip(), where, report)
        if c in out:
            report.add(
                "behaviours:duplicate",
                "repaired",
                "exhibited_behaviors lists a value twice; kept once",
                f"{where}: {c!r}",
            )
            continue
        out.append(c)
    return out


def _text_field(
    obj: dict[str, Any], key: str, section: str, where: str, report: ImportReport
) -> str:
    value = obj.get(key)
    if isinstance(value, str) and value.strip():
        return value.strip()
    report.add(
        f"missing:{section}.{key}",
        "kept",
        f"{section}.{key} missing or empty; recorded as 'unknown'",
        where,
    )
    return "unknown"


def repair_metadata(doc: Any, where: str, report: ImportReport) -> dict[str, Any]:
    """A release metadata document -> the profile parts of a native case (quirks repaired).

    Raises :class:`Unusable` when a field the native format cannot do without (the client's or
    the therapist's age) is missing, or the document has the wrong shape.
    """
    if not isinstance(doc, dict):
        raise Unusable("metadata is not a JSON object")
    sections = {}
    for section in ("client_profile", "therapist_profile", "trauma_info"):
        value = doc.get(section)
        if not isinstance(value, dict):
            raise Unusable(f"'{section}' is missing or not an object")
        sections[section] = value
    extra = sorted(set(doc) - set(sections))
    for key in extra:
        report.add(f"extra:{key}", "kept", f"unexpected top-level key '{key}' ignored", where)
    cp, tp, ti = sections["client_profile"], sections["therapist_profile"], sections["trauma_info"]
    for section, obj, known in (
        ("client_profile", cp, CLIENT_FIELDS),
        ("therapist_profile", tp, ("age", "gender")),
        ("trauma_info", ti, ("type", "session_topic")),
    ):
        for key in sorted(set(obj) - set(known)):
            report.add(
                f"extra:{section}.{key}",
                "kept",
                f"unexpected key {section}.{key} ignored",
                where,
            )

    age = _as_int(cp.get("age"), "client_profile.age", where, report)
    if not 0 <= age <= 120:
        raise Unusable(f"client_profile.age {age} is outside 0-120")
    profile: dict[str, Any] = {"age": age}
    label = cp.get("age_group")
    try:
        group = _age_group(age, _age_groups())
    except ValueError:
        # No paper group holds this age: keep a well-formed label rather than invent one.
        if not (isinstance(label, str) and re.fullmatch(r"\d+-\d+", label)):
            raise Unusable(
                f"age {age} is outside every age group and age_group is unusable"
            ) from None
        group = label
        report.add(
            "age:outside-groups",
            "kept",
            "client age outside the paper's groups; age_group kept as given",
            f"{where}: age {age}",
        )
    if label != group:
        report.add(
            f"age_group:{label}",
            "repaired",
            f"age_group {label!r} recomputed from the age",
            f"{where}: age {age} -> {group!r}",
        )
    profile["age_group"] = group
    for key in _CLIENT_STRING_FIELDS:
        raw = _text_field(cp, key, "client_profile", where, report)
        profile[key] = raw if raw == "unknown" else canonical(key, raw, where, report)
    profile["exhibited_behaviors"] = _behaviours(cp.get("exhibited_behaviors", []), where, report)
    if "exhibited_behaviors" not in cp:
        report.add(
            "missing:client_profile.exhibited_behaviors",
            "kept",
            "client_profile.exhibited_behaviors missing; recorded as an empty list",
            where,
        )
    broken = violations(profile, _constraints())
    for rule in broken:
        report.add(
            "consistency",
            "kept",
            "profile breaks a consistency rule of tvt's sampler; kept as given",
            f"{where}: {rule}",
        )

    t_age = _as_int(tp.get("age"), "therapist_profile.age", where, report)
    if not 18 <= t_age <= 100:
        raise Unusable(f"therapist_profile.age {t_age} is outside 18-100")
    t_gender = _text_field(tp, "gender", "therapist_profile", where, report)
    therapist = {
        "age": t_age,
        "gender": t_gender
        if t_gender == "unknown"
        else canonical("gender", t_gender, where, report),
    }
    trauma = {}
    for key in ("type", "session_topic"):
        raw = _text_field(ti, key, "trauma_info", where, report)
        trauma[key] = raw if raw == "unknown" else canonical(key, raw, where, report)
    return {"client_profile": profile, "therapist_profile": therapist, "trauma_info": trauma}


# -- conversations -------------------------------------------------------------------------------
def render_turn(turn: dict[str, Any]) -> str:
    """The release string of a native turn: its ``raw`` original if any, else ``Label: text``."""
    raw = turn.get("raw")
    if raw is not None:
        return raw
    return f"{_LABELS[turn['speaker']]}: {turn['text']}"


def parse_turn(raw: str, previous: str | None) -> tuple[dict[str, Any], str | None]:
    """``"Therapist: text"`` -> a native turn; returns ``(turn, problem)``.

    The turn keeps the original string in ``raw`` whenever ``render_turn`` would not give it back
    exactly (an unusual label such as ``Patient:``, extra spaces, no label at all), so export
    reproduces the release byte for byte. A string without a known label is given the speaker
    who did not speak last (conversations alternate) and reported.
    """
    problem = None
    m = _TURN_RE.match(raw)
    speaker = _SPEAKERS.get((m.group("bold") or m.group("label")).casefold()) if m else None
    if m and speaker:
        text = m.group("text").strip()
    else:
        speaker = "client" if previous == "therapist" else "therapist"
        text = raw.strip()
        problem = "no-label"
    if not text:
        text = EMPTY_TURN_TEXT
        problem = problem or "empty"
    turn: dict[str, Any] = {"speaker": speaker, "text": text, "suds": None, "act": "unknown"}
    if render_turn(turn) != raw:
        turn["raw"] = raw
    return turn, problem


def sliding_windows(strings: list[str]) -> list[list[str]]:
    """Every window of three consecutive turns (the release's ``three_turn_sequences``)."""
    return [strings[i : i + 3] for i in range(len(strings) - 2)]


# SUDS statements ---------------------------------------------------------------------------------
_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
# "one" is left out of the words read as a rating: "one of the worst ..." is far more common
# in a client's answer than "a one".
_RATING_WORDS = sorted((w for w in _UNITS if w != "one"), key=len, reverse=True)
_NUMBER = (
    r"(?:\d+(?:\.\d+)?"
    r"|(?:a|one)\s+hundred|hundred"
    rf"|(?:{'|'.join(_TENS)})(?:[\s-](?:{'|'.join(list(_UNITS)[1:10])}))?"
    rf"|{'|'.join(_RATING_WORDS)})"
)
_NOT_SUDS_AFTER = (
    r"(?:minutes?|mins?|hours?|hrs?|seconds?|years?|yrs?|months?|weeks?|days?|times?|"
    r"o'?clock|am|pm|feet|foot|miles?|kilometers?|km|people|kids|children|dollars?|"
    r"st|nd|rd|th|steps?|breaths?)\b"
)
_STATEMENT_RE = re.compile(
    rf"(?<![\w.])(?P<a>{_NUMBER})(?:\s*(?:-|–|to|or|and)\s*(?P<b>{_NUMBER}))?"
    rf"(?P<pct>\s*(?:%|percent))?(?P<outof>\s*(?:/|out\s+of)\s*(?P<scale>100|10|ten|a\s+hundred|one\s+hundred|hundred))?"
    rf"(?!\s*{_NOT_SUDS_AFTER})(?![\w])",
    re.I,
)
_ZERO = r"(?:0|zero|nought|one|1)"
_SUDS_QUESTION_RE = re.compile(
    r"\bsuds\b|\bsubjective units\b|\bthe scale\b|\bon a scale\b|\bscale (?:of|from)\b"
    r"|\bout of (?:10|100|ten|a hundred)\b|\bnumber\b|\brate (?:your|the|that|it)\b"
    rf"|\b{_ZERO}\s*(?:to|-|–)\s*(?:10|100|ten|a hundred|one hundred)\b"
    r"|\bhow (?:high|distressed|intense|anxious|upset)\b"
    r"|\b(?:distress|anxiety|discomfort|fear)\b[^.?!]*\?",
    re.I,
)
_SCALE_100_RE = re.compile(
    rf"\b{_ZERO}\s*(?:to|-|–|and)\s*(?:100|one hundred|a hundred|hundred)\b"
    r"|\bout of (?:100|a hundred|one hundred)\b",
    re.I,
)
_SCALE_10_RE = re.compile(rf"\b{_ZERO}\s*(?:to|-|–|and)\s*(?:10|ten)\b|\bout of (?:10|ten)\b", re.I)
_CLIENT_SUDS_RE = re.compile(r"\bsuds\b|\bout of (?:10|100|ten|a hundred)\b|/\s*10", re.I)


def word_number(text: str) -> float:
    """``"75"``, ``"7.5"``, ``"seventy-five"``, ``"a hundred"`` -> the number."""
    t = re.sub(r"\s+", " ", text.strip().casefold())
    try:
        return float(t)
    except ValueError:
        pass
    if t.endswith("hundred"):
        return 100.0
    parts = re.split(r"[\s-]", t)
    total = 0
    for p in parts:
        total += _TENS.get(p, 0) + _UNITS.get(p, 0)
    return float(total)


def question_scale(text: str) -> int | None:
    """The SUDS scale a therapist turn names (100 or 10), or None."""
    if _SCALE_100_RE.search(text):
        return 100
    if _SCALE_10_RE.search(text):
        return 10
    return None


def parse_suds_statement(text: str, scale: int | None) -> tuple[int, int, bool] | None:
    """Find a SUDS rating in a client turn: ``(value_0_100, scale, assumed)`` or None.

    ``scale`` is the one the therapist last named in the conversation (None if never). A scale
    the client names ("7 out of 10", "70%") wins over it. Without any stated scale a number up to
    10 is read as 0-10 and a larger one as 0-100 (``assumed`` is then True). A range ("6 or 7",
    "60-70") counts as its middle. Numbers followed by a unit (minutes, years, ...) are ignored.
    """
    for m in _STATEMENT_RE.finditer(text):
        a = word_number(m.group("a"))
        b = word_number(m.group("b")) if m.group("b") else None
        if b is not None and a in (0, 1) and b in (10, 100):
            scale = int(b)  # the client naming the scale ("0 to 100"), not a rating
            continue
        if b is None:
            value = a
        elif re.search(r"\bfrom\s*$", text[: m.start()], re.I):
            value = b  # "it went from 60 to 80": the rating now is the second number
        else:
            value = (a + b) / 2  # "6 or 7", "60-70"
        stated = None
        if m.group("scale"):
            stated = 100 if word_number(m.group("scale")) == 100 else 10
        elif m.group("pct"):
            stated = 100
        use = stated or scale
        assumed = use is None
        if use is None:
            use = 10 if value <= 10 else 100
        if use == 10 and value > 10:
            use = 100  # said "70" after a 0-10 question: the client used 0-100
        if value > 100:
            continue
        return int(value * (100 // use) + 0.5), use, assumed
    return None


def assign_suds(turns: list[dict[str, Any]]) -> list[tuple[int, int, bool, str]]:
    """Fill ``suds`` of the client turns that state a SUDS rating; returns what was found.

    A client turn is read as a SUDS statement when the therapist turn just before asked for a
    rating, or the client mentions the scale itself ("SUDS", "out of 10"). Values are stored on
    0-100; a 0-10 statement also gets ``suds_scale: 10``.
    """
    found = []
    scale: int | None = None
    asked = False
    for turn in turns:
        if turn["speaker"] == "therapist":
            scale = question_scale(turn["text"]) or scale
            asked = bool(_SUDS_QUESTION_RE.search(turn["text"]))
            continue
        if asked or _CLIENT_SUDS_RE.search(turn["text"]):
            parsed = parse_suds_statement(turn["text"], scale)
            if parsed is not None:
                value, used, assumed = parsed
                turn["suds"] = value
                if used == 10:
                    turn["suds_scale"] = 10
                found.append((value, used, assumed, turn["text"]))
        asked = False
    return found


def repair_conversation(
    doc: Any, client_id: int, phase: str, where: str, report: ImportReport
) -> dict[str, Any]:
    """A release conversation document -> a native conversation record (quirks repaired)."""
    if not isinstance(doc, dict):
        raise Unusable("conversation is not a JSON object")
    full = doc.get("full_conversation")
    if not isinstance(full, list) or not full:
        raise Unusable("'full_conversation' is missing, empty or not a list")
    for i, item in enumerate(full):
        if not isinstance(item, str):
            raise Unusable(f"full_conversation item {i} is not a string")
    for key in sorted(set(doc) - {"full_conversation", "three_turn_sequences"}):
        report.add(f"extra:conversation.{key}", "kept", f"unexpected key '{key}' ignored", where)
    turns = []
    previous = None
    for i, raw in enumerate(full):
        turn, problem = parse_turn(raw, previous)
        if problem == "no-label":
            report.add(
                "turn:no-label",
                "kept",
                "turn without a Therapist:/Client: label; speaker inferred from alternation, "
                "original string kept",
                f"{where} turn {i}: {raw[:60]!r}",
            )
        elif problem == "empty":
            report.add(
                "turn:empty",
                "kept",
                f"empty turn; text recorded as {EMPTY_TURN_TEXT!r}, original string kept",
                f"{where} turn {i}",
            )
        elif "raw" in turn:
            report.add(
                "turn:label-variant",
                "kept",
                "turn label or spacing differs from 'Therapist: '/'Client: '; original string kept",
                f"{where} turn {i}: {raw[:40]!r}",
            )
        turns.append(turn)
        previous = turn["speaker"]
    record: dict[str, Any] = {"client_id": client_id, "phase": phase, "turns": turns}
    if "three_turn_sequences" not in doc:
        report.add(
            "three_turn_sequences:missing",
            "kept",
            "three_turn_sequences missing; export will leave it out too",
            where,
        )
        record["three_turn_sequences"] = None
    elif doc["three_turn_sequences"] != sliding_windows(full):
        seqs = doc["three_turn_sequences"]
        if not isinstance(seqs, list) or not all(
            isinstance(s, list) and all(isinstance(x, str) for x in s) for s in seqs
        ):
            raise Unusable("'three_turn_sequences' is not a list of lists of strings")
        report.add(
            "three_turn_sequences:differs",
            "kept",
            "three_turn_sequences are not the sliding windows of full_conversation; kept as given",
            where,
        )
        record["three_turn_sequences"] = seqs
    found = assign_suds(turns)
    for value, used, assumed, text in found:
        ex = f"{where}: {text[:50]!r} -> {value}"
        if used == 10:
            report.add(
                "suds:0-10",
                "repaired",
                "SUDS stated on 0-10, stored on 0-100 with suds_scale 10",
                ex,
            )
        else:
            report.add("suds:0-100", "read", "SUDS stated on 0-100, stored as is", ex)
        if assumed:
            report.add(
                "suds:scale-assumed",
                "kept",
                "SUDS scale never named in the conversation; assumed from the number "
                "(<= 10: 0-10, else 0-100)",
                ex,
            )
    scales = {used for _, used, _, _ in found}
    if len(scales) > 1:
        report.add(
            "suds:mixed-scales",
            "kept",
            "conversation mixes 0-10 and 0-100 SUDS statements (each converted on its own scale)",
            where,
        )
    record["source"] = "import"
    return record


# -- reading the release folder --------------------------------------------------------------------
@dataclass
class ReleaseFiles:
    """The release's files grouped by client and phase: main file and stray copies."""

    files: dict[int, dict[str, dict[str, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict))
    )

    def add(self, client: int, phase: str, kind: str, copy: int | None, path: Path) -> None:
        slot = self.files[client][phase].setdefault(kind, {"main": None, "copies": []})
        if copy is None:
            slot["main"] = path
        else:
            slot["copies"].append((copy, path))


def scan_release(src: Path, report: ImportReport) -> ReleaseFiles:
    """Check the layout and list its files; stray names and unknown phases are reported."""
    if not src.exists():
        raise InputError("release folder not found", path=src)
    if not src.is_dir():
        raise InputError(
            "expected the release folder (with conversations/ and metadata/)", path=src
        )
    for sub in ("conversations", "metadata"):
        if not (src / sub).is_dir():
            raise InputError(
                f"no {sub}/ folder: not the release layout (expected conversations/ and "
                "metadata/ with files like 1_P5_conversation.json and 1_P5_metadata.json)",
                path=src,
            )
    found = ReleaseFiles()
    for sub, kind in (("conversations", "conversation"), ("metadata", "metadata")):
        for path in sorted((src / sub).iterdir()):
            if path.name.startswith("."):
                continue
            m = _FILE_RE.match(path.name)
            if not m or m.group("kind") != kind or not path.is_file():
                report.add(
                    f"stray:{sub}",
                    "skipped",
                    f"file in {sub}/ whose name is not in the release layout; ignored",
                    path.name,
                )
                continue
            phase = m.group("phase").upper()
            client = int(m.group("client"))
            if phase not in PHASE_INDEX or client < 1:
                report.add(
                    "stray:phase",
                    "skipped",
                    "file for an unknown phase or client id 0; ignored",
                    path.name,
                )
                continue
            copy = int(m.group("copy")) if m.group("copy") else None
            found.add(client, phase, kind, copy, path)
            report.totals[f"{kind}_files"] += 1
    if not found.files:
        raise InputError(
            "no release files found (expected names like 1_P5_conversation.json)", path=src
        )
    return found


def _load_slot(
    slot: dict[str, Any] | None, kind: str, report: ImportReport
) -> tuple[Any, str] | None:
    """Read the main file of a slot, compare it with its stray copies; None when unusable."""
    if slot is None:
        return None
    main: Path | None = slot["main"]
    copies = sorted(slot["copies"])
    docs: dict[Path, Any] = {}
    for path in [p for p in [main] if p] + [p for _, p in copies]:
        try:
            docs[path] = read_json(path)
        except (InputError, OSError) as exc:
            reason = exc.reason if isinstance(exc, InputError) else (exc.strerror or str(exc))
            report.add(
                f"unreadable:{kind}",
                "skipped",
                f"{kind} file that is not valid JSON or cannot be read; skipped",
                f"{path.name}: {reason}",
            )
    if main is None or main not in docs:
        usable = [p for _, p in copies if p in docs]
        if not usable:
            return None
        chosen = usable[0]
        report.add(
            f"copy-used:{kind}",
            "repaired",
            f"{kind} main file missing or unreadable; used its numbered copy",
            chosen.name,
        )
    else:
        chosen = main
    for _, path in copies:
        if path == chosen or path not in docs:
            continue
        if docs[path] == docs[chosen]:
            report.add(
                f"duplicate:{kind}:identical",
                "skipped",
                f"duplicate {kind} file identical to the main file; skipped",
                path.name,
            )
        else:
            report.add(
                f"duplicate:{kind}:differs",
                "skipped",
                f"duplicate {kind} file that differs from the main file; kept the main file",
                path.name,
            )
    return docs[chosen], chosen.name


def _differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    out = []
    for section in a:
        for key in a[section]:
            if a[section][key] != b[section].get(key):
                out.append(f"{key} {a[section][key]!r} vs {b[section].get(key)!r}")
    return out


def _client_records(
    client_id: int, phases: dict[str, dict[str, Any]], report: ImportReport
) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[dict[str, Any]]]:
    """Case, conversations and failure records of one client of the release."""
    failures: list[dict[str, Any]] = []
    metas: dict[str, dict[str, Any]] = {}
    for phase in BENCHMARK_ORDER:
        loaded = _load_slot(phases.get(phase, {}).get("metadata"), "metadata", report)
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
    case = None
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
    conversations = []
    for phase in BENCHMARK_ORDER:
        loaded = _load_slot(phases.get(phase, {}).get("conversation"), "conversation", report)
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


def _failure(client_id: int, phase: str | None, reason: str) -> dict[str, Any]:
    return {"client_id": client_id, "phase": phase, "reason": reason, "attempts": 1}


def import_release(src: str | Path, out: str | Path, *, force: bool = False) -> ImportReport:
    """Read the release layout at ``src`` into a native dataset folder ``out``.

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
            for client_id in sorted(found.files):
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


# -- export: release layout --------------------------------------------------------------------------
def _load_cases(folder: Path) -> dict[int, dict[str, Any]]:
    cases = {}
    for _, case in iter_records(folder, "cases.jsonl"):
        cases[case["client_id"]] = case
    return cases


def release_metadata(case: dict[str, Any]) -> dict[str, Any]:
    """The release's metadata document of a native case (no names, the release's keys)."""
    cp = case["client_profile"]
    return {
        "client_profile": {key: cp[key] for key in CLIENT_FIELDS},
        "therapist_profile": {
            "age": case["therapist_profile"]["age"],
            "gender": case["therapist_profile"]["gender"],
        },
        "trauma_info": {
            "type": case["trauma_info"]["type"],
            "session_topic": case["trauma_info"]["session_topic"],
        },
    }


def release_conversation(conv: dict[str, Any]) -> dict[str, Any]:
    """The release's conversation document of a native conversation record."""
    full = [render_turn(t) for t in conv["turns"]]
    doc: dict[str, Any] = {"full_conversation": full}
    if "three_turn_sequences" in conv:
        if conv["three_turn_sequences"] is not None:
            doc["three_turn_sequences"] = conv["three_turn_sequences"]
    else:
        doc["three_turn_sequences"] = sliding_windows(full)
    return doc


def _write_doc(path: Path, doc: Any) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(json.dumps(doc, ensure_ascii=False, indent=2))
        fh.write("\n")


@contextlib.contextmanager
def _staged_export(out: Path, force: bool, names: tuple[str, ...]) -> Iterator[Path]:
    """A staging folder inside ``out`` whose entries ``names`` replace ``out``'s on success."""
    out_existed = out.exists()
    prepare_output(out, force)
    staging = Path(tempfile.mkdtemp(prefix=".tvt-staging-", dir=out))
    try:
        yield staging
        for name in names:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            if (staging / name).exists():
                os.replace(staging / name, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if not out_existed:
            with contextlib.suppress(OSError):
                out.rmdir()
        raise
    shutil.rmtree(staging, ignore_errors=True)


def _conversations(folder: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    path = folder / "conversations.jsonl"
    if not path.exists():
        raise InputError("the dataset has no conversations.jsonl; nothing to export", path=folder)
    yield from iter_records(folder, "conversations.jsonl")


def _check_conversation(
    conv: dict[str, Any], lineno: int, path: Path, cases: dict[int, Any]
) -> None:
    cid = conv.get("client_id")
    if cid not in cases:
        raise InputError(
            f"client {cid!r} is not in cases.jsonl", path=path, line=lineno, field="client_id"
        )
    if conv.get("phase") not in PHASE_INDEX:
        raise InputError(
            f"unknown phase {conv.get('phase')!r}", path=path, line=lineno, field="phase"
        )
    turns = conv.get("turns")
    if not isinstance(turns, list) or not all(
        isinstance(t, dict) and t.get("speaker") in _LABELS and isinstance(t.get("text"), str)
        for t in turns
    ):
        raise InputError(
            "turns must be a list of {speaker, text}", path=path, line=lineno, field="turns"
        )


def export_release(dataset: str | Path, out: str | Path, *, force: bool = False) -> dict[str, int]:
    """Write the release layout (conversations/ and metadata/) of a native dataset folder."""
    from tvt.dataset import resolve_dataset

    folder = resolve_dataset(dataset)
    out = Path(out)
    cases = _load_cases(folder)
    counts = {"conversations": 0, "metadata": 0}
    seen: set[tuple[int, str]] = set()
    path = folder / "conversations.jsonl"
    with _staged_export(out, force, ("conversations", "metadata")) as staging:
        (staging / "conversations").mkdir()
        (staging / "metadata").mkdir()
        for lineno, conv in _conversations(folder):
            _check_conversation(conv, lineno, path, cases)
            cid, phase = conv["client_id"], conv["phase"]
            if (cid, phase) in seen:
                raise InputError(
                    f"duplicate conversation for client {cid} phase {phase}",
                    path=path,
                    line=lineno,
                )
            seen.add((cid, phase))
            _write_doc(
                staging / "conversations" / f"{cid}_{phase}_conversation.json",
                release_conversation(conv),
            )
            _write_doc(
                staging / "metadata" / f"{cid}_{phase}_metadata.json",
                release_metadata(cases[cid]),
            )
            counts["conversations"] += 1
            counts["metadata"] += 1
        if not counts["conversations"]:
            raise InputError("conversations.jsonl has no records; nothing to export", path=path)
    return counts


# -- export: Hugging Face ----------------------------------------------------------------------------
def _flat_profile(case: dict[str, Any]) -> dict[str, Any]:
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


def hf_case_row(case: dict[str, Any]) -> dict[str, Any]:
    """One flat row of the HF ``cases.jsonl`` (same keys and types on every row)."""
    plan = case.get("plan") or {}
    intensity = plan.get("intensity") or {}
    row = {"client_id": case["client_id"], **_flat_profile(case)}
    for phase in BENCHMARK_ORDER:
        row[f"plan_intensity_{phase}"] = intensity.get(phase)
    return row


def hf_conversation_row(
    conv: dict[str, Any], case: dict[str, Any], reference: dict[str, Any] | None
) -> dict[str, Any]:
    """One flat row of the HF ``conversations.jsonl``: ids, profile fields, turns."""
    phase = conv["phase"]
    value = (reference or {}).get("trajectory", {}).get(phase)
    return {
        "client_id": conv["client_id"],
        "phase": phase,
        "phase_name": PHASE_NAMES[phase],
        **_flat_profile(case),
        "reference_intensity": None if value is None else float(value),
        "reference_source": (reference or {}).get("source"),
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
    from tvt.dataset import resolve_dataset

    folder = resolve_dataset(dataset)
    out = Path(out)
    manifest = read_manifest(folder) or {}
    cases = _load_cases(folder)
    references = {r["client_id"]: r for _, r in iter_records(folder, "reference.jsonl")}
    counts = {"cases": 0, "conversations": 0, "reference": 0}
    names = ("conversations.jsonl", "cases.jsonl", "reference.jsonl", "README.md")
    path = folder / "conversations.jsonl"
    with _staged_export(out, force, names) as staging:
        with open(staging / "cases.jsonl", "w", encoding="utf-8", newline="\n") as fh:
            for cid in sorted(cases):
                fh.write(dumps(hf_case_row(cases[cid])) + "\n")
                counts["cases"] += 1
        if path.exists():
            with open(staging / "conversations.jsonl", "w", encoding="utf-8", newline="\n") as fh:
                for lineno, conv in iter_records(folder, "conversations.jsonl"):
                    _check_conversation(conv, lineno, path, cases)
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
