"""Terrain model against SPLAT! (Longley-Rice ITM) on the same terrain, site, frequency and heights.

Two terrains, each written as SRTM-3 (3 arc-second) ``.hgt`` tiles and converted with SPLAT!'s own
``srtm2sdf``:

* ``synthetic``: a seeded hilly tile N10E106 (Gaussian hills + fractal roughness, 0-600 m), site at
  its centre (10.5 N, 106.5 E);
* ``province``: the sample province's DEM (``data/rasters/dem.tif``, 1 arc-second) averaged to 3
  arc-seconds into tiles N09E105 and N10E105 (the 30 km disc crosses 10 N); tile samples outside the
  DEM are set to 0 m (sea level, which is what the delta's surroundings are within a few metres),
  site at the province centre (9.79 N, 105.65 E).

SPLAT! (``splat -olditm -L rx -R radius -ano``) evaluates ITM point-to-point from the site to every
3-arc-second pixel of the disc (one ITM call per pixel, on the profile of the radial that reaches it
first). Ours reprojects the same tiles to the UTM zone at 90 m (bilinear) and runs
``coverage.radio.terrain.radial_sweep`` once (one profile per radial serves every sample on it), then
``FSPL + diffraction_loss_db`` (Bullington, and Deygout); each SPLAT! point reads our loss at the
nearest (radial, sample). Both run in this process, timed with ``time.perf_counter`` (best of a few
interleaved rounds): SPLAT! as a subprocess writing its path-loss map only (its fixed cost - loading the SDF tiles and
writing the map image - is measured with a 0.1 km run and also reported subtracted; the ``-ano`` run that
yields the loss values costs SPLAT! more and is reported apart), ours after a warm-up call (numba
compilation or cache load, reported separately), with all numba threads and with one.

ITU-R P.1812-6 (``coverage.radio.p1812_raster.p1812_disc``: one radial sweep, every pixel of the disc, then
``P1812Disc.at`` at each SPLAT! point's pixel) runs on the same UTM grid with clutter heights 0 everywhere (bare
terrain, as SPLAT! sees it), 50 % of time and of locations, vertical polarisation, zone 4 (inland), and the
refractivity matched to SPLAT!'s N_s = 301: Delta N = 39.25 N-units/km, so that k50 = 157 / (157 - Delta N) = 4/3
(a_e 8,495 km; ITM's a_e from N_s 301 is 8,492 km), and N0 = 301 (SPLAT!'s surface refractivity taken as the
sea-level one; it enters only the troposcatter loss). Its timing covers the distance tables, the disc and the lookup.
P.1812-6 is specified from 0.25 km: nearer points read the 0.25 km loss and are left out of its difference table.
A random subset of points is re-run through the point-to-point ``coverage.radio.p1812.p1812_loss`` on the exact
path (sampling check), whose intermediate terms are printed by distance band to explain the differences.

The models differ on purpose (ITM: two-ray ground reflection in line of sight, rough-earth and
smooth-earth diffraction blend, troposcatter; ours: free space plus knife-edge diffraction over the
profile; P.1812: free space plus delta-Bullington diffraction, blended with troposcatter and ducting), so the loss
difference is reported and explained, not minimised.

Run: python benchmarks/splat_compare.py [--terrain synthetic|province|both] [--radius-km 30] [--no-p1812]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import rasterio
from numpy.typing import NDArray
from pyproj import Transformer
from rasterio.crs import CRS
from rasterio.transform import Affine, from_origin
from rasterio.warp import Resampling, reproject

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _hgt

REPO = Path(__file__).resolve().parents[1]
PROVINCE_DEM = REPO / "data" / "rasters" / "dem.tif"
RES_M = 90.0
"""Our grid spacing, metres: one 3 arc-second step (92.6 m north-south, 91.2 m east-west at 10 N)."""
DIST_BANDS_KM = ((0.0, 2.0), (2.0, 10.0), (10.0, 20.0), (20.0, 31.0))
P1812_MIN_M = 250.0
"""P.1812-6 is specified from 0.25 km; nearer points are left out of its difference table."""
P1812_BANDS_KM = ((0.25, 2.0), (2.0, 10.0), (10.0, 20.0), (20.0, 31.0))
P1812_DELTA_N = 39.25
"""Refractivity lapse rate (N-units/km) giving k50 = 157 / (157 - Delta N) = 4/3, ITM's k at SPLAT!'s N_s = 301."""
P1812_N0 = 301.0
"""Sea-level surface refractivity (N-units): SPLAT!'s N_s (a surface value; the delta lies at 0-3 m)."""
P1812_TERMS = ("lbfs_db", "lbulla_db", "lbulls_db", "ldsph_db", "ld50_db", "lbs_db", "lba_db", "lb_db")
"""Intermediate P.1812 quantities printed by distance band (point-to-point subset)."""
LABELS = {
    "bullington": "ours FSPL+Bullington",
    "deygout": "ours FSPL+Deygout",
    "p1812": "ours P.1812-6 (tables + disc + lookup)",
}
_WARMED: set[str] = set()
"""Methods already compiled (or loaded from numba's cache) in this process."""


@dataclass(frozen=True)
class Case:
    """One terrain: its tiles (south-west corners) and the transmitter site, degrees."""

    name: str
    tiles: tuple[tuple[int, int], ...]
    site_lat: float
    site_lon: float


CASES = {
    "synthetic": Case("synthetic hills (N10E106)", ((10, 106),), 10.5, 106.5),
    "province": Case("sample province (N09E105+N10E105)", ((9, 105), (10, 105)), 9.79, 105.65),
}


@dataclass
class Result:
    """Measured figures of one terrain."""

    case: Case
    notes: list[str] = field(default_factory=list)
    n_points: int = 0
    splat_s: float = float("nan")
    splat_fixed_s: float = float("nan")
    splat_ano_s: float = float("nan")
    splat_itwom_s: float = float("nan")
    ours_first_s: dict[str, float] = field(default_factory=dict)
    ours_s: dict[str, float] = field(default_factory=dict)
    ours_1thread_s: dict[str, float] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)
    """CPU seconds (user + system, all threads; SPLAT!: the child process) of the best of each timed row."""
    sweep_samples: int = 0
    diffs: dict[str, dict[str, float]] = field(default_factory=dict)
    breakdown: dict[str, dict[str, float]] = field(default_factory=dict)
    p1812_diffs: dict[str, dict[str, float]] = field(default_factory=dict)
    p1812_terms: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class Geometry:
    """Our UTM grid of one terrain, the site on it, and the SPLAT! points (position, azimuth, distance from site)."""

    dem: NDArray[np.float32]
    clutter: NDArray[np.float32]
    ox: float
    oy: float
    sx: float
    sy: float
    px: NDArray[np.float64]
    py: NDArray[np.float64]
    az: NDArray[np.float64]
    d: NDArray[np.float64]


# --------------------------------------------------------------------------------------------- terrain


def _synthetic_tiles(case: Case) -> dict[tuple[int, int], NDArray[np.float32]]:
    return {tile: _hgt.synthetic_hills(*tile) for tile in case.tiles}


def _province_tiles(case: Case, notes: list[str]) -> dict[tuple[int, int], NDArray[np.float32]]:
    """Average the 1 arc-second province DEM onto the 3 arc-second tile samples; outside the DEM -> 0 m."""
    tiles = {}
    with rasterio.open(PROVINCE_DEM) as src:
        dem = src.read(1).astype(np.float32)
        for lat_sw, lon_sw in case.tiles:
            out = np.full((_hgt.HGT_SIZE, _hgt.HGT_SIZE), np.nan, dtype=np.float32)
            half = _hgt.HGT_STEP_DEG / 2
            dst_transform = from_origin(lon_sw - half, lat_sw + 1 + half, _hgt.HGT_STEP_DEG, _hgt.HGT_STEP_DEG)
            reproject(
                dem,
                out,
                src_transform=src.transform,
                src_crs=src.crs,
                src_nodata=src.nodata,
                dst_transform=dst_transform,
                dst_crs=src.crs,
                dst_nodata=np.nan,
                resampling=Resampling.average,
            )
            outside = ~np.isfinite(out)
            notes.append(
                f"{_hgt.tile_name(lat_sw, lon_sw)}: {100 * outside.mean():.1f} % of the tile lies outside the "
                "province DEM and is set to 0 m (sea level)"
            )
            tiles[(lat_sw, lon_sw)] = np.where(outside, 0.0, out).astype(np.float32)
    return tiles


def _mosaic(tiles: dict[tuple[int, int], NDArray[np.int16]]) -> tuple[NDArray[np.float32], Affine]:
    """Tiles (sharing edge samples) as one lon/lat array with its pixel-is-area transform."""
    lats = sorted({t[0] for t in tiles})
    lons = sorted({t[1] for t in tiles})
    n = _hgt.HGT_SIZE - 1
    mosaic = np.zeros((len(lats) * n + 1, len(lons) * n + 1), dtype=np.float32)
    for (lat_sw, lon_sw), data in tiles.items():
        r0 = (lats[-1] - lat_sw) * n
        c0 = (lon_sw - lons[0]) * n
        mosaic[r0 : r0 + n + 1, c0 : c0 + n + 1] = data
    half = _hgt.HGT_STEP_DEG / 2
    transform = from_origin(lons[0] - half, lats[-1] + 1 + half, _hgt.HGT_STEP_DEG, _hgt.HGT_STEP_DEG)
    return mosaic, transform


def _utm_dem(
    mosaic: NDArray[np.float32], transform: Affine, site_x: float, site_y: float, radius_m: float, epsg: int
) -> tuple[NDArray[np.float32], float, float]:
    """Bilinear reprojection of the lon/lat mosaic onto a 90 m UTM grid covering the disc plus a margin."""
    half_px = int(np.ceil((radius_m + 4 * RES_M) / RES_M))
    origin_x = np.floor(site_x / RES_M) * RES_M - half_px * RES_M
    origin_y = np.ceil(site_y / RES_M) * RES_M + half_px * RES_M
    out = np.full((2 * half_px + 1, 2 * half_px + 1), np.nan, dtype=np.float32)
    reproject(
        mosaic,
        out,
        src_transform=transform,
        src_crs=CRS.from_epsg(4326),
        dst_transform=from_origin(origin_x, origin_y, RES_M, RES_M),
        dst_crs=CRS.from_epsg(epsg),
        dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )
    return out, float(origin_x), float(origin_y)


# --------------------------------------------------------------------------------------------- SPLAT!


def _write_splat_inputs(workdir: Path, case: Case, tiles, args) -> None:
    for (lat_sw, lon_sw), data in tiles.items():
        _hgt.write_hgt(workdir / _hgt.tile_name(lat_sw, lon_sw), data)
        subprocess.run(
            ["srtm2sdf", _hgt.tile_name(lat_sw, lon_sw)], cwd=workdir, check=True, capture_output=True, text=True
        )
    # SPLAT! longitudes are degrees West (0-360); heights in metres when followed by "m"
    (workdir / "tx.qth").write_text(f"tx\n{case.site_lat:.6f}\n{360.0 - case.site_lon:.6f}\n{args.tx_height_m}m\n")
    (workdir / "tx.lrp").write_text(
        "15.000  ; Earth dielectric constant (relative permittivity), average ground\n"
        "0.005   ; Earth conductivity (S/m)\n"
        "301.000 ; Atmospheric bending constant N_s (N-units): k = 4/3 in ITM\n"
        f"{args.freq_mhz:.3f} ; Frequency (MHz)\n"
        "1       ; Radio climate (1 = equatorial)\n"
        "1       ; Polarisation (1 = vertical)\n"
        "0.50    ; Fraction of situations (location variability)\n"
        "0.50    ; Fraction of time (time variability)\n"
    )


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_splat(
    workdir: Path, radius_km: float, rx_height_m: float, name: str, *, olditm: bool, ano: bool
) -> tuple[float, float]:
    """One ``splat -L`` path-loss map (``name.ppm``; with ``ano`` also ``name.ano``); wall and CPU time, s.

    ``-ano`` makes SPLAT! also scan each path for its first obstruction (the elevation column), which costs
    about a quarter of its run time, so the speed reference is the map-only run.
    """
    cmd = ["splat", "-t", "tx.qth", "-L", f"{rx_height_m}", "-R", f"{radius_km}", "-metric", "-N"]
    cmd += ["-d", str(workdir), "-o", name]
    if ano:
        cmd += ["-ano", f"{name}.ano"]
    if olditm:
        cmd.append("-olditm")
    t0, c0 = time.perf_counter(), _children_cpu_s()
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - t0, _children_cpu_s() - c0
    if proc.returncode != 0 or (ano and not (workdir / f"{name}.ano").exists()):
        raise RuntimeError(f"splat failed ({proc.returncode}): {proc.stdout[-500:]} {proc.stderr[-500:]}")
    return elapsed, cpu


def _read_ano(path: Path) -> dict[str, NDArray]:
    """SPLAT! ``-ano`` rows: lat (deg N), lon (deg W), azimuth, elevation (deg), loss (dB), '*' = obstructed."""
    lat, lon_w, loss, blocked = [], [], [], []
    with path.open() as fh:
        for line in fh:
            if ";" in line:
                continue
            parts = line.split(",")
            lat.append(float(parts[0]))
            lon_w.append(float(parts[1]))
            last = parts[4].strip()
            blocked.append(last.endswith("*"))
            loss.append(float(last.rstrip("*").strip()))
    lon_e = 360.0 - np.asarray(lon_w)
    lon_e = np.where(lon_e > 180.0, lon_e - 360.0, lon_e)
    return {"lat": np.asarray(lat), "lon": lon_e, "loss_db": np.asarray(loss), "blocked": np.asarray(blocked)}


# --------------------------------------------------------------------------------------------- ours


def _numba_threads(n: int | None) -> int:
    import numba

    if n is not None:
        numba.set_num_threads(n)
    return numba.get_num_threads()


def _ours_loss(terrain, propagation, dem, ox, oy, sx, sy, args, method: str, ridx, sidx):
    """One full evaluation: sweep + loss table + lookup at the given (radial, sample) indices."""
    sweep = terrain.radial_sweep(
        dem, ox, oy, RES_M, sx, sy, args.tx_height_m, args.rx_height_m, args.radius_km * 1000.0, method=method
    )
    dist_m = _sweep_dist_m(sweep)
    loss = propagation.fspl_db(dist_m, args.freq_mhz)[None, :] + terrain.diffraction_loss_db(
        sweep.nu_geom, dist_m, args.freq_mhz, method=method
    )
    return sweep, loss[ridx, sidx]


def _sweep_dist_m(sweep) -> NDArray[np.float64]:
    if hasattr(sweep, "dist_m"):
        return np.asarray(sweep.dist_m, dtype=np.float64)
    n_samples = sweep.nu_geom.shape[-1]
    return (np.arange(n_samples) + 1.0) * float(sweep.step_m)


_COLD_COMPILE = """
import time, numpy as np
t0 = time.perf_counter()
from coverage.radio import terrain
t1 = time.perf_counter()
dem = np.zeros((41, 41), dtype=np.float32)
for method in ("bullington", "deygout"):
    t = time.perf_counter()
    terrain.radial_sweep(dem, 0.0, 41 * 90.0, 90.0, 1845.0, 1845.0, 30.0, 1.5, 1000.0, method=method)
    print(method, time.perf_counter() - t)
if P1812:
    t = time.perf_counter()
    from coverage.radio.p1812_raster import P1812Settings, distance_tables, p1812_disc
    s = P1812Settings()
    tables = distance_tables(1200.0, s, 10.0)
    p1812_disc(dem, np.zeros_like(dem), 0.0, 41 * 90.0, 90.0, 0, 0, 1845.0, 1845.0, 30.0, 1.5, 1000.0, [1800.0], s,
               tables=tables)
    print("p1812", time.perf_counter() - t)
"""


def cold_compile_s(p1812: bool) -> dict[str, float]:
    """First ``radial_sweep`` per method (and P.1812 tables + disc) in a fresh interpreter, empty numba cache, s."""
    with tempfile.TemporaryDirectory(prefix="numba_cache_") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        code = f"P1812 = {p1812}\n{_COLD_COMPILE}"
        proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return {}
    return {line.split()[0]: float(line.split()[1]) for line in proc.stdout.splitlines() if line.strip()}


def _stats(delta: NDArray[np.float64]) -> dict[str, float]:
    a = np.abs(delta)
    return {
        "median_abs": float(np.median(a)),
        "p90_abs": float(np.percentile(a, 90)),
        "bias": float(np.mean(delta)),
        "n": int(delta.size),
    }


def p1812_settings(*, matched: bool = True):
    """P.1812-6 settings for the comparison: 50 % time, vertical, inland, refractivity matched to SPLAT!'s N_s 301.

    ``matched=False`` gives the engine's defaults (Delta N 50, N0 370), for the sensitivity row.
    """
    from coverage.radio.p1812_raster import P1812Settings

    if not matched:
        return P1812Settings()
    return P1812Settings(
        time_percent=50.0,
        vertical=True,
        delta_n=P1812_DELTA_N,
        n0=P1812_N0,
        zone=4,
        coast_distance_km=500.0,
        min_dist_m=P1812_MIN_M,
    )


def _p1812_eval(geo: Geometry, args, settings, lat_deg: float):
    """One full P.1812-6 evaluation of the disc: distance tables, disc, lookup at the SPLAT! points (and the disc)."""
    from coverage.radio.p1812_raster import distance_tables, p1812_disc

    radius = args.radius_km * 1000.0
    tables = distance_tables(radius + 2.0 * RES_M, settings, lat_deg)
    disc = p1812_disc(
        geo.dem, geo.clutter, geo.ox, geo.oy, RES_M, 0, 0, geo.sx, geo.sy, args.tx_height_m, args.rx_height_m,
        radius, [args.freq_mhz], settings, tables=tables,
    )  # fmt: skip
    return disc.at(geo.px, geo.py, args.freq_mhz), disc


def _timed(fn, threads: int | None) -> tuple[float, float, NDArray[np.float64]]:
    """Wall and CPU time (this process, all threads) of ``fn()`` with ``threads`` numba threads (None: all), and the
    loss it returns."""
    before = _numba_threads(None)
    if threads is not None:
        _numba_threads(threads)
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        loss = fn()
        return time.perf_counter() - t0, time.process_time() - c0, loss
    finally:
        _numba_threads(before)


def _prepare(key: str, args, workdir: Path, res: Result):
    """Tiles (int16 metres, both sides see them), SPLAT! inputs, and SPLAT!'s ITM (and ITWOM) ``-ano`` loss values."""
    case = res.case
    t0 = time.perf_counter()
    tiles = _synthetic_tiles(case) if key == "synthetic" else _province_tiles(case, res.notes)
    tiles = {t: np.rint(a).astype(np.int16) for t, a in tiles.items()}
    _write_splat_inputs(workdir, case, tiles, args)
    res.notes.append(f"terrain prepared in {time.perf_counter() - t0:.1f} s (tiles + srtm2sdf, untimed)")
    radius, rx = args.radius_km, args.rx_height_m
    res.splat_ano_s, res.cpu_s["splat_ano"] = _run_splat(workdir, radius, rx, "itm", olditm=True, ano=True)
    itm = _read_ano(workdir / "itm.ano")
    itwom = None
    if not args.skip_itwom:
        res.splat_itwom_s, res.cpu_s["splat_itwom"] = _run_splat(workdir, radius, rx, "itwom", olditm=False, ano=True)
        itwom = _read_ano(workdir / "itwom.ano")
    res.n_points = itm["loss_db"].size
    return tiles, itm, itwom


def _geometry(case: Case, tiles, itm: dict[str, NDArray], args, res: Result) -> Geometry:
    """The same int16 terrain on a 90 m UTM grid, and the SPLAT! points on it (matching, not modelling)."""
    from coverage.layers.crs import utm_epsg_from_lon

    epsg = utm_epsg_from_lon(case.site_lon, case.site_lat)
    to_utm = Transformer.from_crs(4326, epsg, always_xy=True)
    sx, sy = to_utm.transform(case.site_lon, case.site_lat)
    mosaic, transform = _mosaic(tiles)
    t0 = time.perf_counter()
    dem, ox, oy = _utm_dem(mosaic, transform, sx, sy, args.radius_km * 1000.0, epsg)
    res.notes.append(f"reprojection to EPSG:{epsg} at {RES_M:.0f} m: {time.perf_counter() - t0:.2f} s (untimed)")
    px, py = to_utm.transform(itm["lon"], itm["lat"])
    px, py = np.asarray(px), np.asarray(py)
    dx, dy = px - sx, py - sy
    az = np.degrees(np.arctan2(dx, dy)) % 360.0
    clutter = np.zeros_like(dem)  # bare terrain: SPLAT! has no clutter
    return Geometry(dem, clutter, ox, oy, float(sx), float(sy), px, py, az, np.hypot(dx, dy))


def _warm_up(terrain, geo: Geometry, args, res: Result, methods, settings, lat_deg):
    """First call of each method (numba compile or cache load), and the sweep lookup indices."""
    index: dict[str, tuple[NDArray[np.int64], NDArray[np.int64]]] = {}
    for method in methods:
        t0 = time.perf_counter()
        if method == "p1812":
            _, disc = _p1812_eval(geo, args, settings, lat_deg)
            res.notes.append(
                f"P.1812 disc: {int(np.isfinite(disc.loss_db).sum()):,} pixels of {RES_M:.0f} m evaluated, "
                f"{disc.loss_db.shape[-1]} x {disc.loss_db.shape[-1]} window"
            )
        else:
            sweep = terrain.radial_sweep(
                geo.dem, geo.ox, geo.oy, RES_M, geo.sx, geo.sy, args.tx_height_m, args.rx_height_m,
                args.radius_km * 1000.0, method=method,
            )  # fmt: skip
            n_rad, n_smp = sweep.nu_geom.shape[-2:]
            step = float(_sweep_dist_m(sweep)[0])
            ridx = np.rint(geo.az / (360.0 / n_rad)).astype(np.int64) % n_rad
            sidx = np.clip(np.rint(geo.d / step).astype(np.int64) - 1, 0, n_smp - 1)
            index[method] = (ridx, sidx)
            res.sweep_samples = n_rad * n_smp
        if method not in _WARMED:
            res.ours_first_s[method] = time.perf_counter() - t0
            _WARMED.add(method)
    return index


def _time_rounds(workdir: Path, args, res: Result, evaluators) -> dict[str, NDArray[np.float64]]:
    """SPLAT! and ours interleaved so that both meet the same machine; the best wall and CPU time of each are kept."""
    losses: dict[str, NDArray[np.float64]] = {}
    inf = float("inf")
    res.splat_fixed_s = res.splat_s = inf
    rx = args.rx_height_m

    def keep(key: str, wall: dict[str, float], secs: float, cpu: float) -> None:
        wall[key] = min(wall.get(key, inf), secs)
        res.cpu_s[key] = min(res.cpu_s.get(key, inf), cpu)

    splat: dict[str, float] = {}
    for _ in range(args.rounds):
        keep("splat_fixed", splat, *_run_splat(workdir, 0.1, rx, "fixed", olditm=True, ano=False))
        keep("splat", splat, *_run_splat(workdir, args.radius_km, rx, "map", olditm=True, ano=False))
        for name, fn in evaluators.items():
            for _ in range(2):
                secs, cpu, losses[name] = _timed(fn, None)
                keep(name, res.ours_s, secs, cpu)
                if args.single_thread_too:
                    secs, cpu, _ = _timed(fn, 1)
                    res.ours_1thread_s[name] = min(res.ours_1thread_s.get(name, inf), secs)
                    res.cpu_s[f"{name}/1"] = min(res.cpu_s.get(f"{name}/1", inf), cpu)
    res.splat_fixed_s, res.splat_s = splat["splat_fixed"], splat["splat"]
    return losses


def _itm_differences(res: Result, itm, itwom, losses, d: NDArray[np.float64]) -> None:
    """ITM - ours (FSPL + Bullington / Deygout / alone): all points, LOS / obstructed (SPLAT!'s flag), distance."""
    itm_db, blocked = itm["loss_db"], itm["blocked"]
    for name in ("bullington", "deygout", "fspl"):
        res.diffs[f"ITM - FSPL+{name}" if name != "fspl" else "ITM - FSPL alone"] = _stats(itm_db - losses[name])
    if itwom is not None:
        res.diffs["ITWOM - FSPL+bullington"] = _stats(itwom["loss_db"] - losses["bullington"])
    for name in ("bullington", "deygout", "fspl"):
        delta = itm_db - losses[name]
        label = f"FSPL+{name}" if name != "fspl" else "FSPL alone"
        res.breakdown[f"ITM - {label}, LOS"] = _stats(delta[~blocked])
        res.breakdown[f"ITM - {label}, obstructed"] = _stats(delta[blocked])
        for lo, hi in DIST_BANDS_KM:
            band = (d >= lo * 1000.0) & (d < hi * 1000.0)
            res.breakdown[f"ITM - {label}, {lo:g}-{hi:g} km"] = _stats(delta[band])


def _p1812_differences(res: Result, itm, losses, d: NDArray[np.float64], defaults: NDArray[np.float64]) -> None:
    """P.1812 - ITM at the points from 0.25 km (SPLAT!'s LOS flag, distance bands), and sensitivity rows."""
    p = losses["p1812"]
    near = d < P1812_MIN_M
    off = ~near & ~np.isfinite(p)
    ok = ~near & np.isfinite(p)
    res.notes.append(
        f"P.1812 difference table: {int(near.sum()):,} points nearer than {P1812_MIN_M / 1000:g} km left out "
        f"(the disc gives them the 0.25 km loss); {int(off.sum()):,} rim points whose pixel centre lies beyond the "
        "radius (no P.1812 value) left out"
    )
    itm_db, blocked = itm["loss_db"], itm["blocked"]
    delta = p - itm_db
    res.p1812_diffs["P.1812 - ITM, all from 0.25 km"] = _stats(delta[ok])
    res.p1812_diffs["P.1812 - ITM, LOS (SPLAT! flag)"] = _stats(delta[ok & ~blocked])
    res.p1812_diffs["P.1812 - ITM, obstructed"] = _stats(delta[ok & blocked])
    for lo, hi in P1812_BANDS_KM:
        band = ok & (d >= lo * 1000.0) & (d < hi * 1000.0)
        res.p1812_diffs[f"P.1812 - ITM, {lo:g}-{min(hi, 30):g} km"] = _stats(delta[band])
        res.p1812_diffs[f"P.1812 - ITM, {lo:g}-{min(hi, 30):g} km, LOS"] = _stats(delta[band & ~blocked])
    res.p1812_diffs["P.1812 - FSPL alone"] = _stats((p - losses["fspl"])[ok])
    res.p1812_diffs["P.1812 - (FSPL+Bullington)"] = _stats((p - losses["bullington"])[ok])
    good = ok & np.isfinite(defaults)
    res.p1812_diffs["P.1812 engine defaults (dN 50, N0 370) - ITM"] = _stats((defaults - itm_db)[good])


def _p2p_bullington(terrain, propagation, geo: Geometry, itm, losses, args, res: Result) -> None:
    """Sampling check: the point-to-point Bullington on the exact path to a random subset of points."""
    rng = np.random.default_rng(7)
    pick = rng.choice(np.flatnonzero(geo.d > 2 * RES_M), size=min(args.p2p_points, res.n_points), replace=False)
    p2p = np.empty(pick.size)
    t0 = time.perf_counter()
    for j, k in enumerate(pick):
        prof_d, prof_h = terrain.profile_from_dem(
            geo.dem, geo.ox, geo.oy, RES_M, (geo.sx, geo.sy), (geo.px[k], geo.py[k])
        )
        p2p[j] = terrain.bullington_loss_db(prof_d, prof_h, args.tx_height_m, args.rx_height_m, args.freq_mhz)
    p2p_s = time.perf_counter() - t0
    p2p += propagation.fspl_db(geo.d[pick], args.freq_mhz)
    res.diffs["p2p bullington - sweep bullington (sampling)"] = _stats(p2p - losses["bullington"][pick])
    res.diffs["ITM - p2p bullington (exact paths)"] = _stats(itm["loss_db"][pick] - p2p)
    res.notes.append(
        f"point-to-point check on {pick.size:,} random SPLAT! points: {p2p_s:.2f} s "
        f"({pick.size / p2p_s:,.0f} points/s through the Python point-to-point API)"
    )


def _p2p_p1812(terrain, propagation, geo: Geometry, case: Case, itm, losses, args, res: Result, settings) -> None:
    """P.1812-6 point to point (``p1812_loss``) on the exact path to a random subset of points from 0.25 km.

    Checks the disc's sampling, and gives the intermediate terms by distance band (median, dB).
    """
    from coverage.radio.p1812 import p1812_loss
    from coverage.radio.profiles import P1812Profile

    rng = np.random.default_rng(11)
    cand = np.flatnonzero((geo.d >= P1812_MIN_M) & np.isfinite(losses["p1812"]))
    pick = np.sort(rng.choice(cand, size=min(args.p2p_points, cand.size), replace=False))
    terms = {name: np.empty(pick.size) for name in P1812_TERMS}
    t0 = time.perf_counter()
    for j, k in enumerate(pick):
        prof_d, prof_h = terrain.profile_from_dem(
            geo.dem, geo.ox, geo.oy, RES_M, (geo.sx, geo.sy), (geo.px[k], geo.py[k])
        )
        n = prof_d.size
        profile = P1812Profile(
            prof_d / 1000.0, prof_h, np.full(n, 2, dtype=np.int64), np.zeros(n),
            np.full(n, settings.zone, dtype=np.int64),
            tx_lat_deg=case.site_lat, tx_lon_deg=case.site_lon, rx_lat_deg=float(itm["lat"][k]),
            rx_lon_deg=float(itm["lon"][k]), delta_n=settings.delta_n, n0=settings.n0,
        )  # fmt: skip
        r = p1812_loss(
            profile, args.freq_mhz / 1000.0, settings.time_percent, args.tx_height_m, args.rx_height_m,
            pol="vertical" if settings.vertical else "horizontal", dct_km=settings.coast_distance_km,
            dcr_km=settings.coast_distance_km,
        )  # fmt: skip
        for name in P1812_TERMS:
            terms[name][j] = getattr(r, name)
    p2p_s = time.perf_counter() - t0
    res.p1812_diffs["p2p P.1812 - disc P.1812 (sampling)"] = _stats(terms["lb_db"] - losses["p1812"][pick])
    res.p1812_diffs["p2p P.1812 - ITM (exact paths)"] = _stats(terms["lb_db"] - itm["loss_db"][pick])
    res.notes.append(
        f"P.1812 point-to-point check on {pick.size:,} random SPLAT! points from 0.25 km: {p2p_s:.2f} s "
        f"({pick.size / p2p_s:,.0f} paths/s through p1812_loss)"
    )
    d, fspl = geo.d[pick], propagation.fspl_db(geo.d[pick], args.freq_mhz)
    blocked = itm["blocked"][pick]
    for lo, hi in P1812_BANDS_KM:
        for flag, sel in (("LOS", ~blocked), ("obstructed", blocked)):
            band = sel & (d >= lo * 1000.0) & (d < hi * 1000.0)
            if not band.any():
                continue
            row = {name: float(np.median(terms[name][band])) for name in P1812_TERMS}
            row["itm_minus_fspl"] = float(np.median(itm["loss_db"][pick][band] - fspl[band]))
            row["lb_minus_lbfs"] = float(np.median(terms["lb_db"][band] - terms["lbfs_db"][band]))
            row["lbs_margin"] = float(np.median(terms["lbs_db"][band] - terms["lb_db"][band]))
            row["lba_margin"] = float(np.median(terms["lba_db"][band] - terms["lb_db"][band]))
            row["n"] = int(band.sum())
            res.p1812_terms[f"{lo:g}-{min(hi, 30):g} km, {flag}"] = row


def run_case(key: str, args, workdir: Path) -> Result:
    from coverage.radio import propagation, terrain

    case = CASES[key]
    res = Result(case)
    tiles, itm, itwom = _prepare(key, args, workdir, res)
    geo = _geometry(case, tiles, itm, args, res)

    settings = p1812_settings()
    methods = ("bullington", "deygout", *(("p1812",) if args.p1812 else ()))
    index = _warm_up(terrain, geo, args, res, methods, settings, case.site_lat)

    def sweep_eval(method: str):
        return lambda: _ours_loss(
            terrain, propagation, geo.dem, geo.ox, geo.oy, geo.sx, geo.sy, args, method, *index[method]
        )[1]

    evaluators = {m: sweep_eval(m) for m in ("bullington", "deygout")}
    if args.p1812:
        evaluators["p1812"] = lambda: _p1812_eval(geo, args, settings, case.site_lat)[0]
    losses = _time_rounds(workdir, args, res, evaluators)
    losses["fspl"] = propagation.fspl_db(np.maximum(geo.d, 1.0), args.freq_mhz)

    _itm_differences(res, itm, itwom, losses, geo.d)
    _p2p_bullington(terrain, propagation, geo, itm, losses, args, res)
    if args.p1812:
        defaults, _ = _p1812_eval(geo, args, p1812_settings(matched=False), case.site_lat)
        _p1812_differences(res, itm, losses, geo.d, defaults)
        _p2p_p1812(terrain, propagation, geo, case, itm, losses, args, res, settings)

    res.notes.append(
        f"SPLAT! points: {res.n_points:,} ({100 * itm['blocked'].mean():.0f} % obstructed at 4/3 earth); "
        f"ITM loss median {np.median(itm['loss_db']):.1f} dB, "
        f"ours (FSPL+Bullington) {np.median(losses['bullington']):.1f} dB"
        + (f", P.1812 {np.nanmedian(losses['p1812']):.1f} dB" if args.p1812 else "")
    )
    return res


# --------------------------------------------------------------------------------------------- report


def _print(results: list[Result], args, cold: dict[str, float]) -> None:
    threads = _numba_threads(None)
    print(
        f"\nSite {args.tx_height_m} m AGL, receiver {args.rx_height_m} m AGL, {args.freq_mhz:g} MHz, "
        f"radius {args.radius_km:g} km, 3 arc-second SPLAT! / {RES_M:.0f} m ours, k = 4/3 (N_s = 301), "
        f"numba threads = {threads}, CPUs = {os.cpu_count()}, load average before/after "
        f"{args.load_before:.2f}/{os.getloadavg()[0]:.2f}; times are the best of {args.rounds} interleaved rounds"
    )
    if args.p1812:
        print(
            f"P.1812-6: 50 % time and locations, vertical, zone 4, Delta N {P1812_DELTA_N} (k50 = 4/3), "
            f"N0 {P1812_N0:g}, clutter heights 0 (bare terrain); timed as distance tables + disc + lookup"
        )
    print()
    print(
        "| terrain | engine | points | time (s) | points/s | vs SPLAT! ITM (net) | CPU (s) | points/CPU-s "
        "| vs SPLAT! (CPU) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        n, cpu, nan = r.n_points, r.cpu_s, float("nan")
        net = r.splat_s - r.splat_fixed_s
        net_cpu = cpu["splat"] - cpu["splat_fixed"]
        rows = [
            ("SPLAT! ITM (-olditm) map, wall", r.splat_s, cpu["splat"]),
            (f"SPLAT! ITM map, net of {r.splat_fixed_s:.2f} s fixed cost", net, net_cpu),
            (
                "SPLAT! ITM map + -ano output, net",
                r.splat_ano_s - r.splat_fixed_s,
                cpu["splat_ano"] - cpu["splat_fixed"],
            ),
        ]
        if np.isfinite(r.splat_itwom_s):
            itwom = (r.splat_itwom_s - r.splat_fixed_s, cpu["splat_itwom"] - cpu["splat_fixed"])
            rows.append(("SPLAT! ITWOM 3.0 map + -ano output, net", *itwom))
        for method in r.ours_s:
            label = LABELS.get(method, method)
            if method in r.ours_first_s:
                what = "sweep only" if method != "p1812" else "tables + disc"
                rows.append((f"{label}, {what}, first call in process", r.ours_first_s[method], nan))
            rows.append((f"{label}, warm", r.ours_s[method], cpu[method]))
            if method in r.ours_1thread_s:
                rows.append((f"{label}, warm, 1 thread", r.ours_1thread_s[method], cpu[f"{method}/1"]))
        for label, secs, cs in rows:
            print(
                f"| {r.case.name} | {label} | {n:,} | {secs:.3f} | {n / secs:,.0f} | {net / secs:.1f}x | {cs:.3f} "
                f"| {n / cs:,.0f} | {net_cpu / cs:.1f}x |"
            )
    tables = (("difference (dB)", "diffs"), ("breakdown (dB)", "breakdown"), ("P.1812 difference (dB)", "p1812_diffs"))
    for title, attr in tables:
        print(f"\n| terrain | {title} | points | median abs | p90 abs | mean (bias) |")
        print("|---|---|---:|---:|---:|---:|")
        for r in results:
            for label, s in getattr(r, attr).items():
                print(
                    f"| {r.case.name} | {label} | {s['n']:,} | {s['median_abs']:.1f} | {s['p90_abs']:.1f} "
                    f"| {s['bias']:+.1f} |"
                )
    _print_p1812_terms(results)
    print()
    if cold:
        print(
            "numba compilation, empty cache, fresh interpreter: first radial_sweep "
            + ", then ".join(f"{m} {t:.2f} s" for m, t in cold.items())
            + " (one kernel serves both sweep methods; p1812 = import + distance tables + disc); later processes "
            "load numba's on-disk cache (the 'first call in process' rows)"
        )
    for r in results:
        print(f"{r.case.name}:")
        print(f"  our sweep evaluates {r.sweep_samples:,} (radial, sample) pairs per call")
        for note in r.notes:
            print(f"  - {note}")


def _print_p1812_terms(results: list[Result]) -> None:
    """Medians of P.1812's terms (point-to-point subset) and of ITM - FSPL, by band and SPLAT!'s LOS flag, dB.

    Lbs - Lb and Lba - Lb: how far troposcatter and ducting lie above the result (large: they do not count).
    """
    if not any(r.p1812_terms for r in results):
        return
    print(
        "\n| terrain | band | points | ITM - FSPL | P.1812 Lb - Lbfs | Lbulla | Lbulls | Ldsph | Ld50 | Lbs - Lb "
        "| Lba - Lb |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        for label, t in r.p1812_terms.items():
            print(
                f"| {r.case.name} | {label} | {t['n']:,} | {t['itm_minus_fspl']:.1f} | {t['lb_minus_lbfs']:.1f} "
                f"| {t['lbulla_db']:.1f} | {t['lbulls_db']:.1f} | {t['ldsph_db']:.1f} | {t['ld50_db']:.1f} "
                f"| {t['lbs_margin']:.1f} | {t['lba_margin']:.1f} |"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terrain", choices=["synthetic", "province", "both"], default="both")
    parser.add_argument("--radius-km", type=float, default=30.0)
    parser.add_argument("--freq-mhz", type=float, default=1800.0)
    parser.add_argument("--tx-height-m", type=float, default=30.0)
    parser.add_argument("--rx-height-m", type=float, default=1.5)
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved timing rounds (SPLAT! once, ours twice per round; best kept)"
    )
    parser.add_argument("--p2p-points", type=int, default=2000, help="random points re-run point-to-point")
    parser.add_argument("--skip-itwom", action="store_true", help="do not also run SPLAT!'s default ITWOM 3.0")
    parser.add_argument(
        "--no-single-thread", dest="single_thread_too", action="store_false", help="skip the 1-thread run of ours"
    )
    parser.add_argument(
        "--no-cold-compile", dest="cold_compile", action="store_false", help="skip timing numba with an empty cache"
    )
    parser.add_argument("--no-p1812", dest="p1812", action="store_false", help="skip ITU-R P.1812-6")
    args = parser.parse_args()
    missing = [tool for tool in ("splat", "srtm2sdf") if shutil.which(tool) is None]
    if missing:
        print(f"skipped: {' and '.join(missing)} not installed (Debian/Ubuntu: apt-get install splat)")
        return 0
    keys = ["synthetic", "province"] if args.terrain == "both" else [args.terrain]
    if "province" in keys and not PROVINCE_DEM.exists():
        print(f"note: {PROVINCE_DEM} is absent; province terrain skipped")
        keys.remove("province")
    args.load_before = os.getloadavg()[0]
    cold = cold_compile_s(args.p1812) if args.cold_compile else {}
    results = []
    for key in keys:
        with tempfile.TemporaryDirectory(prefix="splat_compare_") as tmp:
            results.append(run_case(key, args, Path(tmp)))
    _print(results, args, cold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
