"""Offline composer (placeholder until the full composer lands: one line per phase)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

COMPOSER_VERSION = "0"


def compose_client(case: dict[str, Any], seed: int, phases: Sequence[str]) -> list[dict[str, Any]]:
    name = case["client_profile"]["name"].split()[0]
    return [
        {
            "client_id": case["client_id"],
            "phase": p,
            "turns": [
                {
                    "speaker": "therapist",
                    "text": f"Hello {name}.",
                    "suds": None,
                    "act": "open_question",
                }
            ],
        }
        for p in phases
    ]
