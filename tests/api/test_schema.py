"""Schemathesis strategies from the service's OpenAPI schema, driven by hypothesis: no request, valid or not,
gets a 5xx; invalid writes with a valid operator key get a 4xx and leave the stored project unchanged.

(Schemathesis's own pytest plugin does not run under pytest 9 yet, so the strategies are used directly.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coverage.layers.project import read_project
from tests.api.conftest import make_client

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.fixture(scope="module")
def live(tiny_source: Path, keys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with make_client(tiny_source, keys, tmp_path_factory.mktemp("schema")) as client:
        yield client


@pytest.fixture(scope="module")
def schema(live: TestClient):
    return schemathesis.openapi.from_asgi("/openapi.json", live.app)


def test_reads_never_fail_on_the_server(schema, live: TestClient):
    reads = schema.include(method="GET").as_strategy(schemathesis.GenerationMode.POSITIVE)
    bad_reads = schema.include(method="GET").as_strategy(schemathesis.GenerationMode.NEGATIVE)
    seen: set[str] = set()

    @SETTINGS
    @given(case=st.one_of(reads, bad_reads))
    def check(case) -> None:
        response = case.call()
        seen.add(case.path)
        assert response.status_code < 500, (case.method, case.path, case.query, response.text[:300])

    check()
    assert {"/api/kpis", "/api/hamlets", "/api/dead-zones", "/api/sites"} <= seen


def test_invalid_writes_are_4xx_and_change_nothing(schema, live: TestClient, keys):
    path = live.app.state.service.project_path
    before = path.read_bytes()
    writes = schema.include(method=["POST", "PUT", "DELETE"]).as_strategy(schemathesis.GenerationMode.NEGATIVE)
    key = {"X-API-Key": str(keys["viettel"])}
    seen: set[str] = set()

    @SETTINGS
    @given(case=writes)
    def check(case) -> None:
        response = case.call(headers=key)
        seen.add(f"{case.method} {case.path}")
        assert 400 <= response.status_code < 500, (case.method, case.path, case.body, response.text[:300])

    check()
    assert path.read_bytes() == before
    assert read_project(path)["sites"]["site_id"].tolist() == ["S"]
    assert live.get("/api/status").json()["version"] == 1
    assert {"POST /api/sites", "PUT /api/sites/{site_id}"} <= seen
