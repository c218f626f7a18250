"""Page weight and load time of the map pages in Chromium (Playwright driving Debian's /usr/bin/chromium).

Starts the service on the sample province in a second process (as ``benchmarks/service_load.py``), then opens
each page ``--runs`` times, each in a fresh browser context (empty cache), and prints the bytes transferred
(the page plus Leaflet) and the time until the map is interactive: from the start of navigation until the
``load`` event has fired and Leaflet has drawn its vector layers (a canvas in the overlay pane). The page is
served from the service's warm cache after the first request, so this measures transfer, parsing and drawing.

    python benchmarks/map_pages.py --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks.service_load import REPO, start_server, wait_ready

PAGES = [
    ("landing page", "/", False),
    ("gap map, province", "/maps/gaps", True),
    ("gap map, one district", "/maps/gaps?code=994", True),
    ("gap map, one commune", "/maps/gaps?code=99130", True),
    ("gap map, 4G Viettel, English", "/maps/gaps?technology=4G&operator=Viettel&lang=en", True),
    ("sharing map, province", "/maps/sharing", True),
]
DRAWN = "() => document.readyState === 'complete' && document.querySelector('.leaflet-overlay-pane canvas') !== null"
BYTES = """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
  .reduce((n, e) => n + (e.transferSize || e.encodedBodySize || 0), 0)"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--workdir", type=Path, default=REPO / "out" / "bench_service")
    args = ap.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(args.port, args.workdir)
    try:
        wait_ready(base)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            print(f"Chromium {browser.version}, viewport 1280 x 900, {args.runs} runs per page, fresh context each\n")
            print("| page | bytes transferred | interactive, median | max |")
            print("|---|---:|---:|---:|")
            for label, path, is_map in PAGES:
                times, sizes = [], []
                for _ in range(args.runs + 1):  # the first run warms the server's page cache
                    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = ctx.new_page()
                    t0 = time.perf_counter()
                    page.goto(base + path, wait_until="load")
                    if is_map:
                        page.wait_for_function(DRAWN)
                    times.append(time.perf_counter() - t0)
                    sizes.append(page.evaluate(BYTES))
                    ctx.close()
                times, sizes = times[1:], sizes[1:]
                print(
                    f"| {label} `{path}` | {statistics.median(sizes) / 1e6:.2f} MB | "
                    f"{statistics.median(times):.2f} s | {max(times):.2f} s |",
                    flush=True,
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
