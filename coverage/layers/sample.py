"""Seeded generator of the synthetic sample province "Tỉnh Mẫu".

The sample is a plausible but **invented** Mekong-delta province, modelled on public
facts about Hậu Giang (8 district-level units, about 75 communes and 500 hamlets,
730,000 people on 1,620 km² of flat land crossed by canals). Nothing in it is real
data: names are built from common Vietnamese syllables, boundaries from a Voronoi
diagram, sites, poles, ducts and fibre points from simple spatial rules.

Every random draw comes from one :func:`numpy.random.default_rng` seeded with
``seed``, in a fixed order, so :func:`write_sample_province` writes byte-identical
files for the same seed (with the same GDAL). Geometry is built in metres in UTM 48N
(EPSG:32648) and stored in EPSG:4326 rounded to 6 decimals (about 0.1 m).

Regenerate the embedded copy with ``python -m coverage.layers.sample --out data``.
"""

from __future__ import annotations

import argparse
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import rasterio.features
import shapely
from affine import Affine
from pyproj import Transformer
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import cKDTree
from shapely import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from coverage.layers.crs import STORAGE_CRS
from coverage.layers.hamlets import hamlets_from_points
from coverage.layers.schemas import ROAD_CLASSES, SCHEMAS, TENANT_SEP, landcover_classes
from coverage.layers.validate import check_project_layers, validate_layer

__all__ = ["SAMPLE_SEED", "SampleProvince", "generate_sample_province", "main", "write_sample_province"]

SAMPLE_SEED: int = 20250701
"""Seed of the committed sample (the date the districts were abolished)."""

# --- CRS and storage -----------------------------------------------------------------------------------
UTM_EPSG = 32648
"""CRS geometry is generated in (WGS 84 / UTM 48N, metres)."""
STORAGE_EPSG = STORAGE_CRS.to_epsg()
"""CRS layers are stored in (:data:`coverage.layers.crs.STORAGE_CRS`)."""
COORD_DECIMALS = 6
"""Decimals of stored coordinates (degrees; 1e-6 deg is about 0.11 m)."""

# --- province ------------------------------------------------------------------------------------------
PROVINCE_NAME = "Tỉnh Mẫu"
PROVINCE_CODE = "99"
POST2025_PROVINCE_NAME = "Thành phố Mẫu"
POST2025_PROVINCE_CODE = "98"
PROVINCE_CENTRE_LON_DEG = 105.65
PROVINCE_CENTRE_LAT_DEG = 9.80
PROVINCE_AREA_KM2 = 1620.0
PROVINCE_SEMI_AXES_KM = (26.0, 19.5)
"""Semi-axes (east-west, north-south) of the ellipse the outline is perturbed from, km."""
OUTLINE_VERTICES = 240
POPULATION = 730_000
"""Residents of the province (persons)."""
PERSONS_PER_HOUSEHOLD = 3.7
N_HAMLETS = 500
"""Hamlets (ấp, khu vực) in the province before the forest commune gets its extra ones."""
MIN_HAMLETS_PER_COMMUNE, MAX_HAMLETS_PER_COMMUNE = 3, 14
N_POST2025_COMMUNES = 28
POST2025_GROUP_SIZES = (2, 4)
"""Least and most pre2025 communes merged into one post2025 commune."""

# --- communes ------------------------------------------------------------------------------------------
RURAL_SEED_GRID_M = 500.0
"""Spacing of the grid the rural commune seeds are relaxed over (m)."""
TOWN_EXCLUSION_KM = 3.8
"""No rural commune seed closer than this to a town centre (km)."""
LLOYD_ITERATIONS = 25
ADJACENT_MIN_SHARED_M = 1.0
"""Two units are neighbours when their boundaries share at least this length (m)."""


@dataclass(frozen=True)
class _Town:
    """A district-level town: city or thị xã with wards around a centre."""

    prefix: str
    n_wards: int
    n_rural: int
    offset_km: tuple[float, float]
    ward_ring_km: float
    radius_km: float
    peak_density_km2: float
    sigma_km: float


TOWNS: tuple[_Town, ...] = (
    _Town("Thành phố", 5, 4, (-15.0, -3.0), 1.7, 2.2, 5200.0, 1.35),  # provincial capital (like Vị Thanh)
    _Town("Thành phố", 4, 2, (15.0, 8.0), 1.5, 1.8, 4800.0, 1.15),  # like Ngã Bảy
    _Town("Thị xã", 4, 5, (-3.0, -12.0), 1.5, 1.8, 3800.0, 1.05),  # like Long Mỹ
)
"""The three urban district-level units (capital first)."""
N_RURAL_DISTRICTS = 5
N_COMMUNES = 75
EXTRA_TOWNSHIPS = 2
"""Rural districts with a second thị trấn."""
TOWNSHIP_RADIUS_KM = 0.8
TOWNSHIP_PEAK_DENSITY_KM2 = 2600.0
TOWNSHIP_SIGMA_KM = 0.6

# --- density -------------------------------------------------------------------------------------------
DENSITY_GRID_M = 250.0
RURAL_BASE_DENSITY_KM2 = 170.0
ROADSIDE_DENSITY_KM2 = 950.0
ROADSIDE_DECAY_M = 250.0
FOREST_DENSITY_FACTOR = 0.3

# --- land cover ----------------------------------------------------------------------------------------
ORCHARD_ROADSIDE_M = 150.0
"""Orchards (vườn) line the canal-side roads this far on each side (m)."""
ORCHARD_HAMLET_M = 450.0
BUILT_STREET_M = 90.0
BUILT_HAMLET_M = 110.0

# --- water and roads -----------------------------------------------------------------------------------
CANAL_A_SPACING_KM = (2.0, 2.5)
"""Spacing range of the dense canal family (perpendicular to the main canal), km."""
CANAL_B_SPACING_KM = (4.0, 5.0)
"""Spacing range of the sparse canal family (parallel to the main canal), km."""
SECONDARY_CANAL_WIDTH_M = 24.0
CANAL_ROAD_OFFSET_M = 30.0
MAIN_ROAD_OFFSET_M = 40.0
ROAD_OVERSHOOT_M = 3.0
"""Roads are extended this far past their ends so they cross the road they join."""
DANGLE_MAX_M = 15.0
"""Dead-end road pieces shorter than this are dropped after noding."""
ROAD_CLIP_BUFFER_M = 500.0
WATER_CLIP_BUFFER_M = 4500.0
URBAN_GRID_M = 300.0
TOWNSHIP_GRID_M = 350.0
HAMLET_SPUR_MIN_M = 100.0
STREET_NAMES = (
    "Trần Hưng Đạo",
    "Nguyễn Trãi",
    "Lê Lợi",
    "Hùng Vương",
    "30 Tháng 4",
    "3 Tháng 2",
    "Nguyễn Huệ",
    "Lý Thường Kiệt",
    "Hai Bà Trưng",
    "Ngô Quyền",
    "Trần Phú",
    "Điện Biên Phủ",
    "Lê Hồng Phong",
    "Nguyễn Văn Cừ",
    "Võ Văn Kiệt",
    "Phan Đình Phùng",
    "Châu Văn Liêm",
    "Nguyễn Thái Học",
)

# --- gaps ----------------------------------------------------------------------------------------------
MOBILE_GAP_KM = 6.0
"""A planted mobile-gap hamlet has no site within this distance of its centroid."""
FIBRE_GAP_KM = 3.0
"""A planted fibre-gap hamlet has no fibre access point within this distance of its centroid."""
GAP_MARGIN_M = 300.0
FOREST_HAMLETS = 4
"""Hamlets placed in the remote melaleuca forest (the planted mobile gaps)."""
FOREST_RADIUS_KM = 4.5
FOREST_HAMLET_SHARE = 0.6
"""A forest hamlet's population draw is scaled by this (they are small)."""
MIN_PLANTED_GAPS, MAX_PLANTED_GAPS = 3, 6
"""Least and most hamlets of each planted gap kind."""

# --- sites and radio -----------------------------------------------------------------------------------
RURAL_SPACING_KM = {"Viettel": 2.9, "VNPT": 3.9, "MobiFone": 4.3}
"""Spacing of each operator's rural hexagonal site grid (km); Viettel's is the densest."""
URBAN_SPACING_KM = {"Viettel": 0.8, "VNPT": 1.1, "MobiFone": 1.1, "Vietnamobile": 1.6}
"""Spacing of each operator's site grid in the three towns (km)."""
VIETNAMOBILE_ROAD_SPACING_KM = 5.0
"""Vietnamobile's rural sites follow the national roads at this spacing (km)."""
SITE_SHARING_TARGET = 0.15
"""Share of sites with two or more tenants."""
SHARE_MAX_DISTANCE_KM = {"rural": 1.3, "urban": 0.45}
"""A site is co-located onto another operator's mast at most this far away (km)."""
TOWERCO = "Công ty Hạ tầng Mẫu"
"""Invented tower company owning some masts."""
TOWERCO_SHARED_P = 0.25
"""Probability that a shared mast belongs to the tower company."""
TOWERCO_SINGLE_P = 0.04
"""Probability that a single-tenant mast belongs to the tower company."""
SECTORS = 3
SECTOR_AZIMUTHS_DEG = (0.0, 120.0, 240.0)


@dataclass(frozen=True)
class _Carrier:
    """One radio carrier an operator deploys (band, width, power choices, antenna)."""

    technology: str
    label: str
    band_mhz: float
    bandwidth_mhz: float
    tx_power_dbm: tuple[float, ...]
    gain_dbi: float
    vbw_deg: float


CARRIERS: dict[tuple[str, str], _Carrier] = {
    ("Viettel", "1800"): _Carrier("4G", "1800", 1855.0, 20.0, (43.0, 44.8, 46.0), 17.5, 6.5),
    ("VNPT", "1800"): _Carrier("4G", "1800", 1835.0, 20.0, (43.0, 44.8, 46.0), 17.5, 6.5),
    ("MobiFone", "1800"): _Carrier("4G", "1800", 1817.5, 15.0, (43.0, 44.8, 46.0), 17.5, 6.5),
    ("Vietnamobile", "1800"): _Carrier("4G", "1800", 1872.5, 15.0, (43.0, 44.8), 17.0, 7.0),
    ("Viettel", "900"): _Carrier("4G", "900", 950.0, 10.0, (40.0, 43.0), 15.5, 10.0),
    ("VNPT", "900"): _Carrier("4G", "900", 940.0, 10.0, (40.0, 43.0), 15.5, 10.0),
    ("MobiFone", "900"): _Carrier("4G", "900", 930.0, 5.0, (40.0, 43.0), 15.5, 10.0),
    ("Viettel", "700"): _Carrier("4G", "700", 763.0, 10.0, (43.0,), 15.0, 10.0),
    ("MobiFone", "700"): _Carrier("4G", "700", 783.0, 10.0, (43.0,), 15.0, 10.0),
    ("Viettel", "2600"): _Carrier("5G", "2600", 2550.0, 100.0, (49.0, 51.0, 53.0), 24.0, 11.0),
    ("VNPT", "3700"): _Carrier("5G", "3700", 3750.0, 100.0, (49.0, 51.0, 53.0), 24.0, 11.0),
    ("MobiFone", "3600"): _Carrier("5G", "3600", 3650.0, 100.0, (49.0, 51.0, 53.0), 24.0, 11.0),
}
"""Carriers by (operator, band label): downlink centre MHz, width MHz, power dBm, gain dBi, vbw deg."""
LOW_BAND_PROBABILITY = {
    ("Viettel", "900"): 0.6,
    ("VNPT", "900"): 0.45,
    ("MobiFone", "900"): 0.4,
    ("Viettel", "700"): 0.35,
    ("MobiFone", "700"): 0.2,
}
"""Probability that a rural (site, operator) also carries a low-band layer."""
FIVE_G_BAND = {"Viettel": "2600", "VNPT": "3700", "MobiFone": "3600"}
FIVE_G_PROBABILITY = {"town": 0.45, "township": 0.15, "rural": 0.0}
"""Probability that a (site, operator) carries 5G, by setting."""
HBW_DEG = 65.0
"""Horizontal beamwidth of every sector antenna (deg)."""
TOTAL_TILT_DEG = {"town": (4.0, 8.0), "township": (2.0, 6.0), "rural": (2.0, 6.0)}
"""Range of mechanical plus electrical downtilt (deg), by setting."""
TENANT_HEIGHT_STEP_M = 4.0
"""Each further tenant of a mast mounts its antennas this much lower (m)."""

# --- poles, ducts, fibre -------------------------------------------------------------------------------
POLE_TARGET = 11_000
"""About this many poles; the spacing along the roads follows from it (at least 50 m)."""
POLE_CLASSES = ("national", "provincial", "district", "urban")
"""Road classes lined with poles."""
POLE_NO_TELECOM = 0.15
"""Share of road stretches whose poles carry power only."""
POLE_TENANT_COUNT_P = (0.6, 0.3, 0.1)
"""Probability that a telecom-carrying road stretch has 1, 2 or 3 cable operators."""
POLE_OPERATORS = ("VNPT", "Viettel", "FPT", "MobiFone", "CMC")
POLE_OPERATOR_WEIGHTS = (0.35, 0.35, 0.18, 0.06, 0.06)
POLE_EVN_OWNED = 0.8
"""Share of telecom-carrying stretches whose poles the power utility EVN owns."""
DUCT_RADIUS_KM = 1.2
"""Ducts lie under the urban and main roads within this distance of a town centre (km)."""
DUCT_SHARED = 0.06
"""Share of ducts carrying a second operator's cables."""
DUCT_OWNERS = ("VNPT", "Viettel", "FPT")
DUCT_OWNER_P = (0.5, 0.4, 0.1)
SPLITTER_P = {"Viettel": (0.85, 0.85), "VNPT": (0.7, 0.7), "FPT": (0.25, 0.05)}
"""Probability that an operator has a splitter by a hamlet: (urban district, rural district)."""

_TOWN_STRUCTURE_P = (0.55, 0.45)  # rooftop, monopole
_ROAD_RANK = {c: i for i, c in enumerate(ROAD_CLASSES)}

SYLLABLES = (
    "Tân",
    "Phú",
    "Long",
    "Hòa",
    "Thạnh",
    "Vĩnh",
    "Bình",
    "Mỹ",
    "Hiệp",
    "Đông",
    "Tây",
    "Phước",
    "Thuận",
    "An",
    "Lợi",
    "Hưng",
    "Thới",
    "Lộc",
    "Thành",
    "Trung",
    "Nhơn",
    "Khánh",
    "Xuân",
    "Quới",
    "Điền",
    "Hội",
    "Tài",
    "Đức",
    "Nghĩa",
    "Hậu",
    "Thọ",
    "Định",
    "Phong",
    "Quý",
    "Hảo",
    "Phụng",
)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")

_WGS84_TO_UTM = Transformer.from_crs(STORAGE_EPSG, UTM_EPSG, always_xy=True)
_UTM_TO_WGS84 = Transformer.from_crs(UTM_EPSG, STORAGE_EPSG, always_xy=True)


# =======================================================================================================
# result
# =======================================================================================================


@dataclass(frozen=True)
class SampleProvince:
    """The generated sample province.

    Attributes
    ----------
    layers : dict of str to DataFrame
        Layers by name (keys of :data:`coverage.layers.SCHEMAS`), in EPSG:4326, columns in
        schema order and dtypes.
    dem : numpy.ndarray
        Elevation, float32, metres above sea level (rows north to south).
    landcover : numpy.ndarray
        Land-cover codes, uint8, from ``coverage/data/landcover.toml``.
    transform : affine.Affine
        Pixel-to-EPSG:4326 transform shared by both rasters (1 arc-second pixels).
    gaps : pandas.DataFrame
        The planted gaps: ``hamlet_id``, ``gap`` (``"mobile"`` or ``"fibre"``), ``note``.
    seed : int
        Seed the province was generated from.
    """

    layers: dict[str, pd.DataFrame]
    dem: np.ndarray
    landcover: np.ndarray
    transform: Affine
    gaps: pd.DataFrame
    seed: int
    crs: str = "EPSG:4326"


# =======================================================================================================
# small helpers
# =======================================================================================================


def _points(xy: np.ndarray) -> np.ndarray:
    """Point geometries (object array) of the rows of ``xy`` (n, 2)."""
    pts = shapely.points(xy)
    assert isinstance(pts, np.ndarray)  # (n, 2) coordinates give an array, never a single Point
    return pts


def _to_lonlat(geoms: np.ndarray) -> np.ndarray:
    """UTM geometries to EPSG:4326, coordinates rounded to :data:`COORD_DECIMALS`."""

    def _xy(c: np.ndarray) -> np.ndarray:
        lon, lat = _UTM_TO_WGS84.transform(c[:, 0], c[:, 1])
        return np.round(np.column_stack([lon, lat]), COORD_DECIMALS)

    return shapely.transform(np.asarray(geoms, dtype=object), _xy)


def _to_utm(geoms: np.ndarray) -> np.ndarray:
    """EPSG:4326 geometries to UTM 48N."""

    def _xy(c: np.ndarray) -> np.ndarray:
        return np.column_stack(_WGS84_TO_UTM.transform(c[:, 0], c[:, 1]))

    return shapely.transform(np.asarray(geoms, dtype=object), _xy)


def _round_lonlat(geoms: np.ndarray) -> np.ndarray:
    """EPSG:4326 geometries with coordinates rounded to :data:`COORD_DECIMALS`."""
    return shapely.transform(np.asarray(geoms, dtype=object), lambda c: np.round(c, COORD_DECIMALS))


def _ascii(name: str) -> str:
    """``name`` without Vietnamese diacritics."""
    s = name.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def _unit(angle_rad: float) -> np.ndarray:
    """Unit vector at ``angle_rad`` clockwise from north (x east, y north)."""
    return np.array([math.sin(angle_rad), math.cos(angle_rad)])


def _largest_remainder(weights: np.ndarray, total: int, minimum: int = 0) -> np.ndarray:
    """Integers proportional to ``weights`` summing to ``total``, each at least ``minimum``."""
    w = np.asarray(weights, dtype=np.float64)
    base = np.full(w.size, minimum, dtype=np.int64)
    rest = total - int(base.sum())
    share = w / w.sum() * rest
    out = base + np.floor(share).astype(np.int64)
    short = total - int(out.sum())
    order = np.argsort(-(share - np.floor(share)), kind="stable")
    out[order[:short]] += 1
    return out


class _Names:
    """Draws unique Vietnamese-looking two-syllable names."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def draw(self, used: set[str] | None = None) -> str:
        taken = self.used if used is None else used
        for _ in range(10_000):
            a, b = self.rng.choice(len(SYLLABLES), 2, replace=False)
            name = f"{SYLLABLES[a]} {SYLLABLES[b]}"
            if name not in taken:
                taken.add(name)
                return name
        raise RuntimeError("ran out of names")


def _smooth_field(
    rng: np.random.Generator, n_waves: int, wavelength_m: tuple[float, float]
) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A smooth random function of (x, y) in metres: a sum of plane waves, mean 0, amplitude ~1."""
    k = 2 * np.pi / rng.uniform(*wavelength_m, n_waves)
    ang = rng.uniform(0, 2 * np.pi, n_waves)
    ph = rng.uniform(0, 2 * np.pi, n_waves)

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        arg = np.multiply.outer(x, k * np.cos(ang)) + np.multiply.outer(y, k * np.sin(ang)) + ph
        return np.cos(arg).sum(axis=-1) / math.sqrt(n_waves / 2)

    return f


def _explode_lines(geoms: np.ndarray, index: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """LineString parts of geometries, with the index of the geometry each came from."""
    idx = np.arange(len(geoms)) if index is None else index
    parts, owner = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    keep = (shapely.get_type_id(parts) == 1) & ~shapely.is_empty(parts)
    return parts[keep], idx[owner[keep]]


def _adjacency(geoms: np.ndarray) -> list[set[int]]:
    """Neighbours of each polygon (sharing a boundary of at least ADJACENT_MIN_SHARED_M)."""
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    shared = shapely.length(shapely.intersection(shapely.boundary(geoms[a]), shapely.boundary(geoms[b])))
    adj: list[set[int]] = [set() for _ in range(len(geoms))]
    for i, j in zip(a[shared >= ADJACENT_MIN_SHARED_M], b[shared >= ADJACENT_MIN_SHARED_M], strict=True):
        adj[int(i)].add(int(j))
        adj[int(j)].add(int(i))
    return adj


def _grid_inside(poly: Polygon, spacing_m: float) -> np.ndarray:
    """Centres of a square grid (spacing in metres) that fall inside ``poly``, shape (n, 2)."""
    xmin, ymin, xmax, ymax = poly.bounds
    xs = np.arange(xmin + spacing_m / 2, xmax, spacing_m)
    ys = np.arange(ymin + spacing_m / 2, ymax, spacing_m)
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    inside = shapely.contains_xy(poly, gx, gy)
    return np.column_stack([gx[inside], gy[inside]])


# =======================================================================================================
# province, communes, districts
# =======================================================================================================


def _centre_utm() -> np.ndarray:
    """The province centre in UTM (x, y) metres."""
    return np.array(_WGS84_TO_UTM.transform(PROVINCE_CENTRE_LON_DEG, PROVINCE_CENTRE_LAT_DEG))


def _province_outline(rng: np.random.Generator) -> Polygon:
    """Irregular province outline (UTM) of exactly PROVINCE_AREA_KM2, around the province centre.

    An ellipse perturbed by a few low harmonics and a little smoothed noise, scaled to the area.
    """
    theta = np.linspace(0.0, 2 * np.pi, OUTLINE_VERTICES, endpoint=False)
    a, b = (1000.0 * s for s in PROVINCE_SEMI_AXES_KM)
    r = a * b / np.sqrt((b * np.cos(theta)) ** 2 + (a * np.sin(theta)) ** 2)
    k = np.arange(2, 8)
    amp = rng.uniform(0.02, 0.07, k.size) / np.sqrt(k - 1)
    phase = rng.uniform(0, 2 * np.pi, k.size)
    r = r * (1 + (amp[:, None] * np.cos(k[:, None] * theta + phase[:, None])).sum(axis=0))
    noise = rng.standard_normal(theta.size)
    kernel = np.ones(5) / 5
    noise = np.convolve(np.concatenate([noise[-2:], noise, noise[:2]]), kernel, mode="valid")
    r = r * (1 + 0.012 * noise)
    rot = rng.uniform(-0.2, 0.2)
    x, y = r * np.cos(theta + rot), r * np.sin(theta + rot)
    poly = Polygon(np.column_stack([x, y]))
    scale = math.sqrt(PROVINCE_AREA_KM2 * 1e6 / poly.area)
    c = _centre_utm()
    return Polygon(np.column_stack([x * scale + c[0], y * scale + c[1]]))


@dataclass
class _Communes:
    """Pre2025 communes under construction (UTM)."""

    geoms: np.ndarray
    seeds: np.ndarray
    town: np.ndarray  # index into TOWNS for wards, -1 otherwise
    seat: np.ndarray  # True for the commune holding its district's seat
    district: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    kind: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))  # ward / township / rural

    def take(self, order: np.ndarray) -> _Communes:
        """The communes reordered (or subset) by ``order``."""
        return _Communes(
            self.geoms[order],
            self.seeds[order],
            self.town[order],
            self.seat[order],
            self.district[order],
            self.kind[order],
        )


def _commune_seeds(rng: np.random.Generator, outline: Polygon, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Voronoi seeds of the communes (UTM): ward rings around the towns, relaxed rural seeds elsewhere."""
    seeds, town = [], []
    for t, (spec, c) in enumerate(zip(TOWNS, centres, strict=True)):
        seeds.append(c + rng.normal(0, 120.0, 2))
        town.append(t)
        n = spec.n_wards - 1
        ang = rng.uniform(0, 2 * np.pi) + 2 * np.pi * np.arange(n) / n + rng.uniform(-0.3, 0.3, n)
        rad = 1000.0 * spec.ward_ring_km * rng.uniform(0.85, 1.15, n)
        seeds.extend(c + np.column_stack([rad * np.sin(ang), rad * np.cos(ang)]))
        town.extend([t] * n)
    n_rural = N_COMMUNES - sum(t.n_wards for t in TOWNS)
    pts = _grid_inside(outline, RURAL_SEED_GRID_M)
    far = np.min(np.linalg.norm(pts[:, None, :] - centres[None], axis=2), axis=1) > 1000.0 * TOWN_EXCLUSION_KM
    pts = pts[far]
    field_ = _smooth_field(rng, 6, (15_000.0, 40_000.0))
    w = np.exp(0.4 * field_(pts[:, 0], pts[:, 1]))  # larger weight: smaller communes
    c = pts[rng.choice(len(pts), n_rural, replace=False)]
    for _ in range(LLOYD_ITERATIONS):
        lab = np.argmin(((pts[:, None, :] - c[None]) ** 2).sum(axis=2), axis=1)
        mass = np.bincount(lab, weights=w, minlength=n_rural)
        sx = np.bincount(lab, weights=w * pts[:, 0], minlength=n_rural)
        sy = np.bincount(lab, weights=w * pts[:, 1], minlength=n_rural)
        ok = mass > 0
        c[ok] = np.column_stack([sx[ok] / mass[ok], sy[ok] / mass[ok]])
    seeds.extend(c)
    town.extend([-1] * n_rural)
    return np.asarray(seeds), np.asarray(town, dtype=np.int64)


def _communes(rng: np.random.Generator, outline: Polygon, centres: np.ndarray) -> _Communes:
    """Commune polygons (UTM) tiling the outline exactly: a Voronoi diagram noded with the outline."""
    seeds, town = _commune_seeds(rng, outline, centres)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=outline.buffer(50_000.0), ordered=True)
    )
    if len(cells) != len(seeds):
        raise RuntimeError("Voronoi diagram lost a seed")
    lines = shapely.union_all(np.concatenate([shapely.boundary(cells), [outline.exterior]]))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    rep = shapely.point_on_surface(faces)
    inside = shapely.contains(outline, rep)
    faces, rep = faces[inside], rep[inside]
    fi, ci = shapely.STRtree(cells).query(rep, predicate="within")
    geoms = np.empty(len(seeds), dtype=object)
    for k in range(len(seeds)):
        parts = faces[fi[ci == k]]
        if len(parts) == 0:
            raise RuntimeError(f"commune seed {k} has no area inside the province")
        geoms[k] = parts[0] if len(parts) == 1 else shapely.MultiPolygon(list(parts))
    seat = np.zeros(len(seeds), dtype=bool)
    seat[[int(np.flatnonzero(town == t)[0]) for t in range(len(TOWNS))]] = True
    return _Communes(geoms, seeds, town, seat)


RURAL_DISTRICT_TRIES = 40
"""Random starts of the rural-district growth; the most even split wins."""


def _grow_rural_districts(
    rng: np.random.Generator, district: np.ndarray, adj: list[set[int]], seeds: np.ndarray
) -> np.ndarray:
    """Split the communes not yet in a town district into N_RURAL_DISTRICTS contiguous districts.

    Districts grow from far-apart cores, the smallest one taking its nearest free
    neighbour each step; of RURAL_DISTRICT_TRIES random starts the most even split wins.
    """
    free = np.flatnonzero(district < 0)
    first = len(TOWNS)
    best, best_spread = district, np.inf
    for _ in range(RURAL_DISTRICT_TRIES):
        out = district.copy()
        cores = [int(free[rng.integers(free.size)])]
        for _ in range(N_RURAL_DISTRICTS - 1):
            d = np.min(np.linalg.norm(seeds[free][:, None] - seeds[cores][None], axis=2), axis=1)
            cores.append(int(free[int(np.argmax(d))]))
        for k, c in enumerate(cores):
            out[c] = first + k
        while (out < 0).any():
            sizes = np.bincount(out[out >= 0], minlength=first + N_RURAL_DISTRICTS)
            grown = False
            for dk in np.argsort(sizes[first:], kind="stable") + first:
                members = np.flatnonzero(out == dk)
                cand = sorted({j for i in members for j in adj[i] if out[j] < 0})
                if cand:
                    d = np.linalg.norm(seeds[cand] - seeds[cores[dk - first]], axis=1)
                    out[cand[int(np.argmin(d))]] = dk
                    grown = True
                    break
            if not grown:  # free communes reachable only through a town district: join a neighbour
                for i in np.flatnonzero(out < 0):
                    nb = [j for j in adj[i] if out[j] >= 0]
                    if nb:
                        out[i] = out[nb[0]]
        sizes = np.bincount(out, minlength=first + N_RURAL_DISTRICTS)[first:]
        spread = float(sizes.max() - sizes.min())
        if spread < best_spread:
            best, best_spread = out, spread
    return best


def _group_districts(rng: np.random.Generator, com: _Communes, centres: np.ndarray) -> None:
    """Assign each commune a district (0-2 the towns, 3-7 rural) and a kind, growing contiguous districts."""
    n = len(com.geoms)
    adj = _adjacency(com.geoms)
    district = np.full(n, -1, dtype=np.int64)
    kind = np.full(n, "rural", dtype=object)
    for t in range(len(TOWNS)):
        district[com.town == t] = t
        kind[com.town == t] = "ward"
    for t, spec in enumerate(TOWNS):
        for _ in range(spec.n_rural):
            members = np.flatnonzero(district == t)
            cand = sorted({j for i in members for j in adj[i] if district[j] < 0})
            if not cand:
                break
            d = np.linalg.norm(com.seeds[cand] - centres[t], axis=1)
            district[cand[int(np.argmin(d))]] = t
    district = _grow_rural_districts(rng, district, adj, com.seeds)
    com.district = district
    # thị trấn: the commune nearest its rural district's centroid; two districts get a second one
    for dk in range(len(TOWNS), len(TOWNS) + N_RURAL_DISTRICTS):
        members = np.flatnonzero(district == dk)
        centroid = shapely.centroid(shapely.union_all(com.geoms[members]))
        d = shapely.distance(centroid, shapely.points(com.seeds[members]))
        kind[members[int(np.argmin(d))]] = "township"
        com.seat[members[int(np.argmin(d))]] = True
    sizes = np.array([np.sum(district == dk) for dk in range(len(TOWNS), len(TOWNS) + N_RURAL_DISTRICTS)])
    for dk in np.argsort(-sizes, kind="stable")[:EXTRA_TOWNSHIPS] + len(TOWNS):
        members = np.flatnonzero(district == dk)
        seat = members[com.seat[members]][0]
        d = np.linalg.norm(com.seeds[members] - com.seeds[seat], axis=1)
        kind[members[int(np.argmax(d))]] = "township"
    com.kind = kind


def _merge_groups(
    rng: np.random.Generator, members: np.ndarray, adj: list[set[int]], k: int, seeds: np.ndarray
) -> list[list[int]]:
    """Partition ``members`` (one district) into ``k`` contiguous groups of 2-4 communes."""
    lo, hi = POST2025_GROUP_SIZES
    mset = set(int(m) for m in members)
    for _ in range(2000):
        first = int(members[rng.integers(members.size)])
        cores = [first]
        for _ in range(k - 1):
            d = np.min(np.linalg.norm(seeds[members][:, None] - seeds[cores][None], axis=2), axis=1)
            d = d * rng.uniform(0.7, 1.0, d.size)
            cores.append(int(members[int(np.argmax(d))]))
        group = {c: g for g, c in enumerate(cores)}
        sizes = [1] * k
        while len(group) < len(mset):
            options = [
                (sizes[g], rng.random(), g, j)
                for c, g in group.items()
                for j in adj[c]
                if j in mset and j not in group and sizes[g] < hi
            ]
            if not options:
                break
            _, _, g, j = min(options)
            group[j] = g
            sizes[g] += 1
        if len(group) == len(mset) and min(sizes) >= lo and max(sizes) <= hi:
            out: list[list[int]] = [[] for _ in range(k)]
            for c in sorted(group):
                out[group[c]].append(c)
            return out
    raise RuntimeError("could not partition a district into post2025 communes")


# =======================================================================================================
# water and roads
# =======================================================================================================


@dataclass
class _Water:
    """Waterways (UTM): main channels with widths, and the two secondary canal families."""

    main: list[tuple[BaseGeometry, float]]  # channels clipped to the province (Multi)LineStrings
    canal_a: np.ndarray
    canal_b: np.ndarray
    axis: np.ndarray  # unit vector along the main canal
    axis2: np.ndarray  # unit vector along the second main canal


def _meander(rng: np.random.Generator, start: np.ndarray, azimuth: float, length_m: float) -> LineString:
    """A meandering river from ``start`` along ``azimuth`` (radians clockwise from north)."""
    s = np.arange(0.0, length_m, 200.0)
    u, n = _unit(azimuth), _unit(azimuth + np.pi / 2)
    lam = rng.uniform(4000.0, 6000.0), rng.uniform(1800.0, 2600.0)
    ph = rng.uniform(0, 2 * np.pi, 2)
    off = 500.0 * np.sin(2 * np.pi * s / lam[0] + ph[0]) + 220.0 * np.sin(2 * np.pi * s / lam[1] + ph[1])
    off = off - off[0]
    return LineString(start + np.outer(s, u) + np.outer(off, n))


def _canal_family(
    rng: np.random.Generator,
    extent: Polygon,
    origin: np.ndarray,
    along: np.ndarray,
    spacing_km: tuple[float, float],
    avoid_m: float,
) -> np.ndarray:
    """Parallel straight canals crossing ``extent``: direction ``along``, spaced across it."""
    across = np.array([along[1], -along[0]])
    coords = np.asarray(extent.exterior.coords) - origin
    proj = coords @ across
    lo, hi = proj.min(), proj.max()
    pos = lo + rng.uniform(0.2, 1.0) * 1000.0 * spacing_km[0]
    lines = []
    while pos < hi:
        if abs(pos) > avoid_m:
            tilt = rng.uniform(-0.008, 0.008)
            d = along + tilt * across
            d = d / np.linalg.norm(d)
            p = origin + pos * across
            lines.append(LineString([p - 90_000.0 * d, p + 90_000.0 * d]))
        pos += 1000.0 * rng.uniform(*spacing_km)
    clipped = shapely.intersection(np.array(lines, dtype=object), extent)
    parts, _ = _explode_lines(clipped)
    return parts[shapely.length(parts) > 1500.0]


def _waterways(rng: np.random.Generator, outline: Polygon, centres: np.ndarray) -> _Water:
    """Main canals through the towns, two rivers, and a rotated grid of secondary canals."""
    extent = outline.buffer(WATER_CLIP_BUFFER_M)
    az1 = math.radians(50.0 + rng.uniform(-5.0, 5.0))
    u1 = _unit(az1)
    u2 = (centres[2] - centres[1]) / np.linalg.norm(centres[2] - centres[1])
    k1 = LineString([centres[0] - 90_000.0 * u1, centres[0] + 90_000.0 * u1])
    k2 = LineString([centres[1] - 90_000.0 * u2, centres[1] + 90_000.0 * u2])
    r1a = _meander(rng, centres[0], math.radians(200.0 + rng.uniform(-10, 10)), 60_000.0)
    r1b = _meander(rng, centres[0], math.radians(330.0 + rng.uniform(-10, 10)), 60_000.0)
    r2 = _meander(rng, centres[1], math.radians(70.0 + rng.uniform(-10, 10)), 60_000.0)
    main: list[tuple[BaseGeometry, float]] = [(k1, 60.0), (k2, 70.0), (r1a, 160.0), (r1b, 130.0), (r2, 120.0)]
    main = [(shapely.intersection(g, extent), w) for g, w in main]
    canal_a = _canal_family(rng, extent, centres[0], np.array([u1[1], -u1[0]]), CANAL_A_SPACING_KM, 0.0)
    canal_b = _canal_family(rng, extent, centres[0], u1, CANAL_B_SPACING_KM, 1200.0)
    return _Water(main, canal_a, canal_b, u1, u2)


@dataclass
class _Roads:
    """Road network (UTM): noded pieces with class and name."""

    geoms: np.ndarray
    road_class: np.ndarray
    name: np.ndarray


def _seats(com: _Communes, water: _Water, centres: np.ndarray) -> np.ndarray:
    """Seats (UTM) of each district (0-7) then of the extra townships: towns at their centres,
    rural seats at a canal-road crossing inside their thị trấn."""
    road_a = shapely.offset_curve(water.canal_a, CANAL_ROAD_OFFSET_M)
    road_b = shapely.offset_curve(water.canal_b, CANAL_ROAD_OFFSET_M)
    cross = shapely.intersection(road_a[:, None], road_b[None, :]).ravel()
    cross = shapely.get_parts(cross[~shapely.is_empty(cross)])
    cross = cross[shapely.get_type_id(cross) == 0]
    xy = shapely.get_coordinates(cross)
    seats = [c for c in centres]
    order = [
        np.flatnonzero((com.district == dk) & com.seat)[0] for dk in range(len(TOWNS), len(TOWNS) + N_RURAL_DISTRICTS)
    ]
    order += list(np.flatnonzero((com.kind == "township") & ~com.seat))
    for i in order:
        inner = com.geoms[i].buffer(-300.0)
        ok = shapely.contains_xy(inner, xy[:, 0], xy[:, 1]) if len(xy) else np.zeros(0, dtype=bool)
        if ok.any():
            cand = xy[ok]
            seats.append(cand[int(np.argmin(np.linalg.norm(cand - com.seeds[i], axis=1)))])
        else:
            seats.append(np.asarray(shapely.get_coordinates(shapely.point_on_surface(com.geoms[i]))[0]))
    return np.asarray(seats)


def _extend(line: LineString, by_m: float) -> LineString:
    """``line`` with both end segments extended by ``by_m`` metres."""
    c = np.asarray(line.coords)
    d0 = (c[0] - c[1]) / np.linalg.norm(c[0] - c[1])
    d1 = (c[-1] - c[-2]) / np.linalg.norm(c[-1] - c[-2])
    c = c.copy()
    c[0] = c[0] + by_m * d0
    c[-1] = c[-1] + by_m * d1
    return LineString(c)


def _grid_streets(
    rng: np.random.Generator, centre: np.ndarray, axis: np.ndarray, radius_m: float, spacing_m: float
) -> list[LineString]:
    """A street grid aligned with ``axis``, clipped to a ragged disk; lines offset half a block from the centre."""
    across = np.array([axis[1], -axis[0]])
    out = []
    for u, v in ((axis, across), (across, axis)):
        k = np.arange(-int(radius_m // spacing_m) - 1, int(radius_m // spacing_m) + 1)
        off = (k + 0.5) * spacing_m
        for o in off:
            r = radius_m * rng.uniform(0.8, 1.1)
            if abs(o) >= r:
                continue
            h = math.sqrt(r * r - o * o)
            p = centre + o * v
            out.append(LineString([p - h * u, p + h * u]))
    return out


def _road_lines(
    rng: np.random.Generator, outline: Polygon, water: _Water, seats: np.ndarray
) -> tuple[list[LineString], list[str], list[str | None]]:
    """Road centre-lines before noding: national, provincial, canal-side, urban grids."""
    geoms: list[LineString] = []
    classes: list[str] = []
    labels: list[str | None] = []
    clip = outline.buffer(ROAD_CLIP_BUFFER_M)

    def add(g: BaseGeometry, cls: str, name: str | None) -> None:
        parts, _ = _explode_lines(np.array([shapely.intersection(g, clip)], dtype=object))
        for p in parts:
            geoms.append(p)
            classes.append(cls)
            labels.append(name)

    centres = seats[: len(TOWNS)]
    k1 = water.main[0][0]
    add(shapely.offset_curve(k1, MAIN_ROAD_OFFSET_M), "national", "Quốc lộ 61")
    add(shapely.offset_curve(water.main[1][0], -MAIN_ROAD_OFFSET_M), "national", "Quốc lộ 61B")
    u = _unit(math.radians(340.0 + rng.uniform(-6, 6)))
    add(LineString([centres[1] - 90_000.0 * u, centres[1] + 90_000.0 * u]), "national", "Quốc lộ 1A")
    national = shapely.union_all(np.array(geoms, dtype=object))
    # provincial roads: minimum spanning tree over the seats, plus the two shortest extra links
    d = np.linalg.norm(seats[:, None] - seats[None], axis=2)
    mst = minimum_spanning_tree(d).toarray()
    edges = [(int(i), int(j)) for i, j in zip(*np.nonzero(mst), strict=True)]
    iu, ju = np.triu_indices(len(seats), 1)
    extra = [
        (int(i), int(j))
        for i, j in zip(iu[np.argsort(d[iu, ju])], ju[np.argsort(d[iu, ju])], strict=True)
        if (i, j) not in edges and (j, i) not in edges
    ][:2]
    number = 991
    for i, j in edges + extra:
        a, b = seats[i], seats[j]
        n = np.array([(b - a)[1], -(b - a)[0]])
        mid = (a + b) / 2 + n * rng.uniform(-0.08, 0.08)
        add(_extend(LineString([a, mid, b]), ROAD_OVERSHOOT_M), "provincial", f"Đường tỉnh {number}")
        number += 1
    for s in seats[len(TOWNS) :]:
        near = shapely.shortest_line(Point(s), national)
        if near.length > 300.0:
            add(_extend(near, ROAD_OVERSHOOT_M), "provincial", f"Đường tỉnh {number}")
            number += 1
    # canal-side roads
    for k, c in enumerate(water.canal_b):
        side = rng.choice([-1.0, 1.0])
        add(shapely.offset_curve(c, side * CANAL_ROAD_OFFSET_M), "district", f"Đường huyện {k + 1:02d}")
    road_a = shapely.offset_curve(water.canal_a, CANAL_ROAD_OFFSET_M)
    for c in road_a:
        add(c, "commune", None)
    # street grids
    for t, spec in enumerate(TOWNS):
        axis = water.axis if t == 0 else water.axis2
        streets = _grid_streets(rng, seats[t], axis, 1000.0 * spec.radius_km, URBAN_GRID_M)
        pick = rng.choice(len(STREET_NAMES), len(streets))
        for s, p in zip(streets, pick, strict=True):
            add(s, "urban", f"Đường {STREET_NAMES[p]}")
    for s in seats[len(TOWNS) :]:
        for g in _grid_streets(rng, s, water.axis, 1000.0 * TOWNSHIP_RADIUS_KM, TOWNSHIP_GRID_M):
            add(g, "urban", None)
    return geoms, classes, labels


def _node_roads(geoms: list[LineString], classes: list[str], labels: list[str | None]) -> _Roads:
    """Split the roads at every junction, label pieces by their best source road, drop short dead ends
    and anything not connected to the main network."""
    src = np.array(geoms, dtype=object)
    noded = shapely.get_parts(shapely.union_all(src))
    noded = noded[shapely.length(noded) > 0.01]
    mid = shapely.line_interpolate_point(noded, 0.5, normalized=True)
    pi, si = shapely.STRtree(src).query(mid, predicate="dwithin", distance=0.05)
    rank = np.array([_ROAD_RANK[c] for c in classes])
    order = np.lexsort((si, rank[si], pi))
    pi, si = pi[order], si[order]
    first = np.unique(pi, return_index=True)[1]
    best = np.full(len(noded), -1, dtype=np.int64)
    best[pi[first]] = si[first]
    keep = best >= 0
    noded, best = noded[keep], best[keep]
    for _ in range(3):
        ends = np.concatenate(
            [
                shapely.get_coordinates(shapely.get_point(noded, 0)),
                shapely.get_coordinates(shapely.get_point(noded, -1)),
            ]
        )
        key = np.round(ends, 3)
        _, inv, cnt = np.unique(key, axis=0, return_inverse=True, return_counts=True)
        deg = cnt[inv.ravel()]
        n = len(noded)
        dangling = (deg[:n] == 1) | (deg[n:] == 1)
        drop = dangling & (shapely.length(noded) < DANGLE_MAX_M)
        if not drop.any():
            break
        noded, best = noded[~drop], best[~drop]
    # keep the connected network only (a street chord near a town's edge may touch nothing)
    ends = np.concatenate(
        [shapely.get_coordinates(shapely.get_point(noded, 0)), shapely.get_coordinates(shapely.get_point(noded, -1))]
    )
    _, node = np.unique(ends, axis=0, return_inverse=True)
    node = node.ravel()
    n = len(noded)
    graph = coo_matrix((np.ones(n), (node[:n], node[n:])), shape=(int(node.max()) + 1,) * 2)
    _, label = connected_components(graph, directed=False)
    main = label[node[:n]] == np.bincount(label[node[:n]]).argmax()
    noded, best = noded[main], best[main]
    cls = np.array(classes, dtype=object)[best]
    nm = np.array(labels, dtype=object)[best]
    return _Roads(noded, cls, nm)


# =======================================================================================================
# population and hamlets
# =======================================================================================================


def _density(
    rng: np.random.Generator, pts: np.ndarray, road_geoms: list[LineString], seats: np.ndarray, forest: Polygon
) -> np.ndarray:
    """Residents per km² at points (UTM): rural base, roadside villages, urban bells, thin forest."""
    tree = shapely.STRtree(np.array(road_geoms, dtype=object))
    (qi, _), dist = tree.query_nearest(shapely.points(pts), return_distance=True)
    near = np.full(len(pts), np.inf)
    np.minimum.at(near, qi, dist)
    f = _smooth_field(rng, 5, (8_000.0, 25_000.0))
    dens = RURAL_BASE_DENSITY_KM2 * np.exp(0.3 * f(pts[:, 0], pts[:, 1]))
    dens = dens + ROADSIDE_DENSITY_KM2 * np.exp(-near / ROADSIDE_DECAY_M)
    for t, spec in enumerate(TOWNS):
        r2 = ((pts - seats[t]) ** 2).sum(axis=1) / (1000.0 * spec.sigma_km) ** 2
        dens = dens + spec.peak_density_km2 * np.exp(-r2 / 2)
    for s in seats[len(TOWNS) :]:
        r2 = ((pts - s) ** 2).sum(axis=1) / (1000.0 * TOWNSHIP_SIGMA_KM) ** 2
        dens = dens + TOWNSHIP_PEAK_DENSITY_KM2 * np.exp(-r2 / 2)
    in_forest = shapely.contains_xy(forest, pts[:, 0], pts[:, 1])
    return np.where(in_forest, dens * FOREST_DENSITY_FACTOR, dens)


def _pick_spaced(
    rng: np.random.Generator, cand: np.ndarray, weights: np.ndarray, n: int, spacing_m: float
) -> np.ndarray:
    """Indices of ``n`` candidates drawn by weight, at least ``spacing_m`` apart (relaxed if needed)."""
    if n == 0:
        return np.empty(0, dtype=np.int64)
    p = weights / weights.sum()
    order = rng.choice(len(cand), len(cand), replace=False, p=p)
    s = spacing_m
    while True:
        chosen: list[int] = []
        for i in order:
            if all(np.hypot(*(cand[i] - cand[j])) >= s for j in chosen):
                chosen.append(int(i))
                if len(chosen) == n:
                    return np.asarray(chosen)
        s *= 0.7
        if s < 1.0:
            raise RuntimeError("not enough distinct hamlet locations")


def _hamlet_points(
    rng: np.random.Generator,
    com: _Communes,
    codes: np.ndarray,
    pop: np.ndarray,
    grid: np.ndarray,
    dens: np.ndarray,
    grid_commune: np.ndarray,
    forest_point: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Hamlet centre points (UTM) per commune with names, kinds and populations summing to the commune's.

    Returns the attribute frame and the point coordinates; the commune holding
    ``forest_point`` gets FOREST_HAMLETS small hamlets in the forest near that point.
    """
    n_ham = _largest_remainder(pop.astype(np.float64), N_HAMLETS, minimum=MIN_HAMLETS_PER_COMMUNE)
    n_ham = np.minimum(n_ham, MAX_HAMLETS_PER_COMMUNE)
    forest_com = int(np.flatnonzero(shapely.contains_xy(com.geoms, *forest_point))[0])
    n_ham[forest_com] = max(n_ham[forest_com], FOREST_HAMLETS + 2)
    rows: list[dict[str, object]] = []
    xy_all: list[np.ndarray] = []
    for i in range(len(com.geoms)):
        inner = com.geoms[i].buffer(-60.0)
        mask = grid_commune == i
        cand, w = grid[mask], dens[mask]
        ok = shapely.contains_xy(inner, cand[:, 0], cand[:, 1])
        cand, w = cand[ok], w[ok]
        jitter = rng.uniform(-90.0, 90.0, cand.shape)
        moved = cand + jitter
        stay = shapely.contains_xy(inner, moved[:, 0], moved[:, 1])
        cand = np.where(stay[:, None], moved, cand)
        area = com.geoms[i].area
        n = int(n_ham[i])
        spacing = 0.55 * math.sqrt(area / n)
        if i == forest_com:
            dz = np.linalg.norm(cand - forest_point, axis=1)
            near = dz < max(1800.0, float(np.sort(dz)[min(12, dz.size - 1)]))
            rest = dz > min(3500.0, float(np.quantile(dz, 0.5)))
            pick_f = np.flatnonzero(near)[_pick_spaced(rng, cand[near], np.ones(near.sum()), FOREST_HAMLETS, 700.0)]
            pick_r = np.flatnonzero(rest)[_pick_spaced(rng, cand[rest], w[rest] ** 1.5, n - FOREST_HAMLETS, spacing)]
            pick = np.concatenate([pick_f, pick_r])
        else:
            pick = _pick_spaced(rng, cand, w**1.5, n, spacing)
        xy = cand[pick]
        # population shares: gamma noise times local density; forest hamlets are small
        share = rng.gamma(5.0, 1.0, n) * np.sqrt(w[pick])
        if i == forest_com:
            share[:FOREST_HAMLETS] *= FOREST_HAMLET_SHARE
        people = _largest_remainder(share, int(pop[i]))
        hh = np.maximum(1, np.rint(people / PERSONS_PER_HOUSEHOLD * rng.uniform(0.93, 1.07, n))).astype(np.int64)
        ward = com.kind[i] == "ward"
        used: set[str] = set()
        names = _Names(rng)
        for k in range(n):
            if ward:
                name, kind = f"Khu vực {k + 1}", "khu vực"
            else:
                base = names.draw(used)
                name, kind = f"Ấp {base}", "ấp"
            rows.append(
                {
                    "hamlet_id": f"{codes[i]}-{k + 1:02d}",
                    "name": name,
                    "commune_code": codes[i],
                    "kind": kind,
                    "population": int(people[k]),
                    "households": int(hh[k]),
                }
            )
        xy_all.append(xy)
    return pd.DataFrame(rows), np.concatenate(xy_all)


# =======================================================================================================
# sites and cells
# =======================================================================================================


def _hex_grid(rng: np.random.Generator, region: BaseGeometry, spacing_m: float, jitter: float = 0.15) -> np.ndarray:
    """Jittered, randomly rotated hexagonal grid points (UTM) inside ``region``."""
    xmin, ymin, xmax, ymax = region.bounds
    c = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
    half = math.hypot(xmax - xmin, ymax - ymin) / 2
    n = int(half / spacing_m) + 2
    i, j = np.meshgrid(np.arange(-n, n + 1), np.arange(-n, n + 1))
    x = (i + 0.5 * (j % 2)) * spacing_m
    y = j * spacing_m * math.sqrt(3) / 2
    ang = rng.uniform(0, np.pi / 3)
    off = rng.uniform(0, spacing_m, 2)
    xr = x * math.cos(ang) - y * math.sin(ang) + c[0] + off[0]
    yr = x * math.sin(ang) + y * math.cos(ang) + c[1] + off[1]
    pts = np.column_stack([xr.ravel(), yr.ravel()]) + rng.normal(0, jitter * spacing_m, (xr.size, 2))
    return pts[shapely.contains_xy(region, pts[:, 0], pts[:, 1])]


@dataclass
class _Sites:
    """Sites under construction (UTM) with their tenants, setting and owner."""

    xy: np.ndarray
    tenants: list[list[str]]
    setting: np.ndarray  # town / township / rural
    owner: np.ndarray


def _sites(
    rng: np.random.Generator,
    outline: Polygon,
    seats: np.ndarray,
    roads: _Roads,
    no_site_zone: BaseGeometry,
) -> _Sites:
    """BTS sites per operator (rural hex grids, dense town grids, township sites), then co-location."""
    inner = outline.buffer(-300.0).difference(no_site_zone)
    town_disks = [Point(seats[t]).buffer(1000.0 * s.radius_km * 0.95) for t, s in enumerate(TOWNS)]
    towns = shapely.union_all(town_disks)
    townships = shapely.union_all([Point(s).buffer(1000.0 * TOWNSHIP_RADIUS_KM * 1.3) for s in seats[len(TOWNS) :]])
    rural_region = inner.difference(towns.buffer(400.0)).difference(townships)
    xy: list[np.ndarray] = []
    ops: list[str] = []
    setting: list[str] = []

    def add(points: np.ndarray, op: str, where: str) -> None:
        xy.extend(points)
        ops.extend([op] * len(points))
        setting.extend([where] * len(points))

    for op, s in RURAL_SPACING_KM.items():
        add(_hex_grid(rng, rural_region, 1000.0 * s), op, "rural")
    nat = roads.geoms[roads.road_class == "national"]
    nat_line = shapely.line_merge(shapely.union_all(nat))
    for line in shapely.get_parts(nat_line):
        step = 1000.0 * VIETNAMOBILE_ROAD_SPACING_KM
        d = np.arange(rng.uniform(0, step), line.length, step)
        p = shapely.get_coordinates(shapely.line_interpolate_point(line, d)) + rng.normal(0, 120.0, (d.size, 2))
        add(p[shapely.contains_xy(rural_region, p[:, 0], p[:, 1])], "Vietnamobile", "rural")
    for disk in town_disks:
        for op, s in URBAN_SPACING_KM.items():
            add(_hex_grid(rng, disk, 1000.0 * s, jitter=0.2), op, "town")
    for s in seats[len(TOWNS) :]:
        for op, n in (("Viettel", 2), ("VNPT", 1), ("MobiFone", 1), ("Vietnamobile", int(rng.random() < 0.3))):
            ang = rng.uniform(0, 2 * np.pi, n)
            r = rng.uniform(300.0, 800.0, n)
            add(s + np.column_stack([r * np.sin(ang), r * np.cos(ang)]), op, "township")
    pts = np.asarray(xy)
    ops_a = np.asarray(ops, dtype=object)
    setting_a = np.asarray(setting, dtype=object)
    keep = shapely.contains_xy(inner, pts[:, 0], pts[:, 1])
    pts, ops_a, setting_a = pts[keep], ops_a[keep], setting_a[keep]
    tenants = [[o] for o in ops_a]
    alive = np.ones(len(pts), dtype=bool)
    tree = cKDTree(pts)
    movers = rng.permutation(np.flatnonzero(ops_a != "Viettel"))
    for m in movers:
        n_alive = alive.sum()
        shared = sum(1 for i in np.flatnonzero(alive) if len(tenants[i]) > 1)
        if shared >= SITE_SHARING_TARGET * n_alive:
            break
        if not alive[m] or len(tenants[m]) > 1:
            continue
        reach = 1000.0 * SHARE_MAX_DISTANCE_KM["urban" if setting_a[m] != "rural" else "rural"]
        for j in sorted(tree.query_ball_point(pts[m], reach), key=lambda j: np.hypot(*(pts[j] - pts[m]))):
            if j != m and alive[j] and ops_a[m] not in tenants[j]:
                tenants[j].append(str(ops_a[m]))
                alive[m] = False
                break
    idx = np.flatnonzero(alive)
    owner = []
    for i in idx:
        shared = len(tenants[i]) > 1
        if (shared and rng.random() < TOWERCO_SHARED_P) or (not shared and rng.random() < TOWERCO_SINGLE_P):
            owner.append(TOWERCO)
        else:
            owner.append(tenants[i][0])
    return _Sites(
        pts[idx], [sorted(tenants[i], key=str.casefold) for i in idx], setting_a[idx], np.asarray(owner, dtype=object)
    )


def _site_frame(rng: np.random.Generator, sites: _Sites) -> tuple[pd.DataFrame, np.ndarray]:
    """Site attributes: ids, owner, canonical tenants, mast height and structure."""
    n = len(sites.xy)
    structure = np.full(n, "tower", dtype=object)
    height = rng.uniform(30.0, 45.0, n)
    town = sites.setting == "town"
    structure[town] = rng.choice(["rooftop", "monopole"], int(town.sum()), p=_TOWN_STRUCTURE_P)
    roof = structure == "rooftop"
    mono = structure == "monopole"
    height[roof] = rng.uniform(15.0, 25.0, int(roof.sum()))
    height[mono] = rng.uniform(20.0, 30.0, int(mono.sum()))
    ts = sites.setting == "township"
    mono_ts = ts & (rng.random(n) < 0.5)
    structure[mono_ts] = "monopole"
    height[mono_ts] = rng.uniform(24.0, 30.0, int(mono_ts.sum()))
    height[ts & ~mono_ts] = rng.uniform(30.0, 40.0, int((ts & ~mono_ts).sum()))
    frame = pd.DataFrame(
        {
            "site_id": [f"S{i + 1:04d}" for i in range(n)],
            "owner": sites.owner,
            "tenants": [TENANT_SEP.join(t) for t in sites.tenants],
            "mast_height_m": np.round(height * 2) / 2,
            "structure": structure,
        }
    )
    return frame, sites.xy


def _cells(rng: np.random.Generator, sites: pd.DataFrame, setting: np.ndarray) -> pd.DataFrame:
    """Cells: 3 sectors per (site, tenant) and carrier; band 3 everywhere, low bands rural, 5G in towns."""
    rows: list[dict[str, object]] = []
    site_ids = sites["site_id"].to_numpy()
    masts = sites["mast_height_m"].to_numpy(np.float64)
    tenants = sites["tenants"].to_numpy()
    for s in range(len(sites)):
        sid = site_ids[s]
        mast = float(masts[s])
        where = setting[s]
        for rank, op in enumerate(tenants[s].split(TENANT_SEP)):
            labels = ["1800"]
            if where != "town":
                scale = 1.0 if where == "rural" else 0.5
                for band in ("900", "700"):
                    p = LOW_BAND_PROBABILITY.get((op, band), 0.0) * scale
                    if rng.random() < p:
                        labels.append(band)
            if op in FIVE_G_BAND and rng.random() < FIVE_G_PROBABILITY[where]:
                labels.append(FIVE_G_BAND[op])
            base_az = rng.uniform(-15.0, 15.0)
            az = (np.asarray(SECTOR_AZIMUTHS_DEG) + base_az + rng.uniform(-8.0, 8.0, SECTORS)) % 360.0
            # Antennas stay >= 10 m above ground (TR 38.901 RMa: 10 m <= hBS <= 150 m); 5G sits 1 m lower.
            height = max(mast - 1.0 - TENANT_HEIGHT_STEP_M * rank - rng.uniform(0.0, 1.0), 11.0)
            total_tilt = TOTAL_TILT_DEG[where]
            for label in labels:
                car = CARRIERS[(op, label)]
                power = float(rng.choice(car.tx_power_dbm))
                for k in range(SECTORS):
                    tilt = rng.uniform(*total_tilt)
                    mech = float(rng.integers(0, 3))
                    rows.append(
                        {
                            "cell_id": f"{sid}-{op}-{car.technology}{label}-{k + 1}",
                            "site_id": sid,
                            "operator": op,
                            "technology": car.technology,
                            "band_mhz": car.band_mhz,
                            "bandwidth_mhz": car.bandwidth_mhz,
                            "azimuth_deg": round(float(az[k]), 1),
                            "mech_tilt_deg": mech,
                            "elec_tilt_deg": round(max(tilt - mech, 0.0)),
                            "antenna_height_m": round(height * 2) / 2 - (1.0 if car.technology == "5G" else 0.0),
                            "antenna_gain_dbi": car.gain_dbi,
                            "hbw_deg": HBW_DEG,
                            "vbw_deg": car.vbw_deg,
                            "tx_power_dbm": power,
                        }
                    )
    return pd.DataFrame(rows)


# =======================================================================================================
# poles, ducts, fibre points
# =======================================================================================================


def _poles(rng: np.random.Generator, roads: _Roads) -> tuple[pd.DataFrame, np.ndarray]:
    """Poles every few tens of metres along the main roads; owner and cable tenants per road piece."""
    sel = np.flatnonzero(np.isin(roads.road_class, POLE_CLASSES))
    lines = roads.geoms[sel]
    length = shapely.length(lines)
    spacing = max(50.0, length.sum() / POLE_TARGET)
    start = rng.uniform(0, spacing, len(lines))
    n = np.maximum(0, np.floor((length - start) / spacing).astype(np.int64) + 1)
    n[length < start] = 0
    owner_piece, tenants_piece = [], []
    w = np.asarray(POLE_OPERATOR_WEIGHTS) / np.sum(POLE_OPERATOR_WEIGHTS)
    for _ in range(len(lines)):
        if rng.random() < POLE_NO_TELECOM:
            ten: list[str] = []
        else:
            k = int(rng.choice([1, 2, 3], p=POLE_TENANT_COUNT_P))
            ten = [POLE_OPERATORS[i] for i in rng.choice(len(POLE_OPERATORS), k, replace=False, p=w)]
        operator_owned = bool(ten) and rng.random() > POLE_EVN_OWNED and ten[0] in ("VNPT", "Viettel")
        owner_piece.append(ten[0] if operator_owned else "EVN")
        tenants_piece.append(TENANT_SEP.join(sorted(ten, key=str.casefold)))
    piece = np.repeat(np.arange(len(lines)), n)
    dist = np.repeat(start, n) + spacing * (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    pts = shapely.line_interpolate_point(lines[piece], dist)
    owner_a = np.asarray(owner_piece, dtype=object)[piece]
    height = np.where(owner_a == "EVN", rng.choice([8.5, 10.0, 12.0], piece.size), rng.choice([6.5, 7.5], piece.size))
    frame = pd.DataFrame(
        {
            "pole_id": [f"P{i + 1:05d}" for i in range(piece.size)],
            "owner": owner_a,
            "tenants": np.asarray(tenants_piece, dtype=object)[piece],
            "height_m": height,
        }
    )
    return frame, pts


def _ducts(rng: np.random.Generator, roads: _Roads, seats: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Ducts under the urban and main roads of the three town centres; a few shared."""
    mid = shapely.line_interpolate_point(roads.geoms, 0.5, normalized=True)
    mxy = shapely.get_coordinates(mid)
    d = np.min(np.linalg.norm(mxy[:, None] - seats[None, : len(TOWNS)], axis=2), axis=1)
    sel = np.flatnonzero((d < 1000.0 * DUCT_RADIUS_KM) & np.isin(roads.road_class, ("national", "provincial", "urban")))
    n = sel.size
    owner = rng.choice(DUCT_OWNERS, n, p=DUCT_OWNER_P)
    tenants = [[o] for o in owner]
    shared = rng.choice(n, round(DUCT_SHARED * n), replace=False)
    for i in shared:
        other = [o for o in ("VNPT", "Viettel", "FPT", "MobiFone") if o != owner[i]]
        tenants[i].append(str(rng.choice(other)))
    frame = pd.DataFrame(
        {
            "duct_id": [f"D{i + 1:04d}" for i in range(n)],
            "owner": owner.astype(object),
            "tenants": [TENANT_SEP.join(sorted(t, key=str.casefold)) for t in tenants],
        }
    )
    return frame, roads.geoms[sel]


def _snap_to_roads(xy: np.ndarray, roads: _Roads) -> np.ndarray:
    """Nearest points (UTM) on the road network."""
    pts = _points(xy)
    tree = shapely.STRtree(roads.geoms)
    (qi, ri) = tree.query_nearest(pts, all_matches=False)
    out = np.empty(len(pts), dtype=object)
    out[qi] = shapely.get_point(shapely.shortest_line(pts[qi], roads.geoms[ri]), -1)
    return shapely.get_coordinates(out)


def _fibre_points(
    rng: np.random.Generator,
    seats: np.ndarray,
    hamlets: pd.DataFrame,
    hamlet_xy: np.ndarray,
    roads: _Roads,
    urban_district: np.ndarray,
    no_fibre_zone: BaseGeometry,
) -> tuple[pd.DataFrame, np.ndarray]:
    """OLTs at district seats, cabinets per commune, splitters by the hamlets; none in the no-fibre zone."""
    xy, op, kind, ports = [], [], [], []

    def near(p: np.ndarray, lo: float, hi: float) -> np.ndarray:
        a = rng.uniform(0, 2 * np.pi)
        r = rng.uniform(lo, hi)
        return p + r * np.array([math.sin(a), math.cos(a)])

    for k, s in enumerate(seats):
        ops = ["Viettel", "VNPT"] + (["FPT"] if k < len(TOWNS) or k in (len(TOWNS), len(TOWNS) + 1) else [])
        for o in ops:
            xy.append(near(s, 50.0, 400.0))
            op.append(o)
            kind.append("OLT")
            ports.append(int(rng.integers(200, 1500)))
    codes = hamlets["commune_code"].to_numpy()
    for c in pd.unique(codes):
        rows = np.flatnonzero(codes == c)
        urban = bool(urban_district[rows[0]])
        for o, n in (
            ("Viettel", 1 + int(rng.random() < 0.5)),
            ("VNPT", 1 + int(rng.random() < 0.4)),
            ("FPT", int(urban and rng.random() < 0.7)),
        ):
            for r in rng.choice(rows, min(n, rows.size), replace=False):
                xy.append(near(hamlet_xy[r], 20.0, 300.0))
                op.append(o)
                kind.append("cabinet")
                ports.append(int(rng.integers(10, 120)))
    for r in range(len(hamlets)):
        urban = bool(urban_district[r])
        chosen = [o for o, p in SPLITTER_P.items() if rng.random() < p[0 if urban else 1]] or ["Viettel"]
        for o in chosen:
            xy.append(near(hamlet_xy[r], 30.0, 350.0))
            op.append(o)
            kind.append("splitter")
            ports.append(int(rng.integers(0, 17)))
    pts = _snap_to_roads(np.asarray(xy), roads)
    keep = ~shapely.contains_xy(no_fibre_zone, pts[:, 0], pts[:, 1])
    frame = pd.DataFrame(
        {
            "operator": np.asarray(op, dtype=object)[keep],
            "kind": np.asarray(kind, dtype=object)[keep],
            "free_ports": np.asarray(ports, dtype=np.int64)[keep],
        }
    )
    frame.insert(0, "fap_id", [f"F{i + 1:04d}" for i in range(len(frame))])
    return frame, pts[keep]


# =======================================================================================================
# rasters
# =======================================================================================================


def _landcover_codes() -> dict[str, int]:
    """Land-cover code by class name (:func:`coverage.layers.schemas.landcover_classes`)."""
    return {name: code for code, name in landcover_classes().items()}


def _raster_grid(outline_ll: Polygon) -> tuple[Affine, int, int]:
    """1 arc-second grid over the province bounds plus a ~3 km margin, snapped to whole arc-seconds."""
    west, south, east, north = outline_ll.bounds
    lat = (south + north) / 2
    m_lat = 3000.0 / 110_600.0
    m_lon = 3000.0 / (111_320.0 * math.cos(math.radians(lat)))
    px = 1.0 / 3600.0
    west = math.floor((west - m_lon) * 3600) / 3600
    north = math.ceil((north + m_lat) * 3600) / 3600
    width = math.ceil((east + m_lon - west) * 3600)
    height = math.ceil((north - (south - m_lat)) * 3600)
    return Affine(px, 0.0, west, 0.0, -px, north), width, height


def _burn(geoms_utm: Sequence[object], shape: tuple[int, int], transform: Affine, all_touched: bool) -> np.ndarray:
    """Boolean mask of the raster pixels covered by UTM polygons."""
    geoms = [g for g in _to_lonlat(np.array(list(geoms_utm), dtype=object)) if g is not None and not g.is_empty]
    if not geoms:
        return np.zeros(shape, dtype=bool)
    return rasterio.features.rasterize(
        [(g, 1) for g in geoms], out_shape=shape, transform=transform, fill=0, all_touched=all_touched, dtype="uint8"
    ).astype(bool)


def _rasters(
    rng: np.random.Generator,
    outline_ll: Polygon,
    water: _Water,
    roads: _Roads,
    seats: np.ndarray,
    hamlet_xy: np.ndarray,
    forest: Polygon,
) -> tuple[np.ndarray, np.ndarray, Affine]:
    """DEM (float32 m) and land cover (uint8) on a 1 arc-second grid."""
    transform, width, height = _raster_grid(outline_ll)
    shape = (height, width)
    codes = _landcover_codes()
    main_water = _burn([g.buffer(w / 2) for g, w in water.main], shape, transform, False)
    canals = np.concatenate([water.canal_a, water.canal_b])
    sec_water = _burn(list(shapely.buffer(canals, SECONDARY_CANAL_WIDTH_M / 2)), shape, transform, True)
    minor_roads = roads.geoms[np.isin(roads.road_class, ("district", "commune"))]
    hamlet_pts = _points(hamlet_xy)
    orchard = _burn(
        list(shapely.buffer(minor_roads, ORCHARD_ROADSIDE_M)) + list(shapely.buffer(hamlet_pts, ORCHARD_HAMLET_M)),
        shape,
        transform,
        False,
    )
    # built-up: town cores plus a band along the streets, so towns are ragged, not disks
    streets = roads.geoms[roads.road_class == "urban"]
    cores = [Point(seats[t]).buffer(600.0 * s.radius_km) for t, s in enumerate(TOWNS)]
    cores += [Point(s).buffer(250.0 * TOWNSHIP_RADIUS_KM) for s in seats[len(TOWNS) :]]
    built = _burn(
        cores + list(shapely.buffer(streets, BUILT_STREET_M)) + list(shapely.buffer(hamlet_pts, BUILT_HAMLET_M)),
        shape,
        transform,
        False,
    )
    forest_mask = _burn([forest], shape, transform, False)
    lc = np.full(shape, codes["rice_paddy"], dtype=np.uint8)
    lc[orchard] = codes["orchard"]
    lc[forest_mask & ~built] = codes["forest"]
    lc[built] = codes["built_up"]
    lc[sec_water] = codes["water"]
    lc[main_water] = codes["water"]
    # DEM: gentle NE-SW gradient, smooth noise, levees along the main channels, channels below the plain
    rows, cols = np.mgrid[0:height, 0:width]
    lon = transform.c + (cols + 0.5) * transform.a
    lat = transform.f + (rows + 0.5) * transform.e
    t = ((lon - lon.min()) / (lon.max() - lon.min()) + (lat - lat.min()) / (lat.max() - lat.min())) / 2
    dem = 0.5 + 0.9 * t
    coarse = rng.standard_normal((height // 96 + 4, width // 96 + 4))
    noise = ndimage.zoom(coarse, 96, order=3)[:height, :width]
    dem = dem + 0.18 * noise
    dy = abs(transform.e) * 110_600.0
    dx = transform.a * 111_320.0 * math.cos(math.radians(float(lat.mean())))
    d_main = ndimage.distance_transform_edt(~main_water, sampling=(dy, dx))
    d_sec = ndimage.distance_transform_edt(~sec_water, sampling=(dy, dx))
    dem = dem + 1.2 * np.exp(-((d_main / 220.0) ** 2)) * (d_main > 0)
    dem = dem + 0.35 * np.exp(-((d_sec / 90.0) ** 2)) * (d_sec > 0)
    dem = dem + 0.5 * ndimage.gaussian_filter(built.astype(np.float64), 3.0)
    dem = np.where(main_water, dem - 1.6, dem)
    dem = np.where(sec_water & ~main_water, dem - 0.9, dem)
    dem = np.clip(dem, -0.9, 4.8)
    dem = np.round(dem, 2).astype(np.float32)
    return dem, lc, transform


# =======================================================================================================
# assembly
# =======================================================================================================


def _far_boundary_point(outline: Polygon, away_from: np.ndarray, inward_m: float) -> tuple[np.ndarray, np.ndarray]:
    """The outline vertex farthest from every point of ``away_from``, and that point moved inward."""
    v = np.asarray(outline.exterior.coords)[:-1]
    d = np.min(np.linalg.norm(v[:, None] - away_from[None], axis=2), axis=1)
    b = v[int(np.argmax(d))]
    c = np.asarray(outline.centroid.coords[0])
    return b, b + inward_m * (c - b) / np.linalg.norm(c - b)


def _blob(rng: np.random.Generator, centre: np.ndarray, radius_m: float) -> Polygon:
    """An irregular roundish polygon (UTM) of about ``radius_m`` around ``centre``."""
    theta = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    k = np.arange(2, 6)
    amp = rng.uniform(0.05, 0.15, k.size)
    ph = rng.uniform(0, 2 * np.pi, k.size)
    r = radius_m * (1 + (amp[:, None] * np.cos(k[:, None] * theta + ph[:, None])).sum(axis=0))
    return Polygon(centre + np.column_stack([r * np.sin(theta), r * np.cos(theta)]))


def _typed(frame: pd.DataFrame, layer: str, geometry: np.ndarray | None = None) -> pd.DataFrame:
    """``frame`` with the schema's columns, order and dtypes (and EPSG:4326 geometry)."""
    schema = SCHEMAS[layer]
    data = {}
    for f in schema.fields:
        col = frame[f.name] if f.name in frame.columns else pd.Series([pd.NA] * len(frame))
        data[f.name] = pd.array(list(col), dtype=f.dtype) if f.dtype != "float64" else col.to_numpy(np.float64)
    out = pd.DataFrame(data)
    if geometry is None:
        return out
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geometry, crs=STORAGE_EPSG), crs=STORAGE_EPSG)


def _gap_zone(centroids: np.ndarray, points: np.ndarray, radius_m: float) -> BaseGeometry:
    """Union of disks of ``radius_m`` plus GAP_MARGIN_M around the hamlets' centroids and centre points."""
    centres = _points(np.vstack([centroids, points]))
    return shapely.union_all(shapely.buffer(centres, radius_m + GAP_MARGIN_M, quad_segs=16))


def _nearest_km(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Distance (km) from each ``src`` point to the nearest ``dst`` point, both UTM (n, 2)."""
    dist = cKDTree(dst).query(src)[0]
    assert isinstance(dist, np.ndarray)  # an (n, 2) query gives n distances, never one float
    return dist / 1000.0


def _town_centres(outline: Polygon) -> np.ndarray:
    """Centres (UTM) of the three towns, at their offsets from the province centre."""
    c0 = _centre_utm()
    centres = np.array([c0 + 1000.0 * np.asarray(t.offset_km) for t in TOWNS])
    if not all(outline.buffer(-6000.0).contains(Point(c)) for c in centres):
        raise RuntimeError("a town centre lies too close to the province boundary")
    return centres


def _population(
    rng: np.random.Generator,
    outline: Polygon,
    com: _Communes,
    road_geoms: list[LineString],
    seats: np.ndarray,
    forest: Polygon,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Density grid and commune populations summing to POPULATION.

    Returns
    -------
    pop : numpy.ndarray
        Residents per commune (persons, int64).
    grid : numpy.ndarray
        Grid points (UTM, shape (n, 2)) inside the province.
    dens : numpy.ndarray
        Residents per km² at the grid points.
    grid_commune : numpy.ndarray
        Commune index of each grid point (-1: on no commune).
    """
    grid = _grid_inside(outline, DENSITY_GRID_M)
    gi, gc = shapely.STRtree(com.geoms).query(shapely.points(grid), predicate="within")
    grid_commune = np.full(len(grid), -1, dtype=np.int64)
    grid_commune[gi] = gc
    dens = _density(rng, grid, road_geoms, seats, forest)
    on = grid_commune >= 0
    weight = np.bincount(grid_commune[on], weights=dens[on], minlength=len(com.geoms))
    return _largest_remainder(weight, POPULATION), grid, dens, grid_commune


def _commune_order(com: _Communes) -> np.ndarray:
    """Order of the communes: by district, wards and thị trấn (seat first) before xã, then north to south."""
    kind_rank = np.array([{"ward": 0, "township": 1, "rural": 2}[k] for k in com.kind])
    cxy = shapely.get_coordinates(shapely.centroid(com.geoms))
    return np.lexsort((cxy[:, 0], -cxy[:, 1], ~com.seat, kind_rank, com.district))


def _admin_names(names: _Names, com: _Communes) -> tuple[list[str], list[str], list[str]]:
    """District base names, district names and commune names (with their Phường/Thị trấn/Xã prefix)."""
    n_districts = len(TOWNS) + N_RURAL_DISTRICTS
    base = [names.draw() for _ in range(n_districts)]
    prefixes = [t.prefix for t in TOWNS] + ["Huyện"] * N_RURAL_DISTRICTS
    district_names = [f"{p} {b}" for p, b in zip(prefixes, base, strict=True)]
    com_names = []
    for i in range(len(com.geoms)):
        if com.kind[i] == "ward":
            before = int(np.sum((com.district[:i] == com.district[i]) & (com.kind[:i] == "ward")))
            com_names.append(f"Phường {ROMAN[before]}" if com.district[i] == 0 else f"Phường {names.draw()}")
        elif com.kind[i] == "township":
            com_names.append(f"Thị trấn {names.draw()}")
        else:
            com_names.append(f"Xã {names.draw()}")
    return base, district_names, com_names


def _with_hamlet_spurs(
    geoms: list[LineString], classes: list[str], labels: list[str | None], hamlet_xy: np.ndarray
) -> None:
    """Append a hamlet road from every hamlet centre farther than HAMLET_SPUR_MIN_M from a road."""
    tree = shapely.STRtree(np.array(geoms, dtype=object))
    hp = _points(hamlet_xy)
    (qi, ri), dist = tree.query_nearest(hp, return_distance=True, all_matches=False)
    for q, r in zip(qi[dist > HAMLET_SPUR_MIN_M], ri[dist > HAMLET_SPUR_MIN_M], strict=True):
        geoms.append(_extend(shapely.shortest_line(hp[q], geoms[r]), ROAD_OVERSHOOT_M))
        classes.append("hamlet")
        labels.append(None)


def _admin_units(
    rng: np.random.Generator,
    names: _Names,
    com: _Communes,
    codes: np.ndarray,
    com_pop: np.ndarray,
    com_hh: np.ndarray,
    district_base: list[str],
    district_names: list[str],
    com_names: list[str],
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The admin_units layer (both periods) and the commune mapping.

    Communes are rounded to storage precision first; districts, provinces and the
    post2025 communes are dissolved from them, so shared boundaries match exactly.
    """
    n_districts = len(TOWNS) + N_RURAL_DISTRICTS
    district_codes = [f"{990 + d}" for d in range(n_districts)]
    com_ll = _round_lonlat(_to_lonlat(com.geoms))
    if not shapely.is_valid(com_ll).all() or not shapely.coverage_is_valid(com_ll):
        raise RuntimeError("communes do not form a valid coverage after rounding")
    prov_geom = shapely.coverage_union_all(com_ll)
    dist_pop = np.bincount(com.district, weights=com_pop, minlength=n_districts).astype(np.int64)
    dist_hh = np.bincount(com.district, weights=com_hh, minlength=n_districts).astype(np.int64)

    def unit(code: str, name: str, level: str, period: str, parent: str | None, pop: int, hh: int) -> dict:
        return {
            "unit_code": code,
            "name": name,
            "level": level,
            "period": period,
            "parent_code": parent,
            "population": int(pop),
            "households": int(hh),
        }

    units = [unit(PROVINCE_CODE, PROVINCE_NAME, "province", "pre2025", None, com_pop.sum(), com_hh.sum())]
    geoms = [prov_geom]
    for d in range(n_districts):
        units.append(
            unit(district_codes[d], district_names[d], "district", "pre2025", PROVINCE_CODE, dist_pop[d], dist_hh[d])
        )
        geoms.append(shapely.coverage_union_all(com_ll[com.district == d]))
    for i in range(len(com.geoms)):
        units.append(
            unit(codes[i], com_names[i], "commune", "pre2025", district_codes[com.district[i]], com_pop[i], com_hh[i])
        )
        geoms.append(com_ll[i])
    # post2025: each new commune merges 2-4 adjacent old communes of one old district
    adj = _adjacency(com.geoms)
    n_per = np.array([np.sum(com.district == d) for d in range(n_districts)])
    k_per = _largest_remainder(n_per.astype(np.float64), N_POST2025_COMMUNES, minimum=0)
    k_per = np.clip(k_per, np.ceil(n_per / POST2025_GROUP_SIZES[1]), np.floor(n_per / POST2025_GROUP_SIZES[0]))
    groups: list[list[int]] = []
    for d in range(n_districts):
        groups.extend(_merge_groups(rng, np.flatnonzero(com.district == d), adj, int(k_per[d]), com.seeds))
    groups.sort(key=min)
    units.append(
        unit(POST2025_PROVINCE_CODE, POST2025_PROVINCE_NAME, "province", "post2025", None, com_pop.sum(), com_hh.sum())
    )
    geoms.append(prov_geom)
    used: set[str] = set()
    mapping: list[dict[str, object]] = []
    for g, members in enumerate(groups):
        code = f"{98001 + 3 * g:05d}"
        base = district_base[com.district[members[0]]]  # the seat's new commune keeps the district's name
        if not com.seat[members].any() or base in used:
            base = names.draw()
        used.add(base)
        prefix = "Phường" if any(com.kind[m] == "ward" for m in members) else "Xã"
        units.append(
            unit(
                code,
                f"{prefix} {base}",
                "commune",
                "post2025",
                POST2025_PROVINCE_CODE,
                com_pop[members].sum(),
                com_hh[members].sum(),
            )
        )
        geoms.append(shapely.coverage_union_all(com_ll[members]))
        mapping.extend({"old_code": codes[m], "new_code": code, "area_share": 1.0} for m in members)
    admin = pd.DataFrame(units)
    admin["name_ascii"] = admin["name"].map(_ascii)
    admin_units = _typed(admin, "admin_units", np.array(geoms, dtype=object))
    mapping_frame = _typed(pd.DataFrame(mapping).sort_values("old_code", kind="stable"), "commune_mapping")
    return admin_units, mapping_frame


def _hamlet_layer(
    attrs: pd.DataFrame, xy: np.ndarray, admin_units: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Hamlet polygons from the centre points (:func:`coverage.layers.hamlets.hamlets_from_points`) and their
    centroids (UTM), measured from the stored, rounded polygons."""
    points = gpd.GeoDataFrame(attrs, geometry=_to_lonlat(_points(xy)), crs=STORAGE_EPSG)
    pre = admin_units[(admin_units["level"] == "commune") & (admin_units["period"] == "pre2025")]
    built = hamlets_from_points(points, pre[["unit_code", "name", "geometry"]].reset_index(drop=True))
    if not np.array_equal(built["hamlet_id"].to_numpy(str), attrs["hamlet_id"].to_numpy(str)):
        raise RuntimeError("hamlets_from_points reordered or dropped hamlets")
    hamlets = _typed(built, "hamlets", _round_lonlat(built.geometry.to_numpy()))
    centroid = shapely.get_coordinates(shapely.centroid(_to_utm(hamlets.geometry.to_numpy())))
    return hamlets, centroid


def _gaps(
    hamlets: pd.DataFrame, centroid: np.ndarray, sites: gpd.GeoDataFrame, fibre: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Every hamlet without a site within MOBILE_GAP_KM or a fibre point within FIBRE_GAP_KM.

    Distances are measured from the stored (rounded) coordinates, as anyone reading the
    files measures them; by construction these are exactly the planted hamlets.
    """
    d_site = _nearest_km(centroid, shapely.get_coordinates(_to_utm(sites.geometry.to_numpy())))
    d_fibre = _nearest_km(centroid, shapely.get_coordinates(_to_utm(fibre.geometry.to_numpy())))
    ids = hamlets["hamlet_id"].to_numpy(str)
    rows = [
        {
            "hamlet_id": ids[i],
            "gap": "mobile",
            "note": f"remote hamlet in the melaleuca forest corner; nearest site {d_site[i]:.1f} km",
        }
        for i in np.flatnonzero(d_site >= MOBILE_GAP_KM)
    ]
    rows += [
        {
            "hamlet_id": ids[i],
            "gap": "fibre",
            "note": f"no fibre access point within {FIBRE_GAP_KM:g} km; nearest {d_fibre[i]:.1f} km",
        }
        for i in np.flatnonzero(d_fibre >= FIBRE_GAP_KM)
    ]
    gaps = pd.DataFrame(rows, columns=["hamlet_id", "gap", "note"]).astype("string")
    counts = gaps["gap"].value_counts()
    for kind in ("mobile", "fibre"):
        if not MIN_PLANTED_GAPS <= counts.get(kind, 0) <= MAX_PLANTED_GAPS:
            raise RuntimeError(f"{counts.get(kind, 0)} planted {kind} gaps, not {MIN_PLANTED_GAPS}-{MAX_PLANTED_GAPS}")
    return gaps


def generate_sample_province(seed: int = SAMPLE_SEED) -> SampleProvince:
    """Generate the synthetic sample province.

    Parameters
    ----------
    seed : int, default SAMPLE_SEED
        Seed of the one random generator every draw comes from.

    Returns
    -------
    SampleProvince
        Layers (EPSG:4326, schema columns and dtypes), rasters and planted gaps.

    Raises
    ------
    RuntimeError
        When the seed gives an unusable layout (a district that cannot be split into
        post2025 communes, a planted gap that does not hold); never for the default seed.
    """
    rng = np.random.default_rng(seed)
    names = _Names(rng)
    outline = _province_outline(rng)
    centres = _town_centres(outline)
    com = _communes(rng, outline, centres)
    _group_districts(rng, com, centres)
    water = _waterways(rng, outline, centres)
    seats = _seats(com, water, centres)
    forest_edge, forest_point = _far_boundary_point(outline, seats, 2500.0)
    forest = _blob(rng, forest_edge + 0.2 * (forest_point - forest_edge), 1000.0 * FOREST_RADIUS_KM)
    _, fibre_point = _far_boundary_point(outline, np.vstack([seats, forest_edge[None]]), 2000.0)
    road_geoms, road_classes, road_names = _road_lines(rng, outline, water, seats)

    com_pop, grid, dens, grid_commune = _population(rng, outline, com, road_geoms, seats, forest)
    order = _commune_order(com)
    com, com_pop = com.take(order), com_pop[order]
    grid_commune = np.where(grid_commune >= 0, np.argsort(order)[grid_commune], -1)
    codes = np.array([f"{99001 + 3 * k:05d}" for k in range(len(com.geoms))], dtype=object)
    district_base, district_names, com_names = _admin_names(names, com)

    ham_attr, ham_xy = _hamlet_points(rng, com, codes, com_pop, grid, dens, grid_commune, forest_point)
    _with_hamlet_spurs(road_geoms, road_classes, road_names, ham_xy)
    roads = _node_roads(road_geoms, road_classes, road_names)
    ham_com = np.searchsorted(codes, ham_attr["commune_code"].to_numpy())
    com_hh = np.bincount(ham_com, weights=ham_attr["households"], minlength=len(codes)).astype(np.int64)
    admin_units, mapping = _admin_units(
        rng, names, com, codes, com_pop, com_hh, district_base, district_names, com_names
    )
    hamlets, ham_centroid = _hamlet_layer(ham_attr, ham_xy, admin_units)

    # planted mobile gaps: the k forest hamlets nearest the forest point; no site near them
    nearest_forest = np.argsort(np.linalg.norm(ham_xy - forest_point, axis=1), kind="stable")
    for k in range(FOREST_HAMLETS, 1, -1):
        zone = _gap_zone(ham_centroid[nearest_forest[:k]], ham_xy[nearest_forest[:k]], 1000.0 * MOBILE_GAP_KM)
        site_data = _sites(rng, outline, seats, roads, zone)
        if (_nearest_km(ham_centroid, site_data.xy) >= MOBILE_GAP_KM).sum() <= MAX_PLANTED_GAPS:
            break
    sites_attr, site_xy = _site_frame(rng, site_data)
    cells = _typed(_cells(rng, sites_attr, site_data.setting), "cells")
    sites = _typed(sites_attr, "sites", _to_lonlat(_points(site_xy)))

    # planted fibre gaps: the k hamlets nearest a second remote point; no fibre point near them
    nearest_fibre = np.argsort(np.linalg.norm(ham_xy - fibre_point, axis=1), kind="stable")
    urban_ham = com.district[ham_com] < len(TOWNS)
    for k in range(FOREST_HAMLETS, 1, -1):
        zone = _gap_zone(ham_centroid[nearest_fibre[:k]], ham_xy[nearest_fibre[:k]], 1000.0 * FIBRE_GAP_KM)
        fap_attr, fap_xy = _fibre_points(rng, seats, hamlets, ham_xy, roads, urban_ham, zone)
        if (_nearest_km(ham_centroid, fap_xy) >= FIBRE_GAP_KM).sum() <= MAX_PLANTED_GAPS:
            break
    fibre_points = _typed(fap_attr, "fibre_points", _to_lonlat(_points(fap_xy)))

    pole_attr, pole_pts = _poles(rng, roads)
    duct_attr, duct_geoms = _ducts(rng, roads, seats)
    road_frame = pd.DataFrame(
        {
            "road_id": [f"R{i + 1:05d}" for i in range(len(roads.geoms))],
            "road_class": roads.road_class,
            "name": roads.name,
        }
    )
    gaps = _gaps(hamlets, ham_centroid, sites, fibre_points)
    outline_ll = _to_lonlat(np.array([outline], dtype=object))[0]
    dem, landcover, transform = _rasters(rng, outline_ll, water, roads, seats, ham_xy, forest)
    layers: dict[str, pd.DataFrame] = {
        "admin_units": admin_units,
        "commune_mapping": mapping,
        "hamlets": hamlets,
        "sites": sites,
        "cells": cells,
        "poles": _typed(pole_attr, "poles", _to_lonlat(pole_pts)),
        "ducts": _typed(duct_attr, "ducts", _to_lonlat(duct_geoms)),
        "fibre_points": fibre_points,
        "roads": _typed(road_frame, "roads", _to_lonlat(roads.geoms)),
    }
    return SampleProvince(layers, dem, landcover, transform, gaps, seed)


# =======================================================================================================
# writing
# =======================================================================================================

LAYER_PATHS: dict[str, str] = {
    "admin_units": "boundaries/admin_units.geojson",
    "commune_mapping": "boundaries/commune_mapping.csv",
    "hamlets": "boundaries/hamlets.geojson",
    "sites": "sites/sites.geojson",
    "cells": "sites/cells.csv",
    "poles": "network/poles.geojson",
    "ducts": "network/ducts.geojson",
    "fibre_points": "network/fibre_points.geojson",
    "roads": "network/roads.geojson",
}
"""Where each layer is written, relative to the output folder (and the manifest)."""
RASTER_PATHS = {"dem": "rasters/dem.tif", "landcover": "rasters/landcover.tif"}
MANIFEST = "sample_province.toml"
GAPS = "sample_gaps.csv"
DEM_NODATA = -9999.0
LANDCOVER_NODATA = 0


def _manifest() -> str:
    """Text of the project manifest (paths relative to it)."""
    lines = [
        "[project]",
        'name = "Tỉnh Mẫu (synthetic sample province)"',
        "# The synthetic DEM is bare terrain (no trees, no buildings): the radio stage adds the land cover's clutter.",
        'dem_kind = "dtm"',
    ]
    for layer, path in LAYER_PATHS.items():
        lines += [f"[layers.{layer}]", f'path = "{path}"']
    lines += ["[rasters]"] + [f'{k} = "{v}"' for k, v in RASTER_PATHS.items()]
    return "\n".join(lines) + "\n"


def _write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write GeoJSON with fixed coordinate precision and no bbox (byte-reproducible)."""
    if path.exists():
        path.unlink()
    pyogrio.write_dataframe(
        frame,
        path,
        driver="GeoJSON",
        layer_options={
            "COORDINATE_PRECISION": str(COORD_DECIMALS),
            "SIGNIFICANT_FIGURES": "10",
            "WRITE_BBOX": "NO",
            "RFC7946": "NO",
        },
    )


def _write_raster(array: np.ndarray, transform: Affine, path: Path, nodata: float, predictor: int) -> None:
    """Write a tiled, DEFLATE-compressed single-band GeoTIFF in EPSG:4326."""
    profile = {
        "driver": "GTiff",
        "height": array.shape[0],
        "width": array.shape[1],
        "count": 1,
        "dtype": array.dtype,
        "crs": f"EPSG:{STORAGE_EPSG}",
        "transform": transform,
        "nodata": nodata,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
        "predictor": predictor,
        "zlevel": 9,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(array, 1)


def write_sample_province(out_dir: Path, seed: int = SAMPLE_SEED) -> Path:
    """Generate the sample province and write it as a manifest project under ``out_dir``.

    Every layer is validated (:func:`coverage.layers.validate.validate_layer` and the
    cross-layer checks) before anything is written.

    Parameters
    ----------
    out_dir : pathlib.Path
        Output folder (created if missing); existing sample files are overwritten.
    seed : int, default SAMPLE_SEED

    Returns
    -------
    pathlib.Path
        Path of the manifest, ``out_dir / "sample_province.toml"``.

    Raises
    ------
    coverage.ValidationError
        When a generated layer breaks its schema (a bug in the generator).
    """
    sample = generate_sample_province(seed)
    checked = {name: validate_layer(frame, name, source=f"sample:{name}") for name, frame in sample.layers.items()}
    problems = check_project_layers(checked, source="sample")
    if problems:
        from coverage._errors import ValidationError

        raise ValidationError(problems, "the generated sample breaks the cross-layer contracts")
    out = Path(out_dir)
    for sub in ("boundaries", "sites", "network", "rasters"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for name, rel in LAYER_PATHS.items():
        frame = sample.layers[name]
        if rel.endswith(".csv"):
            frame.to_csv(out / rel, index=False, lineterminator="\n")
        else:
            _write_geojson(frame, out / rel)
    _write_raster(sample.dem, sample.transform, out / RASTER_PATHS["dem"], DEM_NODATA, 1)
    _write_raster(sample.landcover, sample.transform, out / RASTER_PATHS["landcover"], LANDCOVER_NODATA, 1)
    sample.gaps.to_csv(out / GAPS, index=False, lineterminator="\n")
    manifest = out / MANIFEST
    manifest.write_text(_manifest(), encoding="utf-8")
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m coverage.layers.sample --out data [--seed N]``."""
    parser = argparse.ArgumentParser(prog="python -m coverage.layers.sample", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data"), help="output folder (default: data)")
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED, help=f"seed (default: {SAMPLE_SEED})")
    args = parser.parse_args(argv)
    print(write_sample_province(args.out, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
