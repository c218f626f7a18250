"""Committed notebooks are executed: every code cell ran, in order, without error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_committed_with_outputs(path: Path) -> None:
    nb = json.loads(path.read_text("utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    assert all(c["outputs"] for c in code), "a code cell has no output"
    assert not [o for c in code for o in c["outputs"] if o["output_type"] == "error"]


def test_notebooks_exist() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert {"01_data_model.ipynb", "02_assessment.ipynb", "03_planning.ipynb"} <= set(names)
