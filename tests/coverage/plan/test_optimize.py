"""Planning models on instances solved by hand, against brute force, and against PySAL spopt's MCLP."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coverage._errors import CoverageError
from coverage.plan.optimize import (
    MaximalCovering,
    PlanningInputError,
    SetCovering,
    greedy_order,
)

# Six demand points, four candidates (rows: points, columns: candidates).
#   candidate 0 covers points {0, 1, 2}: 4 + 3 + 5 = 12
#   candidate 1 covers points {2, 3}:    5 + 2     = 7
#   candidate 2 covers points {3, 4, 5}: 2 + 6 + 1 = 9
#   candidate 3 covers points {1, 4}:    3 + 6     = 9
# Pairs: {0,2} covers everything (21); next best {0,3} = 18. Only {0,2} covers all points.
COVER = {0: [0, 1, 2], 1: [2, 3], 2: [3, 4, 5], 3: [1, 4]}
W = np.array([4.0, 3.0, 5.0, 2.0, 6.0, 1.0])


def _matrix(cover: dict[int, list[int]], m: int, n: int | None = None) -> sp.csr_matrix:
    n = len(cover) if n is None else n
    dense = np.zeros((m, n), dtype=bool)
    for j, rows in cover.items():
        dense[rows, j] = True
    return sp.csr_matrix(dense)


A = _matrix(COVER, 6)


# ------------------------------------------------------------------------------------ maximal covering


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_mclp_by_hand(solver: str) -> None:
    res = MaximalCovering.from_sparse(A, W, k=2).solve(solver=solver)
    assert res.selected.tolist() == [0, 2]
    assert res.marginal_gain.tolist() == [12.0, 9.0]
    assert res.covered_weight == 21.0 == res.objective
    assert res.covered.all()
    assert res.bound == pytest.approx(21.0)
    assert res.gap == pytest.approx(0.0, abs=1e-9)
    assert res.method == "milp optimal"
    assert res.cost == 2.0
    assert res.seconds >= res.greedy_seconds >= 0


def test_mclp_k1_and_greedy() -> None:
    res = MaximalCovering.from_sparse(A, W, k=1).solve()
    assert res.selected.tolist() == [0]
    assert res.covered_weight == 12.0
    assert res.covered.tolist() == [True, True, True, False, False, False]
    g = MaximalCovering.from_sparse(A, W, k=2).solve(solver="greedy")
    assert g.method == "greedy"
    assert g.covered_weight == 21.0  # greedy takes 0 (12), then 2 (9)
    assert g.bound == pytest.approx(21.0)


def test_mclp_budget() -> None:
    # candidate 0 costs 3, the rest 1: with a budget of 2 only pairs of the others fit: {1,3} = 16 is best
    res = MaximalCovering.from_sparse(A, W, k=2, costs=[3.0, 1.0, 1.0, 1.0], budget=2.0).solve()
    assert sorted(res.selected.tolist()) == [1, 3]
    assert res.covered_weight == 16.0
    assert res.cost <= 2.0


def test_mclp_colocation_tie_break() -> None:
    # candidates 0 and 1 cover the same points; 1 is a co-location (0.6) and must be preferred
    A2 = _matrix({0: [0, 1], 1: [0, 1], 2: [2]}, 3)
    w = np.array([5.0, 5.0, 1.0])
    for solver in ("cbc", "highs", "greedy"):
        res = MaximalCovering.from_sparse(A2, w, k=1, costs=[1.0, 0.6, 0.6]).solve(solver=solver)  # type: ignore[arg-type]
        assert res.selected.tolist() == [1], solver
        res = MaximalCovering.from_sparse(A2, w, k=2, costs=[0.6, 1.0, 1.0]).solve(solver=solver)  # type: ignore[arg-type]
        assert sorted(res.selected.tolist()) == [0, 2], solver
    # with the cheap one listed first and equal weights elsewhere: still the co-location
    A3 = _matrix({0: [0, 1, 2], 1: [3], 2: [0, 1, 2]}, 4)
    res = MaximalCovering.from_sparse(A3, [1, 1, 1, 1], k=2, costs=[1.0, 1.0, 0.6]).solve()
    assert sorted(res.selected.tolist()) == [1, 2]
    # the tie-break never trades covered weight: a costlier site covering one more person wins
    A4 = _matrix({0: [0, 1], 1: [0]}, 2)
    res = MaximalCovering.from_sparse(A4, [100, 1], k=1, costs=[1.0, 0.6]).solve()
    assert res.selected.tolist() == [0]


def test_mclp_uncoverable_and_zero_weight() -> None:
    # point 6 no candidate covers; weight 0 points are ignored
    A5 = _matrix(COVER, 8)
    w = np.r_[W, 50.0, 0.0]
    res = MaximalCovering.from_sparse(A5, w, k=2).solve()
    assert res.covered_weight == 21.0
    assert res.bound == pytest.approx(21.0)
    assert not res.covered[6]
    empty = MaximalCovering.from_sparse(A5, np.zeros(8), k=2).solve()
    assert empty.covered_weight == 0.0 and empty.gap == 0.0 and len(empty.selected) == 0


def test_accepts_any_sparse_format() -> None:
    for fmt in (sp.csc_matrix(A), sp.coo_matrix(A), sp.csr_array(A), sp.lil_matrix(A.astype(np.int8))):
        assert MaximalCovering.from_sparse(fmt, W, k=2).solve().covered_weight == 21.0


def test_greedy_order_ranks_by_marginal_gain() -> None:
    order, gain = greedy_order(A, W, np.array([3, 2, 0]))
    # 0 (12), then 2 adds points 3, 4, 5 (9), then 3 adds nothing
    assert order.tolist() == [0, 2, 3]
    assert gain.tolist() == [12.0, 9.0, 0.0]


# ---------------------------------------------------------------------------------------- set covering


@pytest.mark.parametrize("solver", ["cbc", "highs", "greedy"])
def test_set_cover_by_hand(solver: str) -> None:
    res = SetCovering.from_sparse(A, W).solve(solver=solver)  # type: ignore[arg-type]
    assert sorted(res.selected.tolist()) == [0, 2]
    assert res.cost == 2.0 == res.objective
    assert res.covered.all()
    assert res.bound <= res.cost + 1e-9
    assert res.gap >= 0
    assert not res.uncoverable.any()
    assert res.groups_covered is None and len(res.infeasible_groups) == 0


def test_set_cover_prefers_cheaper_combination() -> None:
    # {0, 2} costs 2.0; {1, 3} + ... cannot cover point 0. Make 0 expensive: {0,2} = 3.0 still the only cover
    res = SetCovering.from_sparse(A, W, costs=[2.0, 1.0, 1.0, 1.0]).solve()
    assert sorted(res.selected.tolist()) == [0, 2] and res.cost == 3.0
    # a dearer single site versus two cheap ones
    A6 = _matrix({0: [0, 1, 2], 1: [0, 1], 2: [2]}, 3)
    assert SetCovering.from_sparse(A6, [1, 1, 1], costs=[1.5, 0.6, 0.6]).solve().selected.tolist() == [1, 2]
    assert SetCovering.from_sparse(A6, [1, 1, 1], costs=[1.1, 0.6, 0.6]).solve().selected.tolist() == [0]


def test_set_cover_reports_uncoverable_points() -> None:
    A5 = _matrix(COVER, 8)
    res = SetCovering.from_sparse(A5, np.r_[W, 50.0, 0.0]).solve()
    assert res.uncoverable.tolist() == [False] * 6 + [True, False]
    assert res.cost == 2.0


def test_set_cover_groups() -> None:
    # hamlet 0: points 0, 1, 2; hamlet 1: points 3, 4, 5; hamlet 2: point 6, which no candidate covers
    A5 = _matrix(COVER, 7)
    w = np.r_[W, 5.0]
    g = np.array([0, 0, 0, 1, 1, 1, 2])
    costs = [1.0, 1.0, 0.6, 1.0]
    res = SetCovering.from_sparse(A5, w, costs=costs, groups=g, target=1.0, group_share=1.0).solve()
    assert sorted(res.selected.tolist()) == [0, 2]
    assert res.infeasible_groups.tolist() == [2]
    assert res.groups_covered is not None and res.groups_covered.tolist() == [True, True, False]
    assert res.n_groups_required == 2
    # half the reachable hamlets: the cheapest single hamlet is 1 (candidate 2, cost 0.6)
    half = SetCovering.from_sparse(A5, w, costs=costs, groups=g, target=0.5, group_share=1.0).solve()
    assert half.selected.tolist() == [2] and half.n_groups_required == 1
    # 95 % share: hamlet 1 needs 0.95 · 9 = 8.55 → points 3, 4, 5 (candidate 2) or 4 alone is not enough
    # hamlet 0 already 300 people covered by existing sites: covered at no cost; hamlet 1 still needs a site
    pre = SetCovering.from_sparse(
        A5, w, costs=costs, groups=g, target=1.0, group_share=0.95, group_existing=[300.0, 0.0, 0.0]
    ).solve()
    assert pre.selected.tolist() == [2]
    assert pre.groups_covered is not None and pre.groups_covered.tolist() == [True, True, False]
    # everything already covered: nothing to build
    done = SetCovering.from_sparse(
        A5, w, groups=g, target=1.0, group_share=0.95, group_existing=[1000.0, 1000.0, 1000.0]
    ).solve()
    assert len(done.selected) == 0 and done.cost == 0.0
    assert done.groups_covered is not None and done.groups_covered.all()


def test_set_cover_group_share_partial() -> None:
    # one hamlet, points of weight 90, 5, 5; candidate 0 covers the 90 + 5, candidate 1 the last 5 (cheaper)
    A7 = _matrix({0: [0, 1], 1: [2], 2: [0]}, 3)
    w = [90.0, 5.0, 5.0]
    g = [0, 0, 0]
    res = SetCovering.from_sparse(A7, w, groups=g, group_share=0.95, costs=[1.0, 0.6, 0.6]).solve()
    assert res.selected.tolist() == [0]  # 95 of 100 is enough
    res = SetCovering.from_sparse(A7, w, groups=g, group_share=0.96, costs=[1.0, 0.6, 0.6]).solve()
    assert sorted(res.selected.tolist()) == [0, 1]


# ------------------------------------------------------------------------------------------ spopt peer


def test_same_covered_weight_as_spopt() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spopt_locate = pytest.importorskip("spopt.locate")
        pulp = pytest.importorskip("pulp")
    rng = np.random.default_rng(3)
    m, n, k = 40, 12, 3
    dense = rng.random((m, n)) < 0.2
    w = rng.integers(1, 20, m).astype(float)
    # distance 1 where covered, 10 where not, service radius 5: spopt's coverage equals A
    dist = np.where(dense, 1.0, 10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = spopt_locate.MCLP.from_cost_matrix(dist, w, service_radius=5.0, p_facilities=k)
        model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    chosen = [j for j in range(n) if model.fac_vars[j].value() > 0.5]
    peer = float(w[dense[:, chosen].any(axis=1)].sum())
    ours = MaximalCovering.from_sparse(sp.csr_matrix(dense), w, k=k).solve()
    assert ours.covered_weight == pytest.approx(peer)
    assert ours.method == "milp optimal"


# ----------------------------------------------------------------------------------------- brute force


@st.composite
def instances(draw: st.DrawFn, max_n: int = 8) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, int]:
    m = draw(st.integers(1, 12))
    n = draw(st.integers(1, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    density = draw(st.sampled_from([0.15, 0.3, 0.5]))
    rng = np.random.default_rng(seed)
    dense = rng.random((m, n)) < density
    w = rng.integers(0, 20, m).astype(float)
    costs = np.where(rng.random(n) < 0.4, 0.6, 1.0)
    k = draw(st.integers(1, min(3, n)))
    return sp.csr_matrix(dense), w, costs, k


def _brute_mclp(dense: np.ndarray, w: np.ndarray, costs: np.ndarray, k: int) -> tuple[float, float]:
    """Best covered weight with at most k sites, and the least cost reaching it."""
    best = (-1.0, np.inf)
    n = dense.shape[1]
    for size in range(k + 1):
        for sub in itertools.combinations(range(n), size):
            val = float(w[dense[:, list(sub)].any(axis=1)].sum()) if sub else 0.0
            cost = float(costs[list(sub)].sum())
            if val > best[0] or (val == best[0] and cost < best[1] - 1e-9):
                best = (val, cost)
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_mclp_matches_brute_force(inst: tuple[sp.csr_matrix, np.ndarray, np.ndarray, int]) -> None:
    A_, w, costs, k = inst
    model = MaximalCovering.from_sparse(A_, w, k=k, costs=costs)
    greedy = model.solve(solver="greedy")
    exact = model.solve(mip_gap=0.0)
    best_w, best_c = _brute_mclp(A_.toarray(), w, costs, k)
    assert greedy.covered_weight <= exact.covered_weight + 1e-9
    assert exact.covered_weight <= exact.bound + 1e-6
    assert greedy.gap >= 0 and exact.gap >= 0
    assert exact.covered_weight == pytest.approx(best_w)
    assert exact.cost == pytest.approx(best_c)  # the tie-break picks the cheapest among the best
    assert exact.method == "milp optimal"
    assert len(exact.selected) <= k
    assert exact.marginal_gain.sum() == pytest.approx(exact.covered_weight)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_highs_agrees_with_cbc(inst: tuple[sp.csr_matrix, np.ndarray, np.ndarray, int]) -> None:
    A_, w, costs, k = inst
    model = MaximalCovering.from_sparse(A_, w, k=k, costs=costs)
    a = model.solve(solver="cbc", mip_gap=0.0)
    b = model.solve(solver="highs", mip_gap=0.0)
    assert a.covered_weight == pytest.approx(b.covered_weight)
    assert a.cost == pytest.approx(b.cost)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_set_cover_matches_brute_force(inst: tuple[sp.csr_matrix, np.ndarray, np.ndarray, int]) -> None:
    A_, w, costs, _ = inst
    dense = A_.toarray()
    need = (w > 0) & dense.any(axis=1)
    n = dense.shape[1]
    best = np.inf
    for size in range(n + 1):
        for sub in itertools.combinations(range(n), size):
            if dense[need][:, list(sub)].any(axis=1).all() if sub else not need.any():
                best = min(best, float(costs[list(sub)].sum()))
    res = SetCovering.from_sparse(A_, w, costs=costs).solve(mip_gap=0.0)
    greedy = SetCovering.from_sparse(A_, w, costs=costs).solve(solver="greedy")
    assert res.cost == pytest.approx(best)
    assert greedy.cost >= res.cost - 1e-9
    assert res.bound <= res.cost + 1e-9 and res.gap >= 0
    assert res.covered[need].all()
    assert res.uncoverable.tolist() == ((w > 0) & ~dense.any(axis=1)).tolist()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_n=6), st.sampled_from([0.3, 0.5, 1.0]), st.sampled_from([0.5, 0.95, 1.0]), st.data())
def test_group_cover_matches_brute_force(
    inst: tuple[sp.csr_matrix, np.ndarray, np.ndarray, int], target: float, share: float, data: st.DataObject
) -> None:
    A_, w, costs, _ = inst
    dense = A_.toarray()
    m, n = dense.shape
    g = np.asarray(data.draw(st.lists(st.integers(0, 2), min_size=m, max_size=m)))
    G = 3
    W = np.bincount(g, weights=w, minlength=G)
    reach = np.bincount(g, weights=w * dense.any(axis=1), minlength=G)
    present = W > 0
    feasible_g = present & (reach >= share * W - 1e-9)
    required = int(np.ceil(target * feasible_g.sum() - 1e-9))

    def n_covered(sub: tuple[int, ...]) -> int:
        cov = dense[:, list(sub)].any(axis=1) if sub else np.zeros(m, bool)
        got = np.bincount(g, weights=w * cov, minlength=G)
        return int(np.sum(present & (got >= share * W - 1e-9)))

    best = min(
        float(costs[list(sub)].sum())
        for size in range(n + 1)
        for sub in itertools.combinations(range(n), size)
        if n_covered(sub) >= required
    )
    model = SetCovering.from_sparse(
        A_, w, costs=costs, groups=g, target=target, group_share=share, group_existing=[0.0] * G
    )
    for solver in ("cbc", "highs"):
        res = model.solve(solver=solver, mip_gap=0.0)  # type: ignore[arg-type]
        assert res.cost == pytest.approx(best), solver
        assert res.n_groups_required == required
        assert res.infeasible_groups.tolist() == np.flatnonzero(present & ~feasible_g).tolist()
        assert res.groups_covered is not None and int(res.groups_covered.sum()) >= required
        assert res.bound <= res.cost + 1e-9
    greedy = model.solve(solver="greedy")
    assert greedy.cost >= best - 1e-9
    assert greedy.groups_covered is not None and int(greedy.groups_covered.sum()) >= required


# ---------------------------------------------------------------------------------------------- errors


def test_bad_inputs() -> None:
    with pytest.raises(PlanningInputError, match="larger than the number of candidates"):
        MaximalCovering.from_sparse(A, W, k=5)
    with pytest.raises(PlanningInputError, match="k must be at least 1"):
        MaximalCovering.from_sparse(A, W, k=0)
    with pytest.raises(PlanningInputError, match="k must be an integer"):
        MaximalCovering.from_sparse(A, W, k=1.5)  # type: ignore[arg-type]
    with pytest.raises(PlanningInputError, match="weights must be ≥ 0"):
        MaximalCovering.from_sparse(A, -W, k=2)
    with pytest.raises(PlanningInputError, match="costs must be > 0"):
        MaximalCovering.from_sparse(A, W, k=2, costs=[1.0, 0.0, 1.0, 1.0])
    with pytest.raises(PlanningInputError, match="costs must be a 1-D array of length 4"):
        MaximalCovering.from_sparse(A, W, k=2, costs=[1.0, 1.0])
    with pytest.raises(PlanningInputError, match="has 6 rows but there are 5 demand weights"):
        MaximalCovering.from_sparse(A, W[:5], k=2)
    with pytest.raises(PlanningInputError, match="must be finite"):
        MaximalCovering.from_sparse(A, np.r_[W[:5], np.nan], k=2)
    with pytest.raises(PlanningInputError, match=r"scipy\.sparse"):
        MaximalCovering.from_sparse(A.toarray(), W, k=2)  # type: ignore[arg-type]
    with pytest.raises(PlanningInputError, match="budget"):
        MaximalCovering.from_sparse(A, W, k=2, budget=-1.0)
    with pytest.raises(PlanningInputError, match="target must be in"):
        SetCovering.from_sparse(A, W, groups=[0] * 6, target=1.5)
    with pytest.raises(PlanningInputError, match="target must be in"):
        SetCovering.from_sparse(A, W, groups=[0] * 6, target=0.0)
    with pytest.raises(PlanningInputError, match="group_share"):
        SetCovering.from_sparse(A, W, groups=[0] * 6, group_share=0.0)
    with pytest.raises(PlanningInputError, match="groups must be a 1-D array of length 6"):
        SetCovering.from_sparse(A, W, groups=[0, 1])
    with pytest.raises(PlanningInputError, match="out of range"):
        SetCovering.from_sparse(A, W, groups=[0, 0, 0, 1, 1, 2], group_existing=[0.0, 0.0])
    with pytest.raises(PlanningInputError, match="unknown solver"):
        MaximalCovering.from_sparse(A, W, k=2).solve(solver="gurobi")  # type: ignore[arg-type]
    with pytest.raises(PlanningInputError, match="time_limit_s"):
        MaximalCovering.from_sparse(A, W, k=2).solve(time_limit_s=0)
    # the error family: CoverageError and ValueError both catch them
    with pytest.raises(CoverageError):
        MaximalCovering.from_sparse(A, W, k=9)
    with pytest.raises(ValueError, match="k = 9"):
        MaximalCovering.from_sparse(A, W, k=9)


def test_greedy_fallback_when_solver_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import coverage.plan.optimize as opt

    def broken(*args: object, **kwargs: object) -> tuple[None, str, bool]:
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(opt, "_solve_cbc", broken)
    res = MaximalCovering.from_sparse(A, W, k=2).solve()
    assert res.method == "greedy fallback"
    assert res.status.startswith("ERROR: RuntimeError")
    assert res.covered_weight == 21.0
    sc = SetCovering.from_sparse(A, W).solve()
    assert sc.method == "greedy fallback" and sc.cost == 2.0


def test_time_limited_result_not_called_optimal(monkeypatch: pytest.MonkeyPatch) -> None:
    import coverage.plan.optimize as opt

    # six points, one per pair of four candidates; k = 2 covers 5 at best, but the LP bound is 6 (x = 1/2 each)
    pairs = list(itertools.combinations(range(4), 2))
    A8 = _matrix({j: [t for t, p in enumerate(pairs) if j in p] for j in range(4)}, 6)
    proven = {"flag": False}

    def stopped(model: object, time_limit_s: float, mip_gap: float, hint: object) -> tuple[np.ndarray, str, bool]:
        x = np.zeros(len(model.c))  # type: ignore[attr-defined]
        x[[0, 1]] = 1.0
        return x, "OPTIMAL" if proven["flag"] else "FEASIBLE", proven["flag"]

    monkeypatch.setattr(opt, "_solve_cbc", stopped)
    res = MaximalCovering.from_sparse(A8, np.ones(6), k=2).solve()
    assert res.covered_weight == 5.0
    assert res.bound == pytest.approx(6.0)
    assert res.gap == pytest.approx(1 / 6)
    assert res.method == "milp time limit"  # our own gap is 17 %: not called optimal
    proven["flag"] = True
    assert MaximalCovering.from_sparse(A8, np.ones(6), k=2).solve().method == "milp optimal"


def test_the_milp_is_not_started_without_half_of_the_time_left(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from coverage.plan import optimize as opt

    A = _matrix({0: [0, 1], 1: [1, 2], 2: [3]}, 4)
    real_lp = opt._lp_value

    def slow_lp(model: object, c: np.ndarray, time_limit_s: float) -> float | None:
        time.sleep(0.8)  # the bound took 80 % of the 1 s limit
        return real_lp(model, c, time_limit_s)  # type: ignore[arg-type]

    def never(*args: object) -> None:
        raise AssertionError("the MILP was started")

    monkeypatch.setattr(opt, "_lp_value", slow_lp)
    monkeypatch.setattr(opt, "_solve_cbc", never)
    res = MaximalCovering.from_sparse(A, np.array([1.0, 5.0, 1.0, 2.0]), k=2).solve(time_limit_s=1.0)
    assert res.method == "greedy fallback" and res.status.startswith("NOT_STARTED")
    assert res.covered_weight == 8.0 and res.bound == pytest.approx(8.0) and res.gap == 0.0
