"""Background jobs: requests that take seconds (site planning) run on a small thread pool.

A :class:`JobRegistry` runs at most ``max_active`` jobs at a time (queued or running; another submission raises
:class:`TooBusyError`, answered 429), keeps a bounded history of finished jobs, and answers a submission that
repeats one it already has (same kind, key and state version, not failed by an internal error) with that job:
a repeated query (or a map page refreshing itself) waits on, or reads, the first job instead of computing again.

Each job is keyed to the version of the figures it was computed on (``Status.version``); a job of an older version
stays readable (flagged ``stale`` by the API) until the history drops it.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from coverage import CoverageError

log = logging.getLogger("hamlet_coverage.api.jobs")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
JOB_STATES = (QUEUED, RUNNING, DONE, FAILED)


class TooBusyError(RuntimeError):
    """As many jobs as allowed are queued or running already."""

    def __init__(self, active: int) -> None:
        super().__init__(f"{active} jobs are running already; try again in a few seconds")
        self.active = active


@dataclass(eq=False)
class Job:
    """One background computation: its state, progress, and its result or error."""

    id: str
    kind: str
    key: Hashable
    version: int
    created: float = field(default_factory=time.time)
    state: str = QUEUED
    started: float | None = None
    finished: float | None = None
    progress: str = "queued"
    result: Any = None
    error: str | None = None
    request_error: bool = False
    """The error is the request's (a :class:`CoverageError`: 4xx), not the service's (5xx)."""
    _done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def finished_ok(self) -> bool:
        return self.state == DONE

    @property
    def ended(self) -> bool:
        return self.state in (DONE, FAILED)

    def wait(self, timeout: float | None) -> bool:
        """Block up to ``timeout`` seconds (None: until done); True when the job has ended."""
        if timeout is not None and timeout <= 0:
            return self.ended
        return self._done.wait(timeout)

    def set_progress(self, text: str) -> None:
        self.progress = text


class JobRegistry:
    """A thread pool of ``max_active`` workers and the jobs it ran (the last ``history`` finished ones)."""

    def __init__(self, max_active: int = 2, history: int = 128) -> None:
        if max_active < 1 or history < 1:
            raise ValueError("max_active and history must be >= 1")
        self.max_active = max_active
        self.history = history
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._by_key: dict[tuple[str, Hashable, int], Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=max_active, thread_name_prefix="job")

    def submit(self, kind: str, key: Hashable, version: int, fn: Callable[[Job], Any]) -> Job:
        """The job computing ``fn(job)`` for (kind, key, version): an existing one, or a new one queued.

        Raises :class:`TooBusyError` when a new job is needed and ``max_active`` jobs are queued or running.
        """
        with self._lock:
            known = self._by_key.get((kind, key, version))
            if known is not None and (known.state != FAILED or known.request_error):
                return known
            active = sum(1 for j in self._jobs.values() if not j.ended)
            if active >= self.max_active:
                raise TooBusyError(active)
            job = Job(uuid.uuid4().hex, kind, key, version)
            self._jobs[job.id] = job
            self._by_key[(kind, key, version)] = job
            self._prune()
        self._pool.submit(self._run, job, fn)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def active(self) -> int:
        with self._lock:
            return sum(1 for j in self._jobs.values() if not j.ended)

    def __len__(self) -> int:
        return len(self._jobs)

    def shutdown(self, wait: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def _prune(self) -> None:
        """Drop the oldest finished jobs beyond ``history`` (never a queued or running one)."""
        excess = len(self._jobs) - self.history
        if excess <= 0:
            return
        for job_id in [i for i, j in self._jobs.items() if j.ended][:excess]:
            job = self._jobs.pop(job_id)
            k = (job.kind, job.key, job.version)
            if self._by_key.get(k) is job:
                del self._by_key[k]

    def _run(self, job: Job, fn: Callable[[Job], Any]) -> None:
        job.state, job.started, job.progress = RUNNING, time.time(), "running"
        try:
            result = fn(job)
        except CoverageError as exc:
            job.error, job.request_error, job.state = str(exc), True, FAILED
        except Exception as exc:  # the service's fault: reported, and a repeated request tries again
            log.exception("job %s (%s) failed", job.id, job.kind)
            job.error, job.state = f"{type(exc).__name__}: {exc}", FAILED
        else:
            job.result, job.state = result, DONE
        finally:
            job.finished = time.time()
            job.progress = job.state
            job._done.set()


_registries: weakref.WeakKeyDictionary[Any, JobRegistry] = weakref.WeakKeyDictionary()
_registries_lock = threading.Lock()


def registry_for(owner: Any, max_active: int = 2, history: int = 128) -> JobRegistry:
    """The :class:`JobRegistry` of ``owner`` (one per service state: a restarted service starts afresh)."""
    with _registries_lock:
        reg = _registries.get(owner)
        if reg is None:
            reg = _registries[owner] = JobRegistry(max_active, history)
            weakref.finalize(owner, reg.shutdown)
        return reg
