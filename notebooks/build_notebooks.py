"""Write and execute the project's notebooks (outputs are committed).

Run from the repository root:  python notebooks/build_notebooks.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def md(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text.strip())


def code(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(text.strip())


DATA_MODEL = [
    md("""
# 01 · The data model, on the sample province

hamlet-coverage keeps a province's infrastructure as **layers**: one table per kind of thing, each with a
documented schema and a validation function. This notebook walks through them on the embedded sample
province, a *synthetic* Mekong-delta province built from public facts about Hậu Giang (see `data/README.md`).

Every layer is a GeoDataFrame stored in EPSG:4326 (longitude, latitude). Anything measured in metres (areas,
distances) is done in the province's UTM zone.
"""),
    code("""
import warnings
import matplotlib.pyplot as plt
import pandas as pd
import coverage
from coverage.layers import SCHEMAS, tenant_count, tenants_long

pd.set_option("display.width", 140)
pd.set_option("display.max_columns", 12)
project = coverage.read_sample()
print(project.name)
print("metric CRS:", project.utm_crs.to_string())
project.summary()
"""),
    md("""
## Schemas

Each layer's columns, units and allowed values are declared once in `coverage.layers.SCHEMAS`
(`coverage-planner schema` prints them). Here is the schema of the `cells` layer, one row per sector:
"""),
    code("""
pd.DataFrame(
    [(f.name, f.kind, f.unit or "", f.min, f.max, ", ".join(f.allowed or ()), f.required) for f in SCHEMAS["cells"].fields],
    columns=["column", "kind", "unit", "min", "max", "allowed", "required"],
)
"""),
    md("""
## Administrative units: two hierarchies

Until 30 June 2025 a province had districts, and districts had communes. On 1 July 2025 districts were abolished
and communes merged. The `admin_units` layer holds both: `period` is `pre2025` or `post2025`, and
`commune_mapping` says which old communes each new commune merges.
"""),
    code("""
units = project["admin_units"]
print(units.groupby(["period", "level"]).size().to_string())
utm = project.utm_crs
province = units[(units.level == "province") & (units.period == "pre2025")]
print(f"province area: {province.to_crs(utm).area.sum() / 1e6:,.0f} km²")
units[units.level == "district"][["unit_code", "name", "population", "households"]]
"""),
    code("""
mapping = project["commune_mapping"]
names = units.set_index(["period", "unit_code"])["name"]
first_new = mapping["new_code"].iloc[0]
merged = mapping[mapping.new_code == first_new]
print(names[("post2025", first_new)], "merges:")
for code in merged.old_code:
    print("  -", names[("pre2025", code)])
"""),
    md("""
## Hamlets

Hamlets (ấp in rural communes, khu vực in wards) are the unit the plan's 100 % targets count. They carry a
population and households, and each lies in exactly one pre-2025 commune. In a real province they are often
built from hamlet centre points with `coverage.hamlets_from_points` (a Voronoi tessellation clipped to each
commune).
"""),
    code("""
hamlets = project["hamlets"]
print(f"{len(hamlets)} hamlets, {hamlets.population.sum():,} people, {hamlets.households.sum():,} households")
density = hamlets.population / (hamlets.to_crs(utm).area / 1e6)
fig, ax = plt.subplots(figsize=(8, 6), dpi=72)
hamlets.assign(density=density).plot(ax=ax, column="density", cmap="YlOrRd", scheme="quantiles", k=5,
                                     linewidth=0.2, edgecolor="white", legend=True,
                                     legend_kwds={"title": "people / km²", "loc": "lower right", "fontsize": 8})
pre = units[units.period == "pre2025"]
pre[pre.level == "commune"].boundary.plot(ax=ax, color="grey", linewidth=0.4)
pre[pre.level == "district"].boundary.plot(ax=ax, color="black", linewidth=1.0)
ax.set_title("Hamlet population density; commune boundaries grey, district boundaries black")
ax.set_axis_off()
"""),
    md("""
## Sites, cells and sharing

A **site** is a mast (or rooftop); its `tenants` are the operators with equipment on it, stored as one
canonical string (`"MobiFone;Viettel"`). That makes the plan's sharing indicator one line of pandas:
"""),
    code("""
sites = project["sites"]
shared_share = sites["tenants"].str.count(";").ge(1).mean()
print(f"BTS sites shared by two or more operators: {shared_share:.1%}  (plan target: 10 %)")
tenant_count(sites["tenants"]).value_counts().sort_index().rename("sites by number of tenants")
"""),
    code("""
tenants_long(sites, "site_id").operator.value_counts().rename("sites per operator")
"""),
    code("""
cells = project["cells"]
cells.groupby(["technology", "band_mhz"]).agg(cells=("cell_id", "size"), bandwidth_mhz=("bandwidth_mhz", "median"),
                                              power_dbm=("tx_power_dbm", "median"))
"""),
    md("""
## Poles, ducts, fibre access points and roads

Poles and ducts carry `tenants` the same way (the operators whose cables hang on the pole or run in the duct).
Fibre access points (OLTs, cabinets, splitters) have free ports; roads are the routes of drop cables.
"""),
    code("""
poles, ducts = project["poles"], project["ducts"]
duct_len = ducts.to_crs(utm).length
shared = ducts["tenants"].str.count(";").ge(1)
print(f"poles shared by 2+ operators: {poles['tenants'].str.count(';').ge(1).mean():.1%}  (target 50 %)")
print(f"duct length shared by 2+ operators: {duct_len[shared].sum() / duct_len.sum():.1%}  (target 10 %)")
roads = project["roads"]
print((roads.to_crs(utm).length.groupby(roads.road_class).sum() / 1000).round(0).rename("road km").to_string())
project["fibre_points"].groupby(["operator", "kind"]).free_ports.agg(["size", "sum"])
"""),
    md("""
## Rasters

The project references an elevation raster (metres above sea level; the delta is flat, 0–3 m, with levees along
canals) and a land-cover raster whose classes are listed in `coverage/data/landcover.toml`.
"""),
    code("""
import tomllib
from importlib import resources
import rasterio
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch

classes = tomllib.loads(resources.files("coverage").joinpath("data/landcover.toml").read_text("utf-8"))["class"]
colours = {"water": "#2b83ba", "rice_paddy": "#d9ef8b", "orchard": "#1a9641", "built_up": "#d7191c", "forest": "#5e3c0b"}
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), dpi=72)
with rasterio.open(project.raster("dem")) as src:
    dem = src.read(1, masked=True, out_shape=(src.height // 2, src.width // 2))
    im = axes[0].imshow(dem, cmap="terrain", vmin=-1, vmax=4)
    fig.colorbar(im, ax=axes[0], label="elevation (m)", shrink=0.8)
    axes[0].set_title(f"DEM: {src.width}×{src.height} px, {src.crs}")
with rasterio.open(project.raster("landcover")) as src:
    lc = src.read(1, out_shape=(src.height // 2, src.width // 2))
    codes = [c["code"] for c in classes]
    cmap = ListedColormap([colours[c["name"]] for c in classes])
    axes[1].imshow(lc, cmap=cmap, norm=BoundaryNorm([*codes, codes[-1] + 1], cmap.N), interpolation="nearest")
    axes[1].legend(handles=[Patch(color=colours[c["name"]], label=f'{c["name"]} ({c["name_vn"]})') for c in classes],
                   loc="lower left", fontsize=7)
    axes[1].set_title("land cover")
for ax in axes:
    ax.set_axis_off()
"""),
    md("""
## Validation: bad input is named, never silently fixed

Every layer has a validation function. It gathers every problem (file, row id, field), then raises once.
Repairs that keep data usable (an invalid polygon fixed with `make_valid`, a reprojection) are reported too.
"""),
    code("""
bad = sites.head(3).copy()
bad.loc[bad.index[0], "mast_height_m"] = -5
bad.loc[bad.index[1], "tenants"] = "Viettel;Acme Telecom"
bad.loc[bad.index[2], "geometry"] = bad.geometry.iloc[2].__class__(bad.geometry.iloc[2].y, bad.geometry.iloc[2].x)
try:
    coverage.validate_layer(bad, "sites", source="my_sites.geojson")
except coverage.ValidationError as exc:
    print(exc)
"""),
]


ASSESSMENT = [
    md("""
# 02 · A committee's questions, answered on the sample province

A district or commune people's committee wants to know, for its own area: *how far are we from the
province's digital-infrastructure targets? Which hamlets still lack mobile broadband, where exactly are
the dead zones (vùng lõm sóng), which households cannot get fibre, and who should fix what?*

This notebook answers these questions with `coverage.run_assessment` on the embedded **synthetic** sample
province (`data/README.md`), the same job as `coverage-planner assess`. The rules (thresholds, the 95 %
rule for a covered hamlet, the 500 m fibre drop) live in `coverage/data/assessment.toml`; the targets in the
plan file `coverage/data/plans/hau_giang_2023_2025.toml`.
"""),
    code("""
import tempfile
from pathlib import Path
import matplotlib.pyplot as plt
import pandas as pd
import coverage

pd.set_option("display.width", 150)
pd.set_option("display.max_columns", 14)
pd.set_option("display.max_colwidth", 60)
project = coverage.read_sample()
out = Path(tempfile.mkdtemp(prefix="assessment-"))
result = coverage.run_assessment(project, out)   # predicts the rasters first (about 20 s), then assesses
for rule in result.rules():
    print("-", rule)
print()
for note in result.notes:
    print("note:", note)
print(sorted(p.name for p in out.iterdir()))
"""),
    md("""
## 1. How does the province stand against the plan?

One row per indicator of the plan: the measured value, the counts behind it, the target, and whether it is
met. Indicators the data cannot measure are *not assessed*, with the reason, never zero.
"""),
    code("""
k = result.kpis
province = k[(k.level == "province") & (k.period == "pre2025")]
province[["label_en", "value", "numerator", "denominator", "basis", "target", "status", "reason"]].round(3)
"""),
    md("""
## 2. Which districts are furthest behind?
"""),
    code("""
districts = k[k.level == "district"].pivot_table(index="unit_name", columns="indicator", values="value")
districts[["hamlets_mobile_broadband", "hamlets_ftth", "households_fibre", "mobile_4g_mean_mbps", "pole_sharing"]].round(2).sort_values("hamlets_mobile_broadband")
"""),
    md("""
## 3. Our commune: which hamlets lack mobile broadband, and where are the dead zones?

Take Xã Long Hảo (code 99130), at the melaleuca-forest edge of the sample. A hamlet is *covered* when at
least 95 % of its people live where 4G or 5G of some operator reaches −110 dBm at 90 % of locations.
"""),
    code("""
h = result.hamlets
mine = h[h.commune_code == "99130"]
mine[["hamlet_id", "name", "population", "broadband_share_people", "broadband_share_area", "4g_mean_mbps", "mobile_status", "dead_zone_people"]]
"""),
    code("""
dz = result.dead_zones
zones = dz[dz.commune_code == "99130"]
sites = project["sites"]
utm = project.utm_crs
fig, ax = plt.subplots(figsize=(8, 7))
colours = {"covered": "#4caf50", "partly covered": "#ffb300", "not covered": "#e53935", "no people": "#bdbdbd"}
mine.to_crs(utm).plot(ax=ax, color=mine.mobile_status.map(colours), edgecolor="white", linewidth=0.8)
zones.to_crs(utm).plot(ax=ax, facecolor="none", edgecolor="#7f0000", hatch="////", linewidth=0.8)
xmin, ymin, xmax, ymax = mine.to_crs(utm).total_bounds
near = sites.to_crs(utm).cx[xmin - 8000 : xmax + 8000, ymin - 8000 : ymax + 8000]
near.plot(ax=ax, color="black", markersize=12)
for r in mine.to_crs(utm).itertuples():
    ax.annotate(r.name, (r.geometry.representative_point().x, r.geometry.representative_point().y), fontsize=8, ha="center")
ax.set_xlim(xmin - 8000, xmax + 8000); ax.set_ylim(ymin - 8000, ymax + 8000)
ax.set_title("Xã Long Hảo: hamlets by mobile-broadband status, dead zones hatched, masts as dots (UTM 48N, m)")
plt.show()
"""),
    md("""
## 4. Who is nearest to each dead zone?

Each dead zone carries, for every operator, its nearest mast and the distance: the first place to ask
for a new sector, or for co-location on another operator's mast.
"""),
    code("""
cols = ["zone_id", "hamlet_name", "population", "area_m2"] + [c for c in dz.columns if c.startswith("nearest_site_")]
zones[cols].round(1)
"""),
    md("""
## 5. Which households cannot get fibre?

A household can get FTTH when a fibre access point with free ports is at most 500 m away along roads,
cable ducts and pole lines. The four hamlets of Huyện Tân Hiệp planted far from any fibre point show up
with no reachable household; others are partly served.
"""),
    code("""
no_fibre = h[h.ftth_status != "covered"].assign(households_without=lambda d: d.households - d.ftth_households_reachable)
no_fibre = no_fibre.sort_values("households_without", ascending=False)
print(f"{len(no_fibre)} of {len(h)} hamlets lack FTTH; {no_fibre.households_without.sum():,.0f} households cannot get fibre")
no_fibre[no_fibre.district_name == "Huyện Tân Hiệp"][["hamlet_id", "name", "commune_name", "households", "ftth_share_households", "ftth_median_drop_m", "ftth_nearest_fap"]].head(12)
"""),
    md("""
## 6. Sharing of masts, poles and ducts, per district

Shared = used by two or more operators. Pole sharing counts all poles (power poles included), duct sharing
is by length; `sharing.csv` also holds the pole rate among telecom poles and the duct rate by count.
"""),
    code("""
sh = result.sharing
sh[(sh.level == "district")].pivot_table(index="unit_name", columns="indicator", values="value").round(3)
"""),
    md("""
## 7. After the 2025 merger

The same indicators regrouped under the new communes (through `commune_mapping`): the figures a new
commune committee inherits.
"""),
    code("""
new = k[(k.level == "commune") & (k.period == "post2025")]
new.pivot_table(index="unit_name", columns="indicator", values="value")[["hamlets_mobile_broadband", "hamlets_ftth", "bts_site_sharing"]].round(2).sort_values("hamlets_mobile_broadband").head(10)
"""),
    md("""
## 8. What if "covered" also required 10 Mbit/s?

The rules are settings. Asking for a usable speed as well as a signal changes the answer; the prediction is
reused because the radio inputs did not change.
"""),
    code("""
strict = coverage.assessment_config(overrides={"mobile": {"threshold": {"4G": {"min_throughput_mbps": 10.0}, "5G": {"min_throughput_mbps": 10.0}}}})
again = coverage.run_assessment(project, out, config=strict, report=False)
print("prediction:", again.stats["prediction"])
print("hamlets covered, -110 dBm only:       ", int(result.hamlets.mobile_covered.sum()))
print("hamlets covered, -110 dBm and 10 Mbit/s:", int(again.hamlets.mobile_covered.sum()))
"""),
    md("""
The committee's printable answer is `report.html` in the output folder: one self-contained page with the
scorecards, the gap maps and these lists, in Vietnamese (or English with `--lang en`).
"""),
]


def build(name: str, cells: list[nbformat.NotebookNode]) -> Path:
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
    path = HERE / name
    nbformat.write(nb, path)
    return path


NOTEBOOKS = {"01_data_model.ipynb": DATA_MODEL, "02_assessment.ipynb": ASSESSMENT}

if __name__ == "__main__":
    for name in sys.argv[1:] or NOTEBOOKS:
        print(build(name, NOTEBOOKS[name]))
    sys.exit(0)
