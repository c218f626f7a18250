"""Layer validation: every layer rejects bad input with the source, row id and field named."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from coverage._errors import CoverageError, RepairWarning, ValidationError
from coverage.layers import validate as v
from coverage.layers.schemas import PROJECT_LAYERS, SCHEMAS, tenant_count, tenants_long
from tests.coverage.factories import NUMERIC_ABSURD, valid_frame, wrong_geometry

ALL_LAYERS = [*PROJECT_LAYERS, "hamlet_points"]
SPATIAL = [n for n in ALL_LAYERS if SCHEMAS[n].geometry]


def _errors(frame: pd.DataFrame, layer: str) -> list:
    return v.check_layer(frame, layer, source="test.geojson").errors


@pytest.mark.parametrize("layer", ALL_LAYERS)
def test_valid_frames_pass_unchanged_in_meaning(layer: str) -> None:
    frame = valid_frame(layer)
    clean = v.validate_layer(frame, layer, source="test.geojson")
    assert len(clean) == len(frame)
    assert list(clean.columns[: len(SCHEMAS[layer].fields)]) == [f.name for f in SCHEMAS[layer].fields]
    for f in SCHEMAS[layer].fields:
        expected = {"int": "Int64", "float": "float64"}.get(f.kind, "string")
        assert clean[f.name].dtype == expected, f.name
    if SCHEMAS[layer].geometry:
        assert clean.crs.to_epsg() == 4326


@pytest.mark.parametrize("layer", ALL_LAYERS)
def test_per_layer_function_exists_and_matches(layer: str) -> None:
    fn = getattr(v, f"validate_{layer}")
    expected = v.validate_layer(valid_frame(layer), layer)
    pd.testing.assert_frame_equal(pd.DataFrame(fn(valid_frame(layer))), pd.DataFrame(expected))


@pytest.mark.parametrize("layer", ALL_LAYERS)
def test_missing_required_column(layer: str) -> None:
    col = SCHEMAS[layer].required[-1]
    errs = _errors(valid_frame(layer).drop(columns=col), layer)
    assert any(e.field == col and "required column" in e.message and e.source == "test.geojson" for e in errs)
    with pytest.raises(ValidationError, match=f"test.geojson .*{col}"):
        v.validate_layer(valid_frame(layer).drop(columns=col), layer, source="test.geojson")


@pytest.mark.parametrize("layer", ALL_LAYERS)
def test_duplicate_ids(layer: str) -> None:
    frame = valid_frame(layer)
    idf = SCHEMAS[layer].id_field
    frame.loc[1, idf] = frame.loc[0, idf]
    if layer == "admin_units":
        frame.loc[1, "period"] = frame.loc[0, "period"]
    errs = _errors(frame, layer)
    dup = [e for e in errs if e.field == idf and "duplicate id" in e.message]
    assert len(dup) == 1 and dup[0].row_id == str(frame.loc[0, idf]) and "#1, #2" in dup[0].message


@pytest.mark.parametrize("layer", SPATIAL)
def test_wrong_geometry_type(layer: str) -> None:
    frame = valid_frame(layer)
    geoms = frame.geometry.to_numpy().copy()
    geoms[0] = wrong_geometry(layer)
    frame = frame.set_geometry(gpd.GeoSeries(geoms, crs=4326))
    errs = _errors(frame, layer)
    idv = str(frame.iloc[0][SCHEMAS[layer].id_field])
    assert any(e.row_id == idv and e.field == "geometry" and "expected" in e.message for e in errs)


@pytest.mark.parametrize("layer", [n for n in SPATIAL if SCHEMAS[n].geometry == ("Point",)])
def test_swapped_lon_lat_points(layer: str) -> None:
    frame = valid_frame(layer)
    frame = frame.set_geometry(gpd.GeoSeries(shapely.points(frame.geometry.y, frame.geometry.x), crs=4326))
    errs = _errors(frame, layer)
    assert len([e for e in errs if "swapped" in e.message and e.field == "geometry"]) == len(frame)


@pytest.mark.parametrize("layer", SPATIAL)
def test_outside_vietnam_rejected(layer: str) -> None:
    frame = valid_frame(layer)
    frame = frame.set_geometry(frame.geometry.translate(xoff=-100.0))  # somewhere near Africa
    errs = _errors(frame, layer)
    assert len([e for e in errs if "outside Vietnam" in e.message]) == len(frame)


@pytest.mark.parametrize(("layer", "spec"), NUMERIC_ABSURD.items())
def test_absurd_numbers(layer: str, spec: tuple[str, float]) -> None:
    field, value = spec
    frame = valid_frame(layer)
    frame[field] = [value] + [frame[field].iloc[1] if field in frame else None] * (len(frame) - 1)
    errs = _errors(frame, layer)
    rid = str(frame.iloc[0][SCHEMAS[layer].id_field])
    assert any(e.row_id == rid and e.field == field and ("below" in e.message or "above" in e.message) for e in errs)


def test_non_numeric_and_missing_values_named() -> None:
    frame = valid_frame("cells")
    frame["tx_power_dbm"] = frame["tx_power_dbm"].astype(object)
    frame.loc[0, "tx_power_dbm"] = "43 dBm"
    frame.loc[1, "band_mhz"] = np.nan
    errs = _errors(frame, "cells")
    assert {(e.row_id, e.field) for e in errs} == {("S1-A", "tx_power_dbm"), ("S2-A", "band_mhz")}
    assert any("'43 dBm' is not a number" in e.message for e in errs)


def test_empty_frame_rejected() -> None:
    errs = _errors(valid_frame("sites").iloc[0:0], "sites")
    assert len(errs) == 1 and "empty" in errs[0].message and errs[0].row_id is None


def test_no_crs_rejected() -> None:
    frame = valid_frame("sites").set_crs(None, allow_override=True)
    errs = _errors(frame, "sites")
    assert len(errs) == 1 and "no CRS" in errs[0].message


def test_projected_input_is_reprojected_and_noted() -> None:
    frame = valid_frame("sites").to_crs(32648)
    res = v.check_layer(frame, "sites")
    assert res.ok and any("reprojected from EPSG:32648" in n.message for n in res.notes)
    np.testing.assert_allclose(res.frame.geometry.x, valid_frame("sites").geometry.x, atol=1e-9)


def test_degrees_labelled_as_metres_detected() -> None:
    frame = valid_frame("sites").to_crs(32648).set_crs(4326, allow_override=True)
    assert all("projected metres" in e.message for e in _errors(frame, "sites"))


def test_bowtie_polygon_repaired_and_reported() -> None:
    frame = valid_frame("hamlets")
    bowtie = shapely.Polygon([(105.6, 9.8), (105.61, 9.81), (105.61, 9.8), (105.6, 9.81)])
    geoms = frame.geometry.to_numpy().copy()
    geoms[0] = bowtie
    frame = frame.set_geometry(gpd.GeoSeries(geoms, crs=4326))
    res = v.check_layer(frame, "hamlets")
    assert res.ok
    assert [n.row_id for n in res.notes] == ["H1"] and "Self-intersection" in res.notes[0].message
    assert res.frame.geometry.iloc[0].is_valid
    assert res.frame.geometry.iloc[0].area == pytest.approx(0.01 * 0.01 / 2)  # two triangles, quarter each
    with pytest.warns(RepairWarning, match="H1"):
        v.validate_hamlets(frame)


def test_collapsed_polygon_rejected_with_reason() -> None:
    frame = valid_frame("hamlets")
    geoms = frame.geometry.to_numpy().copy()
    geoms[1] = shapely.Polygon([(105.6, 9.8), (105.61, 9.8), (105.62, 9.8), (105.6, 9.8)])  # zero area
    frame = frame.set_geometry(gpd.GeoSeries(geoms, crs=4326))
    errs = _errors(frame, "hamlets")
    assert [(e.row_id, e.field) for e in errs] == [("H2", "geometry")]
    assert "cannot be repaired" in errs[0].message


def test_codes_read_as_floats_become_integer_strings() -> None:
    frame = valid_frame("admin_units")
    frame["population"] = frame["population"].astype(float)
    frame["unit_code"] = [99.0, 990.0, 99001.0, 99002.0, 199.0, 1001.0]
    frame["parent_code"] = [np.nan, 99.0, 990.0, 990.0, np.nan, 199.0]
    clean = v.validate_admin_units(frame)
    assert list(clean["unit_code"]) == ["99", "990", "99001", "99002", "199", "1001"]
    assert clean["parent_code"].isna().sum() == 2


def test_vietnamese_names_normalised_to_nfc() -> None:
    frame = valid_frame("hamlets")
    import unicodedata

    frame.loc[0, "name"] = unicodedata.normalize("NFD", "Ấp Phước Thạnh")
    clean = v.validate_hamlets(frame)
    assert clean.loc[0, "name"] == unicodedata.normalize("NFC", "Ấp Phước Thạnh")


def test_operator_aliases_and_tenants_canonicalised() -> None:
    frame = valid_frame("sites")
    frame["tenants"] = ["vinaphone, viettel ,VIETTEL", ["MobiFone", "vnm"]]
    clean = v.validate_sites(frame)
    assert list(clean["tenants"]) == ["Viettel;VNPT", "MobiFone;Vietnamobile"]
    frame["tenants"] = ["Viettel;Acme", "VNPT"]
    errs = _errors(frame, "sites")
    assert [(e.row_id, e.field) for e in errs] == [("S1", "tenants")] and "Acme" in errs[0].message


def test_enum_case_insensitive_and_unknown_rejected() -> None:
    frame = valid_frame("cells")
    frame["technology"] = ["4g", "6G"]
    errs = _errors(frame, "cells")
    assert [(e.row_id, e.field) for e in errs] == [("S2-A", "technology")] and "'6G'" in errs[0].message


def test_admin_hierarchy_rules() -> None:
    frame = valid_frame("admin_units")
    frame.loc[3, "parent_code"] = "99"  # a commune whose parent is a province
    frame.loc[5, "level"] = "district"  # a post-2025 district
    errs = _errors(frame, "admin_units")
    msgs = {(e.row_id, e.field): e.message for e in errs}
    assert "expected a district" in msgs[("99002", "parent_code")]
    assert "abolished" in msgs[("N001", "level")]


def test_same_code_allowed_in_both_periods() -> None:
    frame = valid_frame("admin_units")
    frame.loc[5, "unit_code"] = "99001"  # new commune keeps an old code
    assert v.check_layer(frame, "admin_units").ok


def test_mapping_shares_must_sum_to_one() -> None:
    frame = pd.DataFrame({"old_code": ["A", "A", "B"], "new_code": ["X", "Y", "X"], "area_share": [0.6, 0.3, 1.0]})
    errs = _errors(frame, "commune_mapping")
    assert [(e.row_id, e.field) for e in errs] == [("A", "area_share")] and "0.900" in errs[0].message


def test_fractional_population_estimate_rounded_with_note_but_ports_rejected() -> None:
    frame = valid_frame("hamlets")
    frame["population"] = [1000.4, 2000.6]
    res = v.check_layer(frame, "hamlets")
    assert res.ok and list(res.frame["population"]) == [1000, 2001] and len(res.notes) == 2
    faps = valid_frame("fibre_points")
    faps["free_ports"] = [1.5, 2]
    assert [(e.row_id, e.field) for e in _errors(faps, "fibre_points")] == [("F1", "free_ports")]


def test_missing_id_reported_by_row_number() -> None:
    frame = valid_frame("roads")
    frame.loc[1, "road_id"] = None
    errs = _errors(frame, "roads")
    assert [(e.row_id, e.field) for e in errs] == [("#2", "road_id")]


def test_errors_are_gathered_then_raised_once() -> None:
    frame = valid_frame("sites")
    frame["mast_height_m"] = [-1.0, 900.0]
    frame["owner"] = [None, "x"]
    with pytest.raises(ValidationError) as info:
        v.validate_sites(frame, source="sites.csv")
    assert len(info.value.problems) == 3
    assert isinstance(info.value, ValueError) and isinstance(info.value, CoverageError)
    assert "sites.csv [sites] row 'S1' field 'owner'" in str(info.value)


def test_drop_bad_rows_keeps_the_rest() -> None:
    frame = valid_frame("sites")
    frame.loc[0, "mast_height_m"] = -1.0
    res = v.check_layer(frame, "sites")
    kept, dropped = v.drop_bad_rows(frame, res, "sites")
    assert list(kept["site_id"]) == ["S2"] and [d.row_id for d in dropped] == ["S1"]


def test_cross_layer_checks() -> None:
    sites = v.validate_sites(valid_frame("sites"))
    cells = valid_frame("cells")
    cells.loc[1, "operator"] = "MobiFone"  # not a tenant of S2
    cells.loc[0, "antenna_height_m"] = 60.0  # above the 40 m mast
    extra = cells.iloc[[0]].assign(cell_id="X-1", site_id="NOPE", antenna_height_m=30.0)
    cells = v.validate_cells(pd.concat([cells, extra], ignore_index=True))
    got = {(p.row_id, p.field) for p in v.check_project_layers({"sites": sites, "cells": cells})}
    assert got == {("S2-A", "operator"), ("S1-A", "antenna_height_m"), ("X-1", "site_id")}


def test_cross_layer_hamlet_outside_commune() -> None:
    units = v.validate_admin_units(valid_frame("admin_units"))
    hamlets = valid_frame("hamlets")
    hamlets.loc[0, "commune_code"] = "99002"  # H1 lies in 99001, about 1.1 km away
    hamlets.loc[1, "commune_code"] = "77777"
    probs = v.check_project_layers({"admin_units": units, "hamlets": v.validate_hamlets(hamlets)})
    msgs = {p.row_id: p.message for p in probs}
    assert "outside its commune '99002'" in msgs["H1"] and "not a pre2025 commune" in msgs["H2"]


def test_tenant_helpers() -> None:
    sites = v.validate_sites(valid_frame("sites"))
    assert list(tenant_count(sites["tenants"])) == [2, 1]
    long = tenants_long(sites, "site_id")
    assert long.to_dict("list") == {"site_id": ["S1", "S1", "S2"], "operator": ["Viettel", "VNPT", "VNPT"]}
    poles = v.validate_poles(valid_frame("poles"))
    # one line of pandas: share of poles carrying two or more operators
    assert poles["tenants"].str.count(";").ge(1).mean() == 0.5


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["Viettel", "viettel", "VNPT", "Vinaphone", "MobiFone", "vnm", "FPT"]), max_size=6))
def test_tenants_canonical_form_is_idempotent(names: list[str]) -> None:
    once = v._canonical_tenants(";".join(names))[0]
    again = v._canonical_tenants(once)[0]
    assert once == again
    parts = once.split(";") if once else []
    assert parts == sorted(set(parts), key=str.casefold)


def test_skip_works_beyond_the_reported_row_cap() -> None:
    # more bad rows than MAX_ROW_PROBLEMS_PER_FIELD: the "... and N more" line is not a whole-file error
    n = v.MAX_ROW_PROBLEMS_PER_FIELD + 50
    frame = pd.concat([valid_frame("roads")] * (n // 2 + 1), ignore_index=True)
    frame["road_id"] = [f"R{i}" for i in range(len(frame))]
    frame.loc[: n - 1, "road_class"] = "autobahn"
    res = v.check_layer(frame, "roads")
    assert len(res.errors) == v.MAX_ROW_PROBLEMS_PER_FIELD + 1 and res.row_errors_only
    kept, _ = v.drop_bad_rows(frame, res, "roads")
    assert len(kept) == len(frame) - n


def test_file_level_error_cannot_be_skipped() -> None:
    res = v.check_layer(valid_frame("sites").drop(columns="owner").assign(mast_height_m=[-1.0, 40.0]), "sites")
    assert not res.row_errors_only
    with pytest.raises(ValidationError, match="required column 'owner'"):
        v.drop_bad_rows(valid_frame("sites"), res, "sites")


def test_hamlets_without_any_pre2025_commune_reported() -> None:
    units = v.validate_admin_units(valid_frame("admin_units"))
    probs = v.check_project_layers(
        {"admin_units": units[units["period"] == "post2025"], "hamlets": v.validate_hamlets(valid_frame("hamlets"))}
    )
    assert [(p.layer, p.field) for p in probs] == [("hamlets", "commune_code")]
