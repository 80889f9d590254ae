"""The fields of a case record, written once.

A case (one line of ``cases.jsonl``) has three profile sections; these are the keys each must
have (``schemas/case.schema.json`` lists the same keys as required). The sampler writes them, the
release importer and exporter map them to and from the release's metadata files, and the
statistics and the dataset card count them.
"""

from __future__ import annotations

#: Keys of ``client_profile``, in the order the release's metadata files list them.
CLIENT_FIELDS: tuple[str, ...] = (
    "age",
    "age_group",
    "gender",
    "relationship_status",
    "occupation",
    "living_situation",
    "ethnicity",
    "co_occurring_condition",
    "exhibited_behaviors",
)

#: The client fields whose value is one string drawn from a list of categories.
CLIENT_CATEGORY_FIELDS: tuple[str, ...] = CLIENT_FIELDS[2:8]

#: Keys of ``therapist_profile`` every case has (generated cases also have a ``name``).
THERAPIST_FIELDS: tuple[str, ...] = ("age", "gender")

#: Keys of ``trauma_info``.
TRAUMA_FIELDS: tuple[str, ...] = ("type", "session_topic")

#: Section of a case -> the keys it must have, in the order the case is written.
CASE_SECTIONS: dict[str, tuple[str, ...]] = {
    "client_profile": CLIENT_FIELDS,
    "therapist_profile": THERAPIST_FIELDS,
    "trauma_info": TRAUMA_FIELDS,
}
