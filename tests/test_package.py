"""Packaging invariants: `coverage` is this project (not coverage.py) and data flows one way."""

from __future__ import annotations

import ast
from pathlib import Path

import coverage

REPO = Path(__file__).resolve().parents[1]


def test_coverage_imports_from_this_repo() -> None:
    assert Path(coverage.__file__).resolve() == REPO / "coverage" / "__init__.py"
    assert not hasattr(coverage, "Coverage")  # coverage.py is not what we import


def test_coverage_never_imports_api() -> None:
    for path in (REPO / "coverage").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n == "api" or n.startswith("api.") for n in names), f"{path} imports api"


def test_typed_marker_shipped() -> None:
    assert (REPO / "coverage" / "py.typed").exists()


NUMBA_SNIPPET = """
import numpy as np
{first}
{second}
@numba.njit
def total(a):
    s = 0.0
    for x in a:
        s += x
    return s
assert total(np.arange(5.0)) == 10.0
assert not hasattr(coverage, "Coverage")
"""


def test_numba_imports_and_compiles_beside_our_coverage_package() -> None:
    # numba does `import coverage` expecting coverage.py; coverage/types.py keeps that from breaking numba
    import subprocess
    import sys

    for first, second in (("import coverage", "import numba"), ("import numba", "import coverage")):
        code = NUMBA_SNIPPET.format(first=first, second=second)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/", check=False)
        assert res.returncode == 0, res.stderr[-2000:]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    ci = (REPO / ".ci" / "run").read_text("utf-8").strip().splitlines()[-1]
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```bash\n")[1:]]
    assert ci in blocks, "the last line of .ci/run must be one of README's commands, verbatim"
    assert ci.endswith("python -m pytest")
    assert any(b.endswith("coverage-planner serve") and "pip install -e ." in b for b in blocks)
