"""write_table's formula guard: the column-wise search gives what the per-cell rule gives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from graphkit._cells import neutralize
from graphkit.io import write_table

CELLS = ["=SUM(A1)", "-5", "+1e3", "-x", "@a", "'=b", "''-c", "\tt", "\rr", "a,b", 'q"u',
         "emoji🙂", "-", "plain", "=1+1", "#x", "-0.5", " =sp", "'plain", "+", "@@", ""]


def test_neutralized_csv_equals_the_per_cell_rule(tmp_path):
    rng = np.random.default_rng(3)
    cells = [CELLS[i] for i in rng.integers(0, len(CELLS), 500)]
    mixed = [c if i % 7 else None for i, c in enumerate(cells)]
    df = pd.DataFrame({"user": cells, "obj": pd.Series(mixed, dtype=object), "n": range(500)})
    write_table(df, str(tmp_path / "a.csv"))
    want = pd.DataFrame({"user": [neutralize(c) for c in cells],
                         "obj": pd.Series([neutralize(c) if c is not None else None
                                           for c in mixed], dtype=object), "n": range(500)})
    write_table(want, str(tmp_path / "b.csv"), neutralize=False)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert "'=SUM(A1)" in (tmp_path / "a.csv").read_text(encoding="utf-8")


def test_neutralize_falls_back_for_mixed_cells():
    df = pd.DataFrame({"user": pd.Series(["=a", 3, "b"], dtype=object),
                       "x": pd.Series(["-y", "ok", "=z"], dtype=object)})
    from graphkit.io.writers import neutralized

    out = neutralized(df)
    assert out["user"].tolist() == ["'=a", 3, "b"]
    assert out["x"].tolist() == ["'-y", "ok", "'=z"]


def test_neutralized_numpy_columns_equal_the_per_cell_rule():
    """A mapping of NumPy columns (the CLI's tables) takes the first-character pass: the
    same cells as the per-cell rule, lone surrogates and mixed columns included."""
    from graphkit.io.writers import neutralized

    rng = np.random.default_rng(5)
    cells = [CELLS[i] for i in rng.integers(0, len(CELLS), 800)] + ["=\ud800", "\ud800"]
    out = neutralized({"user": np.array(cells, dtype=object), "n": np.arange(len(cells))})
    assert out["user"].tolist() == [neutralize(c) for c in cells]
    assert out["n"].tolist() == list(range(len(cells)))
    mixed = np.array(["=a", 3, "-b", None], dtype=object)
    assert neutralized({"x": mixed})["x"].tolist() == ["'=a", 3, "'-b", None]
