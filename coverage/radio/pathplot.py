"""One P.1812 path shown to a radio engineer: the figures in order, the profile as text or as a PNG.

Used by ``coverage-planner path-loss``. The text chart draws ground (``#``), clutter above it (``^``) and the
straight line between the two antennas (``.``, ``o`` at the antennas), with heights above mean sea level; Earth
curvature is not drawn (the model uses the effective Earth radius, see ``ae_km``).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import numpy as np

from coverage.radio.p1812 import P1812Result
from coverage.radio.profiles import P1812Profile

__all__ = ["FIGURES", "profile_chart", "profile_png", "result_dict"]

FIGURES: tuple[tuple[str, str, str], ...] = (
    ("lbfs_db", "Lbfs", "free-space loss over the slant distance, eq. (8)"),
    ("lb0p_db", "Lb0p", "line-of-sight loss for p % time, eq. (10)"),
    ("lbulla_db", "Lbulla", "Bullington loss, actual profile with clutter, eq. (21)"),
    ("lbulls_db", "Lbulls", "Bullington loss, smooth profile, eq. (21)"),
    ("ldsph_db", "Ldsph", "spherical-Earth diffraction loss, eq. (27)"),
    ("ld50_db", "Ld50", "delta-Bullington diffraction loss, median, eq. (39)"),
    ("ldp_db", "Ldp", "diffraction loss for p % time, eq. (41)"),
    ("lbs_db", "Lbs", "troposcatter loss, eq. (44)"),
    ("lba_db", "Lba", "ducting/layer-reflection loss, eq. (46)"),
    ("lbc_db", "Lbc", "basic transmission loss, p % time, 50 % locations, eq. (63)"),
    ("lb_db", "Lb", "basic transmission loss, p % time, pL % locations, eq. (69)"),
)
"""The losses printed, in order: (attribute of :class:`P1812Result`, symbol, meaning with the P.1812-6 equation)."""


def result_dict(profile: P1812Profile, result: P1812Result, htg_m: float, hrg_m: float) -> dict[str, Any]:
    """Everything about one path as plain JSON-able values: inputs, the result's quantities, the profile."""
    out: dict[str, Any] = {"model": "ITU-R P.1812-6", "path": profile.name, "source": profile.source}
    out["inputs"] = {
        "htg_m": htg_m,
        "hrg_m": hrg_m,
        "tx_lon_deg": profile.tx_lon_deg,
        "tx_lat_deg": profile.tx_lat_deg,
        "rx_lon_deg": profile.rx_lon_deg,
        "rx_lat_deg": profile.rx_lat_deg,
    }
    out["predicted"] = {k: (bool(v) if isinstance(v, bool | np.bool_) else v) for k, v in _fields(result).items()}
    out["profile"] = {
        "distance_km": profile.distances_km.tolist(),
        "height_m": profile.heights_m.tolist(),
        "clutter_category": profile.clutter_categories.tolist(),
        "clutter_height_m": profile.clutter_heights_m.tolist(),
        "zone": profile.zones.tolist(),
    }
    return out


def _fields(result: P1812Result) -> dict[str, Any]:
    return {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}


def profile_chart(profile: P1812Profile, htg_m: float, hrg_m: float, *, width: int = 72, height: int = 12) -> list[str]:
    """The profile as ``height`` lines of ``width`` characters, plus an axis line (heights in m a.m.s.l.).

    Each column is the highest point of its share of the profile; the top row is the highest of ground plus
    clutter and the two antennas.
    """
    d = profile.distances_km
    ground = profile.heights_m
    top = ground + profile.clutter_heights_m
    top[[0, -1]] = ground[[0, -1]]  # clutter is not added at the terminals (P.1812-6 §3.2.1)
    tx, rx = ground[0] + htg_m, ground[-1] + hrg_m
    cols = np.minimum((d / d[-1] * (width - 1)).astype(int), width - 1)
    col_ground = np.full(width, np.nan)
    col_top = np.full(width, np.nan)
    np.fmax.at(col_ground, cols, ground)
    np.fmax.at(col_top, cols, top)
    lo = float(np.floor(np.nanmin(col_ground))) - 1.0
    hi = max(float(np.nanmax(col_top)), tx, rx)
    scale = (height - 1) / max(hi - lo, 1e-9)

    def row_of(h: float) -> int:
        return round((h - lo) * scale)

    grid = [[" "] * width for _ in range(height)]
    for c in range(width):
        if np.isnan(col_ground[c]):
            continue
        g, t = row_of(col_ground[c]), row_of(col_top[c])
        for r in range(height):
            if r <= g:
                grid[r][c] = "#"
            elif r <= t:
                grid[r][c] = "^"
        ray = tx + (rx - tx) * c / (width - 1)
        if grid[row_of(ray)][c] == " ":
            grid[row_of(ray)][c] = "."
    grid[row_of(tx)][0], grid[row_of(rx)][width - 1] = "o", "o"
    lines = ["".join(row) for row in reversed(grid)]
    label = f"{hi:7.1f} m |"
    body = [label + lines[0]] + [" " * (len(label) - 1) + "|" + line for line in lines[1:]]
    body.append(f"{lo:7.1f} m +" + "-" * width)
    body.append(" " * len(label) + f"0 km{' ' * (width - 12)}{d[-1]:6.2f} km")
    return body


def profile_png(
    profile: P1812Profile, result: P1812Result, htg_m: float, hrg_m: float, path: str | os.PathLike[str]
) -> Path:
    """A PNG of the profile (ground, clutter, the antennas' line) titled with Lb; returns the path written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = profile.distances_km
    ground = profile.heights_m
    clutter = profile.clutter_heights_m.copy()
    clutter[[0, -1]] = 0.0
    fig, ax = plt.subplots(figsize=(8, 3.2), dpi=110)
    ax.fill_between(d, ground.min() - 1.0, ground, color="#8c6d46", label="ground")
    ax.fill_between(d, ground, ground + clutter, color="#4f8f4f", alpha=0.6, label="clutter (representative height)")
    ax.plot([d[0], d[-1]], [ground[0] + htg_m, ground[-1] + hrg_m], color="#1f4e9a", lw=1, label="antenna to antenna")
    ax.set_xlabel("distance from the transmitter (km)")
    ax.set_ylabel("height above sea level (m)")
    ax.set_title(
        f"ITU-R P.1812-6, {result.f_ghz * 1000:g} MHz, p = {result.p_percent:g} %: predicted Lb = {result.lb_db:.1f} dB"
    )
    ax.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
