"""Hamlet people placed on the grid: even spread over populated land cover, with reported fallbacks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine

from coverage._errors import ExtentError, MissingLayerError
from coverage.assess.population import populated_classes, population_grid
from coverage.layers.project import project_from_frames
from tests.coverage import world


def test_populated_classes_come_from_the_landcover_table():
    assert populated_classes().tolist() == [3, 4]  # orchard, built-up (coverage/data/landcover.toml)
    table = {"class": [{"code": 1, "populated": True}, {"code": 2}]}
    assert populated_classes(table).tolist() == [1]


def test_people_spread_evenly_over_the_hamlet_pixels(tmp_path: Path):
    pop = population_grid(world.project(tmp_path), world.GRID)
    counts = np.bincount(pop.hamlet)
    assert counts.tolist() == [30 * 34, 33 * 34]  # pixel centres inside each hamlet box
    h1 = pop.population[pop.hamlet == 0]
    np.testing.assert_allclose(h1, 1000 / 1020)
    np.testing.assert_allclose(pop.households[pop.hamlet == 1], 540 / 1122)
    assert pop.method.to_dict() == {"H1": "landcover", "H2": "landcover"}
    assert pop.raster("population").sum() == pytest.approx(3000.0, rel=1e-6)
    # the entries' pixel centres are those of the hamlet boxes
    xs, ys = world.pixel_centres(world.H1_BOX)
    got = pop.xy()[pop.hamlet == 0] - [world.X0, world.Y0]
    assert sorted(map(tuple, got.round(6))) == sorted(zip(xs.ravel(), ys.ravel(), strict=True))


def _landcover_with(folder: Path, values: dict[tuple[float, float, float, float], int]) -> Path:
    """Land cover of rice (2) everywhere, with the given boxes (m from the world corner) set to classes."""
    path = world.rasters(folder)["landcover"]
    with rasterio.open(path, "r+") as ds:
        data = np.full((ds.height, ds.width), 2, dtype="uint8")
        t: Affine = ds.transform
        for (x0, y0, x1, y1), code in values.items():
            c0, r0 = ~t * (world.X0 + x0, world.Y0 + y1)
            c1, r1 = ~t * (world.X0 + x1, world.Y0 + y0)
            data[round(r0) : round(r1), round(c0) : round(c1)] = code
        ds.write(data, 1)
    return path


def test_only_populated_pixels_hold_people_and_fallbacks_are_reported(tmp_path: Path):
    # H1: only its western 300 m (10 pixel columns) is orchard; H2 is all rice paddy: spread over all pixels
    rasters = world.rasters(tmp_path)
    _landcover_with(tmp_path, {(600.0, -2010.0, 900.0, -990.0): 3})
    proj = project_from_frames("t", world.layers(), rasters)
    pop = population_grid(proj, world.GRID)
    assert np.bincount(pop.hamlet).tolist() == [10 * 34, 33 * 34]
    np.testing.assert_allclose(pop.population[pop.hamlet == 0], 1000 / 340)
    assert (pop.xy()[pop.hamlet == 0, 0] - world.X0 < 900).all()
    assert pop.method.to_dict() == {"H1": "landcover", "H2": "all pixels"}


def test_a_hamlet_smaller_than_a_pixel_goes_to_the_pixel_of_its_point(tmp_path: Path):
    lay = world.layers()
    h = lay["hamlets"]
    h.loc[1, "geometry"] = world.box(9000.0, -1500.0, 9010.0, -1490.0)  # 10 m x 10 m, no pixel centre inside
    proj = project_from_frames("t", lay, world.rasters(tmp_path))
    pop = population_grid(proj, world.GRID)
    assert pop.method["H2"] == "point"
    assert pop.population[pop.hamlet == 1].tolist() == [2000.0]
    x, y = pop.xy()[pop.hamlet == 1][0] - [world.X0, world.Y0]
    assert (x, y) == (9015.0, -1485.0)


def test_raster_method_needs_a_population_raster(tmp_path: Path):
    with pytest.raises(MissingLayerError, match="population"):
        population_grid(world.project(tmp_path), world.GRID, method="raster")


def test_raster_method_spreads_people_in_proportion_to_the_raster(tmp_path: Path):
    rasters = world.rasters(tmp_path)
    density = tmp_path / "people.tif"
    with rasterio.open(rasters["landcover"]) as src:
        profile = src.profile | {"dtype": "float32", "nodata": -1.0}
        data = np.ones((src.height, src.width), dtype="float32")
        # the eastern half of H1 (x 1050-1500 m: 15 columns) three times as dense as the western half
        col = round((~src.transform * (world.X0 + 1050.0, world.Y0))[0])
        data[:, col:] = 3.0
    with rasterio.open(density, "w", **profile) as ds:
        ds.write(data, 1)
    proj = project_from_frames("t", world.layers(), {**rasters, "population": density})
    pop = population_grid(proj, world.GRID, method="raster")
    h1 = pop.population[pop.hamlet == 0]
    x = pop.xy()[pop.hamlet == 0, 0] - world.X0
    # 15 x 34 pixels of weight 1 and 15 x 34 of weight 3: 1000 / (510 * 4) per unit weight
    np.testing.assert_allclose(h1[x < 1050], 1000 / 2040)
    np.testing.assert_allclose(h1[x > 1050], 3000 / 2040)
    assert pop.method.to_dict() == {"H1": "raster", "H2": "raster"}


def _density_with_nodata(folder: Path, rasters: dict[str, Path], x_m: float, y_m: float) -> Path:
    """A population raster of 1 everywhere but one nodata pixel at (x_m, y_m) from the world corner."""
    with rasterio.open(rasters["landcover"]) as src:
        profile = src.profile | {"dtype": "float32", "nodata": -1.0}
        data = np.ones((src.height, src.width), dtype="float32")
        col, row = ~src.transform * (world.X0 + x_m, world.Y0 + y_m)
        data[int(row), int(col)] = -1.0
    path = folder / f"people_{int(x_m)}.tif"
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(data, 1)
    return path


def test_population_raster_needs_data_inside_hamlets_only(tmp_path: Path):
    rasters = world.rasters(tmp_path)
    outside = _density_with_nodata(tmp_path, rasters, 5000.0, -100.0)  # in the grid, in no hamlet
    proj = project_from_frames("t", world.layers(), {**rasters, "population": outside})
    assert population_grid(proj, world.GRID, method="raster").population.sum() == pytest.approx(3000.0)
    inside = _density_with_nodata(tmp_path, rasters, 1000.0, -1500.0)  # in H1
    proj = project_from_frames("t", world.layers(), {**rasters, "population": inside})
    with pytest.raises(ExtentError, match=r"people_1000\.tif: the population raster has no data over 1 pixels"):
        population_grid(proj, world.GRID, method="raster")
