"""The service's HTML pages: the coverage-gap map, the sharing map, the candidate sites map (folium/Leaflet)
and the landing page.

Pages load nothing from the internet but the background tiles (``settings.map_tiles``): Leaflet comes from
``/static/leaflet/`` (:class:`LeafletMap` replaces folium's CDN links), and nothing used here needs jQuery or
Bootstrap (plain Leaflet tooltips, GeoJSON popups and the layer control).

Each map sends only the chosen unit's hamlets and dead zones (and the points within its bounds plus a margin);
geometries are simplified in UTM and rounded to 5 decimals (≈ 1 m). A view of more than
:attr:`MapOptions.max_hamlets` hamlets shows communes coloured by their share of covered hamlets instead.
Rendered pages and coverage images are cached per query and state version (:class:`PageCache`).

All texts are in ``api/texts.toml`` (Vietnamese and English).
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import json
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Figure
from jinja2 import Environment
from PIL import Image

from api.cache import PageCache
from api.views import Unit, UnknownUnitError, find_unit, hamlet_view, hamlets_in, round_coords, sites_view
from coverage.assess.report import (
    DEAD_ZONE_COLOUR,
    FAP_COLOUR,
    HAMLET_STATUSES,
    SITE_COLOUR,
    STATUS_COLOURS,
    number_format,
)
from coverage.layers.crs import utm_crs_for

LANGUAGES = ("vi", "en")
SHARING_INDICATORS = ("bts_site_sharing", "pole_sharing", "duct_sharing")
LEAFLET_JS = "/static/leaflet/leaflet.js"
LEAFLET_CSS = "/static/leaflet/leaflet.css"
TEXTS_FILE = Path(__file__).resolve().parent / "texts.toml"

SHARE_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, STATUS_COLOURS["not covered"]),
    (0.5, STATUS_COLOURS["partly covered"]),
    (0.8, "#a6d96a"),
    (0.95, STATUS_COLOURS["covered"]),
)
"""Colours of a commune's share of covered hamlets (lower bound, colour)."""
SHARED_COLOUR = "#6a3d9a"
SINGLE_COLOUR = "#ff7f00"
SHARING_COLOURS = {
    "met": STATUS_COLOURS["covered"],
    "near": STATUS_COLOURS["partly covered"],
    "far": STATUS_COLOURS["not covered"],
    "na": STATUS_COLOURS["not assessed"],
}
COVERED_RGBA = (255, 255, 255, 0)
UNCOVERED_RGBA = (49, 27, 146, 90)  # translucent indigo: apart from every hamlet status colour


@dataclass(frozen=True)
class MapOptions:
    """Map page options (``app.state.map_options`` overrides the defaults)."""

    max_hamlets: int = 3000
    """Above this many hamlets in a view, communes are drawn (coloured by share of covered hamlets)."""
    simplify_m: float = 15.0
    """Tolerance of the display simplification of polygons, m (in UTM, topology preserved)."""
    margin_m: float = 2000.0
    """Sites, fibre points, poles and ducts are sent within the unit's bounds plus this margin."""
    raster_res_m: float = 75.0
    """Pixel size of the coverage image overlay (ground metres)."""
    cache_size: int = 64
    """Rendered pages and images kept per state."""


# ------------------------------------------------------------------------------------------------------------
# texts and numbers
# ------------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _all_texts() -> dict[str, Any]:
    with TEXTS_FILE.open("rb") as fh:
        return tomllib.load(fh)


def texts(lang: str = "vi") -> dict[str, Any]:
    """The pages' texts in ``lang`` (``api/texts.toml``); KeyError for another language."""
    if lang not in LANGUAGES:
        raise KeyError(f"language {lang!r} is not available (use {' or '.join(LANGUAGES)})")
    return _all_texts()[lang]


def fmt_num(x: Any, lang: str, digits: int = 0) -> str:
    """``1.234,5`` (vi) or ``1,234.5`` (en); ``–`` for a missing value (the offline report's format)."""
    return number_format(lang).num(x, digits)


def fmt_pct(share: Any, lang: str, digits: int = 0) -> str:
    """A share 0–1 as ``43 %``; a share short of 1 is never shown as 100 % (the offline report's rule)."""
    return number_format(lang).pct(share, digits).replace("%", " %")


def _esc(x: Any) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)) or x is pd.NA:
        return ""
    return html.escape(str(x))


# ------------------------------------------------------------------------------------------------------------
# cache
# ------------------------------------------------------------------------------------------------------------


# ------------------------------------------------------------------------------------------------------------
# folium without CDNs
# ------------------------------------------------------------------------------------------------------------


class LeafletMap(folium.Map):
    """A folium map that includes only the vendored Leaflet (no jQuery, Bootstrap or icon fonts)."""

    # folium's JSCSSMixin declares these as (instance) attributes, so they cannot be overridden as ClassVar
    default_js: list[tuple[str, str]] = [("leaflet", LEAFLET_JS)]  # noqa: RUF012
    default_css: list[tuple[str, str]] = [("leaflet_css", LEAFLET_CSS)]  # noqa: RUF012


PAGE_CSS = """
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font-family: system-ui, "Segoe UI", Roboto, Arial, sans-serif; }
.folium-map { flex: 1 1 auto; min-height: 0; height: auto !important; }
.folium-map.leaflet-container { background: #f4f3ee; }
form.bar { order: -1; display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; padding: 6px 10px;
  background: #16325c; color: #fff; font-size: 14px; }
form.bar a { color: #fff; font-weight: 600; text-decoration: none; margin-right: 6px; }
form.bar label { display: inline-flex; gap: 4px; align-items: center; }
form.bar select { font-size: 13px; max-width: 16em; }
form.bar button { font-size: 13px; }
form.bar input { font-size: 13px; width: 5.5em; }
.box { position: fixed; bottom: 56px; left: 10px; z-index: 1000; background: rgba(255,255,255,.95);
  padding: 7px 10px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.35); font-size: 12.5px; max-width: 26em; }
.box table { border-collapse: collapse; margin-top: 3px; }
.box th, .box td { text-align: left; padding: 1px 8px 1px 0; }
.box td.num { text-align: right; }
.cand { display: flex; align-items: center; justify-content: center; width: 22px; height: 22px; border-radius: 50%;
  color: #fff; font: 700 12px/1 system-ui, Arial, sans-serif; border: 2px solid #fff; box-shadow: 0 0 3px #000; }
.note { order: -1; padding: 5px 10px; background: #fff3cd; color: #5c4500; font-size: 14px; }
.legend { position: fixed; bottom: 26px; right: 10px; z-index: 1000; background: rgba(255,255,255,.93);
  padding: 7px 10px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.35); font-size: 12.5px; line-height: 1.55;
  max-width: 22em; }
.legend b { display: block; margin-bottom: 2px; }
.legend i { display: inline-block; width: 13px; height: 13px; margin-right: 6px; vertical-align: -2px;
  border: 1px solid #777; }
.legend i.dot { border-radius: 50%; width: 9px; height: 9px; margin: 0 8px 0 2px; }
.legend i.line { height: 0; border-width: 2px 0 0 0; vertical-align: 4px; }
.leaflet-popup-content table, .leaflet-tooltip table { border-collapse: collapse; }
.leaflet-popup-content th, .leaflet-tooltip th { text-align: left; padding-right: 8px; font-weight: 600; }
"""


def _new_map(bounds: tuple[float, float, float, float], tiles: str) -> LeafletMap:
    west, south, east, north = bounds
    m = LeafletMap(
        location=[(south + north) / 2.0, (west + east) / 2.0],
        tiles=None,
        zoom_start=11,
        prefer_canvas=True,
        control_scale=True,
    )
    if tiles == "OpenStreetMap":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    return m


def _finish(m: LeafletMap, t: Mapping[str, Any], title: str, parts: Iterable[str]) -> str:
    """The full page: the map plus the filter bar, notes and legend (``parts``, HTML) and the page CSS."""
    root = m.get_root()
    assert isinstance(root, Figure), "a folium map is always inside a Figure"
    root.header.add_child(folium.Element(f"<title>{_esc(title)}</title><style>{PAGE_CSS}</style>"), name="page_css")
    for i, part in enumerate(parts):
        root.html.add_child(folium.Element(part), name=f"part_{i}")
    folium.LayerControl(collapsed=True).add_to(m)
    page = _unescape_non_ascii(root.render())
    return page.replace("<html>", f'<html lang="{t["html_lang"]}">', 1)


_JSON_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9a-fA-F]{4})")


def _unescape_non_ascii(page: str) -> str:
    """Literal UTF-8 for the ``\\uXXXX`` escapes folium's JSON gives non-ASCII letters (readable, smaller).

    ASCII escapes (folium's ``<``, ``>``, ``&``, ``'`` guards), surrogates and line separators stay escaped.
    """

    def one(m: re.Match[str]) -> str:
        cp = int(m.group(2), 16)
        if cp < 0xA0 or 0xD800 <= cp <= 0xDFFF or cp in (0x2028, 0x2029):
            return m.group(0)
        return m.group(1) + chr(cp)

    return _JSON_ESCAPE.sub(one, page)


def _legend(title: str, rows: Iterable[tuple[str, str, str]], footer: str = "") -> str:
    """A legend box: rows of (kind fill|dot|line, colour, label)."""
    items = []
    for kind, colour, label in rows:
        style = f"border-color:{colour}" if kind == "line" else f"background:{colour}"
        cls = "" if kind == "fill" else f' class="{kind}"'
        items.append(f'<div><i{cls} style="{style}"></i>{_esc(label)}</div>')
    foot = f'<div style="margin-top:3px">{_esc(footer)}</div>' if footer else ""
    return f'<div class="legend"><b>{_esc(title)}</b>{"".join(items)}{foot}</div>'


# ------------------------------------------------------------------------------------------------------------
# geometry for display
# ------------------------------------------------------------------------------------------------------------


def display_frame(frame: gpd.GeoDataFrame, tolerance_m: float, decimals: int = 5) -> gpd.GeoDataFrame:
    """``frame`` simplified in its UTM zone (``preserve_topology``), back in EPSG:4326, coordinates rounded."""
    if frame.empty:
        return frame.to_crs(4326) if frame.crs is not None else frame
    if tolerance_m > 0 and not frame.geom_type.isin(["Point", "MultiPoint"]).all():
        utm = frame.to_crs(utm_crs_for(frame))
        utm["geometry"] = utm.geometry.simplify(tolerance_m, preserve_topology=True)
        frame = utm
    out = round_coords(frame, decimals)
    return out[out.geometry.notna() & ~out.geometry.is_empty]


def _display_layer(
    cache: PageCache, project: Any, result: Any, name: str, frame: gpd.GeoDataFrame, tol: float
) -> gpd.GeoSeries:
    """Display geometries of a whole layer (cached per state), aligned on ``frame``'s index."""
    return cache.get(("geom", name, tol), project, result, lambda: display_frame(frame[["geometry"]], tol).geometry)


def _with_display_geometry(frame: gpd.GeoDataFrame, geoms: gpd.GeoSeries) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame(pd.DataFrame(frame.drop(columns="geometry")), geometry=geoms.reindex(frame.index), crs=4326)
    return out[out.geometry.notna()]


def _fc(frame: gpd.GeoDataFrame, columns: list[str]) -> dict:
    """A FeatureCollection of ``columns`` (the first one unique: folium uses it as the feature id)."""
    return json.loads(gpd.GeoDataFrame(frame[columns], geometry=frame.geometry).to_json(drop_id=True, na="null"))


def _expand(bounds: tuple[float, float, float, float], margin_m: float) -> tuple[float, float, float, float]:
    west, south, east, north = bounds
    dlat = margin_m / 111_320.0
    dlon = margin_m / (111_320.0 * max(0.2, math.cos(math.radians((south + north) / 2.0))))
    return west - dlon, south - dlat, east + dlon, north + dlat


def _within(frame: gpd.GeoDataFrame, bounds: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    if frame.empty:
        return frame
    west, south, east, north = bounds
    return frame.cx[west:east, south:north]


# ------------------------------------------------------------------------------------------------------------
# coverage image overlay
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overlay:
    """A PNG (data URL) in EPSG:3857 and its EPSG:4326 bounds ``[[south, west], [north, east]]``."""

    url: str
    bounds: list[list[float]]
    png_bytes: int


def coverage_overlay(project: Any, result: Any, technology: str, operator: str, res_m: float) -> Overlay | None:
    """The covered mask of (technology, operator) as a translucent PNG reprojected to EPSG:3857.

    Uncovered pixels inside the province translucent grey, covered pixels and the rest transparent; ``res_m``
    ground metres per pixel (mode resampling). None when the assessment has no such mask.
    """
    from rasterio.enums import Resampling
    from rasterio.features import geometry_mask
    from rasterio.warp import calculate_default_transform, reproject, transform_bounds

    covered = result.covered.get((technology, operator))
    if covered is None:
        return None
    grid = result.population.grid
    src = np.where(covered, 1, 0).astype(np.uint8)
    admin = project["admin_units"]
    province = admin[(admin["level"] == "province") & (admin["period"] == "pre2025")]
    if not province.empty:
        shapes = province.to_crs(grid.crs).geometry
        outside = geometry_mask(shapes, out_shape=(grid.height, grid.width), transform=grid.transform)
        src[outside] = 255
    lat = float(np.mean(transform_bounds(grid.crs, "EPSG:4326", *grid.bounds)[1::2]))
    res = res_m / max(0.2, math.cos(math.radians(lat)))  # EPSG:3857 metres are stretched by 1 / cos(lat)
    dst_transform, width, height = calculate_default_transform(
        grid.crs, "EPSG:3857", grid.width, grid.height, *grid.bounds, resolution=res
    )
    dst = np.full((height, width), 255, dtype=np.uint8)
    reproject(
        src,
        dst,
        src_transform=grid.transform,
        src_crs=grid.crs,
        src_nodata=255,
        dst_transform=dst_transform,
        dst_crs="EPSG:3857",
        dst_nodata=255,
        resampling=Resampling.mode,
    )
    index = np.where(dst == 255, 2, dst).astype(np.uint8)  # 0 not covered, 1 covered, 2 outside
    img = Image.fromarray(index, mode="P")
    img.putpalette([*UNCOVERED_RGBA[:3], *COVERED_RGBA[:3], 255, 255, 255])
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True, transparency=bytes([UNCOVERED_RGBA[3], COVERED_RGBA[3], 0]))
    data = buf.getvalue()
    left, top = dst_transform.c, dst_transform.f
    right, bottom = left + width * dst_transform.a, top + height * dst_transform.e
    west, south, east, north = transform_bounds("EPSG:3857", "EPSG:4326", left, bottom, right, top)
    return Overlay(
        "data:image/png;base64," + base64.b64encode(data).decode("ascii"),
        [[round(south, 6), round(west, 6)], [round(north, 6), round(east, 6)]],
        len(data),
    )


# ------------------------------------------------------------------------------------------------------------
# filter bar
# ------------------------------------------------------------------------------------------------------------

_env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)

_BAR = _env.from_string(
    """
<form class="bar" method="get" action="{{ action }}"{% if onsubmit %} onsubmit="{{ onsubmit }}"{% endif %}>
  <a href="/?lang={{ lang }}">{{ t.home }}</a><span>{{ title }}</span>
  {% for name, label, options, onchange in selects %}
  <label>{{ label }}
    <select name="{{ name }}"{% if onchange %} onchange="{{ onchange }}"{% endif %}>
    {% for group, opts in options %}
      {% if group %}<optgroup label="{{ group }}">{% endif %}
      {% for value, text, selected in opts %}
      <option value="{{ value }}"{% if selected %} selected{% endif %}>{{ text }}</option>
      {% endfor %}
      {% if group %}</optgroup>{% endif %}
    {% endfor %}
    </select>
  </label>
  {% endfor %}
  {% for name, label, value, attrs, oninput in inputs or [] %}
  <label>{{ label }}
    <input name="{{ name }}" value="{{ value }}"{% for k, v in attrs %} {{ k }}="{{ v }}"{% endfor %}
      {%- if oninput %} oninput="{{ oninput }}"{% endif %}>
  </label>
  {% endfor %}
  <button type="submit">{{ t.show }}</button>
</form>
"""
)

_CLEAR_UNIT = "this.form.district&&(this.form.district.value='');this.form.commune.value='';this.form.submit()"
_CLEAR_COMMUNE = "this.form.commune.value='';this.form.submit()"
_SUBMIT = "this.form.submit()"


def _unit_selects(project: Any, unit: Unit, t: Mapping[str, Any]) -> list[tuple]:
    """Selects of district and commune (pre-2025) or new commune (post-2025) for ``unit``."""
    admin = project["admin_units"]
    units = admin[admin["period"] == unit.period].sort_values("name")
    communes = units[units["level"] == "commune"]
    out: list[tuple] = []
    district = None
    if unit.level == "district":
        district = unit.code
    elif unit.level == "commune" and unit.period == "pre2025":
        parent = units.loc[units["unit_code"] == unit.code, "parent_code"]
        district = str(parent.iloc[0]) if len(parent) and pd.notna(parent.iloc[0]) else None
    commune = unit.code if unit.level == "commune" else None
    if unit.period == "pre2025":
        districts = units[units["level"] == "district"]
        opts = [("", t["all_districts"], district is None)] + [
            (str(c), str(n), str(c) == district) for c, n in zip(districts["unit_code"], districts["name"], strict=True)
        ]
        out.append(("district", t["district"], [(None, opts)], _CLEAR_COMMUNE))
        groups = []
        for dcode, dname in zip(districts["unit_code"], districts["name"], strict=True):
            if district is not None and str(dcode) != district:
                continue
            sub = communes[communes["parent_code"].astype("string") == str(dcode)]
            groups.append(
                (
                    str(dname),
                    [(str(c), str(n), str(c) == commune) for c, n in zip(sub["unit_code"], sub["name"], strict=True)],
                )
            )
        options = [(None, [("", t["all_communes"], commune is None)]), *groups]
    else:
        options = [
            (
                None,
                [("", t["all_communes"], commune is None)]
                + [
                    (str(c), str(n), str(c) == commune)
                    for c, n in zip(communes["unit_code"], communes["name"], strict=True)
                ],
            )
        ]
    out.append(("commune", t["commune"], options, _SUBMIT))
    return out


def _common_selects(unit: Unit, lang: str, t: Mapping[str, Any]) -> tuple[tuple, tuple]:
    period = (
        "period",
        t["period"],
        [(None, [(p, t[p], p == unit.period) for p in ("pre2025", "post2025")])],
        _CLEAR_UNIT,
    )
    language = (
        "lang",
        t["language"],
        [(None, [("vi", "Tiếng Việt", lang == "vi"), ("en", "English", lang == "en")])],
        _SUBMIT,
    )
    return period, language


def _status_note(status: Any, t: Mapping[str, Any]) -> str:
    if status.state == "recomputing":
        return f'<div class="note">{_esc(t["status_recomputing"])}</div>'
    if status.state == "error":
        return f'<div class="note">{_esc(t["status_error"].format(error=status.error or ""))}</div>'
    return ""


# ------------------------------------------------------------------------------------------------------------
# the gap map
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapsQuery:
    technology: str = "broadband"
    operator: str = "any"
    code: str | None = None
    period: str = "pre2025"
    lang: str = "vi"


def _admin_lines(
    m: folium.Map, project: Any, cache: PageCache, result: Any, period: str, bounds: tuple, t: Mapping[str, Any]
) -> None:
    """Commune (and, before 2025, district) boundaries around the view, as thin lines."""
    admin = project["admin_units"]
    for level, colour, weight, label in (
        ("commune", "#555555", 0.8, "layer_communes"),
        ("district", "#111111", 2.2, "layer_districts"),
    ):
        sel = admin[(admin["period"] == period) & (admin["level"] == level)]
        if sel.empty:
            continue
        geoms = _display_layer(cache, project, result, f"admin/{period}/{level}", sel, 20.0)
        view = _within(_with_display_geometry(sel[["unit_code", "name", "geometry"]], geoms), bounds)
        if view.empty:
            continue
        view = view.assign(name=view["name"].map(_esc))
        folium.GeoJson(
            _fc(view, ["unit_code", "name"]),
            name=t[label],
            style_function=lambda f, c=colour, w=weight: {"color": c, "weight": w, "fill": False, "opacity": 0.9},
            tooltip=None,
            interactive=False,
        ).add_to(m)


def _share_colour(share: float) -> str:
    if not math.isfinite(share):
        return STATUS_COLOURS["no people"]
    colour = SHARE_BANDS[0][1]
    for lower, c in SHARE_BANDS:
        if share >= lower - 1e-9:
            colour = c
    return colour


def gaps_page(
    project: Any,
    result: Any,
    status: Any,
    q: GapsQuery,
    *,
    tiles: str = "OpenStreetMap",
    options: MapOptions = MapOptions(),
    cache: PageCache | None = None,
) -> str:
    """The coverage-gap map of one unit (raises UnknownUnitError / KeyError for an unknown unit / coverage)."""
    cache = cache or PageCache(options.cache_size)
    t = texts(q.lang)
    unit = find_unit(project, q.code, q.period)
    view = hamlet_view(result, q.technology, q.operator)
    view = view[hamlets_in(result, unit)]
    bounds = unit.bounds
    wide = _expand(bounds, options.margin_m)
    m = _new_map(bounds, tiles)
    st = t["status"]

    overlay = cache.get(
        ("png", q.technology, q.operator, options.raster_res_m),
        project,
        result,
        lambda: coverage_overlay(project, result, q.technology, q.operator, options.raster_res_m),
    )
    if overlay is not None:
        folium.raster_layers.ImageOverlay(
            image=overlay.url, bounds=overlay.bounds, name=t["layer_coverage"], opacity=1.0, interactive=False
        ).add_to(m)

    parts: list[str] = []
    legend_rows: list[tuple[str, str, str]] = []
    choropleth = len(view) > options.max_hamlets
    if choropleth:
        _commune_shares(m, project, result, cache, view, unit, q, t)
        parts.append(f'<div class="note">{_esc(t["too_many"].format(n=fmt_num(len(view), q.lang)))}</div>')
        legend_rows += [("fill", c, t[f"share_band_{i}"]) for i, (_, c) in enumerate(SHARE_BANDS)]
    else:
        _hamlet_layer(m, project, result, cache, view, q.lang, t, options)
        legend_rows += [("fill", STATUS_COLOURS[s], st[s]) for s in HAMLET_STATUSES]
        _dead_zones(m, project, result, cache, unit, q, t, options)
        legend_rows.append(("fill", DEAD_ZONE_COLOUR, t["layer_dead_zones"]))

    _admin_lines(m, project, cache, result, q.period, wide, t)  # above the areas, below the points
    if overlay is not None:
        rgba = "rgba({},{},{},{:.2f})".format(*UNCOVERED_RGBA[:3], UNCOVERED_RGBA[3] / 255)
        legend_rows.append(("fill", rgba, t["legend_uncovered_area"]))
    _sites(m, project, wide, q, t)
    legend_rows.append(("dot", SITE_COLOUR, t["layer_sites"]))
    if not choropleth and "fibre_points" in project:
        _fibre_points(m, project, wide, q, t)
        legend_rows.append(("dot", FAP_COLOUR, t["layer_fibre"]))
    legend_rows += [("line", "#111111", t["layer_districts"]), ("line", "#555555", t["layer_communes"])]

    tech_opts = [(x, t[x], x == q.technology) for x in ("broadband", "4G", "5G")]
    ops = sorted(set(result.coverage["operator"]) - {"any"})
    op_opts = [("any", t["any_operator"], q.operator == "any")] + [(o, o, o == q.operator) for o in ops]
    period, language = _common_selects(unit, q.lang, t)
    selects = [
        ("technology", t["technology"], [(None, tech_opts)], _SUBMIT),
        ("operator", t["operator"], [(None, op_opts)], _SUBMIT),
        period,
        *_unit_selects(project, unit, t),
        language,
    ]
    title = f"{t['gaps_title']} – {unit.name}"
    bar = _BAR.render(action="/maps/gaps", lang=q.lang, t=t, title=title, selects=selects)
    legend = _legend(
        f"{t[q.technology]} · {t['any_operator'] if q.operator == 'any' else q.operator}",
        legend_rows,
        t["predicted_note"],
    )
    return _finish(m, t, title, [bar, *parts, _status_note(status, t), legend])


def _hamlet_layer(
    m: folium.Map,
    project: Any,
    result: Any,
    cache: PageCache,
    view: gpd.GeoDataFrame,
    lang: str,
    t: Mapping[str, Any],
    options: MapOptions,
) -> None:
    """Hamlets of ``view`` (:func:`api.views.hamlet_view` rows) filled by their status, with a tooltip."""
    st = t["status"]
    geoms = _display_layer(cache, project, result, "hamlets", result.hamlets, options.simplify_m)
    hv = _with_display_geometry(view, geoms)
    props = pd.DataFrame(
        {
            "hamlet_id": hv["hamlet_id"].astype(str),
            "name": hv["name"].map(_esc),
            "commune": hv.get("commune_name", pd.Series("", index=hv.index)).map(_esc),
            "people": hv["population"].map(lambda v: fmt_num(v, lang)),
            "share": hv["share_people"].map(lambda v: fmt_pct(v, lang)),
            "status": hv["status"].map(lambda s: st.get(s, s)),
            "s": hv["status"],
        },
        index=hv.index,
    )
    hv = gpd.GeoDataFrame(props, geometry=hv.geometry, crs=4326)
    if len(hv):
        folium.GeoJson(
            _fc(hv, list(props.columns)),
            name=t["layer_hamlets"],
            style_function=lambda f: {
                "fillColor": STATUS_COLOURS.get(f["properties"]["s"], "#bdbdbd"),
                "color": "#ffffff",
                "weight": 0.8,
                "fillOpacity": 0.5,
            },
            highlight_function=lambda f: {"weight": 2.5, "color": "#222222"},
            tooltip=folium.GeoJsonTooltip(
                fields=["name", "commune", "people", "share", "status"],
                aliases=[t["f_hamlet"], t["f_commune"], t["f_population"], t["f_share_people"], t["f_status"]],
                sticky=True,
            ),
        ).add_to(m)


def _commune_shares(
    m: folium.Map,
    project: Any,
    result: Any,
    cache: PageCache,
    view: gpd.GeoDataFrame,
    unit: Unit,
    q: GapsQuery,
    t: Mapping[str, Any],
) -> None:
    """Communes of ``unit`` coloured by their share of covered hamlets (the view of a large area)."""
    col = "commune_code" if q.period == "pre2025" else "commune_2025_code"
    grouped = view.groupby(view[col].astype("string"))["status"]
    total = grouped.size()
    covered = grouped.apply(lambda s: int((s == "covered").sum()))
    cv = _commune_view(project, result, cache, unit, q.period)
    codes = cv["unit_code"].astype(str)
    n = codes.map(total).fillna(0).astype(int)
    k = codes.map(covered).fillna(0).astype(int)
    share = np.where(n > 0, k / n.where(n > 0, 1), np.nan)
    link = [
        f'<a href="/maps/gaps?technology={q.technology}&operator={q.operator}&period={q.period}&lang={q.lang}'
        f'&code={_esc(c)}">{_esc(t["open_commune"])}</a>'
        for c in codes
    ]
    props = pd.DataFrame(
        {
            "unit_code": codes,
            "name": cv["name"].map(_esc),
            "covered": [
                f"{fmt_num(a, q.lang)} / {fmt_num(b, q.lang)} ({fmt_pct(s, q.lang)})"
                for a, b, s in zip(k, n, share, strict=True)
            ],
            "colour": [_share_colour(s) for s in share],
            "link": link,
        },
        index=cv.index,
    )
    tooltip = folium.GeoJsonTooltip(
        fields=["name", "covered"], aliases=[t["f_commune"], t["f_hamlets_covered"]], sticky=True
    )
    popup = folium.GeoJsonPopup(
        fields=["name", "covered", "link"], aliases=[t["f_commune"], t["f_hamlets_covered"], ""]
    )
    _commune_fill(m, cv, props, t["layer_choropleth"], 0.65, tooltip, popup)


def _commune_fill(
    m: folium.Map,
    cv: gpd.GeoDataFrame,
    props: pd.DataFrame,
    name: str,
    opacity: float,
    tooltip: folium.GeoJsonTooltip,
    popup: folium.GeoJsonPopup | None = None,
) -> None:
    """Communes of ``cv`` as one layer, filled with the ``colour`` of their properties ``props``."""
    frame = gpd.GeoDataFrame(props, geometry=cv.geometry, crs=4326)
    folium.GeoJson(
        _fc(frame, list(props.columns)),
        name=name,
        style_function=lambda f: {
            "fillColor": f["properties"]["colour"],
            "color": "#555555",
            "weight": 0.8,
            "fillOpacity": opacity,
        },
        tooltip=tooltip,
        popup=popup,
    ).add_to(m)


def _period_communes(project: Any, period: str) -> gpd.GeoDataFrame:
    admin = project["admin_units"]
    return admin[(admin["period"] == period) & (admin["level"] == "commune")]


def _commune_view(project: Any, result: Any, cache: PageCache, unit: Unit, period: str) -> gpd.GeoDataFrame:
    """The communes of ``unit`` (code, name) with the display geometry of ``period``'s communes (cached)."""
    communes = _unit_communes(project, unit)
    geoms = _display_layer(cache, project, result, f"admin/{period}/commune", _period_communes(project, period), 20.0)
    return _with_display_geometry(communes[["unit_code", "name", "geometry"]], geoms)


def _unit_communes(project: Any, unit: Unit) -> gpd.GeoDataFrame:
    communes = _period_communes(project, unit.period)
    if unit.level == "commune":
        return communes[communes["unit_code"].astype(str) == unit.code]
    if unit.level == "district":
        return communes[communes["parent_code"].astype("string") == unit.code]
    return communes


def _dead_zones(
    m: folium.Map,
    project: Any,
    result: Any,
    cache: PageCache,
    unit: Unit,
    q: GapsQuery,
    t: Mapping[str, Any],
    options: MapOptions,
) -> None:
    dz = result.dead_zones
    if dz is None or dz.empty:
        return
    if unit.level != "province":
        col = {
            "district": "district_code",
            "commune": "commune_code" if unit.period == "pre2025" else "commune_2025_code",
        }[unit.level]
        dz = dz[dz[col].astype("string") == unit.code]
    if dz.empty:
        return
    geoms = _display_layer(cache, project, result, "dead_zones", result.dead_zones, options.simplify_m)
    dv = _with_display_geometry(dz, geoms)
    ops = sorted(
        c[len("nearest_site_") :] for c in dv.columns if c.startswith("nearest_site_") and not c.endswith("_km")
    )

    def nearest(row: pd.Series) -> str:
        bits = []
        for o in ops:
            site, km = row.get(f"nearest_site_{o}"), row.get(f"nearest_site_{o}_km")
            if site is None or (isinstance(site, float) and math.isnan(site)) or site is pd.NA:
                continue
            bits.append(f"{_esc(o)}: {_esc(site)} ({fmt_num(km, q.lang, 1)} km)")
        return "<br>".join(bits)

    props = pd.DataFrame(
        {
            "zone_id": dv["zone_id"].astype(str),
            "hamlet": dv["hamlet_name"].map(_esc) if "hamlet_name" in dv else "",
            "people": dv["population"].map(lambda v: fmt_num(v, q.lang)),
            "area_ha": dv["area_m2"].map(lambda v: fmt_num(v / 1e4, q.lang, 1)),
            "nearest": dv.apply(nearest, axis=1) if len(dv) else [],
        },
        index=dv.index,
    )
    frame = gpd.GeoDataFrame(props, geometry=dv.geometry, crs=4326)
    folium.GeoJson(
        _fc(frame, list(props.columns)),
        name=t["layer_dead_zones"],
        style_function=lambda f: {
            "fillColor": DEAD_ZONE_COLOUR,
            "color": DEAD_ZONE_COLOUR,
            "weight": 1,
            "fillOpacity": 0.75,
        },
        popup=folium.GeoJsonPopup(
            fields=["zone_id", "hamlet", "people", "area_ha", "nearest"],
            aliases=[t["f_zone"], t["f_hamlet"], t["f_people"], t["f_area_ha"], t["f_nearest"]],
        ),
    ).add_to(m)


def _site_props(sites: gpd.GeoDataFrame, extra: Mapping[str, Any] | None = None) -> gpd.GeoDataFrame:
    props = pd.DataFrame(
        {
            "site_id": sites["site_id"].astype(str).map(_esc),
            "owner": sites["owner"].map(_esc),
            "tenants": sites["tenants"].fillna("").astype(str).str.replace(";", ", ").map(_esc),
            "technologies": sites["technologies"].astype(str).str.replace(";", ", ").map(_esc),
            "cells": sites["cells"].astype(int),
            **(extra or {}),
        },
        index=sites.index,
    )
    return gpd.GeoDataFrame(props, geometry=round_coords(sites[["geometry"]], 5).geometry, crs=4326)


def _site_popup(t: Mapping[str, Any]) -> folium.GeoJsonPopup:
    return folium.GeoJsonPopup(
        fields=["site_id", "owner", "tenants", "technologies", "cells"],
        aliases=[t["f_site"], t["f_owner"], t["f_tenants"], t["f_technologies"], t["f_cells"]],
    )


def _sites(m: folium.Map, project: Any, bounds: tuple, q: GapsQuery, t: Mapping[str, Any]) -> None:
    op = None if q.operator == "any" else q.operator
    tech = None if q.technology == "broadband" else q.technology
    sites = _within(sites_view(project, op, tech), bounds)
    if sites.empty:
        return
    frame = _site_props(sites)
    folium.GeoJson(
        _fc(frame, ["site_id", "owner", "tenants", "technologies", "cells"]),
        name=t["layer_sites"],
        marker=folium.CircleMarker(
            radius=3.5, color="#ffffff", weight=1, fill=True, fill_color=SITE_COLOUR, fill_opacity=1.0
        ),
        popup=_site_popup(t),
    ).add_to(m)


def _fibre_points(m: folium.Map, project: Any, bounds: tuple, q: GapsQuery, t: Mapping[str, Any]) -> None:
    faps = _within(project["fibre_points"], bounds)
    if faps.empty:
        return
    props = pd.DataFrame(
        {
            "fap_id": faps["fap_id"].astype(str).map(_esc),
            "kind": faps["kind"].map(_esc),
            "operator": faps["operator"].map(_esc),
            "free_ports": faps["free_ports"].map(lambda v: fmt_num(v, q.lang)),
        },
        index=faps.index,
    )
    frame = gpd.GeoDataFrame(props, geometry=round_coords(faps[["geometry"]], 5).geometry, crs=4326)
    folium.GeoJson(
        _fc(frame, list(props.columns)),
        name=t["layer_fibre"],
        show=True,
        marker=folium.CircleMarker(
            radius=2.2, color=FAP_COLOUR, weight=0, fill=True, fill_color=FAP_COLOUR, fill_opacity=0.9
        ),
        popup=folium.GeoJsonPopup(
            fields=["fap_id", "kind", "operator", "free_ports"],
            aliases=[t["f_fap"], t["f_kind"], t["f_operator"], t["f_free_ports"]],
        ),
    ).add_to(m)


# ------------------------------------------------------------------------------------------------------------
# the sharing map
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharingQuery:
    indicator: str = "bts_site_sharing"
    code: str | None = None
    period: str = "pre2025"
    lang: str = "vi"


def _shared(tenants: pd.Series) -> np.ndarray:
    n = tenants.fillna("").astype(str).map(lambda s: len({x.strip() for x in s.split(";") if x.strip()}))
    return (n >= 2).to_numpy()


def _sharing_class(value: float | np.floating, target: float | np.floating, direction: str, status: str) -> str:
    if not math.isfinite(value) or status == "not assessed":
        return "na"
    if status == "met":
        return "met"
    if not math.isfinite(target):
        return "na"
    if direction == "at_most":
        return "near" if value <= 2.0 * target else "far"
    return "near" if value >= 0.5 * target else "far"


def _fmt_kpi(value: Any, unit: str, lang: str) -> str:
    return fmt_pct(value, lang, 1) if unit == "share" else fmt_num(value, lang, 1)


def _sharing_props(
    r: pd.DataFrame, cv: gpd.GeoDataFrame, codes: pd.Series, q: SharingQuery, t: Mapping[str, Any]
) -> pd.DataFrame:
    """Each commune's value, target, assessment and fill colour, from its KPI row of ``r`` (aligned on ``codes``)."""
    kpi_status = t["kpi_status"]
    values = r["value"].astype(float).to_numpy()
    targets = r["target"].astype(float).to_numpy()
    directions = r["direction"].fillna("at_least").astype(str).to_numpy()
    statuses = r["status"].fillna("not assessed").astype(str).to_numpy()
    units = r["unit"].fillna("share").astype(str).to_numpy()
    classes = [_sharing_class(*a) for a in zip(values, targets, directions, statuses, strict=True)]
    return pd.DataFrame(
        {
            "unit_code": codes,
            "name": cv["name"].map(_esc),
            "value": [_fmt_kpi(v, u, q.lang) for v, u in zip(values, units, strict=True)],
            "target": [
                t["target_at_most" if d == "at_most" else "target_at_least"].format(value=_fmt_kpi(v, u, q.lang))
                if math.isfinite(v)
                else "–"
                for v, d, u in zip(targets, directions, units, strict=True)
            ],
            "assessed": [kpi_status.get(s, s) for s in statuses],
            "colour": [SHARING_COLOURS[c] for c in classes],
        },
        index=cv.index,
    )


def _sharing_choropleth(
    m: folium.Map, project: Any, result: Any, cache: PageCache, unit: Unit, q: SharingQuery, t: Mapping[str, Any]
) -> str:
    """Communes of ``unit`` coloured by the indicator against its target; the legend's target line ("" if none)."""
    k = result.kpis
    rows = k[(k["level"] == "commune") & (k["period"] == q.period) & (k["indicator"] == q.indicator)]
    rows = rows.drop_duplicates("unit_code").set_index(rows["unit_code"].astype(str).drop_duplicates())
    cv = _commune_view(project, result, cache, unit, q.period)
    codes = cv["unit_code"].astype(str)
    if not len(cv):
        return ""
    r = rows.reindex(codes)
    props = _sharing_props(r, cv, codes, q, t)
    finite = [i for i, v in enumerate(r["target"].astype(float).to_numpy()) if math.isfinite(v)]
    target_text = f"{t['target']}: {props['target'].iloc[finite[0]]}" if finite else ""
    tooltip = folium.GeoJsonTooltip(
        fields=["name", "value", "target", "assessed"],
        aliases=[t["f_commune"], t["f_value"], t["f_target"], t["f_assessed"]],
        sticky=True,
    )
    _commune_fill(m, cv, props, f"{t['layer_sharing']}: {t[q.indicator]}", 0.45, tooltip)
    return target_text


def _sharing_ducts(m: folium.Map, ducts: gpd.GeoDataFrame, t: Mapping[str, Any]) -> None:
    """``ducts`` as lines, shared (two tenants or more) or single, with a popup."""
    if not len(ducts):
        return
    dv = display_frame(ducts, 5.0)
    props = pd.DataFrame(
        {
            "duct_id": dv["duct_id"].astype(str).map(_esc),
            "owner": dv["owner"].map(_esc),
            "tenants": dv["tenants"].fillna("").astype(str).str.replace(";", ", ").map(_esc),
            "sh": _shared(dv["tenants"]).astype(int),
        },
        index=dv.index,
    )
    frame = gpd.GeoDataFrame(props, geometry=dv.geometry, crs=4326)
    folium.GeoJson(
        _fc(frame, list(props.columns)),
        name=f"{t['layer_ducts_shared']} / {t['layer_ducts_single']}",
        style_function=lambda f: {
            "color": SHARED_COLOUR if f["properties"]["sh"] else SINGLE_COLOUR,
            "weight": 3,
            "opacity": 0.9,
        },
        popup=folium.GeoJsonPopup(
            fields=["duct_id", "owner", "tenants"], aliases=[t["f_duct"], t["f_owner"], t["f_tenants"]]
        ),
    ).add_to(m)


def _sharing_poles(m: folium.Map, poles: gpd.GeoDataFrame, t: Mapping[str, Any]) -> None:
    """``poles`` as dots, single-tenant and shared ones in two layers."""
    shared = _shared(poles["tenants"]) if len(poles) else np.zeros(0, dtype=bool)
    for flag, colour, label in (
        (False, SINGLE_COLOUR, "layer_poles_single"),
        (True, SHARED_COLOUR, "layer_poles_shared"),
    ):
        sel = poles[shared == flag]
        if sel.empty:
            continue
        frame = gpd.GeoDataFrame(
            {"id": sel["pole_id"].astype(str).map(_esc), "t": sel["tenants"].fillna("").astype(str).map(_esc)},
            geometry=round_coords(sel[["geometry"]], 5).geometry,
            crs=4326,
        )
        folium.GeoJson(
            _fc(frame, ["id", "t"]),
            name=t[label],
            marker=folium.CircleMarker(radius=1.6, weight=0, fill=True, fill_color=colour, fill_opacity=0.85),
            tooltip=folium.GeoJsonTooltip(fields=["id", "t"], aliases=[t["f_pole"], t["f_tenants"]]),
        ).add_to(m)


def _sharing_sites(m: folium.Map, sites: gpd.GeoDataFrame, t: Mapping[str, Any]) -> None:
    """``sites`` (:func:`api.views.sites_view` rows) as markers coloured shared or single-tenant, with a popup."""
    if not len(sites):
        return
    shared = _shared(sites["tenants"])
    frame = _site_props(sites, {"sh": shared.astype(int)})
    folium.GeoJson(
        _fc(frame, ["site_id", "owner", "tenants", "technologies", "cells", "sh"]),
        name=f"{t['layer_sites_shared']} / {t['layer_sites_single']}",
        style_function=lambda f: {"fillColor": SHARED_COLOUR if f["properties"]["sh"] else SINGLE_COLOUR},
        marker=folium.CircleMarker(radius=5, color="#ffffff", weight=1.2, fill=True, fill_opacity=1.0),
        popup=_site_popup(t),
    ).add_to(m)


def sharing_page(
    project: Any,
    result: Any,
    status: Any,
    q: SharingQuery,
    *,
    tiles: str = "OpenStreetMap",
    options: MapOptions = MapOptions(),
    cache: PageCache | None = None,
) -> str:
    """The infrastructure-sharing map of one unit (raises UnknownUnitError for an unknown unit)."""
    cache = cache or PageCache(options.cache_size)
    t = texts(q.lang)
    unit = find_unit(project, q.code, q.period)
    bounds = unit.bounds
    wide = _expand(bounds, options.margin_m)
    m = _new_map(bounds, tiles)
    _admin_lines(m, project, cache, result, q.period, wide, t)
    target_text = _sharing_choropleth(m, project, result, cache, unit, q, t)
    if "ducts" in project:
        _sharing_ducts(m, _within(project["ducts"], wide), t)
    if "poles" in project:
        _sharing_poles(m, _within(project["poles"], wide), t)
    _sharing_sites(m, _within(sites_view(project), wide), t)

    legend_rows = [
        ("fill", SHARING_COLOURS["met"], t["sharing_met"]),
        ("fill", SHARING_COLOURS["near"], t["sharing_near"]),
        ("fill", SHARING_COLOURS["far"], t["sharing_far"]),
        ("fill", SHARING_COLOURS["na"], t["sharing_na"]),
        ("dot", SHARED_COLOUR, f"{t['layer_sites_shared']}, {t['layer_poles_shared'].lower()}"),
        ("dot", SINGLE_COLOUR, f"{t['layer_sites_single']}, {t['layer_poles_single'].lower()}"),
        ("line", SHARED_COLOUR, t["layer_ducts_shared"]),
        ("line", SINGLE_COLOUR, t["layer_ducts_single"]),
    ]
    period, language = _common_selects(unit, q.lang, t)
    selects = [
        ("indicator", t["indicator"], [(None, [(x, t[x], x == q.indicator) for x in SHARING_INDICATORS])], _SUBMIT),
        period,
        *_unit_selects(project, unit, t),
        language,
    ]
    title = f"{t['sharing_title']} – {unit.name}"
    bar = _BAR.render(action="/maps/sharing", lang=q.lang, t=t, title=title, selects=selects)
    legend = _legend(t[q.indicator], legend_rows, target_text)
    return _finish(m, t, title, [bar, _status_note(status, t), legend])


# ------------------------------------------------------------------------------------------------------------
# the candidate sites map
# ------------------------------------------------------------------------------------------------------------

CANDIDATE_COLOURS: Mapping[str, str] = {"colocation": SHARED_COLOUR, "new_build": "#1f4e9c", "pole": "#00838f"}
"""Marker colours of planned sites by build type (co-location in the sharing colour)."""
OTHER_SITE_COLOUR = "#9e9e9e"
PLAN_TECHNOLOGIES = ("4G", "5G")
DEFAULT_PLAN_SITES = 5
"""Sites planned by the map page when neither ``sites`` nor ``target`` is given."""


@dataclass(frozen=True)
class CandidatesQuery:
    operator: str = "Viettel"
    technology: str = "4G"
    sites: int | None = None
    target: float | None = None
    area: str | None = None
    lang: str = "vi"


def find_area(project: Any, code: str | None) -> Unit:
    """The district or commune ``code`` of either period (the province when None); UnknownUnitError otherwise."""
    if code is None:
        return find_unit(project, None, "pre2025")
    for period in ("pre2025", "post2025"):
        try:
            unit = find_unit(project, code, period)
        except UnknownUnitError:
            continue
        if unit.level != "province":
            return unit
    raise UnknownUnitError(f"area {code!r} names no district or commune of the project")


def _tenant_of(tenants: pd.Series, operator: str) -> np.ndarray:
    return (
        tenants.fillna("").astype(str).map(lambda s: operator in {x.strip() for x in s.split(";")}).to_numpy(dtype=bool)
    )


def _ranked_props(plan: Any, result: Any, project: Any, lang: str, t: Mapping[str, Any]) -> gpd.GeoDataFrame:
    ranked = plan.ranked
    names = dict(zip(result.hamlets["hamlet_id"].astype(str), result.hamlets["name"].astype(str), strict=True))
    pole_owner: dict[str, str] = {}
    if "poles" in project and "owner" in project["poles"]:
        poles = project["poles"]
        pole_owner = dict(zip(poles["pole_id"].astype(str), poles["owner"].fillna("").astype(str), strict=True))
    builds = t["build"]

    def host(r: Any) -> str:
        if r.build == "colocation":
            return f"{_esc(r.source)} ({_esc(r.host_owner)})"
        if r.build == "pole":
            owner = pole_owner.get(str(r.source), "")
            return _esc(r.source) + (f" ({_esc(owner)})" if owner else "")
        return "–"

    def newly(ids: Any) -> str:
        ids = [i for i in str(ids or "").split(";") if i]
        return ", ".join(f"{_esc(names.get(i, i))} ({_esc(i)})" for i in ids) or "–"

    props = pd.DataFrame(
        {
            "rank": ranked["rank"].astype(int),
            "build": ranked["build"].map(lambda b: builds.get(b, b)),
            "host": [host(r) for r in ranked.itertuples()],
            "gained": ranked["people_gained"].map(lambda v: fmt_num(v, lang)),
            "cumulative": ranked["people_cumulative"].map(lambda v: fmt_num(v, lang)),
            "hamlets": ranked["hamlets_newly_covered"].map(newly),
            "height": ranked["height_m"].map(lambda v: fmt_num(v, lang, 0)),
            "b": ranked["build"].astype(str),
        },
        index=ranked.index,
    )
    return gpd.GeoDataFrame(props, geometry=round_coords(ranked[["geometry"]], 6).geometry, crs=4326)


def _candidate_markers(m: folium.Map, frame: gpd.GeoDataFrame, t: Mapping[str, Any]) -> None:
    """The planned sites as numbered circles (colour by build type) with a popup each."""

    def style(f: dict) -> dict:
        p = f["properties"]
        colour = CANDIDATE_COLOURS.get(p["b"], "#333333")
        return {"html": f'<div class="cand cand-{p["b"]}" style="background:{colour}">{int(p["rank"])}</div>'}

    folium.GeoJson(
        _fc(frame, ["rank", "build", "host", "gained", "cumulative", "hamlets", "height", "b"]),
        name=t["layer_candidates"],
        marker=folium.Marker(icon=folium.DivIcon(icon_size=(26, 26), icon_anchor=(13, 13), class_name="cand-icon")),
        style_function=style,
        popup=folium.GeoJsonPopup(
            fields=["rank", "build", "host", "gained", "cumulative", "hamlets", "height"],
            aliases=[
                t["f_rank"],
                t["f_build"],
                t["f_host"],
                t["f_people_gained"],
                t["f_people_cumulative"],
                t["f_hamlets_newly"],
                t["f_height"],
            ],
        ),
    ).add_to(m)


def _existing_sites(m: folium.Map, project: Any, bounds: tuple, operator: str, t: Mapping[str, Any]) -> None:
    sites = _within(sites_view(project), bounds)
    if sites.empty:
        return
    own = _tenant_of(sites["tenants"], operator)
    layers = ((False, OTHER_SITE_COLOUR, "layer_other_sites"), (True, SITE_COLOUR, "layer_own_sites"))
    for flag, colour, label in layers:
        sel = sites[own == flag]
        if sel.empty:
            continue
        folium.GeoJson(
            _fc(_site_props(sel), ["site_id", "owner", "tenants", "technologies", "cells"]),
            name=t[label].format(operator=operator),
            marker=folium.CircleMarker(
                radius=4, color="#ffffff", weight=1, fill=True, fill_color=colour, fill_opacity=1.0
            ),
            popup=_site_popup(t),
        ).add_to(m)


def _num(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def _plan_box(plan: Any, result: Any, lang: str, t: Mapping[str, Any]) -> str:
    """Solver figures, people gained and the scorecard change (before → after estimate → after verified)."""
    sol = plan.solution
    ranked = plan.ranked
    gained = float(ranked["people_cumulative"].iloc[-1]) if len(ranked) else 0.0
    counts = ranked["build"].value_counts() if len(ranked) else pd.Series(dtype=int)
    builds = ", ".join(f"{fmt_num(n, lang)} {_esc(t['build'].get(b, b)).lower()}" for b, n in counts.items())
    objective = _num(getattr(sol, "objective", None))
    bound = _num(getattr(sol, "bound", None))
    obj_unit = t["people"] if plan.mode == "sites" else t["cost_units"]
    solver_rows = [
        (t["solver_method"], _esc(getattr(sol, "method", ""))),
        (t["solver_objective"], f"{fmt_num(objective, lang, 0 if plan.mode == 'sites' else 2)} {_esc(obj_unit)}"),
        (t["solver_bound"], fmt_num(bound, lang, 0 if plan.mode == "sites" else 2)),
        (t["solver_gap"], fmt_pct(getattr(sol, "gap", None), lang, 2)),
        (t["solver_seconds"], fmt_num(getattr(sol, "seconds", None), lang, 2)),
    ]
    labels = {"hamlets_mobile_broadband": t["figure_hamlets_mobile"], "bts_site_sharing": t["bts_site_sharing"]}
    verified = plan.scorecard["after"].notna().any()
    card = []
    for r in plan.scorecard.itertuples():
        after = f" → {fmt_pct(r.after, lang, 1)}" if verified else ""
        change = f"{fmt_pct(r.before, lang, 1)} → {fmt_pct(r.after_estimate, lang, 1)}{after}"
        card.append((labels.get(r.indicator, r.indicator), change))
    head = t["scorecard_change_verified"] if verified else t["scorecard_change"]
    rows = "".join(f"<tr><th>{_esc(a)}</th><td>{b}</td></tr>" for a, b in solver_rows)
    card_rows = "".join(f"<tr><th>{_esc(a)}</th><td>{_esc(b)}</td></tr>" for a, b in card)
    summary = t["plan_summary"].format(n=fmt_num(len(ranked), lang), people=fmt_num(gained, lang))
    return (
        f'<div class="box plan-box"><b>{_esc(summary)}</b>'
        + (f"<div>{builds}</div>" if builds else "")
        + f"<table>{rows}</table><b>{_esc(head)}</b><table>{card_rows}</table></div>"
    )


def _candidates_bar(project: Any, unit: Unit, q: CandidatesQuery, t: Mapping[str, Any], title: str) -> str:
    from api.schemas import MAX_PLAN_SITES, MOBILE_OPERATORS

    ops = [(o, o, o == q.operator) for o in MOBILE_OPERATORS]
    techs = [(x, t[x], x == q.technology) for x in PLAN_TECHNOLOGIES]
    language = (
        "lang",
        t["language"],
        [(None, [("vi", "Tiếng Việt", q.lang == "vi"), ("en", "English", q.lang == "en")])],
        _SUBMIT,
    )
    selects = [
        ("operator", t["operator"], [(None, ops)], None),
        ("technology", t["technology"], [(None, techs)], None),
        *_unit_selects(project, unit, t),
        language,
    ]
    inputs = [
        (
            "sites",
            t["sites"],
            "" if q.sites is None else str(q.sites),
            [("type", "number"), ("min", "1"), ("max", str(MAX_PLAN_SITES)), ("step", "1")],
            "this.form.target.value=''",
        ),
        (
            "target",
            t["target_share"],
            "" if q.target is None else f"{q.target:g}",
            [("type", "number"), ("min", "0.01"), ("max", "1"), ("step", "0.01")],
            "this.form.sites.value=''",
        ),
    ]
    return _BAR.render(action="/maps/candidates", lang=q.lang, t=t, title=title, selects=selects, inputs=inputs)


def candidates_page(
    project: Any,
    result: Any,
    status: Any,
    q: CandidatesQuery,
    plan: Any | None,
    *,
    error: str | None = None,
    tiles: str = "OpenStreetMap",
    options: MapOptions = MapOptions(),
    cache: PageCache | None = None,
) -> str:
    """The candidate sites map: hamlets by their current status, the operator's and other operators' sites,
    and ``plan`` (:class:`coverage.plan.site_plan.SitePlan`)'s ranked sites as numbered markers, with the solver
    figures and the scorecard change; ``error`` (a request the planner refused) instead of a plan.

    Raises UnknownUnitError for an unknown area.
    """
    cache = cache or PageCache(options.cache_size)
    t = texts(q.lang)
    st = t["status"]
    unit = find_area(project, q.area)
    # hamlets by what the plan changes: the operator's technology (best sites), any operator (target share)
    technology, operator = (q.technology, q.operator) if q.target is None else ("broadband", "any")
    try:
        view = hamlet_view(result, technology, operator)
    except KeyError:
        technology, operator = "broadband", "any"
        view = hamlet_view(result, technology, operator)
    view = view[hamlets_in(result, unit)]
    bounds = unit.bounds
    ranked = plan.ranked if plan is not None else None
    if ranked is not None and len(ranked):
        west, south, east, north = ranked.to_crs(4326).total_bounds
        bounds = (min(bounds[0], west), min(bounds[1], south), max(bounds[2], east), max(bounds[3], north))
    wide = _expand(bounds, options.margin_m)
    m = _new_map(bounds, tiles)

    parts: list[str] = []
    legend_rows: list[tuple[str, str, str]] = []
    if len(view) > options.max_hamlets:
        gq = GapsQuery(technology, operator, unit.code if unit.level != "province" else None, unit.period, q.lang)
        _commune_shares(m, project, result, cache, view, unit, gq, t)
        legend_rows += [("fill", c, t[f"share_band_{i}"]) for i, (_, c) in enumerate(SHARE_BANDS)]
    else:
        _hamlet_layer(m, project, result, cache, view, q.lang, t, options)
        legend_rows += [("fill", STATUS_COLOURS[s], st[s]) for s in HAMLET_STATUSES]
    _admin_lines(m, project, cache, result, unit.period, wide, t)
    _existing_sites(m, project, wide, q.operator, t)
    legend_rows += [
        ("dot", SITE_COLOUR, t["layer_own_sites"].format(operator=q.operator)),
        ("dot", OTHER_SITE_COLOUR, t["layer_other_sites"].format(operator=q.operator)),
    ]
    if ranked is not None and len(ranked):
        _candidate_markers(m, _ranked_props(plan, result, project, q.lang, t), t)
    legend_rows += [("dot", CANDIDATE_COLOURS[b], t["candidate_legend"][b]) for b in CANDIDATE_COLOURS]
    legend_rows += [("line", "#111111", t["layer_districts"]), ("line", "#555555", t["layer_communes"])]

    if error is not None:
        parts.append(f'<div class="note plan-error">{_esc(t["plan_error"].format(error=error))}</div>')
    elif plan is not None:
        parts.append(_plan_box(plan, result, q.lang, t))
        if not len(plan.ranked):
            parts.append(f'<div class="note">{_esc(t["plan_nothing"])}</div>')
    title = f"{t['candidates_title']} – {q.operator} {q.technology} – {unit.name}"
    bar = _candidates_bar(project, unit, q, t, title)
    what = t["any_operator"] if operator == "any" else operator
    legend = _legend(f"{t['hamlets_by']}: {t[technology]} · {what}", legend_rows, t["predicted_note"])
    return _finish(m, t, title, [bar, *parts, _status_note(status, t), legend])


_WAITING = _env.from_string(
    """<!DOCTYPE html>
<html lang="{{ t.html_lang }}">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="{{ refresh_s }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font-family: system-ui, "Segoe UI", Roboto, Arial, sans-serif; margin: 0; color: #1b1b1b; }
header { background: #16325c; color: #fff; padding: 10px 18px; }
header a { color: #fff; font-weight: 600; margin-right: 10px; }
main { padding: 18px; }
.computing { font-size: 1.15em; }
</style>
</head>
<body>
<header><a href="/?lang={{ lang }}">{{ t.home }}</a>{{ title }}</header>
<main>
<p class="computing">{{ message }}</p>
{% if progress %}<p>{{ progress }}</p>{% endif %}
{% if job_id %}<p><a href="/api/candidates/{{ job_id }}">{{ t.job_status }}</a></p>{% endif %}
</main>
</body>
</html>
"""
)


def waiting_page(
    q: CandidatesQuery, *, job_id: str | None = None, progress: str = "", busy: bool = False, refresh_s: int = 3
) -> str:
    """A page that refreshes itself every ``refresh_s`` s while the plan is computed (or the planner is busy)."""
    t = texts(q.lang)
    title = f"{t['candidates_title']} – {q.operator} {q.technology}"
    return _WAITING.render(
        t=t,
        lang=q.lang,
        title=title,
        message=t["planner_busy"] if busy else t["computing"],
        progress=progress,
        job_id=job_id,
        refresh_s=refresh_s,
    )


# ------------------------------------------------------------------------------------------------------------
# the landing page
# ------------------------------------------------------------------------------------------------------------

_LANDING = _env.from_string(
    """<!DOCTYPE html>
<html lang="{{ t.html_lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t.app_name }}</title>
<style>
body { font-family: system-ui, "Segoe UI", Roboto, Arial, sans-serif; margin: 0; color: #1b1b1b; line-height: 1.5; }
header { background: #16325c; color: #fff; padding: 14px 22px; display: flex; justify-content: space-between;
  align-items: center; flex-wrap: wrap; gap: 8px; }
header h1 { font-size: 1.35em; margin: 0; }
header a { color: #fff; }
main { max-width: 60em; margin: 0 auto; padding: 8px 22px 30px; }
h2 { font-size: 1.15em; color: #16325c; border-bottom: 2px solid #2c5fa8; padding-bottom: 2px; margin-top: 1.5em; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { flex: 1 1 16em; border: 1px solid #c9d3e3; border-radius: 6px; padding: 10px 14px; background: #f7f9fc; }
.card a { font-weight: 600; font-size: 1.05em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d0d0d0; padding: 5px 8px; text-align: left; }
th { background: #eef1f5; font-weight: 600; width: 45%; }
.status { padding: 8px 12px; border-radius: 4px; background: #e8f3ea; color: #14632b; }
.status.busy { background: #fff3cd; color: #5c4500; }
.status.bad { background: #f9d6d3; color: #a11d12; }
ul.links { padding-left: 1.2em; }
.note { color: #555; font-size: .92em; }
</style>
</head>
<body>
<header>
  <h1>{{ project_name }}</h1>
  <nav>{{ t.language }}: <a href="/?lang={{ other }}" hreflang="{{ other }}">{{ t.other_language }}</a></nav>
</header>
<main>
<p>{{ t.app_name }}.{% if plan %} {{ t.plan }}: {{ plan }}.{% endif %}</p>
<p class="status {{ status_class }}">{{ status_text }}</p>
<h2>{{ t.maps }}</h2>
<div class="cards">
  <div class="card"><a href="/maps/gaps?lang={{ lang }}">{{ t.gaps_title }}</a><br>{{ t.gaps_intro }}</div>
  <div class="card"><a href="/maps/sharing?lang={{ lang }}">{{ t.sharing_title }}</a><br>{{ t.sharing_intro }}</div>
  <div class="card"><a href="/maps/candidates?lang={{ lang }}">{{ t.candidates_title }}</a><br>
    {{ t.candidates_intro }}</div>
</div>
<h2>{{ t.summary }}</h2>
<table>
{% for label, value in figures %}
<tr><th>{{ label }}</th><td>{{ value }}</td></tr>
{% endfor %}
</table>
<p class="note">{{ t.predicted_note }}</p>
<h2>{{ t.scorecard }}</h2>
<ul class="links">
  <li><a href="/api/kpis">{{ t.scorecard }} (JSON)</a></li>
  <li><a href="/api/kpis?format=csv">{{ t.scorecard_csv }}</a></li>
</ul>
<h2>{{ t.downloads }}</h2>
<ul class="links">
  <li><a href="/api/hamlets">{{ t.hamlets_geojson }}</a> ·
    <a href="/api/hamlets?format=csv">{{ t.hamlets_csv }}</a></li>
  <li><a href="/api/dead-zones">{{ t.dead_zones_geojson }}</a> ·
    <a href="/api/dead-zones?format=csv">{{ t.dead_zones_csv }}</a></li>
  <li><a href="/docs">{{ t.api_docs }}</a></li>
</ul>
</main>
</body>
</html>
"""
)


def landing_page(project: Any, result: Any, status: Any, lang: str = "vi") -> str:
    """The home page: project, links to the maps, scorecard, downloads and API docs, province figures, freshness."""
    t = texts(lang)
    k = result.kpis
    prov = (
        k[(k["level"] == "province") & (k["period"] == "pre2025")].drop_duplicates("indicator").set_index("indicator")
    )

    def share(ind: str) -> str:
        if ind not in prov.index or not math.isfinite(float(prov.at[ind, "value"])):
            reason = prov.at[ind, "reason"] if ind in prov.index else None
            return t["not_assessed"] + (f" ({reason})" if isinstance(reason, str) and reason else "")
        r = prov.loc[ind]
        return t["figure_of"].format(
            num=fmt_num(r["numerator"], lang), den=fmt_num(r["denominator"], lang), pct=fmt_pct(r["value"], lang)
        )

    dz = result.dead_zones
    figures = [
        (t["figure_hamlets_mobile"], share("hamlets_mobile_broadband")),
        (
            t["figure_dead_zones"],
            t["figure_dead_zones_value"].format(
                zones=fmt_num(len(dz), lang), people=fmt_num(float(dz["population"].sum()) if len(dz) else 0.0, lang)
            ),
        ),
        (t["figure_hamlets_ftth"], share("hamlets_ftth")),
        (t["figure_households_fibre"], share("households_fibre")),
    ]
    if status.state == "recomputing":
        status_text, status_class = t["status_recomputing"], "busy"
    elif status.state == "error":
        status_text, status_class = t["status_error"].format(error=status.error or ""), "bad"
    elif status.state == "starting":
        status_text, status_class = t["status_starting"], "busy"
    else:
        when = (
            _dt.datetime.fromtimestamp(status.computed_at).strftime(
                "%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M"
            )
            if status.computed_at
            else "–"
        )
        status_text, status_class = t["status_ready"].format(time=when, version=status.version), ""
    plan = getattr(result, "plan", None)
    plan_name = (getattr(plan, "name_vi", "") if lang == "vi" else "") or getattr(plan, "name", "")
    admin = project["admin_units"]
    province = admin[(admin["level"] == "province") & (admin["period"] == "pre2025")]
    project_name = t["app_name"] + (f" – {province['name'].iloc[0]}" if len(province) else "")
    return _LANDING.render(
        t=t,
        lang=lang,
        other="en" if lang == "vi" else "vi",
        project_name=project_name,
        plan=plan_name,
        figures=figures,
        status_text=status_text,
        status_class=status_class,
    )
