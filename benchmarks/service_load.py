"""Load on the running service: many concurrent clients on loopback, latency percentiles and errors.

Starts ``uvicorn --factory api.main:create_app`` on the sample province in a second process, waits until
it has assessed the province (``/api/status`` answers), then, for each endpoint, runs ``--clients``
concurrent clients (asyncio + httpx2, one connection each) that request it back to back for ``--seconds``,
and prints p50 / p95 / p99 latency, throughput and errors (non-2xx answers or failed connections).

    python benchmarks/service_load.py                       # 50 clients, 15 s per endpoint
    python benchmarks/service_load.py --clients 100 --seconds 30

The server runs one uvicorn worker (the default of ``coverage-planner serve``). Results: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
ENDPOINTS = [
    ("landing page", "/"),
    ("gap map, province", "/maps/gaps"),
    ("gap map, one commune", "/maps/gaps?code=99130"),
    ("sharing map", "/maps/sharing"),
    ("KPIs, province", "/api/kpis?level=province"),
    ("KPIs, communes", "/api/kpis?level=commune"),
    ("hamlets GeoJSON, commune", "/api/hamlets?code=99130"),
    ("hamlets GeoJSON, province", "/api/hamlets"),
    ("dead zones GeoJSON, district", "/api/dead-zones?code=994"),
    ("sites GeoJSON, Viettel", "/api/sites?operator=Viettel"),
]


def start_server(port: int, workdir: Path) -> subprocess.Popen:
    env = {**os.environ, "HAMLET_WORKDIR": str(workdir), "HAMLET_MAP_TILES": "none"}
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app", "--port", str(port)]
    cmd += ["--log-level", "warning"]
    return subprocess.Popen(cmd, cwd=REPO, env=env)


def wait_ready(base: str, timeout_s: float = 300.0) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        try:
            if httpx2.get(base + "/api/status", timeout=2.0).status_code == 200:
                return time.perf_counter() - t0
        except httpx2.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the service did not start within {timeout_s:.0f} s")


async def client(base: str, path: str, until: float, lat: list[float], errors: list[str]) -> None:
    async with httpx2.AsyncClient(base_url=base, timeout=60.0) as c:
        while time.perf_counter() < until:
            t = time.perf_counter()
            try:
                r = await c.get(path)
                await r.aread()
                if r.status_code >= 400:
                    errors.append(str(r.status_code))
            except httpx2.HTTPError as exc:
                errors.append(type(exc).__name__)
            lat.append(time.perf_counter() - t)


async def run(base: str, path: str, clients: int, seconds: float) -> tuple[np.ndarray, list[str], float, int]:
    async with httpx2.AsyncClient(base_url=base, timeout=120.0) as warm:
        size = len((await warm.get(path)).content)  # the first request may build a cached page
    lat: list[float] = []
    errors: list[str] = []
    t0 = time.perf_counter()
    until = t0 + seconds
    await asyncio.gather(*(client(base, path, until, lat, errors) for _ in range(clients)))
    return np.array(lat) * 1000.0, errors, time.perf_counter() - t0, size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--workdir", type=Path, default=REPO / "out" / "bench_service")
    args = ap.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(args.port, args.workdir)
    try:
        ready = wait_ready(base)
        print(f"service ready after {ready:.1f} s; {args.clients} clients, {args.seconds:g} s per endpoint\n")
        print("| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors | body |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for label, path in ENDPOINTS:
            lat, errors, wall, size = asyncio.run(run(base, path, args.clients, args.seconds))
            p50, p95, p99 = np.percentile(lat, [50, 95, 99]) if len(lat) else (np.nan,) * 3
            err = f"{len(errors)}" + (f" ({', '.join(sorted(set(errors)))})" if errors else "")
            print(
                f"| {label} `{path}` | {len(lat)} | {len(lat) / wall:.0f} | {p50:.0f} | {p95:.0f} | {p99:.0f} | "
                f"{err} | {size / 1e3:.0f} kB |",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
