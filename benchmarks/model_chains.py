"""What the model chain changes: the sample province assessed with each chain of the radio engine.

For each chain the whole assessment runs (prediction, hamlets, dead zones) with the packaged settings otherwise
(assessment rules of ``coverage/data/assessment.toml``: a hamlet is covered by mobile broadband when the share of
its people with a predicted 4G or 5G RSRP and throughput at or above the thresholds reaches the rule's share), and
the script prints one row per chain: hamlets covered by mobile broadband (of 502), dead zones, people in them, the
median predicted 4G RSRP (best operator, at the settings' location probability, over every pixel with a signal),
whether the four planted mobile gaps (``data/sample_gaps.csv``) are still found, and the run time and peak memory
(``ru_maxrss`` of a child process per chain).

Chains that count a loss twice run only with ``chain.allow_double_counting`` (they are shown for comparison with
the figures published before the chains were checked).

Run: python benchmarks/model_chains.py [--chain NAME ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import resource
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import rasterio

REPO = Path(__file__).resolve().parents[1]

FORCED = {"chain": {"allow_double_counting": True}}
CHAINS: dict[str, tuple[str, dict[str, Any]]] = {
    "p1812": ("ITU-R P.1812-6 (default): terrain + clutter heights + terminal clutter + sigma_L", {}),
    "rma": ("TR 38.901 RMa + 8 dB shadowing sigma", {"model": {"name": "tr38901_rma"}}),
    "fspl_bull_p2108": (
        "free space + Bullington (P.526) + P.2108 receiver clutter + 8 dB sigma",
        {
            "model": {"name": "fspl", "rural": {}, "urban": {}},
            "terrain": {"method": "bullington"},
            "clutter": {"enabled": True},
        },
    ),
    "rma_bull": (
        "TR 38.901 RMa + Bullington (counts terrain twice; former default with clutter off)",
        {"model": {"name": "tr38901_rma"}, "terrain": {"method": "bullington"}, **FORCED},
    ),
    "rma_bull_p2108": (
        "TR 38.901 RMa + Bullington + P.2108 (counts terrain and clutter twice; the former default)",
        {"model": {"name": "tr38901_rma"}, "terrain": {"method": "bullington"}, "clutter": {"enabled": True}, **FORCED},
    ),
}


def _planted_mobile() -> list[str]:
    with (REPO / "data" / "sample_gaps.csv").open(encoding="utf-8") as fh:
        return [row["hamlet_id"] for row in csv.DictReader(fh) if row["gap"] == "mobile"]


def _run(name: str, queue: Any) -> None:
    """One chain in a child process (peak memory of that run alone)."""
    import coverage
    from coverage.assess import run_assessment
    from coverage.radio.config import radio_config

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the forced chains warn, by design
        radio = radio_config(overrides=CHAINS[name][1] or None)
    project = coverage.read_sample()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = run_assessment(project, tmp, radio=radio, report=False)
        seconds = time.perf_counter() - t0
        with rasterio.open(Path(tmp) / "rasters" / "4G_any_rsrp_dbm.tif") as ds:
            band = ds.read(1)
            rsrp = band[band != ds.nodata]
        pred = json.loads((Path(tmp) / "rasters" / "prediction.json").read_text(encoding="utf-8"))
    h = result.hamlets.set_index("hamlet_id")
    planted = _planted_mobile()
    queue.put(
        {
            "chain": name,
            "covered": int(h["mobile_covered"].sum()),
            "hamlets": len(h),
            "dead_zones": len(result.dead_zones),
            "people": float(result.dead_zones["population"].sum()),
            "median_rsrp": float(np.median(rsrp)),
            "planted_found": int((h.loc[planted, "mobile_status"] == "not covered").sum()),
            "seconds": seconds,
            "predict_s": float(pred["stats"]["seconds"]["total"]),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chain", action="append", choices=list(CHAINS), help="default: every chain")
    args = ap.parse_args()
    ctx = mp.get_context("spawn")
    print("| chain | hamlets covered (of 502) | dead zones | people in dead zones | median 4G RSRP (dBm, predicted) "
          "| planted gaps found | assessment (s) | prediction (s) | peak memory (MB) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.chain or list(CHAINS):
        q = ctx.Queue()
        p = ctx.Process(target=_run, args=(name, q))
        p.start()
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"chain {name}: the run failed (exit code {p.exitcode}), see above")
        r = q.get()
        share = r["covered"] / r["hamlets"]
        print(
            f"| {CHAINS[name][0]} | {r['covered']} ({share:.0%}) | {r['dead_zones']:,} | {r['people']:,.0f} "
            f"| {r['median_rsrp']:.1f} | {r['planted_found']} of 4 | {r['seconds']:.1f} | {r['predict_s']:.1f} "
            f"| {r['peak_mb']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
