"""Canonical spellings: map the release's values onto the paper's lists (and only its lists).

Spelling variants (case, spaces, hyphens, underscores) map to the one canonical value they spell;
:data:`ALIASES` maps the few values that mean a canonical value without spelling it. Fuzzy
matching is deliberately not used (docs/formats.md says why). Anything else is kept as given and
reported.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache

from tvt.config import load_config
from tvt.release.report import ImportReport

#: Values the release writes that mean a canonical value but are not a spelling variant of it.
#: Keys are normalised (see ``_norm``); each entry is documented in docs/formats.md.
ALIASES: dict[str, dict[str, str]] = {
    "ethnicity": {"oceania": "Oceanian"},
    "living_situation": {"withspouse": "With partner"},
}


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
        living = band["living_situation"]
        for table in (living["partnered"], living["unpartnered"]):
            lists["living_situation"] |= set(table)
    out: dict[str, dict[str, list[str]]] = {}
    for name, values in lists.items():
        keyed: dict[str, list[str]] = defaultdict(list)
        for v in sorted(values):
            keyed[_norm(v)].append(v)
        out[name] = dict(keyed)
    return out


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
