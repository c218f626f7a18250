"""ITU-R P.1812-6 (coverage.radio.p1812): the ITU-R validation data, hand-worked answers, invariants, validity.

The validation data (../shared/reference/itu-r-p1812-6, the WP 3K step-by-step results for 19 profiles and 63
datasets) is read, never copied; its tests skip when the folder is absent.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coverage._errors import CoverageError, ExtrapolationWarning, ValidityRangeError
from coverage.radio import _p1812_kernels as kernels
from coverage.radio.p1812 import (
    P1812_VALIDITY,
    P1812Result,
    location_variability_sigma_db,
    p1812_loss,
)
from coverage.radio.profiles import P1812Profile, read_sg3_profile

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference" / "itu-r-p1812-6"
RESULTS = REFERENCE / "validation_results"
PROFILES = REFERENCE / "validation_profiles"

# result-file label -> P1812Result attribute; the losses (dB) must agree within 0.1 dB
LOSSES = {
    "Lbfs": "lbfs_db",
    "Lb0p": "lb0p_db",
    "Lb0b": "lb0b_db",
    "Lbulla (dB)": "lbulla_db",
    "Lbulls (dB)": "lbulls_db",
    "Ldsph (dB)": "ldsph_db",
    "Ld50 (dB)": "ld50_db",
    "Ldb (dB)": "ldb_db",
    "Ldp (dB)": "ldp_db",
    "Lbd50 (dB)": "lbd50_db",
    "Lbd (dB)": "lbd_db",
    "Lminb0p (dB)": "lminb0p_db",
    "Lba (dB)": "lba_db",
    "Lminbap (dB)": "lminbap_db",
    "Lbda (dB)": "lbda_db",
    "Lbam (dB)": "lbam_db",
    "Lbs (dB)": "lbs_db",
    "Lbc (dB)": "lbc_db",
    "Lb (dB)": "lb_db",
    "Ep (dBuV/m)": "ep_dbuv_m",
}
# geometry and path parameters: label -> (attribute, absolute tolerance in the quantity's unit)
GEOMETRY = {
    "d (km)": ("d_km", 1e-6),
    "dlt (km)": ("dlt_km", 1e-6),
    "dlr (km)": ("dlr_km", 1e-6),
    "th_t (mrad)": ("theta_t_mrad", 1e-4),
    "th_r (mrad)": ("theta_r_mrad", 1e-4),
    "th (mrad)": ("theta_mrad", 1e-4),
    "hts (m)": ("hts_m", 1e-4),
    "hrs (m)": ("hrs_m", 1e-4),
    "dtm (km)": ("dtm_km", 1e-4),
    "dlm (km)": ("dlm_km", 1e-4),
    "w": ("omega", 1e-6),
    "phi (deg)": ("phi_deg", 1e-6),
    "b0 (%)": ("beta0_percent", 1e-5),
    "ae (km)": ("ae_km", 1e-3),
    "hst (m)": ("hst_m", 1e-4),
    "hsr (m)": ("hsr_m", 1e-4),
    "hst (m) Eq (90a)": ("hst_eff_m", 1e-4),
    "hsr (m) Eq (90b)": ("hsr_eff_m", 1e-4),
    "hstd (m)": ("hstd_m", 1e-4),
    "hsrd (m)": ("hsrd_m", 1e-4),
    "htc' (m)": ("hts_smooth_m", 1e-4),
    "hrc' (m)": ("hrs_smooth_m", 1e-4),
    "hte (m)": ("hte_m", 1e-4),
    "hre (m)": ("hre_m", 1e-4),
    "hm (m)": ("hm_m", 1e-4),
    "Fi": ("fi", 1e-5),
    "Fj": ("fj", 1e-5),
    "Fk": ("fk", 1e-5),
}
LOSS_TOLERANCE_DB = 0.1


def _reference_cases() -> list[object]:
    if not RESULTS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{REFERENCE} is absent"))]
    files = sorted(p for p in RESULTS.glob("*_[0-9].csv"))
    return [pytest.param(p, id=p.stem) for p in files]


def _read_result(path: Path) -> dict[str, float]:
    """Label -> value of a WP 3K result file; eqs. (85)/(86) and (90) share a label, so the second gets its eq."""
    values: dict[str, float] = {}
    with path.open(newline="") as fh:
        for row in csv.reader(fh):
            if len(row) < 4 or not row[0].strip() or row[0].startswith("#") or not row[3].strip():
                continue
            label = row[0].strip()
            if label in values:
                label = f"{label} {row[1].strip()}"
            values[label] = float(row[3])
    return values


def _run_reference(path: Path) -> tuple[dict[str, float], P1812Result]:
    ref = _read_result(path)
    profile = read_sg3_profile(PROFILES / f"{path.stem.rsplit('_', 1)[0]}.csv")
    result = p1812_loss(
        profile,
        ref["f (GHz)"],
        ref["p (%)"],
        ref["htg (m)"],
        ref["hrg (m)"],
        pol="vertical" if ref["pol"] == 2 else "horizontal",
        pl_percent=ref["pL (%)"],
        sigma_l_db=ref["sigmaL (dB)"],
        delta_n=ref["DN"],
        n0=ref["N0"],
        dct_km=ref["dct (km)"],
        dcr_km=ref["dcr (km)"],
    )
    return ref, result


# ------------------------------------------------------------------------------------- (a) WP 3K reference
@pytest.mark.parametrize("path", _reference_cases())
def test_reference_dataset_losses_within_0_1_db(path: Path) -> None:
    ref, result = _run_reference(path)
    off = {
        label: (ref[label], getattr(result, attr))
        for label, attr in LOSSES.items()
        if abs(getattr(result, attr) - ref[label]) > LOSS_TOLERANCE_DB
    }
    assert not off, f"{path.stem}: (reference, ours) beyond {LOSS_TOLERANCE_DB} dB: {off}"


@pytest.mark.parametrize("path", _reference_cases())
def test_reference_dataset_geometry(path: Path) -> None:
    ref, result = _run_reference(path)
    off = {
        label: (ref[label], getattr(result, attr))
        for label, (attr, tol) in GEOMETRY.items()
        if abs(getattr(result, attr) - ref[label]) > tol
    }
    assert not off, f"{path.stem}: (reference, ours) off: {off}"


@pytest.mark.parametrize("path", _reference_cases())
def test_reference_inputs_match_the_profile_measurement_block(path: Path) -> None:
    """Dataset n of a result file is row n of its profile's measurement block; R2, Rn-1 and Ct come from the profile."""
    ref = _read_result(path)
    stem, n = path.stem.rsplit("_", 1)
    profile = read_sg3_profile(PROFILES / f"{stem}.csv")
    ds = profile.datasets[int(n) - 1]
    assert ds.freq_mhz == pytest.approx(ref["f (GHz)"] * 1000.0)
    assert (ds.time_percent, ds.tx_height_m, ds.rx_height_m) == (ref["p (%)"], ref["htg (m)"], ref["hrg (m)"])
    assert ds.polarisation == ("vertical" if ref["pol"] == 2 else "horizontal")
    assert (profile.delta_n, profile.n0) == pytest.approx((ref["DN"], ref["N0"]))
    # the terminal clutter inputs of the reference are the profile's own values, used as they are
    assert profile.clutter_heights_m[1] == ref["R2 (m)"]
    assert profile.clutter_heights_m[-2] == ref["Rn-1 (m)"]
    assert (profile.clutter_categories[0], profile.clutter_categories[-1]) == (ref["Ct Tx"], ref["Ct Rx"])
    # the measurement block carries the reference's final loss
    assert ds.basic_transmission_loss_db == pytest.approx(ref["Lb (dB)"], abs=1e-6)


# ---------------------------------------------------------------------------------- (b) hand-worked answers
def _profile(
    d_km: np.ndarray, h_m: np.ndarray, *, r_m: np.ndarray | None = None, zone: int = 4, **kw: float
) -> P1812Profile:
    n = d_km.size
    return P1812Profile(
        distances_km=d_km,
        heights_m=h_m,
        clutter_categories=np.full(n, 2),
        clutter_heights_m=np.zeros(n) if r_m is None else r_m,
        zones=np.full(n, zone),
        delta_n=kw.get("delta_n", 45.0),
        n0=kw.get("n0", 325.0),
    )


def _flat(d_km: float, n: int = 21, zone: int = 4) -> P1812Profile:
    return _profile(np.linspace(0.0, d_km, n), np.zeros(n), zone=zone)


def test_free_space_loss_equal_heights_is_92_4_plus_20log_f_plus_20log_d() -> None:
    # f = 1 GHz, d = 10 km, equal antenna heights: dfs = d, Lbfs = 92.4 + 0 + 20 = 112.4 dB (eq. (8))
    r = p1812_loss(_flat(10.0), 1.0, 50.0, 30.0, 30.0, phi_deg=20.0)
    assert r.lbfs_db == pytest.approx(112.4, abs=1e-9)


def test_free_space_loss_uses_the_slant_distance() -> None:
    # f = 2 GHz, d = 3 km, hts - hrs = 400 m: dfs = sqrt(9 + 0.16) km, Lbfs = 92.4 + 20 log 2 + 20 log dfs
    r = p1812_loss(_flat(3.0), 2.0, 50.0, 410.0, 10.0, phi_deg=20.0)
    assert r.lbfs_db == pytest.approx(92.4 + 20 * math.log10(2.0) + 20 * math.log10(math.sqrt(9.16)), abs=1e-9)


def test_effective_earth_radius_from_delta_n() -> None:
    # eqs. (6), (7a): k50 = 157 / (157 - 45) = 1.401785..., ae = 6371 k50 = 8930.777 km
    r = p1812_loss(_flat(10.0), 1.0, 50.0, 30.0, 30.0, phi_deg=20.0)
    assert r.ae_km == pytest.approx(6371.0 * 157.0 / 112.0, rel=1e-12)


def test_clear_flat_path_has_no_diffraction_and_is_free_space_at_50_percent() -> None:
    # 10 km flat land, 30 m masts, 1 GHz: the Earth bulge (1.5 m) is far below the first Fresnel zone (27 m), so
    # every Bullington term and the spherical-Earth loss vanish; at p = 50 % Esp = 0, Lb = Lb0p = Lbfs
    r = p1812_loss(_flat(10.0), 1.0, 50.0, 30.0, 30.0, phi_deg=20.0)
    assert r.los
    assert (r.lbulla_db, r.lbulls_db, r.ldsph_db, r.ld50_db, r.ldp_db) == (0.0, 0.0, 0.0, 0.0, 0.0)
    assert r.lb0p_db == r.lbfs_db
    assert r.lb_db == pytest.approx(r.lbfs_db, abs=1e-6)


def test_line_of_sight_enhancement_at_small_time_percentages() -> None:
    # eq. (9): Esp = 2.6 (1 - exp(-0.1 d)) log(p / 50) for a LoS path (dlt + dlr = d)
    r = p1812_loss(_flat(10.0), 1.0, 1.0, 30.0, 30.0, phi_deg=20.0)
    assert r.lb0p_db - r.lbfs_db == pytest.approx(2.6 * (1 - math.exp(-1.0)) * math.log10(1 / 50), abs=1e-9)


def test_vertical_polarisation_diffracts_less_over_sea_at_vhf() -> None:
    # §4.3.3: over sea (epsilon 80, sigma 5 S/m) at 100 MHz the vertical surface admittance K_V >> K_H lowers the
    # first-term loss; over land at 2 GHz the polarisations hardly differ
    sea_h = p1812_loss(_flat(80.0, 81, zone=1), 0.1, 50.0, 10.0, 10.0, phi_deg=20.0)
    sea_v = p1812_loss(_flat(80.0, 81, zone=1), 0.1, 50.0, 10.0, 10.0, phi_deg=20.0, pol="vertical")
    assert sea_h.omega == 1.0 and not sea_h.los
    assert sea_v.ldsph_db < sea_h.ldsph_db - 3.0
    assert sea_v.ld50_db < sea_h.ld50_db
    land_h = p1812_loss(_flat(80.0, 81), 2.0, 50.0, 10.0, 10.0, phi_deg=20.0)
    land_v = p1812_loss(_flat(80.0, 81), 2.0, 50.0, 10.0, 10.0, phi_deg=20.0, pol="vertical")
    assert land_v.ldsph_db == pytest.approx(land_h.ldsph_db, abs=0.05)


def test_clutter_next_to_the_terminal_obstructs_the_actual_profile_only() -> None:
    # §3.2.1: R is added to the intermediate points for the Bullington construction; the horizon geometry
    # (Attachment 1 §5) and the smooth surfaces use the bare terrain
    d = np.linspace(0.0, 20.0, 201)
    bare = _profile(d, np.zeros(d.size))
    r = np.zeros(d.size)
    r[1:4] = 25.0
    cluttered = _profile(d, np.zeros(d.size), r_m=r)
    a = p1812_loss(bare, 0.9, 50.0, 10.0, 10.0, phi_deg=20.0)
    b = p1812_loss(cluttered, 0.9, 50.0, 10.0, 10.0, phi_deg=20.0)
    assert b.lbulla_db > a.lbulla_db + 10.0
    assert (b.theta_t_mrad, b.hte_m, b.lbulls_db, b.ldsph_db) == (a.theta_t_mrad, a.hte_m, a.lbulls_db, a.ldsph_db)
    # clutter values at the terminal points themselves are never used (§3.2.1: g = h there)
    r_end = r.copy()
    r_end[[0, -1]] = 30.0
    c = p1812_loss(_profile(d, np.zeros(d.size), r_m=r_end), 0.9, 50.0, 10.0, 10.0, phi_deg=20.0)
    assert c.lb_db == b.lb_db


def test_inverse_cumulative_normal_approximation() -> None:
    # Annex 1's approximation: I(0.5) = 0, I(0.1) = 1.2816 and I(0.9) = -1.2816 within the approximation's 4.5e-4
    assert kernels.inv_cum_norm(0.5) == pytest.approx(0.0, abs=4.5e-4)
    assert kernels.inv_cum_norm(0.1) == pytest.approx(1.281552, abs=4.5e-4)
    assert kernels.inv_cum_norm(0.9) == pytest.approx(-1.281552, abs=4.5e-4)


def test_location_variability() -> None:
    # §4.7: sigma_L = u_h (0.024 f + 0.52) wa^0.28; u_h = 1 in clutter, 0.5 at R + 5 m, 0 from R + 10 m
    base = (0.024 * 2.0 + 0.52) * 100.0**0.28
    assert location_variability_sigma_db(2.0, 100.0, 1.5, 10.0) == pytest.approx(base)
    assert location_variability_sigma_db(2.0, 100.0, 15.0, 10.0) == pytest.approx(0.5 * base)
    assert location_variability_sigma_db(2.0, 100.0, 20.0, 10.0) == 0.0
    r50 = p1812_loss(_flat(10.0), 1.0, 50.0, 30.0, 1.5, phi_deg=20.0, sigma_l_db=None, pixel_width_m=100.0)
    r90 = p1812_loss(_flat(10.0), 1.0, 50.0, 30.0, 1.5, phi_deg=20.0, sigma_l_db=6.0, pl_percent=90.0)
    # open ground at the receiver (R = 0 at the last point): a 1.5 m antenna is 1.5 m above it, u_h = 0.85
    assert r50.sigma_l_db == pytest.approx(0.85 * (0.024 + 0.52) * 100.0**0.28)
    in_town = p1812_loss(
        _flat(10.0), 1.0, 50.0, 30.0, 1.5, phi_deg=20.0, sigma_l_db=None, pixel_width_m=100.0, rx_clutter_height_m=10.0
    )
    assert in_town.sigma_l_db == pytest.approx((0.024 + 0.52) * 100.0**0.28)
    assert r50.lb_db == pytest.approx(in_town.lb_db, abs=1e-6)  # at pL = 50 % sigma_L does not matter
    # eq. (69): Lb = max(Lb0p, Lbc - I(pL/100) sigma_L), I(0.9) = -1.2816
    assert r90.lb_db == pytest.approx(r90.lbc_db + 6.0 * 1.2816, abs=6 * 4.5e-4)
    assert r90.ep_dbuv_m == pytest.approx(199.36 + 20 * math.log10(1.0) - r90.lb_db)


# ------------------------------------------------------------------------------------------ (c) invariants
@st.composite
def profiles(draw: st.DrawFn) -> P1812Profile:
    n = draw(st.integers(3, 40))
    steps = draw(st.lists(st.floats(0.15, 4.0), min_size=n - 1, max_size=n - 1))
    heights = draw(st.lists(st.floats(0.0, 600.0), min_size=n, max_size=n))
    clutter = draw(st.lists(st.sampled_from([0.0, 0.0, 10.0, 15.0, 20.0]), min_size=n, max_size=n))
    zones = draw(st.lists(st.sampled_from([1, 3, 4]), min_size=n, max_size=n))
    d = np.concatenate([[0.0], np.cumsum(steps)])
    return P1812Profile(
        distances_km=d,
        heights_m=np.array(heights),
        clutter_categories=np.full(n, 2),
        clutter_heights_m=np.array(clutter),
        zones=np.array(zones),
        delta_n=draw(st.floats(30.0, 70.0)),
        n0=draw(st.floats(300.0, 400.0)),
    )


frequencies = st.floats(0.03, 6.0)
percentages = st.floats(1.0, 50.0)
heights = st.floats(1.0, 200.0)


@settings(max_examples=40, deadline=None)
@given(profiles(), frequencies, percentages, heights, heights)
def test_combination_bounds(profile: P1812Profile, f: float, p: float, htg: float, hrg: float) -> None:
    r = p1812_loss(profile, f, p, htg, hrg, phi_deg=15.0)
    assert r.lb_db >= r.lb0p_db  # eq. (69)
    assert r.lbc_db <= min(r.lbs_db, r.lbam_db) + 1e-9  # eq. (63) is a power sum
    assert r.lminbap_db >= max(r.lba_db, r.lb0p_db) - 1e-9  # eq. (60)
    assert 0.0 <= r.fi <= 1.0 and 0.0 <= r.fj <= 1.0 and 0.0 <= r.fk <= 1.0
    lo, hi = sorted((r.ld50_db, r.ldb_db))
    assert lo - 1e-9 <= r.ldp_db <= hi + 1e-9  # eq. (41)
    assert r.lbulla_db >= 0.0 and r.lbulls_db >= 0.0 and r.ld50_db >= r.lbulla_db  # eqs. (21), (39)
    assert r.lb0p_db <= r.lbfs_db + 1e-12  # p <= 50 %: Esp <= 0


@settings(max_examples=30, deadline=None)
@given(profiles(), frequencies, percentages, heights, heights)
def test_reciprocity(profile: P1812Profile, f: float, p: float, htg: float, hrg: float) -> None:
    """Every step of P.1812-6 is symmetric in the two ends: swapping Tx and Rx leaves the loss unchanged."""
    d = profile.distances_km
    swapped = P1812Profile(
        distances_km=d[-1] - d[::-1],
        heights_m=profile.heights_m[::-1],
        clutter_categories=profile.clutter_categories[::-1],
        clutter_heights_m=profile.clutter_heights_m[::-1],
        zones=profile.zones[::-1],
        delta_n=profile.delta_n,
        n0=profile.n0,
    )
    a = p1812_loss(profile, f, p, htg, hrg, phi_deg=15.0, dct_km=2.0, dcr_km=7.0)
    b = p1812_loss(swapped, f, p, hrg, htg, phi_deg=15.0, dct_km=7.0, dcr_km=2.0)
    assert b.lb_db == pytest.approx(a.lb_db, abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(profiles(), frequencies, heights, st.floats(1.0, 49.0), st.floats(0.1, 10.0))
def test_loss_not_lower_for_more_time_or_more_locations(
    profile: P1812Profile, f: float, hrg: float, p: float, dp: float
) -> None:
    """A loss not exceeded for a larger percentage of time (or of locations) is never smaller."""
    a = p1812_loss(profile, f, p, 30.0, hrg, phi_deg=15.0, sigma_l_db=5.0, pl_percent=50.0)
    b = p1812_loss(profile, f, min(p + dp, 50.0), 30.0, hrg, phi_deg=15.0, sigma_l_db=5.0, pl_percent=50.0)
    c = p1812_loss(profile, f, p, 30.0, hrg, phi_deg=15.0, sigma_l_db=5.0, pl_percent=min(50.0 + 5 * dp, 99.0))
    assert b.lbs_db >= a.lbs_db and b.lb0p_db >= a.lb0p_db
    assert b.lb_db >= a.lb_db - 1e-9
    assert c.lb_db >= a.lb_db - 1e-9


@settings(max_examples=30, deadline=None)
@given(profiles(), frequencies, percentages, heights, st.floats(1.0, 200.0))
def test_raising_the_transmitter_does_not_increase_the_bullington_loss(
    profile: P1812Profile, f: float, p: float, htg: float, rise: float
) -> None:
    low = p1812_loss(profile, f, p, htg, 10.0, phi_deg=15.0)
    high = p1812_loss(profile, f, p, htg + rise, 10.0, phi_deg=15.0)
    assert high.lbulla_db <= low.lbulla_db + 1e-9


# ----------------------------------------------------------------------------------------- (d) validity
@pytest.mark.parametrize(
    ("kwargs", "quantity"),
    [
        ({"f_ghz": 0.02}, "freq_mhz"),
        ({"f_ghz": 6.5}, "freq_mhz"),
        ({"htg_m": 0.5}, "tx_height_m"),
        ({"hrg_m": 3500.0}, "rx_height_m"),
        ({"p_percent": 0.5}, "p_percent"),
        ({"pl_percent": 99.5}, "pl_percent"),
    ],
)
def test_out_of_range_raises_or_warns_with_extrapolate(kwargs: dict[str, float], quantity: str) -> None:
    args = {"f_ghz": 1.0, "p_percent": 10.0, "htg_m": 30.0, "hrg_m": 10.0, "pl_percent": 50.0} | kwargs
    profile = _flat(10.0)
    with pytest.raises(ValidityRangeError, match="extrapolate=True to use it anyway") as info:
        p1812_loss(profile, phi_deg=20.0, **args)  # type: ignore[arg-type]
    assert info.value.model == "p1812"
    assert quantity in info.value.quantities
    with pytest.warns(ExtrapolationWarning, match=quantity):
        r = p1812_loss(profile, phi_deg=20.0, extrapolate=True, **args)  # type: ignore[arg-type]
    assert math.isfinite(r.lb_db)


def test_short_and_long_paths_are_out_of_range() -> None:
    with pytest.raises(ValidityRangeError, match="dist_m"):
        p1812_loss(_flat(0.2, 3), 1.0, 50.0, 10.0, 10.0, phi_deg=20.0)
    with pytest.warns(ExtrapolationWarning, match="dist_m"):
        p1812_loss(_flat(0.2, 3), 1.0, 50.0, 10.0, 10.0, phi_deg=20.0, extrapolate=True)
    assert P1812_VALIDITY.dist_m == (250.0, 3_000_000.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"p_percent": 60.0},
        {"p_percent": 0.0},
        {"pl_percent": 100.0},
        {"htg_m": 0.0},
        {"f_ghz": -1.0},
        {"sigma_l_db": -1.0},
        {"dct_km": -1.0},
        {"delta_n": 160.0},
    ],
)
def test_outside_the_formulas_domain_always_raises(kwargs: dict[str, float]) -> None:
    args: dict[str, float] = {"f_ghz": 1.0, "p_percent": 10.0, "htg_m": 30.0, "hrg_m": 10.0} | kwargs
    with pytest.raises(ValidityRangeError, match="extrapolate=True cannot help"):
        p1812_loss(_flat(10.0), phi_deg=20.0, extrapolate=True, **args)  # type: ignore[arg-type]


def test_missing_inputs_are_errors_not_guesses() -> None:
    bare = P1812Profile(np.linspace(0, 10, 5), np.zeros(5), np.full(5, 2), np.zeros(5), np.full(5, 4))
    with pytest.raises(CoverageError, match="delta_n and n0"):
        p1812_loss(bare, 1.0, 50.0, 10.0, 10.0, phi_deg=20.0)
    with pytest.raises(CoverageError, match="phi_deg"):
        p1812_loss(bare, 1.0, 50.0, 10.0, 10.0, delta_n=45.0, n0=325.0)
    with pytest.raises(CoverageError, match="pixel_width_m"):
        p1812_loss(bare, 1.0, 50.0, 10.0, 10.0, delta_n=45.0, n0=325.0, phi_deg=20.0, sigma_l_db=None)
    with pytest.raises(CoverageError, match="pol"):
        p1812_loss(_flat(10.0), 1.0, 50.0, 10.0, 10.0, phi_deg=20.0, pol="circular")  # type: ignore[arg-type]


def test_result_names_every_kernel_output() -> None:
    names = [f for f in P1812Result.__dataclass_fields__]
    assert names[: kernels.N_OUT] == list(kernels.OUTPUT_NAMES)
    r = p1812_loss(_flat(10.0), 1.0, 50.0, 30.0, 30.0, phi_deg=20.0)
    assert isinstance(r.los, bool) and r.polarisation == "horizontal"
    with pytest.raises(AttributeError):
        r.lb_db = 0.0  # type: ignore[misc]
