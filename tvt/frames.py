"""pandas DataFrames of tvt's records (pandas is the optional extra ``tvt[pandas]``).

pandas is imported only when a frame is asked for, so ``import tvt`` and every command work
without it; without it, :func:`frame` raises the ``ModuleNotFoundError`` a user expects, with
the command that installs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A DataFrame of ``rows`` with exactly ``columns`` (in that order, also when empty)."""
    try:
        import pandas as pd
    except ModuleNotFoundError as exc:  # pragma: no cover - pandas is installed in the tests
        raise ModuleNotFoundError(
            "pandas is needed for to_pandas(); install it with: pip install 'tvt[pandas]'",
            name="pandas",
        ) from exc
    return pd.DataFrame.from_records(list(rows), columns=list(columns))
