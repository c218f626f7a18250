"""Hamlet mobile coverage: the share of each hamlet's people and area a technology reaches.

Rule
----
A **pixel is covered** by a technology and operator when its best-server RSRP is at least the technology's
threshold (``rsrp_dbm``; default −110 dBm for 4G and 5G, ``coverage/data/assessment.toml``) and, when a
minimum is set (``min_throughput_mbps > 0``), its estimated throughput is at least that minimum. Pixels the
prediction did not reach (nodata) are not covered. The RSRP rasters give the level reached at 90 % of
locations (radio settings, ``shadowing.location_probability``), so "covered" already includes a fade margin.

"Mobile broadband" (technology ``"broadband"``) is the union of the configured technologies (4G or 5G): a
pixel has it when any of them covers it; its throughput is the best of theirs.

For each hamlet, technology and operator (and operator ``"any"``, the best of all):

* ``share_population_covered`` = people in covered pixels / people of the hamlet (people placed by
  :func:`coverage.assess.population.population_grid`);
* ``share_area_covered`` = covered pixels / pixels of the hamlet (pixel centre inside the hamlet);
* ``mean_throughput_mbps`` and ``p10_throughput_mbps``: the population-weighted mean and 10th percentile
  of the estimated downlink throughput over the hamlet's people, counting 0 Mbit/s where the pixel is not
  covered (a person without service gets nothing); the 10th percentile is the lowest throughput that at
  least 10 % of the people get at most (weighted inverse-CDF, no interpolation);
* ``covered`` = ``share_population_covered ≥ covered_share`` (default 0.95): **a hamlet is covered when at
  least 95 % of its people live in covered pixels**.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from coverage.assess.population import PopulationGrid

__all__ = ["BROADBAND", "COLUMNS", "covered_mask", "hamlet_mobile_coverage", "weighted_quantile_by_group"]

BROADBAND = "broadband"
"""Technology name of the union of the configured mobile-broadband technologies."""

COLUMNS: tuple[str, ...] = (
    "hamlet_id",
    "technology",
    "operator",
    "population",
    "population_covered",
    "share_population_covered",
    "share_area_covered",
    "mean_throughput_mbps",
    "p10_throughput_mbps",
    "covered",
    "throughput_pop_mbps",
)
"""Columns of :func:`hamlet_mobile_coverage`; ``throughput_pop_mbps`` is Σ people × throughput over the
covered pixels (person·Mbit/s), kept so that units can form population-weighted means of covered people."""

_TOL = 1e-9


def covered_mask(
    rsrp_dbm: np.ndarray, throughput_mbps: np.ndarray, *, rsrp_min_dbm: float, min_throughput_mbps: float = 0.0
) -> np.ndarray:
    """Whether each pixel is covered: RSRP ≥ ``rsrp_min_dbm`` and, if set, throughput ≥ the minimum.

    Nodata (NaN or the engine's −9999) is never covered.

    Examples
    --------
    >>> covered_mask(np.array([-100.0, -110.0, -111.0, -9999.0]), np.array([20.0, 1.0, 50.0, 0.0]),
    ...              rsrp_min_dbm=-110.0).tolist()
    [True, True, False, False]
    >>> covered_mask(np.array([-100.0, -100.0]), np.array([20.0, 1.0]), rsrp_min_dbm=-110.0,
    ...              min_throughput_mbps=5.0).tolist()
    [True, False]
    """
    rsrp = np.asarray(rsrp_dbm, dtype=np.float64)
    ok = np.isfinite(rsrp) & (rsrp > -9000.0) & (rsrp >= rsrp_min_dbm)
    if min_throughput_mbps > 0:
        thr = np.asarray(throughput_mbps, dtype=np.float64)
        ok &= np.isfinite(thr) & (thr >= min_throughput_mbps)
    return ok


def weighted_quantile_by_group(
    group: np.ndarray, values: np.ndarray, weights: np.ndarray, q: float, n_groups: int
) -> np.ndarray:
    """Weighted ``q`` quantile of ``values`` within each group (inverse CDF: smallest value whose cumulative
    weight reaches ``q`` of the group's total). Groups without positive weight give NaN.

    Examples
    --------
    >>> weighted_quantile_by_group(np.array([0, 0, 0, 1]), np.array([5.0, 1.0, 9.0, 3.0]),
    ...                            np.array([1.0, 1.0, 8.0, 2.0]), 0.1, 3).tolist()
    [1.0, 3.0, nan]
    """
    out = np.full(n_groups, np.nan)
    keep = weights > 0
    g, v, w = group[keep], values[keep], weights[keep]
    if not len(g):
        return out
    order = np.lexsort((v, g))
    g, v, w = g[order], v[order], w[order]
    cum = np.cumsum(w)
    start = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    total = np.add.reduceat(w, start)
    before = np.r_[0.0, cum][start]
    group_of = np.repeat(np.arange(len(start)), np.diff(np.r_[start, len(g)]))
    within = cum - before[group_of]
    reached = within >= q * total[group_of] * (1 - 1e-12)
    # first index in each group where the cumulative weight reaches q
    idx = np.flatnonzero(reached)
    first = idx[np.r_[True, group_of[idx][1:] != group_of[idx][:-1]]]
    out[g[first]] = v[first]
    return out


def hamlet_mobile_coverage(
    pop: PopulationGrid,
    rasters: Mapping[tuple[str, str], tuple[np.ndarray, np.ndarray]],
    thresholds: Mapping[str, Mapping[str, float]],
    *,
    covered_share: float = 0.95,
    broadband: Sequence[str] = ("4G", "5G"),
) -> pd.DataFrame:
    """Population and area coverage of every hamlet per technology and operator (rule in the module docs).

    Parameters
    ----------
    pop : PopulationGrid
        People and households on the grid.
    rasters : mapping of (technology, operator) to (rsrp_dbm, throughput_mbps)
        Arrays of shape (height, width) on ``pop.grid`` (the prediction rasters; nodata −9999).
    thresholds : mapping of technology to {"rsrp_dbm": float, "min_throughput_mbps": float}
        Coverage thresholds per technology (dBm, Mbit/s).
    covered_share : float
        Share of a hamlet's people that must be covered for the hamlet to count as covered (0–1).
    broadband : sequence of str
        Technologies whose union is "broadband"; a ``broadband`` row is added for every operator that has
        rasters of at least one of them.

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`, one row per (hamlet, technology, operator), technologies in the order of
        ``rasters`` then ``"broadband"``.
    """
    n = len(pop.hamlet_ids)
    flat_index = pop.index.ravel()
    in_hamlet = np.flatnonzero(flat_index >= 0)
    area_ham = flat_index[in_hamlet]
    n_pixels = np.bincount(area_ham, minlength=n).astype(np.float64)
    pop_total = np.bincount(pop.hamlet, weights=pop.population, minlength=n)

    def rows(tech: str, op: str, covered: np.ndarray, thr: np.ndarray) -> pd.DataFrame:
        cov_flat = covered.ravel()
        thr_flat = np.where(cov_flat, np.nan_to_num(thr.ravel(), nan=0.0), 0.0)
        thr_flat = np.clip(thr_flat, 0.0, None)
        cov_e = cov_flat[pop.pixel]
        thr_e = thr_flat[pop.pixel]
        pop_cov = np.bincount(pop.hamlet, weights=pop.population * cov_e, minlength=n)
        thr_pop = np.bincount(pop.hamlet, weights=pop.population * thr_e, minlength=n)
        area_cov = np.bincount(area_ham, weights=cov_flat[in_hamlet].astype(np.float64), minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            share_pop = np.where(pop_total > 0, pop_cov / pop_total, np.nan)
            share_area = np.where(n_pixels > 0, area_cov / n_pixels, np.nan)
            mean_thr = np.where(pop_total > 0, thr_pop / pop_total, np.nan)
        p10 = weighted_quantile_by_group(pop.hamlet, thr_e, pop.population, 0.10, n)
        return pd.DataFrame(
            {
                "hamlet_id": pop.hamlet_ids,
                "technology": tech,
                "operator": op,
                "population": pop_total,
                "population_covered": pop_cov,
                "share_population_covered": share_pop,
                "share_area_covered": share_area,
                "mean_throughput_mbps": mean_thr,
                "p10_throughput_mbps": p10,
                "covered": np.nan_to_num(share_pop, nan=0.0) >= covered_share - _TOL,
                "throughput_pop_mbps": thr_pop,
            }
        )

    frames = []
    union: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for (tech, op), (rsrp, thr) in rasters.items():
        limits = thresholds[tech]
        cov = covered_mask(
            rsrp, thr, rsrp_min_dbm=limits["rsrp_dbm"], min_throughput_mbps=limits.get("min_throughput_mbps", 0.0)
        )
        frames.append(rows(tech, op, cov, thr))
        if tech in broadband:
            best = np.where(cov, np.nan_to_num(thr, nan=0.0), 0.0)
            if op in union:
                c0, t0 = union[op]
                union[op] = (c0 | cov, np.maximum(t0, best))
            else:
                union[op] = (cov, best)
    for op, (cov, thr) in union.items():
        frames.append(rows(BROADBAND, op, cov, thr))
    out = pd.concat(frames, ignore_index=True)
    for col in ("hamlet_id", "technology", "operator"):
        out[col] = out[col].astype("string")
    return out[list(COLUMNS)]
