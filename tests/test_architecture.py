"""The tree's architecture: stages flow one way, no import cycles, types check, functions fit on a screen.

The import contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and the type checker's settings in
``[tool.mypy]``; these tests run both tools as CI runs them, and show that the layering check fails when a
lower stage imports a higher one.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MAX_FUNCTION_LINES = 120
"""Longest function allowed in ``coverage/`` and ``api/``, docstring included (DEVELOPERS.md: one screen)."""


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, check=False
    )


def test_import_contracts_are_kept() -> None:
    res = _lint_imports(REPO)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    for contract in ("Stages flow one way", "never imports the service", "No import cycles", "Private modules"):
        assert f"{contract}" in res.stdout and "BROKEN" not in res.stdout


@pytest.mark.parametrize(
    ("module", "line", "expected"),
    [
        ("coverage/radio/propagation.py", "from coverage.assess import scorecard", "coverage.radio.propagation ->"),
        ("coverage/layers/crs.py", "from coverage.radio import grid", "coverage.layers.crs ->"),
        ("coverage/assess/mobile.py", "import coverage.plan.optimize", "coverage.assess.mobile ->"),
        ("coverage/plan/fibre.py", "import api.cache", "coverage.plan.fibre ->"),
        ("coverage/assess/assessment.py", "from coverage.assess import pipeline", ".assessment -> .pipeline"),
    ],
    ids=["radio-imports-assess", "layers-imports-radio", "assess-imports-plan", "coverage-imports-api", "cycle"],
)
def test_import_contracts_catch_an_upward_import(tmp_path: Path, module: str, line: str, expected: str) -> None:
    # a copy of the tree with one import against the direction data flows: lint-imports must fail and name it
    for pkg in ("coverage", "api"):
        shutil.copytree(REPO / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__", "data", "static"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text("utf-8") + f"\n{line}  # noqa\n", "utf-8")
    res = _lint_imports(tmp_path)
    assert res.returncode == 1, res.stdout[-4000:]
    assert "BROKEN" in res.stdout and expected in res.stdout, res.stdout[-4000:]


def test_importing_coverage_does_not_import_numba() -> None:
    # numba imports `coverage` expecting coverage.py (coverage/types.py); if importing our package imported
    # numba, `import numba` would find numba half-initialised
    code = "import sys, coverage; assert 'numba' not in sys.modules, sorted(m for m in sys.modules if 'numba' in m)"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/", check=False)
    assert res.returncode == 0, res.stderr[-2000:]


def test_public_names_and_stage_modules_both_import() -> None:
    import coverage
    from coverage.assess import mobile
    from coverage.assess.pipeline import assess

    assert coverage.assess is assess  # the public function, not the stage package of the same name
    assert mobile.__name__ == "coverage.assess.mobile"
    assert callable(coverage.predict) and callable(coverage.plan_sites) and callable(coverage.fibre_extensions)
    missing = [name for name in coverage.__all__ if not hasattr(coverage, name)]
    assert missing == []


def test_type_checker_passes() -> None:
    from mypy import api

    config = str(REPO / "pyproject.toml")
    stdout, stderr, status = api.run(["--config-file", config, "--cache-dir", str(REPO / ".mypy_cache")])
    assert status == 0, stdout[-6000:] + stderr[-2000:]


def _long_functions(root: Path, limit: int) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                lines = (node.end_lineno or node.lineno) - first + 1
                if lines > limit:
                    out.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.name}: {lines} lines")
    return out


def test_functions_fit_on_a_screen() -> None:
    long = [f for pkg in ("coverage", "api") for f in _long_functions(REPO / pkg, MAX_FUNCTION_LINES)]
    assert long == [], "split these into named steps:\n" + "\n".join(long)


def test_long_function_check_can_fail(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "m.py").write_text(f"def too_long() -> None:\n{body}\n", "utf-8")
    found = _long_functions(tmp_path, MAX_FUNCTION_LINES)
    assert len(found) == 1 and "too_long" in found[0] and f"{MAX_FUNCTION_LINES + 1} lines" in found[0]
