"""The command line: a thin click layer; every command calls a plain function.

Commands only parse arguments, call the function and print its result. Domain errors become one line
and an exit code in one place (:mod:`twingraph.cli_errors`); progress bars live in
:mod:`twingraph.progress`. The project folder is the nearest one above the working directory that
holds ``data/dataset.toml`` (:func:`twingraph.config.find_project_dir`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

import click

from twingraph.cli_errors import CommandGroup, SettingsError
from twingraph.config import Settings, load_settings

if TYPE_CHECKING:
    from twingraph.store import Store
    from twingraph.wikidata.client import WikidataClient

T = TypeVar("T")


def _settings(options: dict[str, object] | None = None) -> Settings:
    """The settings, with the command's options (None: not given) over the environment's."""
    try:
        return load_settings(options)
    except ValueError as exc:
        raise SettingsError(str(exc)) from exc


@click.group(cls=CommandGroup)
@click.version_option(package_name="twingraph")
def main() -> None:
    """twingraph: publish town twinning partnerships as Linked Open Data."""


@main.command("validate")
def validate_command() -> None:
    """Validate the curated graph with the SHACL shapes (exit 1 on any violation)."""
    from twingraph.load import load_graph
    from twingraph.validate import validate

    settings = _settings()
    loaded = load_graph(settings)
    report = validate(loaded, settings)
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

    click.echo(format_stats(graph_stats(load_graph(_settings()))))


@main.command("build")
@click.option("--publish", is_flag=True, help="Publish dataset.toml's version (as 'twingraph publish').")
@click.option("--replace", is_flag=True, help="With --publish: replace a published release of other content.")
def build_command(publish: bool, replace: bool) -> None:
    """Validate the graph and write a release; a development release dist/<version>+<fingerprint>/ unless
    the inputs are those of the published version (see --publish)."""
    _build(publish=publish, replace=replace)


@main.command("publish")
@click.option("--replace", is_flag=True, help="Replace a published release of other content.")
def publish_command(replace: bool) -> None:
    """Build and publish data/dataset.toml's version as dist/<version>/, recording its inputs' fingerprint."""
    _build(publish=True, replace=replace)


def _build(*, publish: bool, replace: bool) -> None:
    from twingraph.build import ReleaseWriteError, build_release, format_summary
    from twingraph.progress import TerminalProgress

    settings = _settings()
    progress = TerminalProgress()
    try:
        result = build_release(settings, progress=progress, replace=replace, publish=publish)
    except OSError as exc:  # a full disk, a file size limit, a read-only dist folder: one line, no trace
        raise ReleaseWriteError.of(exc) from exc
    finally:
        progress.close()  # a failed stage's bar or line ends before the error line
    click.echo(format_summary(result))


@main.command("serve")
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port to listen on (default 8080).")
@click.option("--workers", default=None, type=int, help="Worker processes (default 2).")
def serve_command(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the latest release (pages, dumps, SPARQL) with a production WSGI server."""
    from twingraph.serve import serve

    serve(_settings({"host": host, "port": port, "workers": workers}))


@main.command("load-remote")
@click.option("--query-url", default=None, help="SPARQL query URL (default: the remote_query_url setting).")
@click.option("--store-url", default=None, help="Graph Store Protocol URL (default: remote_store_url).")
@click.option("--update-url", default=None, help="SPARQL Update URL, if no store URL (default: setting).")
def load_remote_command(query_url: str | None, store_url: str | None, update_url: str | None) -> None:
    """Load the release to serve into the remote SPARQL store (graph by graph; it then mirrors it)."""
    from twingraph.release import resolve_release
    from twingraph.store.load_remote import Credentials, load_remote

    settings = _settings(
        {"remote_query_url": query_url, "remote_store_url": store_url, "remote_update_url": update_url}
    )
    report = load_remote(
        resolve_release(settings),
        settings.remote_query_url,
        store_url=settings.remote_store_url,
        update_url=settings.remote_update_url,
        default_graph=settings.remote_default_graph,
        credentials=Credentials(settings.remote_user, settings.remote_password),
    )
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
    from twingraph.wikidata.commands import make_client, working_store

    settings = _settings()
    return task(settings, working_store(settings), make_client(settings, endpoint))


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
@click.option(
    "--csv",
    "csv_out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the one-directional P190 pairs (symmetry gaps) as CSV to this file, for an editor.",
)
def wikidata_diff_command(
    endpoint: str | None, focus: tuple[str, ...], fmt: str, csv_out: str | None
) -> None:
    """Per partnership: in both, missing in Wikidata, missing here, dates disagree, one direction only.

    Our side is data/ with every imports/*.trig (the world graph after `twingraph import world-twinnings`).
    """
    from twingraph.wikidata.commands import run_diff
    from twingraph.wikidata.report import symmetry_gaps_csv

    report, text = _wikidata_run(endpoint, lambda _s, store, wd: run_diff(store, wd, list(focus), fmt))
    click.echo(text, nl=False)
    if csv_out:
        table, rows = symmetry_gaps_csv(report, date.today())
        Path(csv_out).write_text(table, encoding="utf-8")
        click.echo(f"wrote {rows} one-directional P190 statements to {csv_out}", err=True)


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
    help="Folder holding cities.csv and links.csv (default: data/world-twinnings).",
)
def import_world_twinnings_command(source: Path | None) -> None:
    """Import the Wikidata P190 snapshot of world twinnings as the graph <id/source/world-twinnings>."""
    from twingraph.importers.world_twinnings import import_world_twinnings

    click.echo(import_world_twinnings(_settings(), source).summary())


@main.command("query")
@click.argument("query", required=False)
@click.option(
    "--file",
    "-f",
    "query_file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Read the query from this file ('-': standard input) instead of the argument.",
)
@click.option(
    "--format",
    "fmt",
    default=None,
    help="Answer format: json, xml, csv, tsv (SELECT/ASK; default tsv) or turtle, nt, jsonld, rdf, "
    "trig, nquads (CONSTRUCT/DESCRIBE; default turtle); a media type works too.",
)
def query_command(query: str | None, query_file: IO[str] | None, fmt: str | None) -> None:
    """Answer a SPARQL QUERY from the release to serve (same guard and limits as /sparql)."""
    from twingraph.terminal_query import run_query

    if (query is None) == (query_file is None):
        raise click.UsageError("give the query either as an argument or with --file")
    text = query if query is not None else query_file.read()  # type: ignore[union-attr]
    settings = _settings()
    answer = run_query(settings, text, fmt)
    body = answer.body
    if sys.stdout.isatty() and not body.endswith(b"\n"):
        body += b"\n"  # so that the prompt starts on its own line
    click.echo(body, nl=False)
    if answer.truncated:
        limit = settings.result_limit
        click.echo(f"note: the answer stops at the result limit ({limit}; TWINGRAPH_RESULT_LIMIT)", err=True)


@main.command("doctor")
def doctor_command() -> None:
    """Check the install, settings, project folder, release checksums, store and port; say what to fix."""
    from twingraph.doctor import healthy, run_checks

    checks = run_checks()
    for check in checks:
        click.echo(check.line())
    if not healthy(checks):
        sys.exit(1)


@import_group.command("geonames")
@click.option(
    "--source",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding the world snapshot's cities.csv (default: data/world-twinnings).",
)
def import_geonames_command(source: Path | None) -> None:
    """Link the world graph's cities to GeoNames (name + country + distance) with their alternate names."""
    from twingraph.importers.geonames import import_geonames

    click.echo(import_geonames(_settings(), source).summary())
