"""The generation plugin point: the :class:`Backend` protocol, the built-in backends, the registry.

A backend turns planned cases into a dataset folder. tvt samples the clients and plans their SUDS
trajectories (the same for every backend, from the seed); the backend produces the six phase
conversations. Its ``options`` name the ``tvt generate`` flags it reads (``model``,
``base_url``, ...); ``tvt generate`` refuses a flag the chosen backend does not read.
Third-party backends register through the ``tvt.backends`` entry point group (see
:mod:`tvt.plugins` and docs/plugins.md); most only need to subclass
:class:`ConversationBackend` and write the conversations of one client at a time.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from tvt.card import write_card
from tvt.config import Config
from tvt.dataset import DatasetWriter, base_manifest, prepare_output
from tvt.errors import InputError, WorkFailed
from tvt.llm.cli_options import LLM_FLAGS, options_from_flags
from tvt.phases import BENCHMARK_ORDER
from tvt.pipeline import generate_offline, planned_cases, reference_of
from tvt.plugins import Plugin, Progress, Registry
from tvt.records import BackendInfo, Case, Conversation, Manifest
from tvt.schemacheck import check


@dataclass(frozen=True)
class GenerationRequest:
    """What to generate: the same for every backend (clients and plans come from the seed)."""

    seed: int
    clients: int
    config: Config
    phases: Sequence[str] = BENCHMARK_ORDER
    force: bool = False


@dataclass
class GenerationRun:
    """What a backend did: the manifest it committed, lines for stderr, and any failure.

    ``failure`` is one sentence when some conversations could not be produced (they are listed
    in failures.jsonl); the command then exits 1 after the dataset is written.
    """

    manifest: Manifest  # the manifest.json written
    notes: list[str] = field(default_factory=list)
    failure: str | None = None
    resumed: int = 0


@runtime_checkable
class Backend(Plugin, Protocol):
    """Writes a complete dataset folder for a :class:`GenerationRequest`."""

    def generate(
        self,
        out: Path,
        request: GenerationRequest,
        *,
        options: Mapping[str, Any],
        progress: Progress | None,
    ) -> GenerationRun:
        """Commit the dataset to ``out`` atomically; bad settings raise ``InputError``.

        ``options`` holds the values of the flags named in :attr:`options`; ``progress`` is
        called with the number of clients done, or is None when nobody is watching.
        """
        ...


class ConversationBackend:
    """Base class for a backend that writes the conversations of one client at a time.

    Subclasses set :attr:`name`, :attr:`description` and :attr:`version` and implement
    :meth:`conversations`; this class samples and plans the clients, checks every conversation
    against ``schemas/conversation.schema.json`` and writes the dataset through the standard
    writer (manifest, fingerprint and card included).
    """

    name = "conversation-backend"
    description = ""
    version = "0"
    options: Collection[str] = ()

    def conversations(
        self, case: Case, seed: int, phases: Sequence[str], options: Mapping[str, Any]
    ) -> list[Conversation]:
        """The conversations of one planned case (``case["plan"]`` holds its SUDS targets)."""
        raise NotImplementedError

    def generate(
        self,
        out: Path,
        request: GenerationRequest,
        *,
        options: Mapping[str, Any],
        progress: Progress | None,
    ) -> GenerationRun:
        prepare_output(out, request.force)
        backend: BackendInfo = {"name": self.name, "version": str(self.version)}
        manifest = base_manifest(
            seed=request.seed,
            clients=request.clients,
            config=request.config,
            backend=backend,
            phases=list(request.phases),
        )
        with DatasetWriter(out, manifest, finalize=write_card) as writer:
            for case in planned_cases(request.config, request.seed, request.clients):
                writer.write("cases.jsonl", case)
                writer.write("reference.jsonl", reference_of(case))
                for conv in self.conversations(case, request.seed, request.phases, options):
                    self._check(case, conv)
                    writer.write("conversations.jsonl", conv)
                if progress:
                    progress(1)
            return GenerationRun(writer.commit())

    def _check(self, case: Case, conv: Conversation) -> None:
        cid = case["client_id"]
        try:
            check("conversation", conv, what=f"client {cid}")
        except InputError as exc:
            raise WorkFailed(
                f"backend {self.name!r} produced an invalid conversation for client {cid}: {exc}"
            ) from exc
        if conv["client_id"] != cid:
            raise WorkFailed(
                f"backend {self.name!r} returned client {conv['client_id']}'s conversation "
                f"for client {cid}"
            )


class OfflineBackend:
    """The embedded composer: no network, byte-identical output for the same seed."""

    name = "offline"
    description = "embedded composer, no network; the same seed gives the same bytes"
    options: Collection[str] = ("suds_style",)

    def generate(
        self,
        out: Path,
        request: GenerationRequest,
        *,
        options: Mapping[str, Any],
        progress: Progress | None,
    ) -> GenerationRun:
        style = options.get("suds_style", "numeric")
        if style not in ("numeric", "verbal"):
            raise InputError(
                f"unknown suds_style {style!r} (numeric or verbal)", field="--suds-style"
            )
        manifest = generate_offline(
            out,
            seed=request.seed,
            clients=request.clients,
            config=request.config,
            phases=request.phases,
            force=request.force,
            progress=progress,
            suds_style=style,
        )
        return GenerationRun(manifest)


@functools.cache
def _llm_defaults() -> dict[str, Any]:
    """Settings a Python caller may leave out (the command line always passes every flag).
    Read when an LLM backend runs: the LLM modules (the HTTP client, asyncio) are not imported
    by an offline run, whose start-up they would otherwise slow by a few tenths of a second."""
    from tvt.llm.generation import LLMOptions

    return {
        f.name: f.default
        for f in fields(LLMOptions)
        if f.name in LLM_FLAGS and f.default is not MISSING
    }


class OpenAIBackend:
    """One chat request per (client, phase) to any OpenAI-compatible endpoint (tvt/llm/)."""

    name = "openai"
    description = "any OpenAI-compatible endpoint (needs --model); cached and resumable"
    options: Collection[str] = LLM_FLAGS

    def generate(
        self,
        out: Path,
        request: GenerationRequest,
        *,
        options: Mapping[str, Any],
        progress: Progress | None,
    ) -> GenerationRun:
        from tvt.llm.generation import generate_llm
        from tvt.llm.runner import summary_line

        # The LLM runner draws its own progress bar on stderr when someone is watching.
        flags = {**_llm_defaults(), **options}
        settings = options_from_flags(flags, progress=progress is not None)
        result = generate_llm(
            out,
            seed=request.seed,
            clients=request.clients,
            config=request.config,
            options=settings,
            phases=request.phases,
            force=request.force,
            resume=bool(options.get("resume")),
        )
        cost = result.cost["usd"] if result.cost else None
        done = result.produced + result.resumed
        notes = [summary_line(result.usage, done, len(result.failures), cost)]
        failure = None
        if result.failures:
            failure = (
                f"{len(result.failures)} conversation(s) could not be produced; see "
                f"{out / 'failures.jsonl'}; to ask again, re-run with --force and a higher "
                "--max-attempts (finished answers come from the cache)"
            )
        assert result.manifest is not None  # generate_llm commits or raises
        return GenerationRun(result.manifest, notes, failure, result.resumed)


class RealizeBackend:
    """The composer's conversations rewritten by a model, every turn checked (tvt/realize/)."""

    name = "realize"
    description = (
        "the composer's conversations rewritten by any OpenAI-compatible model (needs --model); "
        "labels kept, every turn checked, failing turns fall back to the composer"
    )
    options: Collection[str] = (*LLM_FLAGS, "suds_style")

    def generate(
        self,
        out: Path,
        request: GenerationRequest,
        *,
        options: Mapping[str, Any],
        progress: Progress | None,
    ) -> GenerationRun:
        from tvt.llm.runner import summary_line
        from tvt.realize import generate_realize

        flags = {**_llm_defaults(), **options}
        settings = options_from_flags(flags, progress=progress is not None, backend="realize")
        result = generate_realize(
            out,
            seed=request.seed,
            clients=request.clients,
            config=request.config,
            options=settings,
            phases=request.phases,
            force=request.force,
            resume=bool(options.get("resume")),
            suds_style=str(options.get("suds_style") or "numeric"),
        )
        cost = result.cost["usd"] if result.cost else None
        done = result.produced + result.resumed
        notes = [summary_line(result.usage, done, len(result.failures), cost)]
        shares = result.manifest["backend"]["realize"]
        notes.append(
            f"turns: {shares['rewritten']} of {shares['turns']} rewritten, "
            f"{shares['retried']} retried, {shares['fallback']} kept the composer's sentence "
            f"(fallback share {shares['shares']['fallback']})"
        )
        failure = None
        if result.failures:
            failure = (
                f"{len(result.failures)} conversation(s) could not be produced (requests "
                f"failed); see {out / 'failures.jsonl'}; re-run with --force (finished answers "
                "come from the cache)"
            )
        return GenerationRun(result.manifest, notes, failure, result.resumed)


#: The backends ``--backend`` accepts: the built-ins, then installed ``tvt.backends`` plugins.
BACKENDS: Registry[Backend] = Registry(
    "backend", "tvt.backends", ("name", "description", "generate")
)
BACKENDS.register("offline", OfflineBackend)
BACKENDS.register("openai", OpenAIBackend)
BACKENDS.register("realize", RealizeBackend)


def get_backend(name: str) -> Backend:
    """The backend registered as ``name`` (``InputError`` naming ``--backend`` if unknown)."""
    return BACKENDS.get(name, field="--backend")
