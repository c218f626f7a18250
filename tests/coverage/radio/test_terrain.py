"""Terrain: knife edge, Bullington and Deygout (ITU-R P.526-15), profiles, radial sweeps, clutter (P.2108-1).

Hand arithmetic is written beside each expected value. Frequency 1800 MHz throughout unless stated:
lambda = 299 792 458 / 1.8e9 = 0.166551366 m, sqrt(2 / lambda) = 3.465300 m^-1/2.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coverage._errors import CoverageError, ExtentError, ExtrapolationWarning, ValidityRangeError
from coverage.radio import _terrain_kernels as kern
from coverage.radio import terrain as ter

F_MHZ = 1800.0
SCALE = 3.4653004815071196  # sqrt(2 / lambda) at 1800 MHz, m^-1/2
INF = math.inf  # k_factor = inf: flat Earth


def _j(v: float) -> float:
    return float(ter.knife_edge_loss_db(v))


# --------------------------------------------------------------------------------------------- J(v), eq. (31)
@pytest.mark.parametrize(
    ("v", "expected"),
    [
        # v = 0: 6.9 + 20 log10(sqrt(0.01 + 1) - 0.1) = 6.9 + 20 log10(0.904988) = 6.9 - 0.867148 = 6.032852
        # (P.526-15 §4.1: "approximately 6 dB" at grazing incidence)
        (0.0, 6.032852),
        # v = 1: 6.9 + 20 log10(sqrt(0.81 + 1) + 0.9) = 6.9 + 20 log10(2.245362) = 6.9 + 7.025729 = 13.925729
        (1.0, 13.925729),
        # v = 2.4: 6.9 + 20 log10(sqrt(5.29 + 1) + 2.3) = 6.9 + 20 log10(4.807987) = 6.9 + 13.639266 = 20.539266
        (2.4, 20.539266),
        # v = -0.7: 6.9 + 20 log10(sqrt(0.64 + 1) - 0.8) = 6.9 + 20 log10(0.480625) = 6.9 - 6.363876 = 0.536124
        (-0.7, 0.536124),
        (-0.78, 0.0),  # eq. (31) holds for v > -0.78 only; J = 0 below
        (-5.0, 0.0),
    ],
)
def test_knife_edge_loss_matches_p526_eq31(v: float, expected: float) -> None:
    assert _j(v) == pytest.approx(expected, abs=1e-6)
    assert kern.knife_edge_db(v) == pytest.approx(expected, abs=1e-6)


def test_knife_edge_vectorised_and_nan() -> None:
    out = ter.knife_edge_loss_db([[0.0, -1.0], [np.nan, 1.0]])
    assert out.shape == (2, 2)
    assert out[0, 0] == pytest.approx(6.032852, abs=1e-6)
    assert out[0, 1] == 0.0
    assert np.isnan(out[1, 0])
    assert math.isnan(kern.knife_edge_db(math.nan))


def test_fresnel_parameter_eq26() -> None:
    # h = 28 m, d1 = 4 km, d2 = 6 km, lambda = 0.166551 m:
    # v = 28 sqrt(2 / 0.166551 (1/4000 + 1/6000)) = 28 sqrt(12.008307 * 4.16667e-4) = 28 * 0.0707342 = 1.980584
    v = ter.fresnel_parameter(28.0, 4000.0, 6000.0, 299_792_458.0 / 1.8e9)
    assert float(v) == pytest.approx(1.9805842, abs=1e-6)


def test_bullington_correction_helper() -> None:
    # L_uc = 20 dB, d = 25 km: 20 + (1 - exp(-20/6)) (10 + 0.02 * 25) = 20 + 0.964326 * 10.5 = 30.125423
    assert kern.bullington_correction_db(20.0, 25_000.0) == pytest.approx(30.125423, abs=1e-6)
    assert kern.bullington_correction_db(0.0, 25_000.0) == 0.0
    # Deygout combination, J_p = 0 -> 0 dB whatever the secondaries
    assert kern.deygout_combine_db(0.0, 5.0, 5.0, 1000.0) == 0.0


# --------------------------------------------------------------------------------------------- single knife edge
def _flat_with_edges(edges: dict[float, float], length_m: float = 10_000.0, step_m: float = 100.0):
    dist = np.arange(0.0, length_m + step_m / 2, step_m)
    height = np.zeros_like(dist)
    for at, h in edges.items():
        height[round(at / step_m)] = h
    return dist, height


def test_single_knife_edge_nlos_bullington_and_deygout_give_hand_j() -> None:
    # flat ground at 0 m, 10 km, edge 50 m high at d1 = 4 km; tx 30 m, rx 10 m; no curvature (k = inf).
    # Ray at 4 km: 30 + (10 - 30) * 0.4 = 22 m -> clearance h = 28 m.
    # Bullington (NLOS): S_tim = (50 - 30)/4000 = 0.005 > S_tr = -20/10000; S_rim = (50 - 10)/6000 = 0.0066667;
    #   d_bp = (10 - 30 + 0.0066667 * 10000) / (0.005 + 0.0066667) = 46.667 / 0.0116667 = 4000 m (the edge);
    #   nu = 28 sqrt(10000 / (4000 * 6000)) = 28 * 0.0204124 = 0.571548; v = 0.571548 * 3.465300 = 1.980584
    #   J = 6.9 + 20 log10(sqrt(1.880584^2 + 1) + 1.880584) = 6.9 + 20 log10(4.010500) = 18.963999 dB
    dist, height = _flat_with_edges({4000.0: 50.0})
    nu_b = ter.path_nu_geom(dist, height, 30.0, 10.0, method="bullington", k_factor=INF)
    assert nu_b[0] == pytest.approx(0.5715476, rel=1e-7)
    l_uc = ter.bullington_loss_db(dist, height, 30.0, 10.0, F_MHZ, k_factor=INF, correction=False)
    assert l_uc == pytest.approx(18.963999, abs=1e-5)
    # corrected: 18.963999 + (1 - exp(-18.963999/6)) (10 + 0.02 * 10) = 18.963999 + 0.957603 * 10.2 = 28.731544
    assert ter.bullington_loss_db(dist, height, 30.0, 10.0, F_MHZ, k_factor=INF) == pytest.approx(28.731544, abs=1e-5)
    # Deygout principal edge = the same point, same J
    nu_d = ter.path_nu_geom(dist, height, 30.0, 10.0, method="deygout", k_factor=INF)
    assert nu_d[0] == pytest.approx(0.5715476, rel=1e-7)
    assert ter.deygout_loss_db(dist, height, 30.0, 10.0, F_MHZ, max_edges=1, k_factor=INF) == pytest.approx(
        18.963999, abs=1e-5
    )
    # secondaries over bare ground are far below their rays: tx side h <= -30 m, w >= 2/sqrt(4000) = 0.0316 ->
    # nu_t <= -0.949, v <= -3.29; rx side h <= -10 m, w >= 2/sqrt(6000) = 0.0258 -> v <= -0.894: both J = 0.
    assert nu_d[1] * SCALE < -0.78
    assert nu_d[2] * SCALE < -0.78
    # three edges: 18.963999 + T (0 + 0 + C), T = 0.957603, C = 10 + 0.04 * 10 = 10.4 -> 28.923065
    assert ter.deygout_loss_db(dist, height, 30.0, 10.0, F_MHZ, k_factor=INF) == pytest.approx(28.923065, abs=1e-5)


def test_single_knife_edge_los_takes_v_max() -> None:
    # same path, edge only 20 m high: 2 m below the 22 m ray -> LOS case (S_tim = -10/4000 < S_tr = -0.002).
    # nu = -2 * 0.0204124 = -0.0408248, v = -0.141470;
    # J = 6.9 + 20 log10(sqrt(0.241470^2 + 1) - 0.241470) = 6.9 + 20 log10(0.787271) = 6.9 - 2.077519 = 4.822481
    # (bare ground gives at best -10.2 m * 0.1005 = -1.03 near the receiver, well below the edge)
    dist, height = _flat_with_edges({4000.0: 20.0})
    assert ter.path_nu_geom(dist, height, 30.0, 10.0, k_factor=INF)[0] == pytest.approx(-0.0408248, rel=1e-6)
    assert ter.bullington_loss_db(dist, height, 30.0, 10.0, F_MHZ, k_factor=INF, correction=False) == pytest.approx(
        4.822481, abs=1e-5
    )
    # corrected: 4.822481 + (1 - exp(-4.822481/6)) * 10.2 = 4.822481 + 0.552336 * 10.2 = 10.456466
    assert ter.bullington_loss_db(dist, height, 30.0, 10.0, F_MHZ, k_factor=INF) == pytest.approx(10.456466, abs=1e-5)


def test_two_edges_deygout_hand_values() -> None:
    # flat 0 m, 10 km, tx = rx = 10 m (ray at 10 m), edges A: 40 m at 3 km, B: 30 m at 7 km, k = inf.
    # Whole path: w = sqrt(10000 / (3000 * 7000)) = 0.0218218 for both; nu_A = 30 w = 0.654654, nu_B = 20 w
    #   -> principal A, v_p = 0.654654 * 3.465300 = 2.268572, J_p = 20.072828 dB.
    # Receiver side, ray A(3000, 40) -> rx(10000, 10): at 7 km 40 - 30 * 4000/7000 = 22.857143 m,
    #   h_B = 7.142857 m, nu_r = 7.142857 sqrt(7000 / (4000 * 3000)) = 0.172516, v_r = 0.597821,
    #   J_r = 6.9 + 20 log10(sqrt(0.497821^2 + 1) + 0.497821) = 11.062818 dB.
    # Transmitter side tx(0, 10) -> A(3000, 40): only bare ground, h <= -10 m, w >= 2/sqrt(3000) -> v <= -1.27, J_t = 0.
    # L = J_p + T (J_t + J_r + C), T = 1 - exp(-20.072828/6) = 0.964756, C = 10 + 0.04 * 10 = 10.4
    #   = 20.072828 + 0.964756 * (0 + 11.062818 + 10.4) = 40.779219 dB
    dist, height = _flat_with_edges({3000.0: 40.0, 7000.0: 30.0})
    nu = ter.path_nu_geom(dist, height, 10.0, 10.0, method="deygout", k_factor=INF)
    assert nu[0] == pytest.approx(0.6546537, rel=1e-6)
    assert nu[2] == pytest.approx(0.1725164, rel=1e-6)
    assert nu[1] * SCALE < -0.78
    assert _j(nu[0] * SCALE) == pytest.approx(20.072828, abs=1e-5)
    assert _j(nu[2] * SCALE) == pytest.approx(11.062818, abs=1e-5)
    assert ter.deygout_loss_db(dist, height, 10.0, 10.0, F_MHZ, k_factor=INF) == pytest.approx(40.779219, abs=1e-5)
    # the sweep-factor form gives the same number
    loss = ter.diffraction_loss_db(nu[:, None], 10_000.0, F_MHZ, "deygout")
    assert loss[0] == pytest.approx(40.779219, abs=1e-5)


def test_earth_bulge_sea_path_k43() -> None:
    # sea-level profile, 40 km, k = 4/3: 2 a_e = 2 * 4/3 * 6 371 000 = 16 989 333.3 m.
    # Mid-path bulge d1 d2 / (2 k R) = 20000 * 20000 / 16989333.3 = 23.544185 m.
    dist = np.arange(0.0, 40_000.0 + 50.0, 100.0)
    height = np.zeros_like(dist)
    # antennas exactly at the bulge height: the ray grazes the mid-path bulge, v = 0, J = 6.03 dB
    h0 = 20_000.0 * 20_000.0 / (2.0 * 4.0 / 3.0 * 6_371_000.0)
    assert h0 == pytest.approx(23.544185, abs=1e-6)
    nu = ter.path_nu_geom(dist, height, h0, h0, k_factor=4.0 / 3.0)
    assert nu[0] == pytest.approx(0.0, abs=1e-9)
    assert ter.bullington_loss_db(dist, height, h0, h0, F_MHZ, correction=False) == pytest.approx(6.032852, abs=1e-6)
    # 10 m antennas: Deygout's principal edge is the mid point, 23.544185 - 10 = 13.544185 m above the ray,
    # nu = 13.544185 sqrt(40000 / (20000 * 20000)) = 13.544185 * 0.01 = 0.1354418
    nu_d = ter.path_nu_geom(dist, height, 10.0, 10.0, method="deygout")
    assert nu_d[0] == pytest.approx(0.1354418, rel=1e-6)
    # Bullington: the tangent from each antenna touches at x* = sqrt(2 a_e * 10) = 13 034 m, with slope
    # S_tim = d/(2 a_e) - 2 sqrt(10/(2 a_e)) = 0.00235442 - 0.00153440 = 0.00082001 = S_rim (symmetry);
    # the Bullington point is mid-path, h = S d/2 = 16.40 m, nu_b = sqrt(s1 s2 d) = S sqrt(d) = 0.1640014
    # (sampling every 100 m moves the tangent point by < 50 m: relative error < 1e-5)
    nu_b = ter.path_nu_geom(dist, height, 10.0, 10.0)
    assert nu_b[0] == pytest.approx(0.1640014, rel=1e-5)
    # without curvature the same path is clear: nu < 0 (10 m below ... 0 m ground)
    assert ter.path_nu_geom(dist, height, 10.0, 10.0, k_factor=INF)[0] < 0.0


def test_curvature_raises_loss_monotonically_with_smaller_k() -> None:
    dist = np.arange(0.0, 30_000.0 + 50.0, 100.0)
    height = np.zeros_like(dist)
    losses = [ter.bullington_loss_db(dist, height, 30.0, 1.5, F_MHZ, k_factor=k) for k in (INF, 4.0 / 3.0, 1.0, 0.5)]
    assert losses == sorted(losses)
    assert losses[0] < losses[-1]


def test_point_to_point_argument_errors() -> None:
    d = np.array([0.0, 100.0, 200.0])
    with pytest.raises(ValueError, match="strictly increasing"):
        ter.bullington_loss_db([0.0, 100.0, 100.0], [0, 0, 0], 10, 10, F_MHZ)
    with pytest.raises(ValueError, match="NaN"):
        ter.deygout_loss_db(d, [0.0, np.nan, 0.0], 10, 10, F_MHZ)
    with pytest.raises(ValueError, match="k_factor"):
        ter.bullington_loss_db(d, [0, 0, 0], 10, 10, F_MHZ, k_factor=0.0)
    with pytest.raises(ValueError, match="freq_mhz"):
        ter.bullington_loss_db(d, [0, 0, 0], 10, 10, -5.0)
    with pytest.raises(ValueError, match="max_edges"):
        ter.deygout_loss_db(d, [0, 0, 0], 10, 10, F_MHZ, max_edges=2)
    with pytest.raises(ValueError, match="method"):
        ter.path_nu_geom(d, [0, 0, 0], 10, 10, method="epstein")  # type: ignore[arg-type]


def test_two_point_profile_has_no_edge() -> None:
    # no intermediate point: nothing to diffract over, 0 dB
    assert ter.path_nu_geom([0.0, 500.0], [0.0, 0.0], 10, 1.5)[0] == ter.NU_NONE
    assert ter.bullington_loss_db([0.0, 500.0], [0.0, 0.0], 10, 1.5, F_MHZ) == 0.0
    assert ter.deygout_loss_db([0.0, 500.0], [0.0, 0.0], 10, 1.5, F_MHZ) == 0.0


def test_batch_matches_point_to_point() -> None:
    rng = np.random.default_rng(3)
    dist = np.arange(0.0, 5000.0 + 1.0, 50.0)
    heights = np.cumsum(rng.normal(0.0, 3.0, (40, dist.size)), axis=1)
    tx = rng.uniform(5, 50, 40)
    b = ter.batch_bullington_loss_db(dist, heights, tx, 1.5, F_MHZ)
    d = ter.batch_deygout_loss_db(dist, heights, tx, 1.5, F_MHZ)
    for k in range(40):
        assert b[k] == pytest.approx(ter.bullington_loss_db(dist, heights[k], tx[k], 1.5, F_MHZ), abs=1e-9)
        assert d[k] == pytest.approx(ter.deygout_loss_db(dist, heights[k], tx[k], 1.5, F_MHZ), abs=1e-9)


# --------------------------------------------------------------------------------------------- hypothesis
_profiles = st.integers(min_value=3, max_value=60).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(-20.0, 200.0, allow_nan=False), min_size=n, max_size=n),
        st.floats(1.0, 500.0),  # step, m
        st.floats(0.5, 100.0),  # tx height, m
        st.floats(0.5, 30.0),  # rx height, m
        st.sampled_from([INF, 4.0 / 3.0, 0.5]),
        st.floats(100.0, 6000.0),  # MHz
    )
)


@settings(max_examples=150, deadline=None)
@given(_profiles)
def test_diffraction_loss_is_never_negative(case) -> None:
    heights, step, tx, rx, k, f = case
    h = np.array(heights)
    dist = np.arange(h.size) * step
    assert ter.bullington_loss_db(dist, h, tx, rx, f, k_factor=k) >= 0.0
    assert ter.deygout_loss_db(dist, h, tx, rx, f, k_factor=k) >= 0.0
    assert ter.deygout_loss_db(dist, h, tx, rx, f, max_edges=1, k_factor=k) >= 0.0


@settings(max_examples=150, deadline=None)
@given(_profiles, st.data())
def test_raising_an_obstacle_never_lowers_bullington_loss(case, data) -> None:
    # LOS: v_max grows with any point's height. NLOS: in the frame of the tx-rx ray, with s1 = S_tim - S_tr and
    # s2 = S_rim + S_tr, the Bullington point gives nu_b = sqrt(s1 s2 d), growing with both slopes; at the
    # LOS/NLOS switch both cases give nu = 0. J and the correction grow with nu.
    heights, step, tx, rx, k, f = case
    h = np.array(heights)
    dist = np.arange(h.size) * step
    i = data.draw(st.integers(1, h.size - 2))
    raise_m = data.draw(st.floats(0.0, 300.0))
    before = ter.bullington_loss_db(dist, h, tx, rx, f, k_factor=k)
    h2 = h.copy()
    h2[i] += raise_m
    after = ter.bullington_loss_db(dist, h2, tx, rx, f, k_factor=k)
    assert after >= before - 1e-9


# --------------------------------------------------------------------------------------------- profiles from a DEM
def _ramp_dem(rows: int = 20, cols: int = 30) -> np.ndarray:
    # z = 2 col + 0.5 row: bilinear interpolation reproduces it exactly between pixel centres
    r, c = np.mgrid[0:rows, 0:cols]
    return (2.0 * c + 0.5 * r).astype(np.float32)


OX, OY, RES = 500_000.0, 1_100_000.0, 30.0  # UTM-like origin (top-left corner), 30 m pixels


def _z_ramp(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    col = (x - OX) / RES - 0.5
    row = (OY - y) / RES - 0.5
    return 2.0 * col + 0.5 * row


def test_profile_from_dem_is_bilinear_and_includes_both_ends() -> None:
    dem = _ramp_dem()
    start = (OX + 3.2 * RES, OY - 4.7 * RES)
    end = (OX + 25.1 * RES, OY - 15.3 * RES)
    dist, height = ter.profile_from_dem(dem, OX, OY, RES, start, end, step_m=20.0)
    length = math.hypot(end[0] - start[0], end[1] - start[1])
    assert dist[0] == 0.0
    assert dist[-1] == pytest.approx(length)
    assert np.diff(dist).max() <= 20.0 + 1e-9
    assert dist.size == math.ceil(length / 20.0) + 1
    frac = dist / length
    xs = start[0] + (end[0] - start[0]) * frac
    ys = start[1] + (end[1] - start[1]) * frac
    np.testing.assert_allclose(height, _z_ramp(xs, ys), atol=1e-4)
    # at a pixel centre the value is the pixel's: pixel (row 4, col 3) = 2 * 3 + 0.5 * 4 = 8
    _, h = ter.profile_from_dem(dem, OX, OY, RES, (OX + 3.5 * RES, OY - 4.5 * RES), (OX + 10.5 * RES, OY - 4.5 * RES))
    assert h[0] == pytest.approx(8.0)
    assert h.size == 8  # 7 pixels = 210 m at the default step (res_m)


def test_profile_outside_dem_names_the_missing_extent() -> None:
    dem = _ramp_dem()  # extent x 500000-500900 m, y 1099400-1100000 m
    with pytest.raises(ExtentError) as err:
        ter.profile_from_dem(dem, OX, OY, RES, (OX + 100.0, OY - 100.0), (OX + 1000.0, OY - 100.0), step_m=30.0)
    msg = str(err.value)
    assert "outside the DEM" in msg
    assert "DEM extent x 500000.0-500900.0 m, y 1099400.0-1100000.0 m" in msg
    # samples past x = 500900: the first at 810 m along (x 500910), the last at 900 m (x 501000)
    assert "at 810.0-900.0 m along it (x 500910.0-501000.0 m, y 1099900.0-1099900.0 m)" in msg


def test_profile_over_nodata_is_an_extent_error() -> None:
    dem = _ramp_dem()
    dem[5, 10] = np.nan
    with pytest.raises(ExtentError, match=r"no-data \(NaN\)"):
        ter.profile_from_dem(dem, OX, OY, RES, (OX + 0.5 * RES, OY - 5.5 * RES), (OX + 20.5 * RES, OY - 5.5 * RES))
    with pytest.raises(ValueError, match="zero length"):
        ter.profile_from_dem(dem, OX, OY, RES, (OX + 100.0, OY - 100.0), (OX + 100.0, OY - 100.0))


# --------------------------------------------------------------------------------------------- radial sweep
def _hilly_dem(n: int = 120, seed: int = 11) -> np.ndarray:
    rng = np.random.default_rng(seed)
    r, c = np.mgrid[0:n, 0:n]
    dem = 40.0 * np.sin(r / 9.0) * np.cos(c / 13.0) + 25.0 * np.sin((r + 2 * c) / 17.0)
    return (dem + rng.normal(0.0, 2.0, dem.shape) + 60.0).astype(np.float32)


def test_radial_sweep_shapes_and_defaults() -> None:
    dem = _hilly_dem()
    sx, sy = OX + 60 * RES, OY - 60 * RES
    res = ter.radial_sweep(dem, OX, OY, RES, sx, sy, 30.0, 1.5, 1000.0)
    # default n_radials = ceil(2 pi 1000 / 30) = ceil(209.44) = 210; samples ceil(1000 / 30) = 34 at 30, 60, ... m
    assert res.nu_geom.shape == (1, 210, 34)
    assert res.nu_geom.dtype == np.float32
    assert res.dist_m[0] == 30.0
    assert res.dist_m[-1] == 34 * 30.0
    assert res.azimuth_deg[1] == pytest.approx(360.0 / 210)
    assert res.site_ground_m == pytest.approx(float(dem[60, 60] + dem[59, 60] + dem[60, 59] + dem[59, 59]) / 4)
    # first sample: no intermediate point, no edge
    assert (res.nu_geom[:, :, 0] == ter.NU_NONE).all()
    d = ter.radial_sweep(dem, OX, OY, RES, sx, sy, 30.0, 1.5, 1000.0, method="deygout", n_radials=8, step_m=50.0)
    assert d.nu_geom.shape == (3, 8, 20)
    assert d.loss_db(F_MHZ).shape == (8, 20)


@pytest.mark.parametrize("method", ["bullington", "deygout"])
def test_radial_sweep_agrees_with_point_to_point(method: str) -> None:
    dem = _hilly_dem()
    sx, sy = OX + 61.3 * RES, OY - 58.8 * RES
    n_rad, step = 24, 25.0
    res = ter.radial_sweep(dem, OX, OY, RES, sx, sy, 25.0, 1.5, 1500.0, n_radials=n_rad, step_m=step, method=method)
    rng = np.random.default_rng(2)
    for r, i in zip(rng.integers(0, n_rad, 40), rng.integers(1, res.n_samples, 40), strict=True):
        az = math.radians(res.azimuth_deg[r])
        d = (i + 1) * step
        end = (sx + d * math.sin(az), sy + d * math.cos(az))
        dist, height = ter.profile_from_dem(dem, OX, OY, RES, (sx, sy), end, step_m=step)
        assert dist.size == i + 2
        np.testing.assert_allclose(res.ground_m[r, : i + 1], height[1:], rtol=1e-6)
        nu = ter.path_nu_geom(dist, height, 25.0, 1.5, method=method)
        np.testing.assert_allclose(res.nu_geom[:, r, i], nu, rtol=1e-5, atol=1e-6)
        loss = ter.diffraction_loss_db(res.nu_geom[:, r, i], d, F_MHZ, method)
        p2p = (ter.bullington_loss_db if method == "bullington" else ter.deygout_loss_db)(
            dist, height, 25.0, 1.5, F_MHZ
        )
        assert float(loss) == pytest.approx(p2p, abs=1e-3)


def _random_profile(rng: np.random.Generator, kind: int, n: int) -> np.ndarray:
    if kind == 0:
        return rng.random(n) * 3.0  # delta: 0-3 m
    if kind == 1:
        return np.cumsum(rng.normal(0.0, 5.0, n))  # rough hills
    if kind == 2:
        return np.where(rng.random(n) < 0.03, 50.0, 0.0)  # isolated blocks on flat ground (exact ties)
    return np.zeros(n)  # flat sea


def test_fast_radial_kernels_equal_the_naive_prefix_scan() -> None:
    # the running S_tim, the hull tangent for S_rim and the branch-and-bound scans against the O(n^2)
    # point-to-point kernels on every prefix
    rng = np.random.default_rng(7)
    for t in range(160):
        n = int(rng.integers(2, 300))
        step = float(rng.choice([10.0, 30.0, 90.0]))
        p = _random_profile(rng, t % 4, n + 1)
        half_ce = float(rng.choice([0.0, 1.0 / (2 * 4 / 3 * 6_371_000.0), 1.0 / (2 * 0.5 * 6_371_000.0)]))
        tx, rx = float(rng.choice([1.0, 10.0, 30.0, 100.0])), float(rng.choice([0.5, 1.5, 10.0]))
        fast_b = np.empty((1, n))
        naive_b = np.empty((1, n))
        kern._radial_bullington(p, n, step, tx, rx, half_ce, fast_b[0])
        kern._radial_naive(p, n, step, tx, rx, half_ce, kern.METHOD_BULLINGTON, naive_b)
        np.testing.assert_allclose(fast_b, naive_b, rtol=1e-9, atol=1e-12)
        fast_d = np.empty((3, n))
        naive_d = np.empty((3, n))
        kern._radial_deygout(p, n, step, tx, rx, half_ce, fast_d)
        kern._radial_naive(p, n, step, tx, rx, half_ce, kern.METHOD_DEYGOUT, naive_d)
        np.testing.assert_allclose(fast_d, naive_d, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("method", [kern.METHOD_BULLINGTON, kern.METHOD_DEYGOUT])
def test_sweep_kernel_fast_equals_naive_on_a_dem(method: int) -> None:
    dem = _hilly_dem(seed=4)
    args = (
        dem,
        OX,
        OY,
        RES,
        OX + 50.2 * RES,
        OY - 70.9 * RES,
        20.0,
        1.5,
        64,
        90,
        RES,
        1 / (2 * 4 / 3 * 6.371e6),
        method,
    )
    fast = kern.radial_sweep_kernel(*args, False)
    naive = kern.radial_sweep_kernel(*args, True)
    np.testing.assert_array_equal(np.isnan(fast[0]), np.isnan(naive[0]))
    np.testing.assert_allclose(fast[0], naive[0], rtol=1e-6, atol=1e-6)


def _delta_profile(rng: np.random.Generator, n: int, noise_m: float) -> np.ndarray:
    # Mekong-delta-like ground: 0-3 m knots every 8 samples, linear between, plus white noise
    knots = rng.random(n // 8 + 2) * 3.0
    return np.interp(np.arange(n) / 8.0, np.arange(knots.size), knots) + rng.random(n) * noise_m


def _los_mask(p: np.ndarray, step: float, tx: float, rx: float, half_ce: float) -> np.ndarray:
    # P.526-15 §4.5.1 line-of-sight test of every prefix path: S_tim < S_tr
    hts = p[0] + tx
    los = np.zeros(p.size - 1, dtype=bool)
    for j in range(2, p.size):
        d = j * step
        x = np.arange(1, j) * step
        stim = np.max((p[1:j] + half_ce * x * (d - x) - hts) / x)
        los[j - 1] = stim < (p[j] + rx - hts) / d
    return los


def test_line_factor_bound_hand_values() -> None:
    # G(u) = (c0 + c1 u) sqrt(D / (u (D - u))), c0 = -2 m, c1 = -0.001, D = 5000 m: stationary point
    # us = c0 D / (2 c0 + c1 D) = -10000 / (-4 - 5) = 1111.11 m, G(us)^2 = 4 c0 (c0 + c1 D) / D = 4 (-2)(-7) / 5000
    # = 0.0112, G(us) = -0.105830; the ends: G(100) = -2.1 sqrt(5000 / 490000) = -0.212132,
    # G(4000) = -6 sqrt(5000 / 4e6) = -0.212132
    assert kern._line_factor_max(-2.0, -0.001, 100.0, 4000.0, 5000.0) == pytest.approx(-0.105830052, abs=1e-9)
    assert kern._line_factor_below(-2.0, -0.001, 100.0, 4000.0, 5000.0, -0.1, 0.01)
    assert not kern._line_factor_below(-2.0, -0.001, 100.0, 4000.0, 5000.0, -0.11, 0.0121)
    # [2000, 4000] excludes us: the largest is the near end, G(2000) = -4 sqrt(5000 / 6e6) = -0.115470
    assert kern._line_factor_max(-2.0, -0.001, 2000.0, 4000.0, 5000.0) == pytest.approx(-0.115470054, abs=1e-9)
    assert kern._line_factor_below(-2.0, -0.001, 2000.0, 4000.0, 5000.0, -0.11, 0.0121)
    assert not kern._line_factor_below(-2.0, -0.001, 2000.0, 4000.0, 5000.0, -0.12, 0.0144)
    # against a dense scan of G for random lines and ranges: the closed form is the maximum (never below)
    rng = np.random.default_rng(5)
    for _ in range(200):
        c0, c1 = rng.normal(0.0, 10.0), rng.normal(0.0, 0.01)
        dab = rng.uniform(100.0, 30_000.0)
        u0, u1 = np.sort(rng.uniform(0.001, 0.999, 2)) * dab
        u = np.linspace(u0, u1, 20_001)
        dense = np.max((c0 + c1 * u) * np.sqrt(dab / (u * (dab - u))))
        g = kern._line_factor_max(c0, c1, u0, u1, dab)
        assert g >= dense - 1e-12 * (1.0 + abs(dense))
        assert g == pytest.approx(dense, rel=1e-6, abs=1e-9)
        for thr in (1.01 * g - 0.01, 0.99 * g + 0.01):  # just above and just below the maximum
            assert kern._line_factor_below(c0, c1, u0, u1, dab, thr, thr * thr) == (g < thr)


def test_near_receiver_search_equals_max_nu_naive() -> None:
    # value and index of the line-of-sight search equal the plain scan's, whatever the first guess, on
    # delta, hilly, blocky and flat profiles, LOS and NLOS paths, full paths and sub-paths
    rng = np.random.default_rng(3)
    for t in range(400):
        n = int(rng.integers(3, 400))
        step = float(rng.choice([10.0, 30.0, 90.0]))
        p = _delta_profile(rng, n, 0.3) if t % 4 == 0 else _random_profile(rng, t % 4, n)
        half_ce = float(rng.choice([0.0, 1.0 / (2 * 4 / 3 * 6_371_000.0)]))
        x = np.arange(n) * step
        q = p - half_ce * x * x
        st, lg = kern._build_sparse_max(q, n)
        stack = np.empty(4 * st.shape[0] + 8, dtype=np.int64)
        hi = int(rng.integers(2, n))
        lo = 1 if t % 2 == 0 else int(rng.integers(1, hi))
        ya = p[lo - 1] + (float(rng.choice([1.5, 30.0, 45.0])) if lo == 1 else 0.0)
        yb = p[hi] + float(rng.choice([0.0, 1.5, 10.0]))
        guess = int(rng.integers(-1, n + 1))
        fast = kern._max_nu_near_rx(p, q, st, lg, step, lo, hi, x[lo - 1], ya, x[hi], yb, half_ce, guess, stack)
        assert fast == kern.max_nu_naive(x, p, lo, hi, x[lo - 1], ya, x[hi], yb, half_ce)


def test_fast_bullington_equals_naive_on_flat_delta_profiles() -> None:
    # flat delta ground (0-3 m), site 30-45 m, receiver 1.5 m: most paths are line of sight and their v_max
    # equals the O(n^2) prefix scan bit for bit (same points, same nu_point); NLOS samples agree to rounding
    rng = np.random.default_rng(1)
    n_los = n_all = 0
    for t in range(40):
        n = int(rng.integers(2, 700))
        step = float(rng.choice([10.0, 30.0, 90.0]))
        p = _delta_profile(rng, n + 1, 0.3 * (t % 2))
        tx, rx = float(rng.uniform(30.0, 45.0)), 1.5
        half_ce = float(rng.choice([0.0, 1.0 / (2 * 4 / 3 * 6_371_000.0)]))
        fast = np.empty(n)
        naive = np.empty((1, n))
        kern._radial_bullington(p, n, step, tx, rx, half_ce, fast)
        kern._radial_naive(p, n, step, tx, rx, half_ce, kern.METHOD_BULLINGTON, naive)
        los = _los_mask(p, step, tx, rx, half_ce)
        np.testing.assert_array_equal(fast[los], naive[0][los])
        np.testing.assert_allclose(fast, naive[0], rtol=1e-9, atol=1e-12)
        n_los += int(los.sum())
        n_all += n
    assert n_los > 0.5 * n_all  # the line-of-sight search is what this exercises


def test_sweep_kernel_fast_equals_naive_on_a_flat_dem() -> None:
    # 2.85 km (95 samples of 30 m) of delta around a 35 m site: every radial and sample, fast against the prefix scan
    rng = np.random.default_rng(8)
    knots = rng.random((26, 26)) * 3.0
    r = np.arange(200) / 8.0
    dem = np.array([np.interp(r, np.arange(26), row) for row in knots])  # smooth along rows ...
    dem = np.array([np.interp(r, np.arange(26), col) for col in dem.T]).T  # ... and along columns
    dem = (dem + rng.random(dem.shape) * 0.3).astype(np.float32)
    args = (dem, OX, OY, RES, OX + 100.3 * RES, OY - 99.6 * RES, 35.0, 1.5, 96, 95, RES, 1 / (2 * 4 / 3 * 6.371e6))
    fast = kern.radial_sweep_kernel(*args, kern.METHOD_BULLINGTON, False)
    naive = kern.radial_sweep_kernel(*args, kern.METHOD_BULLINGTON, True)
    assert np.isfinite(fast[0]).all()
    np.testing.assert_allclose(fast[0], naive[0], rtol=1e-6, atol=1e-7)


def test_sweep_past_the_dem_edge_is_nan_and_site_off_dem_raises() -> None:
    dem = _hilly_dem(n=40)  # 1200 m square
    sx, sy = OX + 20 * RES, OY - 20 * RES  # centre
    res = ter.radial_sweep(dem, OX, OY, RES, sx, sy, 30.0, 1.5, 900.0, n_radials=4, step_m=30.0)
    # radial 1 points east: x = sx + 30 (i + 1) stays on the DEM up to the outer edge 600 m away (i = 19)
    assert np.isfinite(res.nu_geom[0, 1, :20]).all()
    assert np.isnan(res.nu_geom[0, 1, 20:]).all()
    assert np.isnan(res.ground_m[1, 20:]).all()
    dem2 = dem.copy()
    dem2[20, 25] = np.nan  # a hole on the east radial: NaN from there on
    res2 = ter.radial_sweep(dem2, OX, OY, RES, sx, sy, 30.0, 1.5, 900.0, n_radials=4, step_m=30.0)
    # the east radial runs along the row boundary 19|20; column 25's centre is 165 m east of the site, so the
    # sample at 150 m (i = 4, columns 24 and 25) is the first to read the hole
    first_nan = int(np.argmax(np.isnan(res2.nu_geom[0, 1])))
    assert first_nan == 4
    assert np.isnan(res2.nu_geom[0, 1, first_nan:]).all()
    with pytest.raises(ExtentError, match="lies outside the DEM"):
        ter.radial_sweep(dem, OX, OY, RES, OX - 10.0, sy, 30.0, 1.5, 500.0)
    # the site sits on the corner of pixels (19, 19)-(20, 20): one NaN among them and it has no height
    dem2[20, 20] = np.nan
    with pytest.raises(ExtentError, match="no-data"):
        ter.radial_sweep(dem2, OX, OY, RES, sx, sy, 30.0, 1.5, 500.0)
    # at the centre of pixel (19, 19) only that pixel is read (zero weight for the NaN neighbour)
    ok = ter.radial_sweep(dem2, OX, OY, RES, sx - 15.0, sy + 15.0, 30.0, 1.5, 100.0, n_radials=4)
    assert ok.site_ground_m == pytest.approx(float(dem2[19, 19]))


def test_diffraction_loss_from_factors() -> None:
    # NU_NONE -> 0 dB; NaN -> NaN; Bullington nu = 0.5715476 over 10 km -> 28.731544 dB (see the knife-edge test)
    nu = np.array([[ter.NU_NONE, np.nan, 0.5715476066494083]])
    loss = ter.diffraction_loss_db(nu, [1000.0, 1000.0, 10_000.0], F_MHZ)
    assert loss[0] == 0.0
    assert np.isnan(loss[1])
    assert loss[2] == pytest.approx(28.731544, abs=1e-5)
    dey = ter.diffraction_loss_db(np.array([[np.nan, ter.NU_NONE], [0.1, 0.1], [0.1, 0.1]]), 1000.0, F_MHZ, "deygout")
    assert np.isnan(dey[0])
    assert dey[1] == 0.0
    with pytest.raises(ValueError, match="3 edge"):
        ter.diffraction_loss_db(nu, 1000.0, F_MHZ, "deygout")


# --------------------------------------------------------------------------------------------- clutter
def test_clutter_table_values_at_1800_mhz() -> None:
    # P.2108-1 §3.1, h = 1.5 m, w_s = 27 m, f = 1.8 GHz: K_nu = 0.342 sqrt(1.8) = 0.458841
    # orchard R = 4 m (eq. 2a): h_dif = 2.5, theta = atan(2.5/27) = 5.290081 deg, nu = 0.458841 sqrt(13.225203)
    #   = 1.668643, J = 17.603156, A = 17.603156 - 6.03 = 11.573156
    # built-up R = 5 m: h_dif = 3.5, theta = 7.386043 deg, nu = 0.458841 sqrt(25.851151) = 2.332933,
    #   J = 20.304103, A = 14.274103
    # forest R = 15 m: h_dif = 13.5, theta = 26.565051 deg, nu = 0.458841 sqrt(358.628190) = 8.689296,
    #   J = 31.629036, A = 25.599036
    # water R = 0 m and rice R = 1 m are below the 1.5 m receiver: A = 0
    codes = np.array([[1, 2, 3], [4, 5, 3]], dtype=np.uint8)
    loss = ter.clutter_loss_db(codes, 1800.0)
    np.testing.assert_allclose(loss, [[0.0, 0.0, 11.573156], [14.274103, 25.599036, 11.573156]], atol=1e-5)
    # int64 codes take the same path through the table
    np.testing.assert_allclose(ter.clutter_loss_db(codes.astype(np.int64), 1800.0), loss)
    # the TOML's documented loss_db_1800 values are what the code computes
    import tomllib
    from importlib import resources

    doc = tomllib.loads(resources.files("coverage").joinpath("data/clutter.toml").read_text("utf-8"))
    for c in doc["class"]:
        assert ter.clutter_table()[c["code"]].loss_db(1800.0) == pytest.approx(c["loss_db_1800"], abs=0.005)


def test_clutter_equation_2b_and_frequency_dependence() -> None:
    # eq. 2b, R = 10 m, h = 1.5 m, 1.8 GHz: K_h2 = 21.8 + 6.2 log10(1.8) = 23.382690; A = -23.382690 log10(0.15)
    #   = 23.382690 * 0.823909 = 19.265202
    open_10m = ter.ClutterClass(code=9, name="open", clutter_height_m=10.0, equation="2b")
    assert open_10m.loss_db(1800.0) == pytest.approx(19.265202, abs=1e-5)
    table = ter.clutter_table()
    assert table[5].loss_db(900.0) < table[5].loss_db(1800.0) < table[5].loss_db(2600.0)


def test_clutter_unknown_and_nodata_codes_are_errors() -> None:
    with pytest.raises(CoverageError, match=r"code\(s\) 9 have no clutter loss"):
        ter.clutter_loss_db(np.array([1, 9, 3], dtype=np.uint8), 1800.0)
    with pytest.raises(CoverageError, match=r"0 \(no data\)"):
        ter.clutter_loss_db(np.array([[0, 4]], dtype=np.uint8), 1800.0)
    with pytest.raises(CoverageError, match="300"):
        ter.clutter_loss_db(np.array([300, 4]), 1800.0)
    with pytest.raises(ValueError, match="integer"):
        ter.clutter_loss_db(np.array([1.0, 4.0]), 1800.0)


def test_clutter_custom_table_and_validity_range() -> None:
    fixed = ter.clutter_loss_db(np.array([1, 4], dtype=np.uint8), 3500.0, table={1: 0.0, 4: 12.5})
    np.testing.assert_array_equal(fixed, [0.0, 12.5])  # fixed dB: no frequency range applies
    with pytest.raises(ValidityRangeError, match="freq_mhz 3500 outside the valid 30-3000 MHz"):
        ter.clutter_loss_db(np.array([4], dtype=np.uint8), 3500.0)
    with pytest.warns(ExtrapolationWarning, match="3500"):
        out = ter.clutter_loss_db(np.array([4], dtype=np.uint8), 3500.0, extrapolate=True)
    assert out[0] > ter.clutter_loss_db(np.array([4], dtype=np.uint8), 1800.0)[0]
    # a 6 m receiver is above the 5 m built-up clutter: 0 dB
    assert ter.clutter_loss_db(np.array([4], dtype=np.uint8), 1800.0, rx_height_m=6.0)[0] == 0.0
