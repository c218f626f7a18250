"""Schemas of the layers a project holds.

Every layer is a :class:`geopandas.GeoDataFrame` in EPSG:4326 (or a plain
:class:`pandas.DataFrame` for the two attribute tables, ``cells`` and
``commune_mapping``). Its columns, dtypes, units and allowed values are declared
here once, in :data:`SCHEMAS`; :mod:`coverage.layers.validate` enforces them and the
documentation table (``coverage-planner schema``) is printed from them.

Tenants
-------
Sites, poles and ducts carry a ``tenants`` column: the operators with equipment on
the mast / cables on the pole / cables in the duct, stored as **one canonical
string**: operator names from ``coverage/data/operators.toml``, de-duplicated,
sorted case-insensitively and joined with ``";"`` (``"MobiFone;Viettel"``; ``""``
for none). A string survives every file format (GeoPackage, GeoParquet, Shapefile,
CSV) unchanged, and sharing rates stay one line of pandas::

    shared_share = sites["tenants"].str.count(";").ge(1).mean()

:func:`tenant_count` and :func:`tenants_long` give the count and the long
(one row per asset and tenant) form.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

import pandas as pd

TENANT_SEP = ";"
"""Separator of operator names in a canonical tenants string."""

FieldKind = Literal["str", "int", "float", "enum", "operator", "tenants"]


@dataclass(frozen=True)
class Field:
    """One column of a layer schema.

    Parameters
    ----------
    name : str
        Column name.
    kind : {"str", "int", "float", "enum", "operator", "tenants"}
        ``operator`` is a known operator name, ``tenants`` a canonical tenants string.
    description : str
        What the column holds.
    required : bool
        A required column must exist and have no missing value; an optional column may
        be absent (it is then added, empty) or have missing values.
    unit : str or None
        Physical unit (``"m"``, ``"dBm"``, ``"deg"`` ...).
    allowed : tuple of str or None
        Allowed values of an ``enum`` column.
    min, max : float or None
        Inclusive bounds of a numeric column.
    estimate : bool
        An ``int`` column holding a modelled estimate (population, households): fractional
        values are rounded and reported as a note instead of rejected.
    """

    name: str
    kind: FieldKind
    description: str
    required: bool = True
    unit: str | None = None
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    estimate: bool = False

    @property
    def dtype(self) -> Literal["Int64", "float64", "string"]:
        """pandas dtype the column is coerced to."""
        if self.kind == "int":
            return "Int64"
        if self.kind == "float":
            return "float64"
        return "string"


@dataclass(frozen=True)
class LayerSchema:
    """Schema of one layer.

    Attributes
    ----------
    name : str
        Layer name, also the table name in a GeoPackage and the file stem in a
        GeoParquet project folder.
    id_field : str
        Column identifying a row; unique within the layer (within ``period`` for
        ``admin_units``).
    geometry : tuple of str or None
        Allowed geometry types; ``None`` for an attribute table.
    fields : tuple of Field
        The columns, in order.
    description : str
        What the layer holds.
    """

    name: str
    id_field: str
    geometry: tuple[str, ...] | None
    fields: tuple[Field, ...]
    description: str
    unique_within: tuple[str, ...] = field(default=())

    @property
    def columns(self) -> list[str]:
        """Column names in schema order, ``geometry`` last for spatial layers."""
        cols = [f.name for f in self.fields]
        return [*cols, "geometry"] if self.geometry else cols

    @property
    def required(self) -> list[str]:
        """Names of the required columns."""
        return [f.name for f in self.fields if f.required]

    def field(self, name: str) -> Field:
        """Return the field called ``name``."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


POLYGONAL = ("Polygon", "MultiPolygon")
LINEAR = ("LineString", "MultiLineString")
POINT = ("Point",)

TECHNOLOGIES = ("2G", "3G", "4G", "5G")
ADMIN_LEVELS = ("province", "district", "commune")
PERIODS = ("pre2025", "post2025")
HAMLET_KINDS = ("ấp", "thôn", "khu vực", "bản", "tổ dân phố", "khóm", "buôn", "làng", "xóm", "sóc")
ROAD_CLASSES = ("national", "provincial", "district", "urban", "commune", "hamlet")
FIBRE_POINT_KINDS = ("OLT", "cabinet", "splitter")
STRUCTURES = ("tower", "monopole", "rooftop", "pole")

_hamlet_kind = Field("kind", "enum", "Hamlet type.", required=False, allowed=HAMLET_KINDS)
_population = Field("population", "int", "Residents.", required=False, unit="persons", min=0, estimate=True)
_households = Field("households", "int", "Households.", required=False, unit="households", min=0, estimate=True)
_owner = Field("owner", "str", "Who owns the asset: an operator, a tower company or a utility (e.g. EVN).")
_tenants = Field(
    "tenants",
    "tenants",
    "Operators using the asset, canonical ';'-joined string (see module docs).",
)

SCHEMAS: dict[str, LayerSchema] = {
    s.name: s
    for s in (
        LayerSchema(
            "admin_units",
            "unit_code",
            POLYGONAL,
            (
                Field("unit_code", "str", "Official unit code (GSO), unique within a period."),
                Field("name", "str", "Name with Vietnamese diacritics, e.g. 'Xã Vị Thủy'."),
                Field("level", "enum", "Administrative level.", allowed=ADMIN_LEVELS),
                Field(
                    "period",
                    "enum",
                    "Hierarchy: pre2025 (province-district-commune) or post2025 "
                    "(province-commune, districts abolished on 1 July 2025).",
                    allowed=PERIODS,
                ),
                Field(
                    "parent_code",
                    "str",
                    "Code of the unit one level up (same period); empty for provinces.",
                    required=False,
                ),
                Field("name_ascii", "str", "Name without diacritics.", required=False),
                _population,
                _households,
            ),
            "Provinces, districts and communes of both hierarchies.",
            unique_within=("period",),
        ),
        LayerSchema(
            "commune_mapping",
            "old_code",
            None,
            (
                Field("old_code", "str", "pre2025 commune code."),
                Field("new_code", "str", "post2025 commune code it was merged into."),
                Field(
                    "area_share",
                    "float",
                    "Share of the old commune's area in the new one (1 unless split).",
                    required=False,
                    unit="1",
                    min=0.0,
                    max=1.0,
                ),
            ),
            "Old-to-new commune mapping of the 2025 merger; a new commune merges several old ones.",
            unique_within=("new_code",),
        ),
        LayerSchema(
            "hamlets",
            "hamlet_id",
            POLYGONAL,
            (
                Field("hamlet_id", "str", "Unique hamlet id."),
                Field("name", "str", "Name with diacritics, e.g. 'Ấp Tân Phú'."),
                Field("commune_code", "str", "pre2025 commune the hamlet lies in."),
                _hamlet_kind,
                _population,
                _households,
            ),
            "Hamlets (ấp, thôn, khu vực): the unit the plan's 100 % targets count.",
        ),
        LayerSchema(
            "sites",
            "site_id",
            POINT,
            (
                Field("site_id", "str", "Unique site (mast) id."),
                _owner,
                _tenants,
                Field("mast_height_m", "float", "Mast height above ground.", unit="m", min=3, max=150),
                Field("structure", "enum", "Kind of structure.", required=False, allowed=STRUCTURES),
            ),
            "BTS sites (masts, rooftops).",
        ),
        LayerSchema(
            "cells",
            "cell_id",
            None,
            (
                Field("cell_id", "str", "Unique cell (sector) id."),
                Field("site_id", "str", "Site carrying the antenna."),
                Field("operator", "operator", "Operator of the cell; must be a tenant of the site."),
                Field("technology", "enum", "Radio technology.", allowed=TECHNOLOGIES),
                Field("band_mhz", "float", "Downlink centre frequency.", unit="MHz", min=400, max=7125),
                Field("bandwidth_mhz", "float", "Channel bandwidth.", unit="MHz", min=0.2, max=100),
                Field("azimuth_deg", "float", "Boresight, clockwise from north.", unit="deg", min=0, max=360),
                Field("mech_tilt_deg", "float", "Mechanical downtilt (positive down).", unit="deg", min=-15, max=30),
                Field("elec_tilt_deg", "float", "Electrical downtilt (positive down).", unit="deg", min=-10, max=20),
                Field("antenna_height_m", "float", "Antenna centre above ground.", unit="m", min=1, max=155),
                Field("antenna_gain_dbi", "float", "Boresight gain.", unit="dBi", min=-5, max=30),
                Field("hbw_deg", "float", "Horizontal 3 dB beamwidth (360 = omni).", unit="deg", min=5, max=360),
                Field("vbw_deg", "float", "Vertical 3 dB beamwidth.", unit="deg", min=1, max=90),
                Field(
                    "tx_power_dbm",
                    "float",
                    "Total transmit power of the cell at the antenna port.",
                    unit="dBm",
                    min=0,
                    max=60,
                ),
                Field(
                    "antenna_model",
                    "str",
                    "Antenna pattern: a name listed under [antenna.files] of the radio settings (an MSI/Planet "
                    "file); empty: the 3GPP pattern of the beamwidths.",
                    required=False,
                ),
            ),
            "Cells (one row per sector and carrier) of the sites.",
        ),
        LayerSchema(
            "poles",
            "pole_id",
            POINT,
            (
                Field("pole_id", "str", "Unique pole id."),
                _owner,
                _tenants,
                Field("height_m", "float", "Pole height.", required=False, unit="m", min=2, max=30),
            ),
            "Cable poles (power and telecom).",
        ),
        LayerSchema(
            "ducts",
            "duct_id",
            LINEAR,
            (Field("duct_id", "str", "Unique duct id."), _owner, _tenants),
            "Underground cable ducts.",
        ),
        LayerSchema(
            "fibre_points",
            "fap_id",
            POINT,
            (
                Field("fap_id", "str", "Unique fibre access point id."),
                Field("operator", "operator", "Operator of the access point."),
                Field("kind", "enum", "Type of access point.", allowed=FIBRE_POINT_KINDS),
                Field("free_ports", "int", "Ports available for new subscribers.", unit="ports", min=0, max=100000),
            ),
            "Fibre access points (OLT, street cabinet, splitter).",
        ),
        LayerSchema(
            "roads",
            "road_id",
            LINEAR,
            (
                Field("road_id", "str", "Unique road segment id."),
                Field("road_class", "enum", "Road class.", allowed=ROAD_CLASSES),
                Field("name", "str", "Road name.", required=False),
            ),
            "Road network (the route of drop cables and fibre extensions).",
        ),
    )
}
"""Every layer's schema, by layer name."""

PROJECT_LAYERS: tuple[str, ...] = tuple(SCHEMAS)
"""Layers a project may hold, in dependency order."""

SCHEMAS["hamlet_points"] = LayerSchema(
    "hamlet_points",
    "hamlet_id",
    POINT,
    (
        Field("hamlet_id", "str", "Unique hamlet id."),
        Field("name", "str", "Hamlet name."),
        Field("commune_code", "str", "pre2025 commune (found by location when absent).", required=False),
        _hamlet_kind,
        _population,
        _households,
    ),
    "Hamlet centre points: an input from which hamlet polygons are built (not a project layer).",
)


@dataclass(frozen=True)
class Operator:
    """An operator from ``operators.toml``."""

    name: str
    aliases: tuple[str, ...]
    mobile: bool


@cache
def operators() -> dict[str, Operator]:
    """Known operators by canonical name (from ``coverage/data/operators.toml``)."""
    text = resources.files("coverage").joinpath("data/operators.toml").read_text("utf-8")
    return {
        o["name"]: Operator(o["name"], tuple(o.get("aliases", ())), bool(o["mobile"]))
        for o in tomllib.loads(text)["operator"]
    }


@cache
def landcover_classes() -> dict[int, str]:
    """Land-cover class name by raster code (``coverage/data/landcover.toml``)."""
    text = resources.files("coverage").joinpath("data/landcover.toml").read_text("utf-8")
    return {int(c["code"]): str(c["name"]) for c in tomllib.loads(text)["class"]}


@cache
def _operator_lookup() -> dict[str, str]:
    out: dict[str, str] = {}
    for op in operators().values():
        out[op.name.casefold()] = op.name
        for a in op.aliases:
            out[a.casefold()] = op.name
    return out


def canonical_operator(name: str) -> str | None:
    """Canonical spelling of an operator name or alias, or ``None`` if unknown."""
    return _operator_lookup().get(str(name).strip().casefold())


def tenant_count(tenants: pd.Series) -> pd.Series:
    """Number of operators in each canonical tenants string (0 for ``""``)."""
    s = tenants.fillna("").astype("string")
    return (s.str.count(TENANT_SEP) + 1).where(s.str.len() > 0, 0).astype("int64")


def tenants_long(layer: pd.DataFrame, id_field: str) -> pd.DataFrame:
    """One row per (asset, tenant): columns ``id_field`` and ``operator``."""
    s = layer.set_index(id_field)["tenants"].fillna("").astype("string")
    out = s.str.split(TENANT_SEP).explode()
    out = out[out.str.len() > 0]
    return out.rename("operator").reset_index()


def schema_markdown() -> str:
    """The schemas as a Markdown table per layer (for docs and ``coverage-planner schema``)."""
    lines: list[str] = []
    for s in SCHEMAS.values():
        geom = " / ".join(s.geometry) if s.geometry else "none (attribute table)"
        lines += [f"### `{s.name}`", "", s.description, "", f"Geometry: {geom}. Id: `{s.id_field}`.", ""]
        lines += ["| column | type | unit | allowed / range | required | description |", "|---|---|---|---|---|---|"]
        for f in s.fields:
            if f.allowed:
                rng = ", ".join(f.allowed)
            elif f.min is not None or f.max is not None:
                rng = f"{f.min if f.min is not None else ''} … {f.max if f.max is not None else ''}"
            else:
                rng = ""
            req = "yes" if f.required else "no"
            lines.append(f"| `{f.name}` | {f.kind} | {f.unit or ''} | {rng} | {req} | {f.description} |")
        lines.append("")
    return "\n".join(lines)
