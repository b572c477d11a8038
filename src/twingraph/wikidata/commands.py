"""The plain functions behind ``twingraph wikidata diff | quickstatements | link``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from twingraph.config import Settings
from twingraph.load import load_graph
from twingraph.store import EmbeddedStore, Store
from twingraph.wikidata.client import WikidataClient, user_agent
from twingraph.wikidata.diff import DiffReport, diff
from twingraph.wikidata.link import propose, write_review_file
from twingraph.wikidata.quickstatements import Line, quickstatements
from twingraph.wikidata.report import format_text, to_json


def working_store(settings: Settings) -> Store:
    """The curated graph of ``data/`` (rules applied) behind the store interface."""
    return EmbeddedStore(load_graph(settings).store, "working-tree", settings.base_iri)


def make_client(settings: Settings, endpoint: str | None = None) -> WikidataClient:
    """A client for ``endpoint``, by default the configured ``wikidata_endpoint``."""
    return WikidataClient(endpoint or settings.wikidata_endpoint, user_agent(settings.base_iri))


def run_diff(
    store: Store, client: WikidataClient, focus: list[str] | None, fmt: str
) -> tuple[DiffReport, str]:
    """The diff report and its text (``fmt`` 'text' or 'json')."""
    report = diff(store, client, focus)
    return report, to_json(report) if fmt == "json" else format_text(report)


def run_quickstatements(
    store: Store, client: WikidataClient, retrieved: date, focus: list[str] | None = None
) -> tuple[str, list[Line]]:
    """QuickStatements v1 text for every P190 statement Wikidata lacks, and the lines with their notes."""
    lines = quickstatements(diff(store, client, focus), retrieved)
    return "".join(line.text + "\n" for line in lines), lines


def run_link(store: Store, client: WikidataClient, out: Path, settings: Settings) -> tuple[Path, int]:
    """Write the QID proposals review file; return where and how many proposals."""
    proposals = propose(store, client)
    return write_review_file(proposals, out, settings.data_dir, settings.base_iri), len(proposals)
