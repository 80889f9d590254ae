"""The ``tvt`` command line: one click group; each command lives in its own module.

Commands parse flags, call the library, and print. Errors derived from ``TvtError`` become one
sentence on stderr and the error's exit code (2 for bad input, 1 for failed work); ``--debug``
shows the traceback instead.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from tvt import __version__
from tvt.errors import TvtError

#: command name -> "module:attribute"; modules are imported only when the command runs, so
#: ``tvt --help`` stays fast.
COMMANDS: dict[str, str] = {
    "generate": "tvt.cli.generate:generate",
    "validate": "tvt.cli.validate:validate",
    "stats": "tvt.cli.stats:stats",
    "import": "tvt.cli.transfer:import_cmd",
    "export": "tvt.cli.transfer:export_cmd",
    "rate": "tvt.cli.rate:rate",
    "score": "tvt.cli.score:score",
    "submit": "tvt.cli.leaderboard:submit",
    "leaderboard": "tvt.cli.leaderboard:leaderboard",
    "batch": "tvt.cli.batch:batch",
    "eval": "tvt.cli.eval:eval_cmd",
    "reveal": "tvt.cli.eval:reveal",
    "keygen": "tvt.cli.eval:keygen",
    "audit": "tvt.cli.audit:audit",
    "show": "tvt.cli.show:show",
}


class TvtGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        # Every command module ships with tvt: a failing import is a bug and is not hidden.
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        debug = ctx.params.get("debug") or ctx.obj and ctx.obj.get("debug")
        try:
            return super().invoke(ctx)
        except TvtError as exc:
            if debug:
                raise
            click.echo(f"tvt: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            hint = (ctx.obj or {}).get("on_interrupt") if isinstance(ctx.obj, dict) else None
            click.echo(f"tvt: interrupted; {hint}" if hint else "tvt: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except OSError as exc:
            if debug:
                raise
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            click.echo(f"tvt: error: {where}{exc.strerror or exc}", err=True)
            sys.exit(2)
        except Exception as exc:  # last resort: one sentence, not a traceback
            if debug:
                raise
            click.echo(
                f"tvt: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
                err=True,
            )
            sys.exit(1)


@click.group(cls=TvtGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tvt")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """tvt: synthetic Prolonged Exposure therapy data and the emotional-trajectory benchmark.

    \b
    Examples:
      tvt generate --seed 42                      # 500 clients x 6 phases into ./tvt-data
      tvt rate tvt-data --rater lexical -o outputs.jsonl
      tvt score outputs.jsonl                     # Pearson / DTW / RMSE / S_abs
      tvt submit outputs.jsonl --meta meta.json   # verified leaderboard entry
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
