"""A service on the tiny world (tests/coverage/world.py) with one key per role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.keys import new_key_entry
from api.main import create_app
from api.settings import Settings
from tests.coverage import world
from tests.coverage.test_cli import TINY_RADIO


@pytest.fixture(scope="session")
def tiny_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny_source")
    return world.project(folder).to_gpkg(folder / "tiny.gpkg")


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("keys")
    out: dict[str, object] = {}
    entries = []
    for name, role, op in (("viettel", "operator", "Viettel"), ("vnpt", "operator", "VNPT"), ("plan", "planner", None)):
        key, entry = new_key_entry(name, role, op)
        out[name] = key
        entries.append(entry)
    path = folder / "keys.toml"
    path.write_text("\n".join(entries), encoding="utf-8")
    radio = folder / "radio.toml"
    radio.write_text(TINY_RADIO, encoding="utf-8")
    out["file"], out["radio"] = path, radio
    return out


def make_client(source: Path, keys: dict[str, object], workdir: Path, **kw: object) -> TestClient:
    options = {"map_tiles": "none", "recompute_in_background": False, **kw}
    settings = Settings(
        project=source, workdir=workdir, api_keys_file=keys["file"], radio_config=keys["radio"], **options
    )
    return TestClient(create_app(settings))


@pytest.fixture
def client(tiny_source: Path, keys: dict[str, object], tmp_path: Path) -> Iterator[TestClient]:
    """A fresh service (its own working copy) per test: writes never leak between tests."""
    with make_client(tiny_source, keys, tmp_path / "service") as c:
        yield c


@pytest.fixture(scope="module")
def reader(
    tiny_source: Path, keys: dict[str, object], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """A service shared by read-only tests."""
    with make_client(tiny_source, keys, tmp_path_factory.mktemp("reader")) as c:
        yield c


def auth(keys: dict[str, object], name: str) -> dict[str, str]:
    return {"X-API-Key": str(keys[name])}
