"""Profiles between two points of a project (coverage.radio.paths) and the path-loss command built on them."""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod
from typer.testing import CliRunner

import coverage
from coverage._errors import CoverageError, ExtentError
from coverage.cli import app
from coverage.radio.config import radio_config
from coverage.radio.outputs import inputs_fingerprint
from coverage.radio.p1812 import p1812_loss
from coverage.radio.paths import clutter_of_landcover, profile_between
from coverage.radio.profiles import P1812Profile, SG3Dataset, write_sg3_profile

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference" / "itu-r-p1812-6"
runner = CliRunner()


@pytest.fixture(scope="module")
def sample() -> coverage.Project:
    return coverage.read_sample()


@pytest.fixture(scope="module")
def ends(sample: coverage.Project) -> tuple[tuple[float, float], tuple[float, float]]:
    site = sample["sites"].geometry.iloc[0]
    return (site.x, site.y), (site.x + 0.025, site.y + 0.012)


def test_profile_follows_the_line_and_the_land_cover(sample: coverage.Project, ends) -> None:
    a, b = ends
    prof = profile_between(sample, a, b, res_m=30.0, delta_n=50.0, n0=370.0)
    length_m = Geod(ellps="WGS84").inv(a[0], a[1], b[0], b[1])[2]
    assert prof.length_km * 1000 == pytest.approx(length_m, rel=2e-3)  # UTM scale factor near the central meridian
    steps = np.diff(prof.distances_km) * 1000
    assert steps.max() <= 30.0 + 1e-9 and np.ptp(steps) < 1e-9  # evenly spaced, at most one pixel apart
    table = clutter_of_landcover()
    pairs = {(int(c), float(h)) for c, h in zip(prof.clutter_categories, prof.clutter_heights_m, strict=True)}
    assert pairs <= set(table.values())
    assert (prof.zones == 4).all() and prof.delta_n == 50.0 and prof.n0 == 370.0
    assert prof.heights_m.min() > -5 and prof.heights_m.max() < 30  # the delta's plain


def test_surface_model_adds_no_clutter_height(sample: coverage.Project, ends) -> None:
    dtm = profile_between(sample, *ends)
    dsm = profile_between(sample, *ends, dem_kind="dsm")
    assert (dsm.clutter_heights_m == 0).all() and (dtm.clutter_heights_m > 0).any()
    assert (dsm.clutter_categories == dtm.clutter_categories).all()
    with pytest.raises(CoverageError, match="dem_kind"):
        profile_between(sample, *ends, dem_kind="lidar")  # type: ignore[arg-type]


def test_profile_follows_the_projects_dem_kind(sample: coverage.Project, ends) -> None:
    dsm = dataclasses.replace(sample, dem_kind="dsm")
    assert (profile_between(dsm, *ends).clutter_heights_m == 0).all()
    assert (profile_between(dsm, *ends, dem_kind="dtm").clutter_heights_m > 0).any()  # an explicit kind wins


def test_a_prediction_of_a_dtm_is_not_reused_for_a_dsm(sample: coverage.Project) -> None:
    dsm = dataclasses.replace(sample, dem_kind="dsm")
    assert inputs_fingerprint(sample, {}, ["4G"]) != inputs_fingerprint(dsm, {}, ["4G"])


def _dsm_manifest(folder: Path) -> Path:
    """The sample province's manifest declaring its DEM a surface model (paths made absolute)."""
    src = coverage.layers.project.sample_manifest()
    doc = tomllib.loads(src.read_text("utf-8"))
    lines = ["[project]", 'name = "sample on a DSM"', 'dem_kind = "dsm"']
    for layer, entry in doc["layers"].items():
        lines += [f"[layers.{layer}]", f"path = {json.dumps(str(src.parent / entry['path']))}"]
    lines += ["[rasters]"] + [f"{k} = {json.dumps(str(src.parent / v))}" for k, v in doc["rasters"].items()]
    path = folder / "dsm.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_path_loss_command_on_a_dsm_project_adds_no_clutter(sample: coverage.Project, ends, tmp_path: Path) -> None:
    a, b = ends
    manifest = _dsm_manifest(tmp_path)
    args = ["path-loss", "--from", f"{a[0]},{a[1]}", "--to", f"{b[0]},{b[1]}", "--freq-mhz", "1800", "--htg", "35"]
    docs = {}
    for label, extra in {"sample": [], "dsm": [str(manifest)], "dsm as dtm": [str(manifest), "--dem-kind", "dtm"],
                         "sample as dsm": ["--dem-kind", "dsm"]}.items():  # fmt: skip
        res = runner.invoke(app, [*args, *extra, "--json"])
        assert res.exit_code == 0, res.output
        docs[label] = json.loads(res.output)
    clutter = {k: np.array(d["profile"]["clutter_height_m"]) for k, d in docs.items()}
    assert (clutter["dsm"] == 0).all() and (clutter["sample as dsm"] == 0).all()
    assert (clutter["sample"] > 0).any() and np.array_equal(clutter["sample"], clutter["dsm as dtm"])
    assert docs["dsm"]["profile"]["height_m"] == docs["sample"]["profile"]["height_m"]  # the same ground
    cfg = radio_config()["p1812"]
    prof = profile_between(sample, a, b, dem_kind="dsm", delta_n=cfg["delta_n"], n0=cfg["n0"], zone=cfg["zone"])
    direct = p1812_loss(prof, 1.8, cfg["time_percent"], 35.0, 1.5, pol=cfg["polarisation"])
    assert docs["dsm"]["predicted"]["lb_db"] == pytest.approx(direct.lb_db, abs=1e-9)


def test_missing_ground_is_an_error_not_sea_level(sample: coverage.Project, ends) -> None:
    a, _ = ends
    with pytest.raises(ExtentError, match="does not cover"):
        profile_between(sample, a, (a[0] + 1.5, a[1]))  # 160 km east, beyond the sample's DEM
    with pytest.raises(CoverageError, match="apart"):
        profile_between(sample, a, a)


def test_path_loss_command_on_two_points_matches_the_model(sample: coverage.Project, ends, tmp_path: Path) -> None:
    a, b = ends
    png = tmp_path / "p.png"
    res = runner.invoke(
        app,
        ["path-loss", "--from", f"{a[0]},{a[1]}", "--to", f"{b[0]},{b[1]}", "--freq-mhz", "1800", "--htg", "35",
         "--json", "--plot", str(png)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    cfg = radio_config()["p1812"]
    prof = profile_between(sample, a, b, delta_n=cfg["delta_n"], n0=cfg["n0"], zone=cfg["zone"])
    direct = p1812_loss(prof, 1.8, cfg["time_percent"], 35.0, 1.5, pol=cfg["polarisation"])
    assert doc["predicted"]["lb_db"] == pytest.approx(direct.lb_db, abs=1e-9)
    assert doc["predicted"]["lb_db"] >= doc["predicted"]["lbfs_db"] - 1e-9
    assert len(doc["profile"]["distance_km"]) == prof.n_points and png.stat().st_size > 10_000


def test_path_loss_command_on_a_written_sg3_file(tmp_path: Path) -> None:
    d = np.linspace(0.0, 12.0, 121)
    prof = P1812Profile(
        distances_km=d,
        heights_m=20.0 + 60.0 * np.exp(-(((d - 6.0) / 1.5) ** 2)),  # one hill in the middle
        clutter_categories=np.full(d.size, 2),
        clutter_heights_m=np.zeros(d.size),
        zones=np.full(d.size, 4),
        tx_lat_deg=10.0, tx_lon_deg=105.5, rx_lat_deg=10.0, rx_lon_deg=105.61, delta_n=45.0, n0=330.0, name="hill",
    )  # fmt: skip
    ds = SG3Dataset(freq_mhz=900.0, tx_height_m=30.0, rx_height_m=1.5, polarisation="vertical", time_percent=50.0)
    path = write_sg3_profile(tmp_path / "hill.csv", prof, datasets=[ds])
    res = runner.invoke(app, ["path-loss", "--profile", str(path), "--dataset", "1"])
    assert res.exit_code == 0, res.output
    direct = p1812_loss(prof, 0.9, 50.0, 30.0, 1.5, pol="vertical")
    assert direct.ld50_db > 10.0  # the hill diffracts
    assert f"{direct.lb_db:.2f}" in res.output and "trans-horizon" in res.output and "#" in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --profile FILE"),
        (["--from", "105.6,9.8"], "give --profile FILE"),
        (["--from", "105.6;9.8", "--to", "105.7,9.8"], "LON,LAT"),
        (["--from", "105.6,9.8", "--to", "105.62,9.8"], "--freq-mhz and --htg"),
        (["--from", "105.6,9.8", "--to", "105.62,9.8", "--dem-kind", "lidar"], "give one of dtm, dsm"),
        (["--profile", "x.csv", "--dem-kind", "dsm"], "--dem-kind applies to --from/--to"),
    ],
)
def test_path_loss_command_refuses_incomplete_requests(args: list[str], message: str) -> None:
    res = runner.invoke(app, ["path-loss", *args])
    assert res.exit_code == 2 and message in res.output.replace("\n", " ").replace("  ", " ")


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/reference/itu-r-p1812-6 is absent")
@pytest.mark.parametrize("dataset", [1, 2, 3])
def test_path_loss_command_reproduces_the_itu_reference(dataset: int) -> None:
    res = runner.invoke(
        app, ["path-loss", "--profile", str(REFERENCE / "validation_profiles" / "rburg.csv"), "--dataset", str(dataset)]
    )
    assert res.exit_code == 0, res.output
    diff = float(res.output.split("predicted here − file: ")[1].split(" dB")[0])
    assert math.isfinite(diff) and abs(diff) < 0.1
