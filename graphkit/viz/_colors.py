"""The views' colours (private; the public names are re-exported by :mod:`graphkit.viz`).

One rule for categories: **a category's colour is a function of its number**, never of
what happens to be on the page. Community ``c`` is ``PALETTE[c]`` for ``0 <= c <
len(PALETTE)`` and :data:`OTHER_COLOR` otherwise (and for "no community"), in every view,
legend and report built from the same membership. Communities are numbered by size
(Leiden, :class:`~graphkit.communities.Partition`), so the coloured ones are the largest.

The same rule colours any categorical per-user attribute (:class:`Categories`): text
labels are numbered by their order (the order given, else sorted), and the number picks
the colour. This is how a view is coloured "by community" or by any other label column.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

import numpy as np

__all__ = ["PALETTE", "OTHER_COLOR", "category_color", "Categories", "categories_from",
           "type_colors", "sequential_color", "SEQUENTIAL_STOPS", "check_color", "legend_items"]

#: Category colours: Tableau 10 without its grey, then eight more of Tableau 20 that stay
#: apart from the first ones (measured on the Higgs sample: the top 300 users by PageRank
#: fall in 17 of 35 Leiden communities, 299 of them in communities 0-15).
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#499894", "#d37295", "#a0cbe8", "#8cd17d", "#b6992d",
           "#ffbe7d", "#d4a6c8")
#: Categories past the palette, and users without one.
OTHER_COLOR = "#bdbdbd"
#: Fixed colours of the usual interaction types; other types take :data:`_EXTRA_TYPE_COLORS`.
_TYPE_COLORS = {"follow": "#8a9bb0", "share": "#f28e2b", "comment": "#59a14f",
                "mention": "#b07aa1", "reply": "#59a14f", "interaction": "#8a9bb0"}
_EXTRA_TYPE_COLORS = ("#e15759", "#4e79a7", "#edc948", "#76b7b2", "#9c755f", "#ff9da7")
#: viridis at 0, 0.25, 0.5, 0.75, 1 (probability colour scale of the cascade view).
SEQUENTIAL_STOPS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
_COLOR_RE = re.compile(r"#[0-9a-f]{6}")


def category_color(code: int) -> str:
    """The colour of category number ``code``: ``PALETTE[code]``, grey past it or below 0.

    Examples
    --------
    >>> from graphkit.viz import category_color
    >>> category_color(0), category_color(3), category_color(99), category_color(-1)
    ('#4e79a7', '#76b7b2', '#bdbdbd', '#bdbdbd')
    """
    code = int(code)
    return PALETTE[code] if 0 <= code < len(PALETTE) else OTHER_COLOR


def check_color(color: str) -> str:
    """``color`` if it is a ``#rrggbb`` literal (the only colours a view may carry)."""
    if not isinstance(color, str) or not _COLOR_RE.fullmatch(color):
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    return color


def type_colors(types) -> dict:
    """A colour for every interaction type name, stable for a given ``types`` order."""
    out, extra = {}, 0
    for t in types:
        if t in _TYPE_COLORS:
            out[t] = _TYPE_COLORS[t]
        else:
            out[t] = _EXTRA_TYPE_COLORS[extra % len(_EXTRA_TYPE_COLORS)]
            extra += 1
    return out


def sequential_color(p: float) -> str:
    """The viridis colour of a probability ``p`` in [0, 1] (linear between stops)."""
    p = min(max(float(p), 0.0), 1.0) if math.isfinite(p) else 0.0
    x = p * (len(SEQUENTIAL_STOPS) - 1)
    i = min(int(x), len(SEQUENTIAL_STOPS) - 2)
    f = x - i
    a, b = SEQUENTIAL_STOPS[i], SEQUENTIAL_STOPS[i + 1]
    rgb = [round(int(a[k:k + 2], 16) * (1 - f) + int(b[k:k + 2], 16) * f) for k in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


# --------------------------------------------------------------------------- categories
@dataclass(frozen=True, eq=False)
class Categories:
    """A categorical attribute of every user, for colouring and filtering a view.

    Attributes
    ----------
    codes : ndarray of int64
        The category number of each user (aligned with ``graph.node_ids``); -1 = none.
        The number picks the colour (:func:`category_color`).
    title : str
        What the attribute is ("community", "segment"): legend heading and tooltips.
    source : str
        Where it comes from, for the page header ("Leiden communities of the whole graph").
    names : tuple of str or None
        ``names[code]`` is the label of a category; None when the numbers are the labels
        (communities: "community 4").
    """

    codes: np.ndarray
    title: str
    source: str
    names: tuple | None = None

    def name(self, code: int) -> str:
        code = int(code)
        if code < 0:
            return f"no {self.title}"
        if self.names is None:
            return f"{self.title} {code}"
        return str(self.names[code])


def _labels_to_codes(labels, order=None) -> tuple[np.ndarray, tuple | None]:
    """Integer labels stay numbers; text labels are numbered by ``order`` (else sorted)."""
    import pandas as pd

    s = pd.Series(labels)
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.to_numpy(dtype=np.int64), None
    if isinstance(s.dtype, pd.CategoricalDtype) and order is None:
        order = [str(c) for c in s.cat.categories]
    text = s.astype(object)
    missing = text.isna().to_numpy()
    values = [str(v) for v in text[~missing]]
    names = tuple(order) if order is not None else tuple(sorted(set(values)))
    index = {n: i for i, n in enumerate(names)}
    unknown = sorted(set(values) - set(index))
    if unknown:
        raise ValueError(f"labels not in the given order: {', '.join(map(repr, unknown[:5]))}")
    codes = np.full(len(text), -1, dtype=np.int64)
    codes[~missing] = [index[v] for v in values]
    return codes, names


def categories_from(graph, spec, *, title: str = "community", column: str | None = None,
                    order=None) -> Categories:
    """A :class:`Categories` of ``graph``'s users from what the caller has.

    ``spec`` is a :class:`Categories` (returned as is), a
    :class:`~graphkit.communities.Partition`, a table with a ``user`` column and a label
    column (``column``, else ``community``, else the only other column), a membership
    file (read with :func:`graphkit.read_membership`, any labels), or an array with one
    label per user. Users missing from a table or file get -1 ("none"); table users
    not in the graph are ignored. Text labels are numbered by ``order`` (else sorted).

    Examples
    --------
    >>> import graphkit as gk, pandas as pd
    >>> from graphkit.viz import categories_from, category_color
    >>> g = gk.SocialGraph.from_pairs([("a", "b"), ("b", "c"), ("c", "a")])
    >>> roles = pd.DataFrame({"user": ["a", "b"], "segment": ["lurker", "broadcaster"]})
    >>> cats = categories_from(g, roles, title="segment", order=["broadcaster", "lurker"])
    >>> cats.codes.tolist(), cats.name(0), category_color(cats.codes[1])
    ([1, 0, -1], 'broadcaster', '#4e79a7')
    """
    import pandas as pd

    from ..communities import Partition, membership_array

    if isinstance(spec, Categories):
        if spec.codes.shape != (graph.n_nodes,):
            raise ValueError(f"the {spec.title} labels are of another graph (their size differs)")
        return spec
    if isinstance(spec, Partition):
        if spec.membership.shape != (graph.n_nodes,):
            raise ValueError("the partition is of another graph (its size differs)")
        return Categories(np.asarray(spec.membership, dtype=np.int64), title,
                          f"{spec.method} communities of the whole graph")
    if isinstance(spec, (str, bytes)) or hasattr(spec, "__fspath__"):
        from ..io import read_membership

        path = os.fsdecode(os.fspath(spec))
        table = read_membership(path, labels="any")
        source = f"{title} from {os.path.basename(path)}"
    elif isinstance(spec, pd.DataFrame):
        table, source = spec, f"the given {title} labels"
    else:
        arr = np.asarray(spec)
        if arr.ndim != 1 or arr.shape[0] != graph.n_nodes:
            raise ValueError(f"{title} labels must be a Partition, a user,label table, a "
                             "membership file or an array with one label per user")
        if arr.dtype.kind == "f":
            raise ValueError(f"{title} labels must be integers or text, not floats")
        codes, names = _labels_to_codes(arr, order)
        return Categories(codes, title, f"the given {title} labels", names)
    if "user" not in table.columns:
        raise ValueError(f"a {title} table needs a 'user' column")
    if column is None:
        others = [c for c in table.columns if c != "user"]
        column = "community" if "community" in table.columns else (others[0] if len(others) == 1
                                                                    else None)
        if column is None:
            raise ValueError(f"name the {title} column (the table has {', '.join(map(str, others))})")
    labels, names = _labels_to_codes(table[column], order)
    aligned = pd.DataFrame({"user": table["user"].astype(str), "community": labels})
    codes = membership_array(graph, aligned, missing_users="drop")
    return Categories(codes, title, source, names)


def legend_items(cats: Categories, shown_codes) -> tuple[list, np.ndarray]:
    """Legend (and filter) rows for the categories of the shown users, and each shown
    user's row.

    One row per coloured category present (by number), then one grey row for the
    categories past the palette and users without one. Returns ``(items, row)`` where
    ``row[i]`` is the index in ``items`` of shown user ``i``.
    """
    codes = np.asarray(shown_codes, dtype=np.int64)
    coloured = (codes >= 0) & (codes < len(PALETTE))
    present, counts = np.unique(codes[coloured], return_counts=True)
    items = [{"label": f"{cats.name(c)} ({k:,} shown)", "name": cats.name(c),
              "color": category_color(c), "kind": "node", "code": int(c)}
             for c, k in zip(present.tolist(), counts.tolist())]
    row = np.full(codes.shape[0], len(items), dtype=np.int64)
    row[coloured] = np.searchsorted(present, codes[coloured])
    grey = int((~coloured).sum())
    if grey:
        past = bool((codes >= len(PALETTE)).any())
        none = bool((codes < 0).any())
        what = " / ".join(p for p, on in ((f"other {cats.title} labels" if cats.names is not None
                                           else f"{cats.title} {len(PALETTE)} and above", past),
                                          (f"no {cats.title}", none)) if on)
        items.append({"label": f"{what} ({grey:,} shown)", "color": OTHER_COLOR, "kind": "node",
                      "code": None})
    return items, row
