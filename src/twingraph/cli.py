"""The command line: a thin click layer; every command calls a plain function."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from twingraph.config import Settings, load_settings
from twingraph.load import DataError

if TYPE_CHECKING:
    from twingraph.store import Store
    from twingraph.wikidata.client import WikidataClient

T = TypeVar("T")


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


@click.group()
@click.version_option(package_name="twingraph")
def main() -> None:
    """twingraph: publish town twinning partnerships as Linked Open Data."""


@main.command("validate")
def validate_command() -> None:
    """Validate the curated graph with the SHACL shapes (exit 1 on any violation)."""
    from twingraph.load import load_graph
    from twingraph.validate import validate

    settings = _settings()
    try:
        loaded = load_graph(settings)
        report = validate(loaded, settings)
    except DataError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    text = report.format_text()
    if text:
        click.echo(text)
    violations = len(report.violations)
    verdict = "conforms" if report.conforms else f"does NOT conform ({violations} violations)"
    click.echo(f"{len(loaded.files)} files, {len(loaded.store)} quads: the graph {verdict} to the shapes.")
    sys.exit(0 if report.conforms else 1)


@main.command("stats")
def stats_command() -> None:
    """Print triples, entities per class and facts per source."""
    from twingraph.load import load_graph
    from twingraph.stats import format_stats, graph_stats

    settings = _settings()
    try:
        click.echo(format_stats(graph_stats(load_graph(settings))))
    except DataError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


class _BuildProgress:
    """Draws the build's stages on stderr: a progress bar for stages of several steps."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._tty = sys.stderr.isatty()
        self._open_line = False

    def stage(self, name: str, total: int) -> None:
        if total > 1:
            self._bar = click.progressbar(length=total, label=f"{name:<10}", show_pos=True, file=sys.stderr)
            self._bar.__enter__()
        elif self._tty:
            click.echo(f"{name:<10} ...", err=True, nl=False)
            self._open_line = True

    def step(self, item: str) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def done(self, name: str, seconds: float, detail: str) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
        start = "\r" if self._open_line else ""  # overwrite the stage's "..." line
        self._open_line = False
        click.echo(f"{start}{name:<10} {seconds:7.2f} s  {detail}", err=True)

    def close(self) -> None:
        """End a bar or a line a failed stage left open, so that the error starts on its own line."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
        if self._open_line:
            click.echo("", err=True)
            self._open_line = False


@main.command("build")
@click.option("--replace", is_flag=True, help="Replace a release of the same version that has other content.")
def build_command(replace: bool) -> None:
    """Validate the graph and write a release to dist/<version>/ (version and date from data/dataset.toml)."""
    from twingraph.build import BuildError, ReleaseConflict, build_release, format_summary

    settings = _settings()
    progress = _BuildProgress()
    try:
        result = build_release(settings, progress=progress, replace=replace)
    except (DataError, ReleaseConflict) as exc:
        progress.close()
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except BuildError as exc:
        progress.close()
        if exc.report is not None:
            click.echo(exc.report.format_text(), err=True)
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(format_summary(result))


@main.command("serve")
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port to listen on (default 8080).")
@click.option("--workers", default=None, type=int, help="Worker processes (default 2).")
def serve_command(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the latest release (pages, dumps, SPARQL) with a production WSGI server."""
    from twingraph.release import ReleaseError
    from twingraph.serve import serve

    settings = _settings(host=host, port=port, workers=workers)
    try:
        serve(settings)
    except ReleaseError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


@main.command("load-remote")
@click.option("--query-url", default=None, help="SPARQL query URL (default: the remote_query_url setting).")
@click.option("--store-url", default=None, help="Graph Store Protocol URL (default: remote_store_url).")
@click.option("--update-url", default=None, help="SPARQL Update URL, if no store URL (default: setting).")
def load_remote_command(query_url: str | None, store_url: str | None, update_url: str | None) -> None:
    """Load the release to serve into the remote SPARQL store (graph by graph; it then mirrors it)."""
    from twingraph.release import ReleaseError, resolve_release
    from twingraph.store import StoreError
    from twingraph.store.load_remote import Credentials, load_remote

    settings = _settings(remote_query_url=query_url, remote_store_url=store_url, remote_update_url=update_url)
    try:
        report = load_remote(
            resolve_release(settings),
            settings.remote_query_url,
            store_url=settings.remote_store_url,
            update_url=settings.remote_update_url,
            default_graph=settings.remote_default_graph,
            credentials=Credentials(settings.remote_user, settings.remote_password),
        )
    except (ReleaseError, StoreError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    dropped = f", dropped {len(report.dropped)} stale graph(s)" if report.dropped else ""
    default = f"graph <{settings.remote_default_graph}>" if settings.remote_default_graph else "default graph"
    click.echo(
        f"loaded {report.triples} triples in {len(report.graphs)} named graphs and {report.default_triples} "
        f"in the {default} (their merge) into {settings.remote_query_url}{dropped}"
    )


@main.command("diagram")
@click.option("--out", default="docs", show_default=True, help="Folder for model.dot and model.svg.")
def diagram_command(out: str) -> None:
    """Write the class diagram (DOT, and SVG with graphviz) generated from the ontology."""
    from pathlib import Path

    from twingraph.diagram import write_diagram

    for path in write_diagram(_settings(), Path(out)):
        click.echo(f"wrote {path}")


@main.command("settings")
def settings_command() -> None:
    """Print every setting as a Markdown table (environment variable, default, meaning)."""
    from twingraph.config import setting_docs

    click.echo("| variable | default | meaning |\n|---|---|---|")
    for variable, default, help_text in setting_docs():
        click.echo(f"| `{variable}` | `{default}` | {help_text} |")


# --- wikidata: compare with P190, write QuickStatements, propose QIDs (twingraph.wikidata) ---

_ENDPOINT_HELP = "Wikidata SPARQL endpoint (default: the wikidata_endpoint setting)."
_FOCUS_HELP = (
    "QID of a city whose Wikidata-only twinnings count as missing here (repeatable; "
    "default: the cities in two or more of our twinnings)."
)


@main.group("wikidata")
def wikidata_group() -> None:
    """Align with Wikidata: P190 diff, QuickStatements, QID proposals (reads data/, never writes there)."""


def _wikidata_run(endpoint: str | None, task: Callable[[Settings, Store, WikidataClient], T]) -> T:
    from twingraph.wikidata.client import WikidataError
    from twingraph.wikidata.commands import make_client, working_store
    from twingraph.wikidata.link import ReviewFileError

    settings = _settings()
    try:
        return task(settings, working_store(settings), make_client(settings, endpoint))
    except (DataError, ReviewFileError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except WikidataError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(3)


@wikidata_group.command("diff")
@click.option("--endpoint", default=None, help=_ENDPOINT_HELP)
@click.option("--focus", multiple=True, help=_FOCUS_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
def wikidata_diff_command(endpoint: str | None, focus: tuple[str, ...], fmt: str) -> None:
    """Per partnership: in both, missing in Wikidata, missing here, dates disagree, one direction only."""
    from twingraph.wikidata.commands import run_diff

    _report, text = _wikidata_run(endpoint, lambda _s, store, wd: run_diff(store, wd, list(focus), fmt))
    click.echo(text, nl=False)


@wikidata_group.command("quickstatements")
@click.option("--endpoint", default=None, help=_ENDPOINT_HELP)
@click.option("--focus", multiple=True, help=_FOCUS_HELP)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="File for the lines (default: standard output).",
)
@click.option(
    "--retrieved",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Day the sources were consulted, for S813 (default: today).",
)
def wikidata_quickstatements_command(
    endpoint: str | None, focus: tuple[str, ...], out: str | None, retrieved: datetime | None
) -> None:
    """QuickStatements v1 lines for the P190 statements Wikidata lacks (both directions, P580, S854, S813)."""
    from twingraph.wikidata.commands import run_quickstatements

    day = retrieved.date() if retrieved else date.today()
    text, lines = _wikidata_run(
        endpoint, lambda _s, store, client: run_quickstatements(store, client, day, list(focus))
    )
    for line in lines:
        if line.note:
            subject, _p, obj = line.text.split("\t")[:3]
            click.echo(f"note: {subject} P190 {obj}: {line.note}", err=True)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(lines)} lines to {out}", err=True)
    else:
        click.echo(text, nl=False)


@wikidata_group.command("link")
@click.option("--endpoint", default=None, help=_ENDPOINT_HELP)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default="wikidata-link-review.csv",
    show_default=True,
    help="CSV review file for the proposals (never inside data/).",
)
def wikidata_link_command(endpoint: str | None, out: str) -> None:
    """Propose Wikidata QIDs for entities without one (label + type + country), as a file to review."""
    from twingraph.wikidata.commands import run_link

    path, count = _wikidata_run(endpoint, lambda conf, store, wd: run_link(store, wd, Path(out), conf))
    click.echo(f"wrote {count} proposals to {path} for review; add owl:sameAs to data/ by hand after review")


@main.group("import")
def import_group() -> None:
    """Turn an external dataset into a generated TriG file in imports/ (read with data/ by the build)."""


@import_group.command("world-twinnings")
@click.option(
    "--source",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding cities.csv and links.csv (default: ../shared/data/world-twinnings).",
)
def import_world_twinnings_command(source: Path | None) -> None:
    """Import the Wikidata P190 snapshot of world twinnings as the graph <id/source/world-twinnings>."""
    from twingraph.importers.world_twinnings import import_world_twinnings

    try:
        result = import_world_twinnings(_settings(), source)
    except DataError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(result.summary())
