"""The assessment end to end on the tiny world (tests/coverage/world.py), whose answers are known by construction."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from coverage._errors import CoverageError, MissingLayerError
from coverage.assess import assessment_config, run_assessment
from coverage.radio.config import radio_config
from tests.coverage import world

RADIO = radio_config(overrides=world.RADIO)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("tiny")
    proj = world.project(folder)
    result = run_assessment(proj, folder / "out", radio=RADIO, report=False)
    return proj, result, folder / "out"


def test_one_site_two_hamlets_one_in_range_and_one_beyond(tiny):
    _, result, _ = tiny
    h = result.hamlets.set_index("hamlet_id")
    assert h.loc["H1", "broadband_share_people"] == 1.0 and h.loc["H1", "4g_share_area"] == 1.0
    assert h.loc["H1", "mobile_status"] == "covered" and h.loc["H1", "mobile_covered"]
    assert h.loc["H2", "broadband_share_people"] == 0.0 and h.loc["H2", "mobile_status"] == "not covered"
    assert h.loc["H1", "commune_name"] == "Xã Tây" and h.loc["H2", "district_name"] == "Huyện Nhỏ"
    assert h.loc["H2", "commune_2025_code"] == "98001"


def test_the_hamlet_beyond_range_is_one_dead_zone_8_km_from_the_site(tiny):
    _, result, _ = tiny
    z = result.dead_zones
    assert len(z) == 1
    row = z.iloc[0]
    assert row["hamlet_id"] == "H2" and row["commune_name"] == "Xã Đông"
    assert row["population"] == pytest.approx(2000.0) and row["households"] == pytest.approx(540.0)
    assert row["area_m2"] == 33 * 34 * 900.0
    assert row["nearest_site_Viettel"] == "S" and row["nearest_site_Viettel_km"] == pytest.approx(8.0, abs=1e-3)
    assert z.crs.to_epsg() == 4326


def test_ftth_reach_along_the_road_by_construction(tiny):
    _, result, _ = tiny
    h = result.hamlets.set_index("hamlet_id")
    # H1's pixel centres: drop = |x - 1000| along the road + |y + 1500| straight to it (the fibre point is on it)
    xs, ys = world.pixel_centres(world.H1_BOX)
    drop = np.abs(xs - world.FAP_XY[0]) + np.abs(ys - world.ROAD_Y)
    share = float(np.mean(drop <= 500.0))
    assert h.loc["H1", "ftth_share_households"] == pytest.approx(round(share, 4))
    assert h.loc["H1", "ftth_households_reachable"] == pytest.approx(round(270 * share, 1))
    assert h.loc["H2", "ftth_share_households"] == 0.0 and h.loc["H2", "ftth_status"] == "not covered"
    assert h.loc["H1", "ftth_status"] == ("covered" if share >= 0.8 else "partly covered")


def test_scorecard_at_every_level(tiny):
    _, result, _ = tiny
    k = result.kpis.set_index(["unit_code", "period", "indicator"])
    assert k.loc[("99", "pre2025", "hamlets_mobile_broadband"), "value"] == 0.5
    assert k.loc[("99", "pre2025", "hamlets_mobile_broadband"), "numerator"] == 1
    assert k.loc[("99", "pre2025", "hamlets_mobile_broadband"), "status"] == "not met"
    assert k.loc[("99001", "pre2025", "hamlets_mobile_broadband"), "status"] == "met"
    assert k.loc[("99002", "pre2025", "hamlets_mobile_broadband"), "value"] == 0.0
    assert k.loc[("98001", "post2025", "hamlets_mobile_broadband"), "value"] == 0.5
    assert k.loc[("990", "pre2025", "bts_site_sharing"), "value"] == 0.0  # one single-tenant site
    fixed = k.loc[("99", "pre2025", "fixed_mean_mbps")]
    assert fixed["status"] == "not assessed" and "speed measurements" in fixed["reason"]
    # no poles or ducts in the tiny world: not assessed, never zero
    pole = k.loc[("99", "pre2025", "pole_sharing")]
    assert pole["status"] == "not assessed" and "'poles'" in pole["reason"] and np.isnan(pole["value"])
    hh = k.loc[("99", "pre2025", "households_fibre")]
    assert hh["denominator"] == pytest.approx(810.0)


def test_the_rules_say_which_model_predicted_the_signal(tiny):
    _, result, _ = tiny
    # the tiny world predicts with free space (tests/coverage/world.py RADIO) at 50 % of locations
    assert result.stats["model_chain"] == "free space (ITU-R P.525)"
    assert result.rules()[0].endswith("at 50% of locations, predicted with free space (ITU-R P.525).")
    from coverage.assess.report import rules_text

    vi = rules_text(result.config, "vi", 0.5, result.stats["model_chain"])[0]
    assert vi.endswith(", dự báo bằng mô hình free space (ITU-R P.525).")


def test_outputs_are_written(tiny):
    _, result, out = tiny
    for name in ("hamlets.gpkg", "dead_zones.gpkg", "kpis.csv", "kpis.json", "hamlet_coverage.csv", "assessment.json"):
        assert (out / name).is_file(), name
    assert (out / "rasters" / "4G_any_rsrp_dbm.tif").is_file()
    assert (out / "rasters" / "population.tif").is_file()
    hamlets = gpd.read_file(out / "hamlets.gpkg")
    assert hamlets.crs.to_epsg() == 4326 and set(hamlets["mobile_status"]) == {"covered", "not covered"}
    kpis = pd.read_csv(out / "kpis.csv", dtype={"unit_code": str})
    assert len(kpis) == len(result.kpis)
    doc = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert any("95%" in rule for rule in doc["rules"])
    assert doc["kpis"][0]["unit_name"] == "Tỉnh Nhỏ"


def test_the_prediction_is_reused_only_when_inputs_are_the_same(tiny, tmp_path: Path):
    proj, _, out = tiny
    again = run_assessment(proj, out, radio=RADIO, report=False)
    assert again.stats["prediction"].startswith("reused")
    other = radio_config(overrides={**world.RADIO, "receiver": {"height_m": 2.0}})
    assert run_assessment(proj, tmp_path, radio=other, report=False).stats["prediction"] == "computed"


def test_without_roads_ftth_is_not_assessed_with_the_reason(tmp_path: Path):
    proj = world.project(tmp_path, drop=("roads",))
    result = run_assessment(proj, tmp_path / "out", radio=RADIO, report=False)
    k = result.kpis.set_index(["unit_code", "period", "indicator"])
    row = k.loc[("99", "pre2025", "hamlets_ftth")]
    assert row["status"] == "not assessed" and "'roads'" in row["reason"] and np.isnan(row["value"])
    assert set(result.hamlets["ftth_status"]) == {"not assessed"}


def test_without_hamlets_nothing_is_written(tmp_path: Path):
    proj = world.project(tmp_path, drop=("hamlets",))
    with pytest.raises(MissingLayerError, match="hamlets"):
        run_assessment(proj, tmp_path / "out", radio=RADIO, report=False)
    assert not (tmp_path / "out" / "kpis.csv").exists()


def test_settings_are_checked():
    with pytest.raises(CoverageError, match=r"hamlet\.covered_share"):
        assessment_config(overrides={"hamlet": {"covered_share": 1.5}})
    with pytest.raises(CoverageError, match=r"unknown setting 'mobile\.treshold'"):
        assessment_config(overrides={"mobile": {"treshold": {}}})
    cfg = assessment_config(overrides={"hamlet": {"covered_share": 0.9}})
    assert any("at least 90%" in r for r in cfg.rules())


def test_a_stricter_threshold_changes_the_answer(tiny, tmp_path: Path):
    proj, _, _ = tiny
    # -40 dBm is out of reach for the whole world: nothing is covered, both hamlets become dead zones
    cfg = assessment_config(overrides={"mobile": {"threshold": {"4G": {"rsrp_dbm": -40.0}}}})
    result = run_assessment(proj, tmp_path, config=cfg, radio=RADIO, report=False)
    assert set(result.hamlets["mobile_status"]) == {"not covered"}
    assert sorted(result.dead_zones["hamlet_id"]) == ["H1", "H2"]
