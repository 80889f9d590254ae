"""Seeded sampler of synthetic clients: profiles, therapist, trauma type and session topic.

Some attributes follow deterministic rules (age-conditional tables and hard constraints), others
weighted chance; all tables come from the config (seeds/presets). Each client draws from its own
stream derived from ``(seed, client_id)``, so a client does not depend on how many are generated.
"""

from __future__ import annotations

import bisect
import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any

from tvt.config import Config, Constraint
from tvt.records import Case
from tvt.rng import Stream

LIFE_FIELDS = ("relationship_status", "occupation", "living_situation")


@dataclass(frozen=True)
class Table:
    """Values with cumulative weights, for fast weighted draws with a uniform number."""

    values: tuple[str, ...]
    cum: tuple[float, ...]

    @classmethod
    def of(cls, weights: dict[str, float]) -> Table:
        items = [(k, float(v)) for k, v in weights.items() if v > 0]
        if not items:
            raise ValueError("no value has a positive weight")
        return cls(tuple(k for k, _ in items), tuple(accumulate(v for _, v in items)))

    def draw(self, rng: Stream) -> str:
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


def age_group(age: int, groups: list[list[int]]) -> str:
    for lo, hi in groups:
        if lo <= age <= hi:
            return f"{lo}-{hi}"
    raise ValueError(f"age {age} is outside every age group")


def allowed(
    constraints: list[Constraint], field: str, value: str, age: int, profile: Mapping[str, object]
) -> bool:
    """Whether ``value`` of ``field`` is allowed for this age and the fields already drawn."""
    for c in constraints:
        if c["field"] != field or c["value"] != value:
            continue
        if "min_age" in c and age < c["min_age"]:
            return False
        if "max_age" in c and age > c["max_age"]:
            return False
        for other, values in c.get("requires", {}).items():
            if other in profile and profile[other] not in values:
                return False
    return True


def violations(profile: Mapping[str, object], constraints: list[Constraint]) -> list[str]:
    """The consistency rules a profile breaks (empty when it is consistent).

    This is the validation step the paper describes; the sampler filters its tables with the same
    rules, so a sampled profile always passes, and the check guards imported or edited data.
    """
    out = []
    age = profile["age"]
    assert isinstance(age, int)
    for field in LIFE_FIELDS:
        value = profile.get(field)
        if isinstance(value, str) and not allowed(constraints, field, value, age, profile):
            out.append(f"{field}={value!r} at age {age}")
    return out


class Sampler:
    """Draws cases from a config. Build once, then call :meth:`sample` per client."""

    def __init__(self, config: Config, seed: int) -> None:
        self.config = config
        self.seed = seed
        d = config.data
        c = d["client"]
        self.client_age = c["age"]
        self.therapist_age = d["therapist"]["age"]
        self.gender = Table.of(c["gender"])
        self.therapist_gender = Table.of(d["therapist"]["gender"])
        self.ethnicity = Table.of(c["ethnicity"])
        self.condition = Table.of(c["co_occurring_condition"])
        self.behaviours = tuple(c["exhibited_behaviors"]["values"])
        self.behaviour_count = Table.of(c["exhibited_behaviors"]["count"])
        self.trauma_type = Table.of(d["trauma_type"])
        self.topic = Table.of(d["session_topic"])
        self.pairing = d["topic_pairing"]
        self.compatible = {
            t: Table.of({x: d["session_topic"].get(x, 0) for x in topics})
            for t, topics in d["compatible_topics"].items()
            if any(d["session_topic"].get(x, 0) > 0 for x in topics)
        }
        self.constraints = d["constraints"]
        self.partnered = set(d["partnered_statuses"])
        self.bands = sorted(d["life_by_age"], key=lambda b: b["min_age"])
        self.band_starts = [b["min_age"] for b in self.bands]
        self.locales = {k: tuple(v) for k, v in d["name_locales"].items()}
        self._life_tables: dict[tuple[Any, ...], Table] = {}

    # -- life circumstances ---------------------------------------------------------------------
    def _draw_life(
        self,
        field: str,
        weights: dict[str, float],
        age: int,
        profile: Mapping[str, object],
        rng: Stream,
    ) -> str:
        # The allowed values depend only on the table, the age and the fields drawn before, so
        # each filtered table is built once and reused.
        key = (id(weights), field, age, profile.get("relationship_status"))
        table = self._life_tables.get(key)
        if table is None:
            ok = {
                v: w
                for v, w in weights.items()
                if w > 0 and allowed(self.constraints, field, v, age, profile)
            }
            if not ok:
                raise ValueError(f"no allowed {field} at age {age} for {profile}")
            table = self._life_tables[key] = Table.of(ok)
        return table.draw(rng)

    def _life(self, age: int, rng: Stream) -> dict[str, str]:
        band = self.bands[bisect.bisect_right(self.band_starts, age) - 1]
        profile: dict[str, object] = {"age": age}
        status = profile["relationship_status"] = self._draw_life(
            "relationship_status", band["relationship_status"], age, profile, rng
        )
        occupation = profile["occupation"] = self._draw_life(
            "occupation", band["occupation"], age, profile, rng
        )
        living = band["living_situation"]
        weights = living["partnered"] if status in self.partnered else living["unpartnered"]
        living_situation = self._draw_life("living_situation", weights, age, profile, rng)
        return {
            "relationship_status": status,
            "occupation": occupation,
            "living_situation": living_situation,
        }

    # -- the whole case -------------------------------------------------------------------------
    def sample(self, client_id: int) -> Case:
        """The case of ``client_id`` (profiles and trauma info; the plan is added by plan.py)."""
        rng = Stream(self.seed, client_id, "case")
        ca, ta = self.client_age, self.therapist_age
        age = rng.integer(ca["min"], ca["max"])
        gender = self.gender.draw(rng)
        life = self._life(age, rng)
        ethnicity = self.ethnicity.draw(rng)
        condition = self.condition.draw(rng)
        k = int(self.behaviour_count.draw(rng))
        picks = rng.distinct(len(self.behaviours), k)
        behaviours = [self.behaviours[i] for i in sorted(picks)]
        trauma_type = self.trauma_type.draw(rng)
        if self.pairing == "compatible":
            topic = self.compatible[trauma_type].draw(rng)
        else:
            topic = self.topic.draw(rng)
        t_age = rng.integer(ta["min"], ta["max"])
        t_gender = self.therapist_gender.draw(rng)
        locales = self.locales[ethnicity]
        client_locale = locales[int(rng.random() * len(locales))]
        therapist_locale = locales[int(rng.random() * len(locales))]
        name_rng = rng
        client_name = person_name(client_locale, gender, name_rng)
        therapist_name = person_name(therapist_locale, t_gender, name_rng)
        for _ in range(8):  # a shared surname would read as a relative
            if therapist_name.split()[-1] != client_name.split()[-1]:
                break
            therapist_name = person_name(therapist_locale, t_gender, name_rng)
        return {
            "client_id": client_id,
            "client_profile": {
                "name": client_name,
                "age": age,
                "age_group": age_group(age, ca["groups"]),
                "gender": gender,
                "relationship_status": life["relationship_status"],
                "occupation": life["occupation"],
                "living_situation": life["living_situation"],
                "ethnicity": ethnicity,
                "co_occurring_condition": condition,
                "exhibited_behaviors": behaviours,
            },
            "therapist_profile": {
                "name": therapist_name,
                "age": t_age,
                "gender": t_gender,
            },
            "trauma_info": {"type": trauma_type, "session_topic": topic},
        }


@dataclass(frozen=True)
class NameTables:
    male: Table
    female: Table
    any: Table
    last: Table


def _names_table(values: Any) -> Table:
    if isinstance(values, dict):
        return Table.of({str(k): float(v) for k, v in values.items()})
    return Table.of(dict.fromkeys(values, 1.0))


def _person_provider(locale: str) -> Any:
    # Faker falls back from a locale without its own person data to the language (en_CA -> en).
    for name in (locale, locale.split("_")[0]):
        try:
            return importlib.import_module(f"faker.providers.person.{name}").Provider
        except ModuleNotFoundError:
            continue
    return importlib.import_module("faker.providers.person").Provider


@lru_cache(maxsize=64)
def name_tables(locale: str) -> NameTables:
    """Faker's own name tables (with their weights) for ``locale``.

    Reading the provider's tables directly is far faster than constructing a Faker per locale
    (seconds for two dozen locales) and draws from the same data; the draw itself uses the
    client's numpy stream, so names are seeded like everything else.
    """
    provider = _person_provider(locale)
    any_first = _names_table(provider.first_names)
    male = getattr(provider, "first_names_male", None)
    female = getattr(provider, "first_names_female", None)
    return NameTables(
        male=_names_table(male) if male else any_first,
        female=_names_table(female) if female else any_first,
        any=any_first,
        last=_names_table(provider.last_names),
    )


def person_name(locale: str, gender: str, rng: Stream) -> str:
    """A first and last name from Faker's ``locale`` tables that fits ``gender``."""
    tables = name_tables(locale)
    first = {"male": tables.male, "female": tables.female}.get(gender, tables.any)
    return f"{first.draw(rng)} {tables.last.draw(rng)}"
