"""Antenna patterns: 3GPP sector (TR 36.814 Table A.2.1.1-2, TR 38.901 Table 7.3-1), omni, MSI files.

Fixtures in ``tests/coverage/radio/data`` were written for these tests (not vendor files):

* ``sector_dbd.msi``: ``GAIN 15.85 dBd`` (= 18.00 dBi), ``TILT ELECTRICAL 4``. Horizontal loss
  ``min(12 (d/65)^2, 30)`` with ``d`` the angle from boresight, except the marked samples 30 deg -> 2.00 dB and
  330 deg -> 4.00 dB (to check the clockwise direction). Vertical: front half ``min(12 ((theta - 4)/8)^2, 25)``
  with ``theta = angle`` (0..90) or ``angle - 360`` (270..359), back half (91..269) 30 dB. Header on lines 1-10,
  ``HORIZONTAL 360`` on line 11 (angle a on line 12 + a), ``VERTICAL 360`` on line 372 (angle a on line 373 + a).
* ``omni_dbi.pln``: bare name on line 1, ``GAIN 10 dBi``, ``FREQUENCY 0.9 GHz``, tab-separated, flat horizontal,
  vertical ``min(12 (theta/10)^2, 20)``.
* ``bad_*.msi``: ``sector_dbd.msi`` with one defect each.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coverage._errors import ValidationError
from coverage.radio.antennas import (
    AntennaPattern,
    attenuation_db,
    gain_dbi,
    h_index,
    omni_pattern,
    pattern_indices,
    read_msi,
    sector_pattern,
    v_index,
    wrap_deg,
)

DATA = Path(__file__).parent / "data"
_SECTOR_10 = sector_pattern(vbw_deg=10.0)


# ------------------------------------------------------------------------------------------ sector pattern
def test_sector_horizontal_cut():
    # TR 38.901 Table 7.3-1: A_H = -min(12 (phi/65)^2, 30).  G = 17 dBi.
    p = sector_pattern(hbw_deg=65.0, vbw_deg=10.0, gain_dbi=17.0)
    g = p.gain_dbi_at([0.0, 32.5, -32.5, 65.0, 180.0, -180.0], 0.0)
    # boresight 17; phi = +-phi3dB/2: 12 * 0.5^2 = 3 dB -> 14; phi = phi3dB: 12 dB -> 5;
    # back: 12 (180/65)^2 = 92 > Am = 30 -> 17 - 30 = -13
    np.testing.assert_allclose(g, [17.0, 14.0, 14.0, 5.0, -13.0, -13.0], atol=1e-9)


def test_sector_vertical_cut_with_tilt():
    # A_V = -min(12 ((theta - tilt)/10)^2, SLAv = 30); tilt 6 deg, G = 17 dBi.
    p = sector_pattern(hbw_deg=65.0, vbw_deg=10.0, gain_dbi=17.0)
    g = p.gain_dbi_at(0.0, [6.0, 11.0, 1.0, 26.0, 90.0], tilt_deg=6.0)
    # at the tilt: 17; tilt +- 5 (= theta3dB/2): 12 * 0.25 = 3 dB -> 14;
    # 26 deg: 12 * (20/10)^2 = 48 -> capped by SLAv 30 -> -13; straight down the same
    np.testing.assert_allclose(g, [17.0, 14.0, 14.0, -13.0, -13.0], atol=1e-9)


def test_sector_half_power_points_interpolated():
    # Linear interpolation of the parabola A(x) = c x^2 between samples x0 - h and x0 + h (h = step/2) gives the
    # chord mean c((x0 - h)^2 + (x0 + h)^2)/2 = c x0^2 + c h^2: the largest error is c h^2, at mid-interval.
    p = sector_pattern()  # hbw 65, vbw 6.5, G 17 dBi, step 0.1
    # horizontal: phi3dB/2 = 32.5 = -180 + 2125 * 0.1 is a sample: 12 (32.5/65)^2 = 3 dB (to rounding)
    assert p.attenuation_db_at(32.5, 0.0)[()] == pytest.approx(3.0, abs=1e-9)
    # between samples the error is at most c h^2 = 12 (0.05/65)^2 = 7.101e-6 dB; at 32.55 (mid 32.5..32.6):
    # (3.0 + 12 (32.6/65)^2) / 2 = (3.0 + 3.018490) / 2 = 3.009245 = 12 (32.55/65)^2 + 7.101e-6
    assert p.attenuation_db_at(32.55, 0.0)[()] == pytest.approx(12 * (32.55 / 65) ** 2 + 12 * (0.05 / 65) ** 2)
    assert p.attenuation_db_at(32.55, 0.0)[()] == pytest.approx(3.009245, abs=1e-6)
    # vertical: theta3dB/2 = 3.25 is half-way between the samples 3.2 and 3.3:
    # (12 (3.2/6.5)^2 + 12 (3.3/6.5)^2) / 2 = 12 (10.24 + 10.89) / (2 * 42.25) = 3.000710 = 3 + 12 (0.05/6.5)^2
    a_v = p.attenuation_db_at(0.0, 3.25)[()]
    assert a_v == pytest.approx(3.0 + 12 * (0.05 / 6.5) ** 2, abs=1e-9)
    assert a_v == pytest.approx(3.000710, abs=1e-6) and abs(a_v - 3.0) < 1e-3
    assert p.gain_dbi_at(0.0, 3.2)[()] == pytest.approx(17.0 - 12 * (3.2 / 6.5) ** 2, abs=1e-9)  # a sample


@settings(deadline=None)
@given(phi=st.floats(-100.0, 100.0), theta=st.floats(-15.0, 15.0))
def test_sector_interpolation_error_bound(phi, theta):
    # Inside the uncapped lobes the only error is the chord error c h^2 (h = 0.05, half the 0.1 step):
    # horizontal, |phi| <= 100: 12 (100/65)^2 = 28.4 < Am 30; bound 12 (0.05/65)^2 = 7.1e-6 dB.
    # vertical (vbw 10), |theta| <= 15: 12 (15/10)^2 = 27 < SLAv 30; bound 12 (0.05/10)^2 = 3.0e-4 dB.
    p = _SECTOR_10
    assert abs(p.attenuation_db_at(phi, 0.0)[()] - 12 * (phi / 65) ** 2) <= 12 * (0.05 / 65) ** 2 + 1e-9
    assert abs(p.attenuation_db_at(0.0, theta)[()] - 12 * (theta / 10) ** 2) <= 12 * (0.05 / 10) ** 2 + 1e-9


def test_sector_combined_cap():
    # phi = 60: A_H = 12 (60/65)^2 = 10.225; theta = 12 with vbw 10: A_V = 12 * 1.2^2 = 17.28;
    # sum 27.505 < 30 -> 17 - 27.505 = -10.505.  phi = 65 (A_H 12) + theta 20 (A_V 30) = 42 -> capped at Am = 30.
    p = sector_pattern(hbw_deg=65.0, vbw_deg=10.0, gain_dbi=17.0)
    np.testing.assert_allclose(p.gain_dbi_at(60.0, 12.0), 17.0 - 12 * (60 / 65) ** 2 - 12 * 1.2**2, atol=1e-9)
    assert p.gain_dbi_at(65.0, 20.0)[()] == pytest.approx(17.0 - 30.0)
    assert p.attenuation_db_at(65.0, 20.0)[()] == pytest.approx(30.0)


def test_sector_tables_layout():
    # step 0.1: 3600 horizontal samples for phi in [-180, 180), 1801 vertical for theta in [-90, 90]
    p = sector_pattern()
    assert p.horizontal_db.shape == (3600,) and p.vertical_db.shape == (1801,)
    assert p.horizontal_db.dtype == np.float64 and p.horizontal_db.flags.c_contiguous
    # index 1800 is phi = 0 (boresight), index 900 is theta = 0
    assert p.horizontal_db[1800] == 0.0 and p.vertical_db[900] == 0.0
    # index 0 is phi = -180 -> Am; vertical ends (+-90) -> SLAv
    assert p.horizontal_db[0] == 30.0 and p.vertical_db[0] == 30.0 and p.vertical_db[-1] == 30.0


def test_omni_pattern():
    # A_H = 0 everywhere; vertical 10 deg: 5 deg off -> 3 dB; cap = SLAv
    p = omni_pattern(vbw_deg=10.0, gain_dbi=10.0)
    np.testing.assert_allclose(p.gain_dbi_at([0.0, 90.0, 180.0, -120.0], 0.0), 10.0)
    assert p.gain_dbi_at(123.0, 5.0)[()] == pytest.approx(7.0)
    assert p.gain_dbi_at(0.0, 80.0)[()] == pytest.approx(10.0 - 30.0)


def test_analytic_pattern_tables_names_and_caps():
    # step 1 deg: 360 azimuth samples (-180..179) and 181 elevation samples (-90..90)
    s = sector_pattern(hbw_deg=60.0, vbw_deg=10.0, gain_dbi=16.0, front_to_back_db=25.0, sla_v_db=20.0, step_deg=1.0)
    assert s.name == "3GPP sector 60/10 deg 16 dBi"
    assert (s.horizontal_db.shape, s.vertical_db.shape) == ((360,), (181,))
    assert (s.max_attenuation_db, s.step_deg) == (25.0, 1.0)
    # A_H(phi = -180 + i): phi = 30 (i = 210): 12 (30/60)^2 = 3 dB; phi = 0 (i = 180): 0; phi = -180: 108 -> Am 25
    assert (s.horizontal_db[210], s.horizontal_db[180], s.horizontal_db[0]) == (3.0, 0.0, 25.0)
    # A_V(theta = -90 + j): theta = 5 (j = 95): 12 (5/10)^2 = 3 dB; theta = 90 (j = 180): 972 -> SLA_V 20
    assert (s.vertical_db[95], s.vertical_db[180]) == (3.0, 20.0)
    o = omni_pattern(vbw_deg=10.0, gain_dbi=8.0, sla_v_db=20.0, step_deg=1.0)
    assert o.name == "omni 10 deg 8 dBi"
    # flat horizontally; the combined cap is SLA_V; the vertical cut the same parabola as the sector's
    assert not o.horizontal_db.any()
    assert o.max_attenuation_db == 20.0
    np.testing.assert_array_equal(o.vertical_db, s.vertical_db)


# ------------------------------------------------------------------------------------------ gain_dbi geometry
def test_azimuth_wraparound():
    # antenna at 350 deg, receiver bearing 10 deg: phi = wrap(10 - 350) = +20 deg (not -340):
    # A_H = 12 (20/65)^2 = 1.1361 -> 17 - 1.1361 = 15.8639
    p = sector_pattern(vbw_deg=10.0)
    expected = 17.0 - 12 * (20 / 65) ** 2
    assert gain_dbi(p, 350.0, 10.0, 0.0)[()] == pytest.approx(expected, abs=1e-9)
    assert gain_dbi(p, 10.0, 350.0, 0.0)[()] == pytest.approx(expected, abs=1e-9)  # phi = -20, symmetric
    np.testing.assert_allclose(wrap_deg([-340.0, 340.0, 180.0, -180.0, 720.0]), [20.0, -20.0, -180.0, -180.0, 0.0])


def test_mechanical_and_electrical_tilt_at_boresight_add():
    # boresight (cos 0 = 1): tilt_eff = elec 3 + mech 2 = 5; receiver 5 deg below -> peak 17
    p = sector_pattern(vbw_deg=10.0)
    assert gain_dbi(p, 90.0, 90.0, 5.0, mech_tilt_deg=2.0, elec_tilt_deg=3.0)[()] == pytest.approx(17.0)
    # receiver on the horizon: 5 deg above the beam -> 12 (5/10)^2 = 3 dB -> 14
    assert gain_dbi(p, 90.0, 90.0, 0.0, mech_tilt_deg=2.0, elec_tilt_deg=3.0)[()] == pytest.approx(14.0)


def test_mechanical_tilt_off_boresight_scaled_by_cos_phi():
    # phi = 60: cos = 0.5, mech 10 -> tilt_eff 5. Receiver 5 deg below: A_V = 0, A_H = 12 (60/65)^2 = 10.2249
    p = sector_pattern(vbw_deg=10.0)
    assert gain_dbi(p, 0.0, 60.0, 5.0, mech_tilt_deg=10.0)[()] == pytest.approx(17.0 - 12 * (60 / 65) ** 2)
    # electrical tilt is not scaled: elec 10 at phi = 60 keeps the beam 10 deg down
    assert gain_dbi(p, 0.0, 60.0, 10.0, elec_tilt_deg=10.0)[()] == pytest.approx(17.0 - 12 * (60 / 65) ** 2)


def test_mechanical_tilt_is_uptilt_at_the_back():
    # omni (A_H = 0) so the back is not masked by Am. mech 2.5 deg; vbw 10.
    # behind (phi = 180, cos = -1): tilt_eff = -2.5 (beam points 2.5 deg UP there)
    p = omni_pattern(vbw_deg=10.0, gain_dbi=10.0)
    # receiver behind, 2.5 deg above the horizon (elevation -2.5): on the beam -> 10 dBi
    assert gain_dbi(p, 0.0, 180.0, -2.5, mech_tilt_deg=2.5)[()] == pytest.approx(10.0)
    # receiver behind, 2.5 deg below: 5 deg off the beam -> 12 (5/10)^2 = 3 dB -> 7 dBi
    assert gain_dbi(p, 0.0, 180.0, 2.5, mech_tilt_deg=2.5)[()] == pytest.approx(7.0)
    # in front the same tilt points down: 2.5 deg below -> 10 dBi
    assert gain_dbi(p, 0.0, 0.0, 2.5, mech_tilt_deg=2.5)[()] == pytest.approx(10.0)


def test_gain_dbi_broadcasts_over_arrays():
    p = sector_pattern(vbw_deg=10.0)
    out = gain_dbi(p, np.array([[0.0], [120.0], [240.0]]), np.array([0.0, 120.0, 240.0]), 0.0)
    assert out.shape == (3, 3)
    np.testing.assert_allclose(np.diag(out), 17.0)  # each sector at its own boresight
    # sector 0 towards 120 deg: phi = 120 -> 12 (120/65)^2 = 40.9 > 30 -> -13
    assert out[0, 1] == pytest.approx(-13.0)


# --------------------------------------------------------------------------------------------- numba lookup


_MSI = read_msi(DATA / "sector_dbd.msi")  # step 1 deg


def _numba(p: AntennaPattern, phi: float, theta: float) -> float:
    return attenuation_db(p.horizontal_db, p.vertical_db, p.step_deg, p.max_attenuation_db, phi, theta)


@settings(deadline=None)  # the first example compiles the numba kernels
@given(
    which=st.sampled_from(["sector", "msi"]),
    phi=st.floats(-720.0, 720.0, allow_nan=False),
    theta=st.floats(-120.0, 120.0, allow_nan=False),
)
def test_numba_lookup_agrees_with_numpy(which, phi, theta):
    # same floor index, same weight, same (1 - w) a + w b arithmetic -> equal to 1e-12 (in practice bit for bit)
    p = _SECTOR_10 if which == "sector" else _MSI
    h0, wh, v0, wv = pattern_indices(p, phi, theta)
    i, w = h_index(phi, p.step_deg, p.horizontal_db.size)
    assert i == h0 and w == pytest.approx(wh[()], abs=1e-12)
    j, w = v_index(theta, p.step_deg, p.vertical_db.size)
    assert j == v0 and w == pytest.approx(wv[()], abs=1e-12)
    assert _numba(p, phi, theta) == pytest.approx(p.attenuation_db_at(phi, theta)[()], abs=1e-12)


@settings(deadline=None)
@given(phi=st.floats(-720.0, 720.0), theta=st.floats(-120.0, 120.0))
def test_lookup_equals_np_interp(phi, theta):
    # horizontal: np.interp with period=360 (seam -180/180); vertical: np.interp, which clamps to the end values.
    # The MSI pattern's cuts sum to at most 30 + 30 > Am = 30, so compare each cut on its own (other at its 0 dB).
    p = _MSI
    phi_s = -180.0 + p.step_deg * np.arange(p.horizontal_db.size)
    theta_s = -90.0 + p.step_deg * np.arange(p.vertical_db.size)
    a_h = p.attenuation_db_at(phi, 4.0)[()]  # A_V(4) = 0 (the file's peak)
    assert a_h == pytest.approx(np.interp(phi, phi_s, p.horizontal_db, period=360.0), abs=1e-9)
    a_v = p.attenuation_db_at(0.0, theta)[()]  # A_H(0) = 0
    assert a_v == pytest.approx(np.interp(theta, theta_s, p.vertical_db), abs=1e-9)


@pytest.mark.parametrize("angle", [0.05, 0.15, -0.05, -0.15, 32.45, 3.25, -179.95, 179.95, 89.95, 90.0, -90.0])
def test_numba_and_numpy_half_way_points_agree(angle):
    # (angle + 180) / 0.1 lands (about) half-way between two samples: both sides give the same value
    p = _SECTOR_10
    assert _numba(p, angle, angle) == pytest.approx(p.attenuation_db_at(angle, angle)[()], abs=1e-12)


def test_indices_documented_formula():
    p = sector_pattern()  # step 0.1: n_h = 3600, n_v = 1801
    # phi = -180 -> (0, 0); 180 wraps to (0, 0); 0 -> (1800, 0); 179.95 -> x = 3599.5 -> (3599, 0.5)
    # theta = -90 -> (0, 0); 90 -> y = 1800 = n_v - 1 -> clamped (1799, 1); beyond: 95 -> (1799, 1), -100 -> (0, 0);
    # 3.25 -> y = 932.5 -> (932, 0.5)
    h0, wh, v0, wv = pattern_indices(p, [-180.0, 180.0, 0.0, 179.95, 0.0], [-90.0, 90.0, 95.0, -100.0, 3.25])
    assert h0.tolist() == [0, 0, 1800, 3599, 1800]
    np.testing.assert_allclose(wh, [0.0, 0.0, 0.0, 0.5, 0.0], atol=1e-9)
    assert v0.tolist() == [0, 1799, 1799, 0, 932]
    np.testing.assert_allclose(wv, [0.0, 1.0, 1.0, 0.0, 0.5], atol=1e-9)
    assert h_index(179.95, 0.1, 3600)[0] == 3599 and v_index(95.0, 0.1, 1801) == (1799, 1.0)
    assert v_index(-100.0, 0.1, 1801) == (0, 0.0)


def test_seam_and_clamp_on_a_ramp():
    # step 1: horizontal_db[i] = i / 10 (phi = -180 + i), vertical_db[j] = j / 10 (theta = -90 + j); Am 100 (no cap)
    p = AntennaPattern("ramp", 0.0, np.arange(360) / 10.0, np.arange(181) / 10.0, 100.0, 1.0)
    # vertical part at theta = -90 is 0, so the horizontal cut shows alone:
    # phi = 179.5: between i = 359 (phi 179, 35.9) and i = 0 (phi -180 = 180, 0.0): (35.9 + 0.0) / 2 = 17.95;
    # phi = -180.5 is the same direction; phi = -179.5: (0.0 + 0.1) / 2 = 0.05; phi = 0.25: 18.0 + 0.25 * 0.1 = 18.025
    np.testing.assert_allclose(p.attenuation_db_at([179.5, -180.5, -179.5, 0.25], -90.0), [17.95, 17.95, 0.05, 18.025])
    # horizontal part at phi = -180 is 0: theta = 89.5: (17.9 + 18.0) / 2 = 17.95; beyond the ends the end samples:
    # 95 -> 18.0, 180 -> 18.0, -100 -> 0.0; theta = -89.75: 0.25 * 0.1 = 0.025
    np.testing.assert_allclose(
        p.attenuation_db_at(-180.0, [89.5, 95.0, 180.0, -100.0, -89.75]), [17.95, 18.0, 18.0, 0.0, 0.025], atol=1e-12
    )
    for phi, theta, expected in [(179.5, -90.0, 17.95), (-179.5, -89.75, 0.05 + 0.025), (0.0, 95.0, 18.0 + 18.0)]:
        assert _numba(p, phi, theta) == pytest.approx(expected, abs=1e-12)


def test_pattern_validates_tables():
    with pytest.raises(ValueError, match="samples"):
        AntennaPattern("x", 10.0, np.zeros(10), np.zeros(181), 20.0, 1.0)
    with pytest.raises(ValueError, match=">= 0"):
        AntennaPattern("x", 10.0, -np.ones(360), np.zeros(181), 20.0, 1.0)
    with pytest.raises(ValueError, match="divide"):
        sector_pattern(step_deg=0.7)


# -------------------------------------------------------------------------------------------------- MSI files
def test_read_msi_header_and_gain_dbd():
    p = read_msi(DATA / "sector_dbd.msi")
    assert p.name == "TEST-SECTOR-65-8"
    assert p.gain_dbi == pytest.approx(15.85 + 2.15)  # dBd -> dBi: 18.00
    assert p.frequency_mhz == 1800.0
    assert p.electrical_tilt_deg == 4.0
    assert p.step_deg == 1.0 and p.horizontal_db.shape == (360,) and p.vertical_db.shape == (181,)
    assert p.max_attenuation_db == 30.0  # largest loss in the file (back half of the vertical cut)
    assert p.header["POLARIZATION"] == "+45"


def test_read_msi_horizontal_values_and_direction():
    p = read_msi(DATA / "sector_dbd.msi")
    # file angle 30 (clockwise) = 2.00 dB, 330 (= -30) = 4.00 dB; 90: 12 (90/65)^2 = 23.006 -> 23.01; 180: 30
    att = p.attenuation_db_at([0.0, 30.0, -30.0, 90.0, -90.0, 180.0], 4.0)  # theta = 4 = the built-in tilt
    np.testing.assert_allclose(att, [0.0, 2.0, 4.0, 23.01, 23.01, 30.0])
    # a bearing 30 deg clockwise of an antenna pointing at 100 deg sees the 2 dB sample
    assert gain_dbi(p, 100.0, 130.0, 4.0)[()] == pytest.approx(18.0 - 2.0)


def test_read_msi_half_way_points_are_neighbour_means():
    # 1-degree tables, linear interpolation: half-way between two samples is their mean (no dB step).
    p = _MSI
    # horizontal at theta = 4 (A_V = 0): phi 30.5 -> (file 30: 2.00 + file 31: 2.73) / 2 = 2.365;
    # phi -30.5 -> (file 329 (phi -31): 2.73 + file 330 (phi -30): 4.00) / 2 = 3.365;
    # phi 30.25 -> 2.00 + 0.25 * (2.73 - 2.00) = 2.1825
    np.testing.assert_allclose(p.attenuation_db_at([30.5, -30.5, 30.25], 4.0), [2.365, 3.365, 2.1825], atol=1e-12)
    # vertical at phi = 0 (A_H = 0): theta 4.5 -> (0.00 + 0.19) / 2 = 0.095;
    # theta -0.5 -> (file 359 (theta -1): 4.69 + file 0 (theta 0): 3.00) / 2 = 3.845
    np.testing.assert_allclose(p.attenuation_db_at(0.0, [4.5, -0.5]), [0.095, 3.845], atol=1e-12)
    # both: phi 30.5, theta 4.5 -> 2.365 + 0.095 = 2.46 dB -> 18.00 - 2.46 = 15.54 dBi, numba the same
    assert p.gain_dbi_at(30.5, 4.5)[()] == pytest.approx(15.54, abs=1e-12)
    assert _numba(p, 30.5, 4.5) == pytest.approx(2.46, abs=1e-12)


def test_read_msi_vertical_angles_positive_down():
    p = read_msi(DATA / "sector_dbd.msi")
    # MSI vertical: 0 = horizon, 90 = down, 270 = up. Peak (0 dB) at file angle 4 = 4 deg BELOW the horizon.
    # theta = 10 (file 10): 12 (6/8)^2 = 6.75; theta = -10 (file 350): 12 (14/8)^2 = 36.75 -> file cap 25
    # theta = 0 (file 0): 12 (4/8)^2 = 3.00
    np.testing.assert_allclose(p.attenuation_db_at(0.0, [4.0, 10.0, -10.0, 0.0, 90.0]), [0.0, 6.75, 25.0, 3.0, 25.0])
    assert p.vertical_db[90 + 4] == 0.0  # index j <-> theta = -90 + j
    # electrical tilt is in the table: peak gain at 4 deg down without passing elec_tilt_deg
    assert gain_dbi(p, 0.0, 0.0, 4.0)[()] == pytest.approx(18.0)


def test_read_pln_bare_name_dbi_ghz_tabs():
    p = read_msi(DATA / "omni_dbi.pln")
    assert p.name == "OMNI-TEST 10dBi"  # bare first line
    assert p.gain_dbi == 10.0  # dBi kept as is
    assert p.frequency_mhz == pytest.approx(900.0)  # 0.9 GHz
    assert p.electrical_tilt_deg == 0.0  # TILT MECHANICAL
    # 5 deg off the horizon: 12 (5/10)^2 = 3 dB at any azimuth
    np.testing.assert_allclose(p.gain_dbi_at([0.0, 77.0, 180.0], 5.0), 7.0)


def test_read_msi_frequency_band_gives_its_centre(tmp_path):
    # "1710-1880 MHz": (1710 + 1880) / 2 = 1795 MHz
    text = (DATA / "sector_dbd.msi").read_text().replace("FREQUENCY 1800 MHz", "FREQUENCY 1710-1880 MHz")
    f = tmp_path / "band.msi"
    f.write_text(text)
    assert read_msi(f).frequency_mhz == pytest.approx(1795.0)


def test_read_msi_gain_without_unit_is_dbd(tmp_path):
    # the format's gain unit is dBd unless "dBi" follows the value
    text = (DATA / "sector_dbd.msi").read_text().replace("GAIN 15.85 dBd", "GAIN 15.85")
    f = tmp_path / "nounit.msi"
    f.write_text(text)
    assert read_msi(f).gain_dbi == pytest.approx(18.0)


def _problems(path: Path) -> list[str]:
    with pytest.raises(ValidationError) as info:
        read_msi(path)
    assert str(path) in str(info.value)
    return [str(p) for p in info.value.problems]


def test_read_msi_missing_section():
    (msg,) = _problems(DATA / "bad_missing_vertical.msi")
    assert "field 'VERTICAL'" in msg and "no VERTICAL section" in msg


def test_read_msi_wrong_count_names_the_line():
    # angle 359 of the horizontal cut removed: the VERTICAL header (now line 371) ends the section at 359 lines
    (msg,) = _problems(DATA / "bad_count.msi")
    assert "row 'line 371'" in msg and "field 'HORIZONTAL'" in msg and "359 data lines, 360 declared" in msg


def test_read_msi_non_numeric_loss_names_the_line():
    # vertical angle 20 is on line 373 + 20 = 393
    (msg,) = _problems(DATA / "bad_nonnumeric.msi")
    assert "row 'line 393'" in msg and "field 'VERTICAL'" in msg and "'abc' is not a number" in msg


def test_read_msi_negative_loss_names_the_line():
    # horizontal angle 45 is on line 12 + 45 = 57
    (msg,) = _problems(DATA / "bad_negative.msi")
    assert "row 'line 57'" in msg and "field 'HORIZONTAL'" in msg and "negative loss -1.5" in msg


def test_read_msi_bad_gain_names_the_line():
    (msg,) = _problems(DATA / "bad_gain.msi")
    assert "row 'line 7'" in msg and "field 'GAIN'" in msg


def test_read_msi_reports_every_problem(tmp_path):
    text = (DATA / "bad_negative.msi").read_text().replace("GAIN 15.85 dBd", "GAIN high")
    f = tmp_path / "two.msi"
    f.write_text(text)
    msgs = _problems(f)
    assert len(msgs) == 2 and any("line 57" in m for m in msgs) and any("line 7" in m for m in msgs)


def test_read_msi_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_msi(tmp_path / "nope.msi")


def test_read_msi_unsupported_point_count_is_one_problem(tmp_path):
    # a 0.5-degree file (HORIZONTAL 720) is reported once, on its header line (11), not once per data line
    lines = (DATA / "sector_dbd.msi").read_text().splitlines()
    half_degree = [f"{a / 2:g} 0.00" for a in range(720)]
    f = tmp_path / "half.msi"
    f.write_text("\n".join([*lines[:10], "HORIZONTAL 720", *half_degree, *lines[371:]]) + "\n")
    (msg,) = _problems(f)
    assert "row 'line 11'" in msg and "720 points declared" in msg


def test_nan_angles_give_nan_gain():
    p = sector_pattern(vbw_deg=10.0)
    g = gain_dbi(p, 0.0, [0.0, np.nan, 0.0], [0.0, 0.0, np.nan])
    assert g[0] == pytest.approx(17.0) and np.isnan(g[1]) and np.isnan(g[2])
