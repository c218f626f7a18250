"""Tests of coverage.assess.scorecard: the packaged plan, bad plan files and hand-worked scores."""

from __future__ import annotations

import math
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import coverage
from coverage._errors import ValidationError
from coverage.assess.scorecard import DEFAULT_PLAN, KNOWN_INDICATORS, SCORE_COLUMNS, Plan, read_plan, score

EXPECTED_TARGETS = {
    "hamlets_mobile_broadband": (1.0, "share"),
    "hamlets_ftth": (1.0, "share"),
    "bts_site_sharing": (0.10, "share"),
    "pole_sharing": (0.50, "share"),
    "duct_sharing": (0.10, "share"),
    "mobile_4g_mean_mbps": (70.0, "Mbit/s"),
    "fixed_mean_mbps": (100.0, "Mbit/s"),
    "households_fibre": (0.80, "share"),
}


def _packaged_plan_path() -> Path:
    """The packaged plan file: through importlib.resources, else relative to the package directory."""
    try:
        traversable = resources.files("coverage").joinpath(DEFAULT_PLAN)
        if traversable.is_file():
            return Path(str(traversable))
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - packaging fallback
        pass
    return Path(coverage.__file__).parent / DEFAULT_PLAN  # pragma: no cover


HEADER = """
[plan]
name = "Test plan"
province = "Hậu Giang"
period = "2023–2025"
year = 2025
"""


def _indicator(**fields: object) -> str:
    base: dict[str, object] = {
        "id": "pole_sharing",
        "label_en": "Cable-pole sharing",
        "label_vi": "Tỷ lệ dùng chung cột treo cáp",
        "target": 0.5,
        "unit": "share",
        "direction": "at_least",
    }
    base.update(fields)
    lines = ["[[indicator]]"]
    for key, value in base.items():
        if value is None:
            continue  # None = leave the field out
        lines.append(f"{key} = {value}" if isinstance(value, int | float) else f'{key} = "{value}"')
    return "\n".join(lines) + "\n"


def _write(tmp_path: Path, *indicators: str, header: str = HEADER) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(header + "\n" + "\n".join(indicators), encoding="utf-8")
    return path


def _problems(path: Path) -> list[tuple[str | None, str | None]]:
    with pytest.raises(ValidationError) as info:
        read_plan(path)
    assert all(p.source == str(path) for p in info.value.problems)
    assert str(path) in str(info.value)
    return [(p.row_id, p.field) for p in info.value.problems]


# --- the packaged plan ----------------------------------------------------------------------------


def test_packaged_plan_has_the_eight_hau_giang_targets() -> None:
    plan = read_plan()
    assert isinstance(plan, Plan)
    assert plan.province == "Hậu Giang"
    assert plan.year == 2025
    assert plan.period == "2023–2025"
    assert plan.ids == tuple(EXPECTED_TARGETS)
    for ind in plan.indicators:
        target, unit = EXPECTED_TARGETS[ind.id]
        assert ind.target == pytest.approx(target)
        assert ind.unit == unit == KNOWN_INDICATORS[ind.id]
        assert ind.direction == "at_least"
        assert ind.label_en and ind.label_vi and ind.source
    assert plan.indicator("mobile_4g_mean_mbps").label_vi.startswith("Tốc độ")


def test_packaged_plan_read_by_path_equals_default() -> None:
    path = _packaged_plan_path()
    assert path.is_file()
    by_path = read_plan(path)
    assert by_path.indicators == read_plan().indicators
    assert by_path.source == str(path)
    raw = tomllib.loads(path.read_text("utf-8"))
    assert {i["id"] for i in raw["indicator"]} == set(KNOWN_INDICATORS)


def test_plan_indicator_lookup_unknown_raises_keyerror() -> None:
    with pytest.raises(KeyError, match="no indicator"):
        read_plan().indicator("nope")


def test_minimal_valid_plan(tmp_path: Path) -> None:
    path = _write(tmp_path, _indicator(), _indicator(id="fixed_mean_mbps", target=100, unit="Mbit/s"))
    plan = read_plan(path)
    assert plan.ids == ("pole_sharing", "fixed_mean_mbps")
    assert plan.indicator("fixed_mean_mbps").target == 100.0
    assert plan.source == str(path)


# --- bad plans ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"id": "pole_sharng"}, ("pole_sharng", "id")),
        ({"id": None}, ("#1", "id")),
        ({"target": "fifty percent"}, ("pole_sharing", "target")),
        ({"target": None}, ("pole_sharing", "target")),
        ({"unit": None}, ("pole_sharing", "unit")),
        ({"unit": "Mbit/s"}, ("pole_sharing", "unit")),
        ({"unit": "percent"}, ("pole_sharing", "unit")),
        ({"target": 50}, ("pole_sharing", "target")),
        ({"target": -0.1}, ("pole_sharing", "target")),
        ({"direction": "above"}, ("pole_sharing", "direction")),
        ({"direction": None}, ("pole_sharing", "direction")),
        ({"label_vi": None}, ("pole_sharing", "label_vi")),
    ],
)
def test_bad_indicator_names_file_row_and_field(
    tmp_path: Path, fields: dict[str, object], expected: tuple[str, str]
) -> None:
    assert _problems(_write(tmp_path, _indicator(**fields))) == [expected]


def test_messages_are_actionable(tmp_path: Path) -> None:
    path = _write(tmp_path, _indicator(id="pole_sharng"), _indicator(id="fixed_mean_mbps", unit="share", target=100))
    with pytest.raises(ValidationError) as info:
        read_plan(path)
    text = str(info.value)
    assert "unknown indicator 'pole_sharng'" in text
    assert "known: hamlets_mobile_broadband" in text
    assert "'fixed_mean_mbps' is measured in 'Mbit/s'" in text


def test_negative_throughput_target(tmp_path: Path) -> None:
    path = _write(tmp_path, _indicator(id="mobile_4g_mean_mbps", unit="Mbit/s", target=-5))
    assert _problems(path) == [("mobile_4g_mean_mbps", "target")]


def test_nan_target_rejected(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(HEADER + _indicator().replace("target = 0.5", "target = nan"), encoding="utf-8")
    assert _problems(path) == [("pole_sharing", "target")]


def test_duplicate_indicator(tmp_path: Path) -> None:
    assert _problems(_write(tmp_path, _indicator(), _indicator())) == [("pole_sharing", "id")]


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _indicator(id="bogus"),
        _indicator(id="pole_sharing", target="lots"),
        _indicator(id="duct_sharing", unit=None),
        _indicator(id="bts_site_sharing", target=10, direction="more"),
        header=HEADER.replace("year = 2025", 'year = "2025"'),
    )
    assert sorted(_problems(path), key=str) == sorted(
        [
            (None, "plan.year"),
            ("bogus", "id"),
            ("pole_sharing", "target"),
            ("duct_sharing", "unit"),
            ("bts_site_sharing", "target"),
            ("bts_site_sharing", "direction"),
        ],
        key=str,
    )


def test_missing_plan_table_and_indicators(tmp_path: Path) -> None:
    problems = _problems(_write(tmp_path, header=""))
    assert (None, "plan") in problems
    assert (None, "indicator") in problems
    assert (None, "plan.name") in problems


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text("[plan\nname = ", encoding="utf-8")
    with pytest.raises(ValidationError, match="not valid TOML") as info:
        read_plan(path)
    assert info.value.problems[0].source == str(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_plan(tmp_path / "absent.toml")


# --- scoring --------------------------------------------------------------------------------------


def _measured() -> pd.DataFrame:
    rows = [
        # unit_code, unit_name, level, period, indicator, value, reason
        ("93", "Hậu Giang", "province", "pre2025", "bts_site_sharing", 0.152, None),
        ("93", "Hậu Giang", "province", "pre2025", "pole_sharing", 0.39, None),
        ("93", "Hậu Giang", "province", "pre2025", "duct_sharing", np.nan, "no ducts layer in the project"),
        ("93", "Hậu Giang", "province", "pre2025", "mobile_4g_mean_mbps", 70.0, None),
        ("93", "Hậu Giang", "province", "pre2025", "fixed_mean_mbps", 85.5, None),
        ("93", "Hậu Giang", "province", "pre2025", "hamlets_mobile_broadband", 0.96, None),
        ("93", "Hậu Giang", "province", "pre2025", "hamlets_ftth", 1.0, None),
        ("93", "Hậu Giang", "province", "pre2025", "households_fibre", 0.8, None),
        ("931", "Vị Thanh", "district", "pre2025", "bts_site_sharing", 0.05, None),
        ("931", "Vị Thanh", "district", "pre2025", "households_fibre", np.nan, None),
    ]
    return pd.DataFrame(rows, columns=["unit_code", "unit_name", "level", "period", "indicator", "value", "reason"])


def _row(scored: pd.DataFrame, unit: str, indicator: str) -> pd.Series:
    hit = scored[(scored["unit_code"] == unit) & (scored["indicator"] == indicator)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_score_columns_and_shape() -> None:
    plan = read_plan()
    scored = score(_measured(), plan)
    assert tuple(scored.columns) == SCORE_COLUMNS
    assert len(scored) == 2 * len(plan.indicators)  # every plan indicator at every unit
    assert list(scored["indicator"][:8]) == list(plan.ids)
    assert set(scored["status"]) <= {"met", "not met", "not assessed"}


@pytest.mark.parametrize(
    ("unit", "indicator", "gap", "status"),
    [
        ("93", "bts_site_sharing", 0.052, "met"),  # 0.152 - 0.10
        ("93", "pole_sharing", -0.11, "not met"),  # 0.39 - 0.50
        ("93", "mobile_4g_mean_mbps", 0.0, "met"),  # exactly on target
        ("93", "fixed_mean_mbps", -14.5, "not met"),  # 85.5 - 100
        ("93", "hamlets_mobile_broadband", -0.04, "not met"),  # 0.96 - 1.0
        ("93", "hamlets_ftth", 0.0, "met"),
        ("93", "households_fibre", 0.0, "met"),
        ("931", "bts_site_sharing", -0.05, "not met"),  # 0.05 - 0.10
    ],
)
def test_score_gaps_worked_by_hand(unit: str, indicator: str, gap: float, status: str) -> None:
    row = _row(score(_measured(), read_plan()), unit, indicator)
    assert row["gap"] == pytest.approx(gap, abs=1e-12)
    assert row["status"] == status
    assert pd.isna(row["reason"])


def test_score_keeps_both_labels_and_target() -> None:
    row = _row(score(_measured(), read_plan()), "93", "pole_sharing")
    assert row["label_en"] == "Cable-pole sharing"
    assert row["label_vi"] == "Tỷ lệ dùng chung cột treo cáp"
    assert row["target"] == 0.5
    assert row["unit"] == "share"
    assert row["unit_name"] == "Hậu Giang"


def test_not_assessed_keeps_given_reason() -> None:
    row = _row(score(_measured(), read_plan()), "93", "duct_sharing")
    assert row["status"] == "not assessed"
    assert row["reason"] == "no ducts layer in the project"
    assert math.isnan(row["value"]) and math.isnan(row["gap"])


def test_nan_value_without_reason_is_not_assessed() -> None:
    row = _row(score(_measured(), read_plan()), "931", "households_fibre")
    assert row["status"] == "not assessed"
    assert row["reason"] == "no value"


def test_missing_measurement_is_not_assessed_never_zero() -> None:
    scored = score(_measured(), read_plan())
    row = _row(scored, "931", "pole_sharing")  # the district has no pole measurement
    assert row["status"] == "not assessed"
    assert row["reason"] == "not measured"
    assert math.isnan(row["value"]) and math.isnan(row["gap"])
    district = scored[scored["unit_code"] == "931"]
    assert (district["reason"] == "not measured").sum() == 6


def test_score_without_reason_column() -> None:
    scored = score(_measured().drop(columns="reason"), read_plan())
    assert _row(scored, "93", "duct_sharing")["reason"] == "no value"
    assert _row(scored, "931", "hamlets_ftth")["reason"] == "not measured"


def test_at_most_direction(tmp_path: Path) -> None:
    path = _write(tmp_path, _indicator(direction="at_most", target=0.3))
    scored = score(_measured(), read_plan(path))
    row = _row(scored, "93", "pole_sharing")
    assert row["gap"] == pytest.approx(0.3 - 0.39)
    assert row["status"] == "not met"


def test_measured_indicator_without_target_is_kept_not_assessed(tmp_path: Path) -> None:
    plan = read_plan(_write(tmp_path, _indicator()))
    scored = score(_measured(), plan)
    row = _row(scored, "93", "bts_site_sharing")
    assert row["status"] == "not assessed"
    assert "no target in plan" in row["reason"]
    assert row["value"] == pytest.approx(0.152)


def test_measured_missing_column_raises() -> None:
    with pytest.raises(ValidationError) as info:
        score(_measured().drop(columns=["level", "value"]), read_plan())
    assert [p.field for p in info.value.problems] == ["level", "value"]


def test_measured_bad_value_and_duplicate_raise_together() -> None:
    bad = _measured()
    bad["value"] = bad["value"].astype(object)
    bad.loc[0, "value"] = "high"
    bad = pd.concat([bad, bad.iloc[[1]]], ignore_index=True)
    with pytest.raises(ValidationError) as info:
        score(bad, read_plan())
    assert [(p.row_id, p.field) for p in info.value.problems] == [
        ("93/bts_site_sharing", "value"),
        ("93/pole_sharing", "indicator"),
    ]


def test_score_does_not_modify_input() -> None:
    measured = _measured()
    before = measured.copy()
    score(measured, read_plan())
    pd.testing.assert_frame_equal(measured, before)


def test_empty_measured_gives_empty_scorecard() -> None:
    empty = _measured().iloc[0:0]
    scored = score(empty, read_plan())
    assert len(scored) == 0
    assert tuple(scored.columns) == SCORE_COLUMNS
