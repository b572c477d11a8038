"""The release registry: which folders of a dist folder are served, and when it looks for new ones."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from twingraph.versions.registry import CATALOG, DUMP, SUMS_FILE, ReleaseRegistry

CATALOGUE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://example.org/dataset/{version}> a dcat:Dataset ; dct:issued "{day}"^^xsd:date ;
    dct:license <http://creativecommons.org/publicdomain/zero/1.0/> .
"""


def add_release(dist: Path, version: str, day: str) -> None:
    """A folder the registry serves (checksums, dump, catalogue), and the dist folder's time moved on
    (as adding a folder does, whatever the file system's clock resolution)."""
    folder = dist / version
    folder.mkdir(parents=True)
    (folder / SUMS_FILE).write_text("", encoding="utf-8")
    (folder / DUMP).write_text("", encoding="utf-8")
    (folder / CATALOG).write_text(CATALOGUE.format(version=version, day=day), encoding="utf-8")
    later = dist.stat().st_mtime + 10
    os.utime(dist, (later, later))


def test_releases_are_ordered_dated_and_partial_folders_left_out(tmp_path: Path) -> None:
    add_release(tmp_path, "0.10.0", "2026-12-01")
    add_release(tmp_path, "0.9.0", "2026-11-01")
    (tmp_path / "0.11.0").mkdir()  # no checksums, dump or catalogue yet: a build under way
    found = ReleaseRegistry(tmp_path).releases()
    assert [r.version for r in found] == ["0.9.0", "0.10.0"]
    assert found[1].issued == dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert found[1].license == "http://creativecommons.org/publicdomain/zero/1.0/"


def test_the_folder_is_looked_at_again_only_after_check_seconds(tmp_path: Path) -> None:
    add_release(tmp_path, "0.1.0", "2026-11-01")
    trusting = ReleaseRegistry(tmp_path, check_seconds=3600)
    watching = ReleaseRegistry(tmp_path, check_seconds=0)
    assert trusting.newest() is not None and watching.newest() is not None
    add_release(tmp_path, "0.2.0", "2026-12-01")
    newest = watching.newest()
    assert newest is not None and newest.version == "0.2.0"  # seen at once
    kept = trusting.newest()
    assert kept is not None and kept.version == "0.1.0"  # the listing of the last hour is trusted
    assert [r.version for r in ReleaseRegistry(tmp_path).releases()] == ["0.1.0", "0.2.0"]


def test_a_missing_dist_folder_serves_nothing_until_it_appears(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    registry = ReleaseRegistry(dist, check_seconds=0)
    assert registry.releases() == [] and registry.get("0.1.0") is None
    add_release(dist, "0.1.0", "2026-11-01")
    found = registry.get("0.1.0")
    assert found is not None and found.folder == dist / "0.1.0"
