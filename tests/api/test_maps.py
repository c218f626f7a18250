"""HTML pages: the gap map, the sharing map and the landing page (tiny world, tiles off)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.maps import LANGUAGES, MapOptions, _all_texts, fmt_num, fmt_pct

URL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[a-z]{2,}[^\s\"'<>)]*")


def _html(client: TestClient, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    return r.text


def _offline(page: str) -> None:
    """Leaflet from /static/leaflet/ only; no CDN nor any other internet address (tiles are off here)."""
    assert '<script src="/static/leaflet/leaflet.js"></script>' in page
    assert 'href="/static/leaflet/leaflet.css"' in page
    assert URL.findall(page) == []
    for cdn in ("jquery", "bootstrap", "awesome-markers", "fontawesome", "cdn."):
        assert cdn not in page.lower()


def test_gaps_page(reader: TestClient) -> None:
    page = _html(reader, "/maps/gaps")
    _offline(page)
    assert '<html lang="vi">' in page
    assert "Ấp Gần" in page and "Ấp Xa" in page  # hamlet names, diacritics kept
    assert 'class="legend"' in page and "Có phủ sóng" in page and "Vùng lõm sóng" in page
    assert "L.imageOverlay(" in page and "data:image/png;base64," in page  # coverage raster as an image
    assert "L.control.layers(" in page and "preferCanvas" in page
    assert '<form class="bar" method="get" action="/maps/gaps">' in page
    assert "L.circleMarker" in page or "CircleMarker" in page


def test_gaps_page_of_a_commune_holds_only_its_hamlets(reader: TestClient) -> None:
    page = _html(reader, "/maps/gaps?code=99002&lang=en")
    assert "Ấp Xa" in page and "Ấp Gần" not in page
    assert '"hamlet_id": "H2"' in page and '"hamlet_id": "H1"' not in page
    assert '<html lang="en">' in page and "Covered" in page
    assert '<option value="99002" selected>' in page  # the filter bar shows the chosen commune
    # the filter bar's district/commune fields give the same page
    assert _html(reader, "/maps/gaps?district=&commune=99002&lang=en") == page


@pytest.mark.parametrize(
    "query",
    ["technology=4G&operator=Viettel", "technology=5G", "period=post2025", "period=post2025&code=98001", "code=990"],
)
def test_gaps_page_variants(reader: TestClient, query: str) -> None:
    page = _html(reader, f"/maps/gaps?{query}")
    _offline(page)
    assert "Ấp Xa" in page


def test_gaps_page_draws_communes_when_too_many_hamlets(reader: TestClient) -> None:
    reader.app.state.map_options = MapOptions(max_hamlets=1)
    try:
        page = _html(reader, "/maps/gaps?lang=en")
    finally:
        reader.app.state.map_options = None
    assert "too many to draw one by one" in page
    assert "Xã Tây" in page and "Xã Đông" in page
    assert '"hamlet_id"' not in page
    assert "code=99002" in page  # a link to open each commune


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/maps/gaps?technology=6G", 422),
        ("/maps/gaps?operator=Nobody", 422),
        ("/maps/gaps?lang=fr", 422),
        ("/maps/gaps?period=2030", 422),
        ("/maps/gaps?code=bad%20code", 422),
        ("/maps/gaps?code=77777", 404),
        ("/maps/gaps?commune=77777", 404),
        ("/maps/gaps?code=99001&period=post2025", 404),
        ("/maps/sharing?indicator=road_sharing", 422),
        ("/maps/sharing?code=77777", 404),
        ("/maps/sharing?lang=de", 422),
        ("/?lang=fr", 422),
    ],
)
def test_bad_query_values_are_4xx(reader: TestClient, url: str, status: int) -> None:
    r = reader.get(url)
    assert r.status_code == status, r.text
    if status == 404:
        assert "77777" in r.text or "99001" in r.text


def test_unknown_operator_for_a_technology_is_404(reader: TestClient) -> None:
    r = reader.get("/maps/gaps?technology=5G&operator=Vietnamobile")
    assert r.status_code in (200, 404)
    if r.status_code == 404:
        assert "Vietnamobile" in r.text


def test_sharing_page(reader: TestClient) -> None:
    page = _html(reader, "/maps/sharing")
    _offline(page)
    assert "Dùng chung trạm BTS" in page and 'class="legend"' in page and "Mục tiêu" in page
    assert "Xã Tây" in page  # commune choropleth
    en = _html(reader, "/maps/sharing?indicator=pole_sharing&lang=en&code=99001")
    _offline(en)
    assert "Pole sharing" in en and "Target" in en


def test_landing_page_vi_and_en(reader: TestClient) -> None:
    vi = _html(reader, "/")
    assert '<html lang="vi">' in vi and "Bản đồ vùng lõm sóng" in vi
    for link in ("/maps/gaps?lang=vi", "/maps/sharing?lang=vi", "/api/kpis", "/api/hamlets?format=csv", "/docs"):
        assert f'href="{link}"' in vi
    assert "/api/dead-zones" in vi and "/?lang=en" in vi
    assert "Ấp có băng rộng di động" in vi
    en = _html(reader, "/?lang=en")
    assert '<html lang="en">' in en and "Coverage gaps map" in en and "Hamlets with mobile broadband" in en
    assert "/maps/gaps?lang=en" in en
    assert URL.findall(vi) == [] and URL.findall(en) == []


def test_pages_are_cached_per_query(reader: TestClient) -> None:
    a = _html(reader, "/maps/gaps?code=99001")
    b = _html(reader, "/maps/gaps?code=99001")
    assert a == b  # folium names elements at random: equal pages come from the cache


def test_texts_have_the_same_keys_in_every_language() -> None:
    texts = _all_texts()

    def keys(d: dict, prefix: str = "") -> set[str]:
        out = set()
        for k, v in d.items():
            out |= keys(v, f"{prefix}{k}.") if isinstance(v, dict) else {prefix + k}
        return out

    assert keys(texts["vi"]) == keys(texts["en"])
    assert set(texts) == set(LANGUAGES)


def test_number_formats() -> None:
    assert fmt_num(1234.5, "vi", 1) == "1.234,5"
    assert fmt_num(1234.5, "en", 1) == "1,234.5"
    assert fmt_pct(0.875, "en") == "88 %"
    assert fmt_num(float("nan"), "vi") == "–"
