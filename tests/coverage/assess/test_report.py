"""The HTML report: self-contained, bilingual, rules from the settings, numbers from the assessment."""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from coverage._errors import CoverageError
from coverage.assess import KPI_COLUMNS, Assessment, assessment_config
from coverage.assess.report import report_html, rules_text, write_report
from coverage.assess.scorecard import read_plan

LON, LAT = 105.60, 9.80
D = 0.01
NOT_ASSESSED_REASON = "not assessed: the project holds no fixed-broadband speed measurements (speed tests needed)"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _hamlets() -> gpd.GeoDataFrame:
    names = ["Ấp Thạnh Lợi", "Ấp <Mỹ> & Hòa", "Ấp Không Người"]
    return gpd.GeoDataFrame(
        {
            "hamlet_id": ["H1", "H2", "H3"],
            "name": pd.array(names, dtype="string"),
            "kind": "ấp",
            "commune_code": ["99001", "99001", "99002"],
            "commune_name": ["Xã Một", "Xã Một", "Xã Hai"],
            "district_code": ["990", "990", "990"],
            "district_name": ["Huyện Thử", "Huyện Thử", "Huyện Thử"],
            "population": [1200.0, 800.0, 0.0],
            "households": [300.0, 200.0, 0.0],
            "broadband_share_people": [0.99, 0.40, np.nan],
            "mobile_covered": [True, False, False],
            "mobile_status": pd.array(["covered", "not covered", "no people"], dtype="string"),
            "dead_zones": [0, 1, 0],
            "dead_zone_people": [0.0, 430.0, 0.0],
            "ftth_households_reachable": [280.0, 20.0, 0.0],
            "ftth_share_households": [280 / 300, 0.1, np.nan],
            "ftth_median_drop_m": [120.0, 900.0, np.nan],
            "ftth_nearest_fap": pd.array(["F1", "F2", pd.NA], dtype="string"),
            "ftth_covered": [True, False, False],
            "ftth_status": pd.array(["covered", "not covered", "no people"], dtype="string"),
        },
        geometry=[shapely.box(LON + i * D, LAT, LON + (i + 1) * D, LAT + D) for i in range(3)],
        crs=4326,
    )


def _dead_zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "zone_id": ["DZ1"],
            "hamlet_id": ["H2"],
            "hamlet_name": ["Ấp <Mỹ> & Hòa"],
            "commune_name": ["Xã Một"],
            "district_name": ["Huyện Thử"],
            "area_m2": [52_000.0],
            "population": [430.0],
            "households": [110.0],
            "nearest_site_Viettel": pd.array(["S7"], dtype="string"),
            "nearest_site_Viettel_km": [2.345],
            "nearest_site_VNPT": pd.array([pd.NA], dtype="string"),
            "nearest_site_VNPT_km": [np.nan],
        },
        geometry=[shapely.box(LON + D + 0.002, LAT + 0.002, LON + D + 0.004, LAT + 0.004)],
        crs=4326,
    )


def _kpis(plan) -> pd.DataFrame:
    measured = {
        "hamlets_mobile_broadband": (1 / 3, 1.0, 3.0, "hamlets", None),
        "hamlets_ftth": (1 / 3, 1.0, 3.0, "hamlets", None),
        "households_fibre": (0.6, 300.0, 500.0, "households", None),
        "mobile_4g_mean_mbps": (72.26, 72.26 * 1500, 1500.0, "people", None),
        "bts_site_sharing": (0.5, 1.0, 2.0, "sites", None),
        "pole_sharing": (0.25, 5.0, 20.0, "poles", None),
        "duct_sharing": (0.05, 50.0, 1000.0, "m", None),
        "fixed_mean_mbps": (np.nan, np.nan, np.nan, "", NOT_ASSESSED_REASON),
    }
    rows = []
    for level, code, name in (("province", "99", "Tỉnh Thử"), ("district", "990", "Huyện Thử")):
        for ind in plan.indicators:
            value, num, den, basis, reason = measured[ind.id]
            if reason is not None:
                status, gap = "not assessed", np.nan
            else:
                gap = value - ind.target
                status = "met" if gap >= 0 else "not met"
            rows.append(
                {
                    "unit_code": code,
                    "unit_name": name,
                    "level": level,
                    "period": "pre2025",
                    "indicator": ind.id,
                    "label_en": ind.label_en,
                    "label_vi": ind.label_vi,
                    "value": value,
                    "target": ind.target,
                    "unit": ind.unit,
                    "direction": ind.direction,
                    "gap": gap,
                    "status": status,
                    "reason": reason,
                    "numerator": num,
                    "denominator": den,
                    "basis": basis,
                }
            )
    return pd.DataFrame(rows, columns=list(KPI_COLUMNS))


def _assessment(config=None, *, hamlets=None) -> Assessment:
    plan = read_plan()
    return Assessment(
        hamlets=_hamlets() if hamlets is None else hamlets,
        coverage=pd.DataFrame(),
        dead_zones=_dead_zones(),
        sharing=pd.DataFrame(),
        measured=pd.DataFrame(),
        kpis=_kpis(plan),
        config=config or assessment_config(),
        plan=plan,
        population=None,
        covered={},
        project_name="Tỉnh Thử",
        notes=["3 hamlet(s) placed by a fallback rule"],
        stats={"grid": {"crs": "EPSG:32648", "width": 100, "height": 50, "res_m": 30.0}},
    )


@pytest.fixture(scope="module")
def result() -> Assessment:
    return _assessment()


@pytest.fixture(scope="module")
def html_vi(result: Assessment) -> str:
    return report_html(result, generated=dt.date(2025, 6, 30))


@pytest.fixture(scope="module")
def html_en(result: Assessment) -> str:
    return report_html(result, lang="en", generated=dt.date(2025, 6, 30))


def _text(html: str) -> str:
    """Visible text, tags removed, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_self_contained(html_vi: str, html_en: str) -> None:
    for html in (html_vi, html_en):
        assert "<script" not in html.lower()
        assert "<link" not in html.lower()
        assert "@import" not in html and "url(" not in html
        refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html, flags=re.I)
        assert refs
        for ref in refs:
            assert ref.startswith(("data:image/png;base64,", "#")), ref[:60]
        assert not re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", html, flags=re.I)


def test_maps_are_png(html_vi: str) -> None:
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html_vi)
    assert len(images) >= 2  # mobile and FTTH; the commune map needs commune rows
    for b64 in images:
        assert base64.b64decode(b64, validate=True).startswith(PNG_MAGIC)


def test_vietnamese_by_default_english_on_request(html_vi: str, html_en: str) -> None:
    assert '<html lang="vi">' in html_vi and '<html lang="en">' in html_en
    assert "Cách đọc báo cáo" in html_vi and "How to read this report" not in html_vi
    assert "How to read this report" in html_en and "Cách đọc báo cáo" not in html_en
    assert "Tỷ lệ ấp được phủ sóng băng rộng di động" in html_vi  # plan labels in the language
    assert "Hamlets covered by mobile broadband" in html_en
    assert "30/06/2025" in html_vi and "2025-06-30" in html_en


def test_unknown_language() -> None:
    with pytest.raises(CoverageError, match="fr"):
        report_html(_assessment(), lang="fr")


def test_covered_share_rule_follows_settings() -> None:
    text = _text(report_html(_assessment(), lang="en"))
    assert "at least 95% of its people live in covered places" in text
    cfg = assessment_config(overrides={"hamlet": {"covered_share": 0.9}, "ftth": {"max_drop_m": 350.0}})
    en = _text(report_html(_assessment(cfg), lang="en"))
    vi = _text(report_html(_assessment(cfg)))
    assert "at least 90% of its people live in covered places" in en
    assert "ít nhất 90% số dân của ấp sống ở nơi có sóng" in vi
    assert "350 m" in en and "350 m" in vi
    assert "95%" not in " ".join(rules_text(cfg, "en"))


def test_rules_cover_every_setting_of_assessment_rules() -> None:
    cfg = assessment_config(
        overrides={
            "hamlet": {"partly_share": 0.4},
            "ftth": {"covered_share": 0.7},
            "dead_zones": {"min_area_m2": 25000.0},
            "mobile": {"threshold": {"4G": {"rsrp_dbm": -105.0, "min_throughput_mbps": 2.5}}},
        }
    )
    for lang in ("vi", "en"):
        rules = " ".join(rules_text(cfg, lang))
        assert "40%" in rules and "70%" in rules
        assert "2,5 ha" in rules if lang == "vi" else "2.5 ha" in rules
        assert "-105 dBm" in rules
        assert ("2,5 Mbit/s" if lang == "vi" else "2.5 Mbit/s") in rules
    assert len(rules_text(cfg, "vi")) == len(cfg.rules())


def test_not_assessed_reason_shown(html_en: str, html_vi: str) -> None:
    assert "speed tests needed" in html_en  # unknown wording: shown as given
    text_vi = _text(html_vi)
    assert "chưa có số liệu đo tốc độ băng rộng cố định" in text_vi
    assert "– chưa đánh giá" in text_vi


def test_summary_numbers_match_fixture(html_en: str, html_vi: str) -> None:
    summary = _text(html_en.split('id="summary"')[1].split("</div>")[0])
    assert "1 of 3 hamlets (33%) have mobile broadband" in summary
    assert "0 hamlets are partly covered and 1 are not covered" in summary
    assert "1 dead zones hold about 430 people" in summary
    assert "1 of 3 hamlets (33%) have fibre (FTTH)" in summary
    assert "60% of households (300 of 500)" in summary
    assert "72.3 Mbit/s" in summary
    summary_vi = _text(html_vi.split('id="summary"')[1].split("</div>")[0])
    assert "1 trên 3 ấp (33%)" in summary_vi and "72,3 Mbit/s" in summary_vi


def test_scorecard_statuses_and_counts(html_en: str) -> None:
    card = html_en.split('id="scorecard"')[1].split("</table>")[0]
    assert card.count('class="met"') == 2  # bts sharing 50 % >= 10 %, 4G 72.3 >= 70
    assert card.count('class="notmet"') == 5
    assert card.count('class="na"') == 1
    text = _text(card)
    assert "✓ met" in text and "✗ not met" in text and "– not assessed" in text
    assert "1 of 3 hamlets" in text and "300 of 500 households" in text
    assert "0.1 of 1.0 km of duct" in text and "over 1,500 people with 4G" in text
    assert "≥ 100%" in text and "≥ 70 Mbit/s" in text
    assert "72.3" in text and "33.3%" in text


def test_names_are_escaped(html_vi: str) -> None:
    assert "Ấp &lt;Mỹ&gt; &amp; Hòa" in html_vi  # diacritics kept as UTF-8, markup characters escaped
    assert "Xã Một" in html_vi and "Huyện Thử" in html_vi
    assert "<Mỹ>" not in html_vi
    assert 'charset="utf-8"' in html_vi


def test_lists(html_en: str) -> None:
    lists = _text(html_en.split('id="lists"')[1].split('id="notes"')[0])
    assert "Ấp Thạnh Lợi" not in lists.split("Hamlets without fibre")[0]  # covered hamlet not listed
    assert "480" in lists  # 800 people x (1 - 0.40) without coverage
    assert "DZ1" in lists and "5.2" in lists  # area in ha
    assert "S7 (2.3 km)" in lists
    assert "180" in lists and "900" in lists and "F2" in lists  # households without fibre, drop, fibre point
    assert "Ấp Không Người" not in lists


def test_ftth_not_assessed() -> None:
    a = _assessment()
    a.hamlets["ftth_status"] = pd.array(["not assessed"] * 3, dtype="string")
    a.hamlets["ftth_covered"] = pd.array([pd.NA] * 3, dtype="boolean")
    reason = "not assessed: the project has no 'roads' layer"
    for ind in ("hamlets_ftth", "households_fibre"):
        sel = a.kpis["indicator"] == ind
        a.kpis.loc[sel, ["value", "numerator", "denominator", "gap"]] = np.nan
        a.kpis.loc[sel, "status"] = "not assessed"
        a.kpis.loc[sel, "reason"] = reason
    html = report_html(a, lang="en")
    assert "Fibre (FTTH) could not be assessed: the project has no 'roads' layer" in html.replace("&#39;", "'")
    assert "thiếu lớp dữ liệu 'roads'" in report_html(a).replace("&#39;", "'")
    assert len(re.findall(r'src="data:image/png', html)) == 1  # no FTTH map


def test_write_report_atomic(tmp_path: Path, result: Assessment, monkeypatch: pytest.MonkeyPatch) -> None:
    out = write_report(result, tmp_path / "r" / "report.html", lang="en")
    assert out == tmp_path / "r" / "report.html"
    text = out.read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    before = out.read_bytes()

    from coverage.assess import report

    def boom(*args, **kwargs):
        raise RuntimeError("failed half-way")

    monkeypatch.setattr(report, "_maps", boom)
    with pytest.raises(RuntimeError):
        write_report(result, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.html"]
    with pytest.raises(RuntimeError):
        write_report(result, tmp_path / "new.html")
    assert not (tmp_path / "new.html").exists()


def test_no_hamlet_geometry_still_renders() -> None:
    a = _assessment(hamlets=_hamlets().iloc[:0])
    a.dead_zones = a.dead_zones.iloc[:0]
    html = report_html(a, lang="en")
    assert "data:image/png" not in html
    assert "No dead zones remain." in html


def test_project_layers_and_commune_scorecards() -> None:
    from tests.coverage.factories import valid_frame

    a = _assessment()
    communes = a.kpis[a.kpis["level"] == "district"].copy()
    communes["level"], communes["unit_code"], communes["unit_name"] = "commune", "99001", "Xã Một"
    a.kpis = pd.concat([a.kpis, communes], ignore_index=True)
    project = {name: valid_frame(name) for name in ("admin_units", "sites", "fibre_points")}
    html = report_html(a, lang="en", project=project)
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 3  # mobile, FTTH, communes
    assert all(base64.b64decode(b).startswith(PNG_MAGIC) for b in images)
    units = _text(html.split('id="units"')[1].split('id="lists"')[0])
    assert "Districts (before 2025)" in units and "Communes (before 2025), by district" in units
    assert "Huyện Thử Xã Một" in units  # the commune listed under its district (group row)
    assert "Whole province" in units
    assert "Fixed broadband average downlink speed: not assessed" in units
