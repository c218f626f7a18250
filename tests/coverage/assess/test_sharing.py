"""Sharing rates: hand-made layers with answers known by construction, and the sample province."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from coverage import CoverageError, CoverageWarning, MissingLayerError, read_sample
from coverage.assess.sharing import COLUMNS, INDICATORS, shared_mask, sharing_rates

UTM = 32648
X0, Y0 = 560_000.0, 1_083_000.0  # metres, about 105.55°E 9.80°N
W = 1000.0  # commune width, m


def _box(i0: float, i1: float) -> shapely.Polygon:
    return shapely.box(X0 + i0 * W, Y0, X0 + i1 * W, Y0 + W)


def _pt(i: float, j: float = 0.5) -> shapely.Point:
    """Point at (i, j) commune widths from the origin."""
    return shapely.Point(X0 + i * W, Y0 + j * W)


def _to4326(frame: dict, geoms: list[shapely.Geometry]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=UTM).to_crs(4326)


@pytest.fixture
def layers() -> dict[str, pd.DataFrame]:
    """Three pre2025 communes in a row: 99001, 99002 (district 990) and 99101 (district 991).

    post2025: N001 = 99001 + 99002, N002 = 99101. Sites: 10, of which 3 shared (2 in 99001, 1 in 99002).
    Poles: P1 shared and P2 empty in 99001, P3 single in 99002, none in 99101. Ducts: D1 100 m shared in
    99001, D2 300 m single in 99002.
    """
    admin = _to4326(
        {
            "unit_code": ["99", "990", "991", "99001", "99002", "99101", "N99", "N001", "N002"],
            "name": ["Tỉnh", "Huyện A", "Huyện B", "Xã Một", "Xã Hai", "Xã Ba", "Tỉnh", "Xã Mới", "Xã Ba Mới"],
            "level": [*("province", "district", "district"), *("commune",) * 3, "province", "commune", "commune"],
            "period": ["pre2025"] * 6 + ["post2025"] * 3,
            "parent_code": [None, "99", "99", "990", "990", "991", None, "N99", "N99"],
        },
        [_box(0, 3), _box(0, 2), _box(2, 3), _box(0, 1), _box(1, 2), _box(2, 3), _box(0, 3), _box(0, 2), _box(2, 3)],
    )
    site_tenants = ["Viettel;VNPT", "MobiFone;Viettel", "Viettel", "VNPT"]  # 99001: 2 of 4
    site_tenants += ["MobiFone;VNPT;Viettel", "Viettel", "VNPT"]  # 99002: 1 of 3
    site_tenants += ["Viettel", "MobiFone", "VNPT"]  # 99101: 0 of 3
    xs = [0.2, 0.4, 0.6, 0.8, 1.2, 1.5, 1.8, 2.2, 2.5, 2.8]
    sites = _to4326(
        {"site_id": [f"S{i}" for i in range(10)], "owner": ["Viettel"] * 10, "tenants": site_tenants},
        [_pt(x) for x in xs],
    )
    poles = _to4326(
        {"pole_id": ["P1", "P2", "P3"], "owner": ["EVN"] * 3, "tenants": ["Viettel;VNPT", "", "VNPT"]},
        [_pt(0.3), _pt(0.6), _pt(1.5)],
    )
    ducts = _to4326(
        {"duct_id": ["D1", "D2"], "owner": ["VNPT", "Viettel"], "tenants": ["FPT;VNPT", "Viettel"]},
        [
            shapely.LineString([(X0 + 200, Y0 + 500), (X0 + 300, Y0 + 500)]),
            shapely.LineString([(X0 + 1200, Y0 + 500), (X0 + 1500, Y0 + 500)]),
        ],
    )
    return {"admin_units": admin, "sites": sites, "poles": poles, "ducts": ducts}


def _values(rates: pd.DataFrame, indicator: str) -> dict[str, float]:
    sel = rates[rates["indicator"] == indicator]
    return dict(zip(sel["unit_code"], sel["value"], strict=True))


def test_shared_mask() -> None:
    s = pd.Series(["Viettel;VNPT", "VNPT", "", None, "FPT;VNPT;Viettel"], index=list("abcde"), dtype="string")
    out = shared_mask(s)
    assert out.dtype == bool
    assert out.index.tolist() == list("abcde")
    assert out.tolist() == [True, False, False, False, True]


def test_province_known_answers(layers: dict[str, pd.DataFrame]) -> None:
    r = sharing_rates(layers, level="province")
    assert list(r.columns) == list(COLUMNS)
    assert r["indicator"].tolist() == list(INDICATORS)
    assert (r["unit"] == "share").all() and (r["status"] == "ok").all() and (r["unit_code"] == "99").all()
    row = r.set_index("indicator")
    assert row.loc["bts_site_sharing", ["numerator", "denominator"]].tolist() == [3, 10]
    assert row.loc["bts_site_sharing", "value"] == pytest.approx(0.3)
    # three poles of which one carries two operators: 1/3 of all poles, 1/2 of those carrying a cable
    assert row.loc["pole_sharing", "value"] == pytest.approx(1 / 3)
    assert row.loc["pole_sharing_telecom", ["numerator", "denominator"]].tolist() == [1, 2]
    # 100 m shared + 300 m single
    assert row.loc["duct_sharing_length", "numerator"] == pytest.approx(100.0, abs=0.01)
    assert row.loc["duct_sharing_length", "denominator"] == pytest.approx(400.0, abs=0.01)
    assert row.loc["duct_sharing_length", "value"] == pytest.approx(0.25, abs=1e-4)
    assert row.loc["duct_sharing_length", "basis"] == "m"
    assert row.loc["duct_sharing_count", "value"] == pytest.approx(0.5)


def test_district_and_commune_grouping(layers: dict[str, pd.DataFrame]) -> None:
    d = sharing_rates(layers, level="district")
    assert _values(d, "bts_site_sharing") == pytest.approx({"990": 3 / 7, "991": 0.0})
    assert _values(d, "duct_sharing_count") == pytest.approx({"990": 0.5, "991": math.nan}, nan_ok=True)
    c = sharing_rates(layers, level="commune")
    assert _values(c, "bts_site_sharing") == pytest.approx({"99001": 0.5, "99002": 1 / 3, "99101": 0.0})
    assert _values(c, "pole_sharing") == pytest.approx({"99001": 0.5, "99002": 0.0, "99101": math.nan}, nan_ok=True)
    assert _values(c, "pole_sharing_telecom")["99001"] == 1.0
    assert _values(c, "duct_sharing_length")["99001"] == pytest.approx(1.0)
    assert _values(c, "duct_sharing_length")["99002"] == pytest.approx(0.0)
    empty = c[(c["unit_code"] == "99101") & (c["indicator"] == "pole_sharing")].iloc[0]
    assert empty["status"] == "no data" and empty["denominator"] == 0 and "denominator 0" in empty["reason"]
    assert c.loc[c["status"] == "ok", "reason"].eq("").all()
    assert set(c["unit_name"]) == {"Xã Một", "Xã Hai", "Xã Ba"}


def test_post2025_communes(layers: dict[str, pd.DataFrame]) -> None:
    n = sharing_rates(layers, level="commune", period="post2025")
    assert set(n["period"]) == {"post2025"}
    assert _values(n, "bts_site_sharing") == pytest.approx({"N001": 3 / 7, "N002": 0.0})
    assert _values(n, "duct_sharing_length")["N001"] == pytest.approx(0.25, abs=1e-4)
    p = sharing_rates(layers, level="province", period="post2025")
    assert _values(p, "bts_site_sharing") == pytest.approx({"N99": 0.3})
    with pytest.raises(CoverageError, match="no level 'district'"):
        sharing_rates(layers, level="district", period="post2025")


def test_duct_lengths_split_and_count_by_majority(layers: dict[str, pd.DataFrame]) -> None:
    # shared duct: 300 m in 99001, 700 m in 99002; single duct of 1000 m in 99101
    layers["ducts"] = _to4326(
        {"duct_id": ["D1", "D2"], "owner": ["VNPT", "VNPT"], "tenants": ["Viettel;VNPT", "VNPT"]},
        [
            shapely.LineString([(X0 + 700, Y0 + 500), (X0 + 1700, Y0 + 500)]),
            shapely.LineString([(X0 + 2000 + 100, Y0 + 200), (X0 + 2100, Y0 + 800), (X0 + 2500, Y0 + 800)]),
        ],
    )
    c = sharing_rates(layers, level="commune")
    length = c[c["indicator"] == "duct_sharing_length"].set_index("unit_code")
    assert length["numerator"].to_dict() == pytest.approx({"99001": 300.0, "99002": 700.0, "99101": 0.0}, abs=0.01)
    assert length["denominator"].to_dict() == pytest.approx({"99001": 300.0, "99002": 700.0, "99101": 1000.0}, abs=0.01)
    count = c[c["indicator"] == "duct_sharing_count"].set_index("unit_code")
    assert count["denominator"].tolist() == [0, 1, 1]  # the shared duct counts once, in 99002 (70 % of it)
    assert count.loc["99001", "status"] == "no data"
    p = sharing_rates(layers, level="province").set_index("indicator")
    assert p.loc["duct_sharing_length", "value"] == pytest.approx(0.5, abs=1e-4)
    assert p.loc["duct_sharing_count", "value"] == pytest.approx(0.5)


def test_missing_layer_is_not_assessed(layers: dict[str, pd.DataFrame]) -> None:
    del layers["ducts"]
    r = sharing_rates(layers, level="province").set_index("indicator")
    for ind in ("duct_sharing_length", "duct_sharing_count"):
        assert r.loc[ind, "status"] == "not assessed"
        assert np.isnan(r.loc[ind, "value"]) and np.isnan(r.loc[ind, "numerator"])
        assert "no 'ducts' layer" in r.loc[ind, "reason"]
    assert r.loc["bts_site_sharing", "status"] == "ok"
    with pytest.raises(MissingLayerError, match="admin_units"):
        sharing_rates({"sites": layers["sites"]})


def test_empty_layer_is_no_data_not_zero(layers: dict[str, pd.DataFrame]) -> None:
    layers["poles"] = layers["poles"].iloc[:0]
    r = sharing_rates(layers, level="province").set_index("indicator")
    assert r.loc["pole_sharing", "status"] == "no data"
    assert np.isnan(r.loc["pole_sharing", "value"])


def test_asset_outside_the_communes_warns_or_snaps(layers: dict[str, pd.DataFrame]) -> None:
    outside = _to4326({"site_id": ["SX"], "owner": ["VNPT"], "tenants": ["VNPT;Viettel"]}, [_pt(3.1)])  # 100 m out
    layers["sites"] = pd.concat([layers["sites"], outside], ignore_index=True)
    with pytest.warns(CoverageWarning, match="1 of 11 sites"):
        r = sharing_rates(layers, level="province")
    assert _values(r, "bts_site_sharing") == pytest.approx({"99": 0.3})
    c = sharing_rates(layers, level="commune", snap_m=150.0)
    assert _values(c, "bts_site_sharing")["99101"] == pytest.approx(0.25)


# ---------------------------------------------------------------------------------------------------------
# the sample province (data/README.md: sites 74 / 488, poles 4,280 / 10,969 and / 9,677, ducts 31 / 509)
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_province() -> pd.DataFrame:
    with pytest.warns(CoverageWarning, match="271 of 10969 poles"):
        strict = sharing_rates(read_sample(), level="province")
    return strict.set_index("indicator")


def test_sample_province_site_and_duct_sharing(sample_province: pd.DataFrame) -> None:
    r = sample_province
    assert r.loc["bts_site_sharing", ["numerator", "denominator"]].tolist() == [74, 488]
    assert r.loc["bts_site_sharing", "value"] == pytest.approx(0.152, abs=5e-4)
    assert r.loc["duct_sharing_count", ["numerator", "denominator"]].tolist() == [31, 509]
    assert r.loc["duct_sharing_count", "value"] == pytest.approx(0.061, abs=5e-4)
    # by length: 5.9 km of 106.4 km, lower than by count (the shared ducts are shorter than average)
    assert r.loc["duct_sharing_length", "denominator"] == pytest.approx(106_359, abs=1)
    assert r.loc["duct_sharing_length", "value"] == pytest.approx(0.0553, abs=5e-4)


def test_sample_province_pole_sharing(sample_province: pd.DataFrame) -> None:
    # 271 poles lie outside the province polygon (1-497 m beyond it, along roads leaving it): strictly,
    # 4,153 / 10,698 = 0.388 of all poles and 4,153 / 9,428 = 0.440 of telecom poles.
    r = sample_province
    assert r.loc["pole_sharing", ["numerator", "denominator"]].tolist() == [4153, 10698]
    assert r.loc["pole_sharing_telecom", "denominator"] == 9428
    assert r.loc["pole_sharing", "value"] == pytest.approx(0.388, abs=5e-4)
    assert r.loc["pole_sharing_telecom", "value"] == pytest.approx(0.4405, abs=5e-4)
    # with a 500 m tolerance they join their nearest commune: the README's whole-layer figures 0.390 / 0.442
    snapped = sharing_rates(read_sample(), level="province", snap_m=500.0).set_index("indicator")
    assert snapped.loc["pole_sharing", ["numerator", "denominator"]].tolist() == [4280, 10969]
    assert snapped.loc["pole_sharing", "value"] == pytest.approx(0.390, abs=5e-4)
    assert snapped.loc["pole_sharing_telecom", ["numerator", "denominator"]].tolist() == [4280, 9677]
    assert snapped.loc["pole_sharing_telecom", "value"] == pytest.approx(0.442, abs=5e-4)


def test_sample_levels_add_up() -> None:
    project = read_sample()
    totals = {}
    for level, period in (("district", "pre2025"), ("commune", "pre2025"), ("commune", "post2025")):
        r = sharing_rates(project, level=level, period=period, snap_m=500.0)  # type: ignore[arg-type]
        totals[(level, period)] = r.groupby("indicator")[["numerator", "denominator"]].sum()
        assert r["unit_code"].nunique() == {"district": 8, "commune": 75 if period == "pre2025" else 28}[level]
    first = next(iter(totals.values()))
    for t in totals.values():
        pd.testing.assert_frame_equal(t, first)
    assert first.loc["bts_site_sharing"].tolist() == [74, 488]
