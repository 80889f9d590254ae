"""Print one whole client of the offline composer as the Markdown of docs/composer.md's
"One complete client" section.

Usage: ``python benchmark/composer_example.py [--seed 42] [--client 6] [--suds-style numeric]``
"""

from __future__ import annotations

import argparse

from tvt.compose import COMPOSER_VERSION, compose_client
from tvt.config import load_config
from tvt.phases import BENCHMARK_ORDER
from tvt.pipeline import planned_cases


def render(seed: int, client: int, suds_style: str) -> str:
    case = next(
        c for c in planned_cases(load_config("default"), seed, client) if c["client_id"] == client
    )
    p, t, plan = case["client_profile"], case["trauma_info"], case["plan"]
    out = [
        f"The six phases of one client of `tvt generate --seed {seed}` (composer "
        f"{COMPOSER_VERSION}, {suds_style} SUDS), unedited. Acts are shown after the speaker; "
        "SUDS values are the turns' `suds` fields.",
        "",
        f"Client {client}: {p['name']}, {p['age']}, {p['gender']}, {p['occupation'].lower()}, "
        f"{p['relationship_status'].lower()}, living {p['living_situation'].lower()}, "
        f"{p['ethnicity']}; co-occurring condition: {p['co_occurring_condition'].lower()}; "
        f"behaviours: {', '.join(p['exhibited_behaviors'])}. Trauma type: {t['type']}; session "
        f"topic: {t['session_topic']}.",
        "",
        f"Plan: sessions {plan['session']}; intensities {plan['intensity']}; SUDS {plan['suds']}.",
    ]
    for conv in compose_client(case, seed, BENCHMARK_ORDER, suds_style=suds_style):
        out += ["", f"### {conv['phase']} (session {plan['session'][conv['phase']]})", ""]
        for turn in conv["turns"]:
            who = "T" if turn["speaker"] == "therapist" else "C"
            suds = f" [SUDS {turn['suds']}]" if turn.get("suds") is not None else ""
            out.append(f"- **{who}** `{turn['act']}`{suds}: {turn['text']}")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--client", type=int, default=6, help="client id (1 or more)")
    ap.add_argument("--suds-style", default="numeric", choices=("numeric", "verbal"))
    args = ap.parse_args()
    if args.client < 1:
        ap.error("--client must be 1 or more")
    print(render(args.seed, args.client, args.suds_style), end="")


if __name__ == "__main__":
    main()
