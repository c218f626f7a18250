"""FTTH reach: which households a fibre access point can serve along the road, duct and pole network.

A household is **reachable** when its drop length to a usable fibre access point (FAP) is at most
``max_drop_m`` (default 500 m); a hamlet is **FTTH-covered** when at least ``covered_share`` (default 0.8)
of its households are reachable.

The network graph
-----------------
:func:`network_from_layers` builds the graph **once**, in a metric (UTM) CRS; :func:`ftth_reach` reuses it
for any set of fibre points and households.

* Roads and ducts (LineString or MultiLineString) are noded together (:func:`shapely.node`): every line is
  split where it crosses or touches another, so a ``+`` given as two unsplit lines gets its junction. Overlapping
  stretches (a duct laid under a road) become one edge, labelled ``"road"``. Every line is then exploded into
  straight two-point **segments**; an edge's length is its Euclidean length in metres.
* **Near misses**: a dangling line end (a node of degree 1) lying at most ``snap_m`` from another segment (an
  endpoint of another line, or the side of one) is joined to the nearest such point by a connector edge as long
  as the gap. Farther gaps stay open.
* **Poles**: each pole is a node. It is joined to its **two nearest poles within** ``pole_span_max_m`` by
  ``"pole_span"`` edges (aerial cable spans), and to the **nearest road or duct segment within**
  ``pole_span_max_m`` by a straight ``"pole_span"`` edge to the nearest point of that segment (which is split
  there). A pole farther than that from every road and duct hangs on the pole spans alone.
* Parallel edges between the same two nodes weigh the shortest. Zero-length edges weigh :data:`EPS_M`
  (scipy's csgraph would otherwise read a stored zero as a special value).

Drop length
-----------
For a household point *h* and a usable fibre point *f*::

    drop_m = access(h) + network(h', f') + access(f)

where ``access`` is the straight distance from the point to its nearest network edge (any kind), *h'* and *f'*
are those nearest points on the edges, and ``network`` is the shortest path along the edges between them. The
fibre points are inserted as nodes splitting their edges, so a household on the same edge as a FAP gets the
direct along-edge distance. ``network`` comes from one multi-source :func:`scipy.sparse.csgraph.dijkstra`
from all usable fibre points (``min_only=True``, ``limit=max_drop_m``); the serving FAP is the one with the
smallest drop. Since every edge is straight, ``drop_m`` is never shorter than the straight-line distance to
the serving FAP. The search stops at ``max_drop_m``: longer drops are reported as ``inf``. Distances carry a
rounding error of at most a few :data:`EPS_M`; reachability compares ``drop_m <= max_drop_m + TOL_M``.

Usable fibre points
-------------------
A fibre point is usable when ``free_ports > 0`` (and, with ``operators``, it belongs to one of them). A
**missing** ``free_ports`` (NA) counts as **unusable**: coverage is only claimed where a free port is known;
a :class:`~coverage._errors.CoverageWarning` gives their count. Points with 0 free ports and points of other
operators are left out with a note in :attr:`Reach.notes`. No usable point at all is not an error: every
household is unreachable and the notes say why.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from coverage._errors import CoverageError, CoverageWarning, CRSError, MissingLayerError, Problem, ValidationError
from coverage.layers.crs import parse_crs, utm_crs_for

EPS_M = 1e-9
"""Weight, in metres, given to edges of zero length (coincident nodes)."""

TOL_M = 1e-6
"""Tolerance, in metres, of the comparison ``drop_m <= max_drop_m``."""

EDGE_KINDS = ("road", "duct", "pole_span")
"""Kinds of network edges."""

HAMLET_COLUMNS = (
    "hamlet_id",
    "households",
    "households_reachable",
    "share_reachable",
    "ftth_covered",
    "median_drop_m",
    "nearest_fap_id",
    "reason",
)
"""Columns of :func:`hamlet_ftth`'s result, in order."""

_LINE_TYPES = ("LineString", "MultiLineString")
_TYPE_IDS = {"Point": 0, "LineString": 1, "MultiLineString": 5}
_ID_FIELDS = {"roads": "road_id", "ducts": "duct_id", "poles": "pole_id", "fibre_points": "fap_id"}


@dataclass(frozen=True)
class Network:
    """The road, duct and pole network as an undirected weighted graph of straight segments.

    Attributes
    ----------
    crs : pyproj.CRS
        Metric CRS of every coordinate (a UTM zone).
    nodes_xy : ndarray of float64, shape (n, 2)
        Node coordinates, metres.
    edge_u, edge_v : ndarray of int64, shape (m,)
        End nodes of each edge; edge *i* is the straight segment ``nodes_xy[edge_u[i]] → nodes_xy[edge_v[i]]``.
    edge_length_m : ndarray of float64, shape (m,)
        Edge lengths, metres (at least :data:`EPS_M`).
    edge_kind : ndarray of str, shape (m,)
        ``"road"``, ``"duct"`` or ``"pole_span"`` (:data:`EDGE_KINDS`).
    graph : scipy.sparse.csr_matrix, shape (n, n)
        Symmetric adjacency matrix weighted by edge length (the shortest of parallel edges).
    """

    crs: pyproj.CRS
    nodes_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_kind: np.ndarray
    graph: sp.csr_matrix
    _tree: shapely.STRtree = field(repr=False, compare=False)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.nodes_xy)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.edge_u)

    def edge_geometries(self) -> np.ndarray:
        """The edges as shapely LineStrings (metres, :attr:`crs`)."""
        return _segments(self.nodes_xy, self.edge_u, self.edge_v)

    def attach(self, xy: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest edge of each point, position along it and distance to it.

        Parameters
        ----------
        xy : array_like of float, shape (k, 2)
            Finite coordinates in :attr:`crs`, metres.

        Returns
        -------
        edge : ndarray of int64
            Index of the nearest edge.
        t_m : ndarray of float64
            Distance along that edge from ``nodes_xy[edge_u[edge]]`` to the nearest point, metres.
        access_m : ndarray of float64
            Straight distance from the point to the edge, metres.
        """
        pts = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        edge = np.zeros(len(pts), dtype=np.int64)
        if len(pts):  # GEOS STRtree, vectorised: about 10 µs a point on the sample province
            got, hit = self._tree.query_nearest(shapely.points(pts), all_matches=False)
            edge[got] = hit
        t_m, access_m = _project(pts, self.nodes_xy[self.edge_u[edge]], self.nodes_xy[self.edge_v[edge]])
        return edge, t_m, access_m


@dataclass(frozen=True)
class Reach:
    """Drop lengths of household points to their serving fibre access point.

    Attributes
    ----------
    drop_m : ndarray of float64
        Per household point: access leg + network distance + the FAP's access leg, metres (module docs);
        ``inf`` when that exceeds ``max_drop_m`` for every usable FAP (or the point is not finite): the search
        stops at ``max_drop_m``, so longer drops are not measured.
    reachable : ndarray of bool
        ``drop_m <= max_drop_m`` (within :data:`TOL_M`), i.e. ``drop_m`` is finite.
    fap_id : ndarray of object
        ``fap_id`` of the serving fibre point; ``""`` when the point is not reachable.
    access_m : ndarray of float64
        Straight distance from the point to the network, metres (NaN for a non-finite point).
    n_sources : int
        Number of usable fibre points.
    max_drop_m : float
        The maximum drop length used, metres.
    notes : tuple of str
        What was left out and why.
    """

    drop_m: np.ndarray
    reachable: np.ndarray
    fap_id: np.ndarray
    access_m: np.ndarray
    n_sources: int
    max_drop_m: float
    notes: tuple[str, ...]


# --------------------------------------------------------------------------------------------- helpers


def _segments(nodes_xy: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    coords = np.stack([nodes_xy[u], nodes_xy[v]], axis=1).reshape(-1, 2)
    return np.asarray(shapely.linestrings(coords, indices=np.repeat(np.arange(len(u)), 2)))


def _project(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance along segments a→b of the points nearest to p, and the distance from p to them."""
    d = b - a
    l2 = np.einsum("ij,ij->i", d, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(l2 > 0, np.einsum("ij,ij->i", p - a, d) / np.where(l2 > 0, l2, 1.0), 0.0)
    s = np.clip(s, 0.0, 1.0)
    foot = a + s[:, None] * d
    return s * np.sqrt(l2), np.hypot(*(p - foot).T)


def _graph(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> sp.csr_matrix:
    """Symmetric csr matrix of undirected edges, the shortest of parallel edges, no self loops."""
    keep = u != v
    r = np.concatenate([u[keep], v[keep]])
    c = np.concatenate([v[keep], u[keep]])
    x = np.maximum(np.concatenate([w[keep], w[keep]]), EPS_M)
    order = np.lexsort((x, c, r))
    r, c, x = r[order], c[order], x[order]
    first = np.r_[True, (r[1:] != r[:-1]) | (c[1:] != c[:-1])] if len(r) else np.zeros(0, bool)
    return sp.csr_matrix((x[first], (r[first], c[first])), shape=(n, n))


def _chain(
    e_s: np.ndarray, t_s: np.ndarray, node_s: np.ndarray, u: np.ndarray, v: np.ndarray, length: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sub-edges of edges split at points sorted by (edge ``e_s``, position ``t_s``) that became nodes ``node_s``.

    Returns their end nodes, lengths and the edge each comes from.
    """
    if not len(e_s):
        z = np.zeros(0, np.int64)
        return z, z, np.zeros(0), z
    brk = e_s[1:] != e_s[:-1]
    first, last, inner = np.r_[True, brk], np.r_[brk, True], ~brk
    a = np.concatenate([u[e_s[first]], node_s[:-1][inner], node_s[last]])
    b = np.concatenate([node_s[first], node_s[1:][inner], v[e_s[last]]])
    w = np.concatenate([t_s[first], (t_s[1:] - t_s[:-1])[inner], length[e_s[last]] - t_s[last]])
    src = np.concatenate([e_s[first], e_s[:-1][inner], e_s[last]])
    return a, b, np.maximum(w, 0.0), src


@dataclass
class _Edges:
    """Mutable edge list used while building."""

    nodes: np.ndarray
    u: np.ndarray
    v: np.ndarray
    kind: np.ndarray

    def length(self) -> np.ndarray:
        return np.hypot(*(self.nodes[self.v] - self.nodes[self.u]).T)

    def split(self, e: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Split edges ``e`` at positions ``t`` (metres from ``u``); return the node of each split point.

        A point within :data:`EPS_M` of an edge end is that end node; the others become new nodes.
        """
        length = self.length()
        a, b = self.nodes[self.u[e]], self.nodes[self.v[e]]
        node = np.where(t <= EPS_M, self.u[e], self.v[e]).astype(np.int64)
        inner = (t > EPS_M) & (t < length[e] - EPS_M)
        idx = np.flatnonzero(inner)
        if not len(idx):
            return node
        order = idx[np.lexsort((t[idx], e[idx]))]
        e_s, t_s = e[order], t[order]
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = t_s / length[e_s]
        xy = a[order] + frac[:, None] * (b[order] - a[order])
        new = len(self.nodes) + np.arange(len(order))
        node[order] = new
        su, sv, _, src = _chain(e_s, t_s, new, self.u, self.v, length)
        keep = np.ones(len(self.u), bool)
        keep[e_s] = False
        kinds = self.kind[src]
        self.nodes = np.concatenate([self.nodes, xy])
        self.u = np.concatenate([self.u[keep], su])
        self.v = np.concatenate([self.v[keep], sv])
        self.kind = np.concatenate([self.kind[keep], kinds])
        return node

    def add(self, u: np.ndarray, v: np.ndarray, kind: np.ndarray | str) -> None:
        self.u = np.concatenate([self.u, np.asarray(u, np.int64)])
        self.v = np.concatenate([self.v, np.asarray(v, np.int64)])
        self.kind = np.concatenate([self.kind, np.broadcast_to(np.asarray(kind, dtype=object), len(u))])


def _row_ids(frame: gpd.GeoDataFrame, layer: str) -> list[str]:
    col = _ID_FIELDS[layer]
    if col in frame.columns:
        return [str(x) for x in frame[col].to_numpy()]
    return [str(x) for x in frame.index]


def _source(frame: gpd.GeoDataFrame) -> str:
    return str(frame.attrs.get("source", "<memory>"))


def _to_metric(frame: gpd.GeoDataFrame, layer: str, crs: pyproj.CRS) -> gpd.GeoSeries:
    if frame.crs is None:
        raise CRSError(f"{_source(frame)} [{layer}]: the layer has no CRS; give EPSG:4326 (or its real CRS)")
    return frame.geometry.to_crs(crs)


def _check_geometry(frame: gpd.GeoDataFrame, layer: str, allowed: tuple[str, ...]) -> None:
    """Raise ValidationError naming each row whose geometry is missing, empty or of a wrong type."""
    geoms = frame.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    wrong = ~missing & ~np.isin(shapely.get_type_id(geoms), [_TYPE_IDS[k] for k in allowed])
    if not (missing.any() or wrong.any()):
        return
    ids = _row_ids(frame, layer)
    src = _source(frame)
    types = frame.geometry.geom_type.to_numpy()
    problems = [Problem(src, layer, ids[i], "geometry", "missing or empty geometry") for i in np.flatnonzero(missing)]
    problems += [
        Problem(src, layer, ids[i], "geometry", f"geometry is a {types[i]}; expected {' or '.join(allowed)}")
        for i in np.flatnonzero(wrong)
    ]
    raise ValidationError(problems, f"{layer}: {len(problems)} row(s) with unusable geometry")


def _lines(frame: gpd.GeoDataFrame | None, layer: str, crs: pyproj.CRS) -> np.ndarray:
    if frame is None or len(frame) == 0:
        return np.zeros(0, dtype=object)
    _check_geometry(frame, layer, _LINE_TYPES)
    parts = shapely.get_parts(_to_metric(frame, layer, crs).to_numpy())
    return parts[~shapely.is_empty(parts) & (shapely.get_num_coordinates(parts) >= 2)]


def _node(lines: np.ndarray) -> np.ndarray:
    """Fully noded LineStrings: every line split at every crossing or touching point."""
    noded: BaseGeometry | np.ndarray
    try:
        noded = shapely.node(shapely.multilinestrings(lines))
    except shapely.errors.GEOSException:  # rare non-convergence: snap-rounding union is robust
        noded = shapely.union_all(lines, grid_size=1e-3)
    parts = shapely.get_parts(noded)
    return parts[shapely.get_type_id(parts) == 1]


# ------------------------------------------------------------------------------------------------ build


def network_from_layers(
    roads: gpd.GeoDataFrame,
    ducts: gpd.GeoDataFrame | None = None,
    poles: gpd.GeoDataFrame | None = None,
    *,
    crs: object = None,
    snap_m: float = 1.0,
    pole_span_max_m: float = 120.0,
) -> Network:
    """Build the routing graph of roads, ducts and pole routes once (rules in the module docs).

    Parameters
    ----------
    roads : GeoDataFrame
        ``roads`` layer (LineString / MultiLineString, any CRS, usually EPSG:4326). Required, not empty.
    ducts : GeoDataFrame, optional
        ``ducts`` layer (lines); connects to the roads where it touches or crosses them.
    poles : GeoDataFrame, optional
        ``poles`` layer (points).
    crs : CRS-like, optional
        Metric CRS to work in; default the UTM zone of the roads (:func:`coverage.layers.crs.utm_crs_for`).
    snap_m : float, default 1
        Gap, metres, below which a dangling line end is joined to the nearest other line.
    pole_span_max_m : float, default 120
        Longest pole span, metres: poles join their two nearest poles and their nearest road or duct within it.

    Returns
    -------
    Network

    Raises
    ------
    MissingLayerError
        When ``roads`` is None or empty.
    ValidationError
        When a road, duct or pole has a missing geometry or one of the wrong type (problem names the layer, the
        row id and the field ``"geometry"``).
    CRSError
        When a layer has no CRS.
    CoverageError
        When a distance parameter is negative or not finite.
    """
    if roads is None or len(roads) == 0:
        raise MissingLayerError("roads: FTTH reach needs a road network, and the 'roads' layer is missing or empty")
    for name, val in (("snap_m", snap_m), ("pole_span_max_m", pole_span_max_m)):
        if not np.isfinite(val) or val < 0:
            raise CoverageError(f"{name} must be a finite number of metres >= 0, got {val!r}")
    _check_geometry(roads, "roads", _LINE_TYPES)
    metric = utm_crs_for(roads) if crs is None else parse_crs(crs, source="crs")
    if not metric.is_projected:
        raise CRSError(f"crs must be a metric projected CRS (a UTM zone), got {metric.name}")

    road_lines = _lines(roads, "roads", metric)
    duct_lines = _lines(ducts, "ducts", metric)
    if not len(road_lines):
        raise MissingLayerError("roads: no road has a line with two or more distinct points")
    pieces = _node(np.concatenate([road_lines, duct_lines]))

    # explode to straight segments; nodes are distinct coordinates
    coords, pidx = shapely.get_coordinates(pieces, return_index=True)
    seg = np.flatnonzero(pidx[1:] == pidx[:-1])
    nodes, inv = np.unique(coords, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    u, v = inv[seg].astype(np.int64), inv[seg + 1].astype(np.int64)
    ok = u != v
    u, v = u[ok], v[ok]
    kind = np.full(len(u), "road", dtype=object)
    if len(duct_lines):
        mid = shapely.points((nodes[u] + nodes[v]) / 2.0)
        hit, _ = shapely.STRtree(road_lines).query(mid, predicate="dwithin", distance=1e-2)
        on_road = np.zeros(len(u), bool)
        on_road[hit] = True
        kind[~on_road] = "duct"
    edges = _Edges(nodes, u, v, kind)

    if snap_m > 0:
        _join_dangling(edges, snap_m)
    if poles is not None and len(poles):
        _add_poles(edges, poles, metric, pole_span_max_m)

    length = np.maximum(edges.length(), EPS_M)
    graph = _graph(len(edges.nodes), edges.u, edges.v, length)
    tree = shapely.STRtree(_segments(edges.nodes, edges.u, edges.v))
    return Network(
        crs=metric,
        nodes_xy=edges.nodes,
        edge_u=edges.u,
        edge_v=edges.v,
        edge_length_m=length,
        edge_kind=edges.kind.astype(str),
        graph=graph,
        _tree=tree,
    )


def _join_dangling(edges: _Edges, snap_m: float) -> None:
    """Join each node of degree 1 to the nearest point, within ``snap_m``, of a segment not incident to it."""
    n = len(edges.nodes)
    deg = np.bincount(np.concatenate([edges.u, edges.v]), minlength=n)
    dangling = np.flatnonzero(deg == 1)
    if not len(dangling):
        return
    tree = shapely.STRtree(_segments(edges.nodes, edges.u, edges.v))
    pi, si = tree.query(shapely.points(edges.nodes[dangling]), predicate="dwithin", distance=snap_m)
    node = dangling[pi]
    other = (edges.u[si] != node) & (edges.v[si] != node)
    pi, si, node = pi[other], si[other], node[other]
    if not len(pi):
        return
    t, dist = _project(edges.nodes[node], edges.nodes[edges.u[si]], edges.nodes[edges.v[si]])
    order = np.lexsort((si, dist, pi))
    best = order[np.r_[True, pi[order][1:] != pi[order][:-1]]]
    own = np.zeros(n, dtype=np.int64)  # kind of the dangling end's own edge
    own[edges.u] = np.arange(len(edges.u))
    own[edges.v] = np.arange(len(edges.v))
    kinds = edges.kind[own[node[best]]]
    target = edges.split(si[best], t[best])
    edges.add(node[best], target, kinds)


def _add_poles(edges: _Edges, poles: gpd.GeoDataFrame, crs: pyproj.CRS, span_m: float) -> None:
    """Add pole nodes, pole-to-pole spans and pole-to-road links (module docs)."""
    _check_geometry(poles, "poles", ("Point",))
    xy = shapely.get_coordinates(_to_metric(poles, "poles", crs).to_numpy())
    k = len(xy)
    # link to the nearest road or duct segment within span_m, splitting it there
    tree = shapely.STRtree(_segments(edges.nodes, edges.u, edges.v))
    got, seg = tree.query_nearest(shapely.points(xy), max_distance=span_m, all_matches=False)
    t, _ = _project(xy[got], edges.nodes[edges.u[seg]], edges.nodes[edges.v[seg]])
    target = edges.split(seg, t)
    first = len(edges.nodes)
    edges.nodes = np.concatenate([edges.nodes, xy])
    edges.add(first + got, target, "pole_span")
    # spans to the two nearest other poles within span_m
    if k < 2:
        return
    dist, nb = cKDTree(xy).query(xy, k=min(3, k), distance_upper_bound=span_m)
    src = np.repeat(np.arange(k), nb.shape[1])
    nb, dist = np.asarray(nb).reshape(-1), np.asarray(dist).reshape(-1)
    ok = np.isfinite(dist) & (nb != src)
    src, nb = src[ok], nb[ok]
    rank = np.lexsort((dist[ok], src))
    src, nb = src[rank], nb[rank]
    pos = np.arange(len(src)) - np.searchsorted(src, src, side="left")
    src, nb = src[pos < 2], nb[pos < 2]
    pair = np.unique(np.stack([np.minimum(src, nb), np.maximum(src, nb)], axis=1), axis=0)
    edges.add(first + pair[:, 0], first + pair[:, 1], "pole_span")


# ------------------------------------------------------------------------------------------------ reach


def _usable(fibre_points: gpd.GeoDataFrame, operators: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """Mask of usable fibre points and notes on those left out (warns on missing free_ports)."""
    for col in ("fap_id", "free_ports") + (("operator",) if operators is not None else ()):
        if col not in fibre_points.columns:
            raise CoverageError(f"{_source(fibre_points)} [fibre_points]: column {col!r} is missing")
    notes: list[str] = []
    ports = pd.to_numeric(pd.Series(fibre_points["free_ports"].to_numpy()), errors="coerce")
    unknown = ports.isna().to_numpy()
    ports_np = ports.fillna(0).to_numpy(dtype=float)
    usable = ~unknown & (ports_np > 0)
    if unknown.any():
        msg = f"{int(unknown.sum())} fibre point(s) with unknown free_ports were left out (counted as unusable)"
        warnings.warn(msg, CoverageWarning, stacklevel=3)
        notes.append(msg)
    zero = ~unknown & (ports_np <= 0)
    if zero.any():
        notes.append(f"{int(zero.sum())} fibre point(s) with 0 free ports were left out")
    if operators is not None:
        ops = pd.Series(fibre_points["operator"].to_numpy(), dtype="string")
        mine = ops.isin(list(operators)).fillna(False).to_numpy(dtype=bool)
        other = usable & ~mine
        if other.any():
            notes.append(
                f"{int(other.sum())} fibre point(s) of operators other than {', '.join(operators)} were left out"
            )
        usable &= mine
    return usable, notes


def ftth_reach(
    network: Network,
    fibre_points: gpd.GeoDataFrame,
    households_xy: npt.ArrayLike,
    *,
    max_drop_m: float = 500.0,
    operators: Sequence[str] | None = None,
) -> Reach:
    """Drop length from each household point to its nearest usable fibre access point (module docs).

    Parameters
    ----------
    network : Network
        From :func:`network_from_layers`; reused, never rebuilt.
    fibre_points : GeoDataFrame
        ``fibre_points`` layer (points, any CRS with ``fap_id``, ``operator``, ``free_ports``).
    households_xy : array_like of float, shape (k, 2)
        Household points in ``network.crs``, metres. Non-finite rows are unreachable.
    max_drop_m : float, default 500
        Longest drop, metres.
    operators : sequence of str, optional
        Keep only fibre points of these operators.

    Returns
    -------
    Reach

    Raises
    ------
    CoverageError
        On a bad ``max_drop_m``, a malformed ``households_xy`` or a missing column.
    ValidationError
        When a fibre point's geometry is missing or not a Point.

    Warns
    -----
    CoverageWarning
        When fibre points have unknown ``free_ports`` (they are left out).
    """
    if not np.isfinite(max_drop_m) or max_drop_m < 0:
        raise CoverageError(f"max_drop_m must be a finite number of metres >= 0, got {max_drop_m!r}")
    hxy = np.asarray(households_xy, dtype=np.float64)
    if hxy.ndim != 2 or hxy.shape[1] != 2:
        raise CoverageError(f"households_xy must have shape (k, 2) (x, y in metres), got {hxy.shape}")
    k = len(hxy)
    drop = np.full(k, np.inf)
    access = np.full(k, np.nan)
    fap_out = np.full(k, "", dtype=object)
    notes: list[str] = []
    finite = np.isfinite(hxy).all(axis=1)
    if (~finite).any():
        notes.append(f"{int((~finite).sum())} household point(s) with non-finite coordinates are unreachable")

    usable = np.zeros(0, bool)
    if len(fibre_points):
        _check_geometry(fibre_points, "fibre_points", ("Point",))
        usable, more = _usable(fibre_points, operators)
        notes += more
    n_src = int(usable.sum())
    he, ht, ha = network.attach(hxy[finite])
    access[finite] = ha
    if n_src == 0:
        why = "no fibre points given" if not len(fibre_points) else "none of the fibre points is usable"
        notes.append(f"no usable fibre point ({why}): every household is unreachable")
        return Reach(drop, np.zeros(k, bool), fap_out, access, 0, float(max_drop_m), tuple(notes))

    fxy = shapely.get_coordinates(_to_metric(fibre_points, "fibre_points", network.crs).to_numpy())[usable]
    ids = np.array(_row_ids(fibre_points, "fibre_points"), dtype=object)[usable]
    fe, ft, fa = network.attach(fxy)
    order = np.lexsort((ft, fe))
    fe, ft, fa, ids = fe[order], ft[order], fa[order], ids[order]
    n, m = network.n_nodes, n_src
    split = n + np.arange(m)
    leaf = n + m + np.arange(m)
    su, sv, sw, _ = _chain(fe, ft, split, network.edge_u, network.edge_v, network.edge_length_m)
    g = network.graph.tocoo()
    # the split edges stay in the graph: u-v is exactly as long as u-split-v, so they change no distance
    graph = _graph(
        n + 2 * m,
        np.concatenate([g.row, su, split]).astype(np.int64),
        np.concatenate([g.col, sv, leaf]).astype(np.int64),
        np.concatenate([g.data, sw, fa]),
    )
    dist, _, sources = dijkstra(
        graph, directed=True, indices=leaf, min_only=True, limit=max_drop_m + TOL_M, return_predecessors=True
    )

    # sub-edge of each household: count the FAPs on its edge at or before it
    lo = np.searchsorted(fe, he, side="left")
    cnt = np.searchsorted(fe, he, side="right") - lo
    kk = np.zeros(len(he), dtype=np.int64)
    on = np.flatnonzero(cnt > 0)
    if len(on):
        e_all = np.concatenate([fe, he[on]])
        t_all = np.concatenate([ft, ht[on]])
        is_fap = np.r_[np.ones(m, np.int64), np.zeros(len(on), np.int64)]
        srt = np.lexsort((1 - is_fap, t_all, e_all))
        before = np.cumsum(is_fap[srt])
        hpos = srt >= m
        kk[on[srt[hpos] - m]] = before[hpos] - lo[on[srt[hpos] - m]]
    left = np.where(kk == 0, network.edge_u[he], n + lo + kk - 1)
    right = np.where(kk == cnt, network.edge_v[he], n + lo + kk)
    t_left = np.where(kk == 0, 0.0, ft[np.clip(lo + kk - 1, 0, m - 1)])
    t_right = np.where(kk == cnt, network.edge_length_m[he], ft[np.clip(lo + kk, 0, m - 1)])
    via_l = dist[left] + np.maximum(ht - t_left, 0.0)
    via_r = dist[right] + np.maximum(t_right - ht, 0.0)
    net = np.minimum(via_l, via_r)
    node = np.where(via_l <= via_r, left, right)
    d = ha + net
    d[d > max_drop_m + TOL_M] = np.inf  # beyond the search limit distances are not known exactly
    drop[finite] = d
    reach = np.isfinite(drop)
    src = sources[node]
    served = np.where(np.isfinite(d) & (src >= 0), ids[np.clip(src - (n + m), 0, m - 1)], "")
    fap_out[finite] = served
    fap_out[~reach] = ""
    return Reach(drop, reach, fap_out, access, n_src, float(max_drop_m), tuple(notes))


# ------------------------------------------------------------------------------------------------ hamlets


def hamlet_ftth(
    hamlet_id: npt.ArrayLike,
    households: npt.ArrayLike,
    reach: Reach,
    *,
    covered_share: float = 0.8,
    hamlet_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """FTTH coverage of each hamlet from the reach of its household points.

    Parameters
    ----------
    hamlet_id : array_like of str, shape (k,)
        Hamlet of each household point (the points of :func:`ftth_reach`).
    households : array_like of float, shape (k,)
        Households at each point (>= 0).
    reach : Reach
        From :func:`ftth_reach` on those points.
    covered_share : float, default 0.8
        Share (0–1) of households that must be reachable for the hamlet to be FTTH-covered.
    hamlet_ids : sequence of str, optional
        Hamlets to report, in this order (those with no point get 0 households); default: the hamlets of the
        points, sorted. Points of other hamlets are left out with a warning.

    Returns
    -------
    DataFrame
        One row per hamlet, columns :data:`HAMLET_COLUMNS`: ``households`` and ``households_reachable``
        (households), ``share_reachable`` (0–1, NaN without households), ``ftth_covered`` (nullable boolean,
        ``share_reachable >= covered_share``; NA without households), ``median_drop_m`` (household-weighted
        lower median of the finite drops, i.e. of the reachable households, metres; NaN if none),
        ``nearest_fap_id`` (the fibre point serving most reachable households, ties to the smaller id; ``""``
        if none) and ``reason`` (``"no households"`` or ``""``).

    Raises
    ------
    CoverageError
        On mismatched lengths, negative or non-finite households, or ``covered_share`` outside 0–1.

    Warns
    -----
    CoverageWarning
        When points have no hamlet id or one not in ``hamlet_ids``.
    """
    hid = pd.Series(np.asarray(hamlet_id, dtype=object).reshape(-1), dtype="string")
    hh = np.asarray(households, dtype=np.float64).reshape(-1)
    k = len(reach.drop_m)
    if len(hid) != k or len(hh) != k:
        raise CoverageError(
            f"hamlet_id ({len(hid)}), households ({len(hh)}) and reach ({k}) must have one entry per point"
        )
    if not np.isfinite(hh).all() or (hh < 0).any():
        raise CoverageError("households must be finite numbers >= 0")
    if not (0.0 <= covered_share <= 1.0):
        raise CoverageError(f"covered_share must lie in 0–1, got {covered_share!r}")
    keep = hid.notna().to_numpy(dtype=bool, copy=True)
    if (~keep).any():
        warnings.warn(
            f"{int((~keep).sum())} household point(s) have no hamlet id and count in no hamlet",
            CoverageWarning,
            stacklevel=2,
        )
    if hamlet_ids is None:
        index = pd.Index(sorted(set(hid[keep])), dtype="string", name="hamlet_id")
    else:
        index = pd.Index([str(h) for h in hamlet_ids], dtype="string", name="hamlet_id")
        known = hid.isin(index).fillna(False).to_numpy(dtype=bool)
        stray = keep & ~known
        if stray.any():
            warnings.warn(
                f"{int(stray.sum())} household point(s) belong to hamlets not in hamlet_ids and were left out",
                CoverageWarning,
                stacklevel=2,
            )
        keep = keep & known
    pts = pd.DataFrame(
        {
            "h": hid[keep].to_numpy(),
            "w": hh[keep],
            "r": reach.reachable[keep],
            "d": reach.drop_m[keep],
            "f": reach.fap_id[keep].astype(str),
        }
    )
    pts["wr"] = pts["w"] * pts["r"]
    total = pts.groupby("h")["w"].sum().reindex(index, fill_value=0.0)
    got = pts.groupby("h")["wr"].sum().reindex(index, fill_value=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, got / total.where(total > 0, 1.0), np.nan)

    # household-weighted lower median of finite drops
    fin = pts[np.isfinite(pts["d"]) & (pts["w"] > 0)].sort_values(["h", "d"])
    cum = fin.groupby("h")["w"].cumsum()
    half = fin.groupby("h")["w"].transform("sum") / 2.0
    med = fin[cum.to_numpy() >= half.to_numpy() - 1e-12].groupby("h")["d"].first().reindex(index)

    served = pts[pts["r"] & (pts["w"] > 0)].groupby(["h", "f"])["w"].sum().reset_index()
    served = served.sort_values(["h", "w", "f"], ascending=[True, False, True]).drop_duplicates("h")
    nearest = served.set_index("h")["f"].reindex(index).fillna("")

    has = total.to_numpy() > 0
    covered = pd.array(np.where(has, share >= covered_share - 1e-12, False), dtype="boolean")
    covered[~has] = pd.NA
    out = pd.DataFrame(
        {
            "hamlet_id": index.astype("string"),
            "households": total.to_numpy(),
            "households_reachable": got.to_numpy(),
            "share_reachable": share,
            "ftth_covered": covered,
            "median_drop_m": med.to_numpy(dtype=float),
            "nearest_fap_id": nearest.to_numpy(dtype=object),
            "reason": np.where(has, "", "no households"),
        }
    )
    out["nearest_fap_id"] = out["nearest_fap_id"].astype("string")
    out["reason"] = out["reason"].astype("string")
    return out[list(HAMLET_COLUMNS)]


__all__ = [
    "EDGE_KINDS",
    "EPS_M",
    "HAMLET_COLUMNS",
    "TOL_M",
    "Network",
    "Reach",
    "ftth_reach",
    "hamlet_ftth",
    "network_from_layers",
]
