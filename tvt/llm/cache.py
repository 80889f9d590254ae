"""SQLite cache of successful chat completions.

The key is the sha256 of the canonical JSON of everything that determines an answer: endpoint host,
model, messages, sampling parameters, seed and prompt version (see :func:`cache_key`). The API key
is never part of it and never stored. Only HTTP-successful completions with text are stored, so a
fault or an empty answer is asked again next time, while an identical re-run (even one whose
transcripts failed validation) is answered from here without a single request.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tvt.jsonio import dumps

if TYPE_CHECKING:
    from tvt.llm.client import SamplingParams

CACHE_FILE = "llm-cache.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    finish_reason TEXT,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    model TEXT NOT NULL
)
"""


def default_cache_dir() -> Path:
    """``$TVT_CACHE_DIR``, else ``$XDG_CACHE_HOME/tvt``, else ``~/.cache/tvt``."""
    if os.environ.get("TVT_CACHE_DIR"):
        return Path(os.environ["TVT_CACHE_DIR"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "tvt"


def resolve_cache_path(path: str | Path | None) -> Path:
    """A ``--cache`` value (a folder or a ``.sqlite3`` file) or the default -> the database file."""
    if path is None:
        return default_cache_dir() / CACHE_FILE
    p = Path(path).expanduser()
    if p.suffix in (".sqlite", ".sqlite3", ".db"):
        return p
    return p / CACHE_FILE


def cache_key(
    *,
    host: str,
    model: str,
    messages: list[dict[str, str]],
    params: SamplingParams,
    seed: int | None,
    prompt_version: str,
) -> str:
    """sha256 over the canonical JSON of what determines the answer."""
    doc = {
        "host": host,
        "model": model,
        "messages": messages,
        "params": params,
        "seed": seed,
        "prompt_version": prompt_version,
    }
    return hashlib.sha256(dumps(doc).encode()).hexdigest()


@dataclass(frozen=True)
class CachedResponse:
    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int


class ResponseCache:
    """A small key-value store over one SQLite file (WAL, so several runs can share it)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The event loop is single-threaded; sqlite3 calls take well under a millisecond.
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)

    def get(self, key: str) -> CachedResponse | None:
        row = self._db.execute(
            "SELECT text, finish_reason, prompt_tokens, completion_tokens FROM responses "
            "WHERE key = ?",
            (key,),
        ).fetchone()
        return CachedResponse(*row) if row else None

    def put(self, key: str, model: str, response: CachedResponse) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
            (
                key,
                response.text,
                response.finish_reason,
                response.prompt_tokens,
                response.completion_tokens,
                model,
            ),
        )

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]

    def close(self) -> None:
        self._db.close()
