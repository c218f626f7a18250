"""The service's state: a working copy of the project, its latest assessment, and background recomputation.

The project given at start (the sample by default) is copied once into ``workdir/project.gpkg`` (rasters in
``workdir/project_rasters/``); operators' changes are applied to that copy, never to the source. Every change
is validated as a whole project, then written atomically (the GeoPackage is replaced in one rename), so an
invalid or interrupted update leaves the stored project exactly as it was.

After a change, the area within the engine's largest cell radius of the changed sites is marked stale; a
worker thread predicts that area again (:func:`coverage.radio.engine.update_prediction`: only the tiles the change
can reach, exactly) and reassesses the province; readers keep getting the previous figures, flagged
``recomputing``, until the new ones replace them in one step.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.cache import PageCache
from api.keys import ApiKey, load_keys
from api.settings import Settings
from coverage.assess import Assessment, assessment_config, run_assessment
from coverage.layers.project import Project, read_project, sample_manifest
from coverage.radio.config import radio_config

log = logging.getLogger("hamlet_coverage.api")

WORKING_COPY = "project.gpkg"
SOURCE_NOTE = "source.txt"


@dataclass
class Status:
    """What the KPI endpoint reports about the figures' freshness."""

    state: str = "starting"  # starting | ready | recomputing | error
    version: int = 0
    computed_at: float | None = None
    stale_areas: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


class ServiceState:
    """Project, assessment and status, shared by the request handlers (thread-safe)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workdir = Path(settings.workdir).resolve()
        self.keys: list[ApiKey] = load_keys(settings.api_keys_file)
        self.status = Status()
        self._lock = threading.RLock()  # guards project, result and status swaps
        self._write_lock = threading.Lock()  # one change at a time
        # held while the prediction rasters in workdir/assessment are written, or read as a plan's starting point
        self.prediction_lock = threading.Lock()
        self._wake = threading.Event()
        self._worker: threading.Thread | None = None
        self._stop = False
        self.project: Project | None = None
        self.result: Assessment | None = None
        self.assess_cfg = assessment_config(settings.assessment_config)
        self.radio_cfg = radio_config(settings.radio_config)
        self.max_radius_m = float(self.radio_cfg["model"]["max_radius_m"])
        self.response_cache = PageCache(256)  # JSON and CSV answers per query, for the current figures

    # -- start -----------------------------------------------------------------------------------------------

    @property
    def project_path(self) -> Path:
        return self.workdir / WORKING_COPY

    def start(self) -> None:
        """Make the working copy when needed, load it and assess it (blocking: the app serves figures at once)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        source = Path(self.settings.project or sample_manifest()).resolve()
        note = self.workdir / SOURCE_NOTE
        if not self.project_path.exists() or not note.exists() or note.read_text("utf-8").strip() != str(source):
            log.info("copying %s to the working copy %s", source, self.project_path)
            read_project(source).to_gpkg(self.project_path)
            note.write_text(str(source), encoding="utf-8")
        self.project = read_project(self.project_path)
        self._assess()
        if self.settings.recompute_in_background:
            self._worker = threading.Thread(target=self._loop, name="recompute", daemon=True)
            self._worker.start()

    def stop(self) -> None:
        self._stop = True
        self._wake.set()
        if self._worker is not None:
            self._worker.join(timeout=60)

    # -- reading ---------------------------------------------------------------------------------------------

    def snapshot(self) -> tuple[Project, Assessment, Status]:
        """The current project, assessment and a copy of the status, consistent with each other."""
        with self._lock:
            if self.project is None or self.result is None:
                raise RuntimeError("the service has not finished starting")
            st = Status(
                self.status.state,
                self.status.version,
                self.status.computed_at,
                list(self.status.stale_areas),
                self.status.error,
            )
            return self.project, self.result, st

    # -- writing ---------------------------------------------------------------------------------------------

    def change(self, apply: Callable[[Project], Project], affected: list[tuple[float, float]]) -> Project:
        """Apply a change to the project: ``apply`` returns the new, validated project (or raises).

        The new project is written to the working copy atomically, then swapped in; the area around
        ``affected`` (lon, lat of changed sites) becomes stale and is recomputed in the background.
        """
        with self._write_lock:
            with self._lock:
                current = self.project
            assert current is not None
            new = apply(current)
            new.to_gpkg(self.project_path)  # atomic: the old file stays until the new one is complete
            new = read_project(self.project_path)
            with self._lock:
                self.project = new
                self.status.state = "recomputing"
                for lon, lat in affected:
                    self.status.stale_areas.append(
                        {"lon": lon, "lat": lat, "radius_m": self.max_radius_m, "since": time.time()}
                    )
            if self.settings.recompute_in_background:
                self._wake.set()
            else:
                self._assess()
            return new

    # -- computing -------------------------------------------------------------------------------------------

    def _assess(self) -> None:
        with self._lock:
            project = self.project
            pending = len(self.status.stale_areas)
            changed = [(a["lon"], a["lat"]) for a in self.status.stale_areas[:pending]]
        assert project is not None
        t0 = time.perf_counter()
        try:
            with self.prediction_lock:
                result = run_assessment(
                    project,
                    self.workdir / "assessment",
                    config=self.assess_cfg,
                    radio=self.radio_cfg,
                    report=False,
                    changed_lonlat=changed or None,
                )
        except Exception as exc:  # keep serving the last good figures, and say why they are old
            log.exception("assessment failed")
            with self._lock:
                self.status.state = "error"
                self.status.error = f"{type(exc).__name__}: {exc}"
            return
        with self._lock:
            self.result = result
            self.status.version += 1
            self.status.computed_at = time.time()
            self.status.error = None
            del self.status.stale_areas[:pending]
            self.status.state = "recomputing" if self.status.stale_areas or self.project is not project else "ready"
        log.info("assessment v%d in %.1f s", self.status.version, time.perf_counter() - t0)

    def _loop(self) -> None:
        while not self._stop:
            self._wake.wait()
            self._wake.clear()
            if self._stop:
                break
            self._assess()
