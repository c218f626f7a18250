"""Shared fixtures. Real open data lives in ../shared/data/vn beside the checkout; tests using it skip when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_VN = REPO.parent / "shared" / "data" / "vn"


@pytest.fixture(scope="session")
def shared_vn() -> Path:
    """Folder of real Vietnamese open data; skips the test when it is absent (as on a user's machine)."""
    if not SHARED_VN.is_dir():
        pytest.skip("../shared/data/vn is absent")
    return SHARED_VN
