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

The models differ on purpose (ITM: two-ray ground reflection in line of sight, rough-earth and
smooth-earth diffraction blend, troposcatter; ours: free space plus knife-edge diffraction over the
profile), so the loss difference is reported and explained, not minimised.

Run: python benchmarks/splat_compare.py [--terrain synthetic|province|both] [--radius-km 30]
"""

from __future__ import annotations

import argparse
import os
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
DIST_BANDS_KM = ((0.0, 2.0), (2.0, 10.0), (10.0, 20.0), (20.0, 31.0))
_WARMED: set[str] = set()
"""Methods already compiled (or loaded from numba's cache) in this process."""
"""Our grid spacing, metres: one 3 arc-second step (92.6 m north-south, 91.2 m east-west at 10 N)."""


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
    sweep_samples: int = 0
    diffs: dict[str, dict[str, float]] = field(default_factory=dict)
    breakdown: dict[str, dict[str, float]] = field(default_factory=dict)


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


def _run_splat(workdir: Path, radius_km: float, rx_height_m: float, name: str, *, olditm: bool, ano: bool) -> float:
    """One ``splat -L`` path-loss map (``name.ppm``; with ``ano`` also ``name.ano``); wall time, s.

    ``-ano`` makes SPLAT! also scan each path for its first obstruction (the elevation column), which costs
    about a quarter of its run time, so the speed reference is the map-only run.
    """
    cmd = ["splat", "-t", "tx.qth", "-L", f"{rx_height_m}", "-R", f"{radius_km}", "-metric", "-N"]
    cmd += ["-d", str(workdir), "-o", name]
    if ano:
        cmd += ["-ano", f"{name}.ano"]
    if olditm:
        cmd.append("-olditm")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0 or (ano and not (workdir / f"{name}.ano").exists()):
        raise RuntimeError(f"splat failed ({proc.returncode}): {proc.stdout[-500:]} {proc.stderr[-500:]}")
    return elapsed


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
"""


def cold_compile_s() -> dict[str, float]:
    """First ``radial_sweep`` per method in a fresh interpreter with an empty numba cache, s."""
    with tempfile.TemporaryDirectory(prefix="numba_cache_") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        proc = subprocess.run([sys.executable, "-c", _COLD_COMPILE], env=env, capture_output=True, text=True)
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


def run_case(key: str, args, workdir: Path) -> Result:
    from coverage.radio import propagation, terrain

    case = CASES[key]
    res = Result(case)
    t0 = time.perf_counter()
    tiles = _synthetic_tiles(case) if key == "synthetic" else _province_tiles(case, res.notes)
    tiles = {t: np.rint(a).astype(np.int16) for t, a in tiles.items()}  # both sides see the int16 metres
    _write_splat_inputs(workdir, case, tiles, args)
    res.notes.append(f"terrain prepared in {time.perf_counter() - t0:.1f} s (tiles + srtm2sdf, untimed)")

    # ---- SPLAT! loss values: ITM and ITWOM with -ano (timed too, reported apart)
    radius, rx = args.radius_km, args.rx_height_m
    res.splat_ano_s = _run_splat(workdir, radius, rx, "itm", olditm=True, ano=True)
    itm = _read_ano(workdir / "itm.ano")
    if not args.skip_itwom:
        res.splat_itwom_s = _run_splat(workdir, radius, rx, "itwom", olditm=False, ano=True)
        itwom = _read_ano(workdir / "itwom.ano")
    res.n_points = itm["loss_db"].size

    # ---- ours: same int16 terrain on a 90 m UTM grid
    from coverage.layers.crs import utm_epsg_from_lon

    epsg = utm_epsg_from_lon(case.site_lon, case.site_lat)
    to_utm = Transformer.from_crs(4326, epsg, always_xy=True)
    sx, sy = to_utm.transform(case.site_lon, case.site_lat)
    mosaic, transform = _mosaic(tiles)
    t0 = time.perf_counter()
    dem, ox, oy = _utm_dem(mosaic, transform, sx, sy, args.radius_km * 1000.0, epsg)
    res.notes.append(f"reprojection to EPSG:{epsg} at {RES_M:.0f} m: {time.perf_counter() - t0:.2f} s (untimed)")

    # SPLAT! points -> our nearest (radial, sample); coordinate conversion is matching, not modelling
    px, py = to_utm.transform(itm["lon"], itm["lat"])
    dx, dy = np.asarray(px) - sx, np.asarray(py) - sy
    az = np.degrees(np.arctan2(dx, dy)) % 360.0
    d = np.hypot(dx, dy)

    methods = ("bullington", "deygout")
    index: dict[str, tuple[NDArray[np.int64], NDArray[np.int64]]] = {}
    for method in methods:  # warm-up (numba compile or cache load), and the lookup indices
        t0 = time.perf_counter()
        sweep = terrain.radial_sweep(
            dem, ox, oy, RES_M, sx, sy, args.tx_height_m, args.rx_height_m, args.radius_km * 1000.0, method=method
        )
        if method not in _WARMED:
            res.ours_first_s[method] = time.perf_counter() - t0
            _WARMED.add(method)
        n_rad, n_smp = sweep.nu_geom.shape[-2:]
        step = float(_sweep_dist_m(sweep)[0])
        ridx = np.rint(az / (360.0 / n_rad)).astype(np.int64) % n_rad
        sidx = np.clip(np.rint(d / step).astype(np.int64) - 1, 0, n_smp - 1)
        index[method] = (ridx, sidx)
        res.sweep_samples = n_rad * n_smp

    # ---- timing rounds, SPLAT! and ours interleaved so that both meet the same machine; best of each kept
    def ours(method: str, threads: int | None) -> tuple[float, NDArray[np.float64]]:
        before = _numba_threads(None)
        if threads is not None:
            _numba_threads(threads)
        try:
            t0 = time.perf_counter()
            _, loss = _ours_loss(terrain, propagation, dem, ox, oy, sx, sy, args, method, *index[method])
            return time.perf_counter() - t0, loss
        finally:
            _numba_threads(before)

    losses: dict[str, NDArray[np.float64]] = {}
    inf = float("inf")
    res.splat_fixed_s = res.splat_s = inf
    for _ in range(args.rounds):
        res.splat_fixed_s = min(res.splat_fixed_s, _run_splat(workdir, 0.1, rx, "fixed", olditm=True, ano=False))
        res.splat_s = min(res.splat_s, _run_splat(workdir, radius, rx, "map", olditm=True, ano=False))
        for method in methods:
            for _ in range(2):
                secs, losses[method] = ours(method, None)
                res.ours_s[method] = min(res.ours_s.get(method, inf), secs)
                if args.single_thread_too:
                    secs, _ = ours(method, 1)
                    res.ours_1thread_s[method] = min(res.ours_1thread_s.get(method, inf), secs)
    losses["fspl"] = propagation.fspl_db(np.maximum(d, 1.0), args.freq_mhz)

    # ---- differences (ITM - ours): all points, then by SPLAT!'s geometric obstruction flag and distance
    itm_db, blocked = itm["loss_db"], itm["blocked"]
    for name in ("bullington", "deygout", "fspl"):
        res.diffs[f"ITM - FSPL+{name}" if name != "fspl" else "ITM - FSPL alone"] = _stats(itm_db - losses[name])
    if not args.skip_itwom:
        res.diffs["ITWOM - FSPL+bullington"] = _stats(itwom["loss_db"] - losses["bullington"])
    for name in ("bullington", "deygout", "fspl"):
        delta = itm_db - losses[name]
        label = f"FSPL+{name}" if name != "fspl" else "FSPL alone"
        res.breakdown[f"ITM - {label}, LOS"] = _stats(delta[~blocked])
        res.breakdown[f"ITM - {label}, obstructed"] = _stats(delta[blocked])
        for lo, hi in DIST_BANDS_KM:
            band = (d >= lo * 1000.0) & (d < hi * 1000.0)
            res.breakdown[f"ITM - {label}, {lo:g}-{hi:g} km"] = _stats(delta[band])
    # ---- sampling check: the point-to-point functions on the exact path to a random subset of points
    rng = np.random.default_rng(7)
    pick = rng.choice(np.flatnonzero(d > 2 * RES_M), size=min(args.p2p_points, res.n_points), replace=False)
    p2p = np.empty(pick.size)
    t0 = time.perf_counter()
    for j, k in enumerate(pick):
        prof_d, prof_h = terrain.profile_from_dem(dem, ox, oy, RES_M, (sx, sy), (px[k], py[k]))
        p2p[j] = terrain.bullington_loss_db(prof_d, prof_h, args.tx_height_m, args.rx_height_m, args.freq_mhz)
    p2p_s = time.perf_counter() - t0
    p2p += propagation.fspl_db(d[pick], args.freq_mhz)
    res.diffs["p2p bullington - sweep bullington (sampling)"] = _stats(p2p - losses["bullington"][pick])
    res.diffs["ITM - p2p bullington (exact paths)"] = _stats(itm["loss_db"][pick] - p2p)
    res.notes.append(
        f"point-to-point check on {pick.size:,} random SPLAT! points: {p2p_s:.2f} s "
        f"({pick.size / p2p_s:,.0f} points/s through the Python point-to-point API)"
    )

    res.notes.append(
        f"SPLAT! points: {res.n_points:,} ({100 * itm['blocked'].mean():.0f} % obstructed at 4/3 earth); "
        f"ITM loss median {np.median(itm['loss_db']):.1f} dB, "
        f"ours (FSPL+Bullington) {np.median(losses['bullington']):.1f} dB"
    )
    return res


# --------------------------------------------------------------------------------------------- report


def _print(results: list[Result], args, cold: dict[str, float]) -> None:
    threads = _numba_threads(None)
    print(
        f"\nSite {args.tx_height_m} m AGL, receiver {args.rx_height_m} m AGL, {args.freq_mhz:g} MHz, "
        f"radius {args.radius_km:g} km, 3 arc-second SPLAT! / {RES_M:.0f} m ours, k = 4/3 (N_s = 301), "
        f"numba threads = {threads}, CPUs = {os.cpu_count()}, load average before/after "
        f"{args.load_before:.2f}/{os.getloadavg()[0]:.2f}; times are the best of {args.rounds} interleaved rounds\n"
    )
    print("| terrain | engine | points | time (s) | points/s | vs SPLAT! ITM (net) |")
    print("|---|---|---:|---:|---:|---:|")
    for r in results:
        n = r.n_points
        net = r.splat_s - r.splat_fixed_s
        splat_net_pps = n / net
        rows = [
            ("SPLAT! ITM (-olditm) map, wall", r.splat_s),
            (f"SPLAT! ITM map, net of {r.splat_fixed_s:.2f} s fixed cost", net),
            ("SPLAT! ITM map + -ano output, net", r.splat_ano_s - r.splat_fixed_s),
        ]
        if np.isfinite(r.splat_itwom_s):
            rows.append(("SPLAT! ITWOM 3.0 map + -ano output, net", r.splat_itwom_s - r.splat_fixed_s))
        for method in r.ours_s:
            if method in r.ours_first_s:
                rows.append((f"ours FSPL+{method}, sweep only, first call in process", r.ours_first_s[method]))
            rows.append((f"ours FSPL+{method}, warm", r.ours_s[method]))
            if method in r.ours_1thread_s:
                rows.append((f"ours FSPL+{method}, warm, 1 thread", r.ours_1thread_s[method]))
        for label, secs in rows:
            ratio = n / secs / splat_net_pps
            print(f"| {r.case.name} | {label} | {n:,} | {secs:.3f} | {n / secs:,.0f} | {ratio:.1f}x |")
    for title, attr in (("difference (dB)", "diffs"), ("breakdown (dB)", "breakdown")):
        print(f"\n| terrain | {title} | points | median abs | p90 abs | mean (bias) |")
        print("|---|---|---:|---:|---:|---:|")
        for r in results:
            for label, s in getattr(r, attr).items():
                print(
                    f"| {r.case.name} | {label} | {s['n']:,} | {s['median_abs']:.1f} | {s['p90_abs']:.1f} "
                    f"| {s['bias']:+.1f} |"
                )
    print()
    if cold:
        print(
            "numba compilation, empty cache, fresh interpreter: first radial_sweep "
            + ", then ".join(f"{m} {t:.2f} s" for m, t in cold.items())
            + " (one kernel serves both methods); later processes load numba's on-disk cache "
            "(the 'first call in process' rows)"
        )
    for r in results:
        print(f"{r.case.name}:")
        print(f"  our sweep evaluates {r.sweep_samples:,} (radial, sample) pairs per call")
        for note in r.notes:
            print(f"  - {note}")


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
    cold = cold_compile_s() if args.cold_compile else {}
    results = []
    for key in keys:
        with tempfile.TemporaryDirectory(prefix="splat_compare_") as tmp:
            results.append(run_case(key, args, Path(tmp)))
    _print(results, args, cold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
