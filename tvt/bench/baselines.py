"""The offline baselines of tvt-bench-v2, on any track.

- ``random``: uniform integers 1-10 from a seeded stream per client (and phase, and turn);
- ``constant-mean``: the mean reference intensity of a *train* split (another seed), everywhere;
- ``phase-mean``: the train split's mean per phase: the population shape, no reading at all;
- ``lexical-language``: the lexical rater with language only (lexicon + VADER);
- ``lexical-text``: the lexical rater with all text signals (SUDS stated in the text + language);
- ``tfidf-ridge``: scikit-learn TF-IDF features of the client's words (plus the phase) and ridge
  regression, trained on the train split. Train and dev share the composer's phrase banks but not
  their clients, so this baseline measures how much the composer's own wording gives away.

Every baseline returns model outputs in the track's format, scored like any submission.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tvt.bench.inputs import marked_turns
from tvt.bench.raters import LEXICAL_VARIANTS, lexical_conversation_outputs, lexical_turn_outputs
from tvt.bench.splits import Split
from tvt.records import BenchOutput, InputRecord, InputTurn
from tvt.rng import Stream

RANDOM_SEED = 0
#: Seed of the train split the fitted baselines learn from (never a dev or test seed).
TRAIN_SEED = 99
TRAIN_CLIENTS = 1000

DESCRIPTIONS: dict[str, str] = {
    "random": "Uniform random integers 1-10, seeded per client.",
    "constant-mean": "The mean intensity of a train split (another seed), everywhere.",
    "phase-mean": "The train split's mean per phase: the population shape, no reading.",
    "lexical-language": "Lexical rater, language only (intensity lexicon + VADER).",
    "lexical-text": "Lexical rater, all text signals (SUDS stated in the text + language).",
    "tfidf-ridge": "TF-IDF (1-2 grams of client speech + phase) and ridge regression, trained "
    "on a train split from another seed (scikit-learn).",
    "prior": "The protocol prior: mean reference per phase (turn track: per phase and relative "
    "turn position, 10 bins) on the train split. Reads nothing; reading skill 0 by definition.",
    "ridge-position": "Ridge regression on phase x cubic turn position, trained on the train "
    "split (scikit-learn). Reads nothing.",
    "bank-decoder": "Decodes the band words of tvt's own verbal SUDS bank "
    "(seeds/compose/verbal.json) into levels, no training on labels (a phrase that adjacent "
    "bands share decodes to the mean of their levels); the turn track interpolates between "
    "decoded turns.",
}
#: Baselines that read nothing but population statistics or noise (not "zero-shot readers").
NON_READING = ("random", "constant-mean", "phase-mean", "prior", "ridge-position")
#: Zero-shot offline readers: no training on tvt data.
ZERO_SHOT = ("lexical-language", "lexical-text")
#: Readers of tvt's own phrase banks (an attack on the wording, not a model).
BANK_READERS = ("bank-decoder",)


# -- samples: one (text, phase, target) per rated unit ---------------------------------------------
def _client_text(turns: Sequence[InputTurn]) -> str:
    return " ".join(t["text"] for t in turns if t["speaker"] == "client")


def samples(split: Split) -> tuple[list[str], list[str], list[float]]:
    """Texts, phases and targets of every rated unit of ``split`` (conversation or turn)."""
    texts: list[str] = []
    phases: list[str] = []
    targets: list[float] = []
    if split.track.unit == "turn":
        refs = {(r["client_id"], r["phase"]): r for r in split.reference if "turns" in r}
        for rec in split.inputs:
            ref = refs[(rec["client_id"], rec["phase"])]
            for i, value in zip(ref["turns"], ref["intensities"], strict=True):
                texts.append(rec["turns"][i]["text"])
                phases.append(rec["phase"])
                targets.append(float(value))
    else:
        traj = {r["client_id"]: r["trajectory"] for r in split.reference if "trajectory" in r}
        for rec in split.inputs:
            texts.append(_client_text(rec["turns"]))
            phases.append(rec["phase"])
            targets.append(float(traj[rec["client_id"]][rec["phase"]]))
    return texts, phases, targets


def _outputs(
    split: Split, predict: Callable[[InputRecord, list[int]], list[float]], label: str
) -> list[BenchOutput]:
    """Outputs in the track's format from ``predict(record, marked_turns) -> values``."""
    out: list[BenchOutput] = []
    for rec in split.inputs:
        if split.track.unit == "turn":
            idx = marked_turns(rec)
            vals = [round(float(v), 3) for v in predict(rec, idx)]
            out.append(
                {
                    "client_id": rec["client_id"],
                    "phase": rec["phase"],
                    "turns": idx,
                    "intensities": vals,
                    "model": label,
                }
            )
        else:
            (v,) = predict(rec, [])
            out.append(
                {
                    "client_id": rec["client_id"],
                    "phase": rec["phase"],
                    "intensity": round(float(v), 3),
                    "model": label,
                }
            )
    return out


def random_outputs(split: Split) -> list[BenchOutput]:
    def predict(rec: InputRecord, idx: list[int]) -> list[float]:
        stream = Stream(RANDOM_SEED, rec["client_id"], f"random-baseline:{rec['phase']}")
        return [stream.integer(1, 10) for _ in (idx or [0])]

    return _outputs(split, predict, "random")


def mean_outputs(split: Split, train: Split, *, per_phase: bool) -> list[BenchOutput]:
    _, phases, targets = samples(train)
    overall = float(np.mean(targets))
    means = {
        p: float(np.mean([t for q, t in zip(phases, targets, strict=True) if q == p]))
        for p in set(phases)
    }

    def predict(rec: InputRecord, idx: list[int]) -> list[float]:
        v = means.get(rec["phase"], overall) if per_phase else overall
        return [v] * max(1, len(idx))

    return _outputs(split, predict, "phase-mean" if per_phase else "constant-mean")


def _features(texts: Sequence[str], phases: Sequence[str]) -> list[str]:
    return [f"{t} phasetoken{p.lower()}" for t, p in zip(texts, phases, strict=True)]


def tfidf_ridge_outputs(split: Split, train: Split, *, alpha: float = 1.0) -> list[BenchOutput]:
    """Fit TF-IDF + ridge on ``train``; predict every unit of ``split`` (clipped to 1-10)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline

    texts, phases, targets = samples(train)
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), Ridge(alpha=alpha)
    )
    model.fit(_features(texts, phases), targets)

    def predict(rec: InputRecord, idx: list[int]) -> list[float]:
        if idx:
            docs = [rec["turns"][i]["text"] for i in idx]
        else:
            docs = [_client_text(rec["turns"])]
        pred = model.predict(_features(docs, [rec["phase"]] * len(docs)))
        return [float(np.clip(v, 1.0, 10.0)) for v in pred]

    return _outputs(split, predict, "tfidf-ridge")


def lexical_outputs(split: Split, variant: str) -> list[BenchOutput]:
    signals = LEXICAL_VARIANTS[variant]
    if split.track.unit == "turn":
        return [*lexical_turn_outputs(split.inputs, signals)]
    return [*lexical_conversation_outputs(split.inputs, signals)]


def all_baselines(split: Split, train: Split) -> dict[str, list[BenchOutput]]:
    """Outputs of every offline baseline on ``split`` (fitted ones learn from ``train``)."""
    return {
        "random": random_outputs(split),
        "constant-mean": mean_outputs(split, train, per_phase=False),
        "phase-mean": mean_outputs(split, train, per_phase=True),
        "lexical-language": lexical_outputs(split, "language"),
        "lexical-text": lexical_outputs(split, "text"),
        "tfidf-ridge": tfidf_ridge_outputs(split, train),
        "prior": prior_baseline_outputs(split, train),
        "ridge-position": ridge_position_outputs(split, train),
        "bank-decoder": bank_decoder_outputs(split, train),
    }


# -- non-reading baselines that know the protocol's shape, and a decoder of the phrase banks --------
def prior_baseline_outputs(split: Split, train: Split) -> list[BenchOutput]:
    """The protocol prior (:mod:`tvt.bench.prior`) fitted on ``train``: reads nothing."""
    from tvt.bench.prior import fit_prior, prior_outputs

    prior = fit_prior(train.reference, split.track.unit, {"seed": train.seed})
    rows: list[BenchOutput] = []
    for r in prior_outputs(split.reference, prior):
        if "trajectory" in r:  # one line per phase conversation, like every other baseline
            rows.extend(
                {"client_id": r["client_id"], "phase": p, "intensity": v, "model": "prior"}
                for p, v in r["trajectory"].items()
            )
        else:
            rows.append(r)
    return rows


def _positions(split: Split) -> tuple[list[str], list[float], list[float]]:
    """Phase, relative position of the rated unit in its conversation, target: every unit."""
    phases: list[str] = []
    xs: list[float] = []
    ys: list[float] = []
    if split.track.unit == "turn":
        for r in split.reference:
            if "intensities" not in r:
                continue
            n = len(r["intensities"])
            for k, v in enumerate(r["intensities"]):
                phases.append(r["phase"])
                xs.append(k / (n - 1) if n > 1 else 0.5)
                ys.append(float(v))
    else:
        for r in split.reference:
            if "trajectory" not in r:
                continue
            for p, v in r["trajectory"].items():
                phases.append(p)
                xs.append(0.0)
                ys.append(float(v))
    return phases, xs, ys


def _position_design(phases: Sequence[str], xs: Sequence[float], order: Sequence[str]) -> Any:
    x = np.asarray(xs, dtype=np.float64)
    poly = np.stack([np.ones_like(x), x, x**2, x**3], axis=1)
    onehot = np.asarray([[1.0 if p == q else 0.0 for q in order] for p in phases])
    return (onehot[:, :, None] * poly[:, None, :]).reshape(len(x), -1)


def ridge_position_outputs(split: Split, train: Split, *, alpha: float = 1.0) -> list[BenchOutput]:
    """Ridge regression on phase x (cubic in) turn position, fitted on ``train``: reads nothing."""
    from sklearn.linear_model import Ridge

    order = list(split.track.phases)
    phases, xs, ys = _positions(train)
    model = Ridge(alpha=alpha).fit(_position_design(phases, xs, order), ys)

    def predict(rec: InputRecord, idx: list[int]) -> list[float]:
        n = max(1, len(idx))
        pos = [k / (n - 1) if n > 1 else 0.5 for k in range(n)] if idx else [0.0]
        pred = model.predict(_position_design([rec["phase"]] * len(pos), pos, order))
        return [float(np.clip(v, 1.0, 10.0)) for v in pred]

    return _outputs(split, predict, "ridge-position")


def _band_patterns() -> list[tuple[Any, float]]:
    """(compiled phrase, intensity 1-10) for every band word of the verbal SUDS bank, longest
    first; a band's level is the middle of its SUDS range, divided by 10, and a phrase that
    several bands share (adjacent levels are said with some of the same words) decodes to the
    mean of their levels: the best guess a lookup of the bank can make."""
    import re

    from tvt.resources import load_seed_json

    bands = load_seed_json("compose", "verbal.json")["client"]["level"]
    levels: dict[str, list[float]] = {}
    lo = 0
    for band in bands:
        mid = (lo + band["max"]) / 2
        for w in band["words"]:
            levels.setdefault(w.lower(), []).append(float(np.clip(mid / 10, 1.0, 10.0)))
        lo = band["max"] + 1
    out = sorted(((w, float(np.mean(v))) for w, v in levels.items()), key=lambda t: -len(t[0]))
    return [(re.compile(r"\b" + re.escape(w) + r"\b"), v) for w, v in out]


def decode_level(text: str, patterns: Sequence[tuple[Any, float]]) -> float | None:
    """The intensity of the longest band phrase in ``text`` (None without one)."""
    low = text.lower()
    for pat, value in patterns:  # longest first: "really high" before "high"
        if pat.search(low):
            return value
    return None


def bank_decoder_outputs(split: Split, train: Split) -> list[BenchOutput]:
    """Decode the composer's own band words into levels, no training on labels.

    Conversation: the mean decoded level of the client's turns (the prior's phase mean when no
    band word is found). Turn: decoded turns take their level; the others are interpolated
    between decoded neighbours along the conversation (the prior curve when none is decoded).
    This is the attack "read the phrase bank that ships with tvt"; a high score means the wording
    gives the label away.
    """
    from tvt.bench.prior import fit_prior

    patterns = _band_patterns()
    prior = fit_prior(train.reference, split.track.unit, {"seed": train.seed})

    def predict(rec: InputRecord, idx: list[int]) -> list[float]:
        turns = rec["turns"]
        if not idx:
            vals = [decode_level(t["text"], patterns) for t in turns if t["speaker"] == "client"]
            got = [v for v in vals if v is not None]
            return [float(np.mean(got)) if got else prior.value(rec["phase"])]
        n = len(idx)
        decoded = [decode_level(turns[i]["text"], patterns) for i in idx]
        known = [(k, v) for k, v in enumerate(decoded) if v is not None]
        if not known:
            return [prior.value(rec["phase"], k, n) for k in range(n)]
        ks, vs = zip(*known, strict=True)
        return [float(v) for v in np.interp(np.arange(n), ks, vs)]

    return _outputs(split, predict, "bank-decoder")
