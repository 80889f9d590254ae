"""The offline lexical rater: a transparent baseline, not a measure of truth.

For each phase conversation it combines two signals into one intensity from 1 to 10:

1. **Stated SUDS.** The ``suds`` field of turns when present (always 0-100 in tvt's format);
   otherwise numbers the client states in answer to a SUDS question ("about a 7", "seventy-five",
   "8 out of 10"). The scale is detected once per conversation: an explicit "0 to 10" / "out of
   10" (or "0 to 100") in the conversation decides; failing that, a conversation whose stated
   numbers are all <= 10 is read as 0-10. Values are normalised to 0-100 and averaged.
2. **Language distress** of the client's turns: the mean of a VADER negativity term
   ``(1 - compound) / 2`` and a lexicon term from the distress/arousal word list in
   ``seeds/lexicon/distress.json`` -- ``0.5 + 0.5 * tanh(x / 2)`` with
   ``x = 10 * (distress weight - calm weight) / max(tokens, 10)``. Both are 0.5 for neutral text.
   Turns are averaged weighted by ``min(tokens, 40)``.

Mapping (:func:`combine`): ``language = 1 + 9 * clip((L - 0.3) / 0.45, 0, 1)``; ``suds = 1 + 9 *
SUDS / 100``; the rating is ``0.6 * suds + 0.4 * language`` when SUDS was stated, else ``language``.
A conversation with neither client words nor SUDS gets no rating and is reported.

VADER's compound score is computed here from VADER's own lexicon, booster list and constants
with its core rules (valence lookup, boosters and negation over the three preceding words,
the "but" shift, the ``x / sqrt(x^2 + 15)`` normalisation); idioms, capitals and punctuation
emphasis are left out. The full ``polarity_scores`` runs at about 0.4 ms per client turn -- 20 s
for a 500-client dataset -- which is too slow for a baseline meant to run in seconds; the tests
check that this streamlined score tracks the full one closely.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tvt.errors import InputError
from tvt.phases import BENCHMARK_ORDER, PHASE_INDEX
from tvt.resources import load_seed_json

RATER_NAME = "lexical"
RATER_VERSION = "1"

#: Weights of the two signals when SUDS was stated.
SUDS_WEIGHT = 0.6
#: Language score L (0..1) mapped linearly from [LOW, LOW + SPAN] onto [1, 10].
LANGUAGE_LOW = 0.30
LANGUAGE_SPAN = 0.45
#: Turn weights stop growing at this many tokens, so one monologue does not drown the rest.
TOKEN_CAP = 40

_APOS = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


# -- VADER, streamlined ------------------------------------------------------------------------
@cache
def _vader() -> tuple[dict[str, float], dict[str, float], frozenset[str], float]:
    from vaderSentiment import vaderSentiment as vs

    analyzer = vs.SentimentIntensityAnalyzer()
    negate = frozenset(w.lower() for w in vs.NEGATE)
    return analyzer.lexicon, vs.BOOSTER_DICT, negate, vs.N_SCALAR


def _negated(word: str, negate: frozenset[str]) -> bool:
    return word in negate or "n't" in word


def vader_compound(tokens: Sequence[str]) -> float:
    """VADER's compound score (-1..1) of lowercase ``tokens``, from its lexicon and core rules."""
    lexicon, boosters, negate, n_scalar = _vader()
    sentiments: list[float] = []
    for i, tok in enumerate(tokens):
        valence = lexicon.get(tok, 0.0)
        if valence == 0.0 or tok in boosters:
            sentiments.append(0.0)
            continue
        for back, decay in ((1, 1.0), (2, 0.95), (3, 0.9)):
            if i - back < 0:
                break
            prev = tokens[i - back]
            if prev in boosters:
                b = boosters[prev]
                valence += (b if valence > 0 else -b) * decay
            if _negated(prev, negate):
                valence *= n_scalar
        sentiments.append(valence)
    if "but" in tokens:
        k = tokens.index("but")
        sentiments = [s * 0.5 for s in sentiments[:k]] + [s * 1.5 for s in sentiments[k:]]
    total = sum(sentiments)
    if total == 0.0:
        return 0.0
    return max(-1.0, min(1.0, total / math.sqrt(total * total + 15.0)))


# -- the distress/arousal lexicon --------------------------------------------------------------
@dataclass(frozen=True)
class Lexicon:
    """Phrases (as token tuples) with signed weights: distress positive, calm negative."""

    terms: dict[tuple[str, ...], float]
    #: first word -> [(phrase, weight)], longest phrase first
    by_first: dict[str, list[tuple[tuple[str, ...], float]]]
    negators: frozenset[str]
    version: str


@cache
def load_lexicon() -> Lexicon:
    """Load ``seeds/lexicon/distress.json``."""
    data = load_seed_json("lexicon", "distress.json")
    terms: dict[tuple[str, ...], float] = {}
    for sign, key in ((1.0, "distress"), (-1.0, "calm")):
        for phrase, weight in data[key].items():
            terms[tuple(tokenize(phrase))] = sign * float(weight)
    by_first: dict[str, list[tuple[tuple[str, ...], float]]] = {}
    for phrase, weight in sorted(terms.items(), key=lambda kv: (-len(kv[0]), kv[0])):
        by_first.setdefault(phrase[0], []).append((phrase, weight))
    negators = frozenset(tuple(tokenize(n))[0] for n in data["negators"] if " " not in n)
    return Lexicon(terms, by_first, negators, str(data["version"]))


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens, keeping contractions ("can't", "i'm") whole."""
    return _TOKEN_RE.findall(text.lower().translate(_APOS))


def lexicon_balance(tokens: Sequence[str], lexicon: Lexicon | None = None) -> tuple[float, float]:
    """Summed distress and calm weights found in ``tokens``.

    Longest phrases match first and consume their words. A term with a negator among the three
    words before it ("not scared", "don't feel safe") counts for the opposite side at half
    weight.
    """
    lex = lexicon or load_lexicon()
    by_first = lex.by_first
    negators = lex.negators
    distress = calm = 0.0
    i, n = 0, len(tokens)
    while i < n:
        candidates = by_first.get(tokens[i])
        if candidates is None:
            i += 1
            continue
        match = next(
            (
                (len(phrase), w)
                for phrase, w in candidates
                if len(phrase) == 1 or tuple(tokens[i : i + len(phrase)]) == phrase
            ),
            None,
        )
        if match is None:
            i += 1
            continue
        size, weight = match
        if any(t in negators or t.endswith("n't") for t in tokens[max(0, i - 3) : i]):
            weight = -weight / 2
        if weight > 0:
            distress += weight
        else:
            calm -= weight
        i += size
    return distress, calm


def language_score(text: str, lexicon: Lexicon | None = None) -> tuple[float, int]:
    """Distress of one piece of client speech, 0 (calm) to 1 (extreme), and its token count."""
    tokens = tokenize(text)
    if not tokens:
        return 0.5, 0
    distress, calm = lexicon_balance(tokens, lexicon)
    x = 10.0 * (distress - calm) / max(len(tokens), 10)
    lex_part = 0.5 + 0.5 * math.tanh(x / 2.0)
    vader_part = (1.0 - vader_compound(tokens)) / 2.0
    return (lex_part + vader_part) / 2.0, len(tokens)


# -- stated SUDS ---------------------------------------------------------------------------------
_SUDS_Q = re.compile(
    r"\bsuds?\b|distress|scale|\bnumber\b|how high|how (?:anxious|upset|distressed|intense|bad|"
    r"strong)|rate (?:it|that|your|the)|(?:zero|nought) to|"
    r"\b0 ?(?:-|to) ?10",
    re.IGNORECASE,
)
_ZERO = r"(?:0|zero|nought|1|one)"
_SCALE_10 = re.compile(
    rf"\b{_ZERO}\s*(?:-|–|to)\s*(?:10|ten)\b|\bout of (?:10|ten)\b|/\s*10\b",
    re.IGNORECASE,
)
_SCALE_100 = re.compile(
    rf"\b{_ZERO}\s*(?:-|–|to)\s*(?:100|a hundred|one hundred)\b|\bout of (?:100|a hundred)\b|"
    r"/\s*100\b",
    re.IGNORECASE,
)
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_NUMBER_RE = re.compile(
    r"\b(?:(?P<digits>\d{1,3}(?:\.\d+)?)|(?P<tens>"
    + "|".join(_TENS)
    + r")(?:[\s-](?P<unit>"
    + "|".join(k for k in _UNITS if _UNITS[k] < 10 and k != "zero")
    + r"))?|(?P<hundred>(?:a|one) hundred)|(?P<word>"
    + "|".join(_UNITS)
    + r"))\b(?P<outof>\s*(?:/|out of)\s*(?:10|ten|100|a hundred)\b)?",
    re.IGNORECASE,
)


def _first_number(text: str, explicit_only: bool = False) -> tuple[float, int | None] | None:
    """The first plausible SUDS number in ``text`` and its explicit scale (10/100) if stated.

    Digits count anywhere; a number word only among the first words of the turn. With
    ``explicit_only`` only a number given with its scale ("8 out of 10", "70/100") counts.
    """
    for m in _NUMBER_RE.finditer(text):
        if explicit_only and not m.group("outof"):
            continue
        if not m.group("digits") and not m.group("outof"):
            # A number word is an answer only near the start ("maybe a seven"), not inside a
            # story ("then one of them grabs me", "it's been four days").
            if len(text[: m.start()].split()) > 5 or re.match(r"\s+of\b", text[m.end() :]):
                continue
        if m.group("digits"):
            value = float(m.group("digits"))
        elif m.group("tens"):
            value = _TENS[m.group("tens").lower()] + (
                _UNITS[m.group("unit").lower()] if m.group("unit") else 0
            )
        elif m.group("hundred"):
            value = 100.0
        else:
            value = float(_UNITS[m.group("word").lower()])
        if value > 100:
            continue
        scale = None
        if m.group("outof"):
            scale = 100 if re.search(r"100|hundred", m.group("outof")) else 10
            if value > scale:
                continue
        return value, scale
    return None


@dataclass
class SudsReading:
    """SUDS stated in one conversation, normalised to 0-100."""

    values: list[float]
    scale: int | None  # 10 or 100 when parsed from text; None when taken from the suds field
    source: str  # "field", "text" or "none"

    @property
    def mean(self) -> float | None:
        return sum(self.values) / len(self.values) if self.values else None


def stated_suds(
    turns: Sequence[dict[str, Any]], *, use_field: bool = True, use_text: bool = True
) -> SudsReading:
    """The SUDS ratings stated in a conversation (see the module docstring for the rules).

    ``use_field=False`` ignores the ``suds`` field and reads the text, as for a release whose
    turns carry no field; ``use_text=False`` reads the field only.
    """
    if use_field:
        fields = [
            float(t["suds"])
            for t in turns
            if isinstance(t.get("suds"), (int, float)) and not isinstance(t.get("suds"), bool)
        ]
        fields = [v for v in fields if 0 <= v <= 100]
        if fields:
            return SudsReading(fields, None, "field")
    if not use_text:
        return SudsReading([], None, "none")
    raw: list[tuple[float, int | None]] = []
    text_all = " ".join(str(t.get("text", "")) for t in turns)
    prev_asked = False
    for t in turns:
        text = str(t.get("text", ""))
        if t.get("speaker") == "therapist":
            prev_asked = bool(_SUDS_Q.search(text))
            continue
        # A SUDS answer follows a SUDS question, names SUDS, or gives an explicit "x out of 10".
        if prev_asked or re.search(r"\bsuds\b", text, re.IGNORECASE):
            found = _first_number(text)
        else:
            found = _first_number(text, explicit_only=True)
        if found is not None:
            raw.append(found)
        prev_asked = False
    if not raw:
        return SudsReading([], None, "none")
    # One scale per conversation: an explicit statement wins, then the size of the numbers.
    if _SCALE_100.search(text_all) or any(s == 100 for _, s in raw):
        scale = 100
    elif _SCALE_10.search(text_all) or any(s == 10 for _, s in raw):
        scale = 10
    else:
        scale = 10 if all(v <= 10 for v, _ in raw) else 100
    values = [v * 100.0 / scale for v, _ in raw if v <= scale]
    return SudsReading(values, scale, "text" if values else "none")


# -- combining -----------------------------------------------------------------------------------
def language_to_intensity(score: float) -> float:
    """Map a language score (0..1) to 1..10."""
    return 1.0 + 9.0 * min(max((score - LANGUAGE_LOW) / LANGUAGE_SPAN, 0.0), 1.0)


def suds_to_intensity(suds: float) -> float:
    """Map a SUDS (0..100) to 1..10."""
    return 1.0 + 9.0 * min(max(suds, 0.0), 100.0) / 100.0


def combine(suds: float | None, language: float | None) -> float | None:
    """The documented rating rule; ``None`` when there is no evidence at all."""
    if suds is None and language is None:
        return None
    if suds is None:
        return language_to_intensity(language)
    if language is None:
        return suds_to_intensity(suds)
    return SUDS_WEIGHT * suds_to_intensity(suds) + (1 - SUDS_WEIGHT) * language_to_intensity(
        language
    )


@dataclass
class ConversationRating:
    """The lexical rating of one conversation with the evidence behind it."""

    intensity: float | None
    suds: SudsReading
    language: float | None
    client_turns: int


#: The evidence the rater may use; ``tvt rate --signals`` picks a subset for validity checks.
SIGNALS: tuple[str, ...] = ("suds-field", "suds-text", "language")


def parse_signals(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """Validate a comma-separated (or listed) subset of :data:`SIGNALS`, in canonical order."""
    if text is None:
        return SIGNALS
    items = [x.strip() for x in text.split(",")] if isinstance(text, str) else list(text)
    unknown = [x for x in items if x not in SIGNALS]
    if unknown or not items:
        raise InputError(
            f"unknown signal(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(SIGNALS)}",
            field="--signals",
        )
    return tuple(x for x in SIGNALS if x in items)


def rater_label(signals: Sequence[str] = SIGNALS) -> str:
    """``lexical`` for the full rater, ``lexical:<signals>`` for a subset."""
    signals = parse_signals(signals)
    return RATER_NAME if signals == SIGNALS else f"{RATER_NAME}:{'+'.join(signals)}"


def client_turn_scores(turns: Sequence[dict[str, Any]]) -> list[tuple[int, float, int]]:
    """``(turn index, language score, tokens)`` for every client turn with words."""
    lex = load_lexicon()
    out = []
    for i, t in enumerate(turns):
        if t.get("speaker") != "client":
            continue
        score, n_tokens = language_score(str(t.get("text", "")), lex)
        if n_tokens:
            out.append((i, score, n_tokens))
    return out


def rate_conversation(
    turns: Sequence[dict[str, Any]], *, signals: Sequence[str] = SIGNALS
) -> ConversationRating:
    """Rate one phase conversation (a list of turns) from 1 to 10.

    Turn fields other than ``speaker``, ``text`` and ``suds`` (for instance the composer's planned
    ``intensity``) are never read.
    """
    language = None
    scores: list[tuple[int, float, int]] = []
    if "language" in signals:
        scores = client_turn_scores(turns)
        weight_sum = sum(min(n, TOKEN_CAP) for _, _, n in scores)
        if weight_sum:
            language = sum(min(n, TOKEN_CAP) * sc for _, sc, n in scores) / weight_sum
    suds = stated_suds(turns, use_field="suds-field" in signals, use_text="suds-text" in signals)
    value = combine(suds.mean, language)
    if value is not None:
        value = round(min(max(value, 1.0), 10.0), 2)
    return ConversationRating(value, suds, language, len(scores))


# -- datasets ------------------------------------------------------------------------------------
def iter_conversations(dataset_dir: str | Path) -> Iterable[tuple[int, dict[str, Any]]]:
    """Yield ``(line, conversation)`` from a dataset folder's conversations.jsonl, checked."""
    from tvt.dataset import iter_records

    folder = Path(dataset_dir)
    if not folder.exists():
        raise InputError("dataset folder not found", path=folder)
    if not folder.is_dir():
        raise InputError("expected a dataset folder", path=folder)
    path = folder / "conversations.jsonl"
    if not path.exists():
        raise InputError("dataset folder has no conversations.jsonl", path=folder)
    for lineno, rec in iter_records(folder, "conversations.jsonl"):
        cid = rec.get("client_id")
        if type(cid) is not int or cid < 1:
            raise InputError(
                "client_id must be an integer >= 1", path=path, line=lineno, field="client_id"
            )
        if rec.get("phase") not in PHASE_INDEX:
            raise InputError(
                f"unknown phase {rec.get('phase')!r}", path=path, line=lineno, field="phase"
            )
        turns = rec.get("turns")
        if not isinstance(turns, list) or not all(isinstance(t, dict) for t in turns):
            raise InputError(
                "turns must be a list of objects", path=path, line=lineno, field="turns"
            )
        yield lineno, rec


def rate_dataset_lexical(
    dataset_dir: str | Path,
    out_path: str | Path,
    *,
    as_reference: bool = False,
    signals: Sequence[str] | str | None = None,
    progress: Callable[[int], Any] | None = None,
) -> dict[str, Any]:
    """Rate every conversation of a dataset and write one trajectory line per client.

    Writes model outputs (``{"client_id", "trajectory", "model": "lexical"}``) or, with
    ``as_reference``, a reference (``{"client_id", "trajectory", "source": "rater:lexical"}``),
    atomically. Returns a summary: counts, SUDS sources and scales, and the conversations that
    could not be rated (no client words and no SUDS), which are left out of the trajectories.
    """
    from tvt.jsonio import write_jsonl

    out_path = Path(out_path)
    folder = Path(dataset_dir)
    signals = parse_signals(signals)
    label = rater_label(signals)
    if as_reference and out_path.resolve() == (folder / "reference.jsonl").resolve():
        raise InputError(
            "refusing to overwrite the dataset's own reference.jsonl; choose another -o",
            path=out_path,
        )
    trajectories: dict[int, dict[str, float]] = {}
    seen: dict[tuple[int, str], int] = {}
    unrated: list[list[Any]] = []
    suds_sources = {"field": 0, "text": 0, "none": 0}
    scales = {"10": 0, "100": 0}
    conversations = 0
    for lineno, rec in iter_conversations(folder):
        key = (rec["client_id"], rec["phase"])
        if key in seen:
            raise InputError(
                f"client {key[0]} phase {key[1]} appears twice (first on line {seen[key]})",
                path=folder / "conversations.jsonl",
                line=lineno,
            )
        seen[key] = lineno
        conversations += 1
        rating = rate_conversation(rec["turns"], signals=signals)
        suds_sources[rating.suds.source] += 1
        if rating.suds.scale:
            scales[str(rating.suds.scale)] += 1
        if rating.intensity is None:
            unrated.append([rec["client_id"], rec["phase"]])
        else:
            trajectories.setdefault(rec["client_id"], {})[rec["phase"]] = rating.intensity
        if progress:
            progress(1)
    if not conversations:
        raise InputError("dataset has no conversations", path=folder / "conversations.jsonl")
    records = []
    for cid in sorted(trajectories):
        traj = {p: trajectories[cid][p] for p in BENCHMARK_ORDER if p in trajectories[cid]}
        if as_reference:
            records.append({"client_id": cid, "trajectory": traj, "source": f"rater:{label}"})
        else:
            records.append({"client_id": cid, "trajectory": traj, "model": label})
    write_jsonl(out_path, records)
    return {
        "rater": label,
        "rater_version": RATER_VERSION,
        "signals": list(signals),
        "lexicon_version": load_lexicon().version,
        "conversations": conversations,
        "clients": len(records),
        "rated": conversations - len(unrated),
        "unrated": sorted(unrated, key=lambda x: (x[0], PHASE_INDEX[x[1]])),
        "suds_from": suds_sources,
        "suds_scale_detected": scales,
        "out": str(out_path),
        "as_reference": as_reference,
    }


# -- validity ------------------------------------------------------------------------------------
#: Signal subsets whose agreement with the plan ``validity`` reports.
VALIDITY_SETS: tuple[tuple[str, ...], ...] = (
    SIGNALS,
    ("suds-field",),
    ("suds-text",),
    ("language",),
    ("suds-text", "language"),
)


def _corr(x: Sequence[float], y: Sequence[float]) -> dict[str, Any]:
    import numpy as np
    from scipy.stats import spearmanr

    n = len(x)
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return {"n": n, "pearson": None, "spearman": None}
    return {
        "n": n,
        "pearson": float(np.corrcoef(x, y)[0, 1]),
        "spearman": float(spearmanr(x, y).statistic),
    }


def validity(dataset_dir: str | Path, *, bootstrap_seed: int = 0) -> dict[str, Any]:
    """How well the lexical rater recovers what a dataset planned (or, without a plan, its shape).

    * phase level, for each signal subset of :data:`VALIDITY_SETS`: the ``tvt score`` metrics of
      its trajectories against the dataset's ``reference.jsonl`` and its mean rating per phase;
    * turn level: correlation of each client turn's language score with the turn's planned
      ``intensity`` and, on turns that state one, with the SUDS;
    * the SUDS text reader against the ``suds`` field: how often reading the words alone gives
      the same values.
    """
    import tempfile

    from tvt.score import score_files

    folder = Path(dataset_dir)
    per_conv: list[tuple[int, str, float | None, SudsReading, SudsReading]] = []
    turn_plan: tuple[list[float], list[float]] = ([], [])
    turn_suds: tuple[list[float], list[float]] = ([], [])
    text_same = text_total = 0
    text_diffs: list[float] = []
    for _, rec in iter_conversations(folder):
        turns = rec["turns"]
        scores = client_turn_scores(turns)
        w = sum(min(n, TOKEN_CAP) for _, _, n in scores)
        language = sum(min(n, TOKEN_CAP) * sc for _, sc, n in scores) / w if w else None
        field = stated_suds(turns, use_text=False)
        text = stated_suds(turns, use_field=False)
        per_conv.append((rec["client_id"], rec["phase"], language, field, text))
        for i, sc, _ in scores:
            planned = turns[i].get("intensity")
            if isinstance(planned, (int, float)) and not isinstance(planned, bool):
                turn_plan[0].append(sc)
                turn_plan[1].append(float(planned))
            suds = turns[i].get("suds")
            if isinstance(suds, (int, float)) and not isinstance(suds, bool):
                turn_suds[0].append(sc)
                turn_suds[1].append(float(suds))
        if field.values:
            text_total += 1
            text_same += text.values == field.values
            if text.mean is not None:
                text_diffs.append(abs(text.mean - field.mean))
    if not per_conv:
        raise InputError("dataset has no conversations", path=folder / "conversations.jsonl")

    has_reference = (folder / "reference.jsonl").exists()
    phase_level = []
    with tempfile.TemporaryDirectory(prefix="tvt-lexical-validity-") as tmp:
        for signals in VALIDITY_SETS:
            traj: dict[int, dict[str, float]] = {}
            for cid, phase, language, field, text in per_conv:
                suds = field.mean if "suds-field" in signals else None
                if suds is None and "suds-text" in signals:
                    suds = text.mean
                value = combine(suds, language if "language" in signals else None)
                if value is not None:
                    traj.setdefault(cid, {})[phase] = round(min(max(value, 1.0), 10.0), 2)
            means = {p: _mean([t[p] for t in traj.values() if p in t]) for p in BENCHMARK_ORDER}
            row: dict[str, Any] = {
                "signals": rater_label(signals),
                "rated": sum(len(t) for t in traj.values()),
                "phase_means": means,
            }
            if has_reference and traj:
                from tvt.jsonio import write_jsonl

                out = Path(tmp) / "outputs.jsonl"
                write_jsonl(
                    out, [{"client_id": c, "trajectory": t} for c, t in sorted(traj.items())]
                )
                try:
                    rep = score_files(out, folder, bootstrap_seed=bootstrap_seed)
                except InputError as exc:
                    row["score_error"] = str(exc)
                else:
                    row.update(
                        {k: rep[k]["mean"] for k in ("pearson", "dtw", "rmse")}
                        | {
                            "s_abs": rep["s_abs"],
                            "n_scored": rep["n_scored"],
                            "undefined_pearson": rep["undefined_pearson"],
                            "reference_means": {
                                p: v["reference_mean"] for p, v in rep["per_phase"].items()
                            },
                        }
                    )
            phase_level.append(row)
    return {
        "dataset": str(folder),
        "conversations": len(per_conv),
        "phase_level": phase_level,
        "turn_level": {
            "language_vs_planned_intensity": _corr(*turn_plan),
            "language_vs_stated_suds": _corr(*turn_suds),
        },
        "suds_text_reader": {
            "conversations_with_suds_field": text_total,
            "same_values_from_text": text_same,
            "mean_abs_difference_of_means": _mean(text_diffs),
        },
    }


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def format_validity(v: dict[str, Any]) -> str:
    """A readable table of :func:`validity`."""

    def f(x: Any, d: int = 3) -> str:
        return "-" if x is None else f"{x:.{d}f}"

    lines = [f"dataset {v['dataset']}: {v['conversations']} conversations", ""]
    lines.append(
        f"{'signals':<36} {'Pearson':>8} {'DTW':>6} {'RMSE':>6} {'S_abs':>6}  "
        + " ".join(f"{p:>5}" for p in BENCHMARK_ORDER)
    )
    ref_means = None
    for row in v["phase_level"]:
        ref_means = row.get("reference_means") or ref_means
        lines.append(
            f"{row['signals']:<36} {f(row.get('pearson')):>8} {f(row.get('dtw'), 2):>6} "
            f"{f(row.get('rmse'), 2):>6} {f(row.get('s_abs')):>6}  "
            + " ".join(f"{f(row['phase_means'][p], 2):>5}" for p in BENCHMARK_ORDER)
        )
    if ref_means:
        lines.append(
            f"{'reference (phase means)':<36} {'':>8} {'':>6} {'':>6} {'':>6}  "
            + " ".join(f"{f(ref_means[p], 2):>5}" for p in BENCHMARK_ORDER)
        )
    t = v["turn_level"]
    lines.append("")
    for key, label in (
        ("language_vs_planned_intensity", "client-turn language score vs planned turn intensity"),
        ("language_vs_stated_suds", "client-turn language score vs SUDS stated in the turn"),
    ):
        c = t[key]
        lines.append(
            f"{label}: Pearson {f(c['pearson'])}, Spearman {f(c['spearman'])} (n = {c['n']})"
        )
    s = v["suds_text_reader"]
    lines.append(
        f"SUDS read from text alone equals the suds field in {s['same_values_from_text']} of "
        f"{s['conversations_with_suds_field']} conversations (mean |difference| of conversation "
        f"means {f(s['mean_abs_difference_of_means'], 2)} SUDS points)"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m tvt.rate.lexical DIR [--json]``: print :func:`validity` for a dataset."""
    import argparse
    import json
    import sys

    ap = argparse.ArgumentParser(
        prog="python -m tvt.rate.lexical",
        description="Validity of the lexical rater on a dataset (agreement with its plan).",
    )
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    try:
        v = validity(args.dataset)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(json.dumps(v, indent=2) if args.json else format_validity(v))


if __name__ == "__main__":
    main()
