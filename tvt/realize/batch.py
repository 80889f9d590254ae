"""``tvt batch prepare --backend realize``: the first rewrite request of every conversation as a
Batch API / vLLM ``run-batch`` file.

The lines have the format of :mod:`tvt.llm.batch` (``custom_id`` ``c{client}-{phase}``); each
body asks for the rewrite of one composed conversation with the first attempt's seed. The plan
records ``"backend": "realize"`` and the realize prompt version. The checks and the per-turn
retries need answers one after another, so collecting goes through ``tvt generate --backend
realize`` against the same model (the batch answers are not read back yet; docs/realize.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tvt import compose
from tvt.config import Config
from tvt.errors import InputError
from tvt.jsonio import sha256_file, write_json, write_jsonl
from tvt.llm.batch import CASES, PLAN, REQUESTS, custom_id
from tvt.llm.generation import narrative_facts
from tvt.llm.prompts import load_prompts
from tvt.phases import BENCHMARK_ORDER
from tvt.realize.run import SEED_RULE
from tvt.realize.skeleton import realize_messages
from tvt.realize.verify import Checker
from tvt.rng import client_int_seed


def prepare_realize_batch(
    out: Path,
    *,
    seed: int,
    clients: int,
    config: Config,
    model: str,
    phases: Sequence[str] = BENCHMARK_ORDER,
    temperature: float = 0.8,
    max_tokens: int = 4096,
    force: bool = False,
) -> dict[str, Any]:
    """Write the realize requests into ``out``; return the plan."""
    from tvt.pipeline import iter_cases

    if not model or not model.strip():
        raise InputError("a model name is required", field="--model")
    if out.exists() and not out.is_dir():
        raise InputError("output path exists and is not a folder", path=out)
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError(
            "output folder is not empty; choose another --out or pass --force", path=out
        )
    out.mkdir(parents=True, exist_ok=True)
    prompts = load_prompts("realize")
    checker = Checker()
    params = {"temperature": temperature, "max_tokens": max_tokens}
    cases = list(iter_cases(config, seed, clients))
    requests = []
    for case in cases:
        cid = case["client_id"]
        facts = narrative_facts(case, seed)
        for conv in compose.compose_client(case, seed, phases):
            elements = [checker.elements(conv["phase"], t) for t in conv["turns"]]
            requests.append(
                {
                    "custom_id": custom_id(cid, conv["phase"]),
                    "method": "POST",
                    "url": "/v1/chat/completions",
                    "body": {
                        "model": model.strip(),
                        "messages": realize_messages(case, conv, elements, facts, prompts),
                        **params,
                        "seed": client_int_seed(seed, cid, f"realize:{conv['phase']}:1"),
                    },
                }
            )
    write_jsonl(out / CASES, cases)
    write_jsonl(out / REQUESTS, requests)
    plan = {
        "format": "tvt-batch",
        "format_version": "1",
        "backend": "realize",
        "seed": seed,
        "clients": clients,
        "phases": list(phases),
        "config": {"name": config.name, "source": config.source, "sha256": config.sha256},
        "model": model.strip(),
        "prompt_version": prompts.id,
        "prompt_sha256": prompts.sha256,
        "composer_version": compose.COMPOSER_VERSION,
        "sampling": {**params, "seed": SEED_RULE},
        "requests": len(requests),
        "requests_sha256": sha256_file(out / REQUESTS),
    }
    write_json(out / PLAN, plan)
    return plan
