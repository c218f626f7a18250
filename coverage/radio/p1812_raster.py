"""ITU-R P.1812-6 over a raster: the loss from a site to every pixel of a disc, for the engine's P.1812 chain.

:func:`p1812_disc` evaluates P.1812-6 (:mod:`coverage.radio.p1812`) on the path from a site to the centre of every
grid pixel within a radius (:mod:`coverage.radio._p1812_sweep_kernels`): the ground is the DEM on the prediction
grid (bilinear between pixel centres), the clutter the representative height of each land-cover class
(``coverage/data/p1812_clutter.toml``, 0 on a surface model), the path's points spaced exactly as
:func:`coverage.radio.paths.profile_between` draws one path. The points next to the receiver
are the pixel's own path; the far part of the path, terrain and clutter, comes from the nearest of the site's
radials (running sums, maxima and convex hulls along it). On 2,000 random pixels of the sample province the disc
agrees with :func:`~coverage.radio.p1812.p1812_loss` on the exact path to 0.000 dB at the median and 0.76 dB at
the 99th percentile; 0.2 % of them differ by more than 2 dB, where a radial sample falls in another clutter class
than the path's point beside it (``benchmarks/p1812_agreement.py``). Below 50 % of time (``with_beta``) every
pixel takes its whole exact path (p99 0.013 dB, about 2.5 times the time).

Pixels nearer the mast than ``min_dist_m`` (P.1812-6 is specified from 0.25 km) read the loss at that distance.
:func:`location_sigma_db` gives the location variability sigma_L of §4.7 per land-cover class, and
:func:`flat_loss_table` the loss over flat ground in one clutter class (the planner's approximation).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import Transformer

from coverage._errors import CoverageError, ExtentError
from coverage.radio import _p1812_kernels as _pk
from coverage.radio import _p1812_sweep_kernels as _sk
from coverage.radio.grid import Grid
from coverage.radio.p1812 import P1812_VALIDITY, location_variability_sigma_db
from coverage.radio.paths import DemKind, clutter_of_landcover
from coverage.radio.propagation import check_validity

__all__ = [
    "P1812Disc",
    "P1812Settings",
    "check_p1812_validity",
    "clutter_height_raster",
    "distance_tables",
    "flat_loss_table",
    "location_sigma_db",
    "p1812_disc",
]


@dataclass(frozen=True)
class P1812Settings:
    """The ``[p1812]`` settings of a radio configuration (see ``coverage/data/radio.toml``).

    Attributes
    ----------
    time_percent : float
        p, the time percentage (%) the loss is not exceeded for (1-50).
    vertical : bool
        Vertical polarisation (spherical-Earth diffraction, §4.3.3).
    delta_n, n0 : float
        Refractivity lapse rate (N-units/km) and sea-level surface refractivity (N-units), §3.5.
    zone : int
        Radio-climatic zone of every point (1 sea, 3 coastal land, 4 inland).
    coast_distance_km : float
        Distance over land from each terminal to the coast (eqs. (50), (51)).
    min_dist_m : float
        Pixels nearer the mast read the loss at this distance.
    """

    time_percent: float = 50.0
    vertical: bool = True
    delta_n: float = 50.0
    n0: float = 370.0
    zone: int = 4
    coast_distance_km: float = 500.0
    min_dist_m: float = 250.0

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> P1812Settings:
        """From the merged radio settings (``RadioConfig.settings``)."""
        s = settings["p1812"]
        return cls(
            time_percent=float(s["time_percent"]),
            vertical=s["polarisation"] == "vertical",
            delta_n=float(s["delta_n"]),
            n0=float(s["n0"]),
            zone=int(s["zone"]),
            coast_distance_km=float(s["coast_distance_km"]),
            min_dist_m=float(s["min_dist_m"]),
        )

    @property
    def ae_km(self) -> float:
        """Median effective Earth radius (km), eqs. (6), (7a)."""
        return float(_pk.effective_earth_radius_km(self.delta_n))

    @property
    def with_beta(self) -> bool:
        """Whether the a_beta diffraction terms count: below 50 % of time (at 50 %, fi < 1e-8)."""
        return self.time_percent < 50.0

    @property
    def near_log_p(self) -> float:
        """``log10(p / 50)`` of eq. (10): 0 at 50 %."""
        return math.log10(self.time_percent / 50.0)


@dataclass(frozen=True)
class P1812Disc:
    """P.1812-6 of every grid pixel within a radius of one site (see the module docs).

    Attributes
    ----------
    loss_db : ndarray of float32, shape (n_freqs, width, width)
        ``max(Lb0p, Lbc)`` (dB): the basic transmission loss at ``time_percent`` and 50 % of locations; NaN where
        not evaluated (beyond the radius, off the grid window).
    row0, col0 : int
        Global grid row and column of ``loss_db[:, 0, 0]``.
    freqs_mhz : tuple of float
        The frequencies of axis 0.
    grid_x0, grid_y0, res_m : float
        The grid: outer top-left corner and pixel size (m).
    site_ground_m : float
        Ground height under the site (m).
    """

    loss_db: NDArray[np.float32]
    row0: int
    col0: int
    freqs_mhz: tuple[float, ...]
    grid_x0: float
    grid_y0: float
    res_m: float
    site_ground_m: float

    def at(self, x: ArrayLike, y: ArrayLike, freq_mhz: float) -> NDArray[np.float64]:
        """The loss (dB) of the pixels containing the points ``(x, y)`` (m, grid CRS); NaN where not evaluated."""
        if float(freq_mhz) not in self.freqs_mhz:
            raise CoverageError(f"computed for {', '.join(map(str, self.freqs_mhz))} MHz, not {freq_mhz:g}")
        band = self.loss_db[self.freqs_mhz.index(float(freq_mhz))]
        xs, ys = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        cols = np.floor((xs - self.grid_x0) / self.res_m).astype(np.int64) - self.col0
        rows = np.floor((self.grid_y0 - ys) / self.res_m).astype(np.int64) - self.row0
        w = band.shape[0]
        inside = (rows >= 0) & (rows < w) & (cols >= 0) & (cols < w)
        out = np.full(xs.shape, np.nan)
        out[inside] = band[rows[inside], cols[inside]]
        return out


def clutter_height_raster(
    landcover: NDArray[np.integer[Any]], dem_kind: DemKind, source: str = "land cover"
) -> NDArray[np.float32]:
    """Representative clutter height (m) of each land-cover pixel (``p1812_clutter.toml``); 0 on a surface model.

    Raises
    ------
    CoverageError
        A code without a P.1812 clutter class (0 is no data).
    """
    table = clutter_of_landcover()
    lut = np.full(256, np.nan, dtype=np.float32)
    for code, (_, height) in table.items():
        lut[code] = height if dem_kind == "dtm" else 0.0
    lc = np.asarray(landcover)
    out = lut[lc.astype(np.uint8)] if lc.dtype == np.uint8 else lut[np.clip(lc, 0, 255).astype(np.uint8)]
    bad = np.isnan(out) | (lc.astype(np.int64) > 255)
    if bad.any():
        codes = sorted({int(c) for c in np.unique(lc[bad])})
        raise CoverageError(f"{source}: land-cover code(s) {codes} have no P.1812 clutter class (p1812_clutter.toml)")
    return out


def location_sigma_db(freqs_mhz: Sequence[float], pixel_width_m: float, rx_height_m: float) -> NDArray[np.float64]:
    """sigma_L of P.1812-6 §4.7 (dB) by frequency and land-cover code: (n_freqs, 256), NaN for unknown codes.

    The receiver stands in the representative clutter of its pixel's class (``p1812_clutter.toml``; the clutter is
    physically there whether or not the DEM already holds it), so ``u_h`` follows that height.
    """
    table = clutter_of_landcover()
    out = np.full((len(freqs_mhz), 256), np.nan)
    for b, f in enumerate(freqs_mhz):
        for code, (_, height) in table.items():
            out[b, code] = location_variability_sigma_db(float(f) / 1000.0, pixel_width_m, rx_height_m, height)
    return out


def check_p1812_validity(
    freqs_mhz: ArrayLike, tx_heights_m: ArrayLike, rx_height_m: float, min_dist_m: float, max_dist_m: float, *,
    extrapolate: bool,
) -> None:  # fmt: skip
    """P.1812-6's validity (frequency, path length, antenna heights) for the engine's cells, like other models.

    The engine evaluates paths from ``min_dist_m`` to ``max_dist_m``; outside 0.25-3000 km, 30-6000 MHz or heights
    of 1-3000 m: :class:`~coverage._errors.ValidityRangeError`, or with ``extrapolate`` an ExtrapolationWarning.
    """
    check_validity(
        "p1812",
        P1812_VALIDITY,
        freq_mhz=np.asarray(freqs_mhz, dtype=np.float64),
        dist_m=np.array([min_dist_m, max_dist_m], dtype=np.float64),
        tx_height_m=np.asarray(tx_heights_m, dtype=np.float64),
        rx_height_m=np.array([rx_height_m]),
        extrapolate=extrapolate,
        source="ITU-R P.1812-6 §1",
    )


def distance_tables(max_dist_m: float, settings: P1812Settings, lat_deg: float) -> NDArray[np.float64]:
    """The terms of the path length (:func:`coverage.radio._p1812_sweep_kernels.distance_tables`) up to ``max_dist_m``.

    beta0 is taken at ``lat_deg`` for every path: within a province (about 1 degree) it changes by a few per cent,
    which moves Lba by hundredths of a dB, and Lba reaches the result only through the blends of §4.6.
    """
    s = settings
    return _sk.distance_tables(float(max_dist_m), float(lat_deg), s.zone, s.time_percent, s.n0)


def grid_centre_latitude_deg(grid: Grid) -> float:
    """Latitude (degrees) of a grid's centre: where :func:`distance_tables` takes beta0 for a run on that grid."""
    cx = grid.x0_m + 0.5 * grid.width * grid.res_m
    cy = grid.y0_m - 0.5 * grid.height * grid.res_m
    return float(Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True).transform(cx, cy)[1])


def p1812_disc(
    dem_m: ArrayLike,
    clutter_m: ArrayLike,
    grid_x0: float,
    grid_y0: float,
    res_m: float,
    col0: int,
    row0: int,
    site_x: float,
    site_y: float,
    tx_height_m: float,
    rx_height_m: float,
    radius_m: float,
    freqs_mhz: Sequence[float],
    settings: P1812Settings,
    *,
    tables: NDArray[np.float64],
    n_radials: int | None = None,
    pixels: tuple[ArrayLike, ArrayLike] | None = None,
) -> P1812Disc:
    """P.1812-6 of every grid pixel within ``radius_m`` of a site (see the module docs).

    Parameters
    ----------
    dem_m, clutter_m : array_like, 2-D
        Terrain heights (m, NaN = no data) and representative clutter heights (:func:`clutter_height_raster`) of a
        window of the grid whose top-left pixel is global row ``row0``, column ``col0``.
    grid_x0, grid_y0, res_m : float
        The grid's outer top-left corner and pixel size (m).
    site_x, site_y : float
        Site position (m, grid CRS).
    tx_height_m, rx_height_m : float
        Antenna heights above ground (m).
    radius_m : float
        Pixels whose centre lies within this distance of the site are evaluated.
    freqs_mhz : sequence of float
        Frequencies to evaluate.
    settings : P1812Settings
        Time percentage, polarisation, meteorology, zone, minimum distance.
    tables : ndarray
        :func:`distance_tables` up to at least ``radius_m``.
    n_radials : int, optional
        Default ``ceil(2 pi radius / res)``: radials one pixel apart at the rim.
    pixels : (rows, cols), optional
        Global grid rows and columns of the only pixels wanted (for a few points: the planner's demand): each gets
        exactly the value the whole disc gives it, the others stay NaN.

    Raises
    ------
    ExtentError
        The site is not on the DEM window.
    """
    dem = np.ascontiguousarray(dem_m, dtype=np.float32)
    clut = np.ascontiguousarray(clutter_m, dtype=np.float32)
    if dem.shape != clut.shape or dem.ndim != 2:
        raise ValueError(f"dem_m {dem.shape} and clutter_m {clut.shape} must be the same 2-D window")
    if tables.shape[1] * _sk.TABLE_STEP_M < radius_m + 2.0 * res_m:
        raise ValueError("tables do not reach the radius")
    nrad = math.ceil(2.0 * math.pi * radius_m / res_m) if n_radials is None else int(n_radials)
    s = settings
    freqs = np.array([float(f) / 1000.0 for f in freqs_mhz], dtype=np.float64)
    want_r, want_c = (np.zeros(0), np.zeros(0)) if pixels is None else pixels
    want_r = np.ascontiguousarray(want_r, dtype=np.int64).ravel()
    want_c = np.ascontiguousarray(want_c, dtype=np.int64).ravel()
    if pixels is not None and (want_r.size == 0 or want_r.size != want_c.size):
        raise ValueError(f"pixels: {want_r.size} rows and {want_c.size} columns; give the same number, at least one")
    loss, r0, c0, z0 = _sk.p1812_disc_kernel(
        dem, clut, float(grid_x0), float(grid_y0), float(res_m), int(col0), int(row0), float(site_x), float(site_y),
        float(tx_height_m), float(rx_height_m), float(radius_m), nrad, s.ae_km, tables, s.zone, s.time_percent,
        s.vertical, s.coast_distance_km, s.coast_distance_km, s.with_beta, freqs, s.min_dist_m, want_r, want_c,
    )  # fmt: skip
    if math.isnan(z0):
        raise ExtentError(f"site at ({site_x:.1f}, {site_y:.1f}) m is not on the DEM (outside it, or on no data)")
    return P1812Disc(
        loss, int(r0), int(c0), tuple(float(f) for f in freqs_mhz), float(grid_x0), float(grid_y0), float(res_m),
        float(z0),
    )  # fmt: skip


def flat_loss_table(
    freq_mhz: float,
    tx_height_m: float,
    rx_height_m: float,
    clutter_height_m: float,
    max_dist_m: float,
    settings: P1812Settings,
    *,
    res_m: float = 30.0,
    lat_deg: float = 10.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """P.1812-6 loss (dB, p % of time, 50 % of locations) over flat ground uniformly covered by one clutter class.

    Ground at 0 m with the representative ``clutter_height_m`` at every intermediate point: the planner's
    approximation of a path (it knows the land cover at the receiver, not along the path). Distances are
    ``res_m`` apart up to ``max_dist_m``; below ``settings.min_dist_m`` the loss at that distance.

    Returns
    -------
    dist_m, loss_db : ndarray
        Distances (m) and losses (dB).
    """
    n = max(2, math.ceil(max_dist_m / res_m - 1e-9))
    width = n + 3
    dem = np.zeros((3, width), dtype=np.float32)
    clut = np.full((3, width), float(clutter_height_m), dtype=np.float32)
    site_x, site_y = 1.5 * res_m, -1.5 * res_m  # the centre of pixel (1, 1); pixels east of it are n res_m away
    radius = n * res_m
    disc = p1812_disc(
        dem, clut, 0.0, 0.0, res_m, 0, 0, site_x, site_y, tx_height_m, rx_height_m, radius, [freq_mhz], settings,
        tables=distance_tables(radius + 2.0 * res_m, settings, lat_deg), n_radials=4,
    )  # fmt: skip
    dist = np.arange(1, n + 1, dtype=np.float64) * res_m
    return dist, disc.at(site_x + dist, np.full(n, site_y), freq_mhz)
