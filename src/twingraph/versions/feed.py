"""The change feed as ActivityStreams 2.0: one ``Create`` / ``Update`` / ``Delete`` per entity and release.

Pages never straddle two releases, so a page, once written, never changes (releases are immutable)
and a harvester can cache it forever; the collection's ``last`` page moves on as releases come.
Activities are in release order, oldest first, and within a release by entity IRI: a harvester
starting from nothing reads every page; one that has read release N reads only the pages of the
releases after it (``/feed/<version>`` lists them per release).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from twingraph.versions.history import EntityChange, History
from twingraph.versions.registry import Release

PAGE_SIZE = 500
MEDIA_TYPE = "application/activity+json"
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
ACTIVITY = {"added": "Create", "changed": "Update", "removed": "Delete"}
CONTEXT: list[Any] = [
    AS_CONTEXT,
    {"changedProperties": {"@id": "http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate", "@type": "@id"}},
]


@dataclass(frozen=True)
class Page:
    """One page of the feed: ``number`` (from 1) of ``release``'s pages, ``start`` its first change."""

    release: Release
    number: int
    start: int
    index: int  # position among all pages of the feed


def pages(releases: list[Release], history: History) -> list[Page]:
    """Every page of the feed, oldest release first."""
    found: list[Page] = []
    for release in releases:
        total = len(history.changes(release).changes)
        for n, start in enumerate(range(0, total, PAGE_SIZE), start=1):
            found.append(Page(release, n, start, len(found)))
    return found


def activity(change: EntityChange, release: Release, dataset: str) -> dict[str, Any]:
    """One entity's change in one release as an AS2 activity (the changed properties for an Update)."""
    item: dict[str, Any] = {
        "id": change.changeset,
        "type": ACTIVITY[change.kind],
        "object": {"id": change.iri},
        "context": dataset,
        "endTime": release.issued.isoformat(),
    }
    if change.kind == "changed":
        item["changedProperties"] = list(change.properties)
    return item


def page_items(page: Page, history: History, dataset: str) -> list[dict[str, Any]]:
    """The activities on ``page``."""
    changes = history.changes(page.release).changes[page.start : page.start + PAGE_SIZE]
    return [activity(c, page.release, dataset) for c in changes]
