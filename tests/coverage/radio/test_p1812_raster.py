"""P.1812-6 over a raster disc (coverage.radio.p1812_raster) against the point-to-point function."""

from __future__ import annotations

import math

import numpy as np
import pytest

import coverage
from benchmarks.p1812_agreement import Ground, agreement, summary
from coverage._errors import CoverageError, ExtentError
from coverage.radio.p1812 import p1812_loss
from coverage.radio.p1812_raster import P1812Disc, P1812Settings, clutter_height_raster, distance_tables, p1812_disc
from coverage.radio.paths import clutter_of_landcover
from coverage.radio.profiles import P1812Profile

RES = 30.0
LAT = 10.0
RADIUS = 1995.0  # no pixel centre at exactly the radius
SETTINGS = P1812Settings()


def _flat(clutter_m: float, *, radius: float = RADIUS) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Flat ground at 0 m under uniform clutter: DEM, clutter heights, and the site at the centre pixel's centre."""
    m = math.ceil(radius / RES) + 3
    dem = np.zeros((2 * m + 1, 2 * m + 1), dtype=np.float32)
    return dem, np.full(dem.shape, clutter_m, dtype=np.float32), (m + 0.5) * RES, -(m + 0.5) * RES


def _disc(dem: np.ndarray, clutter: np.ndarray, x: float, y: float, freqs: list[float], radius: float) -> P1812Disc:
    tables = distance_tables(radius + 4.0 * RES, SETTINGS, LAT)
    return p1812_disc(dem, clutter, 0.0, 0.0, RES, 0, 0, x, y, 30.0, 1.5, radius, freqs, SETTINGS, tables=tables)


def _centres(disc: P1812Disc, x: float, y: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y (m) and distance from ``(x, y)`` of the centres of the disc's pixels, each (width, width)."""
    w = disc.loss_db.shape[1]
    cx = disc.grid_x0 + (disc.col0 + np.arange(w) + 0.5) * disc.res_m
    cy = disc.grid_y0 - (disc.row0 + np.arange(w) + 0.5) * disc.res_m
    xx, yy = np.meshgrid(cx, cy)
    return xx, yy, np.hypot(xx - x, yy - y)


def test_disc_agrees_with_point_to_point_on_the_sample_province() -> None:
    """Issue 12: 2,000 random pixels of 8 random sites (their own antenna heights and bands) against p1812_loss on
    the exact path from the site to the pixel centre (profile_between reads the DEM and land cover anew)."""
    pixels, discs = agreement(Ground.of(coverage.read_sample()), 2000, 8, seed=2026, timed=False)
    st = summary(pixels["diff_db"])
    assert st["n"] == 2000 and len(discs) == 8 and pixels["band_mhz"].nunique() >= 3
    assert pixels["dist_m"].min() >= SETTINGS.min_dist_m and pixels["dist_m"].max() > 4500.0
    assert st["median"] <= 0.2 and st["p99"] <= 1.5
    # what it does (benchmarks/README.md): the far part of each path from the nearest radial, whose samples can fall
    # in another clutter class than the path's points beside them
    assert st["median"] <= 0.01 and st["p99"] <= 1.0 and st["over_2db_percent"] <= 0.5


def test_below_50_percent_of_time_every_pixel_takes_its_exact_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``with_beta`` (p < 50 %) the disc takes each pixel's whole exact path, for both Earth radii."""
    import benchmarks.p1812_agreement as bench

    monkeypatch.setattr(bench, "SETTINGS", P1812Settings(time_percent=10.0))
    monkeypatch.setattr(bench, "_tables", lambda lat: distance_tables(5000.0 + 4.0 * RES, bench.SETTINGS, lat))
    pixels, _ = agreement(Ground.of(coverage.read_sample()), 200, 2, seed=5, timed=False)
    st = summary(pixels["diff_db"])
    assert st["n"] == 200 and st["median"] <= 0.001 and st["p99"] <= 0.1 and st["max"] <= 0.2


@pytest.mark.parametrize("clutter_m", [0.0, 10.0])
def test_flat_ground_equals_the_point_to_point_loss(clutter_m: float) -> None:
    dem, clutter, x, y = _flat(clutter_m)
    freqs = [900.0, 2600.0]
    disc = _disc(dem, clutter, x, y, freqs, RADIUS)
    xx, yy, dist = _centres(disc, x, y)
    pick = (dist >= 300.0) & (dist <= RADIUS)
    rng = np.random.default_rng(5)
    for k in rng.choice(np.flatnonzero(pick), size=12, replace=False):
        d = float(dist.flat[k])
        n = math.ceil(d / RES) + 1
        prof = P1812Profile(
            distances_km=np.linspace(0.0, d / 1000.0, n), heights_m=np.zeros(n),
            clutter_categories=np.full(n, 2 if clutter_m == 0 else 4), clutter_heights_m=np.full(n, clutter_m),
            zones=np.full(n, 4),
        )  # fmt: skip
        for f in freqs:
            ref = p1812_loss(
                prof, f / 1000.0, 50.0, 30.0, 1.5, pol="vertical", delta_n=SETTINGS.delta_n, n0=SETTINGS.n0,
                phi_deg=LAT,
            )  # fmt: skip
            assert disc.at(xx.flat[k], yy.flat[k], f) == pytest.approx(ref.lb_db, abs=1e-3)


def test_pixels_beyond_the_radius_are_nan() -> None:
    dem, clutter, x, y = _flat(0.0, radius=RADIUS + 300.0)  # ground beyond the radius: NaN only from the radius
    disc = _disc(dem, clutter, x, y, [1800.0], RADIUS)
    _, _, dist = _centres(disc, x, y)
    assert np.isfinite(disc.loss_db[0][dist <= RADIUS]).all()
    assert np.isnan(disc.loss_db[0][dist > RADIUS]).all()
    with pytest.raises(CoverageError, match="1800"):
        disc.at(x + 500.0, y, 2100.0)


def test_a_path_over_no_data_is_not_evaluated() -> None:
    dem, clutter, x, y = _flat(0.0)
    m = dem.shape[0] // 2
    dem[m - 3 : m + 4, m + 20 : m + 23] = np.nan  # a hole 600 m east of the site
    disc = _disc(dem, clutter, x, y, [1800.0], RADIUS)
    assert np.isnan(disc.at(x + 1200.0, y, 1800.0))  # behind the hole
    assert np.isfinite(disc.at(x - 1200.0, y, 1800.0))  # the other way
    assert np.isfinite(disc.at(x + 400.0, y, 1800.0))  # before it


def test_site_off_the_dem_raises() -> None:
    dem, clutter, x, y = _flat(0.0)
    with pytest.raises(ExtentError, match="not on the DEM"):
        _disc(dem, clutter, x + 1e5, y, [1800.0], RADIUS)
    dem[dem.shape[0] // 2, dem.shape[1] // 2] = np.nan
    with pytest.raises(ExtentError, match="not on the DEM"):
        _disc(dem, clutter, x, y, [1800.0], RADIUS)


def test_clutter_height_raster() -> None:
    table = clutter_of_landcover()
    codes = np.array(sorted(table), dtype=np.uint8).reshape(1, -1)
    assert clutter_height_raster(codes, "dtm").tolist() == [[table[int(c)][1] for c in codes[0]]]
    assert (clutter_height_raster(codes, "dsm") == 0).all()  # a surface model already holds the clutter
    unknown = next(c for c in range(1, 256) if c not in table)
    with pytest.raises(CoverageError, match=rf"landcover.tif: land-cover code\(s\) \[{unknown}\]"):
        clutter_height_raster(np.array([[codes[0, 0], unknown]], dtype=np.uint8), "dtm", "landcover.tif")


def test_wanted_pixels_get_exactly_the_whole_discs_values() -> None:
    """The planner's use: a few pixels of a disc, each as the whole disc computes it, the rest NaN."""
    rng = np.random.default_rng(8)
    dem, _, x, y = _flat(0.0)
    dem += rng.normal(0.0, 3.0, dem.shape).astype(np.float32).cumsum(axis=1) / 5.0  # rolling ground
    clutter = rng.choice(np.array([0.0, 10.0, 15.0], dtype=np.float32), size=dem.shape)
    tables = distance_tables(RADIUS + 4.0 * RES, SETTINGS, LAT)
    args = (dem, clutter, 0.0, 0.0, RES, 0, 0, x, y, 30.0, 1.5, RADIUS, [1800.0, 2600.0], SETTINGS)
    whole = p1812_disc(*args, tables=tables)
    rows = rng.integers(0, dem.shape[0], 40)
    cols = rng.integers(0, dem.shape[1], 40)
    some = p1812_disc(*args, tables=tables, pixels=(rows, cols))
    r, c = rows - whole.row0, cols - whole.col0
    np.testing.assert_array_equal(some.loss_db[:, r, c], whole.loss_db[:, r, c])
    assert np.isfinite(whole.loss_db[:, r, c]).sum() > 20  # most of them lie in the disc
    assert np.isfinite(some.loss_db).sum() == np.isfinite(whole.loss_db[:, r, c]).sum() - _repeats(rows, cols, whole)
    with pytest.raises(ValueError, match="pixels"):
        p1812_disc(*args, tables=tables, pixels=(rows[:3], cols[:2]))


def _repeats(rows: np.ndarray, cols: np.ndarray, disc: P1812Disc) -> int:
    """Values counted twice in ``loss_db[:, rows, cols]`` (a pixel drawn twice, in the disc)."""
    pairs = list(zip(rows.tolist(), cols.tolist(), strict=True))
    inside = [p for p in pairs if np.isfinite(disc.loss_db[0, p[0] - disc.row0, p[1] - disc.col0])]
    return (len(inside) - len(set(inside))) * disc.loss_db.shape[0]
