"""`dailypapers serve`: the web app over the archive (read-only), on localhost unless told otherwise."""

from __future__ import annotations

from typing import Annotated

import typer

from dailypapers.cli import app
from dailypapers.cli._common import archive_options, err_console, errors, state


@app.command()
@errors
@archive_options
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="Address to bind (default 127.0.0.1: this machine only).")]
    = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 8000).")] = None,
) -> None:
    """Serve the archive's pages, search, run health and a JSON API (docs at /docs). Never writes the archive."""
    import uvicorn  # imported when used
    from rich.text import Text

    from dailypapers.web import create_app, served_host_names

    settings = state(ctx).settings()
    host = host or settings.serve_host
    port = port or settings.serve_port
    # Only requests that name the bound address, loopback names (bound to loopback or to all addresses) or the
    # allowed_hosts setting are answered: a web page cannot reach the server through DNS rebinding.
    allowed = served_host_names(host, settings.allowed_hosts)
    from dailypapers.plugins import Registry

    web = create_app(settings.db, main=(settings.source, settings.lang), base_url=settings.site_url,
                     allowed_hosts=allowed, redact=settings.redactor(), embedder=Registry.load().embedder(settings))
    err_console.print(Text(f"serving {settings.db} read-only at http://{host}:{port}/ (API docs: /docs)"),
                      soft_wrap=True)
    uvicorn.run(web, host=host, port=port, log_level="warning", access_log=False)
