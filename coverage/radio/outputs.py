"""What a prediction writes: output names, nodata, the inputs fingerprint and Cloud-Optimised GeoTIFFs.

Numba-free, so the assessment can read a prediction without loading the engine.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import rasterio
import rasterio.shutil

from coverage._errors import CoverageError
from coverage.radio.grid import Grid

__all__ = ["ANY_OPERATOR", "NODATA", "QUANTITIES", "SERVING_NODATA", "Prediction", "inputs_fingerprint", "raster_name"]


NODATA = -9999.0
"""Nodata of the float rasters (pixels beyond every cell's radius)."""


SERVING_NODATA = -1


QUANTITIES = ("rsrp_dbm", "sinr_db", "throughput_mbps", "serving_cell")
"""Rasters written per output, in this order."""


ANY_OPERATOR = "any"


@dataclass
class Prediction:
    """What :func:`predict` computed and wrote.

    Attributes
    ----------
    grid : Grid
        The prediction grid.
    rasters : dict of (technology, operator, quantity) to Path
        Cloud-Optimised GeoTIFFs; operator ``"any"`` is the best of all operators.
    cells : DataFrame
        The cells used, with their engine index (the ``serving_cell`` raster value), radius and environment.
    stats : dict
        Pixel count, pixel-cell evaluations, terrain sweeps, seconds per step.
    """

    grid: Grid
    rasters: dict[tuple[str, str, str], Path] = field(default_factory=dict)
    cells: pd.DataFrame | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    def path(self, technology: str, operator: str, quantity: str) -> Path:
        """The raster file of one output quantity."""
        try:
            return self.rasters[(technology, operator, quantity)]
        except KeyError:
            raise CoverageError(f"no {quantity} raster for {technology} / {operator} in this prediction") from None


def raster_name(technology: str, operator: str, quantity: str) -> str:
    """File name of an output raster, e.g. ``4G_Viettel_rsrp_dbm.tif``."""
    return f"{technology}_{operator}_{quantity}.tif"


def inputs_fingerprint(project: Any, settings: Mapping[str, Any], technologies: Iterable[str]) -> str:
    """SHA-256 of everything a prediction depends on: cells, sites, admin extent, DEM and land-cover files, the
    DEM's kind, settings and technologies. Two runs with the same fingerprint give the same rasters, so a caller may
    reuse a prediction whose ``prediction.json`` holds the fingerprint it would compute now."""
    h = hashlib.sha256()
    for name in ("cells", "sites", "admin_units"):
        if name not in project:
            continue
        frame = project[name]
        if isinstance(frame, gpd.GeoDataFrame):
            frame = pd.DataFrame(frame).assign(geometry=frame.geometry.to_wkt())
        h.update(name.encode())
        h.update(frame.to_csv(index=False).encode())
    for kind in ("dem", "landcover"):
        if kind in project.rasters:
            h.update(kind.encode())
            with open(project.raster(kind), "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
    if getattr(project, "dem_kind", "dtm") != "dtm":  # a terrain model hashes as before dem_kind existed
        h.update(f"dem_kind={project.dem_kind}".encode())
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    h.update(",".join(sorted(technologies)).encode())
    return h.hexdigest()


def open_outputs(tmp: Path, grid: Grid, outputs, tile_px: int) -> dict[tuple[str, str, str], Any]:
    block = 256 if tile_px >= 256 else 16 * max(1, tile_px // 16)
    dsts = {}
    for tech, op in outputs:
        for q in QUANTITIES:
            is_idx = q == "serving_cell"
            dsts[(tech, op, q)] = rasterio.open(
                tmp / ("raw_" + raster_name(tech, op, q)),
                "w",
                driver="GTiff",
                width=grid.width,
                height=grid.height,
                count=1,
                dtype="int32" if is_idx else "float32",
                nodata=SERVING_NODATA if is_idx else NODATA,
                crs=grid.crs.to_wkt(),
                transform=grid.transform,
                tiled=True,
                blockxsize=block,
                blockysize=block,
                BIGTIFF="IF_SAFER",  # uncompressed while tiles are written; compressed once, as COG
            )
    return dsts


_UNITS = {"rsrp_dbm": "dBm", "sinr_db": "dB", "throughput_mbps": "Mbit/s", "serving_cell": "engine index (cells.csv)"}


def finish_outputs(tmp: Path, out_dir: Path, outputs) -> dict[tuple[str, str, str], Path]:
    """Convert the tiled GeoTIFFs to Cloud-Optimised GeoTIFFs, then move them into ``out_dir``."""
    done: dict[tuple[str, str, str], Path] = {}
    staged = []
    for tech, op in outputs:
        for q in QUANTITIES:
            raw = tmp / ("raw_" + raster_name(tech, op, q))
            cog = tmp / raster_name(tech, op, q)
            with rasterio.open(raw, "r+") as ds:
                ds.update_tags(technology=tech, operator=op, quantity=q, unit=_UNITS[q])
                ds.set_band_description(1, f"{q} ({tech}, {op})")
            rasterio.shutil.copy(
                raw,
                cog,
                driver="COG",
                COMPRESS="DEFLATE",
                LEVEL="1",  # fastest deflate: 2x faster than the default level, files 3 % larger
                PREDICTOR="2" if q == "serving_cell" else "3",
                RESAMPLING="NEAREST",
                OVERVIEWS="AUTO",
                NUM_THREADS="ALL_CPUS",
            )
            raw.unlink()
            staged.append(((tech, op, q), cog))
    for key, cog in staged:
        dest = out_dir / cog.name
        os.replace(cog, dest)
        done[key] = dest
    return done
