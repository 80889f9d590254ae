"""Error types the command line turns into exit codes and one-sentence messages."""

from __future__ import annotations

from pathlib import Path


class TvtError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class InputError(TvtError):
    """Bad usage or bad input (exit code 2).

    The message names the file, the line and the field where they are known, so the user can go
    straight to the problem.
    """

    exit_code = 2

    def __init__(
        self,
        reason: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = reason
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f", line {self.line}"
        if self.field:
            where += (", " if where else "") + f"field '{self.field}'"
        return f"{where}: {self.reason}" if where else self.reason


class WorkFailed(TvtError):
    """Some of the work could not be done (exit code 1); what was done has been kept."""

    exit_code = 1
