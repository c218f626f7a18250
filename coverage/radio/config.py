"""Engine settings: ``coverage/data/radio.toml`` merged with a user file, checked before anything runs."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coverage._config import merge_settings, packaged_toml, read_toml
from coverage._errors import CoverageError, DoubleCountingWarning

__all__ = ["P1812_CHAIN", "RadioConfig", "chain_includes", "radio_config"]

P1812_CHAIN = "p1812"
"""``model.name`` of the ITU-R P.1812-6 chain (every other name is a model of ``propagation.MODELS``)."""


def _default_config() -> dict[str, Any]:
    return packaged_toml("radio.toml")


_FREE_TABLES = ("model.rural.", "model.urban.", "antenna.files.", "chains.")


@dataclass(frozen=True)
class RadioConfig:
    """Engine settings: ``coverage/data/radio.toml`` merged with the user's overrides.

    Use :func:`radio_config` to build one; ``settings`` is the merged TOML as nested dicts.
    """

    settings: dict[str, Any]
    source: str = "coverage/data/radio.toml"

    def __getitem__(self, key: str) -> Any:
        return self.settings[key]

    def technology(self, tech: str) -> dict[str, Any]:
        """Settings of one technology ("4G" or "5G")."""
        try:
            return self.settings["technology"][tech]
        except KeyError:
            known = ", ".join(self.settings["technology"])
            raise CoverageError(f"{self.source}: no settings for technology {tech!r} (known: {known})") from None


def radio_config(path: str | os.PathLike[str] | None = None, overrides: Mapping[str, Any] | None = None) -> RadioConfig:
    """Engine settings: the packaged defaults, a user TOML file (any subset of keys), then ``overrides``.

    Unknown keys and wrongly typed values raise :class:`CoverageError` naming the file and the key.
    """
    settings = _default_config()
    source = "coverage/data/radio.toml"
    if path is not None:
        path = Path(path)
        user = read_toml(path, "radio settings")
        settings = merge_settings(settings, user, str(path), free_tables=_FREE_TABLES)
        source = str(path)
        files = settings["antenna"]["files"]
        settings["antenna"]["files"] = {k: str((path.parent / v).resolve()) for k, v in files.items()}
    if overrides:
        settings = merge_settings(settings, overrides, "overrides", free_tables=_FREE_TABLES)
    cfg = RadioConfig(settings, source)
    _check_config(cfg)
    return cfg


def _check_config(cfg: RadioConfig) -> None:
    s = cfg.settings
    problems = []
    if not s["grid"]["resolution_m"] > 0:
        problems.append("grid.resolution_m must be > 0")
    if not 16 <= s["grid"]["tile_px"] <= 8192:
        problems.append("grid.tile_px must be within 16-8192")
    if not 0.0 <= s["interference"]["load"] <= 1.0:
        problems.append("interference.load must be within 0-1")
    if not 0.0 < s["shadowing"]["location_probability"] < 1.0:
        problems.append("shadowing.location_probability must be within (0, 1)")
    if s["terrain"]["method"] not in ("bullington", "deygout", "none"):
        problems.append("terrain.method must be 'bullington', 'deygout' or 'none'")
    if s["model"]["name"] not in s["chains"]:
        problems.append(f"model.name {s['model']['name']!r} is not a known chain (known: {', '.join(s['chains'])})")
    elif s["model"]["name"] == P1812_CHAIN and not 1.0 <= s["p1812"]["time_percent"] <= 50.0:
        problems.append("p1812.time_percent must be within 1-50 (ITU-R P.1812-6 §1)")
    if not s["model"]["max_radius_m"] > s["model"]["min_dist_m"] > 0:
        problems.append("model.max_radius_m must exceed model.min_dist_m > 0")
    for env in ("rural", "urban"):
        if s["model"][env].get("los") == "draw":
            problems.append(
                f"model.{env}.los = 'draw' draws LOS per link, which the engine's per-cell distance tables cannot "
                "represent; use 'expected', 'los' or 'nlos'"
            )
    if problems:
        raise CoverageError(f"{cfg.source}: " + "; ".join(problems))
    _check_double_counting(cfg)


def chain_includes(settings: Mapping[str, Any]) -> list[str]:
    """What the configured model already contains ("terrain", "terminal_clutter", "location_variability")."""
    return list(settings["chains"][settings["model"]["name"]]["includes"])


def _check_double_counting(cfg: RadioConfig) -> None:
    """Refuse (or, with ``chain.allow_double_counting``, warn about) a loss the model already contains.

    Raises
    ------
    CoverageError
        Terrain diffraction added to a model containing terrain, or P.2108 receiver clutter added to a model
        containing terminal clutter, without ``chain.allow_double_counting``.
    """
    s = cfg.settings
    name = s["model"]["name"]
    includes = chain_includes(s)
    basis = s["chains"][name]["basis"]
    repeats = []
    if s["terrain"]["method"] != "none" and "terrain" in includes:
        repeats.append(f"terrain.method = {s['terrain']['method']!r} adds terrain diffraction")
    if s["clutter"]["enabled"] and "terminal_clutter" in includes:
        repeats.append("clutter.enabled = true adds ITU-R P.2108 receiver clutter loss")
    if not repeats:
        return
    msg = (
        f"{cfg.source}: model {name!r} already contains {' and '.join(includes)} ({basis}); "
        f"{' and '.join(repeats)} on top, which counts that loss twice. Set terrain.method = 'none' and "
        "clutter.enabled = false, or model.name = 'fspl' to build a chain from parts"
    )
    if not s["chain"]["allow_double_counting"]:
        raise CoverageError(msg + " (chain.allow_double_counting = true runs it anyway, with a warning)")
    warnings.warn(msg + " (run anyway: chain.allow_double_counting = true)", DoubleCountingWarning, stacklevel=4)
