"""Tiny valid layers (two rows each, near 9.8°N 105.6°E) that tests break on purpose."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

LON, LAT = 105.60, 9.80
D = 0.01  # degrees, about 1.1 km


def _square(x: float, y: float, d: float = D) -> shapely.Polygon:
    return shapely.box(x, y, x + d, y + d)


def valid_frame(layer: str) -> pd.DataFrame:
    """A small frame that passes validation of ``layer``."""
    p0, p1 = shapely.Point(LON, LAT), shapely.Point(LON + D, LAT + D)
    line0 = shapely.LineString([(LON, LAT), (LON + D, LAT)])
    line1 = shapely.LineString([(LON + D, LAT), (LON + D, LAT + D)])
    if layer == "admin_units":
        return gpd.GeoDataFrame(
            {
                "unit_code": ["99", "990", "99001", "99002", "N99", "N001"],
                "name": ["Tỉnh Thử", "Huyện Thử", "Xã Một", "Xã Hai", "Thành phố Thử", "Xã Mới"],
                "level": ["province", "district", "commune", "commune", "province", "commune"],
                "period": ["pre2025"] * 4 + ["post2025"] * 2,
                "parent_code": [None, "99", "990", "990", None, "N99"],
                "population": [3000, 3000, 1000, 2000, 3000, 3000],
            },
            geometry=[
                shapely.box(LON, LAT, LON + 2 * D, LAT + D),
                shapely.box(LON, LAT, LON + 2 * D, LAT + D),
                _square(LON, LAT),
                _square(LON + D, LAT),
                shapely.box(LON, LAT, LON + 2 * D, LAT + D),
                shapely.box(LON, LAT, LON + 2 * D, LAT + D),
            ],
            crs=4326,
        )
    if layer == "commune_mapping":
        return pd.DataFrame({"old_code": ["99001", "99002"], "new_code": ["N001", "N001"]})
    if layer == "hamlets":
        return gpd.GeoDataFrame(
            {
                "hamlet_id": ["H1", "H2"],
                "name": ["Ấp Một", "Ấp Hai"],
                "commune_code": ["99001", "99002"],
                "population": [1000, 2000],
                "households": [270, 540],
            },
            geometry=[_square(LON, LAT), _square(LON + D, LAT)],
            crs=4326,
        )
    if layer == "hamlet_points":
        return gpd.GeoDataFrame({"hamlet_id": ["H1", "H2"], "name": ["Ấp Một", "Ấp Hai"]}, geometry=[p0, p1], crs=4326)
    if layer == "sites":
        return gpd.GeoDataFrame(
            {
                "site_id": ["S1", "S2"],
                "owner": ["Viettel", "VNPT"],
                "tenants": ["Viettel;VNPT", "VNPT"],
                "mast_height_m": [40.0, 35.0],
            },
            geometry=[p0, p1],
            crs=4326,
        )
    if layer == "cells":
        return pd.DataFrame(
            {
                "cell_id": ["S1-A", "S2-A"],
                "site_id": ["S1", "S2"],
                "operator": ["Viettel", "VNPT"],
                "technology": ["4G", "4G"],
                "band_mhz": [1842.5, 1815.0],
                "bandwidth_mhz": [20.0, 15.0],
                "azimuth_deg": [0.0, 120.0],
                "mech_tilt_deg": [2.0, 2.0],
                "elec_tilt_deg": [4.0, 3.0],
                "antenna_height_m": [38.0, 33.0],
                "antenna_gain_dbi": [17.0, 17.5],
                "hbw_deg": [65.0, 65.0],
                "vbw_deg": [7.0, 7.0],
                "tx_power_dbm": [43.0, 43.0],
            }
        )
    if layer == "poles":
        return gpd.GeoDataFrame(
            {"pole_id": ["P1", "P2"], "owner": ["EVN", "EVN"], "tenants": ["Viettel;VNPT", ""]},
            geometry=[p0, p1],
            crs=4326,
        )
    if layer == "ducts":
        return gpd.GeoDataFrame(
            {"duct_id": ["D1", "D2"], "owner": ["VNPT", "Viettel"], "tenants": ["VNPT", "Viettel;FPT"]},
            geometry=[line0, line1],
            crs=4326,
        )
    if layer == "fibre_points":
        return gpd.GeoDataFrame(
            {"fap_id": ["F1", "F2"], "operator": ["VNPT", "FPT"], "kind": ["OLT", "splitter"], "free_ports": [100, 4]},
            geometry=[p0, p1],
            crs=4326,
        )
    if layer == "roads":
        return gpd.GeoDataFrame(
            {"road_id": ["R1", "R2"], "road_class": ["national", "commune"]}, geometry=[line0, line1], crs=4326
        )
    raise KeyError(layer)


def wrong_geometry(layer: str) -> shapely.Geometry:
    """A geometry of the wrong type for ``layer``, inside Vietnam."""
    if layer in ("admin_units", "hamlets", "roads", "ducts"):
        return shapely.Point(LON, LAT)
    return shapely.LineString([(LON, LAT), (LON + D, LAT)])


NUMERIC_ABSURD = {
    "sites": ("mast_height_m", -5.0),
    "cells": ("tx_power_dbm", 80.0),
    "poles": ("height_m", 500.0),
    "fibre_points": ("free_ports", -1),
    "hamlets": ("population", -10),
    "admin_units": ("population", -1),
    "commune_mapping": ("area_share", 1.5),
}
