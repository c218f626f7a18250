"""Fixtures shared by the coverage tests."""

from __future__ import annotations

import pytest

from coverage.assess import run_assessment
from coverage.layers.project import read_sample


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory):
    """The sample province assessed once per test session (about 30 s): (project, assessment, output folder)."""
    out = tmp_path_factory.mktemp("sample")
    project = read_sample()
    return project, run_assessment(project, out), out
