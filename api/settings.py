"""Service settings (pydantic-settings): environment variables ``HAMLET_*`` or keyword arguments."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the project and the service's working files live, who may write, and page options.

    Every field can be set from the environment with the prefix ``HAMLET_`` (``HAMLET_PROJECT``,
    ``HAMLET_API_KEYS_FILE`` ...).
    """

    model_config = SettingsConfigDict(env_prefix="HAMLET_", extra="forbid")

    project: Path | None = Field(
        None, description="Project (manifest, GeoPackage or GeoParquet folder); None: the sample."
    )
    workdir: Path = Field(Path("out/service"), description="The service's working copy of the project and its outputs.")
    api_keys_file: Path | None = Field(
        None, description="TOML file of hashed API keys (coverage-planner api-key); None: every write is refused."
    )
    assessment_config: Path | None = Field(None, description="Assessment settings file (default: packaged).")
    radio_config: Path | None = Field(None, description="Radio settings file (default: packaged).")
    max_body_bytes: int = Field(256_000, ge=1_000, le=50_000_000, description="Largest request body accepted.")
    map_tiles: Literal["OpenStreetMap", "none"] = Field(
        "OpenStreetMap", description="Background tiles of the maps; 'none' draws the units on a plain background."
    )
    map_max_hamlets: int = Field(
        3000, ge=1, le=1_000_000, description="Above this many hamlets in a map view, communes are drawn instead."
    )
    recompute_in_background: bool = Field(True, description="Recompute coverage after a change in a worker thread.")
