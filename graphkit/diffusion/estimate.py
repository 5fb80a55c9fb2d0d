"""The result of a cascade simulation: :class:`SpreadEstimate`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["SpreadEstimate", "Z95"]

#: Two-sided 95% normal quantile used for every confidence interval.
Z95 = 1.959963984540054


@dataclass(frozen=True, eq=False)
class SpreadEstimate:
    """Expected reach of a seed set, estimated by Monte Carlo simulation.

    The *reach* of one run is the number of users active when the cascade stops,
    **seeds included**.

    Attributes
    ----------
    mean : float
        Mean reach over the runs (the estimate of the expected spread).
    std : float
        Sample standard deviation of the reach of one run (``ddof=1``).
    ci_low, ci_high : float
        95% normal confidence interval of the mean: ``mean -/+ 1.96 std / sqrt(runs)``.
    runs : int
        Number of simulated runs.
    model : str
        ``"ic"`` or ``"lt"``.
    prob : str
        The probability model of the influence graph (``"wc"``, ``"uniform:0.1"``, ...).
    seeds : tuple of str
        The seed users that were simulated (duplicates removed, order kept).
    per_step : ndarray of float
        ``per_step[t]``: mean number of users *newly* activated at step ``t``
        (``t = 0`` are the seeds); :attr:`per_step_cumulative` is the running total.
    activation_probability : ndarray of float
        Fraction of runs in which each user (aligned with ``node_ids``) ended active;
        1 for the seeds. It sums to ``mean``.
    node_ids : ndarray of str
    per_community : pandas.DataFrame or None
        With a partition: ``community, users, seeds, expected_reach, share`` (expected
        reach inside the community, and that divided by its size), sorted by
        expected reach (descending) then community.
    converged : bool or None
        With ``runs="auto"``: whether the 95% CI half-width reached the target
        (1% of the mean) before the run cap; None for a fixed number of runs.
    max_steps : int or None
        The step limit of the simulation (None = until the cascade stops).
    unknown_seeds : tuple of str
        Seeds not in the graph that were skipped (``missing="drop"``).

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("bob", "alice"), ("carol", "alice"), ("dan", "bob")])
    >>> est = gk.simulate(g, ["alice"], "ic", runs=2000, rng=1, prob="uniform:0.5")
    >>> round(est.mean, 1), est.ci_low < est.mean < est.ci_high
    (2.2, True)
    >>> est.top_reached(2).user.tolist()          # by probability, then id
    ['bob', 'carol']
    >>> sorted(est.to_dict())[:4]
    ['ci_high', 'ci_low', 'mean', 'model']
    """

    mean: float
    std: float
    ci_low: float
    ci_high: float
    runs: int
    model: str
    prob: str
    seeds: tuple
    per_step: np.ndarray
    activation_probability: np.ndarray
    node_ids: np.ndarray
    per_community: pd.DataFrame | None = None
    converged: bool | None = None
    max_steps: int | None = None
    unknown_seeds: tuple = ()

    @classmethod
    def from_counts(cls, reach, step_sum, act, *, node_ids, model, prob, seeds, per_community=None,
                    converged=None, max_steps=None, unknown_seeds=()) -> SpreadEstimate:
        """Summarise raw kernel output (per-run reach, per-step sums, activation counts)."""
        reach = np.asarray(reach)
        runs = int(reach.shape[0])
        mean = float(reach.mean())
        std = float(reach.std(ddof=1)) if runs > 1 else 0.0
        half = Z95 * std / math.sqrt(runs)
        per_step = np.asarray(step_sum, dtype=np.float64) / runs
        prob_act = np.asarray(act, dtype=np.float64) / runs
        per_step.flags.writeable = False
        prob_act.flags.writeable = False
        return cls(mean, std, mean - half, mean + half, runs, model, prob, tuple(seeds), per_step,
                   prob_act, node_ids, per_community, converged, max_steps, tuple(unknown_seeds))

    # ------------------------------------------------------------ derived
    @property
    def std_error(self) -> float:
        """Standard error of the mean, ``std / sqrt(runs)``."""
        return self.std / math.sqrt(self.runs)

    @property
    def half_width(self) -> float:
        """Half-width of the 95% confidence interval."""
        return (self.ci_high - self.ci_low) / 2

    @property
    def per_step_cumulative(self) -> np.ndarray:
        """Mean number of users active by the end of each step (seeds included)."""
        return np.cumsum(self.per_step)

    def __repr__(self) -> str:
        return (f"SpreadEstimate(mean={self.mean:.4g}, ci=[{self.ci_low:.4g}, {self.ci_high:.4g}], "
                f"runs={self.runs}, model={self.model!r}, prob={self.prob!r}, seeds={len(self.seeds)})")

    def _repr_html_(self) -> str:
        """Notebook display: reach, its 95% CI and the users most likely reached."""
        from .._display import summary_html

        return summary_html(self._html_title(), self._html_rows(),
                            tables=[("most likely reached (seeds left out)", self.top_reached(5))])

    def _html_title(self) -> str:
        return f"cascade simulation ({self.model.upper()}, {self.prob})"

    def _html_rows(self) -> list:
        shown = ", ".join(self.seeds[:5]) + (f" (+{len(self.seeds) - 5} more)"
                                              if len(self.seeds) > 5 else "")
        return [("seeds", f"{len(self.seeds):,}: {shown}"), ("runs", self.runs),
                ("expected reach (seeds included)", self.mean),
                ("95% confidence interval", f"{self.ci_low:,.4g} .. {self.ci_high:,.4g}"),
                ("std of one run", self.std)]

    def reached(self, include_seeds: bool = True) -> pd.DataFrame:
        """Every user with a non-zero activation probability: ``user, probability``.

        Sorted by probability (descending), then user id.
        """
        import pandas as pd

        p = self.activation_probability
        keep = p > 0
        if not include_seeds and self.seeds:
            seed_mask = np.isin(self.node_ids, np.asarray(self.seeds, dtype=object))
            keep &= ~seed_mask
        df = pd.DataFrame({"user": self.node_ids[keep], "probability": p[keep]})
        df = df.sort_values(["probability", "user"], ascending=[False, True], kind="mergesort")
        return df.reset_index(drop=True)

    def top_reached(self, k: int | None = 10, include_seeds: bool = False) -> pd.DataFrame:
        """The ``k`` users most likely to be reached: ``user, probability``.

        Seeds (probability 1) are left out unless ``include_seeds``. Sorted by
        probability (descending), then user id; ``k=None`` keeps all.
        """
        df = self.reached(include_seeds=include_seeds)
        return df if k is None else df.head(k).reset_index(drop=True)

    def to_dict(self, top: int | None = 10, full: bool = False) -> dict:
        """A JSON-ready summary.

        Keys: ``mean, ci_low, ci_high, std, runs, model, prob, seeds, per_step,
        top_reached`` (the ``top`` non-seed users most likely reached, as
        ``{"user", "probability"}`` rows), plus ``per_community`` when a partition was
        given. ``full=True`` adds ``per_step_cumulative``, ``converged``,
        ``max_steps``, ``unknown_seeds`` and ``reached`` (every user with a non-zero
        activation probability, seeds included).
        """
        out = {
            "mean": self.mean,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "std": self.std,
            "runs": self.runs,
            "model": self.model,
            "prob": self.prob,
            "seeds": list(self.seeds),
            "per_step": self.per_step.tolist(),
            "top_reached": self.top_reached(top).to_dict(orient="records"),
        }
        if self.per_community is not None:
            out["per_community"] = self.per_community.to_dict(orient="records")
        if full:
            out["per_step_cumulative"] = self.per_step_cumulative.tolist()
            out["converged"] = self.converged
            out["max_steps"] = self.max_steps
            out["unknown_seeds"] = list(self.unknown_seeds)
            out["reached"] = self.reached().to_dict(orient="records")
        return out
