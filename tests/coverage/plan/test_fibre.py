"""Fibre extensions: hand-made networks with known routes, unit costs, the tiny world and the sample province."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import shapely

from coverage import CoverageError, MissingLayerError, read_sample
from coverage.assess.ftth import network_from_layers
from coverage.layers.project import project_from_frames
from coverage.plan.fibre import (
    HAMLET_COLUMNS,
    METHODS,
    edge_methods,
    fibre_costs,
    fibre_extensions,
    plan_extensions,
    steiner_paths,
)
from tests.coverage import world

UTM = 32648
X0, Y0 = 560_000.0, 1_083_000.0  # metres, about 105.55°E 9.80°N
DATA = Path(__file__).resolve().parents[3] / "data"
COST = fibre_costs().unit_cost


def _line(*pts: tuple[float, float]) -> shapely.LineString:
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in pts])


def _xy(*pts: tuple[float, float]) -> np.ndarray:
    return np.array([(X0 + x, Y0 + y) for x, y in pts], dtype=float).reshape(-1, 2)


def _roads(*lines: shapely.Geometry) -> gpd.GeoDataFrame:
    n = len(lines)
    return gpd.GeoDataFrame({"road_id": [f"R{i}" for i in range(n)]}, geometry=list(lines), crs=UTM).to_crs(4326)


def _poles(*pts: tuple[float, float]) -> gpd.GeoDataFrame:
    n = len(pts)
    return gpd.GeoDataFrame(
        {"pole_id": [f"P{i}" for i in range(n)]}, geometry=list(shapely.points(_xy(*pts))), crs=UTM
    ).to_crs(4326)


def _ducts(*lines: shapely.Geometry) -> gpd.GeoDataFrame:
    n = len(lines)
    return gpd.GeoDataFrame({"duct_id": [f"D{i}" for i in range(n)]}, geometry=list(lines), crs=UTM).to_crs(4326)


@pytest.fixture(scope="module")
def straight():
    """A straight 5 km road along y = 0."""
    return network_from_layers(_roads(_line((0, 0), (5000, 0))), crs=UTM)


# ---------------------------------------------------------------------------------------------- graph level


def test_steiner_paths_on_a_path_graph() -> None:
    # 0 - 1 - 2 - 3 (unit weights), 4 isolated; source 0
    g = sp.csr_matrix(([1.0] * 6, ([0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2])), shape=(5, 5))
    together = steiner_paths(g, [0], [3, 2, 4, 0])
    assert together.order.tolist() == [2, 1, -1, 0]  # the free terminal first, then the nearer one
    assert together.cost.tolist() == [1.0, 2.0, np.inf, 0.0]
    assert together.alone_cost.tolist() == [3.0, 2.0, np.inf, 0.0]
    assert together.path[0].tolist() == [2, 3]  # hangs from the branch of terminal 2
    assert together.path[1].tolist() == [0, 1, 2]
    assert len(together.path[2]) == 0
    assert together.path[3].tolist() == [0]
    alone = steiner_paths(g, [0], [3, 2, 4], together=False)
    assert alone.cost.tolist() == [3.0, 2.0, np.inf]
    assert alone.path[0].tolist() == [0, 1, 2, 3]
    nothing = steiner_paths(g, [], [3])
    assert nothing.cost.tolist() == [np.inf] and nothing.order.tolist() == [-1]


# -------------------------------------------------------------------------------------------- network level


def test_straight_road_one_hamlet(straight) -> None:
    ext = plan_extensions(straight, _xy((0, 0)), _xy((3000, 40)), unit_cost=COST, source_ids=["F1"])
    assert ext.reachable.tolist() == [True]
    assert ext.length_m[0] == pytest.approx(3000.0, abs=1e-6)
    assert ext.alone_length_m[0] == pytest.approx(3000.0, abs=1e-6)
    assert ext.shortest_length_m[0] == pytest.approx(3000.0, abs=1e-6)
    assert ext.access_m[0] == pytest.approx(40.0, abs=1e-6)  # the leg to the network is not part of it
    assert ext.metres[0].tolist() == pytest.approx([0.0, 0.0, 0.0, 3000.0], abs=1e-6)  # a road without poles
    assert ext.cost_vnd[0] == pytest.approx(3000.0 * COST["trench"])
    assert ext.attached_to.tolist() == ["F1"]
    (line,) = ext.branch_lines()
    assert line.geom_type == "MultiLineString" and line.length == pytest.approx(3000.0)


def test_two_hamlets_on_one_road_share_the_trunk(straight) -> None:
    faps, hamlets = _xy((0, 0)), _xy((3000, 0), (2000, 0))
    tree = plan_extensions(straight, faps, hamlets, target_ids=["far", "near"], source_ids=["F1"])
    alone = plan_extensions(straight, faps, hamlets, together=False)
    assert tree.length_m.tolist() == pytest.approx([1000.0, 2000.0])  # branches: the near one pays the trunk
    assert tree.length_m.sum() == pytest.approx(3000.0)  # the farther distance
    assert tree.order.tolist() == [1, 0]
    assert tree.attached_to.tolist() == ["near", "F1"]
    assert alone.length_m.tolist() == pytest.approx([3000.0, 2000.0])
    assert tree.length_m.sum() < alone.length_m.sum()
    assert tree.alone_length_m.tolist() == pytest.approx([3000.0, 2000.0])
    assert tree.seg_length_m.sum() == pytest.approx(3000.0)


def test_t_network_tree() -> None:
    # trunk y = 0 from x = 0 to 4000, a cross road at x = 2000 from y = -1500 to 1000; fibre at the west end
    net = network_from_layers(_roads(_line((0, 0), (4000, 0)), _line((2000, -1500), (2000, 1000))), crs=UTM)
    targets = _xy((2000, 1000), (2000, -1500), (4000, 0))
    tree = plan_extensions(net, _xy((0, 0)), targets)
    alone = plan_extensions(net, _xy((0, 0)), targets, together=False)
    assert alone.length_m.tolist() == pytest.approx([3000.0, 3500.0, 4000.0])
    assert tree.length_m.sum() == pytest.approx(2000.0 + 1000.0 + 1500.0 + 2000.0)
    assert sorted(tree.length_m.tolist()) == pytest.approx([1500.0, 2000.0, 3000.0])
    assert (tree.cost_vnd <= tree.alone_cost_vnd + 1e-6).all()


def test_cheap_poles_beat_a_short_trench() -> None:
    # a straight road from the fibre to the hamlet (1000 m, no poles) and a detour road via (500, 400) with poles
    detour = [(1000.0 * t, 800.0 * t) for t in np.linspace(0, 0.5, 11)]
    detour += [(500.0 + 500.0 * t, 400.0 - 400.0 * t) for t in np.linspace(0.1, 1.0, 10)]
    net = network_from_layers(
        _roads(_line((0, 0), (1000, 0)), _line((0, 0), (500, 400), (1000, 0))),
        poles=_poles(*detour[1:-1]),
        crs=UTM,
    )
    meth = edge_methods(net)
    long_way = 2 * np.hypot(500, 400)
    cheap = plan_extensions(net, _xy((0, 0)), _xy((1000, 0)), methods=meth, unit_cost=COST)
    assert cheap.length_m[0] == pytest.approx(long_way, abs=1.0)
    assert cheap.metres[0, METHODS.index("aerial")] > 0.8 * long_way
    assert cheap.shortest_length_m[0] == pytest.approx(1000.0, abs=1e-6)
    # equal unit costs: the shortest route
    flat = plan_extensions(net, _xy((0, 0)), _xy((1000, 0)), methods=meth)
    assert flat.length_m[0] == pytest.approx(1000.0, abs=1e-6)
    # poles dearer than 1.28 x a trench: the trench again
    dear = plan_extensions(net, _xy((0, 0)), _xy((1000, 0)), methods=meth, unit_cost={**COST, "aerial": 600_000.0})
    assert dear.length_m[0] == pytest.approx(1000.0, abs=1e-6)
    assert dear.cost_vnd[0] == pytest.approx(1000.0 * COST["trench"])


def test_ducts_under_roads_and_new_poles() -> None:
    roads = _roads(_line((0, 0), (1000, 0), (3000, 0)))
    ducts = _ducts(_line((0, 0), (1000, 0)))
    net = network_from_layers(roads, ducts, crs=UTM)
    assert set(net.edge_kind) == {"road"}  # the duct lies under the road: ftth labels it road
    meth = edge_methods(net, ducts, new_build="new_poles")
    ext = plan_extensions(net, _xy((0, 0)), _xy((3000, 0)), methods=meth, unit_cost=COST)
    by = dict(zip(METHODS, ext.metres[0], strict=True))
    assert by["duct"] == pytest.approx(1000.0) and by["new_poles"] == pytest.approx(2000.0)
    assert ext.cost_vnd[0] == pytest.approx(1000.0 * COST["duct"] + 2000.0 * COST["new_poles"])
    # a duct that only crosses the road does not turn it into a duct
    cross = edge_methods(net, _ducts(_line((500, -100), (500, 100))))
    assert set(cross) == {"trench"}


def test_unreachable_hamlet_and_nearest_of_two_faps() -> None:
    net = network_from_layers(_roads(_line((0, 0), (2000, 0)), _line((0, 5000), (2000, 5000))), crs=UTM)
    ext = plan_extensions(net, _xy((0, 0), (2000, 0)), _xy((1500, 10), (1000, 5000)), source_ids=["A", "B"])
    assert ext.reachable.tolist() == [True, False]
    assert ext.length_m[0] == pytest.approx(500.0)
    assert ext.attached_to.tolist() == ["B", ""]
    assert np.isnan(ext.length_m[1]) and ext.order[1] == -1
    assert ext.branch_lines()[1].is_empty


def test_fap_off_the_road_adds_its_leg(straight) -> None:
    ext = plan_extensions(straight, _xy((0, 30)), _xy((1000, 0)), unit_cost=COST)
    assert ext.length_m[0] == pytest.approx(1030.0)
    assert ext.metres[0, METHODS.index("trench")] == pytest.approx(1030.0)


def test_bad_network_arguments(straight) -> None:
    with pytest.raises(CoverageError, match="methods"):
        plan_extensions(straight, _xy((0, 0)), _xy((10, 0)), methods=["road"] * straight.n_edges)
    with pytest.raises(CoverageError, match="unit costs"):
        plan_extensions(straight, _xy((0, 0)), _xy((10, 0)), unit_cost={**COST, "trench": -1.0})
    with pytest.raises(CoverageError, match="finite"):
        plan_extensions(straight, _xy((0, 0)), [[np.nan, 0.0]])
    with pytest.raises(CoverageError, match="new_build"):
        edge_methods(straight, new_build="aerial")


# -------------------------------------------------------------------------------------------------- costs


def test_costs_defaults_are_ordered_cheapest_first() -> None:
    c = fibre_costs()
    assert c.unit_cost["aerial"] < c.unit_cost["duct"] < c.unit_cost["new_poles"] < c.unit_cost["trench"]
    assert c.new_build == "trench"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[unit_cost_vnd_per_m]\nfibre = 1\n", "unknown setting 'unit_cost_vnd_per_m.fibre'"),
        ("[unit_cost_vnd_per_m]\ntrench = -5\n", "unit_cost_vnd_per_m.trench"),
        ("[unit_cost_vnd_per_m]\naerial = 'cheap'\n", "unit_cost_vnd_per_m.aerial"),
        ('[route]\nnew_build = "aerial"\n', "route.new_build"),
        ("[route]\nduct_tolerance_m = -1.0\n", "route.duct_tolerance_m"),
        ("[unit_cost_vnd_per_m\n", "cannot read"),
    ],
)
def test_bad_cost_files_name_the_file_and_key(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "my_costs.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CoverageError, match=match) as info:
        fibre_costs(path)
    assert "my_costs.toml" in str(info.value)


def test_user_cost_file_overrides_a_subset(tmp_path: Path) -> None:
    path = tmp_path / "costs.toml"
    path.write_text('[unit_cost_vnd_per_m]\ntrench = 250000\n[route]\nnew_build = "new_poles"\n', encoding="utf-8")
    c = fibre_costs(path)
    assert c.unit_cost["trench"] == 250_000.0 and c.unit_cost["aerial"] == COST["aerial"]
    assert c.new_build == "new_poles" and c.source == str(path)


# ----------------------------------------------------------------------------------------------- tiny world


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    return world.project(tmp_path_factory.mktemp("tiny"))


def test_tiny_world_extension_to_the_far_hamlet(tiny) -> None:
    plan = fibre_extensions(tiny)
    h = plan.hamlets.set_index("hamlet_id")
    assert list(plan.hamlets.columns) == list(HAMLET_COLUMNS)
    assert plan.hamlets.crs.to_epsg() == 4326
    assert "H2" in h.index
    far = h.loc["H2"]
    # every household of H2 is 8 km from the fibre point: the access point is the centre of H2 on the road
    assert far["households_unreachable"] == pytest.approx(540.0)
    assert far["alone_length_m"] == pytest.approx(9495.0 - 1000.0, abs=1.0)
    assert far["access_m"] == pytest.approx(0.0, abs=1.0)
    assert far["trench_m"] == pytest.approx(far["branch_length_m"])
    assert far["reason"] == ""
    assert 0 < far["households_reachable_after"] < 540.0
    # one straight road: the tree is the road from the fibre point to H2's centre, whoever pays for it
    assert plan.total["length_m"] == pytest.approx(8495.0, abs=1.0)
    assert plan.total["cost_vnd"] == pytest.approx(8495.0 * COST["trench"], rel=1e-3)
    assert plan.routes["length_m"].sum() == pytest.approx(plan.total["length_m"], abs=1.0)
    assert plan.hamlets.to_crs(world.UTM).geometry.length.sum() == pytest.approx(8495.0, abs=1.0)


def test_tiny_world_with_its_assessment(tiny, tmp_path: Path) -> None:
    from coverage.assess import run_assessment
    from coverage.radio.config import radio_config

    result = run_assessment(tiny, tmp_path, radio=radio_config(overrides=world.RADIO), report=False)
    with_assessment = fibre_extensions(tiny, result)
    alone = fibre_extensions(tiny)
    cols = ["hamlet_id", "branch_length_m", "households_unreachable", "households_reachable_after"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(with_assessment.hamlets[cols]), pd.DataFrame(alone.hamlets[cols]), check_exact=False, atol=0.1
    )
    assert with_assessment.hamlets["commune_name"].notna().all()


def test_tiny_world_without_usable_fibre_reports_every_hamlet(tmp_path: Path) -> None:
    layers = world.layers()
    layers["fibre_points"] = layers["fibre_points"].assign(free_ports=0)
    proj = project_from_frames("no ports", layers, world.rasters(tmp_path))
    plan = fibre_extensions(proj, together=False)
    assert sorted(plan.hamlets["hamlet_id"]) == ["H1", "H2"]
    assert plan.hamlets["reason"].str.contains("no usable fibre point").all()
    assert plan.hamlets["branch_length_m"].isna().all()
    assert plan.total["hamlets_reached"] == 0 and plan.total["length_m"] == 0.0
    assert len(plan.routes) == 0


def test_tiny_world_missing_layers(tmp_path: Path) -> None:
    with pytest.raises(MissingLayerError, match="roads"):
        fibre_extensions(world.project(tmp_path / "a", drop=("roads",)))
    with pytest.raises(MissingLayerError, match="fibre_points"):
        fibre_extensions(world.project(tmp_path / "b", drop=("fibre_points",)))


# ---------------------------------------------------------------------------------------------------- sample


def _planted_fibre_gaps() -> dict[str, float]:
    """Planted fibre-gap hamlets and their straight distance (m) to the nearest fibre point (data/README.md)."""
    with (DATA / "sample_gaps.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["gap"] == "fibre"]
    return {r["hamlet_id"]: 1000.0 * float(r["note"].rsplit("nearest ", 1)[1].removesuffix(" km")) for r in rows}


@pytest.fixture(scope="module")
def sample_plan():
    return fibre_extensions(read_sample())


def test_sample_planted_fibre_gaps_get_extensions_of_plausible_length(sample_plan) -> None:
    gaps = _planted_fibre_gaps()
    assert len(gaps) == 4
    h = sample_plan.hamlets.set_index("hamlet_id")
    assert set(gaps) <= set(h.index)
    for hid, straight_m in gaps.items():
        row = h.loc[hid]
        assert row["reason"] == "", hid
        assert row["households_unreachable"] == pytest.approx(row["households"]), hid
        # along the roads at least the straight distance, less the drop allowance; at most a few times it
        assert straight_m - 500.0 <= row["shortest_length_m"] <= row["alone_length_m"] <= 3.0 * straight_m, hid
        assert row["branch_cost_vnd"] <= row["alone_cost_vnd"] + 1.0, hid


def test_sample_tree_adds_up(sample_plan) -> None:
    h, total = sample_plan.hamlets, sample_plan.total
    assert total["hamlets"] == len(h) and total["hamlets_reached"] == len(h)  # the sample network is connected
    assert h["branch_length_m"].sum() == pytest.approx(total["length_m"], abs=0.1 * len(h))
    assert sum(total[f"{m}_m"] for m in METHODS) == pytest.approx(total["length_m"], abs=1.0)
    assert total["length_m"] < total["sum_alone_length_m"]
    assert total["aerial_m"] > 0 and total["trench_m"] > 0
    assert (h["branch_cost_vnd"] <= h["alone_cost_vnd"] + 1.0).all()
    assert (h["shortest_length_m"] <= h["alone_length_m"] + 0.2).all()
    assert (h["households_reachable_after"] >= h["households"] - h["households_unreachable"] - 0.2).all()
    assert sample_plan.routes["length_m"].sum() == pytest.approx(total["length_m"], abs=0.1 * len(sample_plan.routes))
    assert set(sample_plan.routes["method"]) <= set(METHODS)
