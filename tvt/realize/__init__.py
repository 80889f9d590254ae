"""``--backend realize``: the composer's conversations rewritten by a language model, every
label kept and every rewritten turn checked (docs/realize.md).

Public interface: :func:`generate_realize` (used by :mod:`tvt.backends`),
:func:`prepare_realize_batch` / :func:`collect_realize_batch` (``tvt batch prepare --backend
realize``, ``tvt batch collect``) and the checks in
:mod:`tvt.realize.verify`.
"""

from __future__ import annotations

from tvt.realize.batch import collect_realize_batch, prepare_realize_batch
from tvt.realize.run import RealizeResult, generate_realize, realize_totals

__all__ = [
    "RealizeResult",
    "collect_realize_batch",
    "generate_realize",
    "prepare_realize_batch",
    "realize_totals",
]
