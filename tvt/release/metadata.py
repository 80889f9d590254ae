"""Metadata repair: a release metadata document -> the profile parts of a native case."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any, TypedDict, cast

from tvt.config import Constraint, load_config
from tvt.fields import CLIENT_CATEGORY_FIELDS, CLIENT_FIELDS
from tvt.records import ClientProfile, TherapistProfile, TraumaInfo
from tvt.release.report import ImportReport
from tvt.release.spellings import canonical
from tvt.sampling import age_group as _age_group
from tvt.sampling import violations

_CLIENT_STRING_FIELDS = CLIENT_CATEGORY_FIELDS


@cache
def _age_groups() -> list[list[int]]:
    return load_config("default").data["client"]["age"]["groups"]


@cache
def _constraints() -> list[Constraint]:
    return load_config("default").data["constraints"]


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


class CaseParts(TypedDict):
    """The profile parts of a native case (a :class:`~tvt.records.Case` without its id)."""

    client_profile: ClientProfile
    therapist_profile: TherapistProfile
    trauma_info: TraumaInfo


def repair_metadata(doc: Any, where: str, report: ImportReport) -> CaseParts:
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
    profile: dict[str, object] = {"age": age}  # every client field, in the release's order
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
    therapist: TherapistProfile = {
        "age": t_age,
        "gender": t_gender
        if t_gender == "unknown"
        else canonical("gender", t_gender, where, report),
    }

    def trauma_field(key: str) -> str:
        raw = _text_field(ti, key, "trauma_info", where, report)
        return raw if raw == "unknown" else canonical(key, raw, where, report)

    kind = trauma_field("type")
    topic = trauma_field("session_topic")
    return {
        "client_profile": cast(ClientProfile, profile),  # every field filled above
        "therapist_profile": therapist,
        "trauma_info": {"type": kind, "session_topic": topic},
    }
