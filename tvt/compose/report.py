"""Realism figures of the offline composer, beside the paper's public release.

Usage: ``python -m tvt.compose.report [--clients 500] [--seed 42] [--preset default]``.

Prints, for ``clients`` composed clients (six conversations each):

- variety at corpus scale, through :mod:`tvt.diversity` (the one definition shared with the
  audit): client and therapist sentences of 4+ words found in more than 10 conversations,
  distinct-2 / distinct-3 per speaker, conversations that repeat one of their own client
  sentences (5+ words), words per turn;
- the intensity *leak*: a sentence-lookup predictor learned on the odd client ids (each client
  sentence's mean turn intensity) predicts every conversation of the even ids (mean over its
  known sentences), scored by the phase-level mean absolute error against the plan, beside a
  per-phase-mean baseline. A predictor that beats the baseline by a wide margin means fixed
  sentences give the level away;
- clinical checks: turns per phase against the release, grounding in P10, hot-spot work in a
  first exposure, the P5 rationale elements, contact details in P11, risk moments.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

from tvt.compose import compose_client
from tvt.config import load_config
from tvt.diversity import measure, sentences
from tvt.paper import paper
from tvt.phases import BENCHMARK_ORDER
from tvt.pipeline import planned_cases
from tvt.records import Case, Conversation

#: The release's mean turns per conversation.
RELEASE_TURNS = paper().turns_per_conversation
#: The release's figures (3,000 conversations), measured with the same definitions.
RELEASE = {
    "client_recurring": 0.12,
    "client_distinct_2": 0.095,
    "client_distinct_3": 0.29,
    "therapist_recurring": 0.62,
    "self_repeating": 0.02,
    "therapist_words_per_turn": 9.6,
    "client_words_per_turn": 36.8,
}
#: The targets of composer 2.0 (issue 10).
TARGETS = {
    "client_recurring": ("<=", 0.15),
    "client_distinct_2": (">=", 0.09),
    "client_distinct_3": (">=", 0.25),
    "therapist_recurring": ("<=", 0.50),
    "self_repeating": ("<=", 0.03),
}

#: Each P5 rationale element and the words that show it is there.
RATIONALE = {
    "avoidance keeps PTSD going": r"avoid|push\w* [\w ]{1,40}? away|running from",
    "eyes closed": r"eyes closed|close your eyes",
    "first person": r"first person|using 'I'|as yourself",
    "present tense": r"present tense|happening now|happening right now",
    "out loud": r"out loud",
    "SUDS with both anchors": r"(nought|completely calm|totally relaxed).*(hundred|worst)",
    "recording": r"record",
    "distress rises then comes down": r"(come|comes|coming|settle|settles|ease|eases) "
    r"(down|off)|settles|ease off|eases off",
    "the story is repeated": r"more than once|again|a few times|several times",
    "about how long": r"minutes|half an hour",
}
_CONTACT = re.compile(r"clinic|crisis line", re.I)
_SLOW = re.compile(r"slow motion|slow it (right )?down|moment by moment|second by second", re.I)


def _conversations(clients: int, seed: int, preset: str) -> Iterator[tuple[Case, Conversation]]:
    for case in planned_cases(load_config(preset), seed, clients):
        for conv in compose_client(case, seed, BENCHMARK_ORDER):
            yield case, conv


def leak(pairs: list[tuple[Case, Conversation]]) -> dict[str, float]:
    """Phase-level MAE of a sentence-lookup predictor (odd ids -> even ids) and of a baseline."""
    sums: dict[str, float] = defaultdict(float)
    counts: Counter[str] = Counter()
    phase_levels: dict[str, list[float]] = defaultdict(list)
    for case, conv in pairs:
        if case["client_id"] % 2 == 0:
            continue
        phase_levels[conv["phase"]].append(case["plan"]["intensity"][conv["phase"]])
        for turn in conv["turns"]:
            if turn["speaker"] == "client":
                for s in sentences(turn["text"]):
                    sums[s] += turn["intensity"]
                    counts[s] += 1
    base = {p: sum(v) / len(v) for p, v in phase_levels.items()}
    err_lookup = err_base = 0.0
    n = known = total = 0
    for case, conv in pairs:
        if case["client_id"] % 2 == 1:
            continue
        plan = case["plan"]["intensity"][conv["phase"]]
        guesses = []
        for turn in conv["turns"]:
            if turn["speaker"] == "client":
                for s in sentences(turn["text"]):
                    total += 1
                    if s in counts:
                        known += 1
                        guesses.append(sums[s] / counts[s])
        guess = sum(guesses) / len(guesses) if guesses else base[conv["phase"]]
        err_lookup += abs(guess - plan)
        err_base += abs(base[conv["phase"]] - plan)
        n += 1
    return {
        "lookup_mae": err_lookup / n,
        "baseline_mae": err_base / n,
        "known_sentences": known / total if total else 0.0,
    }


def realism(clients: int, seed: int, preset: str = "default") -> dict[str, Any]:
    """All figures of the report (see the module docstring) over ``clients`` clients."""
    pairs = list(_conversations(clients, seed, preset))
    corpus = measure(conv["turns"] for _, conv in pairs)
    client, therapist = corpus.speakers["client"], corpus.speakers["therapist"]
    turns: dict[str, list[int]] = defaultdict(list)
    p10 = grounding = first = first_hot = 0
    rationale: Counter[str] = Counter()
    p5 = p11 = contact = 0
    risk = set()
    for case, conv in pairs:
        phase, conv_turns = conv["phase"], conv["turns"]
        turns[phase].append(len(conv_turns))
        therapist_text = " ".join(t["text"] for t in conv_turns if t["speaker"] == "therapist")
        if conv.get("risk_moment"):
            risk.add(case["client_id"])
        if phase == "P10":
            p10 += 1
            grounding += any(t["act"] == "grounding" for t in conv_turns)
            if case["plan"]["session"]["P10"] == case["plan"]["session"]["P5"]:
                first += 1
                first_hot += bool(_SLOW.search(therapist_text))
        elif phase == "P5":
            p5 += 1
            for name, pattern in RATIONALE.items():
                rationale[name] += bool(re.search(pattern, therapist_text, re.I))
        elif phase == "P11":
            p11 += 1
            contact += bool(_CONTACT.search(therapist_text))
    return {
        "clients": clients,
        "conversations": corpus.conversations,
        "variety": {
            "client_recurring": client.recurring_share,
            "client_distinct_2": client.distinct[2],
            "client_distinct_3": client.distinct[3],
            "therapist_recurring": therapist.recurring_share,
            "self_repeating": corpus.self_repeating_share,
            "therapist_words_per_turn": therapist.words_per_turn,
            "client_words_per_turn": client.words_per_turn,
        },
        "top_client_sentences": client.top_sentences,
        "top_therapist_sentences": therapist.top_sentences,
        "leak": leak(pairs),
        "turns": {
            p: {"mean": sum(v) / len(v), "min": min(v), "max": max(v)}
            for p in BENCHMARK_ORDER
            if (v := turns[p])
        },
        "clinical": {
            "p10_grounding": grounding / p10 if p10 else 0.0,
            "first_exposure_p10": first,
            "hotspot_work_in_first_exposure": first_hot / first if first else 0.0,
            "p5_rationale": {k: rationale[k] / p5 for k in RATIONALE} if p5 else {},
            "p11_contact": contact / p11 if p11 else 0.0,
            "risk_clients": len(risk) / clients,
        },
    }


def _status(key: str, value: float) -> str:
    if key in TARGETS:
        op, bound = TARGETS[key]
        ok = value <= bound if op == "<=" else value >= bound
        return f"{op} {bound:g} {'ok' if ok else 'MISSED'}"
    rel = RELEASE[key]
    ok = abs(value - rel) <= 0.15 * rel
    return f"+-15 % of release {'ok' if ok else 'MISSED'}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=500)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--preset", default="default")
    args = ap.parse_args()
    r = realism(args.clients, args.seed, args.preset)
    print(
        f"offline composer, {r['clients']} clients ({r['conversations']} conversations), "
        f"seed {args.seed}"
    )
    print(f"\n{'measure':<28} {'tvt':>8} {'release':>8}  target")
    for key, value in r["variety"].items():
        pct = "words" not in key and "distinct" not in key
        shown = f"{100 * value:7.1f}%" if pct else f"{value:8.3f}"
        rel = RELEASE[key]
        rel_shown = f"{100 * rel:7.1f}%" if pct else f"{rel:8.3f}"
        print(f"{key:<28} {shown:>8} {rel_shown:>8}  {_status(key, value)}")
    lk = r["leak"]
    print(
        f"\nintensity leak (sentence lookup, odd ids -> even ids): phase MAE "
        f"{lk['lookup_mae']:.2f} vs per-phase-mean baseline {lk['baseline_mae']:.2f} "
        f"({100 * lk['known_sentences']:.0f} % of test sentences seen in training)"
    )
    print("\nmost frequent client sentences (conversations):")
    for s, c in r["top_client_sentences"][:5]:
        print(f"  {c:5d}  {s}")
    print("most frequent therapist sentences (conversations):")
    for s, c in r["top_therapist_sentences"][:5]:
        print(f"  {c:5d}  {s}")
    print(f"\n{'phase':>6} {'mean turns':>11} {'min-max':>8} {'release':>8} {'diff':>7}")
    for p, t in r["turns"].items():
        rel = RELEASE_TURNS[p]
        print(
            f"{p:>6} {t['mean']:>11.1f} {t['min']:>3}-{t['max']:<4} {rel:>8.1f} "
            f"{100 * (t['mean'] - rel) / rel:>+6.1f}%"
        )
    c = r["clinical"]
    print(f"\nP10 with grounding: {100 * c['p10_grounding']:.1f} % (target <= 15 %)")
    print(
        f"hot-spot slow-motion work in a first exposure: "
        f"{100 * c['hotspot_work_in_first_exposure']:.1f} % of {c['first_exposure_p10']} P10s"
    )
    print("P5 rationale elements (share of P5s, target >= 95 % each):")
    for name, share in c["p5_rationale"].items():
        print(f"  {100 * share:5.1f} %  {name}")
    print(f"P11 with between-session contact details: {100 * c['p11_contact']:.1f} %")
    print(f"clients with a risk moment: {100 * c['risk_clients']:.1f} % (default about 5 %)")


if __name__ == "__main__":
    main()
