"""Request and response models (pydantic). Bounds come from the layer schemas of ``coverage.layers.schemas``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from coverage.layers.crs import VIETNAM_LAT_MAX_DEG, VIETNAM_LAT_MIN_DEG, VIETNAM_LON_MAX_DEG, VIETNAM_LON_MIN_DEG
from coverage.layers.schemas import SCHEMAS, STRUCTURES, TECHNOLOGIES, operators

OPERATORS: tuple[str, ...] = tuple(operators())
Operator = Literal[OPERATORS]  # type: ignore[valid-type]
Technology = Literal[TECHNOLOGIES]  # type: ignore[valid-type]
Structure = Literal[STRUCTURES]  # type: ignore[valid-type]
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
Lon = Annotated[float, Field(ge=VIETNAM_LON_MIN_DEG, le=VIETNAM_LON_MAX_DEG, description="longitude, degrees E")]
Lat = Annotated[float, Field(ge=VIETNAM_LAT_MIN_DEG, le=VIETNAM_LAT_MAX_DEG, description="latitude, degrees N")]


def _bounded(layer: str, name: str, **kw: Any) -> Any:
    """A pydantic Field with the bounds, unit and description the layer schema gives ``name``."""
    f = next(f for f in SCHEMAS[layer].fields if f.name == name)
    unit = f" [{f.unit}]" if f.unit else ""
    return Field(ge=f.min, le=f.max, description=f"{f.description}{unit}", **kw)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CellIn(Strict):
    """One cell (sector and carrier) of the caller's equipment on a site."""

    cell_id: str = Field(pattern=ID_PATTERN, description="Unique cell id.")
    technology: Technology
    band_mhz: float = _bounded("cells", "band_mhz")
    bandwidth_mhz: float = _bounded("cells", "bandwidth_mhz")
    azimuth_deg: float = _bounded("cells", "azimuth_deg")
    mech_tilt_deg: float = _bounded("cells", "mech_tilt_deg", default=0.0)
    elec_tilt_deg: float = _bounded("cells", "elec_tilt_deg", default=0.0)
    antenna_height_m: float = _bounded("cells", "antenna_height_m")
    antenna_gain_dbi: float = _bounded("cells", "antenna_gain_dbi")
    hbw_deg: float = _bounded("cells", "hbw_deg", default=65.0)
    vbw_deg: float = _bounded("cells", "vbw_deg", default=6.5)
    tx_power_dbm: float = _bounded("cells", "tx_power_dbm")


class PointGeometry(Strict):
    """A GeoJSON Point in lon/lat (EPSG:4326), inside Vietnam's extent."""

    type: Literal["Point"]
    coordinates: tuple[Lon, Lat] = Field(description="[lon, lat] in degrees (EPSG:4326), inside Vietnam")

    def lon_lat(self) -> tuple[float, float]:
        return self.coordinates


class SiteProperties(Strict):
    """A new site and the caller's cells on it."""

    site_id: str = Field(pattern=ID_PATTERN, description="Unique site (mast) id.")
    owner: str | None = Field(
        None, min_length=1, max_length=80, description="Owner of the mast (default: the caller's operator)."
    )
    mast_height_m: float = _bounded("sites", "mast_height_m")
    structure: Structure | None = None
    cells: list[CellIn] = Field(min_length=1, max_length=48, description="The caller's cells on the site.")


class SiteFeature(Strict):
    """A site as a GeoJSON Feature."""

    type: Literal["Feature"]
    geometry: PointGeometry
    properties: SiteProperties


class SiteUpdate(Strict):
    """Changes to a site: location, height and structure (owner only) and/or the caller's cells."""

    geometry: PointGeometry | None = None
    mast_height_m: float | None = _bounded("sites", "mast_height_m", default=None)
    structure: Structure | None = None
    cells: list[CellIn] | None = Field(
        None, max_length=48, description="The caller's cells on the site, replacing the caller's current ones."
    )


class ChangeAccepted(BaseModel):
    """A change that was stored; coverage figures follow once recomputed."""

    site_id: str
    action: Literal["created", "updated", "deleted"]
    recomputing: bool
    detail: str


class StatusOut(BaseModel):
    """How fresh the figures are."""

    state: Literal["starting", "ready", "recomputing", "error"]
    recomputing: bool
    version: int
    computed_at: float | None = Field(None, description="Unix time of the figures served.")
    stale_areas: list[dict[str, Any]] = Field(
        default_factory=list, description="Areas whose figures are being recomputed (centre lon/lat, radius m)."
    )
    error: str | None = None


class KpiRow(BaseModel):
    """One indicator of one unit against the plan."""

    unit_code: str
    unit_name: str
    level: str
    period: str
    indicator: str
    label_en: str | None = None
    label_vi: str | None = None
    value: float | None = None
    target: float | None = None
    unit: str | None = None
    direction: str | None = None
    gap: float | None = None
    status: str
    reason: str | None = None
    numerator: float | None = None
    denominator: float | None = None
    basis: str | None = None


class KpiOut(BaseModel):
    """The scorecard of the chosen units."""

    status: StatusOut
    plan: str
    rules: list[str]
    kpis: list[KpiRow]


class FeatureCollection(BaseModel):
    """A GeoJSON FeatureCollection (EPSG:4326)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[dict[str, Any]]


# -- site planning (``/api/candidates``) ----------------------------------------------------------------------

MOBILE_OPERATORS: tuple[str, ...] = tuple(o for o, v in operators().items() if v.mobile)
MobileOperator = Literal[MOBILE_OPERATORS]  # type: ignore[valid-type]
MAX_PLAN_SITES = 500


class CandidatesRequest(Strict):
    """A site plan for one operator's technology: the best ``sites`` new sites, or the cheapest set reaching a
    ``target`` share of covered hamlets (exactly one of the two)."""

    operator: MobileOperator = Field(description="Mobile operator the sites are planned for.")
    technology: Literal["4G", "5G"] = Field(description="Technology of the new cells.")
    sites: int | None = Field(None, ge=1, le=MAX_PLAN_SITES, description="Best this many new sites (maximal covering).")
    target: float | None = Field(
        None,
        gt=0.0,
        le=1.0,
        description="Share of hamlets (0-1] to bring to 'covered' (any operator) with the cheapest sites.",
    )
    area: str | None = Field(
        None, pattern=ID_PATTERN, description="District or commune code (before or after 2025): plan for its hamlets."
    )
    verify: bool = Field(
        False, description="Recompute the scorecard with the full radio engine (slow: tens of seconds)."
    )

    @model_validator(mode="after")
    def _sites_or_target(self) -> CandidatesRequest:
        if (self.sites is None) == (self.target is None):
            raise ValueError("give exactly one of `sites` (number of sites) or `target` (share of hamlets)")
        return self


class SolverOut(BaseModel):
    """The optimisation's figures."""

    objective: float | None = Field(None, description="People covered (sites) or cost in new-mast units (target).")
    bound: float | None = Field(None, description="Bound on the objective (LP relaxation).")
    gap: float | None = Field(None, description="Relative distance between objective and bound.")
    seconds: float | None = None
    method: str | None = None


class ScorecardChange(BaseModel):
    """A province indicator before and after the plan (estimated; ``after`` once verified by the engine)."""

    indicator: str
    before: float | None = None
    after_estimate: float | None = None
    after: float | None = None


class CandidatesResult(BaseModel):
    """A solved site plan: ranked sites (GeoJSON), solver figures and the scorecard change."""

    job_id: str
    status_url: str
    version: int = Field(description="Version of the figures the plan was computed on.")
    operator: str
    technology: str
    mode: Literal["sites", "target"]
    sites: int | None = None
    target: float | None = None
    area: str | None = None
    verified: bool
    solver: SolverOut
    scorecard: list[ScorecardChange]
    stats: dict[str, Any]
    ranked: FeatureCollection


class JobAccepted(BaseModel):
    """A plan being computed: poll ``status_url``."""

    job_id: str
    status: Literal["queued", "running", "done", "failed"]
    status_url: str


class JobOut(BaseModel):
    """A planning job: its state, and the plan once done (or the error)."""

    job_id: str
    status: Literal["queued", "running", "done", "failed"]
    progress: str
    created: float = Field(description="Unix time.")
    started: float | None = None
    finished: float | None = None
    version: int = Field(description="Version of the figures the job computes on.")
    stale: bool = Field(description="The figures have changed since: submit the request again for a fresh plan.")
    error: str | None = None
    result: CandidatesResult | None = None
