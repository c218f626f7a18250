"""Operators' updates: own equipment only, validated as a whole, stored atomically, figures recomputed."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from coverage.layers.project import read_project
from tests.api.conftest import auth, make_client
from tests.coverage import world

CELL = {
    "cell_id": "S2-1", "technology": "4G", "band_mhz": 1800.0, "bandwidth_mhz": 20.0, "azimuth_deg": 0.0,
    "antenna_height_m": 28.0, "antenna_gain_dbi": 10.0, "hbw_deg": 360.0, "vbw_deg": 10.0, "tx_power_dbm": 43.0,
}  # fmt: skip


def site_feature(site_id: str = "S2", x: float = 9500.0, cells: list[dict] | None = None) -> dict:
    """A new omni site at (x, -1500) m from the tiny world's corner: x = 9500 is inside hamlet H2."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(world.geo(x, -1500.0))},
        "properties": {"site_id": site_id, "mast_height_m": 30.0, "cells": [dict(CELL)] if cells is None else cells},
    }


def _stored(client: TestClient):
    return read_project(client.app.state.service.project_path)


def _kpi(client: TestClient, indicator: str, code: str = "99") -> dict:
    rows = client.get("/api/kpis", params={"code": code}).json()["kpis"]
    return next(r for r in rows if r["indicator"] == indicator)


def test_a_new_site_closes_the_dead_zone_after_recomputation(client: TestClient, keys):
    assert _kpi(client, "hamlets_mobile_broadband")["value"] == 0.5
    r = client.post("/api/sites", json=site_feature(), headers=auth(keys, "viettel"))
    assert r.status_code == 201, r.text
    assert r.json()["action"] == "created"
    assert _kpi(client, "hamlets_mobile_broadband")["value"] == 1.0
    assert client.get("/api/dead-zones").json()["features"] == []
    # only the area the new site can reach was predicted again
    assert client.app.state.service.result.stats["prediction"] == "updated around 1 changed place(s)"
    stored = _stored(client)
    assert set(stored["sites"]["site_id"]) == {"S", "S2"} and "S2-1" in set(stored["cells"]["cell_id"])


def test_operators_change_only_their_own_equipment(client: TestClient, keys):
    vnpt, viettel = auth(keys, "vnpt"), auth(keys, "viettel")
    before = _stored(client)
    # VNPT may not move, delete or remove the cells of Viettel's site S
    r = client.put("/api/sites/S", json={"mast_height_m": 40.0}, headers=vnpt)
    assert r.status_code == 403 and "Viettel" in r.json()["detail"]
    assert client.delete("/api/sites/S", headers=vnpt).status_code == 403
    assert client.delete("/api/sites/S/cells/S-1", headers=vnpt).status_code == 403
    # nor claim a site for another operator, nor reuse Viettel's cell id
    r = client.post(
        "/api/sites",
        json={**site_feature(), "properties": {**site_feature()["properties"], "owner": "Viettel"}},
        headers=vnpt,
    )
    assert r.status_code == 403
    r = client.post("/api/sites", json=site_feature(cells=[{**CELL, "cell_id": "S-1"}]), headers=vnpt)
    assert r.status_code == 409 and "S-1" in r.json()["detail"]
    # planners read, they do not write; no key at all is 401
    assert client.post("/api/sites", json=site_feature(), headers=auth(keys, "plan")).status_code == 403
    assert client.delete("/api/sites/S").status_code == 401
    after = _stored(client)
    assert after["sites"].equals(before["sites"]) and after["cells"].equals(before["cells"])
    # Viettel may
    assert client.put("/api/sites/S", json={"mast_height_m": 40.0}, headers=viettel).status_code == 200
    assert float(_stored(client)["sites"].set_index("site_id").loc["S", "mast_height_m"]) == 40.0


def test_co_location_makes_a_shared_site(client: TestClient, keys):
    cell = {**CELL, "cell_id": "S-VNPT-1"}
    r = client.put("/api/sites/S/cells/S-VNPT-1", json=cell, headers=auth(keys, "vnpt"))
    assert r.status_code == 200, r.text
    stored = _stored(client)
    assert stored["sites"].set_index("site_id").loc["S", "tenants"] == "Viettel;VNPT"  # canonical order
    assert _kpi(client, "bts_site_sharing")["value"] == 1.0
    # Viettel, the owner, cannot delete a site that still carries VNPT's cells
    r = client.delete("/api/sites/S", headers=auth(keys, "viettel"))
    assert r.status_code == 409 and "VNPT" in r.json()["detail"]
    # VNPT leaves: its last cell gone, it is no longer a tenant
    assert client.delete("/api/sites/S/cells/S-VNPT-1", headers=auth(keys, "vnpt")).status_code == 200
    assert _stored(client)["sites"].set_index("site_id").loc["S", "tenants"] == "Viettel"


def test_replacing_own_cells_and_deleting_an_own_site(client: TestClient, keys):
    viettel = auth(keys, "viettel")
    assert client.post("/api/sites", json=site_feature(), headers=viettel).status_code == 201
    cells = [{**CELL, "cell_id": "S2-a", "azimuth_deg": 0.0}, {**CELL, "cell_id": "S2-b", "azimuth_deg": 180.0}]
    assert client.put("/api/sites/S2", json={"cells": cells}, headers=viettel).status_code == 200
    stored = _stored(client)["cells"]
    assert sorted(stored.loc[stored["site_id"] == "S2", "cell_id"]) == ["S2-a", "S2-b"]
    assert client.delete("/api/sites/S2", headers=viettel).status_code == 200
    assert set(_stored(client)["sites"]["site_id"]) == {"S"}
    assert _kpi(client, "hamlets_mobile_broadband")["value"] == 0.5


BAD_BODIES = [
    ("not json", "{", 422),
    (
        "a line, not a point",
        {**site_feature(), "geometry": {"type": "LineString", "coordinates": [[105, 9], [106, 10]]}},
        422,
    ),
    ("in Thailand", {**site_feature(), "geometry": {"type": "Point", "coordinates": [100.5, 13.7]}}, 422),
    ("swapped lon/lat", {**site_feature(), "geometry": {"type": "Point", "coordinates": [9.75, 105.8]}}, 422),
    ("unknown technology", site_feature(cells=[{**CELL, "technology": "6G"}]), 422),
    ("power out of range", site_feature(cells=[{**CELL, "tx_power_dbm": 90}]), 422),
    ("unknown field", {**site_feature(), "properties": {**site_feature()["properties"], "colour": "red"}}, 422),
    ("no cells", site_feature(cells=[]), 422),
    ("antenna above the mast", site_feature(cells=[{**CELL, "antenna_height_m": 80.0}]), 422),
    ("existing site id", site_feature(site_id="S"), 409),
]


@pytest.mark.parametrize(("what", "body", "code"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_input_is_4xx_naming_the_field_and_stores_nothing(client: TestClient, keys, what, body, code):
    before = _stored(client)
    headers = {**auth(keys, "viettel"), "content-type": "application/json"}
    content = body if isinstance(body, str) else json.dumps(body)
    r = client.post("/api/sites", content=content, headers=headers)
    assert r.status_code == code, (what, r.text)
    detail = r.json()["detail"]
    assert detail  # names what is wrong
    after = _stored(client)
    assert after["sites"].equals(before["sites"]) and after["cells"].equals(before["cells"])
    assert client.get("/api/status").json()["version"] == 1  # nothing recomputed


def test_oversize_bodies_are_refused(client: TestClient, keys):
    big = site_feature(cells=[{**CELL, "cell_id": f"C{i}"} for i in range(48)])
    big["properties"]["padding"] = "x" * 300_000
    r = client.post("/api/sites", json=big, headers=auth(keys, "viettel"))
    assert r.status_code == 413


def test_an_interrupted_write_leaves_the_stored_project_as_it_was(client: TestClient, keys, monkeypatch):
    before = _stored(client)
    from coverage.layers.project import Project

    def crash(self, path):
        raise OSError("disk full")

    monkeypatch.setattr(Project, "to_gpkg", crash)
    with pytest.raises(OSError):
        client.post("/api/sites", json=site_feature(), headers=auth(keys, "viettel"))
    monkeypatch.undo()
    after = _stored(client)
    assert after["sites"].equals(before["sites"])
    assert client.get("/api/sites").json()["features"][0]["properties"]["site_id"] == "S"
    assert len(client.get("/api/sites").json()["features"]) == 1


def test_background_recompute_reports_stale_areas(tiny_source, keys, tmp_path):
    import time

    with make_client(tiny_source, keys, tmp_path / "svc", recompute_in_background=True) as c:
        r = c.post("/api/sites", json=site_feature(), headers=auth(keys, "viettel"))
        assert r.status_code == 201
        st = c.get("/api/kpis", params={"code": "99"}).json()["status"]
        if st["recomputing"]:  # the worker may already have finished on a fast machine
            assert st["stale_areas"] and st["stale_areas"][0]["radius_m"] == 5000.0
        for _ in range(200):
            if c.get("/api/status").json()["state"] == "ready":
                break
            time.sleep(0.05)
        assert c.get("/api/status").json()["version"] == 2
        assert _kpi(c, "hamlets_mobile_broadband")["value"] == 1.0
