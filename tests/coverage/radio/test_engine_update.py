"""Updating a prediction around changed sites gives exactly what a full prediction gives."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely

from coverage.layers.project import project_from_frames
from coverage.radio.config import radio_config
from coverage.radio.engine import predict, update_prediction
from tests.coverage import world

CONFIG = radio_config(overrides={**world.RADIO, "grid": {"tile_px": 64}})  # 7 x 2 tiles over the tiny world


def _with_site(folder: Path, x: float, operator: str = "Viettel", site_id: str = "E") -> object:
    layers = world.layers()
    new_site = gpd.GeoDataFrame(
        {"site_id": [site_id], "owner": [operator], "tenants": [operator], "mast_height_m": [32.0]},
        geometry=[shapely.Point(*world.geo(x, -1500.0))],
        crs=4326,
    )
    layers["sites"] = pd.concat([layers["sites"], new_site], ignore_index=True)
    cell = {**layers["cells"].iloc[0].to_dict(), "cell_id": f"{site_id}-1", "site_id": site_id, "operator": operator}
    layers["cells"] = pd.concat([layers["cells"], pd.DataFrame([cell])], ignore_index=True)
    return project_from_frames("tiny world + site", layers, world.rasters(folder))


def _read_all(folder: Path) -> dict[str, np.ndarray]:
    out = {}
    for p in sorted(folder.glob("*.tif")):
        with rasterio.open(p) as ds:
            out[p.name] = ds.read(1)
    return out


def test_update_around_a_new_site_equals_a_full_prediction(tmp_path: Path):
    before = world.project(tmp_path / "a")
    out = tmp_path / "pred"
    predict(before, out, technologies=["4G"], config=CONFIG, grid=world.GRID)
    # Viettel adds a site near the east edge: only tiles within 5 km of it (x >= 6.5 km) are predicted again
    after = _with_site(tmp_path / "b", 11_500.0)
    xy = [(world.X0 + 11_500.0, world.Y0 - 1500.0)]
    got = update_prediction(after, out, xy, config=CONFIG)
    assert got is not None
    meta = json.loads((out / "prediction.json").read_text("utf-8"))
    assert 0 < meta["stats"]["tiles"] < meta["stats"]["tiles_total"]
    full = tmp_path / "full"
    predict(after, full, technologies=["4G"], config=CONFIG, grid=world.GRID)
    updated, expected = _read_all(out), _read_all(full)
    assert sorted(updated) == sorted(expected)
    for name in expected:
        np.testing.assert_array_equal(updated[name], expected[name], err_msg=name)
    assert (out / "cells.csv").read_text() == (full / "cells.csv").read_text()
    assert meta["fingerprint"] == json.loads((full / "prediction.json").read_text("utf-8"))["fingerprint"]


def test_an_update_that_adds_an_output_falls_back(tmp_path: Path):
    before = world.project(tmp_path / "a")
    out = tmp_path / "pred"
    predict(before, out, technologies=["4G"], config=CONFIG, grid=world.GRID)
    after = _with_site(tmp_path / "b", 11_500.0, operator="VNPT")  # VNPT's first cell: VNPT rasters would appear
    assert update_prediction(after, out, [(world.X0 + 11_500.0, world.Y0 - 1500.0)], config=CONFIG) is None


@pytest.mark.parametrize("change", ["settings", "nothing there"])
def test_updates_need_the_same_settings_and_an_existing_prediction(tmp_path: Path, change: str):
    before = world.project(tmp_path / "a")
    out = tmp_path / "pred"
    if change == "settings":
        predict(before, out, technologies=["4G"], config=CONFIG, grid=world.GRID)
        other = radio_config(overrides={**world.RADIO, "grid": {"tile_px": 64}, "interference": {"load": 0.3}})
    else:
        other = CONFIG
    assert update_prediction(before, out, [(world.X0, world.Y0)], config=other) is None
