"""``tvt rate INPUTS.jsonl``: rate a benchmark split's text-only inputs (lexical or an LLM).

The unit follows the inputs: records with turns marked ``"rate": true`` are rated turn by turn
(turn track), the others conversation by conversation. The lexical rater's ``suds-field`` signal
reads a label that inputs never carry, so it is refused here (it stays a diagnostic on labelled
dataset folders).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from tvt.bench.inputs import marked_turns, read_inputs
from tvt.errors import InputError, WorkFailed
from tvt.jsonio import write_jsonl
from tvt.records import BenchOutput, InputRecord

if TYPE_CHECKING:
    from tvt.bench.llm_rate import LLMInputsRun


class LexicalInputsRun(TypedDict):
    """``tvt rate INPUTS`` with the lexical rater: the sentence shown and the counts."""

    message: str
    outputs: int
    inputs: int
    unit: str


def inputs_unit(inputs: list[InputRecord]) -> str:
    """``turn`` when any record marks turns to rate, else ``conversation``."""
    return "turn" if any(marked_turns(r) for r in inputs) else "conversation"


def rate_inputs_file(
    path: str | Path,
    out: str | Path,
    *,
    rater: str = "lexical",
    signals: str | None = None,
    as_reference: bool = False,
    model: str | None = None,
    base_url: str | None = None,
    concurrency: int = 8,
    **llm_flags: Any,
) -> LexicalInputsRun | LLMInputsRun:
    """Rate every record of an ``inputs.jsonl`` and write model outputs; returns a summary."""
    from tvt.raters.lexical import parse_signals

    if as_reference:
        raise InputError(
            "--as-reference needs a labelled dataset folder; benchmark inputs are rated, not "
            "used as a reference",
            field="--as-reference",
        )
    inputs = read_inputs(path)
    unit = inputs_unit(inputs)
    out = Path(out)
    if rater == "lexical":
        from tvt.bench.raters import lexical_conversation_outputs, lexical_turn_outputs

        for flag, value in (("--model", model), ("--base-url", base_url)):
            if value is not None:
                raise InputError(f"{flag} applies to --rater openai only", field=flag)
        sig = parse_signals(signals or "suds-text,language")
        if "suds-field" in sig:
            raise InputError(
                "benchmark inputs carry no labels: the suds-field signal is a diagnostic for "
                "labelled dataset folders only",
                field="--signals",
            )
        fn = lexical_turn_outputs if unit == "turn" else lexical_conversation_outputs
        outputs: list[BenchOutput] = [*fn(inputs, sig)]
        write_jsonl(out, outputs)
        return {
            "message": f"wrote {len(outputs)} {unit} rating line(s) of {len(inputs)} input(s) "
            f"to {out} (lexical, signals {','.join(sig)})",
            "outputs": len(outputs),
            "inputs": len(inputs),
            "unit": unit,
        }
    if signals is not None:
        raise InputError("--signals applies to --rater lexical only", field="--signals")
    if not model:
        raise InputError("--rater openai needs --model", field="--model")
    from tvt.bench.llm_rate import rate_inputs_llm

    outputs, failures, summary = rate_inputs_llm(
        inputs,
        unit=unit,
        model=model,
        base_url=base_url,
        concurrency=concurrency,
        temperature=llm_flags.get("temperature", 0.0),
        max_tokens=llm_flags.get("max_tokens", 256),
        max_attempts=llm_flags.get("max_attempts", 3),
        timeout=llm_flags.get("timeout", 120.0),
        use_cache=not llm_flags.get("no_cache", False),
        cache_path=llm_flags.get("cache"),
        price_in=llm_flags.get("price_in"),
        price_out=llm_flags.get("price_out"),
        progress=llm_flags.get("progress", True),
    )
    write_jsonl(out, outputs)
    failures_path = out.with_name(out.name + ".failures.jsonl")
    if failures:
        write_jsonl(failures_path, failures)
    elif failures_path.exists():
        failures_path.unlink()
    n = len(inputs)
    message = (
        f"wrote {len(outputs)}/{n} {unit} rating line(s) to {out} with {summary['model']}; "
        f"format failures {summary['format_failures']} "
        f"({100 * summary['format_failure_rate']:.1f} %), request failures "
        f"{summary['request_failures']}"
    )
    if failures:
        raise WorkFailed(f"{message}; see {failures_path}")
    return {**summary, "message": message, "unit": unit}


def rate_inputs_from_flags(
    path: Path, rater: str, as_reference: bool, out: Path | None, flags: dict[str, Any]
) -> str:
    """``tvt rate INPUTS.jsonl`` with the command's flags; returns the line to print."""
    if rater not in ("lexical", "openai"):
        raise InputError(
            f"the {rater} rater reads dataset folders; benchmark inputs are rated by lexical or "
            "openai",
            field="--rater",
        )
    rest = {k: v for k, v in flags.items() if k not in ("signals", "model", "base_url")}
    summary = rate_inputs_file(
        path,
        out or Path("outputs.jsonl"),
        rater=rater,
        signals=flags.get("signals"),
        as_reference=as_reference,
        model=flags.get("model"),
        base_url=flags.get("base_url"),
        **rest,
    )
    return str(summary["message"])
