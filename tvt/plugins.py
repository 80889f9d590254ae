"""Plugin registries: the raters and generation backends tvt knows, built in or installed.

A registry maps a name (the value of ``--rater`` or ``--backend``) to a factory that builds the
plugin object. tvt's own raters and backends register in code; third-party packages add theirs
through an entry point group, as the ``llm`` tool's plugins do::

    # pyproject.toml of a plugin distribution
    [project.entry-points."tvt.raters"]
    shouty = "tvt_shouty:ShoutyRater"

The entry point names the ``--rater`` value; it loads a class (instantiated with no arguments)
or a ready object. Installed plugins are discovered once, when a registry is first asked for
its names. A plugin that fails to import, or whose name is already taken, is listed with the
reason and refused when chosen; it never breaks the other names.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from tvt.errors import InputError, WorkFailed

T = TypeVar("T")

BUILTIN = "built-in"

#: Called with the number of units done (clients, conversations), or None when nobody watches.
Progress = Callable[[int], None]


@runtime_checkable
class Plugin(Protocol):
    """What every plugin has, whatever its kind: a name, one line saying what it does, and the
    settings it reads (named as the command-line flags, without ``--``)."""

    name: str
    description: str
    options: Collection[str]


@dataclass
class Entry(Generic[T]):
    """One registered name: where it comes from and how to build it (or why it cannot be)."""

    name: str
    origin: str  # "built-in" or "<distribution> <version>"
    factory: Callable[[], T] | None
    problem: str | None = None


class Registry(Generic[T]):
    """Names -> plugin factories for one kind of plugin (``kind`` is ``rater`` or ``backend``).

    ``required`` names the attributes every plugin object must have (its protocol); an object
    without them is refused with one sentence naming the plugin and what it lacks.

    A registry behaves like the read-only mapping users expect: ``list(RATERS)`` and
    ``for name in RATERS`` give the names that can be chosen, ``"lexical" in RATERS`` and
    ``len(RATERS)`` work, ``RATERS["lexical"]`` builds the plugin, and ``print(RATERS)`` shows
    the names.
    """

    def __init__(self, kind: str, group: str, required: tuple[str, ...]) -> None:
        self.kind = kind
        self.group = group
        self.required = required
        self._entries: dict[str, Entry[T]] = {}
        self._discovered = False

    def register(self, name: str, factory: Callable[[], T], *, origin: str = BUILTIN) -> None:
        """Add ``name``; a name already registered is an error (plugins never replace others)."""
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = Entry(name, origin, factory)

    def _discover(self) -> None:
        if self._discovered:
            return
        self._discovered = True
        for ep in sorted(entry_points(group=self.group), key=lambda e: e.name):
            origin = _origin(ep)
            taken = self._entries.get(ep.name)
            if taken is not None:
                self._entries[f"{ep.name} ({origin})"] = Entry(
                    ep.name,
                    origin,
                    None,
                    f"name already taken by {taken.origin} {self.kind} {ep.name!r}; ignored",
                )
                continue
            self._entries[ep.name] = Entry(ep.name, origin, _loader(ep))

    def entries(self) -> list[Entry[T]]:
        """Every registered name, built-ins first (in registration order), then plugins."""
        self._discover()
        return list(self._entries.values())

    def names(self) -> list[str]:
        """The names that can be chosen."""
        return [e.name for e in self.entries() if e.problem is None]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def __contains__(self, name: object) -> bool:
        return name in self.names()

    def __getitem__(self, name: str) -> T:
        return self.get(name)

    def __repr__(self) -> str:
        return f"<{self.kind} registry: {', '.join(self.names())}>"

    def readers(self, setting: str) -> list[str]:
        """The names of the plugins that read ``setting`` (an unloadable plugin reads none)."""
        out = []
        for other in self.names():
            try:
                reads = setting in getattr(self.get(other), "options", ())
            except WorkFailed:  # --list-... says why it cannot be loaded
                reads = False
            if reads:
                out.append(other)
        return out

    def misuse(self, setting: str, name: str, *, api: bool = False) -> str:
        """One sentence for a setting given to a plugin that does not read it, naming the
        plugins that do: ``--model applies to --rater openai only`` (command line) or
        ``model= applies to rater='openai' only`` (``api``)."""
        readers = self.readers(setting)
        if api:
            given, chosen = f"{setting}=", f"{self.kind}={name!r}"
            who = " or ".join(f"{self.kind}={r!r}" for r in readers)
        else:
            given, chosen = "--" + setting.replace("_", "-"), f"--{self.kind} {name}"
            who = f"--{self.kind} " + " or ".join(readers)
        if not readers:
            return f"{given} does not apply to {chosen}"
        return f"{given} applies to {who} only"

    def check_options(self, name: str, given: Mapping[str, Any], *, api: bool = False) -> T:
        """Build plugin ``name`` and refuse the first setting in ``given`` it does not read
        (:meth:`misuse` words it; ``api`` for Python callers: ``rater='x'``, ``model=``)."""
        chosen = self.get(name, field=self.kind if api else f"--{self.kind}")
        accepted = set(getattr(chosen, "options", ()))
        for setting in given:
            if setting not in accepted:
                field = setting if api else "--" + setting.replace("_", "-")
                raise InputError(self.misuse(setting, name, api=api), field=field)
        return chosen

    def get(self, name: str, *, field: str | None = None) -> T:
        """Build the plugin registered as ``name``.

        An unknown name is bad input (``InputError`` listing the known names, naming ``field``);
        a plugin that cannot be loaded or lacks its protocol is a failure (``WorkFailed``).
        """
        self._discover()
        entry = self._entries.get(name)
        if entry is None or entry.factory is None:
            raise InputError(
                f"unknown {self.kind} {name!r} (known: {', '.join(self.names())})", field=field
            )
        try:
            obj = entry.factory()
        except Exception as exc:
            raise WorkFailed(
                f"the {self.kind} {name!r} from {entry.origin} could not be loaded: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        missing = [attr for attr in self.required if not hasattr(obj, attr)]
        if missing:
            raise WorkFailed(
                f"the {self.kind} {name!r} from {entry.origin} is not a tvt {self.kind} "
                f"(it has no {', '.join(missing)})"
            )
        return obj

    def describe(self) -> list[tuple[str, str, str]]:
        """``(name, origin, description)`` rows for ``--list-raters`` / ``--list-backends``.

        A plugin is loaded to read its description; one that cannot be loaded shows why.
        """
        rows = []
        for entry in self.entries():
            if entry.problem is not None:
                rows.append((entry.name, entry.origin, entry.problem))
                continue
            try:
                text = str(getattr(self.get(entry.name), "description", ""))
            except WorkFailed as exc:
                text = f"unusable: {exc}"
            rows.append((entry.name, entry.origin, text))
        return rows


def _origin(ep: EntryPoint) -> str:
    dist = ep.dist
    return f"{dist.name} {dist.version}" if dist is not None else "an unknown distribution"


def _loader(ep: EntryPoint) -> Callable[[], Any]:
    def build() -> Any:
        target = ep.load()
        return target() if isinstance(target, type) else target

    return build
