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
from tvt.rng import Stream

RANDOM_SEED = 0
#: Seed of the train split the fitted baselines learn from (never a dev or test seed).
TRAIN_SEED = 99
TRAIN_CLIENTS = 200

DESCRIPTIONS: dict[str, str] = {
    "random": "Uniform random integers 1-10, seeded per client.",
    "constant-mean": "The mean intensity of a train split (another seed), everywhere.",
    "phase-mean": "The train split's mean per phase: the population shape, no reading.",
    "lexical-language": "Lexical rater, language only (intensity lexicon + VADER).",
    "lexical-text": "Lexical rater, all text signals (SUDS stated in the text + language).",
    "tfidf-ridge": "TF-IDF (1-2 grams of client speech + phase) and ridge regression, trained "
    "on a train split from another seed (scikit-learn).",
}
#: Baselines that read nothing but population statistics or noise (not "zero-shot readers").
NON_READING = ("random", "constant-mean", "phase-mean")
#: Zero-shot offline readers: no training on tvt data.
ZERO_SHOT = ("lexical-language", "lexical-text")


# -- samples: one (text, phase, target) per rated unit ---------------------------------------------
def _client_text(turns: Sequence[dict[str, Any]]) -> str:
    return " ".join(t["text"] for t in turns if t["speaker"] == "client")


def samples(split: Split) -> tuple[list[str], list[str], list[float]]:
    """Texts, phases and targets of every rated unit of ``split`` (conversation or turn)."""
    texts: list[str] = []
    phases: list[str] = []
    targets: list[float] = []
    if split.track.unit == "turn":
        refs = {(r["client_id"], r["phase"]): r for r in split.reference}
        for rec in split.inputs:
            ref = refs[(rec["client_id"], rec["phase"])]
            for i, value in zip(ref["turns"], ref["intensities"], strict=True):
                texts.append(rec["turns"][i]["text"])
                phases.append(rec["phase"])
                targets.append(float(value))
    else:
        traj = {r["client_id"]: r["trajectory"] for r in split.reference}
        for rec in split.inputs:
            texts.append(_client_text(rec["turns"]))
            phases.append(rec["phase"])
            targets.append(float(traj[rec["client_id"]][rec["phase"]]))
    return texts, phases, targets


def _outputs(
    split: Split, predict: Callable[[dict[str, Any], list[int]], list[float]], label: str
) -> list[dict[str, Any]]:
    """Outputs in the track's format from ``predict(record, marked_turns) -> values``."""
    out = []
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


def random_outputs(split: Split) -> list[dict[str, Any]]:
    def predict(rec: dict[str, Any], idx: list[int]) -> list[float]:
        stream = Stream(RANDOM_SEED, rec["client_id"], f"random-baseline:{rec['phase']}")
        return [stream.integer(1, 10) for _ in (idx or [0])]

    return _outputs(split, predict, "random")


def mean_outputs(split: Split, train: Split, *, per_phase: bool) -> list[dict[str, Any]]:
    _, phases, targets = samples(train)
    overall = float(np.mean(targets))
    means = {
        p: float(np.mean([t for q, t in zip(phases, targets, strict=True) if q == p]))
        for p in set(phases)
    }

    def predict(rec: dict[str, Any], idx: list[int]) -> list[float]:
        v = means.get(rec["phase"], overall) if per_phase else overall
        return [v] * max(1, len(idx))

    return _outputs(split, predict, "phase-mean" if per_phase else "constant-mean")


def _features(texts: Sequence[str], phases: Sequence[str]) -> list[str]:
    return [f"{t} phasetoken{p.lower()}" for t, p in zip(texts, phases, strict=True)]


def tfidf_ridge_outputs(split: Split, train: Split, *, alpha: float = 1.0) -> list[dict[str, Any]]:
    """Fit TF-IDF + ridge on ``train``; predict every unit of ``split`` (clipped to 1-10)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline

    texts, phases, targets = samples(train)
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), Ridge(alpha=alpha)
    )
    model.fit(_features(texts, phases), targets)

    def predict(rec: dict[str, Any], idx: list[int]) -> list[float]:
        if idx:
            docs = [rec["turns"][i]["text"] for i in idx]
        else:
            docs = [_client_text(rec["turns"])]
        pred = model.predict(_features(docs, [rec["phase"]] * len(docs)))
        return [float(np.clip(v, 1.0, 10.0)) for v in pred]

    return _outputs(split, predict, "tfidf-ridge")


def lexical_outputs(split: Split, variant: str) -> list[dict[str, Any]]:
    signals = LEXICAL_VARIANTS[variant]
    if split.track.unit == "turn":
        return lexical_turn_outputs(split.inputs, signals)
    return lexical_conversation_outputs(split.inputs, signals)


def all_baselines(split: Split, train: Split) -> dict[str, list[dict[str, Any]]]:
    """Outputs of every offline baseline on ``split`` (fitted ones learn from ``train``)."""
    return {
        "random": random_outputs(split),
        "constant-mean": mean_outputs(split, train, per_phase=False),
        "phase-mean": mean_outputs(split, train, per_phase=True),
        "lexical-language": lexical_outputs(split, "language"),
        "lexical-text": lexical_outputs(split, "text"),
        "tfidf-ridge": tfidf_ridge_outputs(split, train),
    }
