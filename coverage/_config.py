"""Settings files: packaged TOML defaults merged with a user's file (any subset of keys) and overrides."""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from coverage._errors import CoverageError


def packaged_toml(name: str) -> dict[str, Any]:
    """A TOML file shipped in ``coverage/data`` (``name`` relative to it), as nested dicts."""
    with resources.files("coverage").joinpath(f"data/{name}").open("rb") as fh:
        return tomllib.load(fh)


def read_toml(path: str | os.PathLike[str], what: str) -> dict[str, Any]:
    """A user's TOML file; unreadable or malformed files raise :class:`CoverageError` naming the file."""
    try:
        with Path(path).open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CoverageError(f"{path}: cannot read {what}: {exc}") from exc


def merge_settings(
    base: dict[str, Any],
    override: Mapping[str, Any],
    where: str,
    *,
    free_tables: tuple[str, ...] = (),
    path: str = "",
) -> dict[str, Any]:
    """``base`` updated with ``override``, key by key.

    Unknown keys and values whose type differs from the default raise :class:`CoverageError` naming
    ``where`` (the file) and the dotted key. Tables listed in ``free_tables`` (dotted, with a trailing
    dot, e.g. ``"model.rural."``) are replaced as a whole, without checks.
    """
    if path in free_tables:
        return dict(override)
    out = copy.deepcopy(base)
    for key, value in override.items():
        dotted = f"{path}{key}"
        if key not in base:
            known = ", ".join(sorted(base))
            raise CoverageError(f"{where}: unknown setting {dotted!r} (known here: {known})")
        if isinstance(base[key], dict):
            if not isinstance(value, Mapping):
                raise CoverageError(f"{where}: setting {dotted!r} must be a table")
            out[key] = merge_settings(base[key], value, where, free_tables=free_tables, path=dotted + ".")
        else:
            if isinstance(base[key], bool) != isinstance(value, bool) or (
                isinstance(base[key], (int, float)) and not isinstance(value, (int, float))
            ):
                raise CoverageError(f"{where}: setting {dotted!r} must be {type(base[key]).__name__}, got {value!r}")
            if isinstance(base[key], str) and not isinstance(value, str):
                raise CoverageError(f"{where}: setting {dotted!r} must be str, got {value!r}")
            out[key] = value
    return out


@dataclass(frozen=True)
class SettingsFile:
    """Settings read by :func:`load_settings`: nested dicts, and where they came from (for messages)."""

    settings: dict[str, Any]
    source: str = "<defaults>"

    def __getitem__(self, key: str) -> Any:
        return self.settings[key]


def load_settings(
    name: str,
    path: str | os.PathLike[str] | None,
    overrides: Mapping[str, Any] | None,
    what: str,
    *,
    free_tables: tuple[str, ...] = (),
) -> tuple[dict[str, Any], str]:
    """``coverage/data/<name>`` merged with a user's TOML file (any subset of keys), then ``overrides``;
    returns the settings and their source (the user's file, or the packaged one)."""
    settings = packaged_toml(name)
    source = f"coverage/data/{name}"
    if path is not None:
        settings = merge_settings(settings, read_toml(path, what), str(path), free_tables=free_tables)
        source = str(path)
    if overrides:
        settings = merge_settings(settings, overrides, "overrides", free_tables=free_tables)
    return settings, source
