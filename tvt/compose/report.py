"""Realism figures of the offline composer against the release (SPEC §1.5).

Usage: ``python -m tvt.compose.report [--clients 500] [--seed 42]``. Prints mean turns per phase
(with min-max), words per turn per speaker, the share of distinct client turns, and the most
often any therapist line repeats within one conversation.
"""

from __future__ import annotations

import argparse
import collections
from typing import Any

from tvt.compose import compose_client
from tvt.config import load_config
from tvt.phases import BENCHMARK_ORDER
from tvt.pipeline import iter_cases

#: The release's mean turns per conversation (SPEC §1.5).
RELEASE_TURNS = {"P5": 20.6, "P10": 63.9, "P6": 33.3, "P7": 29.5, "P8": 30.9, "P11": 24.6}


def realism(clients: int, seed: int, preset: str = "default") -> dict[str, Any]:
    """Compute the realism figures over ``clients`` composed clients."""
    turns: dict[str, list[int]] = collections.defaultdict(list)
    words: dict[str, list[int]] = collections.defaultdict(list)
    client_texts: collections.Counter[str] = collections.Counter()
    worst_repeat = 0
    suds_checks: dict[str, list[int]] = collections.defaultdict(list)
    for case in iter_cases(load_config(preset), seed, clients):
        for conv in compose_client(case, seed, BENCHMARK_ORDER):
            phase = conv["phase"]
            turns[phase].append(len(conv["turns"]))
            lines = collections.Counter()
            for t in conv["turns"]:
                words[t["speaker"]].append(len(t["text"].split()))
                if t["speaker"] == "client":
                    client_texts[t["text"]] += 1
                else:
                    lines[t["text"]] += 1
            worst_repeat = max(worst_repeat, max(lines.values()))
            suds_checks[phase].append(sum(t["suds"] is not None for t in conv["turns"]))
    total = sum(client_texts.values())
    return {
        "clients": clients,
        "turns": {
            p: {"mean": sum(v) / len(v), "min": min(v), "max": max(v)}
            for p in BENCHMARK_ORDER
            if (v := turns[p])
        },
        "words_per_turn": {s: sum(v) / len(v) for s, v in sorted(words.items())},
        "distinct_client_share": len(client_texts) / total,
        "max_therapist_repeat": worst_repeat,
        "suds_reports_per_conversation": {
            p: sum(v) / len(v) for p in BENCHMARK_ORDER if (v := suds_checks[p])
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, default=500)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--preset", default="default")
    args = ap.parse_args()
    r = realism(args.clients, args.seed, args.preset)
    print(f"offline composer, {r['clients']} clients, seed {args.seed}")
    print(f"{'phase':>6} {'mean turns':>11} {'min-max':>8} {'release':>8} {'diff':>7} {'SUDS':>5}")
    for p, t in r["turns"].items():
        rel = RELEASE_TURNS[p]
        print(
            f"{p:>6} {t['mean']:>11.1f} {t['min']:>3}-{t['max']:<4} {rel:>8.1f} "
            f"{100 * (t['mean'] - rel) / rel:>+6.1f}% {r['suds_reports_per_conversation'][p]:>5.1f}"
        )
    for speaker, w in r["words_per_turn"].items():
        print(f"words per {speaker} turn: {w:.1f}")
    print(f"distinct client turns: {100 * r['distinct_client_share']:.1f} %")
    print(f"most repeats of one therapist line in a conversation: {r['max_therapist_repeat']}")


if __name__ == "__main__":
    main()
