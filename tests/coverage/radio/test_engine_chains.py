"""Model chains of the raster engine: P.1812 per pixel against the point-to-point function, and no double counting."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import Transformer

from coverage import DoubleCountingWarning
from coverage._errors import CoverageError
from coverage.layers.project import project_from_frames
from coverage.radio.config import radio_config
from coverage.radio.engine import predict
from coverage.radio.p1812 import location_variability_sigma_db, p1812_loss
from coverage.radio.paths import profile_between
from coverage.radio.propagation import shadowing_margin_db
from tests.coverage.radio.test_engine import GRID, RES, ROW_Y, UTM, X0, Y0, _sites_cells, _write_raster

P1812_CONFIG = {
    "model": {"name": "p1812", "max_radius_m": 3000.0, "rsrp_floor_dbm": -200.0},
    "shadowing": {"location_probability": 0.5},
    "transmitter": {"feeder_loss_db": 0.5},
}
P_DBM = 43.0 - 10 * math.log10(1200) + 17.0 - 0.5
"""Power per RE + peak gain - feeder loss of the test cells (see test_engine._rsrp_by_hand), dBm."""


def _hill_project(tmp_path: Path, orchard_cols: tuple[int, int] = (11, 14), dem_kind: str = "dtm"):
    """Sites A (x0 + 50 m) and B (x0 + 2050 m) of test_engine; a 40 m hill at 1.25 km; orchard over some columns."""
    rows, cols = np.mgrid[0:60, 0:80]
    x = X0 - 2000.0 + (cols + 0.5) * 100.0
    y = Y0 + 2000.0 - (rows + 0.5) * 100.0
    dem = (40.0 * np.exp(-(((x - X0 - 1250.0) / 300.0) ** 2) - ((y - ROW_Y) / 2000.0) ** 2)).astype("float32")
    lc = np.full((60, 80), 2, dtype="uint8")  # rice paddy: open, no clutter height
    lc[:, 20 + orchard_cols[0] : 20 + orchard_cols[1]] = 3  # orchard, 10 m (grid column c is raster column c + 20)
    sites, cells = _sites_cells()
    rasters = {
        "dem": _write_raster(tmp_path / "dem.tif", dem, -9999.0),
        "landcover": _write_raster(tmp_path / "landcover.tif", lc, 0),
    }
    return project_from_frames("hill", {"sites": sites, "cells": cells}, rasters, dem_kind=dem_kind)


def _lonlat(x: float, y: float) -> tuple[float, float]:
    return Transformer.from_crs(UTM, 4326, always_xy=True).transform(x, y)


def _p1812_rsrp_by_hand(project, site_x: float, col: int) -> float:
    """RSRP of the cell at ``site_x`` (facing the pixel) at pixel (2, col): P.1812 on the exact path, 1800 MHz."""
    px = X0 + (col + 0.5) * RES
    prof = profile_between(project, _lonlat(site_x, ROW_Y), _lonlat(px, ROW_Y), res_m=RES, delta_n=50.0, n0=370.0)
    lb = p1812_loss(prof, 1.8, 50.0, 30.0, 1.5, pol="vertical", delta_n=50.0, n0=370.0).lb_db
    d = abs(px - site_x)
    # elevation from the antenna (site ground + 30 m) down to the receiver (pixel ground + 1.5 m)
    theta = math.degrees(math.atan2(prof.heights_m[0] + 30.0 - prof.heights_m[-1] - 1.5, d))
    return P_DBM - 12 * (theta / 10.0) ** 2 - lb


def _read(path: Path) -> np.ndarray:
    with rasterio.open(path) as ds:
        return ds.read(1)


def test_p1812_chain_gives_each_pixel_the_loss_of_its_own_path(tmp_path):
    project = _hill_project(tmp_path)
    result = predict(project, tmp_path / "out", technologies=["4G"], config=radio_config(overrides=P1812_CONFIG),
                     grid=GRID)  # fmt: skip
    rsrp = _read(result.path("4G", "Viettel", "rsrp_dbm"))
    xa, xb = X0 + 50.0, X0 + 2050.0
    for col in (4, 6, 10, 13, 16):  # row 2 between the masts facing each other, >= 0.25 km from both, hill at 12
        expected = max(_p1812_rsrp_by_hand(project, xa, col), _p1812_rsrp_by_hand(project, xb, col))
        assert rsrp[2, col] == pytest.approx(expected, abs=0.3), col
    # behind the hill and the orchard B serves pixel 5 with a loss P.1812 puts far above free space
    fspl_b = 20 * math.log10(4 * math.pi * 1500.0 * 1.8e9 / 299_792_458.0)
    assert P_DBM - _p1812_rsrp_by_hand(project, xb, 5) > fspl_b + 10.0


def test_on_a_surface_model_the_clutter_heights_are_not_added_again(tmp_path):
    cfg = radio_config(overrides=P1812_CONFIG)
    runs = {}
    for kind in ("dtm", "dsm"):
        (tmp_path / kind).mkdir()
        project = _hill_project(tmp_path / kind, orchard_cols=(6, 9), dem_kind=kind)
        runs[kind] = _read(predict(project, tmp_path / kind / "out", technologies=["4G"], config=cfg, grid=GRID)
                           .path("4G", "Viettel", "rsrp_dbm"))  # fmt: skip
        # the engine draws the path as profile_between does for that project: DSM -> no clutter height
        assert runs[kind][2, 7] == pytest.approx(
            max(_p1812_rsrp_by_hand(project, X0 + 50.0, 7), _p1812_rsrp_by_hand(project, X0 + 2050.0, 7)), abs=0.3
        )
    # in the orchard (cols 6-8) the DTM adds its 10 m trees: a much weaker signal than on the DSM, which holds them
    assert runs["dtm"][2, 7] < runs["dsm"][2, 7] - 10.0
    # on open paddy before the orchard, nothing changes
    assert runs["dtm"][2, 4] == pytest.approx(runs["dsm"][2, 4], abs=0.05)


def test_p1812_chain_location_margin_is_sigma_l_of_the_pixel(tmp_path):
    project = _hill_project(tmp_path, orchard_cols=(3, 6))
    median = predict(project, tmp_path / "a", technologies=["4G"], config=radio_config(overrides=P1812_CONFIG),
                     grid=GRID)  # fmt: skip
    cfg90 = radio_config(overrides={**P1812_CONFIG, "shadowing": {"location_probability": 0.9, "sigma_db": 8.0}})
    at90 = predict(project, tmp_path / "b", technologies=["4G"], config=cfg90, grid=GRID)
    drop = _read(median.path("4G", "Viettel", "rsrp_dbm")) - _read(at90.path("4G", "Viettel", "rsrp_dbm"))
    z = shadowing_margin_db(0.9, 1.0)
    # P.1812-6 §4.7: sigma_L for 1.8 GHz, 100 m pixels, a 1.5 m receiver in open ground or in 10 m orchard;
    # the 8 dB shadowing sigma of the statistical models is not used
    open_sigma = location_variability_sigma_db(1.8, RES, 1.5, 0.0)
    orchard_sigma = location_variability_sigma_db(1.8, RES, 1.5, 10.0)
    assert drop[2, 10] == pytest.approx(open_sigma * z, abs=1e-3)
    assert drop[2, 4] == pytest.approx(orchard_sigma * z, abs=1e-3)
    assert drop.max() < 8.0 * z / 2


def test_default_chain_is_p1812_at_50_percent_of_time_with_nothing_on_top():
    s = radio_config().settings
    assert s["model"]["name"] == "p1812"
    assert s["p1812"]["time_percent"] == 50.0
    assert s["terrain"]["method"] == "none"
    assert s["clutter"]["enabled"] is False
    assert s["chains"]["p1812"]["includes"] == ["terrain", "terminal_clutter", "location_variability"]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"model": {"name": "tr38901_rma"}, "terrain": {"method": "bullington"}},
         r"model 'tr38901_rma' already contains terrain and terminal_clutter .*terrain.method = 'bullington' adds"),
        ({"model": {"name": "tr38901_rma"}, "clutter": {"enabled": True}},
         r"clutter.enabled = true adds ITU-R P.2108 receiver clutter loss on top, which counts that loss twice"),
        ({"model": {"name": "p1812"}, "terrain": {"method": "deygout"}},
         r"model 'p1812' already contains terrain, terminal_clutter and location_variability|model 'p1812' already"),
        ({"model": {"name": "hata"}, "terrain": {"method": "bullington"}, "clutter": {"enabled": True}},
         r"adds terrain diffraction and clutter.enabled = true adds"),
    ],
)  # fmt: skip
def test_a_chain_counting_a_loss_twice_is_refused_with_the_reason(overrides, reason):
    with pytest.raises(CoverageError, match=reason):
        radio_config(overrides=overrides)


def test_the_former_default_chain_runs_only_when_forced_and_warns():
    old = {"model": {"name": "tr38901_rma"}, "terrain": {"method": "bullington"}, "clutter": {"enabled": True}}
    with pytest.warns(DoubleCountingWarning, match="counts that loss twice"):
        cfg = radio_config(overrides={**old, "chain": {"allow_double_counting": True}})
    assert cfg["model"]["name"] == "tr38901_rma"


def test_chains_without_double_counting_are_accepted_silently():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        radio_config(overrides={"model": {"name": "fspl"}, "terrain": {"method": "bullington"},
                                "clutter": {"enabled": True}})  # fmt: skip
        radio_config(overrides={"model": {"name": "tr38901_rma"}})
    with pytest.raises(CoverageError, match=r"model\.name 'itm' is not a known chain"):
        radio_config(overrides={"model": {"name": "itm"}})
