"""Coordinate reference systems: storage CRS, UTM choice, Vietnam's extent, swapped axes.

Layers are stored in EPSG:4326 (longitude, latitude in degrees). Anything metric
(areas, distances, Voronoi, buffers) happens in the dataset's UTM zone, chosen from
its mean longitude (EPSG:32648 for the Mekong delta).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
from pyproj import CRS
from pyproj.exceptions import CRSError as _PyprojCRSError

from coverage._errors import CRSError

STORAGE_CRS = CRS.from_epsg(4326)
"""CRS every layer is stored in."""

VIETNAM_LON_MIN_DEG = 102.0
VIETNAM_LON_MAX_DEG = 118.0
VIETNAM_LAT_MIN_DEG = 6.0
VIETNAM_LAT_MAX_DEG = 23.5
VIETNAM_BOUNDS_DEG = (VIETNAM_LON_MIN_DEG, VIETNAM_LAT_MIN_DEG, VIETNAM_LON_MAX_DEG, VIETNAM_LAT_MAX_DEG)
"""(west, south, east, north) of mainland Vietnam and its islands (Hoàng Sa, Trường Sa), degrees.

Because every Vietnamese longitude (102–118) exceeds every latitude (6–23.5), a point
given as (lat, lon) instead of (lon, lat) is recognised without ambiguity.
"""


def parse_crs(value: object, *, source: str = "<argument>") -> CRS:
    """Parse a CRS given as ``"EPSG:32648"``, an integer EPSG code, WKT or a pyproj CRS.

    Raises
    ------
    CRSError
        When ``value`` is not a CRS pyproj knows, naming ``source``.
    """
    try:
        return CRS.from_user_input(value)
    except _PyprojCRSError as exc:
        raise CRSError(f"{source}: unknown CRS {value!r} ({exc})") from exc


def utm_epsg_from_lon(lon_deg: float, lat_deg: float = 10.0) -> int:
    """EPSG code of the WGS 84 UTM zone containing a longitude (northern hemisphere 326xx, southern 327xx)."""
    zone = math.floor((lon_deg + 180.0) / 6.0) % 60 + 1
    return (32600 if lat_deg >= 0 else 32700) + zone


def utm_crs_for(frame: gpd.GeoDataFrame) -> CRS:
    """The UTM CRS of a frame's area, from the centre of its total bounds in degrees.

    >>> import shapely, geopandas as gpd
    >>> utm_crs_for(gpd.GeoDataFrame(geometry=[shapely.Point(105.6, 9.8)], crs=4326)).to_epsg()
    32648
    """
    if frame.crs is None:
        raise CRSError("cannot choose a UTM zone for a frame without CRS")
    geo = frame if frame.crs.equals(STORAGE_CRS) else frame.to_crs(STORAGE_CRS)
    west, south, east, north = geo.total_bounds
    if not np.all(np.isfinite([west, south, east, north])):
        raise CRSError("cannot choose a UTM zone for an empty frame")
    return CRS.from_epsg(utm_epsg_from_lon((west + east) / 2.0, (south + north) / 2.0))


def in_vietnam(lon_deg: np.ndarray, lat_deg: np.ndarray) -> np.ndarray:
    """Boolean mask of coordinates inside :data:`VIETNAM_BOUNDS_DEG`."""
    return (
        (lon_deg >= VIETNAM_LON_MIN_DEG)
        & (lon_deg <= VIETNAM_LON_MAX_DEG)
        & (lat_deg >= VIETNAM_LAT_MIN_DEG)
        & (lat_deg <= VIETNAM_LAT_MAX_DEG)
    )


def extent_messages(bounds: np.ndarray) -> list[str | None]:
    """For each geometry's (minx, miny, maxx, maxy) in degrees, ``None`` if inside Vietnam, else why not.

    A geometry whose bounds fit Vietnam once x and y are exchanged is reported as having
    longitude and latitude swapped.
    """
    minx, miny, maxx, maxy = (bounds[:, i] for i in range(4))
    ok = in_vietnam(minx, miny) & in_vietnam(maxx, maxy)
    swapped = in_vietnam(miny, minx) & in_vietnam(maxy, maxx)
    out: list[str | None] = []
    for i in range(len(bounds)):
        if ok[i]:
            out.append(None)
        elif swapped[i]:
            out.append(
                f"longitude and latitude appear swapped: x={minx[i]:.5f}, y={miny[i]:.5f} "
                f"is a latitude/longitude pair in Vietnam; put longitude in x (or in the lon column)"
            )
        elif not np.isfinite(bounds[i]).all():
            out.append("coordinates are not finite numbers")
        elif max(abs(minx[i]), abs(maxx[i]), abs(miny[i]), abs(maxy[i])) > 360.0:
            out.append(
                f"coordinates look like projected metres (x={minx[i]:.1f}, y={miny[i]:.1f}) in a layer "
                "read as degrees: the file's CRS is missing or wrong (.prj?); give the right one, e.g. --crs EPSG:32648"
            )
        else:
            out.append(
                f"lies outside Vietnam's extent (lon {VIETNAM_LON_MIN_DEG:g}–{VIETNAM_LON_MAX_DEG:g}, "
                f"lat {VIETNAM_LAT_MIN_DEG:g}–{VIETNAM_LAT_MAX_DEG:g}): "
                f"x {minx[i]:.5f}…{maxx[i]:.5f}, y {miny[i]:.5f}…{maxy[i]:.5f}"
            )
    return out
