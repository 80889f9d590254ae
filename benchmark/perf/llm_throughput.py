"""Throughput of LLM generation against a local OpenAI-compatible server with a fixed latency.

Starts tests/fake_openai_server.py in a separate process (so the server does not compete with the
client for the interpreter lock), answering every request after a fixed delay with a synthetic
transcript of the requested length, and runs the whole `tvt generate --backend openai` pipeline
(tvt.llm.generation.generate_llm: prompts, the openai SDK's AsyncOpenAI, parsing, validation,
journal, dataset assembly) with the cache off, so every conversation is one real HTTP request.

Prints (median of --repeat runs):
  * requests/s at concurrency 1, 8 and 32 with 200 ms latency, against the ideal concurrency/latency;
    target at 8: >= 75 % of 8 / 0.2 s = 40 requests/s;
  * at zero latency: wall time per request of the pipeline at concurrency 8 (HTTP on loopback
    included), and the in-process overhead per conversation of parse + validate + write alone.

    python benchmark/perf/llm_throughput.py
    python benchmark/perf/llm_throughput.py --repeat 5 --latency 0.2
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tvt.config import load_config  # noqa: E402
from tvt.llm.generation import LLMOptions, generate_llm  # noqa: E402
from tvt.phases import BENCHMARK_ORDER  # noqa: E402


def start_server(latency: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "fake_openai_server.py"), "--port", "0",
         "--latency", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        proc.kill()
        raise SystemExit(f"fake server did not start: {line!r}")
    return proc, f"http://127.0.0.1:{int(line.split()[1])}/v1"


def run_once(base_url: str, concurrency: int, requests: int) -> float:
    """Seconds for `requests` conversations through the pipeline (cache off)."""
    clients = max(1, requests // len(BENCHMARK_ORDER))
    options = LLMOptions(
        model="fake-model",
        base_url=base_url,
        concurrency=concurrency,
        use_cache=False,
        progress=False,
    )
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = generate_llm(
            Path(tmp) / "ds",
            seed=1,
            clients=clients,
            config=load_config("default"),
            options=options,
        )
        elapsed = time.perf_counter() - start
    n = clients * len(BENCHMARK_ORDER)
    if result.failures or result.usage.requests != n:
        raise SystemExit(
            f"unexpected run: {len(result.failures)} failures, {result.usage.requests}"
        )
    return elapsed / n


def overhead_in_process(n: int) -> float:
    """Seconds per conversation for parse + validate + journal write + dataset write."""
    from tests.fake_openai_server import synthetic_transcript
    from tvt.dataset import DatasetWriter
    from tvt.jsonio import dumps
    from tvt.llm.prompts import generation_messages, load_prompts, turn_bounds
    from tvt.llm.transcript import parse_transcript, speaker_aliases
    from tvt.pipeline import planned_cases

    prompts = load_prompts("generation")
    cases = list(planned_cases(load_config("default"), 1, max(1, n // 6)))
    answers = []
    for case in cases:
        for phase in BENCHMARK_ORDER:
            msgs = generation_messages(case, phase, {}, prompts)
            text = synthetic_transcript("\n".join(m["content"] for m in msgs), 1, True)
            answers.append((case, phase, text))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        start = time.perf_counter()
        with (
            open(out / "journal.jsonl", "w") as journal,
            DatasetWriter(out, {}, finalize=None) as writer,
        ):
            for case, phase, text in answers:
                tr = parse_transcript(
                    text, bounds=turn_bounds(prompts, phase), aliases=speaker_aliases(case)
                )
                conv = {"client_id": case["client_id"], "phase": phase, "turns": tr.turns}
                journal.write(dumps({"conversation": conv}) + "\n")
                journal.flush()
                writer.write("conversations.jsonl", conv)
            writer.commit()
        return (time.perf_counter() - start) / len(answers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "sk-benchmark")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")

    proc, url = start_server(args.latency)
    try:
        run_once(url, 8, 12)  # warm-up: imports, connection pool
        print(f"latency {args.latency * 1000:.0f} ms per request (fake server, separate process)")
        for conc in (1, 8, 32):
            n = max(60, conc * 30)  # about 6 s of ideal run time: setup costs amortised
            per = statistics.median(run_once(url, conc, n) for _ in range(args.repeat))
            rate = 1 / per
            ideal = conc / args.latency
            print(
                f"  concurrency {conc:>2}: {rate:6.1f} requests/s over {n} requests "
                f"({100 * rate / ideal:5.1f} % of the ideal {ideal:.0f}/s)"
            )
    finally:
        proc.terminate()
        proc.wait()

    proc, url = start_server(0.0)
    try:
        run_once(url, 8, 12)
        per = statistics.median(run_once(url, 8, 240) for _ in range(args.repeat))
        print(f"zero latency, concurrency 8: {per * 1000:.2f} ms per request end to end "
              f"({1 / per:.0f} requests/s; HTTP on loopback, SDK, server, parse, write)")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait()
    per = statistics.median(overhead_in_process(600) for _ in range(args.repeat))
    print(f"parse + validate + write alone: {per * 1000:.3f} ms per conversation")


if __name__ == "__main__":
    main()
