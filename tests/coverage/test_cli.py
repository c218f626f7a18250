"""The coverage-planner CLI: verdicts and exit codes, and nothing written on bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import rasterio
from typer.testing import CliRunner

from coverage.cli import app
from coverage.radio.outputs import NODATA, QUANTITIES

from .factories import valid_frame

runner = CliRunner()


def test_validate_good_and_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "sites.geojson"
    valid_frame("sites").to_file(good)
    res = runner.invoke(app, ["validate", str(good)])
    assert res.exit_code == 0, res.output
    assert "2 row(s) checked as layer sites" in res.output and "valid" in res.output
    bad = tmp_path / "bad_sites.geojson"
    valid_frame("sites").assign(mast_height_m=[-3.0, 999.0]).to_file(bad)
    res = runner.invoke(app, ["validate", str(bad), "--layer", "sites"])
    assert res.exit_code == 1
    assert "row 'S1' field 'mast_height_m'" in res.output and "row 'S2' field 'mast_height_m'" in res.output


def test_validate_csv_with_mapping(tmp_path: Path) -> None:
    path = tmp_path / "faps.csv"
    g = valid_frame("fibre_points")
    pd.DataFrame(g.drop(columns="geometry")).rename(columns={"free_ports": "CONG_TRONG"}).assign(
        lon=g.geometry.x, lat=g.geometry.y
    ).to_csv(path, index=False)
    res = runner.invoke(app, ["validate", str(path), "--layer", "fibre_points", "--map", "free_ports=CONG_TRONG"])
    assert res.exit_code == 0, res.output


def test_import_writes_nothing_on_error(tmp_path: Path) -> None:
    bad = tmp_path / "roads.geojson"
    roads = valid_frame("roads")
    roads.loc[0, "road_class"] = "autobahn"
    roads.to_file(bad)
    out = tmp_path / "out.gpkg"
    res = runner.invoke(app, ["import", "roads", str(bad), "--out", str(out)])
    assert res.exit_code == 1 and "'autobahn' is not one of" in res.output
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["roads.geojson"]
    res = runner.invoke(app, ["import", "roads", str(bad), "--out", str(out), "--skip-invalid"])
    assert res.exit_code == 0 and "row skipped" in res.output and "Wrote 1 roads" in res.output


def test_import_adds_layers_to_one_gpkg(tmp_path: Path) -> None:
    out = tmp_path / "project.gpkg"
    for layer in ("sites", "roads"):
        src = tmp_path / f"{layer}.geojson"
        valid_frame(layer).to_file(src)
        assert runner.invoke(app, ["import", layer, str(src), "--out", str(out)]).exit_code == 0
    import pyogrio

    assert sorted(str(n) for n, _ in pyogrio.list_layers(out)) == ["roads", "sites"]


def test_import_unknown_kind_is_usage_error(tmp_path: Path) -> None:
    src = tmp_path / "x.geojson"
    valid_frame("sites").to_file(src)
    res = runner.invoke(app, ["import", "towers", str(src), "--out", str(tmp_path / "o.gpkg")])
    assert res.exit_code == 2 and "towers" in res.output


def test_schema_and_presets_commands() -> None:
    res = runner.invoke(app, ["schema", "cells"])
    assert res.exit_code == 0 and "tx_power_dbm" in res.output and "dBm" in res.output
    res = runner.invoke(app, ["presets"])
    assert res.exit_code == 0 and "census2009_communes" in res.output


def test_summary_on_the_sample_province(tmp_path: Path) -> None:
    res = runner.invoke(app, ["summary", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "Tỉnh Mẫu" in res.output and "Valid project" in res.output and "EPSG:32648" in res.output
    import pyogrio

    layers = {str(n) for n, _ in pyogrio.list_layers(tmp_path / "sample_province.gpkg")}
    assert {"admin_units", "hamlets", "sites", "cells", "poles", "ducts", "fibre_points", "roads"} <= layers
    assert (tmp_path / "sample_province_rasters" / "dem.tif").exists()


def test_validate_bad_project_exits_1(tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text('[layers.sites]\npath = "nowhere.geojson"\n')
    res = runner.invoke(app, ["validate", str(tmp_path / "p.toml")])
    assert res.exit_code == 1 and "nowhere.geojson: no such file" in res.output


def test_predict_on_the_sample_writes_cogs_for_one_operator(tmp_path: Path) -> None:
    out = tmp_path / "pred"
    res = runner.invoke(app, ["predict", "--tech", "5G", "--operator", "MobiFone", "--res", "90", "--out", str(out)])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.glob("*.tif"))
    expected = [f"5G_{op}_{q}.tif" for op in ("MobiFone", "any") for q in QUANTITIES]
    assert names == sorted(expected)
    with rasterio.open(out / "5G_MobiFone_rsrp_dbm.tif") as ds:
        assert ds.crs.to_epsg() == 32648 and ds.res == (90.0, 90.0) and ds.nodata == NODATA
        rsrp = ds.read(1, masked=True)
    with rasterio.open(out / "5G_any_rsrp_dbm.tif") as ds:
        same = ds.read(1, masked=True)
    assert rsrp.count() > 0 and (rsrp == same).all()  # one operator: "any" is that operator
    assert "MobiFone" in res.output and "Wrote 8 rasters" in res.output


def test_predict_rejects_unknown_operator_and_technology(tmp_path: Path) -> None:
    res = runner.invoke(app, ["predict", "--tech", "6G", "--out", str(tmp_path)])
    assert res.exit_code != 0 and "6G: use 4G or 5G" in res.output
    res = runner.invoke(app, ["predict", "--operator", "Gmobile", "--out", str(tmp_path / "x")])
    assert res.exit_code == 1 and "Gmobile have no cells" in res.output
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").glob("*.tif"))


TINY_RADIO = """
[model]
name = "fspl"
max_radius_m = 5000.0
rsrp_floor_dbm = -200.0
[model.rural]
[model.urban]
[terrain]
method = "none"
[clutter]
enabled = false
[shadowing]
location_probability = 0.5
"""


def _tiny_project(tmp_path: Path, drop: tuple[str, ...] = ()) -> tuple[Path, Path]:
    from tests.coverage import world

    path = world.project(tmp_path, drop=drop).to_gpkg(tmp_path / "tiny.gpkg")
    radio = tmp_path / "radio.toml"
    radio.write_text(TINY_RADIO, encoding="utf-8")
    return path, radio


def test_assess_writes_every_output_and_prints_the_scorecard(tmp_path: Path) -> None:
    project, radio = _tiny_project(tmp_path)
    out = tmp_path / "out"
    res = runner.invoke(app, ["assess", str(project), "--out", str(out), "--radio", str(radio), "--lang", "en"])
    assert res.exit_code == 0, res.output
    for name in ("hamlets.gpkg", "dead_zones.gpkg", "kpis.csv", "kpis.json", "report.html", "assessment.json"):
        assert (out / name).is_file(), name
    assert (out / "rasters" / "4G_Viettel_rsrp_dbm.tif").is_file()
    assert "50.0% (1 of 2" in res.output
    assert "1 of 2 covered by mobile broadband" in res.output and "1 dead zone(s)" in res.output
    assert "at least 95% of its people" in res.output  # the rule is printed with the figures
    again = runner.invoke(app, ["assess", str(project), "--out", str(out), "--radio", str(radio), "--lang", "en"])
    assert again.exit_code == 0 and "Prediction reused" in again.output


def test_assess_with_a_bad_plan_names_the_file_and_field_and_writes_nothing(tmp_path: Path) -> None:
    project, radio = _tiny_project(tmp_path)
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[plan]\nname = "p"\nprovince = "x"\nperiod = "2025"\nyear = 2025\n'
        '[[indicator]]\nid = "hamlets_wifi"\nlabel_en = "a"\nlabel_vi = "b"\ntarget = "all"\nunit = "share"\n'
        'direction = "at_least"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    res = runner.invoke(app, ["assess", str(project), "--out", str(out), "--radio", str(radio), "--plan", str(plan)])
    assert res.exit_code == 1
    assert "plan.toml" in res.output and "hamlets_wifi" in res.output and "target" in res.output
    assert not (out / "kpis.csv").exists()


def test_assess_without_roads_reports_ftth_not_assessed(tmp_path: Path) -> None:
    project, radio = _tiny_project(tmp_path, drop=("roads",))
    out = tmp_path / "out"
    res = runner.invoke(app, ["assess", str(project), "--out", str(out), "--radio", str(radio), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "not assessed" in res.output and "'roads'" in res.output
    kpis = pd.read_csv(out / "kpis.csv", dtype={"unit_code": str})
    row = kpis[(kpis.unit_code == "99") & (kpis.indicator == "hamlets_ftth")].iloc[0]
    assert row["status"] == "not assessed" and "'roads'" in row["reason"] and pd.isna(row["value"])


def test_assess_rejects_an_unknown_language(tmp_path: Path) -> None:
    res = runner.invoke(app, ["assess", "--lang", "fr", "--out", str(tmp_path)])
    assert res.exit_code != 0 and "use vi or en" in res.output


def test_plan_ranks_sites_and_verifies_them(tmp_path: Path) -> None:
    project, radio = _tiny_project(tmp_path)
    out = tmp_path / "plan"
    args = ["plan", str(project), "--operator", "VNPT", "--tech", "4G", "--sites", "2", "--radio", str(radio)]
    res = runner.invoke(app, [*args, "--out", str(out)])
    assert res.exit_code == 0, res.output
    for name in ("sites_ranked.gpkg", "sites_ranked.csv", "sites_ranked.geojson", "plan.json"):
        assert (out / name).is_file(), name
    ranked = pd.read_csv(out / "sites_ranked.csv")
    assert ranked["rank"].tolist() == [1, 2] and ranked["people_gained"].sum() == 3000
    assert "colocation" in set(ranked["build"])  # mast S shared rather than a new mast near H1
    # the plan brings both hamlets to covered: 50 % -> 100 %, by the estimate and by the radio engine
    assert "hamlets_mobile_broadband: 50.0% -> estimate 100.0%, engine 100.0%" in _text(res.output)


def _text(output: str) -> str:
    """CLI output with rich's boxes and line wraps removed."""
    return " ".join(output.replace("│", " ").split())


def test_plan_rejects_bad_requests_and_writes_nothing(tmp_path: Path) -> None:
    project, _ = _tiny_project(tmp_path)
    out = tmp_path / "plan"
    res = runner.invoke(app, ["plan", str(project), "--operator", "VNPT", "--target", "150%", "--out", str(out)])
    assert res.exit_code != 0 and "at most 100%" in _text(res.output)
    res = runner.invoke(app, ["plan", str(project), "--operator", "Gmobile", "--sites", "1", "--out", str(out)])
    assert res.exit_code == 1 and "unknown mobile operator 'Gmobile'" in _text(res.output)
    res = runner.invoke(
        app, ["plan", str(project), "--operator", "VNPT", "--sites", "1", "--area", "12345", "--out", str(out)]
    )
    assert res.exit_code == 1 and "area '12345' names no district or commune" in res.output
    assert not out.exists()  # refused before anything was computed or written
    res = runner.invoke(app, ["plan", str(project), "--operator", "VNPT", "--out", str(out)])
    assert res.exit_code != 0 and "--sites K or --target" in _text(res.output)


def test_fibre_extensions_on_the_tiny_world(tmp_path: Path) -> None:
    project, _ = _tiny_project(tmp_path)
    out = tmp_path / "fibre"
    res = runner.invoke(app, ["fibre", str(project), "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = pd.read_csv(out / "fibre_extensions.csv")
    # H2 lacks FTTH: its access point lies on the road about 8.5 km from the fibre point at x = 1 km
    h2 = rows.set_index("hamlet_id").loc["H2"]
    assert 8000 < h2["branch_length_m"] < 9000 and h2["trench_m"] == h2["branch_length_m"]  # no poles, no ducts
    assert (out / "fibre_extensions.gpkg").is_file() and (out / "fibre_total.json").is_file()
    assert "placeholders" in _text(res.output)
