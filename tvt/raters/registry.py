"""The rater plugin point: the :class:`Rater` protocol, the built-in raters, the registry.

A rater rates conversations and gives one line of ratings per client: model outputs for
``tvt score``, or with ``as_reference`` a reference (``source`` ``"rater:<label>"``).
:meth:`Rater.rate` reads a dataset folder and writes a file (``tvt rate``); a rater that also has
``rate_records`` rates conversations held in memory and returns the lines (``tvt.rate`` on an
in-memory dataset uses it, with no temporary folder). Its
``options`` name the ``tvt rate`` flags it reads (``model``, ``base_url``, ``signals``, ...);
``tvt rate`` refuses a flag the chosen rater does not read. Third-party raters register through
the ``tvt.raters`` entry point group (see :mod:`tvt.plugins` and docs/plugins.md); most only
need to subclass :class:`ConversationRater` and rate one conversation at a time.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from tvt.dataset import resolve_dataset
from tvt.errors import InputError
from tvt.jsonio import write_jsonl
from tvt.llm.cli_options import LLM_FLAGS
from tvt.phases import BENCHMARK_ORDER, PHASE_INDEX
from tvt.plugins import Plugin, Progress, Registry
from tvt.raters import lexical
from tvt.records import Conversation, OutputRow, RatingLine, ReferenceRow, read_conversations


@dataclass
class Ratings:
    """Ratings held in memory: the lines, a summary, and lines for a person to read.

    The summary never names a file: nothing was written.
    """

    records: list[RatingLine]
    summary: Mapping[str, object]  # each rater's own account (the built-ins' are TypedDicts)
    notes: list[str] = field(default_factory=list)
    #: one sentence when some conversations could not be rated
    failure: str | None = None


@dataclass
class RatingRun:
    """What a rater did: the file it wrote, a summary, and lines for the command to show."""

    out: Path
    summary: Mapping[str, object]  # each rater's own account (the built-ins' are TypedDicts)
    message: str  # one sentence for stdout
    notes: list[str] = field(default_factory=list)  # warnings for stderr
    #: one sentence when some conversations could not be rated (the command then exits 1)
    failure: str | None = None


@runtime_checkable
class InMemoryRater(Plugin, Protocol):
    """A rater that can also rate conversations held in memory (every built-in rater can)."""

    def rate_records(
        self,
        conversations: Sequence[Conversation],
        *,
        as_reference: bool,
        options: Mapping[str, Any],
        progress: Progress | None,
    ) -> Ratings:
        """Rate ``conversations`` (already checked) and return the lines; nothing is written."""
        ...


@runtime_checkable
class Rater(Plugin, Protocol):
    """Rates every conversation of a dataset folder from 1 to 10."""

    def rate(
        self,
        dataset: Path,
        out: Path,
        *,
        as_reference: bool,
        options: Mapping[str, Any],
        progress: Progress | None,
    ) -> RatingRun:
        """Write ``out`` atomically and return the run; bad input raises ``InputError``.

        ``options`` holds the values of the flags named in :attr:`options`; ``progress`` is
        called with the number of conversations done, or is None when nobody is watching (then
        the rater shows nothing at all).
        """
        ...


class ConversationRater:
    """Base class for a rater that rates one conversation at a time.

    Subclasses set :attr:`name` and :attr:`description` and implement :meth:`rate_conversation`;
    this class reads and checks the conversations, assembles one trajectory line per client and
    writes the file. Conversations rated ``None`` are left out and listed in the summary.
    """

    name = "conversation-rater"
    description = ""
    options: Collection[str] = ()

    def rate_conversation(
        self, conversation: Conversation, options: Mapping[str, Any]
    ) -> float | None:
        """The intensity (1-10) of one conversation (``client_id``, ``phase``, ``turns``)."""
        raise NotImplementedError

    def rate_records(
        self,
        conversations: Sequence[Conversation],
        *,
        as_reference: bool,
        options: Mapping[str, Any],
        progress: Progress | None,
    ) -> Ratings:
        trajectories: dict[int, dict[str, float]] = {}
        unrated: list[list[Any]] = []
        for conv in conversations:
            value = self.rate_conversation(conv, options)
            if value is None:
                unrated.append([conv["client_id"], conv["phase"]])
            elif not 1 <= float(value) <= 10:
                raise InputError(
                    f"rater {self.name!r} rated client {conv['client_id']} phase "
                    f"{conv['phase']} {value}, outside 1-10"
                )
            else:
                trajectories.setdefault(conv["client_id"], {})[conv["phase"]] = float(value)
            if progress:
                progress(1)
        label = f"rater:{self.name}" if as_reference else self.name
        records: list[RatingLine] = []
        for cid, traj in sorted(trajectories.items()):
            ordered = {p: traj[p] for p in BENCHMARK_ORDER if p in traj}
            if as_reference:
                records.append(ReferenceRow(client_id=cid, trajectory=ordered, source=label))
            else:
                records.append(OutputRow(client_id=cid, trajectory=ordered, model=label))
        rated = sum(len(t) for t in trajectories.values())
        unrated.sort(key=lambda x: (x[0], PHASE_INDEX[x[1]]))
        summary = {"rater": self.name, "clients": len(records), "rated": rated, "unrated": unrated}
        notes = [f"{len(unrated)} conversation(s) not rated: {_pairs(unrated)}"] if unrated else []
        return Ratings(records, summary, notes)

    def rate(
        self,
        dataset: Path,
        out: Path,
        *,
        as_reference: bool,
        options: Mapping[str, Any],
        progress: Progress | None,
    ) -> RatingRun:
        _refuse_own_reference(dataset, out, as_reference)
        conversations = [c for _l, c in read_conversations(resolve_dataset(dataset), required=True)]
        got = self.rate_records(
            conversations, as_reference=as_reference, options=options, progress=progress
        )
        write_jsonl(out, got.records)
        message = (
            f"wrote {len(got.records)} clients to {out}: {got.summary['rated']} conversations rated"
        )
        return RatingRun(out, got.summary, message, got.notes)


def _refuse_own_reference(dataset: Path, out: Path, as_reference: bool) -> None:
    if as_reference and Path(out).resolve() == (Path(dataset) / "reference.jsonl").resolve():
        raise InputError(
            "refusing to overwrite the dataset's own reference.jsonl; choose another -o", path=out
        )


def _pairs(pairs: list[list[Any]], limit: int = 10) -> str:
    shown = ", ".join(f"{c}/{p}" for c, p in pairs[:limit])
    return shown + (" ..." if len(pairs) > limit else "")


class LexicalRater:
    """The offline baseline: stated SUDS and the client's language (:mod:`tvt.raters.lexical`)."""

    name = "lexical"
    description = "offline baseline (stated SUDS + client language); no network"
    options: Collection[str] = ("signals",)

    def rate_records(
        self,
        conversations: Sequence[Conversation],
        *,
        as_reference: bool,
        options: Mapping[str, Any],
        progress: Progress | None,
    ) -> Ratings:
        records, s = lexical.rate_conversations_lexical(
            conversations,
            as_reference=as_reference,
            signals=options.get("signals"),
            progress=progress,
        )
        return Ratings(records, s, _lexical_notes(s))

    def rate(
        self,
        dataset: Path,
        out: Path,
        *,
        as_reference: bool,
        options: Mapping[str, Any],
        progress: Progress | None,
    ) -> RatingRun:
        s = lexical.rate_dataset_lexical(
            dataset,
            out,
            as_reference=as_reference,
            signals=options.get("signals"),
            progress=progress,
        )
        kind = "reference" if s["as_reference"] else "outputs"
        src, scales = s["suds_from"], s["suds_scale_detected"]
        message = (
            f"wrote {kind} for {s['clients']} clients to {s['out']}: {s['rated']} of "
            f"{s['conversations']} conversations rated; SUDS from turn fields {src['field']}, "
            f"from text {src['text']} (0-10 scale {scales['10']}, 0-100 {scales['100']}), "
            f"none {src['none']}"
        )
        return RatingRun(Path(out), s, message, _lexical_notes(s))


def _lexical_notes(s: Mapping[str, Any]) -> list[str]:
    if not s["unrated"]:
        return []
    return [
        f"{len(s['unrated'])} conversation(s) had no client words and no SUDS and were "
        f"not rated (left out of the trajectories): {_pairs(s['unrated'])}"
    ]


#: ``tvt rate`` flags the openai rater reads: those of LLM generation but --resume.
OPENAI_OPTIONS = tuple(flag for flag in LLM_FLAGS if flag != "resume")


class OpenAIRater:
    """Zero-shot ratings from any OpenAI-compatible endpoint (:mod:`tvt.raters.llm`)."""

    name = "openai"
    description = "zero-shot LLM ratings from any OpenAI-compatible endpoint (needs --model)"
    options: Collection[str] = OPENAI_OPTIONS

    def rate_records(
        self,
        conversations: Sequence[Conversation],
        *,
        as_reference: bool,
        options: Mapping[str, Any],
        progress: Progress | None,
    ) -> Ratings:
        model = options.get("model")
        if not model:
            raise InputError("rater 'openai' needs model=", field="model")
        from tvt.raters.llm import failure_message, rate_conversations_llm

        notes: list[str] = []
        got = rate_conversations_llm(
            list(conversations),
            model=model,
            base_url=options.get("base_url"),
            concurrency=options.get("concurrency") or 8,
            as_reference=as_reference,
            progress=progress is not None,
            report=notes.append,
            **_llm_settings(options),
        )
        summary = {**got.summary, "failures": got.failures}
        return Ratings(got.records, summary, notes, failure_message(summary))

    def rate(
        self,
        dataset: Path,
        out: Path,
        *,
        as_reference: bool,
        options: Mapping[str, Any],
        progress: Progress | None,
    ) -> RatingRun:
        model = options.get("model")
        if not model:
            raise InputError("--rater openai needs --model", field="--model")
        given = _llm_settings(options)
        # Imported here, not at the top: it loads numpy, which `tvt rate --help` does not need.
        from tvt.raters.llm import failure_message, rate_dataset_llm

        notes: list[str] = []

        summary = rate_dataset_llm(
            dataset,
            out,
            model=model,
            base_url=options.get("base_url"),
            concurrency=options.get("concurrency") or 8,
            as_reference=as_reference,
            # The LLM runner draws its own progress bar on stderr; a caller that watches no
            # progress (the Python API) gets none.
            progress=progress is not None,
            report=notes.append,
            raise_on_failure=False,
            **given,
        )
        parts = [f"{k} {v}" for k, v in summary.items() if isinstance(v, (int, float, str))]
        message = f"wrote {out}: " + ", ".join(parts)
        return RatingRun(Path(out), summary, message, notes, failure_message(summary))


def _llm_settings(options: Mapping[str, Any]) -> dict[str, Any]:
    """The LLM settings given, but those passed by name (model, base_url, concurrency)."""
    return {
        k: options[k]
        for k in OPENAI_OPTIONS
        if k not in ("model", "base_url", "concurrency") and options.get(k) is not None
    }


#: The raters ``--rater`` accepts: the built-ins, then installed ``tvt.raters`` plugins.
RATERS: Registry[Rater] = Registry("rater", "tvt.raters", ("name", "description", "rate"))
RATERS.register("lexical", LexicalRater)
RATERS.register("openai", OpenAIRater)


def get_rater(name: str) -> Rater:
    """The rater registered as ``name`` (``InputError`` naming ``--rater`` if unknown)."""
    return RATERS.get(name, field="--rater")
