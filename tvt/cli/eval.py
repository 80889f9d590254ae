"""``tvt eval`` (sealed evaluation, model in the loop) and ``tvt reveal`` (commit-reveal)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tvt.llm.cli_options import llm_options


@click.command("eval")
@click.option(
    "--track",
    type=click.Choice(["full", "masked", "turn"]),
    required=True,
    help="full: stated SUDS; masked: SUDS in words; turn: per-turn intensity in exposure.",
)
@click.option(
    "--clients",
    type=click.IntRange(min=2),
    default=100,
    show_default=True,
    help="Clients in the sealed split.",
)
@click.option(
    "--leaderboard",
    "leaderboard_dir",
    type=click.Path(path_type=Path),
    default=Path("leaderboard"),
    show_default=True,
    help="Leaderboard folder; the entry goes to LEADERBOARD/sealed/.",
)
@click.option(
    "--secrets",
    "secrets_dir",
    type=click.Path(path_type=Path),
    help="Private folder for the secret seed (default: $TVT_SECRETS_DIR or "
    "~/.local/share/tvt/secrets). Never publish it before `tvt reveal`.",
)
@click.option(
    "--trained-on-tvt/--not-trained-on-tvt",
    "trained_on_tvt",
    default=None,
    help="Whether the model was trained or tuned on tvt data (recorded in the entry).",
)
@click.option("--organization", help="Who made the model (recorded in the entry).")
@click.option(
    "--sign-key",
    type=click.Path(path_type=Path),
    help="Maintainer's ed25519 private key (PEM, from `tvt keygen`): sign the entry. Only "
    "entries signed by a key in LEADERBOARD/keys/ rank as sealed; others show as self-run.",
)
@llm_options(
    temperature=0.0, max_tokens=512, timeout=120.0, resume=False, cache=False, model_required=True
)
def eval_cmd(
    model: str,
    base_url: str | None,
    track: str,
    clients: int,
    leaderboard_dir: Path,
    secrets_dir: Path | None,
    trained_on_tvt: bool | None,
    organization: str | None,
    sign_key: Path | None,
    **options: Any,
) -> None:
    """Sealed evaluation: a fresh secret seed, the model rates the inputs, a `sealed` entry.

    The split is generated in memory from a seed nobody has seen; the entry records the seed's
    commitment (sha256 over the seed and the recipe), the sha256 of the inputs, the prompt
    version, model, date, usage, cost and format failures. The response cache is off. Publish
    the seed later with `tvt reveal`.

    \b
    Examples:
      tvt eval --model gpt-4o-mini --track masked
      tvt eval --model gpt-4o-mini --track masked --sign-key maintainer.pem
      tvt eval --model local --base-url http://127.0.0.1:8080/v1 --track turn --clients 20
      tvt reveal leaderboard/sealed/gpt-4o-mini-masked-0123456789ab.json
    """
    from tvt.bench.sealed import run_eval
    from tvt.llm.client import RetryPolicy

    options["policy"] = RetryPolicy(give_up_after=options.pop("stop_after"))
    result = run_eval(
        model=model,
        track=track,
        clients=clients,
        base_url=base_url,
        leaderboard=leaderboard_dir,
        secrets_dir=secrets_dir,
        trained_on_tvt=trained_on_tvt,
        organization=organization,
        sign_key=sign_key,
        progress=True,
        **options,
    )
    e = result.entry
    m = e["metrics"]
    ci = m.get("s_abs_ci95")
    ci_text = f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""
    click.echo(
        f"sealed {e['model']!r} on {e['benchmark']} {track}: S_abs {m['s_abs']:.3f}{ci_text}, "
        f"Pearson {m['pearson']['mean']:.3f}, RMSE {m['rmse']['mean']:.3f}, "
        f"N {m['n_scored']}/{m['n_reference']}; format failures {e['format_failures']} "
        f"({100 * e['format_failure_rate']:.1f} %)"
    )
    signed = "signed" if "signature" in e else "unsigned (ranks as self-run)"
    click.echo(f"wrote {result.entry_path} ({signed}); the seed is kept in {result.secret_path}")


@click.command()
@click.argument("entry", type=click.Path(path_type=Path))
@click.option(
    "--secrets",
    "secrets_dir",
    type=click.Path(path_type=Path),
    help="Folder holding the secret seed (default: $TVT_SECRETS_DIR or ~/.local/share/tvt/secrets).",
)
@click.option("--seed", type=click.IntRange(min=0), help="The seed, if it is not in --secrets.")
@click.option(
    "--inputs-out",
    type=click.Path(path_type=Path),
    help="Also write the regenerated inputs.jsonl here (to re-run the model).",
)
@click.option(
    "--keys",
    "keys_dir",
    type=click.Path(path_type=Path),
    help="Leaderboard folder whose keys/*.pub are the maintainer keys (default: the folder "
    "holding the entry's sealed/).",
)
def reveal(
    entry: Path,
    secrets_dir: Path | None,
    seed: int | None,
    inputs_out: Path | None,
    keys_dir: Path | None,
) -> None:
    """Check a sealed entry completely and publish its seed (commit-reveal).

    Nothing in the entry is trusted: the recipe is rebuilt from the benchmark's own definition,
    the seed must open the commitment and must not be a published seed, the inputs are regenerated
    and their sha256 checked, every figure is recomputed from the stored answers, and a maintainer
    signature, if any, must verify. Any mismatch is refused (exit 2; exit 1 when the versions that
    shape the data differ here). Then the seed is written into the entry.

    \b
    Examples:
      tvt reveal leaderboard/sealed/gpt-4o-mini-masked-0123456789ab.json
      tvt reveal ENTRY.json --inputs-out inputs.jsonl
    """
    from tvt.bench.sealed import regenerate_inputs
    from tvt.bench.sealed import reveal as do_reveal
    from tvt.jsonio import atomic_writer
    from tvt.outputs import check_output

    check_output(inputs_out, option="--inputs-out", inputs=[entry, secrets_dir])
    updated = do_reveal(entry, secrets_dir=secrets_dir, seed=seed, keys_dir=keys_dir)
    status = updated.pop("_signature")
    sealed = updated["sealed"]
    click.echo(
        f"revealed seed {sealed['seed']} of {entry} (commitment {sealed['commitment'][:12]}, "
        f"inputs sha256 {sealed['inputs_sha256'][:12]} and every figure recomputed from the "
        f"stored answers verified; {status})"
    )
    if inputs_out is not None:
        with atomic_writer(inputs_out) as fh:
            fh.write(regenerate_inputs(updated))
        click.echo(f"wrote {inputs_out}")


@click.command()
@click.argument("private_key", type=click.Path(path_type=Path))
@click.argument("public_key", type=click.Path(path_type=Path))
def keygen(private_key: Path, public_key: Path) -> None:
    """Make a maintainer's ed25519 key pair for signing sealed entries.

    The private key (PEM, mode 0600) stays with the maintainer; the public key goes into the
    leaderboard folder's keys/ so `tvt leaderboard` and `tvt reveal` accept the signatures.

    \b
    Examples:
      tvt keygen maintainer.pem leaderboard/keys/maintainer.pub
      tvt eval --model gpt-4o-mini --track masked --sign-key maintainer.pem
    """
    from tvt.leaderboard.signing import generate_key

    kid = generate_key(private_key, public_key)
    click.echo(f"wrote {private_key} (keep it private) and {public_key}; key id {kid}")
