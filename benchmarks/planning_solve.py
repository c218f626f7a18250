"""Planning solvers: greedy vs MILP (CBC, HiGHS) on synthetic coverage instances, and spopt's MCLP as peer.

Run: ``python benchmarks/planning_solve.py`` (a few minutes). Options: ``--quick`` (small instances only),
``--time-limit S`` (MILP time limit, default 15 s), ``--no-spopt``.

Instances (seeded): demand points clustered in hamlets (``n_clusters`` Gaussian clusters, 400 m spread) or
spread uniformly (``n_clusters=None``), integer weights 1–39 people; candidates placed within ±3 km of a random
cluster centre, 30 % of them co-locations (cost 0.6, others 1.0); a candidate covers the demand points within
``radius_km``.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from coverage.plan.optimize import MaximalCovering, SetCovering


def make_instance(
    m: int = 50_000,
    n: int = 2_000,
    *,
    seed: int = 0,
    side_km: float = 60.0,
    n_clusters: int | None = 600,
    radius_km: float = 1.6,
    sigma_km: float = 0.4,
) -> tuple[sp.csc_matrix, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A seeded synthetic instance: coverage matrix A (m × n, CSC bool), weights, costs, groups, points, sites."""
    rng = np.random.default_rng(seed)
    if n_clusters is None:
        pts = rng.uniform(0, side_km, (m, 2))
        groups = (pts[:, 0] // 2).astype(np.int64) * int(side_km // 2 + 1) + (pts[:, 1] // 2).astype(np.int64)
        centres = rng.uniform(0, side_km, (max(n, 1), 2))
        cg = np.arange(n)
    else:
        centres = rng.uniform(0, side_km, (n_clusters, 2))
        sizes = rng.gamma(2.0, 1.0, n_clusters)
        groups = rng.choice(n_clusters, m, p=sizes / sizes.sum())
        pts = centres[groups] + rng.normal(0, sigma_km, (m, 2))
        cg = rng.integers(0, n_clusters, n)
    w = rng.integers(1, 40, m).astype(np.float64)
    sites = centres[cg] + rng.uniform(-3, 3, (n, 2))
    lists = cKDTree(pts).query_ball_point(sites, radius_km)
    cols = np.repeat(np.arange(n), [len(x) for x in lists])
    rows = np.concatenate([np.asarray(x, dtype=np.int64) for x in lists]) if n else np.zeros(0, np.int64)
    A = sp.csc_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(m, n))
    costs = np.where(rng.random(n) < 0.3, 0.6, 1.0)
    return A, w, costs, groups, pts, sites


def _row(cells: list[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def bench_mclp(label: str, inst: tuple, ks: list[int], time_limit: float, solvers: list[str]) -> None:
    A, w, costs = inst[0], inst[1], inst[2]
    per = np.diff(A.indptr)
    print(f"\n### {label}: {A.shape[0]:,} demand × {A.shape[1]:,} candidates, nnz {A.nnz:,}")
    lo, mid, hi = np.percentile(per, [5, 50, 95])
    print(f"points per candidate: median {mid:.0f}, 5–95 % {lo:.0f}–{hi:.0f}")
    print(
        _row(
            [
                "k",
                "greedy s",
                "greedy weight",
                "greedy gap",
                "solver",
                "solve s",
                "weight",
                "LP bound",
                "own gap",
                "method",
            ]
        )
    )
    print(_row(["---:"] * 4 + ["---"] + ["---:"] * 4 + ["---"]))
    for k in ks:
        model = MaximalCovering.from_sparse(A, w, k=k, costs=costs)
        g = model.solve(solver="greedy", time_limit_s=time_limit)
        tg = g.greedy_seconds
        for s in solvers:
            r = model.solve(solver=s, time_limit_s=time_limit)  # type: ignore[arg-type]
            print(
                _row(
                    [
                        k,
                        f"{tg:.2f}",
                        f"{g.covered_weight:,.0f}",
                        f"{g.gap:.2%}",
                        s,
                        f"{r.seconds:.1f}",
                        f"{r.covered_weight:,.0f}",
                        f"{r.bound:,.1f}",
                        f"{r.gap:.3%}",
                        r.method,
                    ]
                )
            )
            sys.stdout.flush()


def bench_setcover(label: str, inst: tuple, time_limit: float, solvers: list[str]) -> None:
    A, w, costs, groups = inst[0], inst[1], inst[2], inst[3]
    print(f"\n### {label}: set covering")
    print(_row(["mode", "solver", "solve s", "greedy cost", "cost", "LP bound", "own gap", "sites", "method"]))
    print(_row(["---", "---"] + ["---:"] * 6 + ["---"]))
    for mode, kw in (
        ("all coverable points", {}),
        ("90 % of hamlets at 95 %", {"groups": groups, "target": 0.9, "group_share": 0.95}),
    ):
        model = SetCovering.from_sparse(A, w, costs=costs, **kw)
        for s in solvers:
            r = model.solve(solver=s, time_limit_s=time_limit)  # type: ignore[arg-type]
            print(
                _row(
                    [
                        mode,
                        s,
                        f"{r.seconds:.1f}",
                        f"{r.greedy_objective:,.1f}",
                        f"{r.cost:,.1f}",
                        f"{r.bound:,.2f}",
                        f"{r.gap:.3%}",
                        len(r.selected),
                        r.method,
                    ]
                )
            )
            sys.stdout.flush()


def bench_spopt(inst: tuple, k: int, time_limit: float) -> None:
    """spopt's MCLP (PuLP + CBC, dense matrices) against ours on the same instance."""
    A, w, _costs, _groups, pts, sites = inst
    radius = 1.6
    print(f"\n### spopt peer: {A.shape[0]:,} × {A.shape[1]:,}, k = {k}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pulp
            from spopt.locate import MCLP
    except ImportError:
        print("spopt not installed: skipped")
        return
    t = time.perf_counter()
    dist = np.sqrt(((pts[:, None, :] - sites[None, :, :]) ** 2).sum(axis=2))
    t_dist = time.perf_counter() - t
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mclp = MCLP.from_cost_matrix(dist, w, radius, p_facilities=k)
        t_build = time.perf_counter() - t
        mclp = mclp.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit * 20))
    t_spopt = time.perf_counter() - t
    chosen = [j for j in range(A.shape[1]) if mclp.fac_vars[j].value() > 0.5]
    sp_weight = float(w[np.asarray(A[:, chosen].sum(axis=1)).ravel() > 0].sum())
    ours = MaximalCovering.from_sparse(A, w, k=k).solve(time_limit_s=time_limit)
    print(_row(["implementation", "time s", "covered weight"]))
    print(_row(["---", "---:", "---:"]))
    print(_row(["dense distance matrix (numpy, input to spopt)", f"{t_dist:.2f}", ""]))
    print(_row([f"spopt MCLP (build {t_build:.1f} s + PuLP/CBC solve)", f"{t_spopt:.1f}", f"{sp_weight:,.0f}"]))
    print(
        _row(
            [
                f"ours, MaximalCovering CBC ({ours.method}, gap {ours.gap:.3%})",
                f"{ours.seconds:.2f}",
                f"{ours.covered_weight:,.0f}",
            ]
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--time-limit", type=float, default=15.0)
    ap.add_argument("--no-spopt", action="store_true")
    ap.add_argument("--solvers", default="cbc,highs")
    args = ap.parse_args()
    solvers = args.solvers.split(",")
    print(f"python {platform.python_version()}, {platform.machine()}, time limit {args.time_limit:g} s")
    if args.quick:
        bench_mclp(
            "clustered small", make_instance(5_000, 300, n_clusters=60, side_km=20), [10, 30], args.time_limit, solvers
        )
        return
    t = time.perf_counter()
    big = make_instance()
    print(f"instance built in {time.perf_counter() - t:.2f} s")
    bench_mclp("clustered (hamlets)", big, [50, 150], args.time_limit, solvers)
    uni = make_instance(n_clusters=None, radius_km=1.5)
    bench_mclp("uniform random (hard)", uni, [150, 400], args.time_limit, solvers)
    bench_setcover("clustered (hamlets)", big, args.time_limit, solvers)
    if not args.no_spopt:
        bench_spopt(make_instance(5_000, 300, n_clusters=60, side_km=20), 30, args.time_limit)


if __name__ == "__main__":
    main()
