"""Site planning as coverage optimisation: maximal covering (MCLP) and set covering, spopt-style.

Inputs are arrays the radio engine has already reduced to a coverage relation:

* demand points ``i = 0..m-1`` with weights ``w_i ≥ 0`` (people not yet covered) and, for set covering by
  hamlet, group ids ``g_i`` (hamlet index ``0..G-1``);
* candidates ``j = 0..n-1`` with costs ``c_j > 0`` (e.g. new build 1.0, co-location 0.6);
* a sparse boolean coverage matrix ``A`` (``m × n``, any scipy.sparse format): ``A[i, j]`` is true when
  candidate ``j`` would cover demand point ``i``.

Existing sites count as already built: demand they already cover is simply left out of the demand set (or
given weight 0). For set covering by hamlet, ``group_existing`` carries the weight of each hamlet that is
already covered, so that "95 % of the hamlet's people" counts them.

Models
------
:class:`MaximalCovering` (MCLP)
    Choose at most ``k`` candidates (optionally also ``Σ c_j x_j ≤ budget``) to maximise the covered weight
    ``Σ w_i y_i`` with ``y_i ≤ Σ_j A_ij x_j``. Ties go to the cheaper selection: the solver maximises
    ``Σ w_i y_i − ε Σ c_j x_j`` with ``ε = 0.5 · δ / C_max`` where ``C_max`` is the largest cost a feasible
    selection can have (the ``k`` largest costs, capped by the budget) and ``δ`` is the weight resolution
    (1 when every weight is a whole number, i.e. people; otherwise ``weight_resolution``). The penalty of any
    selection is then below ``δ / 2``, so a selection covering ``δ`` more weight always wins and, among
    selections covering the same weight, the cheapest wins (co-location preferred when it covers as much).
:class:`SetCovering`
    Minimise ``Σ c_j x_j`` such that (a) every demand point with ``w > 0`` that some candidate can cover is
    covered, or (b) with ``groups``: at least ``ceil(target · G_reachable)`` groups reach "covered", a group
    being covered when ``existing_g + Σ_{i∈g} w_i y_i ≥ group_share · (existing_g + W_g)``. A group that no
    selection can cover (even all candidates together) is reported in ``infeasible_groups`` and does not
    count in ``G_reachable``; a group already covered by existing sites counts as covered at no cost.

Solving
-------
The MILP is built sparsely on a reduced demand set: points with zero weight or no covering candidate are
dropped, and points with the same set of covering candidates (and the same group) are merged, adding their
weights. A **greedy** solution is computed first (marginal covered weight, per cost for set covering, with
exact incremental sparse updates of every candidate's gain), passed to the solver as a hint and used as the
fallback when the solver fails or stops at its time limit without a better incumbent. The default solver is
COIN-OR CBC through OR-Tools (``solver="cbc"``), picked by measurement (``benchmarks/README.md``): on a
uniform random 50,000 × 2,000 instance with k = 400, CBC ended about 1 % from the LP bound at the time limit
where HiGHS (``solver="highs"``, :func:`scipy.optimize.milp`) did not beat the greedy start (2.8 % away); on
clustered instances both are fast. For set covering by group HiGHS did better and ``"auto"`` picks it.

Every result carries a bound computed here, not taken from the solver: the LP relaxation of the same model
(HiGHS through :func:`scipy.optimize.milp` without integrality), and ``gap`` against it. A result is called
``"milp optimal"`` only when the solver proved optimality within ``mip_gap`` or, after a time limit, when
our own gap is at most ``mip_gap``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypedDict

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from coverage._errors import CoverageError

if TYPE_CHECKING:
    # the base class of every scipy.sparse matrix and array: ``sp.spmatrix`` and ``sp.sparray`` are only mixins,
    # without ``ndim`` (and ``sparray`` without ``shape``), which ``sp.issparse`` cannot narrow to
    from scipy.sparse._base import _spbase

    _Sparse: TypeAlias = _spbase[Any, Any]

__all__ = [
    "METHODS",
    "SOLVERS",
    "CoveringResult",
    "MaximalCovering",
    "PlanningInputError",
    "SetCovering",
    "SetCoveringResult",
    "SolverUnavailableError",
    "greedy_order",
]

SOLVERS: tuple[str, ...] = ("auto", "cbc", "highs", "greedy")
"""Solver names accepted by ``solve``: ``"auto"`` (default: CBC, except HiGHS for set covering by group, each the
faster on the benchmark), OR-Tools CBC, scipy's HiGHS, or the greedy heuristic only."""

METHODS: tuple[str, ...] = ("milp optimal", "milp time limit", "greedy fallback", "greedy")
"""Values of ``method`` in a result."""

Solver = Literal["auto", "cbc", "highs", "greedy"]

_EPS = 1e-9


class PlanningInputError(CoverageError, ValueError):
    """An argument of a planning model is invalid (shape mismatch, negative weight, ``k`` too large ...)."""


class SolverUnavailableError(CoverageError, ImportError):
    """The requested MILP solver is not installed."""


# --------------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class CoveringResult:
    """Solution of a :class:`MaximalCovering` model.

    Attributes
    ----------
    selected : ndarray of int64
        Chosen candidate indices, ranked: each is the one adding most weight to those before it.
    marginal_gain : ndarray of float
        Weight each ``selected`` candidate adds to those ranked before it (sums to ``covered_weight``).
    covered : ndarray of bool
        Per demand point (length ``m``): covered by a selected candidate.
    covered_weight : float
        Σ weights of covered demand points.
    cost : float
        Σ costs of the selected candidates.
    objective : float
        The model's objective: covered weight (maximal covering) or cost (set covering).
    bound : float
        Bound on ``objective`` computed here (LP relaxation): an upper bound when maximising, a lower bound
        when minimising.
    gap : float
        Relative distance to the bound: ``(bound − objective) / bound`` when maximising,
        ``(objective − bound) / objective`` when minimising; 0 when both are 0. Never negative.
    seconds : float
        Wall time of ``solve`` (greedy, bound and MILP).
    method : str
        One of :data:`METHODS`.
    greedy_objective : float
        Objective of the greedy solution (the warm start).
    greedy_seconds : float
        Wall time of the reduction of the demand set and the greedy heuristic (part of ``seconds``).
    solver : str
        Solver asked for.
    status : str
        The solver's last word (``"OPTIMAL"``, ``"FEASIBLE"``, ``"NOT_SOLVED"``, an error message ...).
    """

    selected: np.ndarray
    marginal_gain: np.ndarray
    covered: np.ndarray
    covered_weight: float
    cost: float
    objective: float
    bound: float
    gap: float
    seconds: float
    method: str
    greedy_objective: float
    greedy_seconds: float
    solver: str
    status: str


@dataclass(frozen=True)
class SetCoveringResult(CoveringResult):
    """Solution of a :class:`SetCovering` model (fields of :class:`CoveringResult` plus the below).

    Attributes
    ----------
    uncoverable : ndarray of bool
        Per demand point: positive weight but no candidate covers it.
    groups_covered : ndarray of bool or None
        Per group (``0..G-1``, by group mode only): covered after the plan (existing weight included).
    infeasible_groups : ndarray of int64
        Groups (with positive weight) that no selection of candidates can cover; empty in point mode.
    n_groups_required : int
        ``ceil(target · G_reachable)`` in group mode; 0 in point mode.
    """

    uncoverable: np.ndarray
    groups_covered: np.ndarray | None
    infeasible_groups: np.ndarray
    n_groups_required: int


class _Extra(TypedDict):
    """Fields of a :class:`SetCoveringResult` fixed before the solve (``SetCovering._result``)."""

    uncoverable: np.ndarray
    infeasible_groups: np.ndarray


# ----------------------------------------------------------------------------------------- input checking


def _check_matrix(A: _Sparse, m: int | None, n: int | None) -> sp.csr_matrix:
    if not sp.issparse(A):
        raise PlanningInputError(f"coverage matrix must be a scipy.sparse matrix, got {type(A).__name__}")
    if A.ndim != 2:
        raise PlanningInputError(f"coverage matrix must be 2-D, got {A.ndim}-D")
    rows, cols = A.shape
    if m is not None and rows != m:
        raise PlanningInputError(f"coverage matrix has {rows} rows but there are {m} demand weights")
    if n is not None and cols != n:
        raise PlanningInputError(f"coverage matrix has {cols} columns but there are {n} candidate costs")
    out = sp.csr_matrix(A, dtype=bool)
    out.eliminate_zeros()
    out.sort_indices()
    return out


def _check_vector(name: str, values: object, length: int, *, positive: bool) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or len(arr) != length:
        raise PlanningInputError(f"{name} must be a 1-D array of length {length}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise PlanningInputError(f"{name} must be finite; {int(np.sum(~np.isfinite(arr)))} value(s) are not")
    if positive and np.any(arr <= 0):
        bad = np.flatnonzero(arr <= 0)
        raise PlanningInputError(f"{name} must be > 0; {len(bad)} value(s) are not (first at index {bad[0]})")
    if not positive and np.any(arr < 0):
        bad = np.flatnonzero(arr < 0)
        raise PlanningInputError(f"{name} must be ≥ 0; {len(bad)} value(s) are negative (first at index {bad[0]})")
    return arr


def _check_solver(solver: str) -> None:
    if solver not in SOLVERS:
        raise PlanningInputError(f"unknown solver {solver!r}; expected one of {', '.join(SOLVERS)}")


def _check_time(time_limit_s: float, mip_gap: float) -> None:
    if not (time_limit_s > 0 and math.isfinite(time_limit_s)):
        raise PlanningInputError(f"time_limit_s must be a positive number of seconds, got {time_limit_s}")
    if not (0 <= mip_gap < 1):
        raise PlanningInputError(f"mip_gap must be in [0, 1), got {mip_gap}")


# ------------------------------------------------------------------------------------------ reduction


@dataclass(frozen=True)
class _Reduced:
    """Demand points merged by (group, covering candidates): ``R`` (u × n CSR float), weights ``W``."""

    R: sp.csr_matrix
    W: np.ndarray
    group: np.ndarray  # group of each merged row (−1 without groups)


def _reduce(A: sp.csr_matrix, w: np.ndarray, keep: np.ndarray, groups: np.ndarray | None) -> _Reduced:
    rows = np.flatnonzero(keep)
    sub = A[rows]
    ind, ptr = sub.indices, sub.indptr
    g = groups[rows] if groups is not None else None
    if g is None:
        keys = [ind[ptr[t] : ptr[t + 1]].tobytes() for t in range(len(rows))]
    else:
        keys = [g[t].tobytes() + ind[ptr[t] : ptr[t + 1]].tobytes() for t in range(len(rows))]
    if not keys:
        n = A.shape[1]
        return _Reduced(sp.csr_matrix((0, n)), np.zeros(0), np.zeros(0, dtype=np.int64))
    key_arr = np.empty(len(keys), dtype=object)
    key_arr[:] = keys
    _, first, inv = np.unique(key_arr, return_index=True, return_inverse=True)
    W = np.bincount(inv.ravel(), weights=w[rows], minlength=len(first))
    R = sp.csr_matrix(sub[first], dtype=np.float64)
    grp = g[first].astype(np.int64) if g is not None else np.full(len(first), -1, dtype=np.int64)
    return _Reduced(R, W, grp)


# ------------------------------------------------------------------------------------------------ greedy


def _greedy(
    R: sp.csr_matrix,
    W: np.ndarray,
    costs: np.ndarray,
    *,
    k: int | None = None,
    budget: float | None = None,
    rule: Literal["gain", "ratio"] = "gain",
    penalty: float = 0.0,
    stop_when_all: bool = False,
) -> tuple[list[int], np.ndarray]:
    """Greedy selection on merged rows: gains of all candidates kept exact by sparse incremental updates.

    ``rule="gain"`` takes the largest ``gain − penalty · cost``; ``"ratio"`` the largest ``gain / cost``.
    Returns the selection (in order) and the boolean "covered" per merged row.
    """
    C = R.tocsc()
    gain = np.asarray(C.T @ W, dtype=np.float64).ravel()
    uncovered = np.ones(R.shape[0], dtype=bool)
    available = np.ones(R.shape[1], dtype=bool)
    spent = 0.0
    selected: list[int] = []
    limit = k if k is not None else R.shape[1]
    while len(selected) < limit:
        if budget is not None:
            available &= costs <= budget - spent + _EPS
        score = gain / costs if rule == "ratio" else gain - penalty * costs
        score = np.where(available & (gain > _EPS), score, -np.inf)
        j = int(np.argmax(score))
        if not np.isfinite(score[j]):
            break
        selected.append(j)
        available[j] = False
        spent += float(costs[j])
        new = C.indices[C.indptr[j] : C.indptr[j + 1]]
        new = new[uncovered[new]]
        uncovered[new] = False
        if len(new):
            gain -= np.asarray(R[new].T @ W[new]).ravel()
            gain[j] = 0.0
        if stop_when_all and not uncovered.any():
            break
    return selected, ~uncovered


def greedy_order(A: _Sparse, weights: np.ndarray, selected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rank a selection: repeatedly take the candidate adding most weight to those already taken.

    Parameters
    ----------
    A : sparse matrix, shape (m, n)
        Coverage matrix.
    weights : ndarray, shape (m,)
        Demand weights.
    selected : ndarray of int
        Candidate indices to rank.

    Returns
    -------
    order : ndarray of int64
        ``selected`` in rank order (ties: lower index first).
    marginal_gain : ndarray of float
        Weight each adds to those before it; it sums to the covered weight of the whole selection.

    Examples
    --------
    >>> A = sp.csr_matrix(np.array([[1, 0], [1, 1], [0, 1], [0, 1]], dtype=bool))
    >>> order, gain = greedy_order(A, np.array([1.0, 1.0, 1.0, 1.0]), np.array([0, 1]))
    >>> order.tolist(), gain.tolist()
    ([1, 0], [3.0, 1.0])
    """
    sel = np.asarray(selected, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float64)
    C = sp.csc_matrix(A, dtype=np.float64)[:, sel]
    gain = np.asarray(C.T @ w).ravel()
    uncovered = np.ones(C.shape[0], dtype=bool)
    left = np.ones(len(sel), dtype=bool)
    order: list[int] = []
    gains: list[float] = []
    for _ in range(len(sel)):
        score = np.where(left, gain, -np.inf)
        t = int(np.argmax(score))
        order.append(int(sel[t]))
        gains.append(float(gain[t]))
        left[t] = False
        rows = C.indices[C.indptr[t] : C.indptr[t + 1]]
        rows = rows[uncovered[rows]]
        uncovered[rows] = False
        if len(rows):
            gain -= np.asarray(C[rows].T @ w[rows]).ravel()
    return np.asarray(order, dtype=np.int64), np.asarray(gains, dtype=np.float64)


# -------------------------------------------------------------------------------------------------- MILP


@dataclass(frozen=True)
class _MILP:
    """``min c·v`` s.t. ``lo ≤ M v ≤ hi``, ``0 ≤ v ≤ 1``, ``v`` integer where ``integer``."""

    c: np.ndarray
    M: sp.csr_matrix
    lo: np.ndarray
    hi: np.ndarray
    integer: np.ndarray


def _lp_value(model: _MILP, c: np.ndarray, time_limit_s: float) -> float | None:
    """Optimal value of the LP relaxation of ``model`` with objective ``c``; None if not solved in time.

    HiGHS's interior-point method: on the whole sample province's P.1812 coverage matrix (62,976 merged demand rows,
    839,099 entries) it solved the best-k relaxation in 42-47 s, where the dual simplex had not finished after 90 s
    (measured 2026-12-08).
    """
    M = sp.csr_matrix(model.M)
    up, down = np.isfinite(model.hi), np.isfinite(model.lo)
    a_ub = sp.vstack([M[up], -M[down]]).tocsr()
    b_ub = np.concatenate([model.hi[up], -model.lo[down]])
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=(0.0, 1.0), method="highs-ipm", options={"time_limit": time_limit_s})
    if res.status != 0 or res.fun is None:
        return None
    return float(res.fun)


def _solve_highs(model: _MILP, time_limit_s: float, mip_gap: float) -> tuple[np.ndarray | None, str, bool]:
    res = milp(
        model.c,
        constraints=LinearConstraint(model.M, model.lo, model.hi),
        integrality=model.integer.astype(np.int64),
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": time_limit_s, "mip_rel_gap": mip_gap},
    )
    status = {0: "OPTIMAL", 1: "TIME_LIMIT", 2: "INFEASIBLE", 3: "UNBOUNDED", 4: "OTHER"}.get(res.status, "OTHER")
    return (None if res.x is None else np.asarray(res.x)), status, res.status == 0


def _solve_cbc(
    model: _MILP, time_limit_s: float, mip_gap: float, hint: np.ndarray | None
) -> tuple[np.ndarray | None, str, bool]:
    try:
        from ortools.linear_solver import pywraplp
    except ImportError as exc:  # pragma: no cover - ortools is a dependency
        raise SolverUnavailableError("solver 'cbc' needs OR-Tools: pip install ortools") from exc
    t_build = time.perf_counter()
    s = pywraplp.Solver.CreateSolver("CBC")
    if s is None:  # pragma: no cover - OR-Tools wheels ship CBC
        raise SolverUnavailableError("this OR-Tools build has no CBC solver")
    inf = s.infinity()
    nv = len(model.c)
    v = [s.BoolVar(f"v{t}") if model.integer[t] else s.NumVar(0.0, 1.0, f"v{t}") for t in range(nv)]
    M = model.M
    indptr, indices, data = M.indptr, M.indices.tolist(), M.data.tolist()
    for r in range(M.shape[0]):
        lo = model.lo[r] if np.isfinite(model.lo[r]) else -inf
        hi = model.hi[r] if np.isfinite(model.hi[r]) else inf
        ct = s.Constraint(float(lo), float(hi))
        for t in range(indptr[r], indptr[r + 1]):
            ct.SetCoefficient(v[indices[t]], data[t])
    obj = s.Objective()
    for j in np.flatnonzero(model.c):
        obj.SetCoefficient(v[j], float(model.c[j]))
    obj.SetMinimization()
    if hint is not None:
        idx = np.flatnonzero(model.integer)
        s.SetHint([v[t] for t in idx], [float(x) for x in hint[idx]])
    left = time_limit_s - (time.perf_counter() - t_build)  # building the model counts
    s.SetTimeLimit(max(1000, round(left * 1000)))
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, mip_gap)
    code = s.Solve(params)
    names = {
        pywraplp.Solver.OPTIMAL: "OPTIMAL",
        pywraplp.Solver.FEASIBLE: "FEASIBLE",
        pywraplp.Solver.INFEASIBLE: "INFEASIBLE",
        pywraplp.Solver.UNBOUNDED: "UNBOUNDED",
        pywraplp.Solver.ABNORMAL: "ABNORMAL",
        pywraplp.Solver.NOT_SOLVED: "NOT_SOLVED",
    }
    status = names.get(code, str(code))
    if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None, status, False
    x = np.array([var.solution_value() for var in v], dtype=np.float64)
    return x, status, code == pywraplp.Solver.OPTIMAL


MILP_MIN_SHARE = 0.5
"""The MILP starts only with at least this share of the time limit left after the greedy and the LP bound. CBC
checks its limit only between branch-and-bound nodes: on the whole sample province's P.1812 matrix (best 40 sites),
started with about a quarter of a 60 s limit left, it was still running more than five minutes later (2026-12-08).
Otherwise the answer is the greedy one, its gap measured against the LP bound (best 10 sites on that matrix: 0 %)."""


def _run_solver(
    solver: str, model: _MILP, t0: float, time_limit_s: float, mip_gap: float, hint: np.ndarray | None
) -> tuple[np.ndarray | None, str, bool]:
    """Run the MILP with what is left of ``time_limit_s`` since ``t0``; never raises for solver failures (they come
    back as status text)."""
    left = time_limit_s - (time.perf_counter() - t0)
    if left < MILP_MIN_SHARE * time_limit_s:
        return None, f"NOT_STARTED ({left:.1f} s of {time_limit_s:g} s left for the MILP)", False
    try:
        if solver == "cbc":
            return _solve_cbc(model, left, mip_gap, hint)
        return _solve_highs(model, left, mip_gap)
    except SolverUnavailableError:
        raise
    except Exception as exc:  # a solver crash falls back to greedy
        return None, f"ERROR: {type(exc).__name__}: {exc}", False


def _left(t0: float, time_limit_s: float) -> float:
    """Seconds left of ``time_limit_s`` since ``t0``, at least 1 s (a solver always gets a chance)."""
    return max(1.0, time_limit_s - (time.perf_counter() - t0))


def _gap(objective: float, bound: float, *, maximise: bool) -> float:
    if maximise:
        if bound <= _EPS:
            return 0.0
        return max(0.0, (bound - objective) / bound)
    if objective <= _EPS:
        return 0.0
    return max(0.0, (objective - bound) / objective)


def _method(proven: bool, gap: float, mip_gap: float) -> str:
    return "milp optimal" if proven or gap <= mip_gap + 1e-12 else "milp time limit"


# ---------------------------------------------------------------------------------------- maximal covering


class MaximalCovering:
    """Maximal covering location problem (MCLP) on a sparse coverage matrix.

    Build with :meth:`from_sparse`, then :meth:`solve`. See the module docs for the model and the tie-break.

    Examples
    --------
    >>> A = sp.csr_matrix(np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1]], dtype=bool))
    >>> res = MaximalCovering.from_sparse(A, [5, 1, 1, 3], k=2).solve()
    >>> res.selected.tolist(), res.covered_weight, res.method
    ([0, 2], 9.0, 'milp optimal')
    """

    def __init__(
        self,
        A: sp.csr_matrix,
        weights: np.ndarray,
        costs: np.ndarray,
        k: int,
        budget: float | None,
        weight_resolution: float,
        name: str,
    ) -> None:
        self.A = A
        self.weights = weights
        self.costs = costs
        self.k = k
        self.budget = budget
        self.weight_resolution = weight_resolution
        self.name = name
        self._greedy_s = 0.0  # set by solve (greedy_seconds of the last result)

    @classmethod
    def from_sparse(
        cls,
        A: _Sparse,
        weights: np.ndarray | list[float],
        *,
        k: int,
        costs: np.ndarray | list[float] | None = None,
        budget: float | None = None,
        weight_resolution: float | None = None,
        name: str = "mclp",
    ) -> MaximalCovering:
        """Build the model from a sparse coverage matrix.

        Parameters
        ----------
        A : sparse matrix, shape (m, n)
            ``A[i, j]`` true (non-zero) when candidate ``j`` would cover demand point ``i``.
        weights : array, shape (m,)
            Demand weights, ``≥ 0`` (people not yet covered).
        k : int
            Most candidates to choose, ``1 ≤ k ≤ n``.
        costs : array, shape (n,), optional
            Candidate costs, ``> 0`` (default 1 each); used for the tie-break and the budget.
        budget : float, optional
            Most total cost, ``> 0``.
        weight_resolution : float, optional
            Smallest covered-weight difference that must never be traded for a lower cost. Default: 1 when all
            weights are whole numbers, otherwise ``1e-6 ×`` the smallest positive weight.
        name : str
            Model name (for reports).

        Raises
        ------
        PlanningInputError
            Shape mismatch, negative weights, non-positive costs, ``k`` outside ``1..n``, bad budget.
        """
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim != 1:
            raise PlanningInputError(f"weights must be 1-D, got shape {w.shape}")
        mat = _check_matrix(A, len(w), None)
        n = mat.shape[1]
        w = _check_vector("weights", w, mat.shape[0], positive=False)
        c = np.ones(n) if costs is None else _check_vector("costs", costs, n, positive=True)
        if isinstance(k, bool) or not isinstance(k, int | np.integer):
            raise PlanningInputError(f"k must be an integer, got {k!r}")
        if k < 1:
            raise PlanningInputError(f"k must be at least 1, got {k}")
        if k > n:
            raise PlanningInputError(f"k = {k} is larger than the number of candidates ({n})")
        if budget is not None and not (budget > 0 and math.isfinite(budget)):
            raise PlanningInputError(f"budget must be a positive finite number, got {budget}")
        if weight_resolution is None:
            positive = w[w > 0]
            whole = not len(positive) or bool(np.all(w == np.round(w)))
            weight_resolution = 1.0 if whole else 1e-6 * float(positive.min())
        elif not weight_resolution > 0:
            raise PlanningInputError(f"weight_resolution must be > 0, got {weight_resolution}")
        return cls(mat, w, c, int(k), budget, float(weight_resolution), name)

    @property
    def penalty(self) -> float:
        """``ε``: cost penalty per unit cost in the solver's objective (module docs)."""
        c_max = float(np.sort(self.costs)[::-1][: self.k].sum())
        if self.budget is not None:
            c_max = min(c_max, self.budget)
        return 0.5 * self.weight_resolution / max(c_max, _EPS)

    def _greedy(self, red: _Reduced) -> list[int]:
        eps = self.penalty
        best, best_val = [], -np.inf
        rules: tuple[Literal["gain", "ratio"], ...] = ("gain",) if self.budget is None else ("gain", "ratio")
        for rule in rules:
            sel, cov = _greedy(red.R, red.W, self.costs, k=self.k, budget=self.budget, rule=rule, penalty=eps)
            val = float(red.W[cov].sum()) - eps * float(self.costs[sel].sum())
            if val > best_val + _EPS:
                best, best_val = sel, val
        return best

    def _model(self, red: _Reduced) -> _MILP:
        u, n = red.R.shape
        # variables: x (n, binary), y (u, continuous in [0, 1])
        c = np.concatenate([self.penalty * self.costs, -red.W])
        link = sp.hstack([-red.R, sp.identity(u, format="csr")], format="csr")  # y_i − Σ A_ij x_j ≤ 0
        rows = [link, sp.csr_matrix(np.concatenate([np.ones(n), np.zeros(u)])[None, :])]
        lo = [np.full(u, -np.inf), np.array([-np.inf])]
        hi = [np.zeros(u), np.array([float(self.k)])]
        if self.budget is not None:
            rows.append(sp.csr_matrix(np.concatenate([self.costs, np.zeros(u)])[None, :]))
            lo.append(np.array([-np.inf]))
            hi.append(np.array([float(self.budget)]))
        integer = np.concatenate([np.ones(n, dtype=bool), np.zeros(u, dtype=bool)])
        return _MILP(c, sp.vstack(rows, format="csr"), np.concatenate(lo), np.concatenate(hi), integer)

    def solve(self, *, time_limit_s: float = 15.0, solver: Solver = "auto", mip_gap: float = 1e-4) -> CoveringResult:
        """Solve: greedy, LP bound, then the MILP warm-started from greedy.

        Parameters
        ----------
        time_limit_s : float
            Wall-time limit of the whole solve: reduction, greedy, LP bound and MILP share it (the MILP gets
            what is left, at least 1 s; building the solver's model and ranking the result come on top).
        solver : {"auto", "cbc", "highs", "greedy"}
            MILP solver (:data:`SOLVERS`); ``"greedy"`` skips the MILP.
        mip_gap : float
            Relative optimality tolerance passed to the solver and used to call a time-limited result optimal.

        Returns
        -------
        CoveringResult
        """
        _check_solver(solver)
        _check_time(time_limit_s, mip_gap)
        solver = "cbc" if solver == "auto" else solver
        t0 = time.perf_counter()
        A, w = self.A, self.weights
        keep = (w > 0) & (A.getnnz(axis=1) > 0)
        red = _reduce(A, w, keep, None)
        n = A.shape[1]
        greedy_sel = _swap_improve(red, self.costs, self._greedy(red), self.budget, self.penalty)
        greedy_cov = _covered_rows(red.R, greedy_sel)
        greedy_val = float(red.W[greedy_cov].sum())
        self._greedy_s = time.perf_counter() - t0
        if red.R.shape[0] == 0:
            return self._result([], 0.0, "milp optimal", 0.0, solver, "EMPTY", t0)
        model = self._model(red)
        if solver == "greedy":
            lp = _lp_value(model, np.concatenate([np.zeros(n), -red.W]), _left(t0, time_limit_s))
            bound = self._bound(red, lp)
            return self._result(greedy_sel, bound, "greedy", greedy_val, solver, "GREEDY", t0)
        hint = np.concatenate([np.zeros(n), greedy_cov.astype(np.float64)])
        hint[greedy_sel] = 1.0
        lp = _lp_value(model, np.concatenate([np.zeros(n), -red.W]), _left(t0, time_limit_s))
        bound = self._bound(red, lp)
        x, status, proven = _run_solver(solver, model, t0, time_limit_s, mip_gap, hint)
        sel = [] if x is None else np.flatnonzero(x[:n] > 0.5).tolist()
        if x is not None and (
            len(sel) > self.k or (self.budget is not None and self.costs[sel].sum() > self.budget + 1e-6)
        ):
            x = None  # infeasible answer (tolerance trouble): do not trust it
        if x is None:
            return self._result(greedy_sel, bound, "greedy fallback", greedy_val, solver, status, t0)
        eps = self.penalty
        sel = _swap_improve(red, self.costs, sel, self.budget, eps)
        val = float(red.W[_covered_rows(red.R, sel)].sum())
        if val - eps * self.costs[sel].sum() < greedy_val - eps * self.costs[greedy_sel].sum() - _EPS:
            return self._result(greedy_sel, bound, "greedy fallback", greedy_val, solver, status, t0)
        gap = _gap(val, bound, maximise=True)
        return self._result(sel, bound, _method(proven, gap, mip_gap), greedy_val, solver, status, t0)

    def _bound(self, red: _Reduced, lp: float | None) -> float:
        if lp is not None:
            return -lp
        # trivial bound: all coverable weight, or the k largest single-candidate weights
        single = np.sort(np.asarray(red.R.T @ red.W).ravel())[::-1][: self.k].sum()
        return float(min(red.W.sum(), single))

    def _result(
        self, sel: list[int], bound: float, method: str, greedy_val: float, solver: str, status: str, t0: float
    ) -> CoveringResult:
        order, gains = greedy_order(self.A, self.weights, np.asarray(sel, dtype=np.int64))
        covered = _covered_points(self.A, order)
        covered_weight = float(self.weights[covered].sum())
        bound = max(bound, covered_weight)  # guards against LP round-off only; the LP value is a valid bound
        gap = _gap(covered_weight, bound, maximise=True)
        return CoveringResult(
            selected=order,
            marginal_gain=gains,
            covered=covered,
            covered_weight=covered_weight,
            cost=float(self.costs[order].sum()),
            objective=covered_weight,
            bound=float(bound),
            gap=gap,
            seconds=time.perf_counter() - t0,
            method=method,
            greedy_objective=greedy_val,
            greedy_seconds=self._greedy_s,
            solver=solver,
            status=status,
        )


def _swap_improve(
    red: _Reduced, costs: np.ndarray, sel: list[int], budget: float | None, eps: float, max_swaps: int | None = None
) -> list[int]:
    """1-swap local search on ``Σ W y − ε Σ c x``: replace a selected candidate by an unselected one while that
    strictly improves (more weight, or the same weight for less cost, e.g. a co-location instead of a new build).
    """
    if not sel:
        return sel
    R, W = red.R, red.W
    C = R.tocsc()
    sel = list(sel)
    n = R.shape[1]
    tol = 1e-12 * max(1.0, float(W.sum()))
    count = np.asarray(C[:, sel].sum(axis=1)).ravel()
    limit = max_swaps if max_swaps is not None else 10 * len(sel) + 10
    swaps = 0
    improved = True
    while improved and swaps < limit:
        improved = False
        chosen = np.zeros(n, dtype=bool)
        chosen[sel] = True
        spent = float(costs[sel].sum())
        for t, j in enumerate(sel):
            rows = C.indices[C.indptr[j] : C.indptr[j + 1]]
            lost = rows[count[rows] == 1]
            loss = float(W[lost].sum())
            free = np.where(count == 0, W, 0.0)
            free[lost] = W[lost]
            gain = np.asarray(C.T @ free).ravel()
            delta = gain - loss - eps * (costs - costs[j])
            ok = ~chosen
            if budget is not None:
                ok &= spent - costs[j] + costs <= budget + _EPS
            delta = np.where(ok, delta, -np.inf)
            best = int(np.argmax(delta))
            if delta[best] > tol:
                count[rows] -= 1
                new_rows = C.indices[C.indptr[best] : C.indptr[best + 1]]
                count[new_rows] += 1
                sel[t] = best
                swaps += 1
                improved = True
                break
    return sel


def _covered_rows(R: sp.csr_matrix, sel: list[int] | np.ndarray) -> np.ndarray:
    if len(sel) == 0:
        return np.zeros(R.shape[0], dtype=bool)
    return np.asarray(R.tocsc()[:, np.asarray(sel, dtype=np.int64)].sum(axis=1)).ravel() > 0


def _covered_points(A: sp.csr_matrix, sel: np.ndarray) -> np.ndarray:
    if len(sel) == 0:
        return np.zeros(A.shape[0], dtype=bool)
    return np.asarray(A.tocsc()[:, sel].sum(axis=1)).ravel() > 0


# -------------------------------------------------------------------------------------------- set covering


class SetCovering:
    """Least-cost set of candidates covering all coverable demand, or a target share of groups (hamlets).

    Build with :meth:`from_sparse`, then :meth:`solve`. See the module docs for the model.

    Examples
    --------
    >>> A = sp.csr_matrix(np.array([[1, 0, 1], [0, 1, 1], [0, 0, 0]], dtype=bool))
    >>> res = SetCovering.from_sparse(A, [1, 1, 1], costs=[1.0, 1.0, 1.5]).solve()
    >>> res.selected.tolist(), res.cost, res.uncoverable.tolist()
    ([2], 1.5, [False, False, True])
    """

    def __init__(
        self,
        A: sp.csr_matrix,
        weights: np.ndarray,
        costs: np.ndarray,
        groups: np.ndarray | None,
        n_groups: int,
        group_existing: np.ndarray,
        target: float,
        group_share: float,
        name: str,
    ) -> None:
        self.A = A
        self.weights = weights
        self.costs = costs
        self.groups = groups
        self.n_groups = n_groups
        self.group_existing = group_existing
        self.target = target
        self.group_share = group_share
        self.name = name
        self._greedy_s = 0.0  # set by solve (greedy_seconds of the last result)

    @classmethod
    def from_sparse(
        cls,
        A: _Sparse,
        weights: np.ndarray | list[float],
        *,
        costs: np.ndarray | list[float] | None = None,
        groups: np.ndarray | list[int] | None = None,
        target: float = 1.0,
        group_share: float = 0.95,
        group_existing: np.ndarray | list[float] | None = None,
        name: str = "lscp",
    ) -> SetCovering:
        """Build the model from a sparse coverage matrix.

        Parameters
        ----------
        A : sparse matrix, shape (m, n)
            ``A[i, j]`` true (non-zero) when candidate ``j`` would cover demand point ``i``.
        weights : array, shape (m,)
            Demand weights, ``≥ 0``; points with weight 0 need no cover.
        costs : array, shape (n,), optional
            Candidate costs, ``> 0`` (default 1 each).
        groups : array of int, shape (m,), optional
            Group (hamlet) index ``0..G-1`` of each demand point; switches to group mode.
        target : float
            Group mode: share ``(0, 1]`` of the reachable groups that must end up covered.
        group_share : float
            Group mode: share ``(0, 1]`` of a group's weight that makes it covered.
        group_existing : array, shape (G,), optional
            Group mode: weight of each group already covered by existing sites (default 0). Its length sets
            ``G``; without it ``G = max(groups) + 1``.
        name : str
            Model name (for reports).

        Raises
        ------
        PlanningInputError
            Shape mismatch, negative weights, non-positive costs, ``target`` or ``group_share`` outside
            ``(0, 1]``, group ids outside ``0..G-1``.
        """
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim != 1:
            raise PlanningInputError(f"weights must be 1-D, got shape {w.shape}")
        mat = _check_matrix(A, len(w), None)
        m, n = mat.shape
        w = _check_vector("weights", w, m, positive=False)
        c = np.ones(n) if costs is None else _check_vector("costs", costs, n, positive=True)
        if not (0 < target <= 1):
            raise PlanningInputError(f"target must be in (0, 1], got {target}")
        if not (0 < group_share <= 1):
            raise PlanningInputError(f"group_share must be in (0, 1], got {group_share}")
        g_arr: np.ndarray | None = None
        n_groups = 0
        existing = np.zeros(0)
        if groups is not None:
            g_raw = np.asarray(groups)
            if g_raw.ndim != 1 or len(g_raw) != m:
                raise PlanningInputError(f"groups must be a 1-D array of length {m}, got shape {g_raw.shape}")
            if m and not np.issubdtype(g_raw.dtype, np.integer):
                raise PlanningInputError(f"groups must be integer group indices, got dtype {g_raw.dtype}")
            g_arr = g_raw.astype(np.int64)
            if m and g_arr.min() < 0:
                raise PlanningInputError("groups must be ≥ 0 (group indices 0..G-1)")
            if group_existing is not None:
                existing = np.asarray(group_existing, dtype=np.float64)
                if existing.ndim != 1:
                    raise PlanningInputError(f"group_existing must be 1-D, got shape {existing.shape}")
                n_groups = len(existing)
                existing = _check_vector("group_existing", existing, n_groups, positive=False)
                if m and g_arr.max() >= n_groups:
                    raise PlanningInputError(
                        f"group index {int(g_arr.max())} out of range for {n_groups} groups (group_existing length)"
                    )
            else:
                n_groups = int(g_arr.max()) + 1 if m else 0
                existing = np.zeros(n_groups)
        elif group_existing is not None:
            raise PlanningInputError("group_existing needs groups")
        return cls(mat, w, c, g_arr, n_groups, existing, float(target), float(group_share), name)

    def solve(self, *, time_limit_s: float = 15.0, solver: Solver = "auto", mip_gap: float = 1e-4) -> SetCoveringResult:
        """Solve: greedy (cost-effectiveness, then redundant sites dropped), LP bound, then the MILP.

        Parameters
        ----------
        time_limit_s : float
            Wall-time limit of the whole solve: reduction, greedy, LP bound and MILP share it (the MILP gets
            what is left, at least 1 s; building the solver's model and ranking the result come on top).
        solver : {"auto", "cbc", "highs", "greedy"}
            MILP solver (:data:`SOLVERS`); ``"greedy"`` skips the MILP.
        mip_gap : float
            Relative optimality tolerance passed to the solver and used to call a time-limited result optimal.

        Returns
        -------
        SetCoveringResult
        """
        _check_solver(solver)
        _check_time(time_limit_s, mip_gap)
        t0 = time.perf_counter()
        if self.groups is None:
            return self._solve_points(t0, time_limit_s, "cbc" if solver == "auto" else solver, mip_gap)
        return self._solve_groups(t0, time_limit_s, "highs" if solver == "auto" else solver, mip_gap)

    # ---- point mode

    def _solve_points(self, t0: float, time_limit_s: float, solver: str, mip_gap: float) -> SetCoveringResult:
        A, w, c = self.A, self.weights, self.costs
        n = A.shape[1]
        reach = A.getnnz(axis=1) > 0
        uncoverable = (w > 0) & ~reach
        red = _reduce(A, np.ones(len(w)), (w > 0) & reach, None)
        u = red.R.shape[0]

        def feasible(sel: list[int]) -> bool:
            return bool(_covered_rows(red.R, sel).all())

        g_sel, _ = _greedy(red.R, np.ones(u), c, rule="ratio", stop_when_all=True)
        g_sel = _prune(g_sel, c, feasible)
        g_cost = float(c[g_sel].sum())
        self._greedy_s = time.perf_counter() - t0
        extra: _Extra = {"uncoverable": uncoverable, "infeasible_groups": np.zeros(0, np.int64)}
        if u == 0:
            return self._result([], 0.0, "milp optimal", 0.0, solver, "EMPTY", t0, 0, extra)
        model = _MILP(c.copy(), red.R.tocsr(), np.ones(u), np.full(u, np.inf), np.ones(n, dtype=bool))
        lp = _lp_value(model, model.c, _left(t0, time_limit_s))
        bound = lp if lp is not None else 0.0
        if solver == "greedy":
            return self._result(g_sel, bound, "greedy", g_cost, solver, "GREEDY", t0, 0, extra)
        hint = np.zeros(n)
        hint[g_sel] = 1.0
        x, status, proven = _run_solver(solver, model, t0, time_limit_s, mip_gap, hint)
        sel = [] if x is None else np.flatnonzero(x > 0.5).tolist()
        if x is None or not feasible(sel) or c[sel].sum() > g_cost + _EPS:
            return self._result(g_sel, bound, "greedy fallback", g_cost, solver, status, t0, 0, extra)
        gap = _gap(float(c[sel].sum()), bound, maximise=False)
        return self._result(sel, bound, _method(proven, gap, mip_gap), g_cost, solver, status, t0, 0, extra)

    # ---- group mode

    def _group_setup(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
        """Per group: need (weight still to cover), reachable weight, flags pre-covered / infeasible; required count."""
        G = self.n_groups
        assert self.groups is not None
        w, g = self.weights, self.groups
        W = np.bincount(g, weights=w, minlength=G)
        E = self.group_existing
        total = W + E
        need = self.group_share * total - E
        reach = self.A.getnnz(axis=1) > 0
        reachable_w = np.bincount(g, weights=np.where(reach, w, 0.0), minlength=G)
        present = total > 0
        tol = 1e-9 * np.maximum(total, 1.0)
        pre = present & (need <= tol)
        infeasible = present & ~pre & (reachable_w < need - tol)
        n_reachable = int(np.sum(present & ~infeasible))
        required = math.ceil(self.target * n_reachable - 1e-9)
        return need, pre, infeasible, present, required

    def _solve_groups(self, t0: float, time_limit_s: float, solver: str, mip_gap: float) -> SetCoveringResult:
        A, w, c = self.A, self.weights, self.costs
        assert self.groups is not None
        g = self.groups
        n = A.shape[1]
        need, pre, infeasible, present, required = self._group_setup()
        active = present & ~pre & ~infeasible  # groups that may still be covered
        still = max(0, required - int(pre.sum()))
        reach = A.getnnz(axis=1) > 0
        uncoverable = (w > 0) & ~reach
        extra: _Extra = {"uncoverable": uncoverable, "infeasible_groups": np.flatnonzero(infeasible)}
        keep = (w > 0) & reach & active[g]
        red = _reduce(A, w, keep, g)
        u = red.R.shape[0]
        act_ids = np.flatnonzero(active)
        pos = np.full(self.n_groups, -1)
        pos[act_ids] = np.arange(len(act_ids))
        Ga = len(act_ids)

        def groups_done(sel: list[int]) -> int:
            cov = _covered_rows(red.R, sel)
            got = np.bincount(pos[red.group], weights=red.W * cov, minlength=Ga)
            return int(np.sum(got >= need[act_ids] - 1e-9 * np.maximum(need[act_ids], 1.0)))

        def feasible(sel: list[int]) -> bool:
            return groups_done(sel) >= still

        if still == 0 or u == 0:
            return self._result([], 0.0, "milp optimal", 0.0, solver, "EMPTY", t0, required, extra)
        g_sel = _prune(_group_greedy(red, pos, need[act_ids], c, still), c, feasible)
        g_cost = float(c[g_sel].sum())
        self._greedy_s = time.perf_counter() - t0
        # variables: x (n, binary), y (u, [0, 1]), z (Ga, binary)
        link = sp.hstack([-red.R, sp.identity(u, format="csr"), sp.csr_matrix((u, Ga))], format="csr")
        member = sp.csr_matrix((red.W, (pos[red.group], np.arange(u))), shape=(Ga, u))
        share = sp.hstack([sp.csr_matrix((Ga, n)), member, -sp.diags(need[act_ids], format="csr")], format="csr")
        count = sp.csr_matrix(np.concatenate([np.zeros(n + u), np.ones(Ga)])[None, :])
        M = sp.vstack([link, share, count], format="csr")
        lo = np.concatenate([np.full(u, -np.inf), np.zeros(Ga), [float(still)]])
        hi = np.concatenate([np.zeros(u), np.full(Ga, np.inf), [np.inf]])
        integer = np.concatenate([np.ones(n, bool), np.zeros(u, bool), np.ones(Ga, bool)])
        model = _MILP(np.concatenate([c, np.zeros(u + Ga)]), M, lo, hi, integer)
        lp = _lp_value(model, model.c, _left(t0, time_limit_s))
        bound = lp if lp is not None else 0.0
        if solver == "greedy":
            return self._result(g_sel, bound, "greedy", g_cost, solver, "GREEDY", t0, required, extra)
        cov = _covered_rows(red.R, g_sel)
        got = np.bincount(pos[red.group], weights=red.W * cov, minlength=Ga)
        hint = np.concatenate([np.zeros(n), cov.astype(float), (got >= need[act_ids] - 1e-9).astype(float)])
        hint[g_sel] = 1.0
        x, status, proven = _run_solver(solver, model, t0, time_limit_s, mip_gap, hint)
        sel = [] if x is None else np.flatnonzero(x[:n] > 0.5).tolist()
        if x is None or not feasible(sel) or c[sel].sum() > g_cost + _EPS:
            return self._result(g_sel, bound, "greedy fallback", g_cost, solver, status, t0, required, extra)
        gap = _gap(float(c[sel].sum()), bound, maximise=False)
        return self._result(sel, bound, _method(proven, gap, mip_gap), g_cost, solver, status, t0, required, extra)

    def _result(
        self,
        sel: list[int],
        bound: float,
        method: str,
        greedy_val: float,
        solver: str,
        status: str,
        t0: float,
        required: int,
        extra: _Extra,
    ) -> SetCoveringResult:
        order, gains = greedy_order(self.A, self.weights, np.asarray(sel, dtype=np.int64))
        covered = _covered_points(self.A, order)
        cost = float(self.costs[order].sum())
        groups_covered = None
        if self.groups is not None:
            got = np.bincount(self.groups, weights=self.weights * covered, minlength=self.n_groups)
            W = np.bincount(self.groups, weights=self.weights, minlength=self.n_groups)
            total = W + self.group_existing
            lhs = self.group_existing + got
            groups_covered = (total > 0) & (lhs >= self.group_share * total - 1e-9 * np.maximum(total, 1.0))
        bound = min(bound, cost)
        return SetCoveringResult(
            selected=order,
            marginal_gain=gains,
            covered=covered,
            covered_weight=float(self.weights[covered].sum()),
            cost=cost,
            objective=cost,
            bound=float(bound),
            gap=_gap(cost, bound, maximise=False),
            seconds=time.perf_counter() - t0,
            method=method,
            greedy_objective=greedy_val,
            greedy_seconds=self._greedy_s,
            solver=solver,
            status=status,
            uncoverable=extra["uncoverable"],
            groups_covered=groups_covered,
            infeasible_groups=extra["infeasible_groups"],
            n_groups_required=required,
        )


def _prune(sel: list[int], costs: np.ndarray, feasible: Callable[[list[int]], bool]) -> list[int]:
    """Drop selected candidates, most expensive first (then latest), while the selection stays feasible."""
    keep = list(sel)
    order = sorted(range(len(sel)), key=lambda t: (-costs[sel[t]], -t))
    for t in order:
        j = sel[t]
        trial = [x for x in keep if x != j]
        if feasible(trial):
            keep = trial
    return keep


def _group_greedy(red: _Reduced, pos: np.ndarray, need: np.ndarray, costs: np.ndarray, still: int) -> list[int]:
    """Greedy for group covering: gain of a candidate = Σ over unfinished groups of min(its new weight there,
    the weight the group still needs); take the largest gain per cost until ``still`` groups are done."""
    R = red.R
    C = R.tocsc()
    u, n = R.shape
    Ga = len(need)
    gidx = pos[red.group]
    # B[j, g] = weight of uncovered rows of group g that candidate j covers
    onehot = sp.csr_matrix((red.W, (np.arange(u), gidx)), shape=(u, Ga))
    B = sp.csr_matrix(C.T @ onehot)
    remaining = need.astype(np.float64).copy()
    uncovered = np.ones(u, dtype=bool)
    done = np.zeros(Ga, dtype=bool)
    selected: list[int] = []
    available = np.ones(n, dtype=bool)
    tol = 1e-9 * np.maximum(need, 1.0)
    while int(done.sum()) < still:
        Bc = B.tocoo()
        vals = np.minimum(Bc.data, np.where(done[Bc.col], 0.0, np.maximum(remaining[Bc.col], 0.0)))
        gain = np.bincount(Bc.row, weights=vals, minlength=n)
        score = np.where(available & (gain > _EPS), gain / costs, -np.inf)
        j = int(np.argmax(score))
        if not np.isfinite(score[j]):
            break  # cannot happen for a feasible target; defensive
        selected.append(j)
        available[j] = False
        new = C.indices[C.indptr[j] : C.indptr[j + 1]]
        new = new[uncovered[new]]
        uncovered[new] = False
        if len(new):
            remaining -= np.bincount(gidx[new], weights=red.W[new], minlength=Ga)
            B = sp.csr_matrix(B - R[new].T @ onehot[new])
            B.eliminate_zeros()
        done |= remaining <= tol
    return selected
