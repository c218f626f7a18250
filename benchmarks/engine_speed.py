"""Speed of the raster engine: pixel-cell evaluations per second per core, and the whole sample province.

Run: ``python benchmarks/engine_speed.py [--skip-province]``. Prints figures measured in this run:

1. The per-pixel kernel (distance, 3GPP antenna pattern with tilt, base path loss from the cell's distance
   table, clutter, accumulation per carrier) on a synthetic 512 x 512 tile at 30 m with 60 cells, with one
   numba thread (per core) and with all threads, against a peer: the same computation written as plain
   vectorised numpy (one cell at a time over its bounding box), in the same process. Both evaluate
   exactly the same pixel-cell pairs and their RSRP results are compared.
2. The TR 38.901 RMa model itself on 10 million distances (numpy), evaluations per second.
3. The whole sample province (every cell of every operator, 4G and 5G, 30 m grid, terrain and clutter on),
   run in a child process: wall time per step and peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np

from coverage.radio import _engine_kernels as pk
from coverage.radio.antennas import sector_pattern
from coverage.radio.propagation import path_loss_db

TILE = 512
RES = 30.0
N_CELLS = 60
RADIUS = 5000.0


def _synthetic_tile(seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    pat = sector_pattern(65.0, 6.5, 0.0)
    dist = np.arange(10.0, RADIUS + 5.0, 5.0)
    loss = path_loss_db("tr38901_rma", dist, 1800.0, 35.0, 1.5, los="expected")
    n = N_CELLS
    return {
        "ground": rng.uniform(0.0, 3.0, (TILE, TILE)),
        "x": rng.uniform(0, TILE * RES, n),
        "y": rng.uniform(-TILE * RES, 0, n),
        "az": rng.uniform(0, 360, n),
        "mech": rng.integers(0, 3, n).astype("float64"),
        "elec": rng.uniform(2, 6, n),
        "p": np.full(n, 30.0),
        "pat_h": pat.horizontal_db[None, :].copy(),
        "pat_v": pat.vertical_db[None, :].copy(),
        "pat_am": np.array([pat.max_attenuation_db]),
        "step": pat.step_deg,
        "loss": np.repeat(loss[None, :], n, axis=0),
        "clutter": rng.choice([0.0, 11.57, 14.27], (1, TILE, TILE)),
        "groups": rng.integers(0, 3, n),
    }


def _run_kernel(t: dict) -> tuple[float, int, np.ndarray]:
    n = len(t["x"])
    best = np.full((3, TILE, TILE), -np.inf)
    cell = np.full((3, TILE, TILE), -1, dtype="int32")
    total = np.zeros((3, TILE, TILE))
    evals = np.zeros(TILE, dtype="int64")
    z64 = np.zeros(n, dtype="int64")
    t0 = time.perf_counter()
    pk.accumulate_cells(
        0.0, 0.0, RES, t["ground"], 1.5, t["x"], t["y"], np.full(n, 36.5), t["az"], t["mech"], t["elec"],
        np.full(n, RADIUS), 10.0, t["p"], z64, t["pat_h"], t["pat_v"], t["pat_am"], t["step"], t["loss"], 5.0,
        pk.TERRAIN_NONE, np.full(n, -1, dtype="int64"), np.zeros(1, dtype="int64"), np.ones(1, dtype="int64"),
        np.ones(1, dtype="int64"), np.ones(1), np.zeros(1, dtype="float32"),
        np.ones(n), z64, t["clutter"], t["groups"].astype("int64"), best, cell, total,
        np.arange(n, dtype="int64"), evals,
        np.full(n, -1, dtype="int64"), np.zeros((1, 4), dtype="int64"), np.zeros(1, dtype="float32"),  # no P.1812
    )  # fmt: skip
    return time.perf_counter() - t0, int(evals.sum()), best


def _run_numpy(t: dict) -> tuple[float, int, np.ndarray]:
    """The same evaluation in vectorised numpy (peer)."""
    best = np.full((3, TILE, TILE), -np.inf)
    evals = 0
    h, v, am, step = t["pat_h"][0], t["pat_v"][0], t["pat_am"][0], t["step"]
    xc = (np.arange(TILE) + 0.5) * RES
    yc = -(np.arange(TILE) + 0.5) * RES
    t0 = time.perf_counter()
    for c in range(len(t["x"])):
        dx = xc[None, :] - t["x"][c]
        dy = yc[:, None] - t["y"][c]
        d = np.hypot(dx, dy)
        inside = d <= RADIUS
        evals += int(inside.sum())
        dd = np.maximum(d, 10.0)
        az = np.degrees(np.arctan2(dx, dy))
        phi = (az - t["az"][c] + 180.0) % 360.0 - 180.0
        theta = np.degrees(np.arctan2(36.5 - (t["ground"] + 1.5), dd))
        tilt = t["elec"][c] + t["mech"][c] * np.cos(np.radians(phi))
        a_h = np.interp(phi, -180.0 + step * np.arange(h.size), h, period=360.0)
        a_v = np.interp(theta - tilt, -90.0 + step * np.arange(v.size), v)
        att = np.minimum(a_h + a_v, am)
        loss = np.interp(dd, 10.0 + 5.0 * np.arange(t["loss"].shape[1]), t["loss"][c])
        rsrp = t["p"][c] - att - loss - t["clutter"][0]
        g = t["groups"][c]
        upd = inside & (rsrp > best[g])
        best[g][upd] = rsrp[upd]
    return time.perf_counter() - t0, evals, best


def kernel_speed() -> None:
    t = _synthetic_tile()
    threads = numba.get_num_threads()
    _run_kernel(t)  # compile or load the cache
    rows = []
    for n_threads in sorted({1, threads}):
        numba.set_num_threads(n_threads)
        dt, n, best_k = min((_run_kernel(t) for _ in range(3)), key=lambda r: r[0])
        rows.append((f"numba kernel, {n_threads} thread(s)", n, dt))
    numba.set_num_threads(threads)
    dt_np, n_np, best_np = min((_run_numpy(t) for _ in range(2)), key=lambda r: r[0])
    rows.append(("numpy peer, 1 thread", n_np, dt_np))
    m = np.isfinite(best_np)
    diff = float(np.abs(best_k[m] - best_np[m]).max())
    print(f"\n## Per-pixel kernel: {TILE}x{TILE} tile at {RES:g} m, {N_CELLS} cells of {RADIUS / 1000:g} km radius")
    print("| implementation | pixel-cell evaluations | seconds | M evaluations/s |")
    print("|---|---:|---:|---:|")
    for name, n, dt in rows:
        print(f"| {name} | {n:,} | {dt:.3f} | {n / dt / 1e6:.1f} |")
    print(
        f"\nkernel (1 thread) / numpy peer: {rows[0][2] and (rows[0][1] / rows[0][2]) / (n_np / dt_np):.1f}x; "
        f"largest RSRP difference {diff:.2e} dB"
    )


def model_speed() -> None:
    d = np.linspace(10.0, 5000.0, 10_000_000)
    path_loss_db("tr38901_rma", d[:10], 1800.0, 35.0, 1.5, los="expected")
    t0 = time.perf_counter()
    path_loss_db("tr38901_rma", d, 1800.0, 35.0, 1.5, los="expected")
    dt = time.perf_counter() - t0
    t0 = time.perf_counter()
    path_loss_db("hata", np.linspace(1000.0, 20000.0, d.size), 900.0, 35.0, 1.5, environment="suburban")
    dt_h = time.perf_counter() - t0
    print("\n## Path-loss models alone (numpy, 10 M distances, 1 thread)")
    print(f"TR 38.901 RMa expected: {d.size / dt / 1e6:.1f} M/s; Okumura-Hata suburban: {d.size / dt_h / 1e6:.1f} M/s")


_CHILD = """
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
from coverage import read_sample
from coverage.radio.engine import predict
t = time.perf_counter()
r = predict(read_sample(), sys.argv[1])
print(json.dumps({"stats": r.stats, "wall_s": time.perf_counter() - t,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "grid": [r.grid.width, r.grid.height], "rasters": len(r.rasters)}))
"""


def province() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(Path(tmp) / "pred")], capture_output=True, text=True, check=True
        )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    st = res["stats"]
    sec = st["seconds"]
    print("\n## Whole sample province (all operators, 4G + 5G, 30 m, default chain of radio.toml), child process")
    print(
        f"grid {res['grid'][0]} x {res['grid'][1]} px, {st['cells']:,} cells, {st['evaluations']:,} pixel-cell "
        f"evaluations, {st['sweeps']} terrain sweeps, {res['rasters']} COG rasters"
    )
    print("| step | seconds |\n|---|---:|")
    for k in ("prepare", "terrain", "kernel", "output", "total"):
        print(f"| {k} | {sec[k]:.1f} |")
    print(
        f"wall {res['wall_s']:.1f} s (after imports), peak resident memory {res['peak_rss_mb']:.0f} MB; "
        f"kernel {st['evaluations'] / sec['kernel'] / 1e6:.1f} M evaluations/s on {numba.get_num_threads()} threads"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-province", action="store_true")
    args = ap.parse_args()
    print(f"numba threads: {numba.get_num_threads()} (NUMBA_NUM_THREADS={numba.config.NUMBA_NUM_THREADS})")
    kernel_speed()
    model_speed()
    if not args.skip_province:
        province()


if __name__ == "__main__":
    main()
