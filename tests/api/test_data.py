"""JSON API on the tiny world: the scorecard, hamlets, dead zones and sites, as GeoJSON and CSV."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from tests.api.conftest import auth


def test_kpis_of_one_unit_with_counts_and_freshness(reader: TestClient):
    r = reader.get("/api/kpis", params={"code": "99"})
    assert r.status_code == 200
    doc = r.json()
    assert doc["status"]["state"] == "ready" and doc["status"]["recomputing"] is False
    rows = {k["indicator"]: k for k in doc["kpis"]}
    mb = rows["hamlets_mobile_broadband"]
    assert (mb["value"], mb["numerator"], mb["denominator"], mb["status"]) == (0.5, 1, 2, "not met")
    assert rows["fixed_mean_mbps"]["status"] == "not assessed" and rows["fixed_mean_mbps"]["value"] is None
    assert any("95%" in rule for rule in doc["rules"])


def test_kpis_by_level_and_period_and_as_csv(reader: TestClient):
    communes = reader.get("/api/kpis", params={"level": "commune"}).json()["kpis"]
    assert {k["unit_code"] for k in communes} == {"99001", "99002"}
    new = reader.get("/api/kpis", params={"level": "commune", "period": "post2025"}).json()["kpis"]
    assert {k["unit_code"] for k in new} == {"98001"}
    r = reader.get("/api/kpis", params={"code": "99001", "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["unit_name"] for row in rows} == {"Xã Tây"}


def test_hamlets_geojson_filters_by_unit_and_status(reader: TestClient):
    all_ = reader.get("/api/hamlets").json()
    assert all_["type"] == "FeatureCollection" and len(all_["features"]) == 2
    props = {f["properties"]["hamlet_id"]: f["properties"] for f in all_["features"]}
    assert props["H1"]["status"] == "covered" and props["H2"]["status"] == "not covered"
    assert props["H2"]["name"] == "Ấp Xa" and props["H1"]["share_people"] == 1.0
    only = reader.get("/api/hamlets", params={"code": "99002"}).json()["features"]
    assert [f["properties"]["hamlet_id"] for f in only] == ["H2"]
    uncovered = reader.get("/api/hamlets", params={"status": "not covered"}).json()["features"]
    assert [f["properties"]["hamlet_id"] for f in uncovered] == ["H2"]
    viettel = reader.get("/api/hamlets", params={"technology": "4G", "operator": "Viettel"}).json()["features"]
    assert {f["properties"]["status"] for f in viettel} == {"covered", "not covered"}


def test_hamlets_as_csv_with_a_point_per_hamlet(reader: TestClient):
    r = reader.get("/api/hamlets", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["hamlet_id"] for row in rows] == ["H1", "H2"]
    assert 105 < float(rows[0]["lon"]) < 106 and 9 < float(rows[0]["lat"]) < 10


def test_dead_zones_with_nearest_site(reader: TestClient):
    zones = reader.get("/api/dead-zones").json()["features"]
    assert len(zones) == 1
    z = zones[0]["properties"]
    assert z["hamlet_id"] == "H2" and z["population"] == 2000.0 and z["nearest_site_Viettel_km"] == 8.0
    assert reader.get("/api/dead-zones", params={"code": "99001"}).json()["features"] == []
    assert reader.get("/api/dead-zones", params={"min_people": 5000}).json()["features"] == []


def test_sites_filters_and_cell_details_need_a_key(reader: TestClient, keys):
    sites = reader.get("/api/sites").json()["features"]
    assert [s["properties"]["site_id"] for s in sites] == ["S"]
    assert "cell_list" not in sites[0]["properties"]
    assert reader.get("/api/sites", params={"operator": "VNPT"}).json()["features"] == []
    assert reader.get("/api/sites", params={"technology": "5G"}).json()["features"] == []
    assert reader.get("/api/sites", params={"include_cells": True}).status_code == 401
    own = reader.get("/api/sites", params={"include_cells": True}, headers=auth(keys, "viettel")).json()
    assert [c["cell_id"] for c in own["features"][0]["properties"]["cell_list"]] == ["S-1"]
    other = reader.get("/api/sites", params={"include_cells": True}, headers=auth(keys, "vnpt")).json()
    assert other["features"][0]["properties"]["cell_list"] == []  # VNPT may not read Viettel's cells
    planner = reader.get("/api/sites", params={"include_cells": True}, headers=auth(keys, "plan")).json()
    assert len(planner["features"][0]["properties"]["cell_list"]) == 1
    assert reader.get("/api/sites", headers={"X-API-Key": "not-a-key"}).status_code == 401


def test_unknown_values_are_4xx_naming_the_field(reader: TestClient):
    r = reader.get("/api/kpis", params={"code": "12345"})
    assert r.status_code == 404 and "12345" in r.json()["detail"]
    r = reader.get("/api/hamlets", params={"technology": "6G"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "technology"]
    r = reader.get("/api/hamlets", params={"operator": "Gmobile"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "operator"]
    assert reader.get("/api/kpis", params={"level": "village"}).status_code == 422
    assert reader.get("/api/dead-zones", params={"min_people": -1}).status_code == 422
    assert reader.get("/api/kpis", params={"code": "<script>"}).status_code == 422


def test_openapi_documents_the_endpoints(reader: TestClient):
    spec = reader.get("/openapi.json").json()
    for path in ("/api/kpis", "/api/hamlets", "/api/dead-zones", "/api/sites", "/api/sites/{site_id}"):
        assert path in spec["paths"], path
    props = spec["components"]["schemas"]["CellIn"]["properties"]
    assert props["tx_power_dbm"]["maximum"] == 60 and props["band_mhz"]["minimum"] == 400


def test_api_docs_work_offline(reader: TestClient):
    html = reader.get("/docs").text
    assert "/static/swagger-ui/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert reader.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200
