"""Fibre extensions: how far, and at what cost, the existing fibre must be extended to reach hamlets without FTTH.

For every hamlet without FTTH (``ftth_covered`` is false in the assessment; hamlets without households are
left out) this module finds the cheapest route along the road, duct and pole network
(:class:`coverage.assess.ftth.Network`) from the existing fibre to the hamlet, its length, and a cost estimate that
prefers existing shared poles and ducts.

Sources: the existing fibre
---------------------------
The sources are the **usable fibre access points** of :mod:`coverage.assess.ftth` (``free_ports > 0``; with
``ftth.operators`` only those operators'), each joined to the network by its straight access leg, as in
:func:`coverage.assess.ftth.ftth_reach`. Existing fibre cables are **not** sources: the layers do not say which
poles or ducts carry fibre (rather than copper), nor whether a cable has spare fibres and a splice point, so
a new branch may only start at a point with a free port.

Target: the hamlet access point
-------------------------------
Each hamlet gets one target, its **access point**: the point of the network nearest to the
household-weighted centre of its households that existing fibre cannot reach (the assessment's population
grid, :class:`coverage.assess.population.PopulationGrid`, and :func:`coverage.assess.ftth.ftth_reach`); if none
is known, the hamlet's representative point. The extension ends there; the drops from the access point to the
houses (at most ``ftth.max_drop_m``, plus each house's straight leg to the road) are not part of it, and
neither is the leg from the centre to the network (``access_m``). One access point cannot serve a large or
scattered hamlet entirely: ``households_reachable_after`` counts the hamlet's households that a splitter at
the access point (or the existing fibre) would reach, by the same drop rule as the assessment.

Build methods and unit costs
----------------------------
Each network edge is built by one method (:func:`edge_methods`):

* ``"aerial"``: pole spans (edges of kind ``"pole_span"``): cable hung on existing poles;
* ``"duct"``: duct edges, and road edges lying in a duct (both ends and the middle within
  ``route.duct_tolerance_m`` of a ``ducts`` line: :func:`coverage.assess.ftth.network_from_layers` labels a duct
  laid under a road ``"road"``);
* the **new build** (``route.new_build``, ``"trench"`` or ``"new_poles"``): every other road edge, and the
  legs joining fibre points to the network.

The unit costs (VND per metre, ``coverage/data/fibre_costs.toml``, placeholders for the province to set) weigh
the edges: routes are **cheapest** routes (Dijkstra on cost = unit cost × length), so a longer route along
existing poles beats a shorter one needing a trench when the costs say so. Lengths and costs of the chosen
routes are both reported, with the metres of each method. ``shortest_length_m`` is the length of the
shortest route regardless of cost (Dijkstra on length), for comparison.

Several hamlets together: a Steiner-tree approximation
------------------------------------------------------
With ``together=True`` the hamlets share the new cable: a branch may start anywhere on the existing fibre
**or on a branch already built**. The tree is grown by the shortest-path heuristic of Takahashi and
Matsuyama (1980), with the existing fibre as one super-source: repeatedly, the unconnected hamlet cheapest
to reach from the current tree is connected by its cheapest path to the tree, and that path joins the tree.
Its cost is less than twice the optimal Steiner tree's (the bound of the metric-closure MST, with the
sources contracted into one terminal). Distances are kept up to date incrementally (a Dijkstra from the new path's nodes
only, bounded by the largest distance still needed). Each hamlet's **branch** is the path added when it was
connected, so the branches are disjoint and add up to the tree; the first hamlet connected along a trunk pays
for the trunk (``order`` gives the connection order, ``attached_to`` what the branch starts from: a fibre
point id or a hamlet id). ``alone_length_m`` / ``alone_cost_vnd`` give each hamlet's own cheapest extension
as if it were built alone; a branch never costs more than that.

With ``together=False`` each hamlet gets its own cheapest route from the existing fibre; routes may overlap,
and the totals count the union of their edges once.

Hamlets the network cannot connect to any usable fibre point stay in the result with a ``reason``.

Limits
------
* Costs are those of the cable route only: no splitters, closures, OLT ports or drops.
* One access point per hamlet; a large or scattered hamlet may need more (``households_reachable_after``).
* Whether a pole or duct has room for one more cable is not known: every pole span and duct is taken as usable.
* The heuristic's result depends on the connection order; it is an approximation, not an optimum.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra

from coverage._config import merge_settings, packaged_toml, read_toml
from coverage._errors import CoverageError, CoverageWarning, MissingLayerError
from coverage.assess.ftth import EPS_M, Network, _chain, _check_geometry, _row_ids, _to_metric, _usable, ftth_reach
from coverage.layers.crs import STORAGE_CRS

if TYPE_CHECKING:
    from coverage.assess.population import PopulationGrid

__all__ = [
    "HAMLET_COLUMNS",
    "METHODS",
    "Extensions",
    "FibreCosts",
    "FibrePlan",
    "Paths",
    "edge_methods",
    "fibre_costs",
    "fibre_extensions",
    "plan_extensions",
    "steiner_paths",
]

METHODS = ("aerial", "duct", "new_poles", "trench")
"""Build methods of a stretch of cable (module docs)."""

NEW_BUILDS = ("trench", "new_poles")
"""Allowed values of ``route.new_build``."""

HAMLET_COLUMNS = (
    "hamlet_id",
    "name",
    "commune_code",
    "commune_name",
    "households",
    "households_unreachable",
    "households_reachable_after",
    "access_m",
    "order",
    "attached_to",
    "branch_length_m",
    "branch_cost_vnd",
    *(f"{m}_m" for m in METHODS),
    "alone_length_m",
    "alone_cost_vnd",
    "shortest_length_m",
    "reason",
    "geometry",
)
"""Columns of :attr:`FibrePlan.hamlets`, in order."""

_SOURCE = "coverage/data/fibre_costs.toml"


# ------------------------------------------------------------------------------------------------ costs


@dataclass(frozen=True)
class FibreCosts:
    """Unit costs and routing rules: ``coverage/data/fibre_costs.toml`` merged with a user file and overrides."""

    settings: dict[str, Any]
    source: str = _SOURCE

    @property
    def unit_cost(self) -> dict[str, float]:
        """VND per metre of each method of :data:`METHODS`."""
        return {m: float(self.settings["unit_cost_vnd_per_m"][m]) for m in METHODS}

    @property
    def new_build(self) -> str:
        """Method of road edges without poles or a duct: ``"trench"`` or ``"new_poles"``."""
        return str(self.settings["route"]["new_build"])

    @property
    def duct_tolerance_m(self) -> float:
        """Distance within which a road edge counts as lying in a duct, metres."""
        return float(self.settings["route"]["duct_tolerance_m"])


def fibre_costs(path: str | os.PathLike[str] | None = None, overrides: Mapping[str, Any] | None = None) -> FibreCosts:
    """Unit costs: packaged defaults, a user TOML file (any subset of keys), then ``overrides``.

    Raises
    ------
    CoverageError
        On an unreadable file, an unknown key, a wrongly typed value, a negative or non-finite cost, a
        ``route.new_build`` other than ``"trench"`` / ``"new_poles"`` or a negative tolerance; the message names
        the file and the key.
    """
    settings = packaged_toml("fibre_costs.toml")
    source = _SOURCE
    if path is not None:
        settings = merge_settings(settings, read_toml(path, "fibre unit costs"), str(path))
        source = str(path)
    if overrides:
        settings = merge_settings(settings, overrides, "overrides")
        source = f"{source} + overrides"
    problems = []
    for key, val in settings["unit_cost_vnd_per_m"].items():
        if not np.isfinite(float(val)) or float(val) < 0:
            problems.append(f"unit_cost_vnd_per_m.{key} must be a finite cost >= 0 VND per metre, got {val!r}")
    if settings["route"]["new_build"] not in NEW_BUILDS:
        problems.append(
            f"route.new_build must be one of {', '.join(NEW_BUILDS)}, got {settings['route']['new_build']!r}"
        )
    tol = float(settings["route"]["duct_tolerance_m"])
    if not np.isfinite(tol) or tol < 0:
        problems.append(f"route.duct_tolerance_m must be a finite number of metres >= 0, got {tol!r}")
    if problems:
        raise CoverageError(f"{source}: " + "; ".join(problems))
    return FibreCosts(settings, source)


def _as_costs(costs: FibreCosts | str | os.PathLike[str] | Mapping[str, Any] | None) -> FibreCosts:
    if costs is None:
        return fibre_costs()
    if isinstance(costs, FibreCosts):
        return costs
    if isinstance(costs, Mapping):
        return fibre_costs(overrides=costs)
    return fibre_costs(costs)


def edge_methods(
    network: Network,
    ducts: gpd.GeoDataFrame | None = None,
    *,
    new_build: str = "trench",
    duct_tolerance_m: float = 0.5,
) -> np.ndarray:
    """Build method of every edge of ``network`` (rules in the module docs).

    Parameters
    ----------
    network : Network
    ducts : GeoDataFrame, optional
        ``ducts`` layer (lines, any CRS); road edges lying in a duct become ``"duct"``.
    new_build : {"trench", "new_poles"}
        Method of the other road edges.
    duct_tolerance_m : float, default 0.5
        Distance from a duct line within which both ends and the middle of a road edge must lie, metres.

    Returns
    -------
    ndarray of str, shape (network.n_edges,)
        Values of :data:`METHODS`.
    """
    if new_build not in NEW_BUILDS:
        raise CoverageError(f"new_build must be one of {', '.join(NEW_BUILDS)}, got {new_build!r}")
    kind = network.edge_kind
    out = np.full(network.n_edges, new_build, dtype=object)
    out[kind == "pole_span"] = "aerial"
    out[kind == "duct"] = "duct"
    if ducts is not None and len(ducts):
        _check_geometry(ducts, "ducts", ("LineString", "MultiLineString"))
        lines = _to_metric(ducts, "ducts", network.crs).to_numpy()
        road = np.flatnonzero(kind == "road")
        a, b = network.nodes_xy[network.edge_u[road]], network.nodes_xy[network.edge_v[road]]
        tree = shapely.STRtree(lines)
        near = np.ones(len(road), dtype=bool)
        for xy in (a, b, (a + b) / 2.0):
            hit, _ = tree.query(shapely.points(xy), predicate="dwithin", distance=duct_tolerance_m)
            got = np.zeros(len(road), dtype=bool)
            got[hit] = True
            near &= got
        out[road[near]] = "duct"
    return out.astype(str)


# ------------------------------------------------------------------------------------------------ algorithm


@dataclass(frozen=True)
class Paths:
    """Result of :func:`steiner_paths`.

    Attributes
    ----------
    path : list of ndarray of int64
        Per terminal, the nodes of its branch from where it leaves the tree (a source, or with
        ``together=True`` a node of an earlier branch) to the terminal; a single node when it costs nothing;
        empty when the terminal is unreachable.
    cost : ndarray of float64
        Per terminal, the weight of its branch (``inf`` when unreachable).
    alone_cost : ndarray of float64
        Per terminal, the weight of its cheapest path from the sources alone.
    order : ndarray of int64
        Per terminal, the position at which it was connected (0 first); −1 when unreachable.
    """

    path: list[np.ndarray]
    cost: np.ndarray
    alone_cost: np.ndarray
    order: np.ndarray


def _trace(pred: np.ndarray, node: int, stop: np.ndarray | None) -> np.ndarray:
    """Nodes from the root of ``node``'s predecessor chain (or the first node in ``stop``) to ``node``."""
    out = [node]
    while pred[node] >= 0 and (stop is None or not stop[node]):
        node = int(pred[node])
        out.append(node)
    return np.array(out[::-1], dtype=np.int64)


def steiner_paths(
    graph: sp.csr_matrix,
    sources: npt.ArrayLike,
    terminals: npt.ArrayLike,
    *,
    together: bool = True,
) -> Paths:
    """Connect terminals to a set of sources: a Steiner-tree approximation or separate cheapest paths.

    A pure graph function (the algorithm of the module docs). With ``together=True`` the terminals are
    connected one at a time, cheapest first, each by its cheapest path to the tree grown so far (the sources
    count as one super-source); with ``together=False`` each by its cheapest path from the sources.

    Parameters
    ----------
    graph : scipy.sparse.csr_matrix, shape (n, n)
        Symmetric, non-negative edge weights (stored entries are edges; give zero-weight edges a tiny weight).
    sources : array_like of int
        Source nodes (may be empty: every terminal is then unreachable).
    terminals : array_like of int
        Terminal nodes (repeats and sources allowed: they cost nothing).

    Returns
    -------
    Paths
    """
    src = np.unique(np.asarray(sources, dtype=np.int64).reshape(-1))
    term = np.asarray(terminals, dtype=np.int64).reshape(-1)
    n, k = graph.shape[0], len(term)
    paths: list[np.ndarray] = [np.zeros(0, np.int64)] * k
    cost = np.full(k, np.inf)
    order = np.full(k, -1, dtype=np.int64)
    if not len(src) or not k:
        return Paths(paths, cost, cost.copy(), order)
    dist, pred, _ = dijkstra(graph, directed=True, indices=src, min_only=True, return_predecessors=True)
    alone = dist[term].copy()
    todo = np.flatnonzero(np.isfinite(alone))
    if not together:
        for rank, j in enumerate(todo[np.lexsort((todo, alone[todo]))]):
            paths[j] = _trace(pred, int(term[j]), None)
            cost[j] = alone[j]
            order[j] = rank
        return Paths(paths, cost, alone, order)
    in_tree = np.zeros(n, dtype=bool)
    in_tree[src] = True
    left = np.ones(k, dtype=bool)
    left[~np.isfinite(alone)] = False
    rank = 0
    while left.any():
        cand = np.flatnonzero(left)
        j = int(cand[np.argmin(dist[term[cand]])])  # argmin takes the first of ties: the smaller index
        left[j] = False
        path = _trace(pred, int(term[j]), in_tree)
        paths[j], cost[j], order[j] = path, float(dist[term[j]]), rank
        rank += 1
        new = path[~in_tree[path]]
        if not len(new) or not left.any():
            continue
        in_tree[new] = True
        limit = float(dist[term[left]].max())
        d2, p2, _ = dijkstra(
            graph, directed=True, indices=new, min_only=True, limit=limit * (1 + 1e-12) + 1e-9, return_predecessors=True
        )
        better = d2 < dist
        dist[better] = d2[better]
        pred[better] = p2[better]
    return Paths(paths, cost, alone, order)


# ------------------------------------------------------------------------------------------------ network level


@dataclass(frozen=True)
class Extensions:
    """Result of :func:`plan_extensions`: one branch per target, and the segments that make them.

    Attributes
    ----------
    reachable : ndarray of bool
        Per target: a route from the sources exists.
    length_m, cost_vnd : ndarray of float64
        Per target: length and cost of its branch (NaN when unreachable).
    metres : ndarray of float64, shape (k, len(METHODS))
        Per target: metres of its branch built by each method of :data:`METHODS`.
    alone_length_m, alone_cost_vnd : ndarray of float64
        Per target: length and cost of its cheapest route from the sources alone (NaN when unreachable).
    shortest_length_m : ndarray of float64
        Per target: length of its shortest route from the sources, whatever it costs (``inf`` when unreachable).
    order : ndarray of int64
        Connection order (−1 when unreachable).
    attached_to : ndarray of str
        What each branch starts from: a source id or a target id (``""`` when unreachable).
    access_m : ndarray of float64
        Straight distance from each target point to the network (not part of the branch), metres.
    seg_xy : ndarray of float64, shape (s, 2, 2)
        End points of every segment of every branch (metres, ``network.crs``).
    seg_length_m : ndarray of float64
    seg_method : ndarray of str
    seg_target : ndarray of int64
        Target whose branch the segment belongs to.
    """

    reachable: np.ndarray
    length_m: np.ndarray
    cost_vnd: np.ndarray
    metres: np.ndarray
    alone_length_m: np.ndarray
    alone_cost_vnd: np.ndarray
    shortest_length_m: np.ndarray
    order: np.ndarray
    attached_to: np.ndarray
    access_m: np.ndarray
    seg_xy: np.ndarray
    seg_length_m: np.ndarray
    seg_method: np.ndarray
    seg_target: np.ndarray

    def branch_lines(self) -> np.ndarray:
        """Per target, its branch as a MultiLineString (metres; empty when none), merged where possible."""
        segs = _lines_of(self.seg_xy)
        out = np.empty(len(self.reachable), dtype=object)
        for j in range(len(out)):
            mine = segs[self.seg_target == j] if len(segs) else segs
            out[j] = _merged(mine) if len(mine) else shapely.MultiLineString()
        return out


def _lines_of(seg_xy: np.ndarray) -> npt.NDArray[np.object_]:
    """Each segment of ``seg_xy`` (shape (s, 2, 2)) as a LineString."""
    if not len(seg_xy):
        return np.zeros(0, dtype=object)
    lines = shapely.linestrings(seg_xy.reshape(-1, 2), indices=np.repeat(np.arange(len(seg_xy)), 2))
    assert isinstance(lines, np.ndarray)  # always so with ``indices`` (the stubs also allow a single LineString)
    return lines


def _merged(lines: npt.NDArray[np.object_]) -> shapely.MultiLineString | shapely.GeometryCollection:
    """Non-empty array of LineStrings as one geometry, merged where possible; a single line as a MultiLineString."""
    geom = shapely.line_merge(shapely.multilinestrings(list(lines)))
    return shapely.MultiLineString([geom]) if isinstance(geom, shapely.LineString) else geom


def plan_extensions(
    network: Network,
    source_xy: npt.ArrayLike,
    target_xy: npt.ArrayLike,
    *,
    methods: npt.ArrayLike | None = None,
    unit_cost: Mapping[str, float] | None = None,
    together: bool = True,
    source_ids: Sequence[str] | None = None,
    target_ids: Sequence[str] | None = None,
    new_build: str = "trench",
) -> Extensions:
    """Cheapest extensions from source points (the existing fibre) to target points along the network.

    Both kinds of point are attached to their nearest network edge (:meth:`Network.attach`), which is split
    there. A source joins the network by its straight access leg, built by ``new_build``; a target's leg is
    not part of the extension (``access_m``). Edge weights are unit cost × length; :func:`steiner_paths` does
    the rest.

    Parameters
    ----------
    network : Network
    source_xy, target_xy : array_like of float, shape (·, 2)
        Points in ``network.crs``, metres (finite).
    methods : array_like of str, optional
        Method of each network edge (:func:`edge_methods`); default from the edge kinds alone.
    unit_cost : mapping of method to VND per metre, optional
        Default 1 for every method: routes are then the shortest.
    together : bool, default True
        Steiner-tree approximation (True) or one separate route per target (False).
    source_ids, target_ids : sequence of str, optional
        Labels for :attr:`Extensions.attached_to` (default ``"S<i>"`` and ``"T<j>"``).
    new_build : {"trench", "new_poles"}
        Method of the sources' access legs.
    """
    sxy, txy, meth, unit, sid, tid = _check_extension_inputs(
        network, source_xy, target_xy, methods, unit_cost, source_ids, target_ids, new_build
    )
    g = _route_graph(network, sxy, txy, meth, unit, new_build)
    paths = steiner_paths(g.cost_graph, g.leaf, g.tnode, together=together)
    shortest = np.full(g.nt, np.inf)
    if g.ns and g.nt:
        shortest = dijkstra(g.len_graph, directed=True, indices=np.unique(g.leaf), min_only=True)[g.tnode]
    return _extensions(g, paths, shortest, sid, tid, together=together)


def _check_extension_inputs(
    network: Network,
    source_xy: npt.ArrayLike,
    target_xy: npt.ArrayLike,
    methods: npt.ArrayLike | None,
    unit_cost: Mapping[str, float] | None,
    source_ids: Sequence[str] | None,
    target_ids: Sequence[str] | None,
    new_build: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, float], np.ndarray, np.ndarray]:
    """Checked arguments of :func:`plan_extensions`: points, edge methods, unit costs and point labels."""
    sxy = np.asarray(source_xy, dtype=np.float64).reshape(-1, 2)
    txy = np.asarray(target_xy, dtype=np.float64).reshape(-1, 2)
    if not (np.isfinite(sxy).all() and np.isfinite(txy).all()):
        raise CoverageError("source_xy and target_xy must be finite coordinates (metres)")
    if new_build not in NEW_BUILDS:
        raise CoverageError(f"new_build must be one of {', '.join(NEW_BUILDS)}, got {new_build!r}")
    meth = edge_methods(network, new_build=new_build) if methods is None else np.asarray(methods, dtype=str).reshape(-1)
    if len(meth) != network.n_edges or not np.isin(meth, METHODS).all():
        raise CoverageError(f"methods must give one of {', '.join(METHODS)} for each of the {network.n_edges} edges")
    unit = {m: 1.0 for m in METHODS} if unit_cost is None else {m: float(unit_cost[m]) for m in METHODS}
    if any(not np.isfinite(c) or c < 0 for c in unit.values()):
        raise CoverageError(f"unit costs must be finite and >= 0, got {unit}")
    ns, nt = len(sxy), len(txy)
    sid = np.array(list(source_ids) if source_ids is not None else [f"S{i}" for i in range(ns)], dtype=object)
    tid = np.array(list(target_ids) if target_ids is not None else [f"T{j}" for j in range(nt)], dtype=object)
    if len(sid) != ns or len(tid) != nt:
        raise CoverageError("source_ids and target_ids must have one label per point")
    return sxy, txy, meth, unit, sid, tid


@dataclass(frozen=True)
class _RouteGraph:
    """The network split at the attached points, plus the sources' access legs (:func:`_route_graph`).

    Nodes: the network's ``n`` nodes, then each point's place on the network (``n + p``: sources first, then
    targets), then each source's own point (``leaf``). ``u``, ``v``, ``length`` (metres) and ``ecode`` (index
    into :data:`METHODS`) describe every edge; ``keys`` (sorted ``r * n_all + c``) and ``e2`` find the cheapest
    edge joining a node pair.
    """

    n: int
    ns: int
    nt: int
    n_all: int
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    ecode: np.ndarray
    ucost: np.ndarray
    xy: np.ndarray
    access_m: np.ndarray
    leaf: np.ndarray
    tnode: np.ndarray
    keys: np.ndarray
    e2: np.ndarray
    cost_graph: sp.csr_matrix
    len_graph: sp.csr_matrix

    def edges_of(self, path: np.ndarray) -> np.ndarray:
        """Edges along a path of nodes."""
        if len(path) < 2:
            return np.zeros(0, np.int64)
        return self.e2[np.searchsorted(self.keys, path[:-1] * self.n_all + path[1:])]

    def cost_of(self, edges: np.ndarray) -> float:
        """Cost of edges, VND."""
        return float((self.ucost[self.ecode[edges]] * self.length[edges]).sum())


def _route_graph(
    network: Network, sxy: np.ndarray, txy: np.ndarray, meth: np.ndarray, unit: dict[str, float], new_build: str
) -> _RouteGraph:
    """Split the network's edges at every attached point and weigh the edges (cost and length graphs)."""
    # split the edges at every attached point: point p becomes node n + p (sources first, then targets)
    n = network.n_nodes
    ns, nt = len(sxy), len(txy)
    pe, pt, pa = network.attach(np.concatenate([sxy, txy]))
    order = np.lexsort((pt, pe))
    su, sv, sw, src_edge = _chain(
        pe[order], pt[order], n + order, network.edge_u, network.edge_v, network.edge_length_m
    )
    keep = np.ones(network.n_edges, dtype=bool)
    keep[pe] = False
    leaf = n + ns + nt + np.arange(ns)  # each source's own point, joined by its access leg
    u = np.concatenate([network.edge_u[keep], su, leaf])
    v = np.concatenate([network.edge_v[keep], sv, n + np.arange(ns)])
    length = np.maximum(np.concatenate([network.edge_length_m[keep], sw, pa[:ns]]), EPS_M)
    mcode = {m: i for i, m in enumerate(METHODS)}
    code = np.array([mcode[m] for m in meth], dtype=np.int64)
    ecode = np.concatenate([code[keep], code[src_edge], np.full(ns, mcode[new_build], np.int64)])
    ucost = np.array([unit[m] for m in METHODS])
    weight = np.maximum(ucost[ecode] * length, EPS_M)
    xy = np.concatenate([network.nodes_xy, _point_on_edges(network, pe, pt), sxy])
    n_all = n + ns + nt + ns

    # one edge per node pair, the cheapest; a sorted key table finds it again from a path's node pairs
    r, c = np.concatenate([u, v]), np.concatenate([v, u])
    e2 = np.concatenate([np.arange(len(u)), np.arange(len(u))])
    w2 = weight[e2]
    srt = np.lexsort((w2, c, r))
    r, c, e2, w2 = r[srt], c[srt], e2[srt], w2[srt]
    first = np.r_[True, (r[1:] != r[:-1]) | (c[1:] != c[:-1])] if len(r) else np.zeros(0, bool)
    r, c, e2, w2 = r[first], c[first], e2[first], w2[first]
    return _RouteGraph(
        n=n,
        ns=ns,
        nt=nt,
        n_all=n_all,
        u=u,
        v=v,
        length=length,
        ecode=ecode,
        ucost=ucost,
        xy=xy,
        access_m=pa,
        leaf=leaf,
        tnode=n + ns + np.arange(nt),
        keys=r * n_all + c,
        e2=e2,
        cost_graph=sp.csr_matrix((w2, (r, c)), shape=(n_all, n_all)),
        len_graph=sp.csr_matrix((np.maximum(length[e2], EPS_M), (r, c)), shape=(n_all, n_all)),
    )


def _extensions(
    g: _RouteGraph, paths: Paths, shortest: np.ndarray, sid: np.ndarray, tid: np.ndarray, *, together: bool
) -> Extensions:
    """Lengths, costs and segments of each target's branch and of its route alone, in connection order."""
    ns, nt, n_all = g.ns, g.nt, g.n_all
    owner = np.full(n_all, "", dtype=object)
    owner[g.leaf] = sid
    owner[g.n : g.n + ns] = sid  # a source's point on the network belongs to it too
    alone_len = np.full(nt, np.nan)
    alone_cost = np.full(nt, np.nan)
    metres = np.zeros((nt, len(METHODS)))
    length_m = np.full(nt, np.nan)
    cost_vnd = np.full(nt, np.nan)
    attached = np.full(nt, "", dtype=object)
    segs: list[np.ndarray] = []
    seg_t: list[np.ndarray] = []
    # each target's route alone (its branch may be shorter): traced on a Dijkstra from the sources
    pred0 = np.full(n_all, -9999, dtype=np.int32)  # without sources or targets there is no path to trace
    if ns and nt:
        _, pred0, _ = dijkstra(
            g.cost_graph, directed=True, indices=np.unique(g.leaf), min_only=True, return_predecessors=True
        )
    by_order = np.argsort(np.where(paths.order >= 0, paths.order, np.iinfo(np.int64).max), kind="stable")
    for j in by_order:
        p = paths.path[j]
        if not len(p):
            continue
        eidx = g.edges_of(p)
        attached[j] = owner[p[0]]
        if together:
            owner[p[owner[p] == ""]] = tid[j]
        length_m[j] = float(g.length[eidx].sum())
        cost_vnd[j] = g.cost_of(eidx)
        metres[j] = np.bincount(g.ecode[eidx], weights=g.length[eidx], minlength=len(METHODS))
        segs.append(eidx)
        seg_t.append(np.full(len(eidx), j, dtype=np.int64))
        ae = g.edges_of(_trace(pred0, int(g.tnode[j]), None))
        alone_len[j] = float(g.length[ae].sum())
        alone_cost[j] = g.cost_of(ae)
    seg = np.concatenate(segs) if segs else np.zeros(0, np.int64)
    seg_target = np.concatenate(seg_t) if seg_t else np.zeros(0, np.int64)
    real = g.length[seg] > 1e-6  # zero-length pieces (coincident points) carry no cable
    seg, seg_target = seg[real], seg_target[real]
    return Extensions(
        reachable=np.isfinite(paths.alone_cost),
        length_m=length_m,
        cost_vnd=cost_vnd,
        metres=metres,
        alone_length_m=alone_len,
        alone_cost_vnd=alone_cost,
        shortest_length_m=shortest,
        order=paths.order,
        attached_to=attached.astype(str),
        access_m=g.access_m[ns:].astype(float),
        seg_xy=np.stack([g.xy[g.u[seg]], g.xy[g.v[seg]]], axis=1) if len(seg) else np.zeros((0, 2, 2)),
        seg_length_m=g.length[seg],
        seg_method=np.asarray(METHODS, dtype=object)[g.ecode[seg]].astype(str),
        seg_target=seg_target,
    )


def _point_on_edges(network: Network, e: np.ndarray, t: np.ndarray) -> np.ndarray:
    a, b = network.nodes_xy[network.edge_u[e]], network.nodes_xy[network.edge_v[e]]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(network.edge_length_m[e] > 0, t / network.edge_length_m[e], 0.0)
    return a + np.clip(frac, 0.0, 1.0)[:, None] * (b - a)


# ------------------------------------------------------------------------------------------------ project level


@dataclass
class FibrePlan:
    """Result of :func:`fibre_extensions`.

    Attributes
    ----------
    hamlets : GeoDataFrame
        One row per hamlet without FTTH (columns :data:`HAMLET_COLUMNS`, EPSG:4326): its branch as a
        MultiLineString (empty when none), its length and cost, metres per method (``aerial_m``, ``duct_m``,
        ``new_poles_m``, ``trench_m``), its cost alone and shortest length, ``reason`` when unreachable.
    routes : GeoDataFrame
        The new cable, one row per (hamlet branch, method): ``hamlet_id``, ``method``, ``length_m``,
        ``cost_vnd``, geometry (MultiLineString, EPSG:4326).
    total : dict
        ``length_m``, ``cost_vnd``, metres per method (``<method>_m``), ``hamlets``, ``hamlets_reached``,
        ``together``, and ``sum_alone_length_m`` / ``sum_alone_cost_vnd`` (every hamlet built alone).
    costs : FibreCosts
    notes : list of str
    """

    hamlets: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame
    total: dict[str, Any]
    costs: FibreCosts
    notes: list[str] = field(default_factory=list)


def fibre_extensions(
    project: Any,
    assessment: Any = None,
    *,
    costs: FibreCosts | str | os.PathLike[str] | Mapping[str, Any] | None = None,
    together: bool = True,
    network: Network | None = None,
    config: Any = None,
) -> FibrePlan:
    """Extensions of the existing fibre to every hamlet without FTTH (rules in the module docs).

    Parameters
    ----------
    project : coverage.Project
        Needs ``roads`` and ``fibre_points``; ``ducts`` and ``poles`` are used when present. Without an
        assessment also ``hamlets``, ``admin_units`` and a ``landcover`` raster (for the population grid).
    assessment : coverage.assess.Assessment, optional
        Gives the hamlets without FTTH, the population grid and the settings. Without it they are computed
        here (population grid and FTTH reach only: no radio prediction is needed).
    costs : FibreCosts, path, or mapping of overrides, optional
        Default :func:`fibre_costs`.
    together : bool, default True
        Share the new cable between hamlets (Steiner-tree approximation) or route each alone.
    network : Network, optional
        A network already built from the project with the assessment's ``ftth`` settings.
    config : AssessmentConfig, optional
        Settings when no assessment is given (default :func:`coverage.assess.pipeline.assessment_config`).

    Raises
    ------
    MissingLayerError
        Without ``roads`` or ``fibre_points``.
    CoverageError
        On bad unit costs (naming the file and the key).
    """
    from coverage.assess import assessment_config
    from coverage.assess.ftth import network_from_layers

    fc = _as_costs(costs)
    _require_layers(project)
    cfg = assessment.config if assessment is not None else (config or assessment_config())
    f = cfg["ftth"]
    layers = getattr(project, "layers", {})
    notes: list[str] = []
    pop = assessment.population if assessment is not None else _population(project, cfg)
    if network is None:
        network = network_from_layers(
            project["roads"],
            layers.get("ducts"),
            layers.get("poles"),
            crs=pop.grid.crs,
            snap_m=float(f["snap_m"]),
            pole_span_max_m=float(f["pole_span_max_m"]),
        )
    operators = list(f["operators"]) or None
    max_drop = float(f["max_drop_m"])
    faps = project["fibre_points"]
    hamlets = project["hamlets"].reset_index(drop=True)
    todo = _hamlets_without_ftth(project, assessment, hamlets, pop, network, faps, f)
    notes += todo.notes
    txy = _access_points(hamlets, network, todo)
    sxy, sid = _usable_sources(faps, operators, network)

    meth = edge_methods(network, layers.get("ducts"), new_build=fc.new_build, duct_tolerance_m=fc.duct_tolerance_m)
    ext = plan_extensions(
        network,
        sxy,
        txy,
        methods=meth,
        unit_cost=fc.unit_cost,
        together=together,
        source_ids=list(sid),
        target_ids=list(todo.ids),
        new_build=fc.new_build,
    )
    after = _households_reachable_after(network, ext, todo, txy, max_drop)
    out = _hamlet_table(hamlets, todo, ext, after, network.crs, has_sources=bool(len(sxy)))
    routes = _route_table(ext, todo.ids, fc.unit_cost, network.crs)
    total = _totals(ext, fc.unit_cost, together=together)
    if (~ext.reachable).any():
        notes.append(f"{int((~ext.reachable).sum())} hamlet(s) without FTTH cannot be reached along the network")
    return FibrePlan(out, routes, total, fc, notes)


def _require_layers(project: Any) -> None:
    """Raise :class:`MissingLayerError` when ``roads`` or ``fibre_points`` is missing or empty."""
    for name in ("roads", "fibre_points"):
        if name not in project or len(project[name]) == 0:
            raise MissingLayerError(
                f"{getattr(project, 'source', '<memory>')}: fibre extensions need the {name!r} layer, "
                "which is missing or empty"
            )


def _population(project: Any, cfg: Any) -> PopulationGrid:
    """The project's population grid at the radio settings' resolution (when there is no assessment)."""
    from coverage.assess.population import population_grid
    from coverage.radio.config import radio_config
    from coverage.radio.grid import grid_for_project

    return population_grid(
        project,
        grid_for_project(project, float(radio_config()["grid"]["resolution_m"])),
        method=cfg["population"]["method"],
    )


@dataclass(frozen=True)
class _Todo:
    """The hamlets without FTTH, and the household points of the population grid in them.

    ``rows`` are rows of the hamlets layer and ``ids`` their hamlet ids; ``reachable_hh`` (households the existing
    fibre reaches) and ``commune_name`` (by hamlet id) cover every hamlet. Per household point: ``slot``
    (position of its hamlet in ``rows``), ``xy`` (metres), ``households`` and ``before`` (reachable by the
    existing fibre).
    """

    rows: np.ndarray
    ids: np.ndarray
    reachable_hh: np.ndarray
    commune_name: pd.Series | None
    slot: np.ndarray
    xy: np.ndarray
    households: np.ndarray
    before: np.ndarray
    notes: list[str]

    @property
    def k(self) -> int:
        """Number of hamlets without FTTH."""
        return len(self.rows)


def _hamlets_without_ftth(
    project: Any,
    assessment: Any,
    hamlets: gpd.GeoDataFrame,
    pop: PopulationGrid,
    network: Network,
    faps: gpd.GeoDataFrame,
    f: Mapping[str, Any],
) -> _Todo:
    """Hamlets without FTTH (the assessment's, else computed), and whether the fibre reaches each household."""
    from coverage.assess.ftth import hamlet_ftth

    operators = list(f["operators"]) or None
    max_drop = float(f["max_drop_m"])
    hid = hamlets["hamlet_id"].astype(str).to_numpy()
    # row of ``hamlets`` of every populated entry of the grid (-1: none)
    pmap = np.r_[pd.Index(hid).get_indexer(pd.Index(pop.hamlet_ids.astype(str))), -1]
    hrow = pmap[np.where(pop.hamlet >= 0, pop.hamlet, len(pmap) - 1)]
    pxy = pop.xy()

    # hamlets without FTTH, and whether each of their households is reachable by the existing fibre
    reach = None
    if assessment is not None:
        table = assessment.hamlets.set_index(assessment.hamlets["hamlet_id"].astype(str))
        covered = table["ftth_covered"].astype("boolean").reindex(hid)
        reachable_hh = table["ftth_households_reachable"].reindex(hid).to_numpy(dtype=float)
        commune_name = table["commune_name"].reindex(hid) if "commune_name" in table else None
    else:
        reach = ftth_reach(network, faps, pxy, max_drop_m=max_drop, operators=operators)
        t = hamlet_ftth(
            pop.hamlet_ids[pop.hamlet],
            pop.households,
            reach,
            covered_share=float(f["covered_share"]),
            hamlet_ids=list(pop.hamlet_ids),
        ).set_index("hamlet_id")
        covered = t["ftth_covered"].reindex(hid)
        reachable_hh = t["households_reachable"].reindex(hid).to_numpy(dtype=float)
        commune_name = None
    if commune_name is None and "admin_units" in project:
        admin = project["admin_units"]
        pre = admin[(admin["level"] == "commune") & (admin["period"] == "pre2025")]
        names = dict(zip(pre["unit_code"].astype(str), pre["name"], strict=False))
        commune_name = hamlets["commune_code"].astype(str).map(names).set_axis(hid)
    todo = np.flatnonzero(covered.eq(False).fillna(False).to_numpy(dtype=bool))
    slot = np.full(len(hid) + 1, -1, dtype=np.int64)  # position in ``todo`` of each hamlet row (-1: has FTTH)
    slot[todo] = np.arange(len(todo))
    sel = slot[hrow] >= 0  # hrow -1 reads the last slot, which stays -1
    mine, sxy_h, shh = slot[hrow[sel]], pxy[sel], pop.households[sel]
    if reach is None:
        reach = ftth_reach(network, faps, sxy_h, max_drop_m=max_drop, operators=operators)
        before = reach.reachable
    else:
        before = reach.reachable[sel]
    return _Todo(todo, hid[todo], reachable_hh, commune_name, mine, sxy_h, shh, before, list(reach.notes))


def _access_points(hamlets: gpd.GeoDataFrame, network: Network, todo: _Todo) -> np.ndarray:
    """Target of each hamlet: household-weighted centre of its unreachable households, else its representative point."""
    rep = shapely.get_coordinates(_to_metric(hamlets, "hamlets", network.crs).representative_point().to_numpy())
    txy = rep[todo.rows].copy()
    miss = ~todo.before & (todo.households > 0)
    w = todo.households[miss]
    sw = np.bincount(todo.slot[miss], weights=w, minlength=todo.k)
    cx = np.bincount(todo.slot[miss], weights=w * todo.xy[miss, 0], minlength=todo.k)
    cy = np.bincount(todo.slot[miss], weights=w * todo.xy[miss, 1], minlength=todo.k)
    has = sw > 0
    txy[has] = np.column_stack([cx[has] / sw[has], cy[has] / sw[has]])
    return txy


def _usable_sources(
    faps: gpd.GeoDataFrame, operators: list[str] | None, network: Network
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (metres) and ids of the usable fibre points."""
    usable = np.zeros(0, dtype=bool)
    if len(faps):
        _check_geometry(faps, "fibre_points", ("Point",))
        with warnings.catch_warnings():  # ftth_reach has warned already
            warnings.simplefilter("ignore", CoverageWarning)
            usable, _ = _usable(faps, operators)
    sxy = shapely.get_coordinates(_to_metric(faps, "fibre_points", network.crs).to_numpy())[usable]
    sid = np.array(_row_ids(faps, "fibre_points"), dtype=object)[usable]
    return sxy, sid


def _households_reachable_after(
    network: Network, ext: Extensions, todo: _Todo, txy: np.ndarray, max_drop: float
) -> np.ndarray:
    """Per hamlet, the households a splitter at its access point would reach (with the existing fibre)."""
    got = todo.before.copy()
    if ext.reachable.any():
        new_pts = gpd.GeoDataFrame(
            {
                "fap_id": [f"new-{h}" for h in todo.ids],
                "operator": "new",
                "free_ports": np.ones(todo.k, dtype=np.int64),
            },
            geometry=shapely.points(_point_on_network(network, txy)),
            crs=network.crs,
        )[ext.reachable]
        got = got | ftth_reach(network, new_pts, todo.xy, max_drop_m=max_drop).reachable
    return np.bincount(todo.slot, weights=todo.households * got, minlength=todo.k)


def _hamlet_table(
    hamlets: gpd.GeoDataFrame, todo: _Todo, ext: Extensions, after: np.ndarray, crs: Any, *, has_sources: bool
) -> gpd.GeoDataFrame:
    """:attr:`FibrePlan.hamlets`: one row per hamlet without FTTH, columns :data:`HAMLET_COLUMNS`."""
    rows, k = todo.rows, todo.k
    why = "" if has_sources else "no usable fibre point (free ports > 0) in the project"
    reason = np.where(
        ext.reachable, "", why or "no network path from any usable fibre point (the roads here are not connected)"
    )
    lines = gpd.GeoSeries(ext.branch_lines(), crs=crs).to_crs(STORAGE_CRS)
    hh = hamlets["households"].to_numpy(dtype=float)[rows]
    out = gpd.GeoDataFrame(
        {
            "hamlet_id": pd.array(todo.ids, dtype="string"),
            "name": pd.array(hamlets["name"].astype(str).to_numpy()[rows], dtype="string")
            if "name" in hamlets
            else pd.NA,
            "commune_code": pd.array(hamlets["commune_code"].astype(str).to_numpy()[rows], dtype="string")
            if "commune_code" in hamlets
            else pd.NA,
            "commune_name": pd.array(
                todo.commune_name.reindex(todo.ids).to_numpy() if todo.commune_name is not None else [pd.NA] * k,
                dtype="string",
            ),
            "households": hh,
            "households_unreachable": np.round(np.maximum(hh - np.nan_to_num(todo.reachable_hh[rows]), 0.0), 1),
            "households_reachable_after": np.round(after, 1),
            "access_m": np.round(ext.access_m, 1),
            "order": ext.order,
            "attached_to": pd.array(ext.attached_to, dtype="string"),
            "branch_length_m": np.round(ext.length_m, 1),
            "branch_cost_vnd": np.round(ext.cost_vnd, 0),
            **{f"{m}_m": np.where(ext.reachable, np.round(ext.metres[:, i], 1), np.nan) for i, m in enumerate(METHODS)},
            "alone_length_m": np.round(ext.alone_length_m, 1),
            "alone_cost_vnd": np.round(ext.alone_cost_vnd, 0),
            "shortest_length_m": np.round(
                np.where(np.isfinite(ext.shortest_length_m), ext.shortest_length_m, np.nan), 1
            ),
            "reason": pd.array(reason, dtype="string"),
        },
        geometry=lines.to_numpy(),
        crs=STORAGE_CRS,
    )
    return out[list(HAMLET_COLUMNS)]


def _route_table(ext: Extensions, ids: np.ndarray, ucost: Mapping[str, float], crs: Any) -> gpd.GeoDataFrame:
    """:attr:`FibrePlan.routes`: the new cable per (branch, method), branches in connection order."""
    rows = []
    segs = _lines_of(ext.seg_xy)
    for j in np.argsort(np.where(ext.order >= 0, ext.order, np.iinfo(np.int64).max), kind="stable"):
        for m in METHODS:
            sel = (ext.seg_target == j) & (ext.seg_method == m)
            if ext.seg_length_m[sel].sum() < 0.05:  # nothing that rounds to a length
                continue
            metres = float(ext.seg_length_m[sel].sum())
            rows.append(
                {
                    "hamlet_id": ids[j],
                    "method": m,
                    "length_m": round(metres, 1),
                    "cost_vnd": round(metres * ucost[m], 0),
                    "geometry": _merged(segs[sel]),
                }
            )
    frame = pd.DataFrame(rows, columns=["hamlet_id", "method", "length_m", "cost_vnd", "geometry"])
    routes = gpd.GeoDataFrame(
        frame.drop(columns="geometry"), geometry=gpd.GeoSeries(frame["geometry"].to_numpy(), crs=crs)
    ).to_crs(STORAGE_CRS)
    routes["hamlet_id"] = routes["hamlet_id"].astype("string")
    routes["method"] = routes["method"].astype("string")
    return routes


def _totals(ext: Extensions, ucost: Mapping[str, float], *, together: bool) -> dict[str, Any]:
    """:attr:`FibrePlan.total`: metres and cost of the new cable, overlapping separate routes counted once."""
    if together:
        metres_m = ext.metres[ext.reachable].sum(axis=0)
    else:  # overlapping routes count once
        uniq = _unique_segments(ext.seg_xy)
        metres_m = np.array([ext.seg_length_m[uniq][ext.seg_method[uniq] == m].sum() for m in METHODS])
    return {
        "together": together,
        "hamlets": len(ext.reachable),
        "hamlets_reached": int(ext.reachable.sum()),
        "length_m": round(float(metres_m.sum()), 1),
        "cost_vnd": round(float(sum(metres_m[i] * ucost[m] for i, m in enumerate(METHODS))), 0),
        **{f"{m}_m": round(float(metres_m[i]), 1) for i, m in enumerate(METHODS)},
        "sum_alone_length_m": round(float(np.nansum(ext.alone_length_m)), 1),
        "sum_alone_cost_vnd": round(float(np.nansum(ext.alone_cost_vnd)), 0),
    }


def _point_on_network(network: Network, xy: np.ndarray) -> np.ndarray:
    e, t, _ = network.attach(xy)
    return _point_on_edges(network, e, t)


def _unique_segments(seg_xy: np.ndarray) -> np.ndarray:
    """Index of the first of each segment that appears more than once (either direction)."""
    if not len(seg_xy):
        return np.zeros(0, np.int64)
    a, b = seg_xy[:, 0], seg_xy[:, 1]
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    key = np.where(swap[:, None], np.concatenate([b, a], axis=1), np.concatenate([a, b], axis=1))
    _, first = np.unique(np.round(key, 6), axis=0, return_index=True)
    return np.sort(first)
