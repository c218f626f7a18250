"""Import time of all 11,163 communes of Vietnam (../shared/data/vn/vn_communes_2009.geojson).

Compares, in one process, the peer (a bare ``geopandas.read_file``, no checks) with
``coverage.layers.io.read_layer`` (read + column mapping + full validation: dtypes, ids, ranges,
geometry validity, Vietnam extent) and with writing the validated layer to a GeoPackage.
Prints the median of several repeats and the ratio to the peer.

Run: python benchmarks/import_communes.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd

from coverage._errors import RepairWarning
from coverage.layers import io

SOURCE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "vn" / "vn_communes_2009.geojson"


def _median_s(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not SOURCE.exists():
        print(f"skipped: {SOURCE} is absent")
        return 0
    warnings.simplefilter("ignore", RepairWarning)

    def ours():
        return io.read_layer(SOURCE, "admin_units", preset="census2009_communes", skip_invalid=True)

    peer_s = _median_s(lambda: gpd.read_file(SOURCE), args.repeats)
    ours_s = _median_s(ours, args.repeats)
    frame = ours()
    with tempfile.TemporaryDirectory() as tmp:
        write_s = _median_s(lambda: io.write_layer(frame, Path(tmp) / "vn.gpkg", "admin_units"), args.repeats)
    print(f"communes imported: {len(frame):,} of 11,163 (2 without a name skipped, reported)")
    print(f"peer  geopandas.read_file (no checks)       : {peer_s:6.2f} s  (1.00x)")
    print(f"ours  read_layer (map + validate)            : {ours_s:6.2f} s  ({ours_s / peer_s:.2f}x peer)")
    print(f"ours  write_layer to GeoPackage (atomic)     : {write_s:6.2f} s  ({write_s / peer_s:.2f}x peer)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
