"""``coverage-planner``: the library's commands (``coverage.cli``) plus the service's ``serve`` and ``api-key``.

The console script points here so that ``coverage`` never imports ``api`` (data flows one way).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coverage.cli import ProjectArg, app, console, err_console

__all__ = ["app"]


@app.command()
def serve(
    project: ProjectArg = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", min=1, max=65535)] = 8000,
    workdir: Annotated[Path, typer.Option(help="Working copy of the project and its outputs.")] = Path("out/service"),
    keys: Annotated[
        Path | None, typer.Option(help="API keys file (see `coverage-planner api-key`); without it writes are refused.")
    ] = None,
    tiles: Annotated[str, typer.Option(help="Map background: OpenStreetMap or none.")] = "OpenStreetMap",
) -> None:
    """Serve the maps, the scorecard and the API (FastAPI + uvicorn). Open the printed address in a browser."""
    import uvicorn

    from api.main import create_app
    from api.settings import Settings

    if tiles not in ("OpenStreetMap", "none"):
        raise typer.BadParameter(f"{tiles!r}: use OpenStreetMap or none", param_hint="--tiles")
    settings = Settings(project=project, workdir=workdir, api_keys_file=keys, map_tiles=tiles)
    url = f"http://{host}:{port}/"
    console.print(
        f"Starting the service for {project or 'the sample province'}: it assesses the project first "
        f"(about 30 s the first time, a few seconds when {workdir} already holds the prediction).\n"
        f"Then open [bold]{url}[/] (gap map: {url}maps/gaps, API docs: {url}docs). Ctrl+C stops it."
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@app.command("api-key")
def api_key(
    name: Annotated[str, typer.Option(help="Who holds the key (a label, e.g. viettel-noc).")],
    keys_file: Annotated[Path, typer.Option("--keys-file", help="Keys file to append the hashed key to.")],
    role: Annotated[str, typer.Option(help="operator (changes its own sites) or planner (reads all).")] = "operator",
    operator: Annotated[str | None, typer.Option(help="The operator, for role operator.")] = None,
) -> None:
    """Create an API key: print it once, and append only its salted hash to the keys file."""
    from api.keys import load_keys, new_key_entry
    from coverage import CoverageError

    try:
        load_keys(keys_file) if keys_file.exists() else None
        key, entry = new_key_entry(name, role, operator)
    except CoverageError as exc:
        err_console.print(f"[red]error[/] {exc}")
        raise typer.Exit(1) from None
    with keys_file.open("a", encoding="utf-8") as fh:
        fh.write(("\n" if keys_file.stat().st_size else "") + entry)
    console.print(f"Key for {name} ({role}{' of ' + operator if operator else ''}), shown once: {key}")
    console.print(f"Its hash was added to {keys_file}. Send it in the X-API-Key header.")
