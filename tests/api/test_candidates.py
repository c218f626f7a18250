"""Site planning through the service (tiny world: VNPT has no cells; Viettel's mast S covers hamlet H1 only)."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient

import api.routers.candidates as candidates
from api.jobs import JobRegistry, TooBusyError
from tests.api.test_maps import _offline

KNOWN = {"operator": "VNPT", "technology": "4G", "sites": 2}


def _poll(client: TestClient, url: str, timeout_s: float = 60.0) -> dict:
    t0 = time.monotonic()
    while True:
        r = client.get(url)
        assert r.status_code == 200, r.text
        doc = r.json()
        if doc["status"] in ("done", "failed"):
            return doc
        assert time.monotonic() - t0 < timeout_s, doc
        time.sleep(0.05)


def _check_known_answer(doc: dict) -> None:
    assert doc["operator"] == "VNPT" and doc["technology"] == "4G" and doc["mode"] == "sites"
    ranked = doc["ranked"]
    assert ranked["type"] == "FeatureCollection" and len(ranked["features"]) == 2
    props = [f["properties"] for f in ranked["features"]]
    assert [p["rank"] for p in props] == [1, 2]
    # the far hamlet H2 (2,000 people) needs a new mast; H1 (1,000) is covered as well by sharing mast S
    assert props[0]["build"] == "new_build" and props[0]["people_gained"] == 2000
    assert props[0]["hamlets_newly_covered"] == "H2"
    assert props[1]["build"] == "colocation" and props[1]["source"] == "S" and props[1]["host_owner"] == "Viettel"
    assert props[1]["people_gained"] == 1000 and props[-1]["people_cumulative"] == 3000
    assert sum(p["people_gained"] for p in props) == 3000
    for f in ranked["features"]:
        assert f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert lon == pytest.approx(f["properties"]["lon"]) and lat == pytest.approx(f["properties"]["lat"])
    card = {r["indicator"]: r for r in doc["scorecard"]}
    assert card["hamlets_mobile_broadband"]["before"] == 0.5
    assert card["hamlets_mobile_broadband"]["after_estimate"] == 1.0
    assert card["hamlets_mobile_broadband"]["after"] is None  # not verified
    assert set(doc["solver"]) == {"objective", "bound", "gap", "seconds", "method"}
    assert doc["solver"]["objective"] == pytest.approx(3000.0)
    assert doc["stats"]["candidates"] >= 2 and doc["verified"] is False
    assert doc["status_url"] == f"/api/candidates/{doc['job_id']}"


def test_best_two_sites_for_vnpt_without_a_key(reader: TestClient) -> None:
    r = reader.post("/api/candidates", json=KNOWN)
    assert r.status_code == 200, r.text
    doc = r.json()
    _check_known_answer(doc)
    # the job stays readable, with the same plan, as GeoJSON and as CSV
    job = reader.get(doc["status_url"]).json()
    assert job["status"] == "done" and job["stale"] is False and job["result"] == doc
    geo = reader.get(doc["status_url"], params={"format": "geojson"})
    assert geo.headers["content-type"].startswith("application/geo+json")
    assert geo.json() == doc["ranked"]
    csv = reader.get(doc["status_url"], params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("rank,candidate_id,kind,build,source") and len(lines) == 3
    # the same request on the same figures reads the same plan
    again = reader.post("/api/candidates", json=KNOWN)
    assert again.status_code == 200 and again.json()["job_id"] == doc["job_id"]


def test_target_share_of_hamlets(reader: TestClient) -> None:
    r = reader.post("/api/candidates", json={"operator": "VNPT", "technology": "4G", "target": 1.0})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["mode"] == "target" and doc["target"] == 1.0 and doc["sites"] is None
    props = [f["properties"] for f in doc["ranked"]["features"]]
    assert len(props) == 1 and props[0]["hamlets_newly_covered"] == "H2"
    assert {r["indicator"]: r for r in doc["scorecard"]}["hamlets_mobile_broadband"]["after_estimate"] == 1.0


def test_a_commune_area(reader: TestClient) -> None:
    r = reader.post("/api/candidates", json={**KNOWN, "sites": 1, "area": "99002"})
    assert r.status_code == 200, r.text
    props = [f["properties"] for f in r.json()["ranked"]["features"]]
    assert len(props) == 1 and props[0]["hamlets_newly_covered"] == "H2"


def test_verify_with_the_full_engine(reader: TestClient) -> None:
    r = reader.post("/api/candidates", json={**KNOWN, "sites": 1, "verify": True})
    assert r.status_code in (200, 202), r.text
    doc = r.json() if r.status_code == 200 else _poll(reader, r.json()["status_url"])["result"]
    assert doc["verified"] is True
    card = {r["indicator"]: r for r in doc["scorecard"]}
    assert card["hamlets_mobile_broadband"]["after"] == 1.0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"operator": "Nobody", "technology": "4G", "sites": 2}, "operator"),
        ({"operator": "FPT", "technology": "4G", "sites": 2}, "operator"),  # fixed broadband only
        ({"operator": "VNPT", "technology": "6G", "sites": 2}, "technology"),
        ({"operator": "VNPT", "technology": "4G", "sites": 2, "target": 0.5}, "sites"),
        ({"operator": "VNPT", "technology": "4G"}, "target"),
        ({"operator": "VNPT", "technology": "4G", "target": 1.5}, "target"),
        ({"operator": "VNPT", "technology": "4G", "target": 0}, "target"),
        ({"operator": "VNPT", "technology": "4G", "sites": 0}, "sites"),
        ({"operator": "VNPT", "technology": "4G", "sites": 501}, "sites"),
        ({"operator": "VNPT", "technology": "4G", "sites": "two"}, "sites"),
        ({"operator": "VNPT", "technology": "4G", "sites": 2, "area": "77777"}, "77777"),
        ({"operator": "VNPT", "technology": "4G", "sites": 2, "area": "99"}, "99"),  # the province is no area
        ({"operator": "VNPT", "technology": "4G", "sites": 2, "area": "bad code"}, "area"),
        ({"operator": "VNPT", "technology": "4G", "sites": 2, "colour": "red"}, "colour"),
        ({"operator": "VNPT", "sites": 2}, "technology"),
    ],
)
def test_bad_requests_are_4xx_naming_the_field(reader: TestClient, body: dict, field: str) -> None:
    r = reader.post("/api/candidates", json=body)
    assert 400 <= r.status_code < 500, r.text
    assert r.status_code == 422
    assert field in r.text


def test_more_sites_than_candidates_is_the_planners_message(reader: TestClient) -> None:
    r = reader.post("/api/candidates", json={**KNOWN, "sites": 500})
    assert r.status_code == 422, r.text
    assert re.search(r"500 sites asked for, but there are only \d+ candidates", r.text)


def test_not_json_is_422(reader: TestClient) -> None:
    r = reader.post("/api/candidates", content=b"sites=2", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_slow_plans_answer_202_and_a_status_url(tiny_source, keys, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.api.conftest import make_client

    monkeypatch.setattr(candidates, "ANSWER_WITHIN_S", 0.0)
    with make_client(tiny_source, keys, tmp_path / "service") as client:
        r = client.post("/api/candidates", json=KNOWN)
        assert r.status_code == 202, r.text
        accepted = r.json()
        assert re.fullmatch(r"[0-9a-f]{32}", accepted["job_id"])
        assert accepted["status_url"] == f"/api/candidates/{accepted['job_id']}"
        assert r.headers["location"] == accepted["status_url"]
        assert accepted["status"] in ("queued", "running", "done")
        doc = _poll(client, accepted["status_url"])
        assert doc["status"] == "done" and doc["error"] is None and doc["progress"] == "done"
        assert doc["created"] <= doc["started"] <= doc["finished"]
        _check_known_answer(doc["result"])
        assert doc["result"]["job_id"] == accepted["job_id"]

        # a request the planner refuses, found out in the background: the job fails with the message
        r = client.post("/api/candidates", json={**KNOWN, "sites": 400})
        assert r.status_code == 202
        failed = _poll(client, r.json()["status_url"])
        assert failed["status"] == "failed" and "only" in failed["error"] and failed["result"] is None
        assert client.get(r.json()["status_url"], params={"format": "csv"}).status_code == 409

        # the map page says it is computing, and reloads itself until the plan is there
        page = client.get("/maps/candidates", params={"operator": "VNPT", "technology": "4G", "sites": 1})
        assert page.status_code == 200
        assert '<meta http-equiv="refresh" content="3">' in page.text
        assert "Đang tính" in page.text and "/api/candidates/" in page.text
        job_id = re.search(r"/api/candidates/([0-9a-f]{32})", page.text).group(1)
        assert _poll(client, f"/api/candidates/{job_id}")["status"] == "done"
        page = client.get("/maps/candidates", params={"operator": "VNPT", "technology": "4G", "sites": 1})
        assert 'http-equiv="refresh"' not in page.text and "cand cand-new_build" in page.text


def test_unknown_job_is_404(reader: TestClient) -> None:
    r = reader.get("/api/candidates/" + "0" * 32)
    assert r.status_code == 404 and "0" * 32 in r.text
    assert reader.get("/api/candidates/not-a-job").status_code == 422


def test_too_many_jobs_at_once_is_429(reader: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def busy(*_args, **_kw):
        raise TooBusyError(2)

    reg = candidates.registry(reader.app.state.service)
    monkeypatch.setattr(reg, "submit", busy)
    r = reader.post("/api/candidates", json={**KNOWN, "sites": 3})
    assert r.status_code == 429 and "retry-after" in r.headers
    page = reader.get("/maps/candidates", params={"operator": "VNPT", "sites": 3})
    assert page.status_code == 429 and 'http-equiv="refresh"' in page.text


def test_registry_limits_and_history() -> None:
    import threading

    reg = JobRegistry(max_active=1, history=2)
    gate = threading.Event()
    first = reg.submit("k", "a", 1, lambda job: gate.wait(10) and "A")
    assert reg.submit("k", "a", 1, lambda job: "again") is first  # same request, same version: the same job
    with pytest.raises(TooBusyError):
        reg.submit("k", "b", 1, lambda job: "B")
    gate.set()
    assert first.wait(10) and first.result == "A" and first.state == "done"
    second = reg.submit("k", "a", 2, lambda job: "A2")  # new figures: a new job
    assert second is not first and second.wait(10) and second.result == "A2"
    assert reg.submit("k", "c", 2, lambda job: 1 / 0).wait(10)
    assert len(reg) == 2 and reg.get(first.id) is None  # the oldest finished job left the history
    boom = reg.get([i for i in reg._jobs][-1])
    assert boom.state == "failed" and "ZeroDivisionError" in boom.error and not boom.request_error
    reg.shutdown(wait=True)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_candidates_map(reader: TestClient, lang: str) -> None:
    r = reader.get("/maps/candidates", params={"operator": "VNPT", "technology": "4G", "sites": 2, "lang": lang})
    assert r.status_code == 200, r.text
    page = r.text
    _offline(page)
    assert f'<html lang="{lang}">' in page
    # numbered markers: 1 the new mast in H2, 2 the co-location on S (colour by type)
    assert '<div class=\\"cand cand-new_build\\" style=\\"background:#1f4e9c\\">1</div>' in page
    assert '<div class=\\"cand cand-colocation\\" style=\\"background:#6a3d9a\\">2</div>' in page
    assert "new iconRootAlias.DivIcon(" in page  # Leaflet's own L.DivIcon: no icon font or image
    assert '<form class="bar" method="get" action="/maps/candidates">' in page
    assert 'name="sites" value="2"' in page
    assert '<option value="VNPT" selected>' in page
    assert "Ấp Xa" in page and "Ấp Gần" in page  # hamlets coloured by status
    assert '"site_id": "S"' in page  # Viettel's mast, another operator's for VNPT
    assert 'class="legend"' in page and 'class="box plan-box"' in page
    if lang == "vi":
        assert "Dùng chung trạm" in page and "Trạm mới" in page and "Số dân được phủ thêm" in page
        assert "2 trạm đề xuất, phủ thêm 3.000 người" in page
        assert "Trạm của nhà mạng khác" in page
    else:
        assert "Co-location" in page and "New mast" in page and "People newly covered" in page
        assert "2 planned sites, 3,000 people newly covered" in page
        assert "50.0 % → 100.0 %" in page  # hamlets with mobile broadband, before → estimated after
    # the same query is served from the cache
    assert reader.get(r.url).text == page


def test_candidates_map_variants_and_errors(reader: TestClient) -> None:
    page = reader.get("/maps/candidates", params={"operator": "VNPT", "target": "1", "lang": "en"})
    assert page.status_code == 200 and "cand cand-new_build" in page.text
    # the filter bar sends both fields, one empty; district and commune fields name the area
    page = reader.get("/maps/candidates?operator=VNPT&technology=4G&sites=1&target=&district=&commune=99002")
    assert page.status_code == 200 and "Xã Đông" in page.text
    assert reader.get("/maps/candidates").status_code == 200  # defaults: Viettel, 4G, best 5 sites
    both = reader.get("/maps/candidates?operator=VNPT&sites=1&target=0.5&lang=en")
    assert both.status_code == 422 and "not both" in both.text and "<html" in both.text
    too_many = reader.get("/maps/candidates?operator=VNPT&sites=500&lang=en")
    assert too_many.status_code == 422 and "candidates" in too_many.text
    assert reader.get("/maps/candidates?operator=VNPT&sites=0").status_code == 422
    assert reader.get("/maps/candidates?operator=VNPT&target=1.5").status_code == 422
    assert reader.get("/maps/candidates?operator=Nobody").status_code == 422
    assert reader.get("/maps/candidates?technology=6G").status_code == 422
    assert reader.get("/maps/candidates?sites=two").status_code == 422
    assert reader.get("/maps/candidates?lang=fr").status_code == 422
    r = reader.get("/maps/candidates?area=77777")
    assert r.status_code == 404 and "77777" in r.text


def test_landing_page_links_the_candidates_map(reader: TestClient) -> None:
    vi = reader.get("/").text
    assert 'href="/maps/candidates?lang=vi"' in vi and "Bản đồ vị trí trạm đề xuất" in vi
    en = reader.get("/?lang=en").text
    assert 'href="/maps/candidates?lang=en"' in en and "Candidate sites map" in en
