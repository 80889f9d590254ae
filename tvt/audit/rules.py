"""The audit rules: lexicons, patterns, thresholds and check descriptions, loaded from data.

The rules live in ``seeds/audit/rules.json`` (schema ``schemas/audit-rules.schema.json``) so that a
clinician can read and change them without touching code; every report names the rules'
``version`` and the sha256 of the file. ``tvt audit --rules FILE`` audits with an edited copy.

A pattern is a regular expression matched case-insensitively on whole words: it must start at
the start of a word and end at the end of one (``suicid\\w*`` matches "suicidal"). A lexicon
matches a text when one of its patterns matches a sentence of it and none of its ``exclude``
patterns matches that same sentence (so "I'd never hurt myself" is a denial, not a statement).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tvt.audit.lexicon import CategoryIndex, Lexicon
from tvt.errors import InputError
from tvt.jsonio import read_json
from tvt.resources import seeds_path
from tvt.schemacheck import check

#: Lexicons the checks use by name (a rules file without one of them is refused).
REQUIRED_LEXICONS = (
    "tense.past",
    "tense.present",
    "suds.question",
    "suds.scale_10",
    "suds.scale_100",
    "suds.not_a_rating",
    "exposure.relaxation",
    "exposure.grounding",
    "exposure.closing",
    "exposure.overwhelm_sign",
    "exposure.distress_rise",
    "exposure.topic_change",
    "processing.open_question",
    "processing.closed_question",
    "processing.recording_homework",
    "processing.in_vivo_homework",
    "belief.taken_up",
    "belief.revised",
    "belief.probe",
    "belief.embedded",
    "belief.probe_refers",
    "exposure.opening",
    "safety.passive_ideation",
    "safety.active_ideation",
    "safety.means_intent",
    "safety.self_harm",
    "safety.harm_others",
    "safety.assess_thoughts",
    "safety.assess_plan",
    "safety.assess_intent",
    "safety.assess_resources",
    "safety.praise_or_suds",
    "safety.method",
    "safety.graphic_injury",
    "safety.explicit_sexual",
    "facts.in_passing",
    "pronoun.male",
    "pronoun.female",
)

#: The belief kinds (lexicons ``belief.<kind>``) processing looks for.
BELIEF_KINDS = ("self_blame", "danger", "incompetence")

#: The P5 rationale elements (lexicons ``rationale.<element>``, checks ``rationale.missing_*``).
RATIONALE_ELEMENTS = (
    "avoidance",
    "eyes_closed",
    "present_tense",
    "suds",
    "suds_anchors",
    "recording",
    "distress_course",
    "repetition",
    "duration",
)

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u02bc": "'"})


def normalise(text: str) -> str:
    """Typographic quotes as ASCII, so that patterns need only one apostrophe."""
    # an ASCII text holds none (and str.isascii costs nothing, where translate reads the text)
    return text if text.isascii() else text.translate(_QUOTES)


@dataclass(frozen=True)
class Rules:
    """Everything the checks read from the rules file."""

    version: str
    sha256: str
    source: str
    thresholds: dict[str, Any]
    lexicons: dict[str, Lexicon]
    facts: dict[str, CategoryIndex]
    not_names: frozenset[str]
    checks: dict[str, dict[str, Any]]
    raw: dict[str, Any] = field(repr=False)

    def lex(self, name: str) -> Lexicon:
        return self.lexicons[name]

    def t(self, name: str) -> Any:
        return self.thresholds[name]


def rules_from_document(doc: Any, *, path: str, digest: str) -> Rules:
    """Validate a rules document and compile it."""
    check("audit-rules", doc, path=path, top_level="(top level)")
    lexicons = {
        name: Lexicon.build(name, e["about"], e["patterns"], e.get("exclude"), path)
        for name, e in doc["lexicons"].items()
    }
    needed = [
        *REQUIRED_LEXICONS,
        *(f"rationale.{e}" for e in RATIONALE_ELEMENTS),
        *(f"belief.{k}" for k in BELIEF_KINDS),
    ]
    missing = [n for n in needed if n not in lexicons]
    if missing:
        raise InputError(f"lexicon(s) missing: {', '.join(missing)}", path=path, field="lexicons")
    facts = {
        facet: CategoryIndex(
            {
                cat: Lexicon.build(f"{facet}.{cat}", cat, pats, None, path)
                for cat, pats in cats.items()
            }
        )
        for facet, cats in doc["facts"].items()
    }
    facts["pronoun"] = CategoryIndex(
        {"he": lexicons["pronoun.male"], "she": lexicons["pronoun.female"]}
    )
    from tvt.audit.checks import CHECK_IDS

    missing = [c for c in CHECK_IDS if c not in doc["checks"]]
    if missing:
        raise InputError(
            f"check description(s) missing: {', '.join(missing)}", path=path, field="checks"
        )
    unknown = [c for c in doc["checks"] if c not in CHECK_IDS]
    if unknown:
        raise InputError(
            f"unknown check(s): {', '.join(unknown)} (checks are code; their patterns are data)",
            path=path,
            field="checks",
        )
    return Rules(
        version=doc["version"],
        sha256=digest,
        source=path,
        thresholds=dict(doc["thresholds"]),
        lexicons=lexicons,
        facts=facts,
        not_names=frozenset(doc["names"]["not_names"]),
        checks=doc["checks"],
        raw=doc,
    )


def load_rules(path: str | Path | None = None) -> Rules:
    """The rules of ``path``, or the shipped ``seeds/audit/rules.json``."""
    if path is None:
        return _default_rules()
    path = Path(path)
    doc = read_json(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return rules_from_document(doc, path=path.name, digest=digest)


@cache
def _default_rules() -> Rules:
    p = seeds_path("audit", "rules.json")
    data = p.read_bytes()
    return rules_from_document(
        json.loads(data), path="seeds/audit/rules.json", digest=hashlib.sha256(data).hexdigest()
    )
