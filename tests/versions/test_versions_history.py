"""Which releases an entity exists in, replayed from the change sets the build writes (fast, no server)."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pyoxigraph as ox

from twingraph.namespaces import BaseNamespaces
from twingraph.publish.changes import compute_changes, write_changes
from twingraph.versions.feed import ACTIVITY
from twingraph.versions.history import History, read_changes
from twingraph.versions.registry import Release

NS = BaseNamespaces("https://example.org/tg/")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def _city(slug: str, label: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(NS.resource + f"city/{slug}"), LABEL, ox.Literal(label, language="en"))


def _release(
    dist: Path, version: str, day: int, triples: list[ox.Triple], before: tuple[str, list[ox.Triple]] | None
) -> Release:
    folder = dist / version
    folder.mkdir(parents=True)
    changes = compute_changes(
        triples,
        before[1] if before else None,
        NS,
        version,
        f"2026-01-{day:02d}",
        before[0] if before else None,
    )
    write_changes(changes, folder, NS, {})
    with gzip.open(folder / "twingraph.nt.gz", "wb") as handle:
        handle.write(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    return Release(version, folder, dt.datetime(2026, 1, day, tzinfo=dt.UTC))


def test_existence_is_replayed_over_creates_updates_and_deletes(tmp_path: Path) -> None:
    one = [_city("amiens", "Amiens"), _city("leeds", "Leeds")]
    two = [_city("amiens", "Amiens (Somme)"), _city("zwickau", "Zwickau")]
    three = [_city("amiens", "Amiens (Somme)"), _city("zwickau", "Zwickau"), _city("leeds", "Leeds")]
    releases = [
        _release(tmp_path, "0.1.0", 1, one, None),
        _release(tmp_path, "0.2.0", 2, two, ("0.1.0", one)),
        _release(tmp_path, "0.3.0", 3, three, ("0.2.0", two)),
    ]
    kinds = {c.iri.rsplit("/", 1)[1]: ACTIVITY[c.kind] for c in read_changes(releases[1].folder).changes}
    assert kinds == {"amiens": "Update", "leeds": "Delete", "zwickau": "Create"}
    (update,) = [c for c in read_changes(releases[1].folder).changes if c.kind == "changed"]
    assert update.properties == (LABEL.value,)

    history = History(NS.resource)
    versions = lambda slug: [r.version for r in history.releases_with(NS.resource + f"city/{slug}", releases)]  # noqa: E731
    assert versions("amiens") == ["0.1.0", "0.2.0", "0.3.0"]
    assert versions("leeds") == ["0.1.0", "0.3.0"]
    assert versions("zwickau") == ["0.2.0", "0.3.0"]
    assert versions("nowhere") == []


def test_a_broken_chain_reads_the_release_s_own_entities(tmp_path: Path) -> None:
    one = [_city("amiens", "Amiens")]
    three = [_city("leeds", "Leeds")]
    first = _release(tmp_path, "0.1.0", 1, one, None)
    # 0.3.0 was built after a 0.2.0 that is no longer on disk: its change sets do not follow 0.1.0.
    third = _release(tmp_path, "0.3.0", 3, three, ("0.2.0", [_city("leeds", "Leeds (old)")]))
    history = History(NS.resource)
    assert [r.version for r in history.releases_with(NS.resource + "city/leeds", [first, third])] == ["0.3.0"]
    assert [r.version for r in history.releases_with(NS.resource + "city/amiens", [first, third])] == [
        "0.1.0"
    ]
