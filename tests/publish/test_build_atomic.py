"""Builds that fail, are interrupted or repeat leave earlier releases byte-identical; a new version
records its changes. Each test works on its own copy of the project (ontology, shapes, data, dist)."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from twingraph.build import BuildError, SilentProgress, build_release
from twingraph.cli import main
from twingraph.config import Settings

pytestmark = pytest.mark.slow

INVALID_CITY = """@prefix tg: <ontology#> .
GRAPH <id/source/research-notes> {
    <id/city/nowhere> a tg:City .
}
"""
BROKEN = """@prefix tg: <ontology#> .
GRAPH <id/source/research-notes> {
    <id/city/nowhere> a tg:City
"""
TEST_ORGANISATION = """@prefix tg: <ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
# A test-only entity: it exists in this temporary copy of the data, never in data/.
GRAPH <id/source/research-notes> {
    <id/organisation/test-association> a tg:Organisation ;
        rdfs:label "{label}"@en , "Testverein"@de .
}
"""


def _copy_project(source: Settings, folder: Path) -> Settings:
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(source.project_dir / name, folder / name)
    return dataclasses.replace(source, project_dir=folder, dist_dir=folder / "dist")


def _set(settings: Settings, key: str, value: str) -> None:
    path = settings.data_dir / "dataset.toml"
    text = re.sub(rf'(?m)^{key} = ".*"$', f'{key} = "{value}"', path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")


def _snapshot(dist: Path) -> dict[str, bytes | str]:
    """Every release file's bytes and the ``latest`` link's target (not the lock or build leftovers)."""
    state: dict[str, bytes | str] = {}
    for path in sorted(dist.rglob("*")):
        relative = path.relative_to(dist).as_posix()
        if relative == ".build.lock" or relative.startswith(".build-"):
            continue
        if path.is_symlink():
            state[relative] = "-> " + os.readlink(path)
        elif path.is_file():
            state[relative] = path.read_bytes()
    return state


def _leftovers(dist: Path) -> list[str]:
    return sorted(p.name for p in dist.iterdir() if p.name.startswith(".build-"))


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Settings:
    """A project copy whose dist holds release 0.1.0 built from the curated graph."""
    project = _copy_project(settings, tmp_path_factory.mktemp("project"))
    _set(project, "version", "0.1.0")
    build_release(project, publish=True)
    return project


@pytest.fixture()
def project(first: Settings, tmp_path: Path) -> Settings:
    """A fresh copy of ``first`` (with its dist) for one test to change."""
    shutil.copytree(first.project_dir, tmp_path / "p", symlinks=True)
    return dataclasses.replace(first, project_dir=tmp_path / "p", dist_dir=tmp_path / "p" / "dist")


def _cli(project: Settings, *args: str) -> tuple[int, str]:
    env = {
        "TWINGRAPH_PROJECT_DIR": str(project.project_dir),
        "TWINGRAPH_DIST_DIR": str(project.dist_dir),
        "TWINGRAPH_IMPORTS_DIR": str(project.imports_dir),
    }
    result = CliRunner().invoke(main, ["build", *args], env=env)
    return result.exit_code, result.output  # stdout and stderr, as a terminal shows them


def test_shacl_violation_prints_the_report_exits_1_and_publishes_nothing(project: Settings) -> None:
    before = _snapshot(project.dist_dir)
    _set(project, "version", "0.2.0")
    (project.data_dir / "zz-invalid.trig").write_text(INVALID_CITY, encoding="utf-8")
    code, output = _cli(project)
    assert code == 1, output
    assert "data/zz-invalid.trig: <id/city/nowhere>" in output
    assert "does not conform" in output
    assert _snapshot(project.dist_dir) == before
    assert not (project.dist_dir / "0.2.0").exists() and not _leftovers(project.dist_dir)


def test_unreadable_data_file_exits_2_naming_file_and_line(project: Settings) -> None:
    before = _snapshot(project.dist_dir)
    (project.data_dir / "zz-broken.trig").write_text(BROKEN, encoding="utf-8")
    code, output = _cli(project)
    assert code == 2, output
    (line,) = [line for line in output.splitlines() if line.startswith("error:")]
    assert "zz-broken.trig" in line and "line 4" in line, line
    assert _snapshot(project.dist_dir) == before


def test_bad_dataset_toml_exits_2_with_one_line(project: Settings) -> None:
    _set(project, "version", "1.0")
    code, output = _cli(project)
    assert code == 2
    assert "dataset.toml: version '1.0' is not a semantic version" in output
    _set(project, "version", "0.2.0")
    _set(project, "date", "2026-13-01")
    code, output = _cli(project)
    assert code == 2 and "date '2026-13-01' is not a date" in output


class _InterruptAt(SilentProgress):
    """Presses Ctrl-C (raises KeyboardInterrupt) when a stage starts, as a user would mid-build."""

    def __init__(self, stage: str) -> None:
        self.at = stage
        self.seen: list[str] = []

    def stage(self, name: str, total: int) -> None:
        self.seen.append(name)
        if name == self.at:
            raise KeyboardInterrupt


def test_interrupted_build_leaves_earlier_releases_byte_identical(project: Settings) -> None:
    before = _snapshot(project.dist_dir)
    _set(project, "version", "0.2.0")
    progress = _InterruptAt("catalog")
    with pytest.raises(KeyboardInterrupt):
        build_release(project, progress=progress)
    assert "dumps" in progress.seen, "the interruption came after files were written"
    assert _snapshot(project.dist_dir) == before
    assert not (project.dist_dir / "0.2.0").exists() and not _leftovers(project.dist_dir)


def test_killed_build_leaves_releases_intact_and_the_next_build_cleans_up(project: Settings) -> None:
    before = _snapshot(project.dist_dir)
    _set(project, "version", "0.2.0")
    env = {
        **os.environ,
        "TWINGRAPH_PROJECT_DIR": str(project.project_dir),
        "TWINGRAPH_DIST_DIR": str(project.dist_dir),
        "TWINGRAPH_IMPORTS_DIR": str(project.imports_dir),
    }
    command = [str(Path(sys.executable).parent / "twingraph"), "build"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(project.dist_dir.glob(".build-*/twingraph.ttl")) and time.monotonic() < deadline:
        assert process.poll() is None, "the build ended before it could be killed"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert _leftovers(project.dist_dir), "the killed build had started writing"
    assert _snapshot(project.dist_dir) == before
    code, output = _cli(project)
    assert code == 0, output
    assert not _leftovers(project.dist_dir)
    # A plain build of a new version is a development release named by its content.
    assert str((project.dist_dir / "latest").readlink()).startswith("0.2.0+")


def test_failure_in_a_later_stage_publishes_nothing(project: Settings) -> None:
    """Two English labels (one value per cell) stop the build in the tables stage, after the dumps."""
    before = _snapshot(project.dist_dir)
    _set(project, "version", "0.2.0")
    text = TEST_ORGANISATION.replace("{label}", 'Test association"@en , "Another test association')
    (project.data_dir / "zz-test-organisation.trig").write_text(text, encoding="utf-8")
    with pytest.raises(BuildError, match="one-value column"):
        build_release(project)
    assert _snapshot(project.dist_dir) == before and not _leftovers(project.dist_dir)


def test_same_version_same_input_changes_nothing_other_input_is_refused(project: Settings) -> None:
    before = _snapshot(project.dist_dir)
    assert build_release(project).unchanged
    assert _snapshot(project.dist_dir) == before
    organisations = project.data_dir / "organisations.trig"
    organisations.write_text(
        organisations.read_text(encoding="utf-8").replace('"Bundestag"@en', '"The Bundestag"@en')
    )
    code, output = _cli(project, "--publish")
    assert code == 2 and "release 0.1.0 is published" in output and "--replace" in output
    assert _snapshot(project.dist_dir) == before
    code, output = _cli(project, "--publish", "--replace")
    assert code == 0, output
    after = _snapshot(project.dist_dir)
    assert after["0.1.0/SHA256SUMS"] != before["0.1.0/SHA256SUMS"]
    assert (
        b"The Bundestag" in after["0.1.0/twingraph.nt.gz"] or b"The Bundestag" in after["0.1.0/twingraph.ttl"]
    )


def test_a_new_version_records_its_changes_by_entity(project: Settings) -> None:
    before = _snapshot(project.dist_dir)
    _set(project, "version", "0.2.0")
    _set(project, "date", "2026-12-01")
    organisations = project.data_dir / "organisations.trig"
    organisations.write_text(
        organisations.read_text(encoding="utf-8").replace('"Bundestag"@en', '"German Bundestag"@en')
    )
    text = TEST_ORGANISATION.replace("{label}", "Test association")
    (project.data_dir / "zz-test-organisation.trig").write_text(text, encoding="utf-8")
    result = build_release(project, publish=True)
    assert result.version == "0.2.0" and not result.unchanged
    after = _snapshot(project.dist_dir)
    assert {k: v for k, v in after.items() if k.startswith("0.1.0/")} == {
        k: v for k, v in before.items() if k.startswith("0.1.0/")
    }
    assert after["latest"] == "-> 0.2.0"

    changes = (project.dist_dir / "0.2.0" / "CHANGES.md").read_text(encoding="utf-8")
    assert "# Changes in release 0.2.0 (2026-12-01)" in changes
    assert "Compared with release 0.1.0." in changes
    assert "| added | 1 |" in changes and "| removed | 0 |" in changes and "| changed | 1 |" in changes
    assert "- Test association `<id/organisation/test-association>`" in changes
    assert '`rdfs:label`: removed `"Bundestag"@en`; added `"German Bundestag"@en`' in changes
    assert '`schema:name`: removed `"Bundestag"@en`; added `"German Bundestag"@en`' in changes

    graph = rdflib.Graph()
    graph.parse(project.dist_dir / "0.2.0" / "changes.ttl", format="turtle")
    cs = rdflib.Namespace("http://purl.org/vocab/changeset/schema#")
    base = project.base_iri
    (changeset,) = graph.subjects(cs.subjectOfChange, rdflib.URIRef(f"{base}id/organisation/bundestag"))
    assert graph.value(changeset, cs.changeReason) == rdflib.Literal("changed", lang="en")
    added = {graph.value(s, rdflib.RDF.object) for s in graph.objects(changeset, cs.addition)}
    removed = {graph.value(s, rdflib.RDF.object) for s in graph.objects(changeset, cs.removal)}
    assert added == {rdflib.Literal("German Bundestag", lang="en")}
    assert removed == {rdflib.Literal("Bundestag", lang="en")}
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    assert (
        rdflib.URIRef(f"{base}dataset/0.2.0"),
        prov.wasRevisionOf,
        rdflib.URIRef(f"{base}dataset/0.1.0"),
    ) in graph

    catalog = rdflib.Graph()
    catalog.parse(project.dist_dir / "0.2.0" / "catalog.ttl", format="turtle")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    assert catalog.value(rdflib.URIRef(f"{base}dataset/0.2.0"), dcat.previousVersion) == rdflib.URIRef(
        f"{base}dataset/0.1.0"
    )

    from twingraph.web import create_app

    listing = (
        create_app(project).test_client().get("/dumps/", headers={"Accept": "application/json"}).get_json()
    )
    assert [(r["version"], r["latest"]) for r in listing["releases"]] == [("0.2.0", True), ("0.1.0", False)]
