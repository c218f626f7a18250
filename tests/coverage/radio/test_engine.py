"""Raster engine: a tiny two-cell grid whose best server, RSRP and SINR are worked by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pyproj import CRS, Transformer

from coverage import ExtentError
from coverage._errors import CoverageError, ExtrapolationWarning, ValidityRangeError
from coverage.layers.project import project_from_frames
from coverage.radio._engine_kernels import _atan2
from coverage.radio.antennas import read_msi
from coverage.radio.config import radio_config
from coverage.radio.engine import predict
from coverage.radio.grid import Grid
from coverage.radio.outputs import NODATA

UTM = CRS.from_epsg(32648)
X0, Y0 = 580_000.0, 1_080_000.0  # grid corner, near 105.73 E 9.77 N
RES = 100.0
ROW_Y = Y0 - 250.0  # centre of grid row 2
C = 299_792_458.0


CELL = {
    "operator": "Viettel",
    "technology": "4G",
    "band_mhz": 1800.0,
    "bandwidth_mhz": 20.0,
    "mech_tilt_deg": 0.0,
    "elec_tilt_deg": 0.0,
    "antenna_height_m": 30.0,
    "antenna_gain_dbi": 17.0,
    "hbw_deg": 65.0,
    "vbw_deg": 10.0,
    "tx_power_dbm": 43.0,
}
"""A 4G 1800 MHz cell: 43 dBm, 17 dBi, 65 x 10 degree beam, no tilt, 30 m above ground."""


def _sites_cells(extra_cells: list[dict] | None = None) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    to_geo = Transformer.from_crs(UTM, 4326, always_xy=True)
    xa, ya = to_geo.transform(X0 + 50.0, ROW_Y)
    xb, yb = to_geo.transform(X0 + 2050.0, ROW_Y)
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["A", "B"],
            "owner": ["Viettel", "Viettel"],
            "tenants": ["VNPT;Viettel", "Viettel"],
            "mast_height_m": [31.0, 31.0],
        },
        geometry=[shapely.Point(xa, ya), shapely.Point(xb, yb)],
        crs=4326,
    )
    rows = [
        {**CELL, "cell_id": "A1", "site_id": "A", "azimuth_deg": 90.0},  # faces east, towards B
        {**CELL, "cell_id": "B1", "site_id": "B", "azimuth_deg": 270.0},  # faces west, towards A
    ]
    rows += extra_cells or []
    return sites, pd.DataFrame(rows)


def _write_raster(path: Path, data: np.ndarray, nodata: float) -> Path:
    """A raster in UTM 48N with 100 m pixels whose outer corner is 2 km beyond the grid's (x0, y0)."""
    with rasterio.open(
        path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1, dtype=data.dtype,
        nodata=nodata, crs=UTM.to_wkt(), transform=Affine(100.0, 0, X0 - 2000.0, 0, -100.0, Y0 + 2000.0),
    ) as ds:  # fmt: skip
        ds.write(data, 1)
    return path


def _flat_dem(folder: Path, height_m: float = 0.0) -> Path:
    return _write_raster(folder / "dem.tif", np.full((60, 80), height_m, dtype="float32"), -9999.0)


def _project(tmp_path: Path, extra_cells: list[dict] | None = None):
    sites, cells = _sites_cells(extra_cells)
    return project_from_frames("two cells", {"sites": sites, "cells": cells}, {"dem": _flat_dem(tmp_path)})


HAND_CONFIG = {
    "model": {"name": "fspl", "rural": {}, "urban": {}, "max_radius_m": 3000.0, "rsrp_floor_dbm": -200.0},
    "terrain": {"method": "none"},
    "clutter": {"enabled": False},
    "shadowing": {"location_probability": 0.5},  # median: no margin
    "transmitter": {"feeder_loss_db": 0.5},
}
GRID = Grid(UTM, X0, Y0, RES, 30, 5)


def _read(path: Path) -> np.ndarray:
    with rasterio.open(path) as ds:
        return ds.read(1)


def _fspl_db(dist_m: float, freq_mhz: float) -> float:
    return 20 * math.log10(4 * math.pi * dist_m * freq_mhz * 1e6 / C)


def _rsrp_by_hand(dist_m: float) -> float:
    # power per RE: 43 dBm over 12 x 100 RB (20 MHz LTE) -> 43 - 10 log10(1200) = 43 - 30.792 = 12.208 dBm
    # + 17 dBi peak gain - 0.5 dB feeder = 28.708 dBm
    p_dbm = 43.0 - 10 * math.log10(1200) + 17.0 - 0.5
    # on the azimuth boresight (phi = 0): A_H = 0. Elevation below the horizon: atan((30 - 1.5) / d);
    # no tilt, vertical beamwidth 10 deg: A_V = 12 (theta / 10)^2 (TR 36.814 Table A.2.1.1-2)
    theta = math.degrees(math.atan2(30.0 - 1.5, dist_m))
    a_v = 12 * (theta / 10.0) ** 2
    return p_dbm - a_v - _fspl_db(dist_m, 1800.0)


def test_two_cells_best_server_rsrp_and_sinr_by_hand(tmp_path):
    project = _project(tmp_path)
    cfg = radio_config(overrides=HAND_CONFIG)
    out = tmp_path / "out"
    result = predict(project, out, technologies=["4G"], config=cfg, grid=GRID)
    rsrp = _read(result.path("4G", "Viettel", "rsrp_dbm"))
    sinr = _read(result.path("4G", "Viettel", "sinr_db"))
    serving = _read(result.path("4G", "Viettel", "serving_cell"))
    cells = pd.read_csv(out / "cells.csv")
    index_of = dict(zip(cells["cell_id"], cells["engine_index"], strict=True))

    # pixel (row 2, col 5): centre x0 + 550 m -> 500 m east of A (its boresight), 1500 m west of B (its boresight)
    s_a, i_b = _rsrp_by_hand(500.0), _rsrp_by_hand(1500.0)
    # A: 28.708 - 1.277 (theta 3.263 deg) - 91.529 (FSPL 500 m) = -64.10 dBm
    assert s_a == pytest.approx(-64.10, abs=0.01)
    assert rsrp[2, 5] == pytest.approx(s_a, abs=0.02)
    assert serving[2, 5] == index_of["A1"]
    # SINR = S / (load * I + N): N per RE = -174 + 10 log10(15 kHz) + 7 dB NF = -125.24 dBm, load 0.5
    n_mw = 10 ** ((-174 + 10 * math.log10(15e3) + 7.0) / 10)
    sinr_hand = 10 * math.log10(10 ** (s_a / 10) / (0.5 * 10 ** (i_b / 10) + n_mw))
    # B: 28.708 - 0.142 - 101.071 = -72.51 dBm; SINR = -64.10 - 10log10(0.5 * 10^(-7.251)) = 11.42 dB
    assert sinr_hand == pytest.approx(11.42, abs=0.01)
    assert sinr[2, 5] == pytest.approx(sinr_hand, abs=0.02)

    # mirror pixel (row 2, col 15): centre x0 + 1550 m = 500 m west of B -> B serves with the same figures
    assert serving[2, 15] == index_of["B1"]
    assert rsrp[2, 15] == pytest.approx(s_a, abs=0.02)
    assert sinr[2, 15] == pytest.approx(sinr_hand, abs=0.02)

    # 4 km from both masts (col 29 is 2.85 km east of A but 0.85 km from B... every pixel is within 3 km
    # of a mast here), so nodata appears only beyond the radius: none in this grid
    assert (rsrp != NODATA).all()


def test_other_operator_carrier_does_not_interfere_and_any_takes_the_strongest(tmp_path):
    vnpt = {**CELL, "cell_id": "A2", "site_id": "A", "operator": "VNPT", "band_mhz": 1835.0, "azimuth_deg": 90.0,
            "tx_power_dbm": 40.0}  # fmt: skip
    project = _project(tmp_path, [vnpt])
    cfg = radio_config(overrides=HAND_CONFIG)
    result = predict(project, tmp_path / "out", technologies=["4G"], config=cfg, grid=GRID)
    rsrp_v = _read(result.path("4G", "VNPT", "rsrp_dbm"))
    sinr_v = _read(result.path("4G", "VNPT", "sinr_db"))
    # VNPT alone on 1835 MHz: 3 dB less power than Viettel's A1 and FSPL + 20log10(1835/1800) = +0.167 dB
    s_v = _rsrp_by_hand(500.0) - 3.0 - 20 * math.log10(1835.0 / 1800.0)
    assert rsrp_v[2, 5] == pytest.approx(s_v, abs=0.02)
    # no VNPT interferer: SINR = S - N = -67.27 - (-125.24) = 57.97 dB
    assert sinr_v[2, 5] == pytest.approx(s_v - (-174 + 10 * math.log10(15e3) + 7.0), abs=0.02)
    # "any": Viettel's A1 is 3.17 dB stronger, so it serves, with Viettel's SINR
    any_rsrp = _read(result.path("4G", "any", "rsrp_dbm"))
    any_sinr = _read(result.path("4G", "any", "sinr_db"))
    viettel_sinr = _read(result.path("4G", "Viettel", "sinr_db"))
    assert any_rsrp[2, 5] == pytest.approx(_rsrp_by_hand(500.0), abs=0.02)
    assert any_sinr[2, 5] == pytest.approx(viettel_sinr[2, 5], abs=1e-4)


def test_rasters_are_cogs_with_crs_transform_and_nodata(tmp_path):
    project = _project(tmp_path)
    cfg = radio_config(overrides={**HAND_CONFIG, "model": {**HAND_CONFIG["model"], "max_radius_m": 900.0}})
    result = predict(project, tmp_path / "out", technologies=["4G"], config=cfg, grid=GRID)
    for (_, _, q), path in result.rasters.items():
        with rasterio.open(path) as ds:
            assert ds.crs.to_epsg() == 32648
            assert ds.transform == Affine(RES, 0, X0, 0, -RES, Y0)
            assert ds.nodata == (-1 if q == "serving_cell" else NODATA)
            assert ds.tags().get("quantity") == q
            assert ds.profile.get("tiled") is True
    rsrp = _read(result.path("4G", "Viettel", "rsrp_dbm"))
    # with a 900 m radius, pixel col 12 (x0 + 1250 m: 1200 m from A, 800 m from B) has B's signal, and
    # col 10 (x0 + 1050 m: 1000 m from both masts) is beyond both radii: nodata
    assert rsrp[2, 12] != NODATA
    assert (rsrp[:, 10] == NODATA).all()
    meta = json.loads((tmp_path / "out" / "prediction.json").read_text())
    assert meta["width"] == 30 and meta["height"] == 5


def test_shadowing_margin_lowers_rsrp_by_sigma_times_z(tmp_path):
    project = _project(tmp_path)
    cfg50 = radio_config(overrides=HAND_CONFIG)
    cfg90 = radio_config(overrides={**HAND_CONFIG, "shadowing": {"location_probability": 0.9, "sigma_db": 8.0}})
    r50 = _read(
        predict(project, tmp_path / "a", technologies=["4G"], config=cfg50, grid=GRID).path("4G", "any", "rsrp_dbm")
    )
    r90 = _read(
        predict(project, tmp_path / "b", technologies=["4G"], config=cfg90, grid=GRID).path("4G", "any", "rsrp_dbm")
    )
    # 8 dB x Phi^-1(0.9) = 8 x 1.28155 = 10.25 dB
    assert np.allclose(r50 - r90, 10.2524, atol=1e-3)


def test_dem_not_covering_the_grid_is_an_extent_error_and_nothing_is_written(tmp_path):
    project = _project(tmp_path)
    cfg = radio_config(overrides=HAND_CONFIG)
    big = Grid(UTM, X0 - 5000.0, Y0, RES, 120, 5)  # extends 3 km west of the DEM
    out = tmp_path / "out"
    with pytest.raises(ExtentError, match=r"dem\.tif.*does not cover.*missing the part west"):
        predict(project, out, technologies=["4G"], config=cfg, grid=big)
    assert not any(out.glob("*.tif"))


def test_unknown_setting_names_the_key():
    with pytest.raises(CoverageError, match=r"unknown setting 'terrain\.metod'"):
        radio_config(overrides={"terrain": {"metod": "none"}})
    with pytest.raises(CoverageError, match=r"interference\.load must be within 0-1"):
        radio_config(overrides={"interference": {"load": 1.5}})


def _single_cell_project(tmp_path: Path, dem: np.ndarray):
    sites, cells = _sites_cells()
    path = _write_raster(tmp_path / "dem_wall.tif", dem.astype("float32"), -9999.0)
    return project_from_frames(
        "one cell", {"sites": sites.iloc[:1], "cells": cells.iloc[:1]}, {"dem": path}
    )  # fmt: skip


def test_terrain_wall_adds_the_bullington_loss_worked_by_hand(tmp_path):
    dem = np.zeros((60, 80))
    dem[:, 25] = 50.0  # a 50 m wall, one 100 m DEM column, at x0 + 500..600 m (its centre 500 m east of A)
    project = _single_cell_project(tmp_path, dem)
    cfg_none = radio_config(overrides=HAND_CONFIG)
    cfg_bull = radio_config(overrides={**HAND_CONFIG, "terrain": {"method": "bullington"}})
    r_none = _read(predict(project, tmp_path / "a", technologies=["4G"], config=cfg_none, grid=GRID).path(
        "4G", "any", "rsrp_dbm"))  # fmt: skip
    r_bull = _read(predict(project, tmp_path / "b", technologies=["4G"], config=cfg_bull, grid=GRID).path(
        "4G", "any", "rsrp_dbm"))  # fmt: skip
    # pixel (2, 10): 1000 m east of A (tx 30 m above ground 0, rx 1.5 m); wall top 50 m at d1 = d2 = 500 m.
    # LOS line at the wall: 30 + (1.5 - 30) / 2 = 15.75 m; Earth bulge d1 d2 / (2 k R) = 250000 / 16 988 000
    # = 0.0147 m; clearance h = 50 + 0.0147 - 15.75 = 34.265 m; lambda = c / 1800 MHz = 0.16655 m;
    # v = h sqrt(2 / lambda (1/d1 + 1/d2)) = 34.265 x sqrt(0.048034) = 7.510;
    # J(v) = 6.9 + 20 log10(sqrt(7.410^2 + 1) + 7.410) = 30.36 dB (ITU-R P.526-15 eq. 31);
    # one edge: Bullington point = the wall, L_b = J + (1 - exp(-J/6)) (10 + 0.02 x 1 km) = 40.32 dB
    lam = C / 1800e6
    h = 50 + 500 * 500 / (2 * 4 / 3 * 6_371_000) - 15.75
    v = h * math.sqrt(2 / lam * (1 / 500 + 1 / 500))
    j = 6.9 + 20 * math.log10(math.sqrt((v - 0.1) ** 2 + 1) + v - 0.1)
    l_b = j + (1 - math.exp(-j / 6)) * (10 + 0.02 * 1.0)
    assert l_b == pytest.approx(40.32, abs=0.01)
    assert r_none[2, 10] - r_bull[2, 10] == pytest.approx(l_b, abs=0.05)
    # in front of the wall only the flat ground's grazing diffraction applies: far less than behind it
    assert r_none[2, 3] - r_bull[2, 3] < 10.0


def test_landcover_missing_over_the_grid_is_an_extent_error(tmp_path):
    sites, cells = _sites_cells()
    data = np.full((60, 80), 2, dtype="uint8")
    data[20:24, 30:34] = 0  # a nodata hole inside the grid
    lc = _write_raster(tmp_path / "lc.tif", data, 0)
    project = project_from_frames("lc", {"sites": sites, "cells": cells}, {"dem": _flat_dem(tmp_path), "landcover": lc})
    cfg = radio_config(overrides={**HAND_CONFIG, "clutter": {"enabled": True}})
    out = tmp_path / "out"
    with pytest.raises(ExtentError, match=r"lc\.tif: the land-cover raster has no data over 16 pixels"):
        predict(project, out, technologies=["4G"], config=cfg, grid=GRID)
    assert not any(out.glob("*.tif"))


def test_model_out_of_validity_raises_naming_the_model_unless_extrapolating(tmp_path):
    project = _project(tmp_path)
    # Okumura-Hata is defined from 150 to 1500 MHz: the cells' 1800 MHz is outside
    cfg = radio_config(
        overrides={
            **HAND_CONFIG,
            "model": {**HAND_CONFIG["model"], "name": "hata", "min_dist_m": 1000.0, "rural": {}, "urban": {}},
        }
    )
    with pytest.raises(ValidityRangeError, match="hata: freq_mhz 1800"):
        predict(project, tmp_path / "out", technologies=["4G"], config=cfg, grid=GRID)
    cfg_x = radio_config(
        overrides={
            **HAND_CONFIG,
            "model": {**HAND_CONFIG["model"], "name": "hata", "min_dist_m": 1000.0, "extrapolate": True},
        }
    )
    with pytest.warns(ExtrapolationWarning, match="hata"):
        result = predict(project, tmp_path / "out", technologies=["4G"], config=cfg_x, grid=GRID)
    assert np.isfinite(_read(result.path("4G", "any", "rsrp_dbm"))).all()


@settings(max_examples=300, deadline=None)
@given(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4))
def test_kernel_atan2_matches_libm(y, x):
    # A&S 4.4.49 bounds the error by 2e-8 rad (the origin, with its signed zeros, is never evaluated)
    assume(x != 0.0 or y != 0.0)
    # compared as directions: on the branch cut (y = -0.0, x < 0) +pi and -pi are the same azimuth
    diff = (_atan2(y, x) - math.atan2(y, x) + math.pi) % (2 * math.pi) - math.pi
    assert abs(diff) <= 3e-8


def test_cells_can_use_an_msi_pattern_file_named_in_the_settings(tmp_path):
    sites, cells = _sites_cells()
    cells["antenna_model"] = ["VENDOR-65", None]  # A1 uses the file, B1 the 3GPP pattern
    project = project_from_frames("msi", {"sites": sites, "cells": cells}, {"dem": _flat_dem(tmp_path)})
    msi = Path(__file__).parent / "data" / "sector_dbd.msi"
    settings = tmp_path / "radio.toml"
    settings.write_text(f'[antenna.files]\n"VENDOR-65" = "{msi}"\n', encoding="utf-8")
    cfg = radio_config(settings, overrides=HAND_CONFIG)
    result = predict(project, tmp_path / "out", technologies=["4G"], config=cfg, grid=GRID)
    rsrp = _read(result.path("4G", "any", "rsrp_dbm"))
    # pixel (2, 5): A1's boresight (phi = 0), 3.263 deg below the horizon; the file's own tables give the loss
    theta = math.degrees(math.atan2(30.0 - 1.5, 500.0))
    att = float(read_msi(msi).attenuation_db_at(0.0, theta))
    p_dbm = 43.0 - 10 * math.log10(1200) + 17.0 - 0.5
    assert rsrp[2, 5] == pytest.approx(p_dbm - att - _fspl_db(500.0, 1800.0), abs=0.02)
    # an unknown model name is an error naming it and the cells
    cells["antenna_model"] = ["NOPE", None]
    project = project_from_frames("msi", {"sites": sites, "cells": cells}, {"dem": _flat_dem(tmp_path)})
    with pytest.raises(CoverageError, match=r"antenna_model 'NOPE' \(cells A1\) not listed under \[antenna.files\]"):
        predict(project, tmp_path / "out2", technologies=["4G"], config=cfg, grid=GRID)
